//! The two kinds of place page addresses, `/places/{country}/{postal_code}…` and
//! `/cities/{geonameid}/{slug}…`, and finding the place each names: one handler serves both.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::FromRequestParts,
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::extract::Path;
use crate::{
    domain::{PlaceKey, Spot, SpotKey},
    error::AppError,
    paths,
    state::AppState,
    timing::{ServerTiming, timed},
};

/// A place page's address, parsed.
#[derive(Debug)]
pub enum SpotAddress {
    PostalCode {
        key: PlaceKey,
        /// Said when the code looked up is not the one in the address ("Showing 97229: …").
        note: Option<String>,
    },
    City {
        geonameid: String,
        slug: Option<String>,
    },
}

/// The path parameters of either kind of address.
#[derive(Deserialize)]
struct AddressParts {
    country: Option<String>,
    postal_code: Option<String>,
    geonameid: Option<String>,
    slug: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for SpotAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(parts) = Path::<AddressParts>::from_request_parts(parts, state).await?;
        match parts {
            AddressParts {
                geonameid: Some(geonameid),
                slug,
                ..
            } => Ok(Self::City { geonameid, slug }),
            AddressParts {
                country: Some(country),
                postal_code: Some(postal_code),
                ..
            } => {
                let (key, note) =
                    PlaceKey::parse_typed(&country, &postal_code).map_err(AppError::BadRequest)?;
                Ok(Self::PostalCode { key, note })
            }
            _ => Err(AppError::BadRequest(
                "This address is not one Cityscape understands.".to_owned(),
            )),
        }
    }
}

impl SpotAddress {
    /// The key alone, where nothing of the place but its key is needed: a postal code is not
    /// looked up; a city must be one Cityscape knows (a 404 otherwise).
    pub async fn key(&self, state: &AppState) -> Result<SpotKey, AppError> {
        match self {
            Self::PostalCode { key, .. } => Ok(SpotKey::PostalCode(key.clone())),
            Self::City { geonameid, .. } => {
                Ok(super::cities::find_city(state, geonameid).await?.spot_key())
            }
        }
    }

    /// The page's path as far as the address tells it without a look-up: a city's without its
    /// name (which redirects to the page).
    pub fn path(&self) -> String {
        match self {
            Self::PostalCode { key, .. } => paths::place(key),
            // Only a number goes back into an address.
            Self::City { geonameid, .. } => geonameid
                .parse::<i64>()
                .map_or_else(|_| paths::HOME.to_owned(), paths::city_by_number),
        }
    }

    /// A 301 to the page's one address, when this is another (a city's slug or number written
    /// otherwise).
    pub fn moved_to(&self, found: &Found) -> Option<Response> {
        let Self::City { geonameid, slug } = self else {
            return None;
        };
        let canonical = paths::spot(&found.spot.key, &found.spot.name);
        // Compared part by part, not as a path rebuilt from the parts: a route renamed in
        // `paths` then still ends its redirect at the page, not in a loop.
        let same_number =
            matches!(found.spot.key, SpotKey::City(id) if id.to_string() == *geonameid);
        let same_name =
            slug.as_deref() == Some(crate::domain::place::slug(&found.spot.name).as_str());
        (!(same_number && same_name)).then(|| {
            (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, canonical)],
            )
                .into_response()
        })
    }
}

/// The place an address names, with what finding it took.
pub struct Found {
    pub spot: Arc<Spot>,
    /// A city's people; none for a postal code's place.
    pub population: Option<i64>,
    /// When the request began being answered, and the wait to find the place (geocoding a
    /// postal code, or reading a city), for the page's waits chart.
    pub started: Instant,
    pub wait: (&'static str, Duration),
}

/// Finds the place: geocodes a postal code (through the caches), or reads a city. The error's
/// response carries the wait's timing.
pub async fn find(state: &AppState, address: &SpotAddress) -> Result<Found, Response> {
    let started = Instant::now();
    let (found, wait) = match address {
        SpotAddress::PostalCode { key, .. } => {
            let (spot, took) = timed(state.lookups.place(key)).await;
            (
                spot.map(|spot| (spot, None)).map_err(AppError::from),
                ("geocode", took),
            )
        }
        SpotAddress::City { geonameid, .. } => {
            let (city, took) = timed(super::cities::find_city(state, geonameid)).await;
            (
                city.map(|city| (Arc::new(Spot::from(&city)), Some(city.population))),
                ("city", took),
            )
        }
    };
    match found {
        Ok((spot, population)) => Ok(Found {
            spot,
            population,
            started,
            wait,
        }),
        Err(error) => {
            let mut timing = ServerTiming::new();
            timing.record(wait.0, wait.1);
            Err((timing, error).into_response())
        }
    }
}
