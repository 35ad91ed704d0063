//! PostgreSQL's queries on `places`.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::db::{
    PendingViews,
    places::{
        PLACE_COLUMNS, PlaceRow, Source, Viewed, ViewedPlace, ViewedRow, key_columns, viewed_places,
    },
};
use crate::domain::{Place, PlaceKey, Spot, SpotKey};

/// The condition that picks a spot's row of `places` (as `p`) in its world, with its values
/// bound as `$1` to `$4` by [`bind_key`]: one form for both kinds of key, the other kind's
/// columns bound as NULL (which matches nothing).
pub(super) const KEY: &str =
    "p.source = $1 AND (p.city_id = $4 OR (p.country_code = $2 AND p.postal_code = $3))";

/// The values of [`KEY`]: the world, the country (postal codes only), the postal code, the
/// city.
pub(super) fn key_values(
    source: Source,
    key: &SpotKey,
) -> (Source, Option<&str>, Option<&str>, Option<i64>) {
    let (postal_code, city_id) = key_columns(key);
    let country = match key {
        SpotKey::PostalCode(key) => Some(key.country.as_str()),
        SpotKey::City(_) => None,
    };
    (source, country, postal_code, city_id)
}

/// Binds [`KEY`]'s values as `$1` to `$4` on any query.
macro_rules! bind_key {
    ($query:expr, $source:expr, $key:expr) => {{
        let (source, country, postal_code, city_id) =
            $crate::db::postgres::places::key_values($source, $key);
        $query
            .bind(source)
            .bind(country)
            .bind(postal_code)
            .bind(city_id)
    }};
}
pub(super) use bind_key;

/// The columns that make a `SpotRow` of a row of `places` (as `p`).
pub(super) const SPOT_COLUMNS: &str = "p.country_code, p.postal_code, p.city_id, p.name, p.region,
    p.region_code, p.latitude, p.longitude, p.time_zone, p.country_name AS city_country_name";

#[tracing::instrument(skip(pool))]
pub(super) async fn find(
    pool: &PgPool,
    source: Source,
    key: &PlaceKey,
) -> Result<Option<Place>, sqlx::Error> {
    let row: Option<PlaceRow> = sqlx::query_as(&format!(
        "SELECT {PLACE_COLUMNS} FROM places
         WHERE source = $1 AND country_code = $2 AND postal_code = $3"
    ))
    .bind(source)
    .bind(key.country.as_str())
    .bind(key.postal_code.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(Place::try_from).transpose()
}

/// Stores a place; a row already there (a concurrent insert, from any instance) is kept as
/// it is.
#[tracing::instrument(skip(db, spot), fields(key = ?spot.key))]
pub(super) async fn insert(
    db: impl sqlx::PgExecutor<'_>,
    source: Source,
    spot: &Spot,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let (postal_code, city_id) = key_columns(&spot.key);
    sqlx::query(
        "INSERT INTO places (source, country_code, postal_code, city_id, name, region,
                             region_code, latitude, longitude, time_zone, country_name,
                             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT DO NOTHING",
    )
    .bind(source)
    .bind(&spot.country_code)
    .bind(postal_code)
    .bind(city_id)
    .bind(&spot.name)
    .bind(&spot.region)
    .bind(&spot.region_code)
    .bind(spot.coordinates.latitude)
    .bind(spot.coordinates.longitude)
    .bind(spot.time_zone.name())
    .bind(matches!(spot.key, SpotKey::City(_)).then_some(&spot.country_name))
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

/// The row id of a place, storing the place first if it is not stored yet. Looked up first:
/// almost always the place is stored, and an insert that does nothing still uses up an id.
/// Read committed: an insert that met another transaction's row waits for it, and the select
/// after it then sees that row.
pub(super) async fn ensure(
    db: &mut PgConnection,
    source: Source,
    spot: &Spot,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT id FROM places p WHERE {KEY}");
    let stored: Option<i64> = bind_key!(sqlx::query_scalar(&sql), source, &spot.key)
        .fetch_optional(&mut *db)
        .await?;
    if let Some(id) = stored {
        return Ok(id);
    }
    insert(&mut *db, source, spot, now).await?;
    bind_key!(sqlx::query_scalar(&sql), source, &spot.key)
        .fetch_one(db)
        .await
}

/// Adds each place's views to its count, in one transaction. The places are taken in one
/// order (their keys'), so that two instances writing overlapping batches wait for each other
/// rather than deadlock.
pub(super) async fn add_views(
    pool: &PgPool,
    source: Source,
    batch: &[PendingViews],
) -> Result<(), sqlx::Error> {
    let mut ordered: Vec<&PendingViews> = batch.iter().collect();
    ordered.sort_by_key(|(spot, _, _)| (spot.country_code.as_str(), key_columns(&spot.key)));
    let mut tx = pool.begin().await?;
    for (spot, views, last_viewed_at) in ordered {
        let id = ensure(&mut tx, source, spot, *last_viewed_at).await?;
        sqlx::query(
            "UPDATE places SET view_count = view_count + $1,
                               last_viewed_at = GREATEST(last_viewed_at, $2)
             WHERE id = $3",
        )
        .bind(views)
        .bind(last_viewed_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

#[tracing::instrument(skip(pool))]
pub(super) async fn view_count(
    pool: &PgPool,
    source: Source,
    key: &SpotKey,
) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT view_count FROM places p WHERE {KEY}");
    bind_key!(sqlx::query_scalar(&sql), source, key)
        .fetch_optional(pool)
        .await
        .map(Option::unwrap_or_default)
}

#[tracing::instrument(skip(pool))]
pub(super) async fn list(
    pool: &PgPool,
    source: Source,
    list: Viewed,
    limit: i64,
) -> Result<Vec<ViewedPlace>, sqlx::Error> {
    let condition_and_order = list.condition_and_order();
    let rows: Vec<ViewedRow> = sqlx::query_as(&format!(
        "SELECT {SPOT_COLUMNS}, p.view_count, p.last_viewed_at FROM places p
         WHERE p.source = $1 AND {condition_and_order} LIMIT $2"
    ))
    .bind(source)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(viewed_places(rows))
}
