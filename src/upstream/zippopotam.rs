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

/// The part of a postal code Zippopotam.us knows. For Great Britain it holds only outward codes
/// ("SW1A" of "SW1A 1AA") and for Canada only forward sortation areas ("H0H" of "H0H 0H0"), so
/// a full code is cut down to that, and the place is that district.
fn known_part(key: &PlaceKey) -> String {
    let code = key.postal_code.as_str();
    match key.country.as_str() {
        "GB" => match code.split_once(' ') {
            Some((outward, _)) => outward.to_owned(),
            // Without the space, the inward code is always the last three characters.
            None if code.len() > 4 => code[..code.len() - 3].to_owned(),
            None => code.to_owned(),
        },
        "CA" => code.chars().filter(|c| *c != ' ').take(3).collect(),
        _ => code.to_owned(),
    }
}

#[async_trait]
impl Geocoder for Zippopotam {
    #[tracing::instrument(skip(self), fields(provider = "zippopotam"))]
    async fn geocode(&self, key: &PlaceKey) -> Result<Option<GeocodedPlace>, UpstreamError> {
        let url = format!(
            "{}/{}/{}",
            self.base_url,
            key.country.path_segment(),
            known_part(key).replace(' ', "%20")
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
mod tests {
    use super::*;

    #[test]
    fn full_british_and_canadian_codes_are_cut_to_what_the_geocoder_knows() {
        for (country, code, known) in [
            ("gb", "SW1A 1AA", "SW1A"),
            ("gb", "sw1a1aa", "SW1A"),
            ("gb", "M1 1AE", "M1"),
            ("gb", "M1", "M1"),
            ("ca", "H0H 0H0", "H0H"),
            ("ca", "K1A", "K1A"),
            ("us", "97229", "97229"),
            ("de", "10115", "10115"),
        ] {
            let key = PlaceKey::parse(country, code).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(known_part(&key), known, "{country} {code}");
        }
    }
}
