//! Queries on `places`: stored geocoding answers and page-view counts.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqlitePool};

use super::{Writer, timestamp};
use crate::domain::{Coordinates, CountryCode, Place, PlaceKey, PostalCode};

/// Which world a row belongs to: `live` or `simulated` (see the migration).
pub type Source = &'static str;

#[derive(Debug, FromRow)]
pub(crate) struct PlaceRow {
    country_code: String,
    postal_code: String,
    name: String,
    region: String,
    region_code: String,
    latitude: f64,
    longitude: f64,
    time_zone: String,
}

impl TryFrom<PlaceRow> for Place {
    type Error = sqlx::Error;

    fn try_from(row: PlaceRow) -> Result<Self, Self::Error> {
        let bad = |what: &str| sqlx::Error::Decode(format!("places row has a bad {what}").into());
        Ok(Place {
            key: PlaceKey {
                country: CountryCode::parse(&row.country_code).map_err(|_| bad("country_code"))?,
                postal_code: PostalCode::parse(&row.postal_code).map_err(|_| bad("postal_code"))?,
            },
            name: row.name,
            region: row.region,
            region_code: row.region_code,
            coordinates: Coordinates::new(row.latitude, row.longitude)
                .ok_or_else(|| bad("coordinate"))?,
            time_zone: row.time_zone.parse().map_err(|_| bad("time_zone"))?,
        })
    }
}

pub(crate) const PLACE_COLUMNS: &str =
    "country_code, postal_code, name, region, region_code, latitude, longitude, time_zone";

#[tracing::instrument(skip(pool))]
pub async fn find(
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

/// Stores a newly geocoded place; a row already there (a concurrent insert) is kept as it is.
#[tracing::instrument(skip(db, place), fields(key = ?place.key))]
pub async fn insert(
    db: impl sqlx::SqliteExecutor<'_>,
    source: Source,
    place: &Place,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO places (source, country_code, postal_code, name, region, region_code,
                             latitude, longitude, time_zone, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, country_code, postal_code) DO NOTHING",
    )
    .bind(source)
    .bind(place.key.country.as_str())
    .bind(place.key.postal_code.as_str())
    .bind(&place.name)
    .bind(&place.region)
    .bind(&place.region_code)
    .bind(place.coordinates.latitude)
    .bind(place.coordinates.longitude)
    .bind(place.time_zone.name())
    .bind(timestamp(now))
    .execute(db)
    .await
    .map(|_| ())
}

/// The row id of a place, storing the place first if it is not stored yet.
#[tracing::instrument(skip(db, place), fields(key = ?place.key))]
pub async fn ensure(
    db: &mut sqlx::SqliteConnection,
    source: Source,
    place: &Place,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    insert(&mut *db, source, place, now).await?;
    sqlx::query_scalar(
        "SELECT id FROM places WHERE source = ? AND country_code = ? AND postal_code = ?",
    )
    .bind(source)
    .bind(place.key.country.as_str())
    .bind(place.key.postal_code.as_str())
    .fetch_one(db)
    .await
}

/// Adds `views` page views to a place, storing the place first if it is not stored yet (with
/// the cache off nothing else stores it).
pub async fn add_views(
    tx: &mut sqlx::SqliteConnection,
    source: Source,
    place: &Place,
    views: i64,
    last_viewed_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    insert(&mut *tx, source, place, last_viewed_at).await?;
    sqlx::query(
        "UPDATE places SET view_count = view_count + ?,
                           last_viewed_at = max(coalesce(last_viewed_at, ''), ?)
         WHERE source = ? AND country_code = ? AND postal_code = ?",
    )
    .bind(views)
    .bind(timestamp(last_viewed_at))
    .bind(source)
    .bind(place.key.country.as_str())
    .bind(place.key.postal_code.as_str())
    .execute(&mut *tx)
    .await
    .map(|_| ())
}

/// The views written so far of a place (0 when it is not stored yet).
#[tracing::instrument(skip(pool))]
pub async fn view_count(
    pool: &SqlitePool,
    source: Source,
    key: &PlaceKey,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT view_count FROM places WHERE source = ? AND country_code = ? AND postal_code = ?",
    )
    .bind(source)
    .bind(key.country.as_str())
    .bind(key.postal_code.as_str())
    .fetch_optional(pool)
    .await
    .map(Option::unwrap_or_default)
}

/// Stores a newly geocoded place on its own.
pub async fn store(
    writer: &Writer,
    source: Source,
    place: &Place,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    writer
        .write(async |tx| insert(&mut *tx, source, place, now).await)
        .await
}

/// A line in the home page's lists.
#[derive(Debug, Clone, FromRow)]
pub struct ViewedPlace {
    pub country_code: String,
    pub postal_code: String,
    pub name: String,
    pub region: String,
    pub view_count: i64,
    pub last_viewed_at: String,
}

#[tracing::instrument(skip(pool))]
pub async fn recently_viewed(
    pool: &SqlitePool,
    source: Source,
    limit: i64,
) -> Result<Vec<ViewedPlace>, sqlx::Error> {
    sqlx::query_as(
        "SELECT country_code, postal_code, name, region, view_count, last_viewed_at FROM places
         WHERE source = ? AND last_viewed_at IS NOT NULL
         ORDER BY last_viewed_at DESC LIMIT ?",
    )
    .bind(source)
    .bind(limit)
    .fetch_all(pool)
    .await
}

#[tracing::instrument(skip(pool))]
pub async fn most_viewed(
    pool: &SqlitePool,
    source: Source,
    limit: i64,
) -> Result<Vec<ViewedPlace>, sqlx::Error> {
    sqlx::query_as(
        "SELECT country_code, postal_code, name, region, view_count, last_viewed_at FROM places
         WHERE source = ? AND view_count > 0 AND last_viewed_at IS NOT NULL
         ORDER BY view_count DESC, last_viewed_at DESC LIMIT ?",
    )
    .bind(source)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Places stored before postal codes were kept in the form the geocoder's data holds
/// ("SW1A 1AA" where the data has "SW1A") move to that form, so that their events, saves and
/// views show on the page people reach now. Where the new form is stored already, the two rows
/// become one. Codes that no longer parse are left as they are. Returns how many rows moved.
pub async fn move_to_data_form(pool: &SqlitePool, writer: &Writer) -> Result<usize, sqlx::Error> {
    // Read first, on a reader: almost always nothing moves, and then no write is begun.
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, source, country_code, postal_code FROM places")
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
