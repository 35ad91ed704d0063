//! A place: what a postal code in a country resolves to.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{CountryCode, PostalCode};

/// A point on Earth in decimal degrees, north and east positive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    /// Coordinates from outside data, refused when not finite or out of range.
    pub fn new(latitude: f64, longitude: f64) -> Option<Self> {
        let valid = latitude.is_finite()
            && longitude.is_finite()
            && (-90.0..=90.0).contains(&latitude)
            && (-180.0..=180.0).contains(&longitude);
        valid.then_some(Self {
            latitude,
            longitude,
        })
    }
}

/// What a person asks about: a postal code in a country. The key of every cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlaceKey {
    pub country: CountryCode,
    pub postal_code: PostalCode,
}

impl PlaceKey {
    /// Parses a country and a postal code as they come in a URL or a form.
    pub fn parse(country: &str, postal_code: &str) -> Result<Self, String> {
        Ok(Self {
            country: CountryCode::parse(country).map_err(|e| e.to_string())?,
            postal_code: PostalCode::parse(postal_code).map_err(|e| e.to_string())?,
        })
    }

    /// The place page's path, `/places/us/97229`.
    pub fn page_path(&self) -> String {
        format!(
            "/places/{}/{}",
            self.country.path_segment(),
            self.postal_code.path_segment()
        )
    }
}

/// A geocoded place, as the geocoder described it plus the time zone found for its coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub key: PlaceKey,
    pub name: String,
    /// State, province or county; empty when the geocoder gives none.
    pub region: String,
    pub region_code: String,
    pub coordinates: Coordinates,
    pub time_zone: Tz,
}

impl Place {
    pub fn country_name(&self) -> &'static str {
        self.key.country.name()
    }

    /// "Portland, Oregon": the name with the region when there is one.
    pub fn display_name(&self) -> String {
        if self.region.is_empty() || self.region == self.name {
            self.name.clone()
        } else {
            format!("{}, {}", self.name, self.region)
        }
    }

    pub fn local_time(&self, now: DateTime<Utc>) -> DateTime<Tz> {
        now.with_timezone(&self.time_zone)
    }
}
