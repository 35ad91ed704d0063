//! A place: what a postal code in a country resolves to.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{CountryCode, PostalCode, postal_format::DataFormat};

/// A point on Earth in decimal degrees, north and east positive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    /// The great-circle distance to `other`, in kilometres (haversine, mean Earth radius).
    pub fn distance_km(&self, other: Coordinates) -> f64 {
        let (a, b) = (self.latitude.to_radians(), other.latitude.to_radians());
        let d_lat = b - a;
        let d_lon = (other.longitude - self.longitude).to_radians();
        let h = (d_lat / 2.0).sin().powi(2) + a.cos() * b.cos() * (d_lon / 2.0).sin().powi(2);
        2.0 * 6371.0 * h.sqrt().min(1.0).asin()
    }

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
    /// Parses a country and a postal code as they come in a URL or a form, into the key of the
    /// code the geocoder's data holds ("97229-1234" is looked up as "97229").
    pub fn parse(country: &str, postal_code: &str) -> Result<Self, String> {
        Self::parse_typed(country, postal_code).map(|(key, _)| key)
    }

    /// As `parse`, with what to tell the person when the code looked up is not the one typed;
    /// a code that cannot be in the data is refused with the country's format.
    pub fn parse_typed(country: &str, postal_code: &str) -> Result<(Self, Option<String>), String> {
        let country = CountryCode::parse(country).map_err(|e| e.to_string())?;
        let typed = PostalCode::parse(postal_code).map_err(|e| e.to_string())?;
        let Some(format) = DataFormat::of(country) else {
            return Ok((
                Self {
                    country,
                    postal_code: typed,
                },
                None,
            ));
        };
        let in_form = format
            .to_data_form(&typed)
            .ok_or_else(|| format.refusal(country))?;
        let note = in_form.change.map(|_| format.note(&in_form.code));
        Ok((
            Self {
                country,
                postal_code: in_form.code,
            },
            note,
        ))
    }

    /// `us-97229`: the place in a file name or an identifier.
    pub fn slug(&self) -> String {
        format!(
            "{}-{}",
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
}

/// Which place a page is about, and what its events, saves and views belong to: a postal
/// code's place, or a city.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpotKey {
    PostalCode(PlaceKey),
    /// A city, by its GeoNames id.
    City(i64),
}

impl SpotKey {
    /// `us-97229`, `city-2657896`: the place in a file name.
    pub fn file_slug(&self) -> String {
        match self {
            Self::PostalCode(key) => key.slug(),
            Self::City(geonameid) => format!("city-{geonameid}"),
        }
    }
}

/// A name as a path segment: folded to ASCII lower case, words joined by hyphens
/// ("São Paulo" → "sao-paulo"); "city" for a name with no letter or digit left.
pub fn slug(name: &str) -> String {
    let slug = crate::cities::fold::fold(name).replace(' ', "-");
    if slug.is_empty() {
        "city".to_owned()
    } else {
        slug
    }
}

/// A place people view, post about and save, as its page and the `places` table know it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    pub key: SpotKey,
    pub name: String,
    /// State, province or county; empty when none is known.
    pub region: String,
    pub region_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country_code: String,
    pub country_name: String,
    pub coordinates: Coordinates,
    pub time_zone: Tz,
}

impl Spot {
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

    /// How lists name it: "Portland, Oregon (US 97229)", "Zürich, Switzerland".
    pub fn list_label(&self) -> String {
        match &self.key {
            SpotKey::PostalCode(key) => format!(
                "{} ({} {})",
                self.display_name(),
                key.country,
                key.postal_code
            ),
            SpotKey::City(_) => format!("{}, {}", self.display_name(), self.country_name),
        }
    }
}

impl From<&Place> for Spot {
    fn from(place: &Place) -> Self {
        Self {
            key: SpotKey::PostalCode(place.key.clone()),
            name: place.name.clone(),
            region: place.region.clone(),
            region_code: place.region_code.clone(),
            country_code: place.key.country.as_str().to_owned(),
            country_name: place.country_name().to_owned(),
            coordinates: place.coordinates,
            time_zone: place.time_zone,
        }
    }
}

#[cfg(test)]
mod properties {
    //! Coordinates from the geocoder and keys from URLs are kept only when they make sense.

    use proptest::prelude::*;

    use super::*;

    /// Degrees as an answer may carry them: anything, near the limits, or not numbers at all.
    fn degrees() -> impl Strategy<Value = f64> {
        prop_oneof![
            prop::num::f64::ANY,
            -200.0..200.0f64,
            prop::sample::select(vec![
                90.0,
                -90.0,
                180.0,
                -180.0,
                90.000_001,
                -180.000_001,
                -0.0,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ]),
        ]
    }

    proptest! {
        #[test]
        fn coordinates_are_kept_only_when_finite_and_on_earth(
            latitude in degrees(),
            longitude in degrees(),
        ) {
            // NaN fails both comparisons, and so is refused with the infinities.
            let on_earth = latitude.abs() <= 90.0 && longitude.abs() <= 180.0;
            let kept = Coordinates::new(latitude, longitude);
            prop_assert_eq!(kept.is_some(), on_earth);
            if let Some(kept) = kept {
                prop_assert_eq!((kept.latitude, kept.longitude), (latitude, longitude));
            }
        }
    }
}
