//! Queries on `cities` and their folded names (`city_names`, `city_name_trigrams`); the import
//! that fills them is `crate::cities::import`.

use sqlx::{FromRow, SqlitePool};

use crate::{cities::City, domain::Coordinates};

#[derive(Debug, FromRow)]
struct CityRow {
    geonameid: i64,
    name: String,
    country_code: String,
    country_name: String,
    admin1_code: String,
    region: String,
    latitude: f64,
    longitude: f64,
    population: i64,
    time_zone: String,
}

impl TryFrom<CityRow> for City {
    type Error = sqlx::Error;

    fn try_from(row: CityRow) -> Result<Self, Self::Error> {
        let bad = |what: &str| sqlx::Error::Decode(format!("cities row has a bad {what}").into());
        Ok(City {
            geonameid: row.geonameid,
            name: row.name,
            country_code: row.country_code,
            country_name: row.country_name,
            admin1_code: row.admin1_code,
            region: row.region,
            coordinates: Coordinates::new(row.latitude, row.longitude)
                .ok_or_else(|| bad("coordinate"))?,
            population: row.population,
            time_zone: row.time_zone.parse().map_err(|_| bad("time_zone"))?,
        })
    }
}

const COLUMNS: &str = "c.geonameid, c.name, c.country_code, c.country_name, c.admin1_code, \
                       c.region, c.latitude, c.longitude, c.population, c.time_zone";

fn cities(rows: Vec<CityRow>) -> Result<Vec<City>, sqlx::Error> {
    rows.into_iter().map(City::try_from).collect()
}

pub async fn by_id(pool: &SqlitePool, geonameid: i64) -> Result<Option<City>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM cities c WHERE c.geonameid = ?");
    let row: Option<CityRow> = sqlx::query_as(&sql)
        .bind(geonameid)
        .fetch_optional(pool)
        .await?;
    row.map(City::try_from).transpose()
}

/// Cities with a name that folds to exactly `folded`, most populous first.
pub async fn named(pool: &SqlitePool, folded: &str, limit: u32) -> Result<Vec<City>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM cities c WHERE c.geonameid IN \
         (SELECT geonameid FROM city_names WHERE folded = ?) \
         ORDER BY c.population DESC LIMIT ?"
    );
    cities(
        sqlx::query_as(&sql)
            .bind(folded)
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}

/// Cities with a name that starts with `prefix` (and is longer), most populous first.
pub async fn named_from(
    pool: &SqlitePool,
    prefix: &str,
    limit: u32,
) -> Result<Vec<City>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM cities c WHERE c.geonameid IN \
         (SELECT geonameid FROM city_names WHERE folded > ?1 AND folded < ?2) \
         ORDER BY c.population DESC LIMIT ?3"
    );
    cities(
        sqlx::query_as(&sql)
            .bind(prefix)
            .bind(past_prefix(prefix))
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}

/// The first text after every text that starts with `prefix`: folded names hold only
/// `a-z`, `0-9` and spaces, all before `{`.
fn past_prefix(prefix: &str) -> String {
    format!("{prefix}{{")
}

/// Distinct folded names `min_len ..= max_len` long that start with `start` or end with `end`:
/// the candidates for a name typed with one mistake, which leaves its start or its end whole.
pub async fn names_starting_or_ending(
    pool: &SqlitePool,
    start: &str,
    end: &str,
    min_len: u32,
    max_len: u32,
) -> Result<Vec<String>, sqlx::Error> {
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT folded FROM city_names \
         WHERE folded >= ?1 AND folded < ?2 AND length(folded) BETWEEN ?3 AND ?4 LIMIT 2000",
    )
    .bind(start)
    .bind(past_prefix(start))
    .bind(min_len)
    .bind(max_len)
    .fetch_all(pool)
    .await?;
    let reversed_end: String = end.chars().rev().collect();
    let ending: Vec<String> = sqlx::query_scalar(
        "SELECT reversed FROM city_name_ends \
         WHERE reversed >= ?1 AND reversed < ?2 AND length(reversed) BETWEEN ?3 AND ?4 LIMIT 2000",
    )
    .bind(&reversed_end)
    .bind(past_prefix(&reversed_end))
    .bind(min_len)
    .bind(max_len)
    .fetch_all(pool)
    .await?;
    names.extend(
        ending
            .into_iter()
            .map(|reversed| reversed.chars().rev().collect()),
    );
    Ok(names)
}

/// Distinct folded names that hold `part` (three characters or more, for the trigram index).
pub async fn names_containing(
    pool: &SqlitePool,
    part: &str,
    limit: u32,
) -> Result<Vec<String>, sqlx::Error> {
    // `part` is folded (letters, digits, single spaces): quoted, it is one FTS5 phrase, never
    // FTS5 syntax.
    sqlx::query_scalar(
        "SELECT folded FROM city_name_trigrams WHERE city_name_trigrams MATCH ?1 LIMIT ?2",
    )
    .bind(format!("\"{part}\""))
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Cities with any of the folded `names`, most populous first.
pub async fn named_any(
    pool: &SqlitePool,
    names: &[String],
    limit: u32,
) -> Result<Vec<City>, sqlx::Error> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = sqlx::QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM cities c WHERE c.geonameid IN \
         (SELECT geonameid FROM city_names WHERE folded IN ("
    ));
    let mut list = query.separated(", ");
    for name in names.iter().take(500) {
        list.push_bind(name);
    }
    query
        .push(")) ORDER BY c.population DESC LIMIT ")
        .push_bind(limit);
    cities(query.build_query_as().fetch_all(pool).await?)
}

/// Cities within `degrees` of latitude of `at`: where the nearest is looked for.
pub async fn near_latitude(
    pool: &SqlitePool,
    at: Coordinates,
    degrees: f64,
) -> Result<Vec<City>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM cities c WHERE c.latitude BETWEEN ? AND ?");
    cities(
        sqlx::query_as(&sql)
            .bind(at.latitude - degrees)
            .bind(at.latitude + degrees)
            .fetch_all(pool)
            .await?,
    )
}

/// The `limit` cities nearest `at` by a flat measure (degrees, longitude scaled by the
/// latitude's cosine, no wrap at 180°): candidates for the real distance, for a point far from
/// every city. Reads the whole table.
pub async fn roughly_nearest(
    pool: &SqlitePool,
    at: Coordinates,
    limit: u32,
) -> Result<Vec<City>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM cities c ORDER BY \
         (c.latitude - ?1) * (c.latitude - ?1) + (c.longitude - ?2) * (c.longitude - ?2) * ?3 \
         LIMIT ?4"
    );
    let scale = at.latitude.to_radians().cos().powi(2);
    cities(
        sqlx::query_as(&sql)
            .bind(at.latitude)
            .bind(at.longitude)
            .bind(scale)
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}
