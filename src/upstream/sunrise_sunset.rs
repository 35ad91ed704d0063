//! Sun times from sunrise-sunset.org: `GET {base}/json?lat=..&lng=..&date=..&formatted=0&tzid=..`.
//!
//! `tzid` is sent (beyond the course's request) because the service otherwise reads `date` as a
//! UTC date, and for places far from Greenwich that returns the previous local day's sunset.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::{SunProvider, UpstreamError, http::Client};
use crate::domain::{
    Coordinates,
    solar::{self, SunSource, SunTimes, Twilight},
};

const PROVIDER: &str = "The sun-times service (sunrise-sunset.org)";

pub struct SunriseSunset {
    client: Client,
    json_url: String,
}

impl SunriseSunset {
    pub fn new(client: Client, base_url: &str) -> Self {
        let json_url = format!("{}/json", base_url.trim_end_matches('/'));
        Self { client, json_url }
    }
}

/// On errors `results` is an empty string, so it is read only once `status` says OK.
#[derive(Debug, Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    results: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct Results {
    sunrise: String,
    sunset: String,
    solar_noon: String,
    day_length: i64,
    civil_twilight_begin: String,
    civil_twilight_end: String,
    nautical_twilight_begin: String,
    nautical_twilight_end: String,
    astronomical_twilight_begin: String,
    astronomical_twilight_end: String,
}

#[async_trait]
impl SunProvider for SunriseSunset {
    #[tracing::instrument(skip(self), fields(provider = "sunrise-sunset"))]
    async fn sun_times(
        &self,
        at: Coordinates,
        date: NaiveDate,
        zone: Tz,
    ) -> Result<SunTimes, UpstreamError> {
        let query = [
            ("lat", at.latitude.to_string()),
            ("lng", at.longitude.to_string()),
            ("date", date.format("%Y-%m-%d").to_string()),
            ("formatted", "0".to_owned()),
            ("tzid", zone.name().to_owned()),
        ];
        let answer: Answer = self
            .client
            .get_json(PROVIDER, &self.json_url, &query)
            .await?;
        if answer.status != "OK" {
            return Err(UpstreamError::malformed(
                PROVIDER,
                format!("status {:?}", answer.status),
            ));
        }
        let results: Results = serde_json::from_value(answer.results)
            .map_err(|e| UpstreamError::malformed(PROVIDER, e))?;
        normalise(&results, at, date)
    }
}

fn normalise(r: &Results, at: Coordinates, date: NaiveDate) -> Result<SunTimes, UpstreamError> {
    let sunrise = event(&r.sunrise)?;
    let sunset = event(&r.sunset)?;
    let solar_noon =
        event(&r.solar_noon)?.ok_or_else(|| UpstreamError::malformed(PROVIDER, "no solar noon"))?;
    // With no sunrise and no sunset the service's day_length does not say whether the sun stayed
    // up or down; the local calculation does.
    let day_length = if sunrise.is_none() && sunset.is_none() {
        solar::compute(at, date, SunSource::SunriseSunset).day_length
    } else {
        TimeDelta::try_seconds(r.day_length)
            .filter(|d| *d >= TimeDelta::zero() && *d <= TimeDelta::hours(24))
            .ok_or_else(|| UpstreamError::malformed(PROVIDER, "day_length out of range"))?
    };
    let twilight = |begin: &str, end: &str| -> Result<Twilight, UpstreamError> {
        Ok(Twilight {
            begin: event(begin)?,
            end: event(end)?,
        })
    };
    Ok(SunTimes {
        date,
        sunrise,
        sunset,
        solar_noon,
        day_length,
        civil: twilight(&r.civil_twilight_begin, &r.civil_twilight_end)?,
        nautical: twilight(&r.nautical_twilight_begin, &r.nautical_twilight_end)?,
        astronomical: twilight(&r.astronomical_twilight_begin, &r.astronomical_twilight_end)?,
        source: SunSource::SunriseSunset,
    })
}

/// An ISO 8601 instant; the service writes an event that does not happen that day (polar day or
/// night, twilight that never ends) as the Unix epoch, `1970-01-01T00:00:01+00:00`.
fn event(raw: &str) -> Result<Option<DateTime<Utc>>, UpstreamError> {
    let at = DateTime::parse_from_rfc3339(raw)
        .map_err(|e| UpstreamError::malformed(PROVIDER, format!("time {raw:?}: {e}")))?;
    Ok((at.year() > 1970).then(|| at.with_timezone(&Utc)))
}
