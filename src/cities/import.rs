//! Puts the cities file into SQLite when the database holds another file's cities or none: in
//! one transaction, so a search never sees half an import, and a crash mid-way leaves the
//! previous cities (or none) and imports again at the next start.

use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use super::{
    data::{self, CityRecord},
    fold::fold,
};
use crate::db::{self, Writer};

/// Rows per INSERT: fewer statements, each well under SQLite's limit of bound values.
const ROWS_PER_INSERT: usize = 1000;
/// Names how the file is put into the tables (folding, tables filled): changed with them, so
/// that the same file is imported again the new way.
const IMPORT_FORM: &str = "fold-deunicode-1;ends-1";

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Data(#[from] data::DataError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// The database already held this file's cities.
    AlreadyCurrent,
    Cities {
        cities: usize,
        names: usize,
    },
}

/// Imports `gzip` unless the database already holds exactly that file.
pub async fn import_if_changed(
    pool: &SqlitePool,
    writer: &Writer,
    gzip: &[u8],
) -> Result<Imported, ImportError> {
    let version = hex::encode(
        Sha256::new_with_prefix(IMPORT_FORM)
            .chain_update(gzip)
            .finalize(),
    );
    if imported_version(pool).await?.as_deref() == Some(version.as_str()) {
        return Ok(Imported::AlreadyCurrent);
    }
    let gzip = gzip.to_vec();
    let cities = tokio::task::spawn_blocking(move || data::read(&gzip))
        .await
        .map_err(|e| ImportError::Data(data::DataError::Unreadable(std::io::Error::other(e))))??;
    let names = writer
        .write(async |conn| {
            // Instances sharing the file and started together: the first to write imports,
            // and the others, once they have the write lock, find its import done.
            if imported_version(&mut *conn).await?.as_deref() == Some(version.as_str()) {
                return Ok(None);
            }
            replace_all(conn, &cities, &version).await.map(Some)
        })
        .await?;
    let Some(names) = names else {
        return Ok(Imported::AlreadyCurrent);
    };
    let counts = Imported::Cities {
        cities: cities.len(),
        names,
    };
    // Readers may hold the log a moment longer; a log left large costs disk, not correctness.
    if let Err(error) = writer.checkpoint().await {
        tracing::debug!(%error, "log not emptied after the cities' import");
    }
    Ok(counts)
}

/// The version of the cities imported, if any.
async fn imported_version(
    db: impl sqlx::SqliteExecutor<'_>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM city_data LIMIT 1")
        .fetch_optional(db)
        .await
}

/// The folded names of `cities`, each (folded name, geonameid) pair once.
fn names_of(cities: &[CityRecord]) -> Vec<(String, i64)> {
    let mut names = Vec::new();
    for city in cities {
        let mut folded: Vec<String> = std::iter::once(&city.name)
            .chain(&city.alternate_names)
            .map(|name| fold(name))
            .filter(|folded| !folded.is_empty())
            .collect();
        folded.sort_unstable();
        folded.dedup();
        names.extend(folded.into_iter().map(|name| (name, city.geonameid)));
    }
    names
}

/// Fills the tables with `cities`, a thousand at a time with their names: only one chunk's
/// folded names are held at once (all 400,000 at once were most of the import's 100 MB, and the
/// allocator kept much of it after). Returns how many names were stored.
async fn replace_all(
    conn: &mut SqliteConnection,
    cities: &[CityRecord],
    version: &str,
) -> Result<usize, sqlx::Error> {
    for table in [
        "city_name_trigrams",
        "city_name_ends",
        "city_names",
        "cities",
        "city_data",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    let mut stored_names = 0;
    for chunk in cities.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO cities (geonameid, name, country_code, country_name, admin1_code, region, \
             latitude, longitude, population, time_zone) ",
        );
        insert.push_values(chunk, |mut row, city| {
            row.push_bind(city.geonameid)
                .push_bind(&city.name)
                .push_bind(&city.country_code)
                .push_bind(&city.country_name)
                .push_bind(&city.admin1_code)
                .push_bind(&city.region)
                .push_bind(city.latitude)
                .push_bind(city.longitude)
                .push_bind(city.population)
                .push_bind(&city.time_zone);
        });
        insert.build().persistent(false).execute(&mut *conn).await?;

        // Each pair is unique within the chunk, and the chunks' cities differ.
        let names = names_of(chunk);
        stored_names += names.len();
        for part in names.chunks(ROWS_PER_INSERT) {
            let mut insert =
                QueryBuilder::<Sqlite>::new("INSERT INTO city_names (folded, geonameid) ");
            insert.push_values(part, |mut row, (folded, id)| {
                row.push_bind(folded).push_bind(id);
            });
            insert.build().persistent(false).execute(&mut *conn).await?;
        }
        // Other chunks' cities share names: an end already stored is kept once.
        let mut ends: Vec<String> = names
            .iter()
            .map(|(folded, _)| folded.chars().rev().collect())
            .collect();
        ends.sort_unstable();
        ends.dedup();
        for part in ends.chunks(ROWS_PER_INSERT) {
            let mut insert =
                QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO city_name_ends (reversed) ");
            insert.push_values(part, |mut row, reversed| {
                row.push_bind(reversed);
            });
            insert.build().persistent(false).execute(&mut *conn).await?;
        }
    }
    sqlx::query("INSERT INTO city_name_trigrams (folded) SELECT DISTINCT folded FROM city_names")
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO city_data (version, imported_at) VALUES (?, ?)")
        .bind(version)
        .bind(db::timestamp(chrono::Utc::now()))
        .execute(&mut *conn)
        .await?;
    Ok(stored_names)
}
