//! Places as both backends store them: the postal codes' places and the cities people view,
//! post about and save, with their page-view counts.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::domain::{Coordinates, CountryCode, Place, PlaceKey, PostalCode, Spot, SpotKey};

/// Which world a row belongs to: `live` or `simulated` (see the migrations).
pub type Source = &'static str;

#[derive(Debug, FromRow)]
pub(super) struct PlaceRow {
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

/// The columns of a [`PlaceRow`].
pub(super) const PLACE_COLUMNS: &str =
    "country_code, postal_code, name, region, region_code, latitude, longitude, time_zone";

/// A row of `places` (as `p`) as lists and saved places read it; each backend names its city's
/// country as `city_country_name`.
#[derive(Debug, FromRow)]
pub(super) struct SpotRow {
    country_code: String,
    postal_code: Option<String>,
    city_id: Option<i64>,
    name: String,
    region: String,
    region_code: String,
    latitude: f64,
    longitude: f64,
    time_zone: String,
    /// NULL for a postal code's place, or a city no longer in the data.
    city_country_name: Option<String>,
}

impl TryFrom<SpotRow> for Spot {
    type Error = sqlx::Error;

    fn try_from(row: SpotRow) -> Result<Self, Self::Error> {
        let bad = |what: &str| sqlx::Error::Decode(format!("places row has a bad {what}").into());
        let key = spot_key(&row.country_code, row.postal_code.as_deref(), row.city_id)
            .ok_or_else(|| bad("key"))?;
        let country_name = match (&key, row.city_country_name) {
            (SpotKey::City(_), Some(name)) => name,
            _ => CountryCode::parse(&row.country_code)
                .map(|c| c.name().to_owned())
                .unwrap_or(row.country_code.clone()),
        };
        Ok(Spot {
            key,
            name: row.name,
            region: row.region,
            region_code: row.region_code,
            country_code: row.country_code,
            country_name,
            coordinates: Coordinates::new(row.latitude, row.longitude)
                .ok_or_else(|| bad("coordinate"))?,
            time_zone: row.time_zone.parse().map_err(|_| bad("time_zone"))?,
        })
    }
}

/// The key of a stored row: its postal code, or its city.
pub(super) fn spot_key(
    country_code: &str,
    postal_code: Option<&str>,
    city_id: Option<i64>,
) -> Option<SpotKey> {
    match (postal_code, city_id) {
        (Some(code), None) => PlaceKey::parse(country_code, code)
            .ok()
            .map(SpotKey::PostalCode),
        (None, Some(geonameid)) => Some(SpotKey::City(geonameid)),
        _ => None,
    }
}

/// A stored place's key as a row holds it: (postal code, city id), one of them NULL.
pub(super) fn key_columns(key: &SpotKey) -> (Option<&str>, Option<i64>) {
    match key {
        SpotKey::PostalCode(key) => (Some(key.postal_code.as_str()), None),
        SpotKey::City(geonameid) => (None, Some(*geonameid)),
    }
}

/// A line in the home page's lists.
#[derive(Debug, Clone)]
pub struct ViewedPlace {
    pub spot: Spot,
    pub view_count: i64,
    pub last_viewed_at: DateTime<Utc>,
}

#[derive(FromRow)]
pub(super) struct ViewedRow {
    #[sqlx(flatten)]
    spot: SpotRow,
    view_count: i64,
    last_viewed_at: DateTime<Utc>,
}

/// Which of the home page's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewed {
    Recently,
    Most,
}

impl Viewed {
    /// Its rows of `places` (as `p`) and their order, in SQL both backends read alike.
    pub(super) fn condition_and_order(self) -> &'static str {
        match self {
            Viewed::Recently => "p.last_viewed_at IS NOT NULL ORDER BY p.last_viewed_at DESC",
            Viewed::Most => {
                "p.view_count > 0 AND p.last_viewed_at IS NOT NULL
                 ORDER BY p.view_count DESC, p.last_viewed_at DESC"
            }
        }
    }
}

pub(super) fn viewed_places(rows: Vec<ViewedRow>) -> Vec<ViewedPlace> {
    rows.into_iter()
        .filter_map(|row| {
            Some(ViewedPlace {
                spot: decoded(row.spot)?,
                view_count: row.view_count,
                last_viewed_at: row.last_viewed_at,
            })
        })
        .collect()
}

/// A stored place for a list, or `None` (logged) for a row that no longer makes one (a postal
/// code stored before today's rules, which `move_to_data_form` leaves as it is): one such row
/// must not cost a whole list.
pub(super) fn decoded(row: SpotRow) -> Option<Spot> {
    Spot::try_from(row)
        .inspect_err(|error| tracing::warn!(%error, "stored place left out of a list"))
        .ok()
}
