//! Events as both backends store them: the board of each place.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

use super::places;
use crate::domain::{SpotKey, event::NewEvent, photo::PhotoSizes};

/// An event as stored, with what its pages need of its place.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub id: i64,
    pub place: SpotKey,
    pub place_name: String,
    pub time_zone: Tz,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub description: String,
    pub link: Option<String>,
    pub poster_name: String,
    pub photo: Option<String>,
    /// The photo's pixel sizes; `None` without a photo, or for one stored before sizes were
    /// kept and not yet read from its files.
    pub photo_sizes: Option<PhotoSizes>,
    /// When it was first posted (edits keep it).
    pub posted_at: DateTime<Utc>,
    /// Counts up with each edit: an edit form carries the version it was opened at.
    pub version: i64,
}

impl StoredEvent {
    /// Whether it says what this edit would have it say.
    pub fn reads_as(&self, edit: &NewEvent) -> bool {
        self.title == edit.title
            && self.starts_at == edit.starts_at
            && self.ends_at == edit.ends_at
            && self.description == edit.description
            && self.link == edit.link
            && self.poster_name == edit.poster_name
    }

    /// Its place's page.
    pub fn place_path(&self) -> String {
        crate::paths::spot(&self.place, &self.place_name)
    }
}

/// A row of [`SELECT`].
#[derive(Debug, FromRow)]
pub(super) struct EventRow {
    id: i64,
    country_code: String,
    postal_code: Option<String>,
    city_id: Option<i64>,
    place_name: String,
    time_zone: String,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    description: String,
    link: Option<String>,
    poster_name: String,
    photo: Option<String>,
    photo_width: Option<i64>,
    photo_height: Option<i64>,
    thumbnail_width: Option<i64>,
    thumbnail_height: Option<i64>,
    created_at: DateTime<Utc>,
    version: i64,
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = sqlx::Error;

    fn try_from(row: EventRow) -> Result<Self, Self::Error> {
        let bad = |what: &str| sqlx::Error::Decode(format!("events row has a bad {what}").into());
        Ok(StoredEvent {
            id: row.id,
            place: places::spot_key(&row.country_code, row.postal_code.as_deref(), row.city_id)
                .ok_or_else(|| bad("place"))?,
            place_name: row.place_name,
            time_zone: row.time_zone.parse().map_err(|_| bad("time_zone"))?,
            title: row.title,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            description: row.description,
            link: row.link,
            poster_name: row.poster_name,
            photo_sizes: row.photo.as_ref().and_then(|_| {
                let side = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
                Some(PhotoSizes {
                    display: (side(row.photo_width)?, side(row.photo_height)?),
                    thumbnail: (side(row.thumbnail_width)?, side(row.thumbnail_height)?),
                })
            }),
            photo: row.photo,
            posted_at: row.created_at,
            version: row.version,
        })
    }
}

/// The events with their places, in the same SQL for both backends; each query adds its
/// conditions.
pub(super) const SELECT: &str =
    "SELECT e.id, p.country_code, p.postal_code, p.city_id, p.name AS place_name, p.time_zone,
        e.title, e.starts_at, e.ends_at, e.description, e.link, e.poster_name, e.photo,
        e.photo_width, e.photo_height, e.thumbnail_width, e.thumbnail_height, e.created_at,
        e.version
    FROM events e JOIN places p ON p.id = e.place_id";

pub(super) fn rows(rows: Vec<EventRow>) -> Result<Vec<StoredEvent>, sqlx::Error> {
    rows.into_iter().map(StoredEvent::try_from).collect()
}

/// What storing a submission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A new event with this id.
    New(i64),
    /// This submission was stored before (a double click, a reload): nothing was added.
    AlreadyStored(i64),
}

/// Everything an insert needs besides the event itself.
pub struct Submission<'a> {
    pub photo: Option<(&'a str, PhotoSizes)>,
    pub edit_token_hash: &'a str,
    pub submission_id: &'a str,
}
