//! PostgreSQL's queries on `saved_places`.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::places::{self, KEY, SPOT_COLUMNS, bind_key};
use crate::db::{
    places::{Source, SpotRow, decoded},
    saved::{MAX_SAVED, Saved},
};
use crate::domain::{Spot, SpotKey};

/// Saves a place for a visitor. A lock on the visitor, held to the transaction's end, makes
/// two saves at once (from any instances) take turns, so they cannot both pass the limit.
#[tracing::instrument(skip(pool, visitor, spot), fields(key = ?spot.key))]
pub(super) async fn save(
    pool: &PgPool,
    source: Source,
    visitor: &str,
    spot: &Spot,
    now: DateTime<Utc>,
) -> Result<Saved, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(visitor)
        .execute(&mut *tx)
        .await?;
    let place_id = places::ensure(&mut tx, source, spot, now).await?;
    let (already, count): (bool, i64) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM saved_places WHERE visitor_id = $1 AND place_id = $2),
                (SELECT count(*) FROM saved_places WHERE visitor_id = $1)",
    )
    .bind(visitor)
    .bind(place_id)
    .fetch_one(&mut *tx)
    .await?;
    let saved = if already {
        Saved::Kept
    } else if count >= MAX_SAVED {
        Saved::ListFull
    } else {
        sqlx::query(
            "INSERT INTO saved_places (visitor_id, place_id, saved_at) VALUES ($1, $2, $3)",
        )
        .bind(visitor)
        .bind(place_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Saved::Kept
    };
    tx.commit().await?;
    Ok(saved)
}

#[tracing::instrument(skip(pool, visitor))]
pub(super) async fn remove(
    pool: &PgPool,
    source: Source,
    visitor: &str,
    key: &SpotKey,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "DELETE FROM saved_places WHERE place_id IN (SELECT id FROM places p WHERE {KEY})
           AND visitor_id = $5"
    );
    bind_key!(sqlx::query(&sql), source, key)
        .bind(visitor)
        .execute(pool)
        .await
        .map(|_| ())
}

#[tracing::instrument(skip(pool, visitor))]
pub(super) async fn is_saved(
    pool: &PgPool,
    source: Source,
    visitor: &str,
    key: &SpotKey,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM saved_places s JOIN places p ON p.id = s.place_id
          WHERE {KEY} AND s.visitor_id = $5)"
    );
    bind_key!(sqlx::query_scalar(&sql), source, key)
        .bind(visitor)
        .fetch_one(pool)
        .await
}

/// A visitor's places, most recently saved first.
#[tracing::instrument(skip(pool, visitor))]
pub(super) async fn list(
    pool: &PgPool,
    source: Source,
    visitor: &str,
) -> Result<Vec<Spot>, sqlx::Error> {
    let found: Vec<SpotRow> = sqlx::query_as(&format!(
        "SELECT {SPOT_COLUMNS} FROM saved_places s JOIN places p ON p.id = s.place_id
         WHERE s.visitor_id = $1 AND p.source = $2 ORDER BY s.saved_at DESC LIMIT $3"
    ))
    .bind(visitor)
    .bind(source)
    .bind(MAX_SAVED)
    .fetch_all(pool)
    .await?;
    Ok(found.into_iter().filter_map(decoded).collect())
}
