//! Queries on `saved_places`: each browser's own list of places.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::{
    Writer,
    places::{self, PLACE_COLUMNS, PlaceRow, Source},
    timestamp,
};
use crate::domain::{Place, PlaceKey};

/// Most places one browser may keep; the home page fetches each one's weather.
pub const MAX_SAVED: i64 = 24;

/// What saving did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Saved now, or saved before (saving again changes nothing).
    Kept,
    /// The visitor already keeps [`MAX_SAVED`] places; nothing was saved.
    ListFull,
}

/// Saves a place for a visitor. The count is checked inside the transaction, whose first
/// statement writes, so two saves at once cannot both pass the limit.
#[tracing::instrument(skip(writer, visitor, place), fields(key = ?place.key))]
pub async fn save(
    writer: &Writer,
    visitor: &str,
    source: Source,
    place: &Place,
    now: DateTime<Utc>,
) -> Result<Saved, sqlx::Error> {
    writer
        .write(async |tx| {
            let place_id = places::ensure(&mut *tx, source, place, now).await?;
            let (already, count): (bool, i64) = sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM saved_places WHERE visitor_id = ?1 AND place_id = ?2),
                        (SELECT count(*) FROM saved_places WHERE visitor_id = ?1)",
            )
            .bind(visitor)
            .bind(place_id)
            .fetch_one(&mut *tx)
            .await?;
            if already {
                return Ok(Saved::Kept);
            }
            if count >= MAX_SAVED {
                return Ok(Saved::ListFull);
            }
            sqlx::query(
                "INSERT INTO saved_places (visitor_id, place_id, saved_at) VALUES (?, ?, ?)",
            )
            .bind(visitor)
            .bind(place_id)
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
            Ok(Saved::Kept)
        })
        .await
}

#[tracing::instrument(skip(writer, visitor))]
pub async fn remove(
    writer: &Writer,
    visitor: &str,
    source: Source,
    key: &PlaceKey,
) -> Result<(), sqlx::Error> {
    writer
        .write(async |tx| {
            sqlx::query(
                "DELETE FROM saved_places WHERE visitor_id = ? AND place_id IN
                   (SELECT id FROM places WHERE source = ? AND country_code = ? AND postal_code = ?)",
            )
            .bind(visitor)
            .bind(source)
            .bind(key.country.as_str())
            .bind(key.postal_code.as_str())
            .execute(&mut *tx)
            .await
            .map(|_| ())
        })
        .await
}

#[tracing::instrument(skip(pool, visitor))]
pub async fn is_saved(
    pool: &SqlitePool,
    visitor: &str,
    source: Source,
    key: &PlaceKey,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM saved_places s JOIN places p ON p.id = s.place_id
          WHERE s.visitor_id = ? AND p.source = ? AND p.country_code = ? AND p.postal_code = ?)",
    )
    .bind(visitor)
    .bind(source)
    .bind(key.country.as_str())
    .bind(key.postal_code.as_str())
    .fetch_one(pool)
    .await
}

/// A visitor's places, most recently saved first.
#[tracing::instrument(skip(pool, visitor))]
pub async fn list(
    pool: &SqlitePool,
    visitor: &str,
    source: Source,
) -> Result<Vec<Place>, sqlx::Error> {
    // No column of `saved_places` shares a name with the place columns, so they need no prefix.
    let found: Vec<PlaceRow> = sqlx::query_as(&format!(
        "SELECT {PLACE_COLUMNS} FROM saved_places s JOIN places p ON p.id = s.place_id
         WHERE s.visitor_id = ? AND p.source = ? ORDER BY s.saved_at DESC LIMIT ?"
    ))
    .bind(visitor)
    .bind(source)
    .bind(MAX_SAVED)
    .fetch_all(pool)
    .await?;
    found.into_iter().map(Place::try_from).collect()
}
