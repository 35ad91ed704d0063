//! The PostgreSQL backend, for several instances on one database: connecting, migrating
//! (`migrations/postgres`), and one module of queries per table. Writes are transactions on
//! the pool: PostgreSQL orders concurrent writers itself, from any number of instances.

mod events;
mod places;
mod saved;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, postgres::PgPoolOptions};

use super::{
    Database, PendingViews, PhotoLock, PoolGauge,
    events::{Stored, StoredEvent, Submission},
    places::{Source, Viewed, ViewedPlace},
    saved::Saved,
};
use crate::domain::{Place, PlaceKey, Spot, SpotKey, event::NewEvent, photo::PhotoSizes};

/// PostgreSQL's SQLSTATE for a full disk.
const DISK_FULL: &str = "53100";
/// Connections per instance: three instances stay well under PostgreSQL's default 100.
const MAX_CONNECTIONS: u32 = 16;

#[derive(Debug, Clone)]
pub struct Postgres {
    pool: PgPool,
}

impl Postgres {
    /// Connects and runs the migrations not run yet. Instances starting at once are safe: the
    /// migrator holds an advisory lock while it runs.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

/// Whether a database error means PostgreSQL's disk is full.
pub(super) fn is_storage_full(error: &sqlx::Error) -> bool {
    state_code(error).is_some_and(|code| code == DISK_FULL)
}

/// Whether PostgreSQL refused for a moment: too many connections, a lock not granted, a
/// transaction that lost a deadlock or a serialisation race, or a server starting or stopping.
pub(super) fn is_busy(error: &sqlx::Error) -> bool {
    const BUSY: [&str; 6] = ["53300", "55P03", "40001", "40P01", "57P03", "57P01"];
    state_code(error).is_some_and(|code| BUSY.contains(&code.as_str()))
}

/// The SQLSTATE of an error PostgreSQL answered.
fn state_code(error: &sqlx::Error) -> Option<String> {
    error
        .as_database_error()
        .filter(|e| {
            e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
        })
        .and_then(|e| e.code())
        .map(|code| code.into_owned())
}

#[async_trait]
impl Database for Postgres {
    async fn place(&self, source: Source, key: &PlaceKey) -> Result<Option<Place>, sqlx::Error> {
        places::find(&self.pool, source, key).await
    }

    async fn store_place(
        &self,
        source: Source,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        places::insert(&self.pool, source, spot, now).await
    }

    async fn add_views(&self, source: Source, batch: &[PendingViews]) -> Result<(), sqlx::Error> {
        places::add_views(&self.pool, source, batch).await
    }

    async fn view_count(&self, source: Source, key: &SpotKey) -> Result<i64, sqlx::Error> {
        places::view_count(&self.pool, source, key).await
    }

    async fn viewed(
        &self,
        source: Source,
        list: Viewed,
        limit: i64,
    ) -> Result<Vec<ViewedPlace>, sqlx::Error> {
        places::list(&self.pool, source, list, limit).await
    }

    /// Nothing to move: a PostgreSQL database began after postal codes were kept in the
    /// geocoder's form.
    async fn move_to_data_form(&self) -> Result<usize, sqlx::Error> {
        Ok(0)
    }

    async fn insert_event(
        &self,
        source: Source,
        spot: &Spot,
        event: &NewEvent,
        submission: &Submission<'_>,
        now: DateTime<Utc>,
    ) -> Result<Stored, sqlx::Error> {
        events::insert(&self.pool, source, spot, event, submission, now).await
    }

    async fn event(&self, source: Source, id: i64) -> Result<Option<StoredEvent>, sqlx::Error> {
        events::find(&self.pool, source, id).await
    }

    async fn upcoming_events(
        &self,
        source: Source,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        events::upcoming(&self.pool, source, key, now, limit, offset).await
    }

    async fn past_events(
        &self,
        source: Source,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        events::recent_past(&self.pool, source, key, now, limit).await
    }

    async fn edit_token_hash(
        &self,
        source: Source,
        id: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        events::edit_token_hash(&self.pool, source, id).await
    }

    async fn update_event(
        &self,
        source: Source,
        id: i64,
        token_hash: &str,
        version: i64,
        event: &NewEvent,
    ) -> Result<bool, sqlx::Error> {
        events::update(&self.pool, source, id, token_hash, version, event).await
    }

    async fn delete_event(
        &self,
        source: Source,
        id: i64,
        token_hash: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        events::delete(&self.pool, source, id, token_hash).await
    }

    async fn photo_in_use(&self, hash: &str) -> Result<bool, sqlx::Error> {
        events::photo_in_use(&self.pool, hash).await
    }

    async fn lock_photo(&self, hash: &str) -> Result<PhotoLock, sqlx::Error> {
        // A transaction's advisory lock, let go when the transaction ends: dropping it rolls
        // back as its connection goes back to the pool, so no way out leaves the lock held.
        let mut held = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('photo ' || $1))")
            .bind(hash)
            .execute(&mut *held)
            .await?;
        Ok(PhotoLock::holding(held))
    }

    async fn event_writes(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT count FROM event_writes WHERE id = 1")
            .fetch_one(&self.pool)
            .await
    }

    async fn photos_without_sizes(&self) -> Result<Vec<String>, sqlx::Error> {
        events::photos_without_sizes(&self.pool).await
    }

    async fn set_photo_sizes(&self, photo: &str, sizes: PhotoSizes) -> Result<(), sqlx::Error> {
        events::set_photo_sizes(&self.pool, photo, sizes).await
    }

    async fn save(
        &self,
        source: Source,
        visitor: &str,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<Saved, sqlx::Error> {
        saved::save(&self.pool, source, visitor, spot, now).await
    }

    async fn unsave(
        &self,
        source: Source,
        visitor: &str,
        key: &SpotKey,
    ) -> Result<(), sqlx::Error> {
        saved::remove(&self.pool, source, visitor, key).await
    }

    async fn is_saved(
        &self,
        source: Source,
        visitor: &str,
        key: &SpotKey,
    ) -> Result<bool, sqlx::Error> {
        saved::is_saved(&self.pool, source, visitor, key).await
    }

    async fn saved(&self, source: Source, visitor: &str) -> Result<Vec<Spot>, sqlx::Error> {
        saved::list(&self.pool, source, visitor).await
    }

    async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// PostgreSQL reports a full disk on the write that meets it (a 507); there is no file
    /// of the app's own to probe.
    async fn out_of_space(&self) -> bool {
        false
    }

    fn pools(&self) -> Vec<PoolGauge> {
        vec![("postgres", self.pool.size(), self.pool.num_idle())]
    }
}
