//! Simulated providers for offline demos and load tests (`--upstream simulated`), as the course's
//! `use_cached_data` did: no network; each call waits one of the course's measured latencies of
//! the real service (each in turn), then answers plausible, deterministic data.

use std::{
    f64::consts::PI,
    hash::{DefaultHasher, Hash, Hasher},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Datelike, DurationRound, NaiveDate, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;

use super::{GeocodedPlace, UpstreamError};
use crate::domain::{
    Coordinates, PlaceKey,
    solar::{self, SunSource, SunTimes},
    weather::{DayForecast, HourForecast, WmoCode},
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

/// A service's measured latencies, taken in turn rather than drawn at random: any run of calls
/// then waits, on average, the measurements' own mean. Drawn at random, the 300 requests of a
/// 15 s load test at 20 connections waited 1.1 % more or less than that mean (one standard
/// deviation), and moved `bench/load.sh`'s fraction of the limit (connections ÷ the mean) with
/// them, whatever the server did.
pub struct Latencies {
    seconds: &'static [f64],
    taken: AtomicUsize,
}

impl Latencies {
    pub const fn new(seconds: &'static [f64]) -> Self {
        Self {
            seconds,
            taken: AtomicUsize::new(0),
        }
    }

    /// The next latency in turn, from the first again after the last.
    pub fn next(&self) -> Duration {
        let turn = self.taken.fetch_add(1, Ordering::Relaxed);
        let seconds = turn
            .checked_rem(self.seconds.len())
            .and_then(|i| self.seconds.get(i))
            .copied()
            .unwrap_or(0.5);
        Duration::from_secs_f64(seconds)
    }

    /// Waits the next latency in turn, as the real service would have kept us waiting.
    pub async fn wait(&self) {
        tokio::time::sleep(self.next()).await;
    }
}

pub static GEOCODE_WAITS: Latencies = Latencies::new(GEOCODE_LATENCIES);
pub static SUN_WAITS: Latencies = Latencies::new(SUN_LATENCIES);
pub static WEATHER_WAITS: Latencies = Latencies::new(WEATHER_LATENCIES);

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
        GEOCODE_WAITS.wait().await;
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
        WEATHER_WAITS.wait().await;
        Ok(simulated_weather(at, Utc::now()))
    }
}

/// A smooth wave in `[-1, 1]` through the hours: three slow swells with the place's own phases,
/// so the weather of one hour is like the hour before.
fn swell(place: impl Hash + Copy, what: &str, hours: f64) -> f64 {
    const PERIODS: [f64; 3] = [31.0, 53.0, 97.0];
    PERIODS
        .iter()
        .enumerate()
        .map(|(i, period)| {
            let phase = unit((place, what, i)) * 2.0 * PI;
            (2.0 * PI * hours / period + phase).sin()
        })
        .sum::<f64>()
        / PERIODS.len() as f64
}

/// Weather that is the same for the same place and hour: a seasonal and daily temperature curve
/// by latitude, and clouds, rain and wind that come and go smoothly (no thunderstorm an hour
/// after fog).
pub fn simulated_weather(at: Coordinates, now: DateTime<Utc>) -> crate::domain::weather::Weather {
    let this_hour = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now);
    let place = (at.latitude.to_bits(), at.longitude.to_bits());
    let hours_of = |hour: DateTime<Utc>| hour.timestamp() as f64 / 3600.0;
    let solar_hour =
        |hour: DateTime<Utc>| (f64::from(hour.hour()) + at.longitude / 15.0).rem_euclid(24.0);
    // How wet the sky is, −1 (clear) to 1 (storm).
    let wetness = |hour: DateTime<Utc>| swell(place, "wet", hours_of(hour)) * 1.4;
    let temperature = |hour: DateTime<Utc>| {
        let season =
            (2.0 * PI * (f64::from(hour.ordinal()) - 200.0) / 365.0).cos() * at.latitude.signum();
        let day = -(2.0 * PI * (solar_hour(hour) - 3.0) / 24.0).cos();
        let drift = swell(place, "warm", hours_of(hour)) * 2.0;
        // Clouds and rain hold the day's warmth down.
        let damp = wetness(hour).max(0.0) * 2.0;
        let mean = 28.0 - 0.4 * at.latitude.abs();
        ((mean + 0.15 * at.latitude.abs() * season + 3.5 * day + drift - damp) * 10.0).round()
            / 10.0
    };
    let code = |hour: DateTime<Utc>| -> u8 {
        let wet = wetness(hour);
        let warm = temperature(hour);
        let code = match wet {
            w if w < -0.45 => 0,
            w if w < -0.15 => 1,
            w if w < 0.1 => 2,
            w if w < 0.35 => {
                // Fog forms in a cool, overcast dawn.
                if (4.0..8.0).contains(&solar_hour(hour)) && warm < 10.0 {
                    45
                } else {
                    3
                }
            }
            w if w < 0.55 => 61,
            w if w < 0.75 => 63,
            w if w < 0.92 || warm < 15.0 => 80,
            _ => 95,
        };
        // Rain below freezing falls as snow.
        match code {
            61 | 63 | 80 | 95 if warm < 0.5 => 73,
            other => other,
        }
    };
    let chance = |hour: DateTime<Utc>| ((wetness(hour) + 0.25) * 90.0).round().clamp(0.0, 100.0);
    let hours = (0..48)
        .map(|h| {
            let hour = this_hour + TimeDelta::hours(h);
            HourForecast {
                at: hour,
                temperature_c: Some(temperature(hour)),
                precipitation_probability: Some(chance(hour)),
                code: Some(WmoCode(code(hour))),
            }
        })
        .collect();
    let wind = |hour: DateTime<Utc>| {
        ((0.5 + 0.5 * swell(place, "wind", hours_of(hour))) * 250.0).round() / 10.0
    };
    // Rounded before it is turned into [0, 360): 359.7 must not round up to 360.
    let wind_from = |hour: DateTime<Utc>| {
        (180.0 + 180.0 * swell(place, "veer", hours_of(hour)))
            .round()
            .rem_euclid(360.0)
    };
    // Days by the sun's local time (the provider is given no zone): each summed up from its
    // own 24 hours, so the week agrees with the hours it shares with them.
    let solar_offset = TimeDelta::minutes((at.longitude * 4.0).round() as i64);
    let today = (this_hour + solar_offset).date_naive();
    let days = today
        .iter_days()
        .take(7)
        .map(|date| {
            let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc() - solar_offset;
            // The whole hours of the day, as the hourly forecast has them.
            let first = midnight
                .duration_trunc(TimeDelta::hours(1))
                .unwrap_or(midnight);
            let first = if first < midnight {
                first + TimeDelta::hours(1)
            } else {
                first
            };
            let day: Vec<DateTime<Utc>> = (0..24).map(|h| first + TimeDelta::hours(h)).collect();
            let most = |f: &dyn Fn(DateTime<Utc>) -> f64| {
                day.iter().map(|&h| f(h)).fold(f64::NEG_INFINITY, f64::max)
            };
            let least = |f: &dyn Fn(DateTime<Utc>) -> f64| {
                day.iter().map(|&h| f(h)).fold(f64::INFINITY, f64::min)
            };
            // Millimetres in an hour of each kind of weather.
            let rain = |h: DateTime<Utc>| match code(h) {
                61 => 0.5,
                63 => 2.0,
                73 => 1.0,
                80 => 3.0,
                95 => 6.0,
                _ => 0.0,
            };
            let noon = midnight + TimeDelta::hours(12);
            let clouds = (wetness(noon) + 1.0).clamp(0.0, 2.0) / 2.0;
            let sun_height = solar::elevation(at, noon).max(0.0).to_radians().sin();
            DayForecast {
                date,
                // The day's most severe weather, as Open-Meteo sums a day up.
                code: day.iter().map(|&h| code(h)).max().map(WmoCode),
                max_c: Some(most(&temperature)),
                min_c: Some(least(&temperature)),
                precipitation_probability: Some(most(&chance)),
                precipitation_mm: Some(
                    (day.iter().map(|&h| rain(h)).sum::<f64>() * 10.0).round() / 10.0,
                ),
                wind_max_kmh: Some(most(&wind)),
                wind_from_degrees: Some(wind_from(noon)),
                uv_index_max: Some(
                    (11.0 * sun_height * sun_height * (1.0 - 0.7 * clouds) * 10.0).round() / 10.0,
                ),
            }
        })
        .collect();
    let now_temperature = temperature(this_hour);
    let wind_now = wind(this_hour);
    crate::domain::weather::Weather {
        observed_at: this_hour,
        temperature_c: Some(now_temperature),
        feels_like_c: Some(((now_temperature - wind_now * 0.1) * 10.0).round() / 10.0),
        humidity_percent: Some((60.0 + 35.0 * swell(place, "rh", hours_of(this_hour))).round()),
        wind_speed_kmh: Some(wind_now),
        wind_from_degrees: Some(wind_from(this_hour)),
        code: Some(WmoCode(code(this_hour))),
        hours,
        days,
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
        SUN_WAITS.wait().await;
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
    fn latencies_are_taken_in_turn_so_each_round_waits_their_mean() {
        const MEASURED: &[f64] = &[0.25, 0.5, 1.0];
        let latencies = Latencies::new(MEASURED);
        let waits: Vec<f64> = (0..7).map(|_| latencies.next().as_secs_f64()).collect();
        assert_eq!(waits, [0.25, 0.5, 1.0, 0.25, 0.5, 1.0, 0.25]);
        // Fresh ones: other tests' calls take turns of the shared ones.
        let (geocoder, sun) = (
            Latencies::new(GEOCODE_LATENCIES),
            Latencies::new(SUN_LATENCIES),
        );
        let course: f64 = (0..13 * 5)
            .map(|_| geocoder.next().as_secs_f64() + sun.next().as_secs_f64())
            .sum();
        assert!((course / 65.0 - 0.94488).abs() < 1e-5, "{}", course / 65.0);
        assert_eq!(Latencies::new(&[]).next(), Duration::from_millis(500));
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

    #[test]
    fn the_weather_changes_smoothly_from_hour_to_hour() {
        let now = Utc::now();
        for i in 0..200 {
            let at = Coordinates {
                latitude: -60.0 + f64::from(i) * 0.6,
                longitude: -180.0 + f64::from(i) * 1.8,
            };
            let weather = simulated_weather(at, now);
            for pair in weather.hours.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let chance = |h: &HourForecast| h.precipitation_probability.unwrap_or(f64::NAN);
                assert!(
                    (chance(a) - chance(b)).abs() <= 25.0,
                    "{at:?}: {a:?} → {b:?}"
                );
                let heat = |h: &HourForecast| h.temperature_c.unwrap_or(f64::NAN);
                assert!((heat(a) - heat(b)).abs() <= 3.0, "{at:?}: {a:?} → {b:?}");
                let codes = (a.code.map(|c| c.0), b.code.map(|c| c.0));
                assert!(
                    !matches!(
                        codes,
                        (Some(95), Some(45 | 0 | 1)) | (Some(45 | 0 | 1), Some(95))
                    ),
                    "{at:?}: {codes:?}"
                );
            }
        }
    }

    #[test]
    fn the_week_ahead_is_seven_days_in_a_row_that_agree_with_their_hours() {
        let now = Utc::now();
        for i in 0..100 {
            let at = Coordinates {
                latitude: -60.0 + f64::from(i) * 1.2,
                longitude: -180.0 + f64::from(i) * 3.6,
            };
            let weather = simulated_weather(at, now);
            assert_eq!(weather.days.len(), 7);
            for pair in weather.days.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                assert_eq!(a.date.succ_opt(), Some(b.date));
                let high = |d: &DayForecast| d.max_c.unwrap_or(f64::NAN);
                assert!((high(a) - high(b)).abs() <= 8.0, "{at:?}: {a:?} → {b:?}");
            }
            for day in &weather.days {
                let (low, high) = (day.min_c.unwrap_or(f64::NAN), day.max_c.unwrap_or(f64::NAN));
                assert!(low <= high, "{day:?}");
                assert!(
                    (0.0..=11.0).contains(&day.uv_index_max.unwrap_or(f64::NAN)),
                    "{day:?}"
                );
                let rained = day.precipitation_mm.unwrap_or(f64::NAN) > 0.0;
                let wet = day.code.is_some_and(|c| c.0 >= 61);
                assert_eq!(rained, wet, "{at:?}: {day:?}");
            }
            // The day's hours that are in the 48 lie within its highest and lowest.
            let today = &weather.days[0];
            let solar_offset = TimeDelta::minutes((at.longitude * 4.0).round() as i64);
            for hour in &weather.hours {
                if (hour.at + solar_offset).date_naive() == today.date {
                    let t = hour.temperature_c.unwrap_or(f64::NAN);
                    assert!(
                        today.min_c.unwrap_or(f64::NAN) <= t
                            && t <= today.max_c.unwrap_or(f64::NAN),
                        "{at:?}: {hour:?} outside {today:?}"
                    );
                }
            }
        }
    }
}
