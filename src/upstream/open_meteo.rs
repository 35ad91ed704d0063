//! Weather from Open-Meteo: `GET {base}/v1/forecast` with current conditions and 48 hours.

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::{UpstreamError, WeatherProvider, http::Client};
use crate::domain::{
    Coordinates,
    weather::{HourForecast, Weather, WmoCode},
};

const PROVIDER: &str = "The weather service (open-meteo.com)";
pub const SOURCE: &str = "open-meteo.com";

pub struct OpenMeteo {
    client: Client,
    forecast_url: String,
}

impl OpenMeteo {
    pub fn new(client: Client, base_url: &str) -> Self {
        let forecast_url = format!("{}/v1/forecast", base_url.trim_end_matches('/'));
        Self {
            client,
            forecast_url,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    timezone: String,
    utc_offset_seconds: i32,
    current: Current,
    hourly: Hourly,
}

#[derive(Debug, Deserialize)]
struct Current {
    time: String,
    temperature_2m: f64,
    apparent_temperature: f64,
    relative_humidity_2m: f64,
    weather_code: f64,
    wind_speed_10m: f64,
}

#[derive(Debug, Deserialize)]
struct Hourly {
    time: Vec<String>,
    temperature_2m: Vec<Option<f64>>,
    precipitation_probability: Vec<Option<f64>>,
    weather_code: Vec<Option<f64>>,
}

#[async_trait]
impl WeatherProvider for OpenMeteo {
    #[tracing::instrument(skip(self), fields(provider = "open-meteo"))]
    async fn forecast(&self, at: Coordinates) -> Result<Weather, UpstreamError> {
        let query = [
            ("latitude", at.latitude.to_string()),
            ("longitude", at.longitude.to_string()),
            (
                "current",
                "temperature_2m,apparent_temperature,relative_humidity_2m,weather_code,wind_speed_10m".to_owned(),
            ),
            ("hourly", "temperature_2m,precipitation_probability,weather_code".to_owned()),
            ("timezone", "auto".to_owned()),
            ("forecast_days", "2".to_owned()),
        ];
        let answer: Answer = self
            .client
            .get_json(PROVIDER, &self.forecast_url, &query)
            .await?;
        normalise(answer)
    }
}

fn normalise(answer: Answer) -> Result<Weather, UpstreamError> {
    // With `timezone=auto` times arrive as local wall-clock times without an offset.
    let clock = LocalClock::new(&answer.timezone, answer.utc_offset_seconds)?;
    let hourly = &answer.hourly;
    let count = hourly.time.len();
    if [
        hourly.temperature_2m.len(),
        hourly.precipitation_probability.len(),
        hourly.weather_code.len(),
    ]
    .iter()
    .any(|&n| n != count)
    {
        return Err(UpstreamError::malformed(
            PROVIDER,
            "hourly series of different lengths",
        ));
    }
    let hours = (0..count)
        .map(|i| {
            Ok(HourForecast {
                at: clock.to_utc(&hourly.time[i])?,
                temperature_c: hourly.temperature_2m[i].filter(|t| t.is_finite()),
                precipitation_probability: hourly.precipitation_probability[i]
                    .filter(|p| p.is_finite()),
                code: hourly.weather_code[i].and_then(wmo_code),
            })
        })
        .collect::<Result<Vec<_>, UpstreamError>>()?;
    let current = &answer.current;
    let numbers = [
        current.temperature_2m,
        current.apparent_temperature,
        current.relative_humidity_2m,
        current.wind_speed_10m,
    ];
    if numbers.iter().any(|n| !n.is_finite()) {
        return Err(UpstreamError::malformed(
            PROVIDER,
            "non-finite current value",
        ));
    }
    Ok(Weather {
        observed_at: clock.to_utc(&current.time)?,
        temperature_c: current.temperature_2m,
        feels_like_c: current.apparent_temperature,
        humidity_percent: current.relative_humidity_2m,
        wind_speed_kmh: current.wind_speed_10m,
        code: wmo_code(current.weather_code)
            .ok_or_else(|| UpstreamError::malformed(PROVIDER, "bad weather code"))?,
        hours,
        source: SOURCE,
    })
}

fn wmo_code(raw: f64) -> Option<WmoCode> {
    (raw.fract() == 0.0 && (0.0..=255.0).contains(&raw)).then_some(WmoCode(raw as u8))
}

/// Reads the answer's local times: by its IANA zone when known (right across a daylight-saving
/// change inside the 48 hours), else by its fixed offset.
struct LocalClock {
    zone: Option<Tz>,
    offset: FixedOffset,
}

impl LocalClock {
    fn new(zone: &str, offset_seconds: i32) -> Result<Self, UpstreamError> {
        let offset = FixedOffset::east_opt(offset_seconds)
            .ok_or_else(|| UpstreamError::malformed(PROVIDER, "bad utc_offset_seconds"))?;
        Ok(Self {
            zone: zone.parse().ok(),
            offset,
        })
    }

    fn to_utc(&self, local: &str) -> Result<DateTime<Utc>, UpstreamError> {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .map_err(|e| UpstreamError::malformed(PROVIDER, format!("time {local:?}: {e}")))?;
        let zoned = self
            .zone
            .and_then(|zone| zone.from_local_datetime(&naive).earliest())
            .map(|t| t.with_timezone(&Utc));
        zoned
            .or_else(|| {
                self.offset
                    .from_local_datetime(&naive)
                    .single()
                    .map(|t| t.with_timezone(&Utc))
            })
            .ok_or_else(|| {
                UpstreamError::malformed(PROVIDER, format!("time {local:?} does not exist"))
            })
    }
}
