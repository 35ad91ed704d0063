//! The one handle through which the app reads and writes places, events and saved places, and
//! the interface each backend implements. The handle is built at start with the world it
//! serves (`live`, or `simulated`, whose places are made up) and passes it to every query of
//! those tables: no caller passes it, so none can pass the wrong one or forget it.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    events::{Stored, StoredEvent, Submission},
    places::{Source, Viewed, ViewedPlace},
    saved::Saved,
};
use crate::domain::{Place, PlaceKey, Spot, SpotKey, event::NewEvent, photo::PhotoSizes};

/// Views of one place not yet written: the place, how many, and the last one's time.
pub type PendingViews = (Arc<Spot>, i64, DateTime<Utc>);

/// A connection pool's size, for the metrics: its name, connections open, and idle.
pub type PoolGauge = (&'static str, u32, usize);

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// What a backend does: the queries, each confined to the world given. Every write is one
/// transaction, reported done only once committed.
#[async_trait]
pub trait Database: Send + Sync + std::fmt::Debug {
    /// A postal code's place as stored when it was first geocoded.
    async fn place(&self, source: Source, key: &PlaceKey) -> Result<Option<Place>, sqlx::Error>;
    /// Stores a place; one already stored (a concurrent insert) is kept as it is.
    async fn store_place(
        &self,
        source: Source,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error>;
    /// Adds each place's views to its stored count (storing the place first if need be), in
    /// one transaction.
    async fn add_views(&self, source: Source, batch: &[PendingViews]) -> Result<(), sqlx::Error>;
    /// The views written so far of a place (0 when it is not stored yet).
    async fn view_count(&self, source: Source, key: &SpotKey) -> Result<i64, sqlx::Error>;
    async fn viewed(
        &self,
        source: Source,
        list: Viewed,
        limit: i64,
    ) -> Result<Vec<ViewedPlace>, sqlx::Error>;
    /// Moves places stored before postal codes were kept in the geocoder's form, in both
    /// worlds; returns how many moved.
    async fn move_to_data_form(&self) -> Result<usize, sqlx::Error>;

    /// Stores an event (and its place, if new); a submission stored before is not stored again.
    async fn insert_event(
        &self,
        source: Source,
        spot: &Spot,
        event: &NewEvent,
        submission: &Submission<'_>,
        now: DateTime<Utc>,
    ) -> Result<Stored, sqlx::Error>;
    async fn event(&self, source: Source, id: i64) -> Result<Option<StoredEvent>, sqlx::Error>;
    /// Events of a place not over yet (ended, or started when they have no end), soonest first.
    async fn upcoming_events(
        &self,
        source: Source,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error>;
    /// Events of a place that are over, most recent first.
    async fn past_events(
        &self,
        source: Source,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error>;
    /// The hash of an event's edit token, to check a private link against.
    async fn edit_token_hash(&self, source: Source, id: i64)
    -> Result<Option<String>, sqlx::Error>;
    /// Whether the event was there to update at this version (and is now at the next). Only
    /// the event whose token hash this is: the token was checked before, and the write must
    /// not land on another event given the same id since.
    async fn update_event(
        &self,
        source: Source,
        id: i64,
        token_hash: &str,
        version: i64,
        event: &NewEvent,
    ) -> Result<bool, sqlx::Error>;
    /// Deletes an event, only with this token hash; returns its photo when no other event
    /// shows it, so that the caller can delete the files.
    async fn delete_event(
        &self,
        source: Source,
        id: i64,
        token_hash: &str,
    ) -> Result<Option<String>, sqlx::Error>;
    /// Whether any event, in either world, shows this photo: the files are shared by content.
    async fn photo_in_use(&self, hash: &str) -> Result<bool, sqlx::Error>;
    /// Holds every other instance off this photo's files until the lock is dropped: one
    /// instance's post must not save files that another's delete, seeing no event show them
    /// yet, then removes. (An instance's own writes take turns at the photo store's lock.)
    async fn lock_photo(&self, hash: &str) -> Result<PhotoLock, sqlx::Error>;
    /// How many writes to events there have been, by any instance: the count moves with each
    /// committed post, edit and delete (a trigger counts them in the writing transaction).
    async fn event_writes(&self) -> Result<i64, sqlx::Error>;
    /// Photos stored before their sizes were kept: each one's name once.
    async fn photos_without_sizes(&self) -> Result<Vec<String>, sqlx::Error>;
    /// Records a photo's sizes on every event that shows it.
    async fn set_photo_sizes(&self, photo: &str, sizes: PhotoSizes) -> Result<(), sqlx::Error>;

    /// Saves a place for a visitor, unless their list is full; two saves at once cannot both
    /// pass the limit.
    async fn save(
        &self,
        source: Source,
        visitor: &str,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<Saved, sqlx::Error>;
    async fn unsave(&self, source: Source, visitor: &str, key: &SpotKey)
    -> Result<(), sqlx::Error>;
    async fn is_saved(
        &self,
        source: Source,
        visitor: &str,
        key: &SpotKey,
    ) -> Result<bool, sqlx::Error>;
    /// A visitor's places, most recently saved first.
    async fn saved(&self, source: Source, visitor: &str) -> Result<Vec<Spot>, sqlx::Error>;

    /// Whether the database answers a trivial query.
    async fn ping(&self) -> Result<(), sqlx::Error>;
    /// Whether a write was refused for want of space and a small write still fails.
    async fn out_of_space(&self) -> bool;
    fn pools(&self) -> Vec<PoolGauge>;
}

/// A photo's files held against other instances; let go when dropped, on any path out.
pub struct PhotoLock {
    _held: Box<dyn std::any::Any + Send>,
}

impl PhotoLock {
    pub fn holding(held: impl std::any::Any + Send) -> Self {
        Self {
            _held: Box::new(held),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    database: Arc<dyn Database>,
    source: Source,
}

impl Store {
    pub fn new(database: Arc<dyn Database>, simulated: bool) -> Self {
        Self {
            database,
            source: if simulated { "simulated" } else { "live" },
        }
    }

    // Places.

    pub async fn place(&self, key: &PlaceKey) -> Result<Option<Place>, sqlx::Error> {
        self.database.place(self.source, key).await
    }

    pub async fn store_place(&self, place: &Place, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        self.database
            .store_place(self.source, &Spot::from(place), now)
            .await
    }

    pub async fn add_views(&self, batch: &[PendingViews]) -> Result<(), sqlx::Error> {
        self.database.add_views(self.source, batch).await
    }

    pub async fn view_count(&self, key: &SpotKey) -> Result<i64, sqlx::Error> {
        self.database.view_count(self.source, key).await
    }

    pub async fn recently_viewed(&self, limit: i64) -> Result<Vec<ViewedPlace>, sqlx::Error> {
        self.database
            .viewed(self.source, Viewed::Recently, limit)
            .await
    }

    pub async fn most_viewed(&self, limit: i64) -> Result<Vec<ViewedPlace>, sqlx::Error> {
        self.database.viewed(self.source, Viewed::Most, limit).await
    }

    pub async fn move_to_data_form(&self) -> Result<usize, sqlx::Error> {
        self.database.move_to_data_form().await
    }

    // Events.

    pub async fn insert_event(
        &self,
        spot: &Spot,
        event: &NewEvent,
        submission: &Submission<'_>,
        now: DateTime<Utc>,
    ) -> Result<Stored, sqlx::Error> {
        self.database
            .insert_event(self.source, spot, event, submission, now)
            .await
    }

    pub async fn event(&self, id: i64) -> Result<Option<StoredEvent>, sqlx::Error> {
        self.database.event(self.source, id).await
    }

    pub async fn upcoming_events(
        &self,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        self.database
            .upcoming_events(self.source, key, now, limit, offset)
            .await
    }

    pub async fn past_events(
        &self,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        self.database
            .past_events(self.source, key, now, limit)
            .await
    }

    pub async fn edit_token_hash(&self, id: i64) -> Result<Option<String>, sqlx::Error> {
        self.database.edit_token_hash(self.source, id).await
    }

    pub async fn update_event(
        &self,
        id: i64,
        token_hash: &str,
        version: i64,
        event: &NewEvent,
    ) -> Result<bool, sqlx::Error> {
        self.database
            .update_event(self.source, id, token_hash, version, event)
            .await
    }

    pub async fn delete_event(
        &self,
        id: i64,
        token_hash: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        self.database
            .delete_event(self.source, id, token_hash)
            .await
    }

    pub async fn photo_in_use(&self, hash: &str) -> Result<bool, sqlx::Error> {
        self.database.photo_in_use(hash).await
    }

    pub async fn lock_photo(&self, hash: &str) -> Result<PhotoLock, sqlx::Error> {
        self.database.lock_photo(hash).await
    }

    pub async fn event_writes(&self) -> Result<i64, sqlx::Error> {
        self.database.event_writes().await
    }

    pub async fn photos_without_sizes(&self) -> Result<Vec<String>, sqlx::Error> {
        self.database.photos_without_sizes().await
    }

    pub async fn set_photo_sizes(&self, photo: &str, sizes: PhotoSizes) -> Result<(), sqlx::Error> {
        self.database.set_photo_sizes(photo, sizes).await
    }

    // Saved places.

    pub async fn save(
        &self,
        visitor: &str,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<Saved, sqlx::Error> {
        self.database.save(self.source, visitor, spot, now).await
    }

    pub async fn unsave(&self, visitor: &str, key: &SpotKey) -> Result<(), sqlx::Error> {
        self.database.unsave(self.source, visitor, key).await
    }

    pub async fn is_saved(&self, visitor: &str, key: &SpotKey) -> Result<bool, sqlx::Error> {
        self.database.is_saved(self.source, visitor, key).await
    }

    pub async fn saved(&self, visitor: &str) -> Result<Vec<Spot>, sqlx::Error> {
        self.database.saved(self.source, visitor).await
    }

    // Health.

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.database.ping().await
    }

    pub async fn out_of_space(&self) -> bool {
        self.database.out_of_space().await
    }

    pub fn pools(&self) -> Vec<PoolGauge> {
        self.database.pools()
    }
}
