//! The one handle through which the app reads and writes places, events and saved places. It is
//! built at start with the world it serves (`live`, or `simulated`, whose places are made up),
//! and every query of those tables is confined to that world: no caller passes it, so none can
//! pass the wrong one or forget it. The queries themselves stay in their tables' modules,
//! visible only here.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::{
    Writer, events,
    events::{Stored, StoredEvent, Submission},
    places::{self, Source, ViewedPlace},
    saved::{self, Saved},
};
use crate::domain::{Place, PlaceKey, Spot, SpotKey, event::NewEvent, photo::PhotoSizes};

#[derive(Debug, Clone)]
pub struct Store {
    readers: SqlitePool,
    writer: Writer,
    source: Source,
}

/// Views of one place not yet written: the place, how many, and the last one's time.
pub type PendingViews = (Arc<Spot>, i64, DateTime<Utc>);

impl Store {
    pub fn new(readers: SqlitePool, writer: Writer, simulated: bool) -> Self {
        Self {
            readers,
            writer,
            source: if simulated { "simulated" } else { "live" },
        }
    }

    // Places.

    /// A postal code's place as stored when it was first geocoded.
    pub async fn place(&self, key: &PlaceKey) -> Result<Option<Place>, sqlx::Error> {
        places::find(&self.readers, self.source, key).await
    }

    pub async fn store_place(&self, place: &Place, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        places::store(&self.writer, self.source, place, now).await
    }

    /// Adds each place's views to its stored count, in one transaction.
    pub async fn add_views(&self, batch: &[PendingViews]) -> Result<(), sqlx::Error> {
        let source = self.source;
        self.writer
            .write(async |tx| {
                for (spot, views, last_viewed_at) in batch {
                    places::add_views(&mut *tx, source, spot, *views, *last_viewed_at).await?;
                }
                Ok(())
            })
            .await
    }

    pub async fn view_count(&self, key: &SpotKey) -> Result<i64, sqlx::Error> {
        places::view_count(&self.readers, self.source, key).await
    }

    pub async fn recently_viewed(&self, limit: i64) -> Result<Vec<ViewedPlace>, sqlx::Error> {
        places::recently_viewed(&self.readers, self.source, limit).await
    }

    pub async fn most_viewed(&self, limit: i64) -> Result<Vec<ViewedPlace>, sqlx::Error> {
        places::most_viewed(&self.readers, self.source, limit).await
    }

    /// Moves places stored before postal codes were kept in the geocoder's form: in both worlds,
    /// once at start (see [`places::move_to_data_form`]).
    pub async fn move_to_data_form(&self) -> Result<usize, sqlx::Error> {
        places::move_to_data_form(&self.readers, &self.writer).await
    }

    // Events.

    pub async fn insert_event(
        &self,
        spot: &Spot,
        event: &NewEvent,
        submission: &Submission<'_>,
        now: DateTime<Utc>,
    ) -> Result<Stored, sqlx::Error> {
        events::insert(&self.writer, self.source, spot, event, submission, now).await
    }

    pub async fn event(&self, id: i64) -> Result<Option<StoredEvent>, sqlx::Error> {
        events::find(&self.readers, self.source, id).await
    }

    pub async fn upcoming_events(
        &self,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        events::upcoming(&self.readers, self.source, key, now, limit, offset).await
    }

    pub async fn past_events(
        &self,
        key: &SpotKey,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        events::recent_past(&self.readers, self.source, key, now, limit).await
    }

    pub async fn edit_token_hash(&self, id: i64) -> Result<Option<String>, sqlx::Error> {
        events::edit_token_hash(&self.readers, self.source, id).await
    }

    pub async fn update_event(&self, id: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
        events::update(&self.writer, self.source, id, event).await
    }

    /// Deletes an event; returns its photo when no other event shows it.
    pub async fn delete_event(&self, id: i64) -> Result<Option<String>, sqlx::Error> {
        events::delete(&self.writer, self.source, id).await
    }

    /// Whether any event, in either world, shows this photo: the files are shared by content.
    pub async fn photo_in_use(&self, hash: &str) -> Result<bool, sqlx::Error> {
        events::photo_in_use(&self.readers, hash).await
    }

    pub async fn photos_without_sizes(&self) -> Result<Vec<String>, sqlx::Error> {
        events::photos_without_sizes(&self.readers).await
    }

    pub async fn set_photo_sizes(&self, photo: &str, sizes: PhotoSizes) -> Result<(), sqlx::Error> {
        events::set_photo_sizes(&self.writer, photo, sizes).await
    }

    // Saved places.

    pub async fn save(
        &self,
        visitor: &str,
        spot: &Spot,
        now: DateTime<Utc>,
    ) -> Result<Saved, sqlx::Error> {
        saved::save(&self.writer, visitor, self.source, spot, now).await
    }

    pub async fn unsave(&self, visitor: &str, key: &SpotKey) -> Result<(), sqlx::Error> {
        saved::remove(&self.writer, visitor, self.source, key).await
    }

    pub async fn is_saved(&self, visitor: &str, key: &SpotKey) -> Result<bool, sqlx::Error> {
        saved::is_saved(&self.readers, visitor, self.source, key).await
    }

    pub async fn saved(&self, visitor: &str) -> Result<Vec<Spot>, sqlx::Error> {
        saved::list(&self.readers, visitor, self.source).await
    }
}
