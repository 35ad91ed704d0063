//! SQLite's queries on `places`.

use chrono::{DateTime, Utc};
use sqlx::{Arguments, Sqlite, SqlitePool, sqlite::SqliteArguments};

use super::{Writer, timestamp};
use crate::db::places::{
    PLACE_COLUMNS, PlaceRow, Source, Viewed, ViewedPlace, ViewedRow, key_columns, viewed_places,
};
use crate::domain::{Place, PlaceKey, Spot, SpotKey};

#[tracing::instrument(skip(pool))]
pub(super) async fn find(
    pool: &SqlitePool,
    source: Source,
    key: &PlaceKey,
) -> Result<Option<Place>, sqlx::Error> {
    let sql = format!(
        "SELECT {PLACE_COLUMNS} FROM places WHERE source = ? AND country_code = ? AND postal_code = ?"
    );
    let row: Option<PlaceRow> = sqlx::query_as(&sql)
        .bind(source)
        .bind(key.country.as_str())
        .bind(key.postal_code.as_str())
        .fetch_optional(pool)
        .await?;
    row.map(Place::try_from).transpose()
}

/// The condition that picks a spot's row of `places` (as `p`) in its world; its values are
/// the first of [`key_arguments`].
pub(super) fn key_condition(key: &SpotKey) -> &'static str {
    match key {
        SpotKey::PostalCode(_) => "p.source = ? AND p.country_code = ? AND p.postal_code = ?",
        SpotKey::City(_) => "p.source = ? AND p.city_id = ?",
    }
}

/// The values of [`key_condition`], to which a query adds its own with [`push`].
pub(super) fn key_arguments(
    source: Source,
    key: &SpotKey,
) -> Result<SqliteArguments<'static>, sqlx::Error> {
    let mut arguments = SqliteArguments::default();
    push(&mut arguments, source)?;
    match key {
        SpotKey::PostalCode(key) => {
            push(&mut arguments, key.country.as_str())?;
            push(&mut arguments, key.postal_code.to_string())?;
        }
        SpotKey::City(geonameid) => push(&mut arguments, *geonameid)?,
    }
    Ok(arguments)
}

/// Adds a query's next value.
pub(super) fn push<'q, T>(arguments: &mut SqliteArguments<'q>, value: T) -> Result<(), sqlx::Error>
where
    T: 'q + sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite>,
{
    arguments.add(value).map_err(sqlx::Error::Encode)
}

/// Stores a place; a row already there (a concurrent insert) is kept as it is.
#[tracing::instrument(skip(db, spot), fields(key = ?spot.key))]
pub(super) async fn insert(
    db: impl sqlx::SqliteExecutor<'_>,
    source: Source,
    spot: &Spot,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let (postal_code, city_id) = key_columns(&spot.key);
    sqlx::query(
        "INSERT INTO places (source, country_code, postal_code, city_id, name, region,
                             region_code, latitude, longitude, time_zone, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
    .bind(timestamp(now))
    .execute(db)
    .await
    .map(|_| ())
}

/// The row id of a place, storing the place first if it is not stored yet.
#[tracing::instrument(skip(db, spot), fields(key = ?spot.key))]
pub(super) async fn ensure(
    db: &mut sqlx::SqliteConnection,
    source: Source,
    spot: &Spot,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    insert(&mut *db, source, spot, now).await?;
    sqlx::query_scalar_with(
        &format!("SELECT id FROM places p WHERE {}", key_condition(&spot.key)),
        key_arguments(source, &spot.key)?,
    )
    .fetch_one(db)
    .await
}

/// Adds `views` page views to a place, storing the place first if it is not stored yet (with
/// the cache off nothing else stores it).
pub(super) async fn add_views(
    tx: &mut sqlx::SqliteConnection,
    source: Source,
    spot: &Spot,
    views: i64,
    last_viewed_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let id = ensure(&mut *tx, source, spot, last_viewed_at).await?;
    sqlx::query(
        "UPDATE places SET view_count = view_count + ?,
                           last_viewed_at = max(coalesce(last_viewed_at, ''), ?)
         WHERE id = ?",
    )
    .bind(views)
    .bind(timestamp(last_viewed_at))
    .bind(id)
    .execute(&mut *tx)
    .await
    .map(|_| ())
}

/// The views written so far of a place (0 when it is not stored yet).
#[tracing::instrument(skip(pool))]
pub(super) async fn view_count(
    pool: &SqlitePool,
    source: Source,
    key: &SpotKey,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar_with(
        &format!(
            "SELECT view_count FROM places p WHERE {}",
            key_condition(key)
        ),
        key_arguments(source, key)?,
    )
    .fetch_optional(pool)
    .await
    .map(Option::unwrap_or_default)
}

/// Stores a newly geocoded place on its own.
pub(super) async fn store(
    writer: &Writer,
    source: Source,
    spot: &Spot,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    writer
        .write(async |tx| insert(&mut *tx, source, spot, now).await)
        .await
}

/// The columns that make a [`SpotRow`] of a row of `places` (as `p`), with [`CITY_JOIN`] (its
/// city's country name).
pub(super) const SPOT_COLUMNS: &str = "p.country_code, p.postal_code, p.city_id, p.name, p.region,
    p.region_code, p.latitude, p.longitude, p.time_zone, c.country_name AS city_country_name";
pub(super) const CITY_JOIN: &str = "LEFT JOIN cities c ON c.geonameid = p.city_id";

async fn viewed(
    pool: &SqlitePool,
    source: Source,
    condition_and_order: &str,
    limit: i64,
) -> Result<Vec<ViewedPlace>, sqlx::Error> {
    let rows: Vec<ViewedRow> = sqlx::query_as(&format!(
        "SELECT {SPOT_COLUMNS}, p.view_count, p.last_viewed_at FROM places p {CITY_JOIN}
         WHERE p.source = ? AND {condition_and_order} LIMIT ?"
    ))
    .bind(source)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(viewed_places(rows))
}

#[tracing::instrument(skip(pool))]
pub(super) async fn list(
    pool: &SqlitePool,
    source: Source,
    list: Viewed,
    limit: i64,
) -> Result<Vec<ViewedPlace>, sqlx::Error> {
    let condition_and_order = list.condition_and_order();
    viewed(pool, source, condition_and_order, limit).await
}

/// Places stored before postal codes were kept in the form the geocoder's data holds
/// ("SW1A 1AA" where the data has "SW1A") move to that form, so that their events, saves and
/// views show on the page people reach now. Where the new form is stored already, the two rows
/// become one. Codes that no longer parse are left as they are. Returns how many rows moved.
pub(super) async fn move_to_data_form(
    pool: &SqlitePool,
    writer: &Writer,
) -> Result<usize, sqlx::Error> {
    // Read first, on a reader: almost always nothing moves, and then no write is begun.
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, source, country_code, postal_code FROM places WHERE postal_code IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    let moves: Vec<(i64, String, String, String)> = rows
        .into_iter()
        .filter_map(|(id, source, country, code)| {
            let key = PlaceKey::parse(&country, &code).ok()?;
            (key.postal_code.as_str() != code)
                .then(|| (id, source, country, key.postal_code.as_str().to_owned()))
        })
        .collect();
    if moves.is_empty() {
        return Ok(0);
    }
    writer
        .write(async |tx| {
            for (id, source, country, code) in &moves {
                let stored: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM places WHERE source = ? AND country_code = ? AND postal_code = ?",
                )
                .bind(source)
                .bind(country)
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
                match stored {
                    None => {
                        sqlx::query("UPDATE places SET postal_code = ? WHERE id = ?")
                            .bind(code)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Some(target) => merge_into(&mut *tx, *id, target).await?,
                }
            }
            Ok(moves.len())
        })
        .await
}

/// Moves a place row's events, saves and views to another row, then removes it.
async fn merge_into(
    tx: &mut sqlx::SqliteConnection,
    from: i64,
    into: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE events SET place_id = ?1 WHERE place_id = ?2")
        .bind(into)
        .bind(from)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT OR IGNORE INTO saved_places (visitor_id, place_id, saved_at)
         SELECT visitor_id, ?1, saved_at FROM saved_places WHERE place_id = ?2",
    )
    .bind(into)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE places SET
           view_count = view_count + (SELECT view_count FROM places WHERE id = ?2),
           last_viewed_at = (SELECT max(coalesce(p.last_viewed_at, o.last_viewed_at),
                                        coalesce(o.last_viewed_at, p.last_viewed_at))
                             FROM places p, places o WHERE p.id = ?1 AND o.id = ?2)
         WHERE id = ?1",
    )
    .bind(into)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM places WHERE id = ?")
        .bind(from)
        .execute(&mut *tx)
        .await
        .map(|_| ())
}
