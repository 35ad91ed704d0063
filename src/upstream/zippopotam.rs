//! Geocoding postal codes with Zippopotam.us: `GET {base}/{country}/{postal_code}`.

use async_trait::async_trait;
use serde::Deserialize;

use super::{GeocodedPlace, Geocoder, UpstreamError, UpstreamErrorKind, http::Client};
use crate::domain::{Coordinates, PlaceKey};

const PROVIDER: &str = "The geocoder (zippopotam.us)";

pub struct Zippopotam {
    client: Client,
    base_url: String,
}

impl Zippopotam {
    pub fn new(client: Client, base_url: &str) -> Self {
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }
}

/// The answer's shape: keys have spaces and coordinates arrive as strings.
#[derive(Debug, Deserialize)]
struct Answer {
    places: Vec<AnswerPlace>,
}

#[derive(Debug, Deserialize)]
struct AnswerPlace {
    #[serde(rename = "place name")]
    name: String,
    #[serde(default)]
    state: String,
    #[serde(rename = "state abbreviation", default)]
    state_abbreviation: String,
    latitude: String,
    longitude: String,
}

#[async_trait]
impl Geocoder for Zippopotam {
    #[tracing::instrument(skip(self), fields(provider = "zippopotam"))]
    async fn geocode(&self, key: &PlaceKey) -> Result<Option<GeocodedPlace>, UpstreamError> {
        let url = format!(
            "{}/{}/{}",
            self.base_url,
            key.country.path_segment(),
            key.postal_code.path_segment()
        );
        let answer: Answer = match self.client.get_json(PROVIDER, &url, &[]).await {
            Ok(answer) => answer,
            // Zippopotam.us answers an unknown postal code with 404 and `{}`.
            Err(e) if e.kind == UpstreamErrorKind::Status(404) => return Ok(None),
            Err(e) => return Err(e),
        };
        // A postal code can cover several places; the first is the one the service lists as main.
        let Some(first) = answer.places.into_iter().next() else {
            return Ok(None);
        };
        let coordinate = |s: &str| s.trim().parse::<f64>().ok();
        let coordinates = coordinate(&first.latitude)
            .zip(coordinate(&first.longitude))
            .and_then(|(lat, lon)| Coordinates::new(lat, lon))
            .ok_or_else(|| {
                UpstreamError::malformed(
                    PROVIDER,
                    format!(
                        "bad coordinates {:?}, {:?}",
                        first.latitude, first.longitude
                    ),
                )
            })?;
        Ok(Some(GeocodedPlace {
            name: first.name,
            region: first.state,
            region_code: first.state_abbreviation,
            coordinates,
        }))
    }
}
