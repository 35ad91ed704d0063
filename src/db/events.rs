//! Queries on `events`: the board of each place.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, SqlitePool};

use super::{Writer, parse_timestamp, places, places::Source, timestamp};
use crate::domain::{Place, PlaceKey, event::NewEvent};

/// An event as stored, with what its pages need of its place.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub id: i64,
    pub place: PlaceKey,
    pub place_name: String,
    pub time_zone: Tz,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub description: String,
    pub link: Option<String>,
    pub poster_name: String,
    pub photo: Option<String>,
    /// When it was first posted (edits keep it).
    pub posted_at: DateTime<Utc>,
}

#[derive(Debug, FromRow)]
struct EventRow {
    id: i64,
    country_code: String,
    postal_code: String,
    place_name: String,
    time_zone: String,
    title: String,
    starts_at: String,
    ends_at: Option<String>,
    description: String,
    link: Option<String>,
    poster_name: String,
    photo: Option<String>,
    created_at: String,
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = sqlx::Error;

    fn try_from(row: EventRow) -> Result<Self, Self::Error> {
        let bad = |what: &str| sqlx::Error::Decode(format!("events row has a bad {what}").into());
        Ok(StoredEvent {
            id: row.id,
            place: PlaceKey::parse(&row.country_code, &row.postal_code)
                .map_err(|_| bad("place"))?,
            place_name: row.place_name,
            time_zone: row.time_zone.parse().map_err(|_| bad("time_zone"))?,
            title: row.title,
            starts_at: parse_timestamp(&row.starts_at)?,
            ends_at: row.ends_at.as_deref().map(parse_timestamp).transpose()?,
            description: row.description,
            link: row.link,
            poster_name: row.poster_name,
            photo: row.photo,
            posted_at: parse_timestamp(&row.created_at)?,
        })
    }
}

const SELECT: &str =
    "SELECT e.id, p.country_code, p.postal_code, p.name AS place_name, p.time_zone,
        e.title, e.starts_at, e.ends_at, e.description, e.link, e.poster_name, e.photo,
        e.created_at
    FROM events e JOIN places p ON p.id = e.place_id";

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
    pub photo: Option<&'a str>,
    pub edit_token_hash: &'a str,
    pub submission_id: &'a str,
}

/// Stores an event (and its place, if new) in one transaction.
#[tracing::instrument(skip_all, fields(key = ?place.key))]
pub async fn insert(
    writer: &Writer,
    source: Source,
    place: &Place,
    event: &NewEvent,
    submission: &Submission<'_>,
    now: DateTime<Utc>,
) -> Result<Stored, sqlx::Error> {
    writer
        .write(async |tx| {
            let place_id = places::ensure(&mut *tx, source, place, now).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO events (place_id, title, starts_at, ends_at, description, link, poster_name,
                                     photo, edit_token_hash, submission_id, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
            .bind(submission.photo)
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
pub async fn find(pool: &SqlitePool, id: i64) -> Result<Option<StoredEvent>, sqlx::Error> {
    let row: Option<EventRow> = sqlx::query_as(&format!("{SELECT} WHERE e.id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(StoredEvent::try_from).transpose()
}

/// Events of a place not over yet (ended, or started when they have no end), soonest first.
#[tracing::instrument(skip(pool))]
pub async fn upcoming(
    pool: &SqlitePool,
    source: Source,
    key: &PlaceKey,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let found: Vec<EventRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE p.source = ? AND p.country_code = ? AND p.postal_code = ?
           AND coalesce(e.ends_at, e.starts_at) >= ?
         ORDER BY e.starts_at, e.id LIMIT ? OFFSET ?"
    ))
    .bind(source)
    .bind(key.country.as_str())
    .bind(key.postal_code.as_str())
    .bind(timestamp(now))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    rows(found)
}

/// Events of a place that are over, most recent first.
#[tracing::instrument(skip(pool))]
pub async fn recent_past(
    pool: &SqlitePool,
    source: Source,
    key: &PlaceKey,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let found: Vec<EventRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE p.source = ? AND p.country_code = ? AND p.postal_code = ?
           AND coalesce(e.ends_at, e.starts_at) < ?
         ORDER BY e.starts_at DESC, e.id DESC LIMIT ?"
    ))
    .bind(source)
    .bind(key.country.as_str())
    .bind(key.postal_code.as_str())
    .bind(timestamp(now))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows(found)
}

/// The hash of an event's edit token, to check a private link against.
pub async fn edit_token_hash(pool: &SqlitePool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT edit_token_hash FROM events WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

#[tracing::instrument(skip(writer, event))]
pub async fn update(writer: &Writer, id: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let done = writer
        .write(async |tx| {
            sqlx::query(
        "UPDATE events SET title = ?, starts_at = ?, ends_at = ?, description = ?, link = ?, poster_name = ?
         WHERE id = ?",
    )
    .bind(&event.title)
    .bind(timestamp(event.starts_at))
    .bind(event.ends_at.map(timestamp))
    .bind(&event.description)
    .bind(&event.link)
            .bind(&event.poster_name)
            .bind(id)
            .execute(&mut *tx)
            .await
        })
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an event; returns its photo's hash when no other event shows the same photo, so
/// that the caller can delete the files.
#[tracing::instrument(skip(writer))]
pub async fn delete(writer: &Writer, id: i64) -> Result<Option<String>, sqlx::Error> {
    writer
        .write(async |tx| {
            let photo: Option<Option<String>> =
                sqlx::query_scalar("DELETE FROM events WHERE id = ? RETURNING photo")
                    .bind(id)
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
pub async fn photo_in_use(pool: &SqlitePool, hash: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE photo = ?)")
        .bind(hash)
        .fetch_one(pool)
        .await
}
