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
            // The key is already in the form the data holds (`domain::postal_format`).
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

#[cfg(test)]
mod properties {
    //! Whatever Zippopotam.us answers parses into its shape or fails cleanly, and any postal code
    //! is cut to a part of itself before it goes into the service's URL.

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::upstream::answer_strategies::{any_json, any_text, spoiled};

    /// Coordinates as the service writes them (strings), and what else a string can hold.
    fn coordinate_text() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (-180.0..=180.0f64).prop_map(|n| format!("{n:.4}")),
            1 => prop::num::f64::ANY.prop_map(|n| n.to_string()),
            1 => "[ +-]{0,2}[0-9]{0,4}(\\.[0-9]{0,6})?([eE][+-]?[0-9]{1,4})?[ ]?",
            1 => prop::sample::select(vec!["NaN", "inf", "-infinity", "", " 45.5 "])
                .prop_map(str::to_owned),
            1 => any_text(12),
        ]
    }

    fn place_json() -> impl Strategy<Value = Value> {
        (
            any_text(20),
            any_text(20),
            "[A-Z]{0,3}",
            coordinate_text(),
            coordinate_text(),
        )
            .prop_map(|(name, state, abbreviation, latitude, longitude)| {
                json!({
                    "place name": name,
                    "state": state,
                    "state abbreviation": abbreviation,
                    "latitude": latitude,
                    "longitude": longitude,
                })
            })
    }

    /// The answer as the service sends it, with no, one or several places.
    fn answer_json() -> impl Strategy<Value = Value> {
        prop::collection::vec(place_json(), 0..3).prop_map(|places| {
            json!({
                "post code": "97229",
                "country": "United States",
                "country abbreviation": "US",
                "places": places,
            })
        })
    }

    proptest! {
        #[test]
        fn any_bytes_parse_into_the_answer_or_fail_cleanly(
            bytes in prop::collection::vec(any::<u8>(), 0..1024),
        ) {
            let _ = serde_json::from_slice::<Answer>(&bytes);
        }

        #[test]
        fn any_json_parses_into_the_answer_or_fails_cleanly(json in any_json()) {
            let _ = serde_json::from_str::<Answer>(&json.to_string());
        }

        #[test]
        fn well_shaped_answers_parse_whatever_their_strings_hold(json in answer_json()) {
            let parsed = serde_json::from_str::<Answer>(&json.to_string());
            let places = json["places"].as_array().map_or(0, Vec::len);
            prop_assert!(parsed.is_ok_and(|answer| answer.places.len() == places));
        }

        #[test]
        fn answers_with_fields_of_other_shapes_or_missing_parse_or_fail_cleanly(
            json in answer_json().prop_flat_map(spoiled),
        ) {
            let _ = serde_json::from_str::<Answer>(&json.to_string());
        }

    }
}
