//! Finding a place by name, offline: GeoNames' cities of 15,000 people or more, imported into
//! SQLite at start (`import`), searched by folded name, prefix and one-edit typo (`search`).

pub mod data;
pub mod fold;
pub mod import;
pub mod query;
pub mod search;

use chrono_tz::Tz;

use crate::domain::{Coordinates, Spot, SpotKey};

pub use search::{CitySearch, Found, Match, MatchKind};

/// A city from GeoNames.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub geonameid: i64,
    pub name: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country_code: String,
    pub country_name: String,
    /// GeoNames' first-level division code ("OR", "ZH", "08"); may be empty.
    pub admin1_code: String,
    /// The division's name where the data has one (US states); otherwise empty.
    pub region: String,
    pub coordinates: Coordinates,
    pub population: i64,
    pub time_zone: Tz,
}

impl City {
    /// The city page's path, `/cities/5746545/portland`.
    pub fn page_path(&self) -> String {
        crate::paths::spot(&self.spot_key(), &self.name)
    }

    pub fn spot_key(&self) -> SpotKey {
        SpotKey::City(self.geonameid)
    }

    /// The name as a path segment ("sao-paulo").
    pub fn slug(&self) -> String {
        crate::domain::place::slug(&self.name)
    }

    /// "Portland, Oregon, United States" or "Zürich, Switzerland".
    pub fn full_name(&self) -> String {
        if self.region.is_empty() {
            format!("{}, {}", self.name, self.country_name)
        } else {
            format!("{}, {}, {}", self.name, self.region, self.country_name)
        }
    }

    /// Whether a qualifier typed after the name ("oregon", "or", "fr", "france") names this
    /// city's country or region.
    pub fn answers_to(&self, folded_qualifier: &str) -> bool {
        let q = folded_qualifier;
        q.eq_ignore_ascii_case(&self.country_code)
            || q == fold::fold(&self.country_name)
            || (!self.region.is_empty() && q == fold::fold(&self.region))
            || (!self.admin1_code.is_empty()
                && self.admin1_code.bytes().all(|b| b.is_ascii_alphabetic())
                && q.eq_ignore_ascii_case(&self.admin1_code))
            || COUNTRY_ALIASES
                .iter()
                .any(|(alias, code)| *alias == q && *code == self.country_code)
    }
}

/// What people type for a country besides its code and GeoNames' name.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("usa", "US"),
    ("america", "US"),
    ("uk", "GB"),
    ("britain", "GB"),
    ("great britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("holland", "NL"),
];

impl From<&City> for Spot {
    fn from(city: &City) -> Self {
        Self {
            key: city.spot_key(),
            name: city.name.clone(),
            region: city.region.clone(),
            region_code: city.admin1_code.clone(),
            country_code: city.country_code.clone(),
            country_name: city.country_name.clone(),
            coordinates: city.coordinates,
            time_zone: city.time_zone,
        }
    }
}
