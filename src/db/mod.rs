//! Storage. Places, events and saved places live in SQLite (embedded, the default) or in
//! PostgreSQL (for several instances), chosen by the database URL, behind one [`Store`]: each
//! backend is a module of its own with its own migrations (`migrations/sqlite`,
//! `migrations/postgres`) and implements [`Database`]. The cities are reference data that
//! every instance keeps in an embedded SQLite file ([`cities`]).
//!
//! The types here (`places`, `events`, `saved`) are what both backends read and answer.

pub mod cities;
pub mod events;
pub mod places;
mod postgres;
pub mod saved;
pub mod sqlite;
mod store;

use std::sync::Arc;

pub use sqlite::{Writer, timestamp};
pub use store::{Backend, Database, PendingViews, PhotoLock, PoolGauge, Store};

/// The store, and the cities' embedded SQLite database.
pub struct Opened {
    pub store: Store,
    /// The store's own file on SQLite; on PostgreSQL, the file `cities_url` names.
    pub cities: sqlite::Sqlite,
}

/// Opens the database the URL names (`sqlite://…` or `postgres://…`), creating and migrating
/// it, with its world: `simulated` places are made up, and a live server never shows them.
/// `max_mb` caps a SQLite file's size (0: none).
pub async fn open(
    url: &str,
    max_mb: u64,
    simulated: bool,
    cities_url: &str,
) -> Result<Opened, sqlx::Error> {
    match Backend::of_url(url) {
        Some(Backend::Sqlite) => {
            let database = sqlite::Sqlite::open(url, max_mb).await?;
            Ok(Opened {
                store: Store::new(Arc::new(database.clone()), simulated),
                cities: database,
            })
        }
        Some(Backend::Postgres) => Ok(Opened {
            store: Store::new(Arc::new(postgres::Postgres::open(url).await?), simulated),
            cities: sqlite::Sqlite::open(cities_url, 0).await?,
        }),
        None => Err(sqlx::Error::Configuration(
            format!(
                "the database URL {:?} names neither SQLite (sqlite://…) nor PostgreSQL \
                 (postgres://…)",
                redacted(url)
            )
            .into(),
        )),
    }
}

/// A URL as it may be logged: without its password, whether in the credentials
/// (`user:password@`) or in the query (`?password=`).
pub fn redacted(url: &str) -> String {
    let (address, query) = match url.split_once('?') {
        Some((address, query)) => (address, Some(query)),
        None => (url, None),
    };
    let address = match address.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((credentials, host)) => {
                let user = credentials
                    .split_once(':')
                    .map_or(credentials, |(user, _)| user);
                format!("{scheme}://{user}@{host}")
            }
            None => address.to_owned(),
        },
        None => address.to_owned(),
    };
    match query {
        Some(query) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| !pair.to_ascii_lowercase().starts_with("password="))
                .collect();
            format!("{address}?{}", kept.join("&"))
        }
        None => address,
    }
}

/// Whether a database error means the disk, or the database's size limit, is full.
pub fn is_storage_full(error: &sqlx::Error) -> bool {
    sqlite::is_storage_full(error) || postgres::is_storage_full(error)
}

/// Whether the database was too busy to answer in time (no connection free within the pool's
/// wait, or a lock held elsewhere): worth trying again in a moment, unlike a fault.
pub fn is_busy(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::PoolTimedOut) || sqlite::is_busy(error) || postgres::is_busy(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_logged_without_its_password() {
        assert_eq!(
            redacted("postgres://ana:hunter2@db.example:5432/cityscape"),
            "postgres://ana@db.example:5432/cityscape"
        );
        assert_eq!(
            redacted("postgres://ana@127.0.0.1/cityscape"),
            "postgres://ana@127.0.0.1/cityscape"
        );
        assert_eq!(
            redacted("sqlite://cityscape.db?mode=rwc"),
            "sqlite://cityscape.db?mode=rwc"
        );
        assert_eq!(redacted("not a url"), "not a url");
        assert_eq!(
            redacted("postgres://db.example/cityscape?user=ana&password=hunter2&sslmode=require"),
            "postgres://db.example/cityscape?user=ana&sslmode=require"
        );
    }

    #[test]
    fn the_backend_is_read_from_the_url() {
        assert_eq!(Backend::of_url("sqlite://a.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://u@h/d"), Some(Backend::Postgres));
        assert_eq!(
            Backend::of_url("postgresql://u@h/d"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://u@h/d"), None);
    }
}
