//! SQLite's queries on `events`.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::{
    Writer,
    places::{self, key_arguments, key_condition, push},
    timestamp,
};
use crate::db::{
    events::{EventRow, SELECT, Stored, StoredEvent, Submission, rows},
    places::Source,
};
use crate::domain::{Spot, SpotKey, event::NewEvent, photo::PhotoSizes};

/// An event of `events` whose place is in the world bound next: an event posted with made-up
/// places (simulated mode) is not one a live server shows, edits or deletes, nor the reverse.
const IN_WORLD: &str = "place_id IN (SELECT id FROM places WHERE source = ?)";

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
    token_hash: &str,
    version: i64,
    event: &NewEvent,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE events SET title = ?, starts_at = ?, ends_at = ?, description = ?, link = ?,
                           poster_name = ?, version = version + 1
         WHERE id = ? AND edit_token_hash = ? AND version = ? AND {IN_WORLD}"
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
                .bind(token_hash)
                .bind(version)
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
    token_hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    let sql = format!(
        "DELETE FROM events WHERE id = ? AND edit_token_hash = ? AND {IN_WORLD} RETURNING photo"
    );
    writer
        .write(async |tx| {
            let photo: Option<Option<String>> = sqlx::query_scalar(&sql)
                .bind(id)
                .bind(token_hash)
                .bind(source)
                .fetch_optional(&mut *tx)
                .await?;
            Ok(match photo.flatten() {
                Some(hash) => {
                    let still_used = photo_in_use(&mut *tx, &hash).await?;
                    (!still_used).then_some(hash)
                }
                None => None,
            })
        })
        .await
}

/// Whether any event shows this photo.
pub(super) async fn photo_in_use(
    db: impl sqlx::SqliteExecutor<'_>,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE photo = ?)")
        .bind(hash)
        .fetch_one(db)
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
