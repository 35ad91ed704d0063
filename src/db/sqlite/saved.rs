//! SQLite's queries on `saved_places`.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::{
    Writer,
    places::{self, CITY_JOIN, SPOT_COLUMNS, key_arguments, key_condition, push},
    timestamp,
};
use crate::db::{
    places::{Source, SpotRow, decoded},
    saved::{MAX_SAVED, Saved},
};
use crate::domain::{Spot, SpotKey};

/// Saves a place for a visitor. The count is checked inside the transaction, whose first
/// statement writes, so two saves at once cannot both pass the limit.
#[tracing::instrument(skip(writer, visitor, spot), fields(key = ?spot.key))]
pub(super) async fn save(
    writer: &Writer,
    visitor: &str,
    source: Source,
    spot: &Spot,
    now: DateTime<Utc>,
) -> Result<Saved, sqlx::Error> {
    writer
        .write(async |tx| {
            let place_id = places::ensure(&mut *tx, source, spot, now).await?;
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
pub(super) async fn remove(
    writer: &Writer,
    visitor: &str,
    source: Source,
    key: &SpotKey,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "DELETE FROM saved_places WHERE place_id IN (SELECT id FROM places p WHERE {})
           AND visitor_id = ?",
        key_condition(key)
    );
    let mut arguments = key_arguments(source, key)?;
    push(&mut arguments, visitor.to_owned())?;
    writer
        .write(async |tx| {
            sqlx::query_with(&sql, arguments)
                .execute(&mut *tx)
                .await
                .map(|_| ())
        })
        .await
}

#[tracing::instrument(skip(pool, visitor))]
pub(super) async fn is_saved(
    pool: &SqlitePool,
    visitor: &str,
    source: Source,
    key: &SpotKey,
) -> Result<bool, sqlx::Error> {
    let mut arguments = key_arguments(source, key)?;
    push(&mut arguments, visitor.to_owned())?;
    sqlx::query_scalar_with(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM saved_places s JOIN places p ON p.id = s.place_id
              WHERE {} AND s.visitor_id = ?)",
            key_condition(key)
        ),
        arguments,
    )
    .fetch_one(pool)
    .await
}

/// A visitor's places, most recently saved first.
#[tracing::instrument(skip(pool, visitor))]
pub(super) async fn list(
    pool: &SqlitePool,
    visitor: &str,
    source: Source,
) -> Result<Vec<Spot>, sqlx::Error> {
    let found: Vec<SpotRow> = sqlx::query_as(&format!(
        "SELECT {SPOT_COLUMNS} FROM saved_places s JOIN places p ON p.id = s.place_id {CITY_JOIN}
         WHERE s.visitor_id = ? AND p.source = ? ORDER BY s.saved_at DESC LIMIT ?"
    ))
    .bind(visitor)
    .bind(source)
    .bind(MAX_SAVED)
    .fetch_all(pool)
    .await?;
    Ok(found.into_iter().filter_map(decoded).collect())
}
