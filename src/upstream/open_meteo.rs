//! Weather from Open-Meteo: `GET {base}/v1/forecast` with current conditions, the hours and the
//! days of the next week.

use std::ops::RangeInclusive;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use serde::Deserialize;

use super::{UpstreamError, WeatherProvider, http::Client};
use crate::domain::{
    Coordinates,
    weather::{DayForecast, HourForecast, Weather, WmoCode},
};

/// The days asked for: today and six more. The hours come for the same days; the page shows
/// the next 48 of them.
const FORECAST_DAYS: &str = "7";
/// The day's summaries, in the order [`Daily`] reads them.
const DAILY: &str = "weather_code,temperature_2m_max,temperature_2m_min,\
precipitation_probability_max,precipitation_sum,wind_speed_10m_max,wind_direction_10m_dominant,\
uv_index_max";

const PROVIDER: &str = "The weather service (open-meteo.com)";
pub const SOURCE: &str = "open-meteo.com";

/// How far from the answer's current conditions its hours and days may lie: they run from the
/// place's midnight over the days asked for. Times beyond are no forecast of that moment, and
/// the page reads them: a chart of hours from 2026 to the year 9999 took that many years in
/// steps of ten minutes to draw.
const SERIES_FROM: TimeDelta = TimeDelta::days(2);
const SERIES_TO: TimeDelta = TimeDelta::days(10);

/// What each reading may be on Earth, with room to spare; one outside (or not a number) is
/// shown as unknown. A huge but finite reading once overflowed the chart's scale into NaN.
const TEMPERATURE_C: RangeInclusive<f64> = -100.0..=70.0;
const PERCENT: RangeInclusive<f64> = 0.0..=100.0;
const WIND_KMH: RangeInclusive<f64> = 0.0..=500.0;
const PRECIPITATION_MM: RangeInclusive<f64> = 0.0..=2_000.0;
const UV_INDEX: RangeInclusive<f64> = 0.0..=50.0;

/// A reading kept when it lies in its range (NaN lies in none).
fn within(range: &RangeInclusive<f64>, value: Option<f64>) -> Option<f64> {
    value.filter(|v| range.contains(v))
}

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
    /// Also the offset of every time in the answer; the zone's name (`timezone`) is not used:
    /// places have their own, found offline from their coordinates.
    utc_offset_seconds: i32,
    current: Current,
    hourly: Hourly,
    /// Absent from an answer that was not asked for days; the page then shows no week ahead.
    #[serde(default)]
    daily: Option<Daily>,
}

/// Degrees in `[0, 360)`: `rem_euclid` alone gives 360 for a tiny negative number (its result
/// rounds up), which a property test found.
fn compass_degrees(degrees: f64) -> f64 {
    let turned = degrees.rem_euclid(360.0);
    if turned >= 360.0 { 0.0 } else { turned }
}

#[cfg(test)]
#[test]
fn a_direction_a_hair_west_of_north_is_north_not_360() {
    assert_eq!(compass_degrees(-1e-14), 0.0);
    assert_eq!(compass_degrees(-90.0), 270.0);
    assert_eq!(compass_degrees(720.5), 0.5);
}

/// Every value may be `null`: the service writes `null` for a number it could not compute
/// (`JsonWriter.swift`), and some models give no `weather_code`.
#[derive(Debug, Deserialize)]
struct Current {
    time: String,
    #[serde(default)]
    temperature_2m: Option<f64>,
    #[serde(default)]
    apparent_temperature: Option<f64>,
    #[serde(default)]
    relative_humidity_2m: Option<f64>,
    #[serde(default)]
    weather_code: Option<f64>,
    #[serde(default)]
    wind_speed_10m: Option<f64>,
    /// Degrees from north the wind blows from.
    #[serde(default)]
    wind_direction_10m: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Hourly {
    time: Vec<String>,
    temperature_2m: Vec<Option<f64>>,
    precipitation_probability: Vec<Option<f64>>,
    weather_code: Vec<Option<f64>>,
}

/// One series per value, a value per day of `time` (`2026-11-28`, the place's local dates).
#[derive(Debug, Deserialize)]
struct Daily {
    time: Vec<String>,
    weather_code: Vec<Option<f64>>,
    temperature_2m_max: Vec<Option<f64>>,
    temperature_2m_min: Vec<Option<f64>>,
    precipitation_probability_max: Vec<Option<f64>>,
    precipitation_sum: Vec<Option<f64>>,
    wind_speed_10m_max: Vec<Option<f64>>,
    wind_direction_10m_dominant: Vec<Option<f64>>,
    uv_index_max: Vec<Option<f64>>,
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
                "temperature_2m,apparent_temperature,relative_humidity_2m,weather_code,wind_speed_10m,wind_direction_10m".to_owned(),
            ),
            ("hourly", "temperature_2m,precipitation_probability,weather_code".to_owned()),
            ("daily", DAILY.to_owned()),
            ("timezone", "auto".to_owned()),
            ("forecast_days", FORECAST_DAYS.to_owned()),
        ];
        let answer: Answer = self
            .client
            .get_json(PROVIDER, &self.forecast_url, &query)
            .await?;
        normalise(answer)
    }
}

/// The answer in the app's terms: the hours in order, and every time near the current one.
fn normalise(answer: Answer) -> Result<Weather, UpstreamError> {
    let clock = LocalClock::new(answer.utc_offset_seconds)?;
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
                temperature_c: within(&TEMPERATURE_C, hourly.temperature_2m[i]),
                precipitation_probability: within(&PERCENT, hourly.precipitation_probability[i]),
                code: hourly.weather_code[i].and_then(wmo_code),
            })
        })
        .collect::<Result<Vec<_>, UpstreamError>>()?;
    let current = &answer.current;
    let observed_at = clock.to_utc(&current.time)?;
    let series = observed_at
        .checked_sub_signed(SERIES_FROM)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
        ..=observed_at
            .checked_add_signed(SERIES_TO)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if !hours.iter().all(|hour| series.contains(&hour.at)) {
        return Err(UpstreamError::malformed(
            PROVIDER,
            "hours far from the current time",
        ));
    }
    if !hours.is_sorted_by(|earlier, later| earlier.at < later.at) {
        return Err(UpstreamError::malformed(PROVIDER, "hours out of order"));
    }
    let days = answer
        .daily
        .as_ref()
        .map(days)
        .transpose()?
        .unwrap_or_default();
    let dates = series.start().date_naive()..=series.end().date_naive();
    if !days.iter().all(|day| dates.contains(&day.date)) {
        return Err(UpstreamError::malformed(
            PROVIDER,
            "days far from the current time",
        ));
    }
    Ok(Weather {
        observed_at,
        temperature_c: within(&TEMPERATURE_C, current.temperature_2m),
        feels_like_c: within(&TEMPERATURE_C, current.apparent_temperature),
        humidity_percent: within(&PERCENT, current.relative_humidity_2m),
        wind_speed_kmh: within(&WIND_KMH, current.wind_speed_10m),
        wind_from_degrees: current
            .wind_direction_10m
            .filter(|d| d.is_finite())
            .map(compass_degrees),
        code: current.weather_code.and_then(wmo_code),
        hours,
        days,
        source: SOURCE,
    })
}

fn days(daily: &Daily) -> Result<Vec<DayForecast>, UpstreamError> {
    let count = daily.time.len();
    let series = [
        &daily.weather_code,
        &daily.temperature_2m_max,
        &daily.temperature_2m_min,
        &daily.precipitation_probability_max,
        &daily.precipitation_sum,
        &daily.wind_speed_10m_max,
        &daily.wind_direction_10m_dominant,
        &daily.uv_index_max,
    ];
    if series.iter().any(|s| s.len() != count) {
        return Err(UpstreamError::malformed(
            PROVIDER,
            "daily series of different lengths",
        ));
    }
    let finite = |series: &[Option<f64>], i: usize| {
        series.get(i).copied().flatten().filter(|v| v.is_finite())
    };
    let reading = |range: &RangeInclusive<f64>, series: &[Option<f64>], i: usize| {
        within(range, series.get(i).copied().flatten())
    };
    daily
        .time
        .iter()
        .enumerate()
        .map(|(i, date)| {
            Ok(DayForecast {
                date: NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| {
                    UpstreamError::malformed(PROVIDER, format!("date {date:?}: {e}"))
                })?,
                code: finite(&daily.weather_code, i).and_then(wmo_code),
                max_c: reading(&TEMPERATURE_C, &daily.temperature_2m_max, i),
                min_c: reading(&TEMPERATURE_C, &daily.temperature_2m_min, i),
                precipitation_probability: reading(
                    &PERCENT,
                    &daily.precipitation_probability_max,
                    i,
                ),
                precipitation_mm: reading(&PRECIPITATION_MM, &daily.precipitation_sum, i),
                wind_max_kmh: reading(&WIND_KMH, &daily.wind_speed_10m_max, i),
                wind_from_degrees: finite(&daily.wind_direction_10m_dominant, i)
                    .map(compass_degrees),
                uv_index_max: reading(&UV_INDEX, &daily.uv_index_max, i),
            })
        })
        .collect()
}

fn wmo_code(raw: f64) -> Option<WmoCode> {
    (raw.fract() == 0.0 && (0.0..=255.0).contains(&raw)).then_some(WmoCode(raw as u8))
}

/// Reads the answer's local times. With `timezone=auto` Open-Meteo writes every time of a series
/// with the one offset valid when it answered (`utc_offset_seconds`), without adjusting for a
/// daylight-saving change inside the 48 hours (its maintainers say so in its issues #261 and
/// #1255). So an instant is the naive time minus that offset, never the naive time read in the
/// IANA zone, which would put two hours on one instant in spring and lose one in autumn.
struct LocalClock {
    offset: FixedOffset,
}

impl LocalClock {
    fn new(offset_seconds: i32) -> Result<Self, UpstreamError> {
        let offset = FixedOffset::east_opt(offset_seconds)
            .ok_or_else(|| UpstreamError::malformed(PROVIDER, "bad utc_offset_seconds"))?;
        Ok(Self { offset })
    }

    fn to_utc(&self, local: &str) -> Result<DateTime<Utc>, UpstreamError> {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .map_err(|e| UpstreamError::malformed(PROVIDER, format!("time {local:?}: {e}")))?;
        self.offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                UpstreamError::malformed(PROVIDER, format!("time {local:?} out of range"))
            })
    }
}

#[cfg(test)]
mod properties {
    //! Whatever Open-Meteo answers, it becomes weather in the app's terms or a malformed-answer
    //! error, never a panic.

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::{
        charts::forecast::ForecastChart,
        domain::units::Preferences,
        upstream::{
            UpstreamErrorKind,
            answer_strategies::{any_json, any_text, spoiled},
        },
    };

    /// Numbers as an answer might hold them, with NaN and the infinities, which JSON cannot
    /// carry but a struct can.
    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -60.0..60.0f64,
            1 => prop::num::f64::ANY,
            1 => prop::sample::select(vec![0.0, -0.0, 1e308, -1e308, f64::MAX, f64::MIN_POSITIVE]),
        ]
    }

    /// Weather codes: documented ones, other whole numbers, fractions, anything.
    fn code_number() -> impl Strategy<Value = f64> {
        prop_oneof![
            3 => (0u8..=99).prop_map(f64::from),
            1 => (-1_000i32..1_000).prop_map(f64::from),
            1 => -300.0..300.0f64,
            1 => prop::num::f64::ANY,
        ]
    }

    /// The moment most of the properties' times lie near, as a forecast's times lie near its
    /// current conditions.
    fn asked_at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_608_000, 0).unwrap_or_default() // 2026-11-25T12:00Z
    }

    /// `2026-11-25T14:00`, as Open-Meteo writes a local time.
    fn written(time: NaiveDateTime) -> String {
        time.format("%Y-%m-%dT%H:%M").to_string()
    }

    /// Local times within a few days of [`asked_at`], on either side of what a forecast of
    /// then may hold.
    fn time_near() -> impl Strategy<Value = NaiveDateTime> {
        (-4 * 24 * 60..=12 * 24 * 60i64)
            .prop_map(|minutes| asked_at().naive_utc() + TimeDelta::minutes(minutes))
    }

    /// Local times as Open-Meteo writes them (`2026-11-25T14:00`), far from now, with
    /// impossible parts, years out of range, other date-time shapes, or not times at all.
    fn local_time() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => time_near().prop_map(written),
            2 => (1_990i32..=2_100, 1u32..=12, 1u32..=31, 0u32..=23, 0u32..=59).prop_map(
                |(y, mo, d, h, mi)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}")
            ),
            1 => (-300_000i32..=300_000, 0u32..=13, 0u32..=32, 0u32..=25, 0u32..=61).prop_map(
                |(y, mo, d, h, mi)| format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}")
            ),
            1 => concat!(
                "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}",
                "(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?",
            ),
            1 => any_text(20),
        ]
    }

    /// Zone names: every one chrono-tz knows, a few it does not, and any text.
    fn zone_name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(&chrono_tz::TZ_VARIANTS[..])
                .prop_map(|zone| zone.name().to_owned()),
            1 => prop::sample::select(vec!["GMT", "", "auto", "Etc/GMT+12", "Mars/Olympus_Mons"])
                .prop_map(str::to_owned),
            1 => any_text(20),
        ]
    }

    /// Offsets: real ones, the edge of what `FixedOffset` takes, and any `i32`.
    fn offset_seconds() -> impl Strategy<Value = i32> {
        prop_oneof![
            4 => -50_400i32..=50_400,
            1 => any::<i32>(),
            1 => prop::sample::select(vec![86_399, -86_399, 86_400, -86_400, i32::MIN, i32::MAX]),
        ]
    }

    /// How long one hourly series is: mostly as long as the times, sometimes not.
    fn length_near(times: usize) -> impl Strategy<Value = usize> {
        prop_oneof![4 => Just(times), 1 => 0usize..6]
    }

    fn current() -> impl Strategy<Value = Current> {
        (
            local_time(),
            prop::option::of(number()),
            prop::option::of(number()),
            prop::option::of(number()),
            prop::option::of(code_number()),
            prop::option::of(number()),
            prop::option::of(number()),
        )
            .prop_map(
                |(time, temperature, feels_like, humidity, code, wind, direction)| Current {
                    time,
                    temperature_2m: temperature,
                    apparent_temperature: feels_like,
                    relative_humidity_2m: humidity,
                    weather_code: code,
                    wind_speed_10m: wind,
                    wind_direction_10m: direction,
                },
            )
    }

    fn hourly() -> impl Strategy<Value = Hourly> {
        (0usize..6)
            .prop_flat_map(|times| {
                (
                    Just(times),
                    length_near(times),
                    length_near(times),
                    length_near(times),
                )
            })
            .prop_flat_map(|(times, temperatures, chances, codes)| {
                (
                    prop_oneof![
                        // A series hour by hour, as the service writes one.
                        3 => time_near().prop_map(move |first| {
                            (0..times)
                                .map(|h| written(first + TimeDelta::hours(h as i64)))
                                .collect()
                        }),
                        1 => prop::collection::vec(local_time(), times),
                    ],
                    prop::collection::vec(prop::option::of(number()), temperatures),
                    prop::collection::vec(prop::option::of(number()), chances),
                    prop::collection::vec(prop::option::of(code_number()), codes),
                )
            })
            .prop_map(
                |(time, temperature_2m, precipitation_probability, weather_code)| Hourly {
                    time,
                    temperature_2m,
                    precipitation_probability,
                    weather_code,
                },
            )
    }

    /// Dates as Open-Meteo writes them (`2026-11-28`), impossible ones, or any text.
    fn local_date() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => time_near().prop_map(|time| time.date().to_string()),
            2 => (1_990i32..=2_100, 1u32..=12, 1u32..=31)
                .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            1 => (0u32..=13, 0u32..=32).prop_map(|(m, d)| format!("2026-{m:02}-{d:02}")),
            1 => any_text(12),
        ]
    }

    /// A daily series for `days` days: mostly that long, sometimes not.
    fn day_series(days: usize, codes: bool) -> impl Strategy<Value = Vec<Option<f64>>> {
        length_near(days).prop_flat_map(move |n| {
            let value = if codes {
                code_number().boxed()
            } else {
                number().boxed()
            };
            prop::collection::vec(prop::option::of(value), n)
        })
    }

    fn daily() -> impl Strategy<Value = Option<Daily>> {
        let days = (0usize..8).prop_flat_map(|days| {
            (
                prop::collection::vec(local_date(), days),
                day_series(days, true),
                day_series(days, false),
                day_series(days, false),
                day_series(days, false),
                day_series(days, false),
                day_series(days, false),
                day_series(days, false),
                day_series(days, false),
            )
                .prop_map(
                    |(time, code, max, min, chance, sum, wind, direction, uv)| Daily {
                        time,
                        weather_code: code,
                        temperature_2m_max: max,
                        temperature_2m_min: min,
                        precipitation_probability_max: chance,
                        precipitation_sum: sum,
                        wind_speed_10m_max: wind,
                        wind_direction_10m_dominant: direction,
                        uv_index_max: uv,
                    },
                )
        });
        prop::option::of(days)
    }

    fn answer() -> impl Strategy<Value = Answer> {
        (zone_name(), offset_seconds(), current(), hourly(), daily()).prop_map(
            |(_zone, utc_offset_seconds, current, hourly, daily)| Answer {
                utc_offset_seconds,
                current,
                hourly,
                daily,
            },
        )
    }

    /// The answer as the service would send it; NaN and infinity become `null`.
    fn to_json(answer: &Answer) -> Value {
        let current = &answer.current;
        let hourly = &answer.hourly;
        json!({
            "latitude": 45.5,
            "longitude": -122.7,
            "timezone": "America/Los_Angeles",
            "utc_offset_seconds": answer.utc_offset_seconds,
            "current": {
                "time": current.time,
                "interval": 900,
                "temperature_2m": current.temperature_2m,
                "apparent_temperature": current.apparent_temperature,
                "relative_humidity_2m": current.relative_humidity_2m,
                "weather_code": current.weather_code,
                "wind_speed_10m": current.wind_speed_10m,
                "wind_direction_10m": current.wind_direction_10m,
            },
            "hourly": {
                "time": hourly.time,
                "temperature_2m": hourly.temperature_2m,
                "precipitation_probability": hourly.precipitation_probability,
                "weather_code": hourly.weather_code,
            },
            "daily": answer.daily.as_ref().map(|daily| json!({
                "time": daily.time,
                "weather_code": daily.weather_code,
                "temperature_2m_max": daily.temperature_2m_max,
                "temperature_2m_min": daily.temperature_2m_min,
                "precipitation_probability_max": daily.precipitation_probability_max,
                "precipitation_sum": daily.precipitation_sum,
                "wind_speed_10m_max": daily.wind_speed_10m_max,
                "wind_direction_10m_dominant": daily.wind_direction_10m_dominant,
                "uv_index_max": daily.uv_index_max,
            })),
        })
    }

    /// What every answer must come to: weather whose numbers are all real and whose hours are
    /// the answer's, or a malformed-answer error.
    fn check(
        result: Result<Weather, UpstreamError>,
        hours: usize,
        days: usize,
    ) -> Result<(), TestCaseError> {
        match result {
            Ok(weather) => {
                let now = weather.observed_at;
                prop_assert_eq!(weather.hours.len(), hours);
                prop_assert_eq!(weather.days.len(), days);
                prop_assert!(weather.hours.is_sorted_by(|a, b| a.at < b.at));
                prop_assert!(
                    weather
                        .hours
                        .iter()
                        .all(|h| (-SERIES_FROM..=SERIES_TO).contains(&(h.at - now))),
                    "{:?}",
                    weather.hours
                );
                // What the page draws of any weather taken, at the time it was observed: it must
                // come out, and soon.
                let next: Vec<_> = weather.next_hours(now, 48).collect();
                let chart = ForecastChart::new(
                    &next,
                    Coordinates {
                        latitude: 69.65,
                        longitude: 18.96,
                    },
                    chrono_tz::Tz::Europe__Oslo,
                    Preferences::default_for("no"),
                );
                prop_assert_eq!(chart.is_some(), next.len() >= 2);
                if let Some(chart) = chart {
                    // The numbers drawn: not the description, whose words may hold "inf".
                    let drawn = format!(
                        "{} {} {:?} {:?} {:?}",
                        chart.nights, chart.rain, chart.lines, chart.ticks, chart.scale
                    );
                    prop_assert!(!drawn.contains("NaN") && !drawn.contains("inf"), "{drawn}");
                }
                for day in &weather.days {
                    let values = [
                        (&TEMPERATURE_C, day.max_c),
                        (&TEMPERATURE_C, day.min_c),
                        (&PERCENT, day.precipitation_probability),
                        (&PRECIPITATION_MM, day.precipitation_mm),
                        (&WIND_KMH, day.wind_max_kmh),
                        (&UV_INDEX, day.uv_index_max),
                    ];
                    prop_assert!(
                        values
                            .iter()
                            .all(|(range, n)| n.is_none_or(|n| range.contains(&n))),
                        "{day:?}"
                    );
                    prop_assert!(
                        day.wind_from_degrees
                            .is_none_or(|d| (0.0..360.0).contains(&d)),
                        "{day:?}"
                    );
                }
                let now = [
                    (&TEMPERATURE_C, weather.temperature_c),
                    (&TEMPERATURE_C, weather.feels_like_c),
                    (&PERCENT, weather.humidity_percent),
                    (&WIND_KMH, weather.wind_speed_kmh),
                ];
                prop_assert!(
                    now.iter()
                        .all(|(range, n)| n.is_none_or(|n| range.contains(&n))),
                    "{now:?}"
                );
                prop_assert!(
                    weather
                        .wind_from_degrees
                        .is_none_or(|d| (0.0..360.0).contains(&d)),
                    "{:?}",
                    weather.wind_from_degrees
                );
                for hour in &weather.hours {
                    prop_assert!(
                        hour.temperature_c
                            .is_none_or(|t| TEMPERATURE_C.contains(&t))
                            && hour
                                .precipitation_probability
                                .is_none_or(|p| PERCENT.contains(&p)),
                        "{hour:?}"
                    );
                }
                prop_assert_eq!(weather.source, SOURCE);
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

    /// Parses the bytes as the client does, then normalises what parses.
    fn read_and_check(bytes: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(answer) = serde_json::from_slice::<Answer>(bytes) {
            let hours = answer.hourly.time.len();
            let days = answer.daily.as_ref().map_or(0, |d| d.time.len());
            check(normalise(answer), hours, days)?;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn any_answer_is_weather_or_malformed(answer in answer()) {
            let hourly = &answer.hourly;
            let lengths = [
                hourly.time.len(),
                hourly.temperature_2m.len(),
                hourly.precipitation_probability.len(),
                hourly.weather_code.len(),
            ];
            let offset_exists = FixedOffset::east_opt(answer.utc_offset_seconds).is_some();
            let code = answer.current.weather_code;
            let days = answer.daily.as_ref().map_or(0, |d| d.time.len());
            let result = normalise(answer);
            if let Ok(weather) = &result {
                prop_assert!(lengths.iter().all(|&n| n == lengths[0]), "lengths {lengths:?}");
                prop_assert!(offset_exists);
                // A code is taken as it is, never rounded or wrapped into range.
                if let Some(taken) = weather.code {
                    prop_assert_eq!(Some(f64::from(taken.0)), code);
                }
            }
            check(result, lengths[0], days)?;
        }

        #[test]
        fn any_bytes_are_an_answer_or_refused(
            bytes in prop::collection::vec(any::<u8>(), 0..1024),
        ) {
            read_and_check(&bytes)?;
        }

        #[test]
        fn any_json_is_an_answer_or_refused(json in any_json()) {
            read_and_check(json.to_string().as_bytes())?;
        }

        #[test]
        fn answers_with_fields_of_other_shapes_or_missing_are_refused_or_read(
            json in answer().prop_flat_map(|answer| spoiled(to_json(&answer))),
        ) {
            read_and_check(json.to_string().as_bytes())?;
        }
    }
}
