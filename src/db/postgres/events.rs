//! PostgreSQL's queries on `events`.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::places::{self, KEY, bind_key};
use crate::db::{
    events::{EventRow, SELECT, Stored, StoredEvent, Submission, rows},
    places::Source,
};
use crate::domain::{Spot, SpotKey, event::NewEvent, photo::PhotoSizes};

/// An event of `events` whose place is in the world bound as `$2`: an event posted with
/// made-up places (simulated mode) is not one a live server shows, edits or deletes.
const IN_WORLD: &str = "place_id IN (SELECT id FROM places WHERE source = $2)";

/// Stores an event (and its place, if new) in one transaction. Two instances given the same
/// submission at once store it once: the second insert waits for the first and then does
/// nothing.
#[tracing::instrument(skip_all, fields(key = ?spot.key))]
pub(super) async fn insert(
    pool: &PgPool,
    source: Source,
    spot: &Spot,
    event: &NewEvent,
    submission: &Submission<'_>,
    now: DateTime<Utc>,
) -> Result<Stored, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let place_id = places::ensure(&mut tx, source, spot, now).await?;
    let side = |pick: fn(&PhotoSizes) -> u32| submission.photo.map(|(_, s)| i64::from(pick(&s)));
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO events (place_id, title, starts_at, ends_at, description, link, poster_name,
                             photo, photo_width, photo_height, thumbnail_width, thumbnail_height,
                             edit_token_hash, submission_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (submission_id) DO NOTHING
         RETURNING id",
    )
    .bind(place_id)
    .bind(&event.title)
    .bind(event.starts_at)
    .bind(event.ends_at)
    .bind(&event.description)
    .bind(&event.link)
    .bind(&event.poster_name)
    .bind(submission.photo.map(|(hash, _)| hash))
    .bind(side(|s| s.display.0))
    .bind(side(|s| s.display.1))
    .bind(side(|s| s.thumbnail.0))
    .bind(side(|s| s.thumbnail.1))
    .bind(submission.edit_token_hash)
    .bind(submission.submission_id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let stored = match id {
        Some(id) => Stored::New(id),
        None => Stored::AlreadyStored(
            sqlx::query_scalar("SELECT id FROM events WHERE submission_id = $1")
                .bind(submission.submission_id)
                .fetch_one(&mut *tx)
                .await?,
        ),
    };
    tx.commit().await?;
    Ok(stored)
}

#[tracing::instrument(skip(pool))]
pub(super) async fn find(
    pool: &PgPool,
    source: Source,
    id: i64,
) -> Result<Option<StoredEvent>, sqlx::Error> {
    let row: Option<EventRow> =
        sqlx::query_as(&format!("{SELECT} WHERE e.id = $1 AND p.source = $2"))
            .bind(id)
            .bind(source)
            .fetch_optional(pool)
            .await?;
    row.map(StoredEvent::try_from).transpose()
}

#[tracing::instrument(skip(pool))]
pub(super) async fn upcoming(
    pool: &PgPool,
    source: Source,
    key: &SpotKey,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE {KEY} AND coalesce(e.ends_at, e.starts_at) >= $5
         ORDER BY e.starts_at, e.id LIMIT $6 OFFSET $7"
    );
    let found: Vec<EventRow> = bind_key!(sqlx::query_as(&sql), source, key)
        .bind(now)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    rows(found)
}

#[tracing::instrument(skip(pool))]
pub(super) async fn recent_past(
    pool: &PgPool,
    source: Source,
    key: &SpotKey,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE {KEY} AND coalesce(e.ends_at, e.starts_at) < $5
         ORDER BY e.starts_at DESC, e.id DESC LIMIT $6"
    );
    let found: Vec<EventRow> = bind_key!(sqlx::query_as(&sql), source, key)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows(found)
}

pub(super) async fn edit_token_hash(
    pool: &PgPool,
    source: Source,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT edit_token_hash FROM events WHERE id = $1 AND {IN_WORLD}"
    ))
    .bind(id)
    .bind(source)
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip(pool, event))]
pub(super) async fn update(
    pool: &PgPool,
    source: Source,
    id: i64,
    token_hash: &str,
    version: i64,
    event: &NewEvent,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "UPDATE events SET title = $3, starts_at = $4, ends_at = $5, description = $6,
                           link = $7, poster_name = $8, version = version + 1
         WHERE id = $1 AND edit_token_hash = $9 AND version = $10 AND {IN_WORLD}"
    ))
    .bind(id)
    .bind(source)
    .bind(&event.title)
    .bind(event.starts_at)
    .bind(event.ends_at)
    .bind(&event.description)
    .bind(&event.link)
    .bind(&event.poster_name)
    .bind(token_hash)
    .bind(version)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an event; returns its photo's hash when no other event shows it. Two events of one
/// photo deleted at once on two instances may each still see the other: the files are then
/// kept (never removed while shown).
#[tracing::instrument(skip(pool))]
pub(super) async fn delete(
    pool: &PgPool,
    source: Source,
    id: i64,
    token_hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let photo: Option<Option<String>> = sqlx::query_scalar(&format!(
        "DELETE FROM events WHERE id = $1 AND edit_token_hash = $3 AND {IN_WORLD} RETURNING photo"
    ))
    .bind(id)
    .bind(source)
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let unused = match photo.flatten() {
        Some(hash) => {
            let still_used = photo_in_use(&mut *tx, &hash).await?;
            (!still_used).then_some(hash)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(unused)
}

/// Whether any event shows this photo.
pub(super) async fn photo_in_use(
    db: impl sqlx::PgExecutor<'_>,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE photo = $1)")
        .bind(hash)
        .fetch_one(db)
        .await
}

pub(super) async fn photos_without_sizes(pool: &PgPool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT photo FROM events WHERE photo IS NOT NULL AND photo_width IS NULL",
    )
    .fetch_all(pool)
    .await
}

pub(super) async fn set_photo_sizes(
    pool: &PgPool,
    photo: &str,
    sizes: PhotoSizes,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE events SET photo_width = $1, photo_height = $2, thumbnail_width = $3,
                           thumbnail_height = $4
         WHERE photo = $5",
    )
    .bind(i64::from(sizes.display.0))
    .bind(i64::from(sizes.display.1))
    .bind(i64::from(sizes.thumbnail.0))
    .bind(i64::from(sizes.thumbnail.1))
    .bind(photo)
    .execute(pool)
    .await
    .map(|_| ())
}
