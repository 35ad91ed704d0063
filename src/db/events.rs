//! Queries on `events`: the board of each place.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, SqlitePool};

use super::{
    Writer, parse_timestamp,
    places::{self, Source, key_arguments, key_condition, push},
    timestamp,
};
use crate::domain::{Spot, SpotKey, event::NewEvent, photo::PhotoSizes};

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
}

impl StoredEvent {
    /// Its place's page.
    pub fn place_path(&self) -> String {
        self.place.page_path(&self.place_name)
    }
}

#[derive(Debug, FromRow)]
struct EventRow {
    id: i64,
    country_code: String,
    postal_code: Option<String>,
    city_id: Option<i64>,
    place_name: String,
    time_zone: String,
    title: String,
    starts_at: String,
    ends_at: Option<String>,
    description: String,
    link: Option<String>,
    poster_name: String,
    photo: Option<String>,
    photo_width: Option<i64>,
    photo_height: Option<i64>,
    thumbnail_width: Option<i64>,
    thumbnail_height: Option<i64>,
    created_at: String,
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
            starts_at: parse_timestamp(&row.starts_at)?,
            ends_at: row.ends_at.as_deref().map(parse_timestamp).transpose()?,
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
            posted_at: parse_timestamp(&row.created_at)?,
        })
    }
}

const SELECT: &str =
    "SELECT e.id, p.country_code, p.postal_code, p.city_id, p.name AS place_name, p.time_zone,
        e.title, e.starts_at, e.ends_at, e.description, e.link, e.poster_name, e.photo,
        e.photo_width, e.photo_height, e.thumbnail_width, e.thumbnail_height, e.created_at
    FROM events e JOIN places p ON p.id = e.place_id";

/// An event of `events` whose place is in the world bound next: an event posted with made-up
/// places (simulated mode) is not one a live server shows, edits or deletes, nor the reverse.
const IN_WORLD: &str = "place_id IN (SELECT id FROM places WHERE source = ?)";

fn rows(rows: Vec<EventRow>) -> Result<Vec<StoredEvent>, sqlx::Error> {
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

/// Stores an event (and its place, if new) in one transaction.
#[tracing::instrument(skip_all, fields(key = ?spot.key))]
pub(super) async fn insert(
    writer: &Writer,
    source: Source,
    spot: &Spot,
    event: &NewEvent,
    submission: &Submission<'_>,
    now: DateTime<Utc>,
) -> Result<Stored, sqlx::Error> {
    writer
        .write(async |tx| {
            let place_id = places::ensure(&mut *tx, source, spot, now).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO events (place_id, title, starts_at, ends_at, description, link, poster_name,
                                     photo, photo_width, photo_height, thumbnail_width,
                                     thumbnail_height, edit_token_hash, submission_id, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (submission_id) DO NOTHING
                 RETURNING id",
            )
            .bind(place_id)
            .bind(&event.title)
            .bind(timestamp(event.starts_at))
            .bind(event.ends_at.map(timestamp))
            .bind(&event.description)
            .bind(&event.link)
            .bind(&event.poster_name)
            .bind(submission.photo.map(|(hash, _)| hash))
            .bind(submission.photo.map(|(_, s)| s.display.0))
            .bind(submission.photo.map(|(_, s)| s.display.1))
            .bind(submission.photo.map(|(_, s)| s.thumbnail.0))
            .bind(submission.photo.map(|(_, s)| s.thumbnail.1))
            .bind(submission.edit_token_hash)
            .bind(submission.submission_id)
            .bind(timestamp(now))
            .fetch_optional(&mut *tx)
            .await?;
            Ok(match id {
                Some(id) => Stored::New(id),
                None => Stored::AlreadyStored(
                    sqlx::query_scalar("SELECT id FROM events WHERE submission_id = ?")
                        .bind(submission.submission_id)
                        .fetch_one(&mut *tx)
                        .await?,
                ),
            })
        })
        .await
}

#[tracing::instrument(skip(pool))]
pub(super) async fn find(
    pool: &SqlitePool,
    source: Source,
    id: i64,
) -> Result<Option<StoredEvent>, sqlx::Error> {
    let row: Option<EventRow> =
        sqlx::query_as(&format!("{SELECT} WHERE e.id = ? AND p.source = ?"))
            .bind(id)
            .bind(source)
            .fetch_optional(pool)
            .await?;
    row.map(StoredEvent::try_from).transpose()
}

/// Events of a place not over yet (ended, or started when they have no end), soonest first.
#[tracing::instrument(skip(pool))]
pub(super) async fn upcoming(
    pool: &SqlitePool,
    source: Source,
    key: &SpotKey,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let mut arguments = key_arguments(source, key)?;
    push(&mut arguments, timestamp(now))?;
    push(&mut arguments, limit)?;
    push(&mut arguments, offset)?;
    let found: Vec<EventRow> = sqlx::query_as_with(
        &format!(
            "{SELECT} WHERE {} AND coalesce(e.ends_at, e.starts_at) >= ?
             ORDER BY e.starts_at, e.id LIMIT ? OFFSET ?",
            key_condition(key)
        ),
        arguments,
    )
    .fetch_all(pool)
    .await?;
    rows(found)
}

/// Events of a place that are over, most recent first.
#[tracing::instrument(skip(pool))]
pub(super) async fn recent_past(
    pool: &SqlitePool,
    source: Source,
    key: &SpotKey,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let mut arguments = key_arguments(source, key)?;
    push(&mut arguments, timestamp(now))?;
    push(&mut arguments, limit)?;
    let found: Vec<EventRow> = sqlx::query_as_with(
        &format!(
            "{SELECT} WHERE {} AND coalesce(e.ends_at, e.starts_at) < ?
             ORDER BY e.starts_at DESC, e.id DESC LIMIT ?",
            key_condition(key)
        ),
        arguments,
    )
    .fetch_all(pool)
    .await?;
    rows(found)
}

/// The hash of an event's edit token, to check a private link against.
pub(super) async fn edit_token_hash(
    pool: &SqlitePool,
    source: Source,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT edit_token_hash FROM events WHERE id = ? AND {IN_WORLD}"
    ))
    .bind(id)
    .bind(source)
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip(writer, event))]
pub(super) async fn update(
    writer: &Writer,
    source: Source,
    id: i64,
    event: &NewEvent,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE events SET title = ?, starts_at = ?, ends_at = ?, description = ?, link = ?,
                           poster_name = ?
         WHERE id = ? AND {IN_WORLD}"
    );
    let done = writer
        .write(async |tx| {
            sqlx::query(&sql)
                .bind(&event.title)
                .bind(timestamp(event.starts_at))
                .bind(event.ends_at.map(timestamp))
                .bind(&event.description)
                .bind(&event.link)
                .bind(&event.poster_name)
                .bind(id)
                .bind(source)
                .execute(&mut *tx)
                .await
        })
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an event; returns its photo's hash when no other event shows the same photo, so
/// that the caller can delete the files.
#[tracing::instrument(skip(writer))]
pub(super) async fn delete(
    writer: &Writer,
    source: Source,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let sql = format!("DELETE FROM events WHERE id = ? AND {IN_WORLD} RETURNING photo");
    writer
        .write(async |tx| {
            let photo: Option<Option<String>> = sqlx::query_scalar(&sql)
                .bind(id)
                .bind(source)
                .fetch_optional(&mut *tx)
                .await?;
            Ok(match photo.flatten() {
                Some(hash) => {
                    let still_used: bool =
                        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE photo = ?)")
                            .bind(&hash)
                            .fetch_one(&mut *tx)
                            .await?;
                    (!still_used).then_some(hash)
                }
                None => None,
            })
        })
        .await
}

/// Whether any event shows this photo.
pub(super) async fn photo_in_use(pool: &SqlitePool, hash: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE photo = ?)")
        .bind(hash)
        .fetch_one(pool)
        .await
}

/// Photos stored before their sizes were kept: each one's name once.
pub(super) async fn photos_without_sizes(pool: &SqlitePool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT photo FROM events WHERE photo IS NOT NULL AND photo_width IS NULL",
    )
    .fetch_all(pool)
    .await
}

/// Records a photo's sizes on every event that shows it.
pub(super) async fn set_photo_sizes(
    writer: &Writer,
    photo: &str,
    sizes: PhotoSizes,
) -> Result<(), sqlx::Error> {
    writer
        .write(async |tx| {
            sqlx::query(
                "UPDATE events SET photo_width = ?, photo_height = ?, thumbnail_width = ?,
                                   thumbnail_height = ?
                 WHERE photo = ?",
            )
            .bind(sizes.display.0)
            .bind(sizes.display.1)
            .bind(sizes.thumbnail.0)
            .bind(sizes.thumbnail.1)
            .bind(photo)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
        .await
}
