//! Simulated providers for offline demos and load tests (`--upstream simulated`), as the course's
//! `use_cached_data` did: no network; each call waits a latency drawn from the course's
//! measurements of the real services, then answers plausible, deterministic data.

use std::{
    f64::consts::PI,
    hash::{DefaultHasher, Hash, Hasher},
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Datelike, DurationRound, NaiveDate, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use rand::seq::IndexedRandom;

use super::{GeocodedPlace, UpstreamError};
use crate::domain::{
    Coordinates, PlaceKey,
    solar::{self, SunSource, SunTimes},
    weather::{HourForecast, WmoCode},
};

pub const SOURCE: &str = "simulated";

/// Seconds each call to Zippopotam.us took, measured for the course.
pub const GEOCODE_LATENCIES: &[f64] = &[
    0.28844, 0.334694, 0.33468, 0.343911, 0.339515, 0.344329, 0.341594, 0.352366, 0.535646,
    0.527148, 0.533472, 0.53351, 0.523462,
];

/// Seconds each call to sunrise-sunset.org took, measured for the course.
pub const SUN_LATENCIES: &[f64] = &[0.399203, 0.7046, 0.422959, 0.741911, 0.404674];

/// The course measured no weather latencies; the sun service's stand in for them.
pub const WEATHER_LATENCIES: &[f64] = SUN_LATENCIES;

async fn wait_like_the_real_service(latencies: &[f64]) {
    let seconds = latencies.choose(&mut rand::rng()).copied().unwrap_or(0.5);
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
}

fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A number in `[0, 1)` fixed by `value`.
fn unit(value: impl Hash) -> f64 {
    (hash_of(value) >> 11) as f64 / (1u64 << 53) as f64
}

pub struct Geocoder;

#[async_trait]
impl super::Geocoder for Geocoder {
    async fn geocode(&self, key: &PlaceKey) -> Result<Option<GeocodedPlace>, UpstreamError> {
        wait_like_the_real_service(GEOCODE_LATENCIES).await;
        Ok(Some(simulated_place(key)))
    }
}

/// 97229 in the US is the course's example, near Portland, Oregon; any other code lands at a
/// fixed point near its country's anchor.
pub fn simulated_place(key: &PlaceKey) -> GeocodedPlace {
    if key.country.as_str() == "US" && key.postal_code.as_str() == "97229" {
        return GeocodedPlace {
            name: "Portland".to_owned(),
            region: "Oregon".to_owned(),
            region_code: "OR".to_owned(),
            coordinates: Coordinates {
                latitude: 45.50655,
                longitude: -122.733888,
            },
        };
    }
    let country = key.country.country();
    let code = key.postal_code.as_str();
    let offset = |axis: &str| (unit((code, axis)) * 2.0 - 1.0) * country.spread;
    let latitude = (country.anchor.0 + offset("lat")).clamp(-89.9, 89.9);
    let longitude = (country.anchor.1 + offset("lon")).clamp(-179.9, 179.9);
    GeocodedPlace {
        name: format!("Postal district {code}"),
        region: format!("Simulated {}", country.name),
        region_code: String::new(),
        coordinates: Coordinates {
            latitude,
            longitude,
        },
    }
}

pub struct Weather;

#[async_trait]
impl super::WeatherProvider for Weather {
    async fn forecast(
        &self,
        at: Coordinates,
    ) -> Result<crate::domain::weather::Weather, UpstreamError> {
        wait_like_the_real_service(WEATHER_LATENCIES).await;
        Ok(simulated_weather(at, Utc::now()))
    }
}

/// Weather that is the same for the same place and hour: a seasonal and daily temperature
/// curve by latitude, plus fixed noise.
pub fn simulated_weather(at: Coordinates, now: DateTime<Utc>) -> crate::domain::weather::Weather {
    let this_hour = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now);
    let place = (at.latitude.to_bits(), at.longitude.to_bits());
    let temperature = |hour: DateTime<Utc>| {
        let season =
            (2.0 * PI * (f64::from(hour.ordinal()) - 200.0) / 365.0).cos() * at.latitude.signum();
        let solar_hour = (f64::from(hour.hour()) + at.longitude / 15.0).rem_euclid(24.0);
        let day = -(2.0 * PI * (solar_hour - 3.0) / 24.0).cos();
        let noise = unit((place, hour.timestamp())) * 3.0 - 1.5;
        let mean = 28.0 - 0.4 * at.latitude.abs();
        ((mean + 0.15 * at.latitude.abs() * season + 3.5 * day + noise) * 10.0).round() / 10.0
    };
    let code = |hour: DateTime<Utc>| {
        let codes = [0, 1, 2, 3, 3, 45, 61, 63, 80, 95];
        let pick = codes
            [(hash_of((place, hour.timestamp() / 10_800, "code")) % codes.len() as u64) as usize];
        // Rain below freezing falls as snow.
        if temperature(hour) < 0.5 && pick >= 61 {
            71
        } else {
            pick
        }
    };
    let hours = (0..48)
        .map(|h| {
            let hour = this_hour + TimeDelta::hours(h);
            HourForecast {
                at: hour,
                temperature_c: Some(temperature(hour)),
                precipitation_probability: Some(match code(hour) {
                    0..=3 => (unit((place, hour.timestamp(), "p")) * 15.0).round(),
                    45 => 20.0,
                    _ => 60.0 + (unit((place, hour.timestamp(), "p")) * 40.0).round(),
                }),
                code: Some(WmoCode(code(hour))),
            }
        })
        .collect();
    let now_temperature = temperature(this_hour);
    let wind = (unit((place, this_hour.timestamp(), "wind")) * 250.0).round() / 10.0;
    crate::domain::weather::Weather {
        observed_at: this_hour,
        temperature_c: Some(now_temperature),
        feels_like_c: Some(((now_temperature - wind * 0.1) * 10.0).round() / 10.0),
        humidity_percent: Some((45.0 + unit((place, this_hour.timestamp(), "rh")) * 50.0).round()),
        wind_speed_kmh: Some(wind),
        code: Some(WmoCode(code(this_hour))),
        hours,
        source: SOURCE,
    }
}

pub struct Sun;

#[async_trait]
impl super::SunProvider for Sun {
    async fn sun_times(
        &self,
        at: Coordinates,
        date: NaiveDate,
        _zone: Tz,
    ) -> Result<SunTimes, UpstreamError> {
        wait_like_the_real_service(SUN_LATENCIES).await;
        Ok(solar::compute(at, date, SunSource::Simulated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CountryCode, PostalCode};

    fn key(country: &str, code: &str) -> PlaceKey {
        PlaceKey {
            country: CountryCode::parse(country).unwrap_or_else(|e| panic!("{e}")),
            postal_code: PostalCode::parse(code).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    #[test]
    fn the_course_postal_code_is_near_portland() {
        let place = simulated_place(&key("us", "97229"));
        assert_eq!(
            place.coordinates,
            Coordinates {
                latitude: 45.50655,
                longitude: -122.733888
            }
        );
        assert_eq!(place.name, "Portland");
    }

    #[test]
    fn other_codes_are_fixed_points_near_their_country() {
        let first = simulated_place(&key("de", "10115"));
        assert_eq!(first, simulated_place(&key("de", "10115")));
        assert_ne!(
            first.coordinates,
            simulated_place(&key("de", "80331")).coordinates
        );
        assert!((first.coordinates.latitude - 51.16).abs() <= 2.0);
        assert!((first.coordinates.longitude - 10.45).abs() <= 2.0);
    }

    #[test]
    fn weather_is_the_same_within_an_hour_and_plausible() {
        let portland = Coordinates {
            latitude: 45.5,
            longitude: -122.7,
        };
        let now = Utc::now();
        let a = simulated_weather(portland, now);
        let b = simulated_weather(
            portland,
            now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now),
        );
        assert_eq!(a, b);
        assert_eq!(a.hours.len(), 48);
        for hour in &a.hours {
            let t = hour.temperature_c.unwrap_or(f64::NAN);
            assert!((-40.0..=50.0).contains(&t), "{t}");
        }
    }
}
