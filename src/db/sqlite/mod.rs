//! The SQLite backend, embedded: connecting, migrating (`migrations/sqlite`), the one writer,
//! and one module of queries per table. Also the cities' own file on a PostgreSQL instance.

mod events;
mod places;
mod saved;

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use sqlx::{
    ConnectOptions, Connection, Sqlite as SqliteDb, SqliteConnection, SqlitePool,
    pool::PoolConnection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{
    Database, PendingViews, PhotoLock, PoolGauge,
    events::{Stored, StoredEvent, Submission},
    places::{Source, Viewed, ViewedPlace},
    saved::Saved,
};
use crate::domain::{Place, PlaceKey, Spot, SpotKey, event::NewEvent, photo::PhotoSizes};

/// SQLite's page size, which turns a size limit in MB into `max_page_count`.
const PAGE_BYTES: u64 = 4096;
/// SQLite's result code for a full disk or a database at its size limit.
const SQLITE_FULL: i32 = 13;
/// SQLite's result codes for a lock held by another connection past the busy timeout.
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;

/// Opens (creating if the URL allows) and migrates the database: a pool of read-only
/// connections for every read, and the one [`Writer`]. `max_mb` caps the file's size (0: none).
pub async fn connect(url: &str, max_mb: u64) -> Result<(SqlitePool, Writer), sqlx::Error> {
    let mut options = SqliteConnectOptions::from_str(url)?
        // WAL lets readers go on while one writer writes. FULL syncs the log at every commit:
        // with NORMAL a power cut (not a killed process) could lose the last posts answered 303.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    if max_mb > 0 {
        options = options.pragma(
            "max_page_count",
            max_mb.saturating_mul(1024 * 1024 / PAGE_BYTES).to_string(),
        );
    }
    migrate(&options).await?;
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.clone())
        .await?;
    // Made after the migrations, whose connection created the file and switched it to WAL.
    let readers = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        // A mebibyte of pages each (SQLite's default is two): the cities' index is read in
        // small ranges, and eight connections' caches were a third of the server's memory.
        .connect_with(
            options
                .create_if_missing(false)
                .read_only(true)
                .pragma("cache_size", "-1024"),
        )
        .await?;
    Ok((
        readers,
        Writer {
            pool: writer,
            out_of_space: Arc::default(),
        },
    ))
}

/// The SQLite backend: the readers and the one writer.
#[derive(Debug, Clone)]
pub struct Sqlite {
    pub readers: SqlitePool,
    pub writer: Writer,
    /// Beside the database file: the lock on photos that instances sharing the file take
    /// (they share a machine, so the operating system's file lock reaches them all). `None`
    /// for a database in memory, which no other process can share.
    photo_lock_file: Option<Arc<Path>>,
}

impl Sqlite {
    pub async fn open(url: &str, max_mb: u64) -> Result<Self, sqlx::Error> {
        let (readers, writer) = connect(url, max_mb).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let photo_lock_file = match in_memory {
            true => None,
            false => {
                let mut path = SqliteConnectOptions::from_str(url)?
                    .get_filename()
                    .as_os_str()
                    .to_owned();
                path.push(".photo-lock");
                Some(PathBuf::from(path).into())
            }
        };
        Ok(Self {
            readers,
            writer,
            photo_lock_file,
        })
    }
}

#[async_trait]
impl Database for Sqlite {
    async fn place(&self, source: Source, key: &PlaceKey) -> Result<Option<Place>, sqlx::Error> {
        places::find(&self.readers, source, key).await
    }

    async fn store_place(
        &self,
        source: Source,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        places::store(&self.writer, source, spot, now).await
    }

    async fn add_views(&self, source: Source, batch: &[PendingViews]) -> Result<(), sqlx::Error> {
        self.writer
            .write(async |tx| {
                for (spot, views, last_viewed_at) in batch {
                    places::add_views(&mut *tx, source, spot, *views, *last_viewed_at).await?;
                }
                Ok(())
            })
            .await
    }

    async fn view_count(&self, source: Source, key: &SpotKey) -> Result<i64, sqlx::Error> {
        places::view_count(&self.readers, source, key).await
    }

    async fn viewed(
        &self,
        source: Source,
        list: Viewed,
        limit: i64,
    ) -> Result<Vec<ViewedPlace>, sqlx::Error> {
        places::list(&self.readers, source, list, limit).await
    }

    async fn move_to_data_form(&self) -> Result<usize, sqlx::Error> {
        places::move_to_data_form(&self.readers, &self.writer).await
    }

    async fn insert_event(
        &self,
        source: Source,
        spot: &Spot,
        event: &NewEvent,
        submission: &Submission<'_>,
        now: DateTime<Utc>,
    ) -> Result<Stored, sqlx::Error> {
        events::insert(&self.writer, source, spot, event, submission, now).await
    }

    async fn event(&self, source: Source, id: i64) -> Result<Option<StoredEvent>, sqlx::Error> {
        events::find(&self.readers, source, id).await
    }

    async fn upcoming_events(
        &self,
        source: Source,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        events::upcoming(&self.readers, source, key, now, limit, offset).await
    }

    async fn past_events(
        &self,
        source: Source,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        events::recent_past(&self.readers, source, key, now, limit).await
    }

    async fn edit_token_hash(
        &self,
        source: Source,
        id: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        events::edit_token_hash(&self.readers, source, id).await
    }

    async fn update_event(
        &self,
        source: Source,
        id: i64,
        token_hash: &str,
        version: i64,
        event: &NewEvent,
    ) -> Result<bool, sqlx::Error> {
        events::update(&self.writer, source, id, token_hash, version, event).await
    }

    async fn delete_event(
        &self,
        source: Source,
        id: i64,
        token_hash: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        events::delete(&self.writer, source, id, token_hash).await
    }

    async fn photo_in_use(&self, hash: &str) -> Result<bool, sqlx::Error> {
        events::photo_in_use(&self.readers, hash).await
    }

    async fn lock_photo(&self, _hash: &str) -> Result<PhotoLock, sqlx::Error> {
        let Some(path) = self.photo_lock_file.clone() else {
            return Ok(PhotoLock::holding(()));
        };
        let locked = tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            // Waits for the instance holding it; let go when the file is closed.
            file.lock()?;
            Ok(file)
        })
        .await
        .map_err(|error| sqlx::Error::Io(std::io::Error::other(error)))?;
        locked.map(PhotoLock::holding).map_err(sqlx::Error::Io)
    }

    async fn event_writes(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT count FROM event_writes WHERE id = 1")
            .fetch_one(&self.readers)
            .await
    }

    async fn photos_without_sizes(&self) -> Result<Vec<String>, sqlx::Error> {
        events::photos_without_sizes(&self.readers).await
    }

    async fn set_photo_sizes(&self, photo: &str, sizes: PhotoSizes) -> Result<(), sqlx::Error> {
        events::set_photo_sizes(&self.writer, photo, sizes).await
    }

    async fn save(
        &self,
        source: Source,
        visitor: &str,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<Saved, sqlx::Error> {
        saved::save(&self.writer, visitor, source, spot, now).await
    }

    async fn unsave(
        &self,
        source: Source,
        visitor: &str,
        key: &SpotKey,
    ) -> Result<(), sqlx::Error> {
        saved::remove(&self.writer, visitor, source, key).await
    }

    async fn is_saved(
        &self,
        source: Source,
        visitor: &str,
        key: &SpotKey,
    ) -> Result<bool, sqlx::Error> {
        saved::is_saved(&self.readers, visitor, source, key).await
    }

    async fn saved(&self, source: Source, visitor: &str) -> Result<Vec<Spot>, sqlx::Error> {
        saved::list(&self.readers, visitor, source).await
    }

    async fn ping(&self) -> Result<(), sqlx::Error> {
        ping(&self.readers).await
    }

    /// After a write was refused for want of space, each check tries a small write, so the
    /// server reports itself ready again once space is freed.
    async fn out_of_space(&self) -> bool {
        self.writer.out_of_space() && self.writer.probe_space().await.is_err()
    }

    fn pools(&self) -> Vec<PoolGauge> {
        [("readers", &self.readers), ("writer", &self.writer.pool)]
            .into_iter()
            .map(|(name, pool)| (name, pool.size(), pool.num_idle()))
            .collect()
    }
}

/// Creates the file if need be and runs the migrations not run yet, on a connection of their
/// own with foreign keys off: a migration that makes a table again (SQLite's way to change a
/// column's constraints) drops the old one, and with the keys on that would delete every row
/// pointing at it through ON DELETE CASCADE. SQLite ignores the pragma inside a transaction,
/// which is where each migration runs, so it is set on the connection. The keys of the rows
/// that point at places are checked once the migrations have run, when any did.
async fn migrate(options: &SqliteConnectOptions) -> Result<(), sqlx::Error> {
    let mut connection = options.clone().foreign_keys(false).connect().await?;
    let applied = async |connection: &mut SqliteConnection| {
        // No table yet: a new file, nothing applied.
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(connection)
            .await
            .unwrap_or(0)
    };
    let before = applied(&mut connection).await;
    sqlx::migrate!("./migrations/sqlite")
        .run(&mut connection)
        .await?;
    let after = applied(&mut connection).await;
    // Only rows a migration moved can have lost their parent; a new file has none.
    let mut broken: Vec<(String, Option<i64>, String, i64)> = Vec::new();
    if before > 0 && after > before {
        for table in ["events", "saved_places"] {
            broken.extend(
                sqlx::query_as(&format!("PRAGMA foreign_key_check({table})"))
                    .fetch_all(&mut connection)
                    .await?,
            );
        }
    }
    connection.close().await?;
    match broken.first() {
        None => Ok(()),
        Some((table, row, parent, _)) => Err(sqlx::Error::Protocol(format!(
            "after the migrations, {} rows point at rows that are gone (the first: table {table}, \
             row {row:?}, missing from {parent})",
            broken.len()
        ))),
    }
}

/// The one path for writes: a single connection, so writes queue in order rather than contend
/// for SQLite's lock, each in its own transaction. A write that fails in any way (or is
/// abandoned half-way) closes its connection, so no later write can find it inside a
/// transaction that was never ended; a write is reported done only after its COMMIT returned.
#[derive(Debug, Clone)]
pub struct Writer {
    pool: SqlitePool,
    /// Set by a write refused for want of space, cleared by a probe that could grow the file.
    out_of_space: Arc<AtomicBool>,
}

impl Writer {
    /// Runs `work` in one transaction and commits it.
    pub async fn write<T>(
        &self,
        work: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut connection = Unsettled(Some(self.pool.acquire().await?));
        let result = async {
            let conn = connection.get()?;
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
            let value = work(&mut *conn).await?;
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(value)
        }
        .await;
        match &result {
            // A write that needed no new page proves nothing about space: only the probe
            // (below) clears `out_of_space`.
            Ok(_) => connection.settle(),
            Err(error) => {
                if is_storage_full(error) {
                    self.out_of_space.store(true, Ordering::SeqCst);
                }
                // The caller reports it (as the request's error, or the view counts' warning).
                tracing::debug!(%error, "write failed and was rolled back");
            }
        }
        result
    }

    /// Copies the write-ahead log into the database and empties it: after a large import,
    /// which would otherwise leave a log as large as the import on disk, and its pages cached.
    /// Its connection's page cache is given back too.
    pub async fn checkpoint(&self) -> Result<(), sqlx::Error> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        sqlx::query("PRAGMA shrink_memory")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Whether the last write was refused for want of space.
    pub fn out_of_space(&self) -> bool {
        self.out_of_space.load(Ordering::SeqCst)
    }

    /// Writes and removes a few pages: whether the database can grow again.
    pub async fn probe_space(&self) -> Result<(), sqlx::Error> {
        let probed = self
            .write(async |conn| {
                sqlx::query("INSERT INTO storage_probe (filler) VALUES (zeroblob(16384))")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM storage_probe")
                    .execute(&mut *conn)
                    .await
                    .map(|_| ())
            })
            .await;
        if probed.is_ok() {
            self.out_of_space.store(false, Ordering::SeqCst);
        }
        probed
    }
}

/// A write's connection until it is known to be clean: dropped unsettled (an error, or the
/// request abandoned mid-write), it is closed rather than returned to the pool, and SQLite
/// rolls back whatever it had begun.
struct Unsettled(Option<PoolConnection<SqliteDb>>);

impl Unsettled {
    fn get(&mut self) -> Result<&mut SqliteConnection, sqlx::Error> {
        self.0.as_deref_mut().ok_or(sqlx::Error::PoolClosed)
    }

    fn settle(&mut self) {
        self.0.take();
    }
}

impl Drop for Unsettled {
    fn drop(&mut self) {
        if let Some(connection) = &mut self.0 {
            connection.close_on_drop();
        }
    }
}

/// Whether a database error means the disk, or the database's size limit, is full.
pub(super) fn is_storage_full(error: &sqlx::Error) -> bool {
    primary_code(error) == Some(SQLITE_FULL)
}

/// Whether another process held the database's lock past the busy timeout.
pub(super) fn is_busy(error: &sqlx::Error) -> bool {
    matches!(primary_code(error), Some(SQLITE_BUSY | SQLITE_LOCKED))
}

/// The primary result code (the low byte of the extended one) of an error SQLite answered.
fn primary_code(error: &sqlx::Error) -> Option<i32> {
    error
        .as_database_error()
        .filter(|e| e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some())
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .map(|code| code & 0xff)
}

/// Whether the database answers a trivial query: the health check.
pub async fn ping(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

/// Instants are stored as RFC 3339 UTC text of fixed width, so that text order is time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
