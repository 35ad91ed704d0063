//! Sun times from sunrise-sunset.org: `GET {base}/json?lat=..&lng=..&date=..&formatted=0&tzid=..`.
//!
//! `tzid` is sent (beyond the course's request) because the service otherwise reads `date` as a
//! UTC date, and for places far from Greenwich that returns the previous local day's sunset.

use std::ops::RangeInclusive;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
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
    let on_the_day = on_the_day(date);
    let event = |raw: &str| -> Result<Option<DateTime<Utc>>, UpstreamError> {
        match event(raw)? {
            Some(at) if !on_the_day.contains(&at) => Err(UpstreamError::malformed(
                PROVIDER,
                format!("time {raw:?} far from the date asked, {date}"),
            )),
            at => Ok(at),
        }
    };
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

/// When a date's events can happen, wherever on Earth: its local day lies within 14 hours of
/// the UTC day, and twilight may end after the next midnight. A time outside is no answer for
/// the date (a sunrise in 9999 read as "rises in 70,000,000 hours", cached for the day).
fn on_the_day(date: NaiveDate) -> RangeInclusive<DateTime<Utc>> {
    let midnight = date.and_time(NaiveTime::MIN).and_utc();
    let from = midnight
        .checked_sub_signed(TimeDelta::days(1))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let to = midnight
        .checked_add_signed(TimeDelta::days(2))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    from..=to
}

/// An ISO 8601 instant; the service writes an event that does not happen that day (polar day or
/// night, twilight that never ends) as the Unix epoch, `1970-01-01T00:00:01+00:00`.
fn event(raw: &str) -> Result<Option<DateTime<Utc>>, UpstreamError> {
    let at = DateTime::parse_from_rfc3339(raw)
        .map_err(|e| UpstreamError::malformed(PROVIDER, format!("time {raw:?}: {e}")))?;
    Ok((at.year() > 1970).then(|| at.with_timezone(&Utc)))
}

#[cfg(test)]
mod properties {
    //! Whatever sunrise-sunset.org answers, it becomes sun times in the app's terms or a
    //! malformed-answer error, never a panic.

    use chrono::{Days, FixedOffset, Offset};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::upstream::{
        UpstreamErrorKind,
        answer_strategies::{any_json, any_text, spoiled},
    };

    /// Instants as the service writes them (`2026-11-25T15:31:05+00:00`), its "does not happen"
    /// (the Unix epoch), impossible parts and leap seconds, the 12-hour times of `formatted=1`,
    /// instants without an offset, and text that is no time at all.
    fn instant() -> impl Strategy<Value = String> {
        prop_oneof![
            20 => (
                1_900i32..=2_100,
                1u32..=12,
                1u32..=28,
                0u32..=23,
                0u32..=59,
                0u32..=59,
                -1_439i32..=1_439,
            )
                .prop_map(|(y, mo, d, h, mi, s, offset)| {
                    let sign = if offset < 0 { '-' } else { '+' };
                    let (oh, om) = (offset.abs() / 60, offset.abs() % 60);
                    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{sign}{oh:02}:{om:02}")
                }),
            3 => Just("1970-01-01T00:00:01+00:00".to_owned()),
            1 => (0i32..=9_999, 0u32..=13, 0u32..=32, 0u32..=25, 0u32..=61, 0u32..=61).prop_map(
                |(y, mo, d, h, mi, s)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            ),
            1 => "[0-9]{1,2}:[0-9]{2}:[0-9]{2} [AP]M",
            1 => concat!(
                "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}",
                "(\\.[0-9]{1,12})?([+-][0-9]{2}:?[0-9]{2})?",
            ),
            1 => any_text(30),
        ]
    }

    /// Day lengths in seconds: a day's worth, any `i64`, and just past the edges.
    fn day_length() -> impl Strategy<Value = i64> {
        prop_oneof![
            4 => 0i64..=86_400,
            1 => any::<i64>(),
            1 => prop::sample::select(vec![-1i64, 86_401, i64::MAX, i64::MIN]),
        ]
    }

    /// Instants within a day and a half of `date`'s noon, as the service writes them, or any
    /// instant at all.
    fn instant_near(date: NaiveDate) -> impl Strategy<Value = String> {
        let noon = date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        prop_oneof![
            3 => (-129_600i64..=129_600, -840i32..=840).prop_map(move |(seconds, offset)| {
                let zone = FixedOffset::east_opt(offset * 60).unwrap_or_else(|| Utc.fix());
                (noon + TimeDelta::seconds(seconds)).with_timezone(&zone).to_rfc3339()
            }),
            1 => instant(),
        ]
    }

    /// Results whose times are drawn by `instant`.
    fn results(instant: BoxedStrategy<String>) -> impl Strategy<Value = Results> {
        let i = || instant.clone();
        (
            (i(), i(), i()),
            day_length(),
            (i(), i()),
            (i(), i()),
            (i(), i()),
        )
            .prop_map(
                |((sunrise, sunset, solar_noon), day_length, civil, nautical, astronomical)| {
                    Results {
                        sunrise,
                        sunset,
                        solar_noon,
                        day_length,
                        civil_twilight_begin: civil.0,
                        civil_twilight_end: civil.1,
                        nautical_twilight_begin: nautical.0,
                        nautical_twilight_end: nautical.1,
                        astronomical_twilight_begin: astronomical.0,
                        astronomical_twilight_end: astronomical.1,
                    }
                },
            )
    }

    /// Any point on Earth, the poles included.
    fn place() -> impl Strategy<Value = Coordinates> {
        (
            prop_oneof![
                -90.0..=90.0f64,
                prop::sample::select(vec![90.0, -90.0, 0.0])
            ],
            -180.0..=180.0f64,
        )
            .prop_map(|(latitude, longitude)| Coordinates {
                latitude,
                longitude,
            })
    }

    /// Any date the API's `?date=` accepts.
    fn day() -> impl Strategy<Value = NaiveDate> {
        (0u64..=73_413).prop_map(|days| {
            NaiveDate::from_ymd_opt(1900, 1, 1)
                .and_then(|first| first.checked_add_days(Days::new(days)))
                .unwrap_or_default()
        })
    }

    fn status() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => Just("OK".to_owned()),
            1 => Just("INVALID_REQUEST".to_owned()),
            1 => any_text(10),
        ]
    }

    /// The answer as the service would send it.
    fn to_json(status: &str, results: &Results) -> Value {
        json!({
            "status": status,
            "tzid": "UTC",
            "results": {
                "sunrise": results.sunrise,
                "sunset": results.sunset,
                "solar_noon": results.solar_noon,
                "day_length": results.day_length,
                "civil_twilight_begin": results.civil_twilight_begin,
                "civil_twilight_end": results.civil_twilight_end,
                "nautical_twilight_begin": results.nautical_twilight_begin,
                "nautical_twilight_end": results.nautical_twilight_end,
                "astronomical_twilight_begin": results.astronomical_twilight_begin,
                "astronomical_twilight_end": results.astronomical_twilight_end,
            },
        })
    }

    /// What every answer must come to: sun times for the date asked, with a day length of at
    /// most a day (the service's own when the sun rises or sets), or a malformed-answer error.
    fn check(
        result: Result<SunTimes, UpstreamError>,
        results: &Results,
        date: NaiveDate,
    ) -> Result<(), TestCaseError> {
        match result {
            Ok(sun) => {
                prop_assert_eq!(sun.date, date);
                prop_assert_eq!(sun.source, SunSource::SunriseSunset);
                prop_assert!(
                    (TimeDelta::zero()..=TimeDelta::hours(24)).contains(&sun.day_length),
                    "{sun:?}"
                );
                if sun.sunrise.is_some() || sun.sunset.is_some() {
                    prop_assert_eq!(sun.day_length.num_seconds(), results.day_length);
                }
                let day = on_the_day(date);
                let times = [
                    sun.sunrise,
                    sun.sunset,
                    Some(sun.solar_noon),
                    sun.civil.begin,
                    sun.civil.end,
                    sun.nautical.begin,
                    sun.nautical.end,
                    sun.astronomical.begin,
                    sun.astronomical.end,
                ];
                prop_assert!(times.iter().flatten().all(|t| day.contains(t)), "{sun:?}");
            }
            Err(error) => {
                prop_assert!(
                    matches!(error.kind, UpstreamErrorKind::Malformed(_)),
                    "{error}"
                );
            }
        }
        Ok(())
    }

    /// Parses the bytes as `sun_times` does (the envelope, its status, then the results) and
    /// normalises what parses.
    fn read_and_check(bytes: &[u8], at: Coordinates, date: NaiveDate) -> Result<(), TestCaseError> {
        if let Ok(answer) = serde_json::from_slice::<Answer>(bytes)
            && answer.status == "OK"
            && let Ok(results) = serde_json::from_value::<Results>(answer.results)
        {
            check(normalise(&results, at, date), &results, date)?;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn any_results_are_sun_times_or_malformed(
            (date, results) in day()
                .prop_flat_map(|date| (Just(date), results(instant_near(date).boxed()))),
            at in place(),
        ) {
            check(normalise(&results, at, date), &results, date)?;
        }

        #[test]
        fn any_bytes_are_an_answer_or_refused(
            bytes in prop::collection::vec(any::<u8>(), 0..1024),
            at in place(),
            date in day(),
        ) {
            read_and_check(&bytes, at, date)?;
        }

        #[test]
        fn any_json_as_results_is_refused_or_read(
            results in any_json(),
            at in place(),
            date in day(),
        ) {
            let answer = json!({ "status": "OK", "results": results });
            read_and_check(answer.to_string().as_bytes(), at, date)?;
        }

        #[test]
        fn answers_with_fields_of_other_shapes_or_missing_are_refused_or_read(
            json in (status(), results(instant().boxed()))
                .prop_flat_map(|(status, results)| spoiled(to_json(&status, &results))),
            at in place(),
            date in day(),
        ) {
            read_and_check(json.to_string().as_bytes(), at, date)?;
        }
    }
}
