//! The JSON API, compatible with the course's `cityscape_api`: `/api/sun/{zip}/{country}` and
//! `/api/weather/{zip}/{country}` (postal code first, as the course had it), plus
//! `/api/places/{country}/{postal_code}` with everything the place page shows.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use futures::future::Either;
use serde::{Deserialize, Serialize};

use super::extract::{Path, Query, place_key};
use crate::{
    domain::{
        Coordinates, PlaceKey, Spot,
        clock::{CourseTime, IsoTime, course_duration, iso, utc_offset},
        moon::{MoonPhaseName, moon_at},
        solar::{DayKind, SunSource, SunTimes},
        units::{Units, fahrenheit, inches, mph},
        weather::{DayForecast, Weather},
    },
    error::AppError,
    state::AppState,
    timing::{ServerTiming, timed},
};

/// `GET /api/sun/{zip}/{country}[?date=YYYY-MM-DD]`
///
/// This and `weather` are not `async fn`s: the request is checked first, and only what the
/// waits need (the place's key, the date) goes into the future that waits. An `async fn`
/// keeps its arguments, the URL's strings here, for as long as it waits; at 10,000 requests
/// waiting at once, each byte of that future is 10 kB of the server's memory.
pub fn sun(
    State(state): State<AppState>,
    Path((zip, country)): Path<(String, String)>,
    Query(query): Query<SunQuery>,
) -> impl Future<Output = Result<Response, AppError>> {
    let checked = place_key(&country, &zip)
        .and_then(|key| Ok((key, query.date.as_deref().map(parse_date).transpose()?)));
    checked_first(checked, |(key, date)| async move {
        let (mut timing, place) = match geocoded(&state, &key).await {
            Ok(found) => found,
            Err(answer) => return Ok(answer),
        };
        let date = date.unwrap_or_else(|| place.local_time(Utc::now()).date_naive());
        let (sun, took) = timed(
            state
                .lookups
                .sun_at(place.coordinates, place.time_zone, date),
        )
        .await;
        timing.record("sun", took);
        Ok((
            timing,
            JsonAnswer(SunJson::new(&sun, place.time_zone, state.simulated)),
        )
            .into_response())
    })
}

/// `?units=metric|imperial` (metric when absent).
#[derive(Debug, Deserialize)]
pub struct UnitsQuery {
    pub units: Option<String>,
}

impl UnitsQuery {
    fn units(&self) -> Result<Units, AppError> {
        match self.units.as_deref() {
            None => Ok(Units::Metric),
            Some(text) => Units::parse(text).ok_or_else(|| {
                AppError::BadRequest(format!("units {text:?} is not one of metric or imperial"))
            }),
        }
    }
}

/// `GET /api/weather/{zip}/{country}[?units=imperial]` (not an `async fn`: see `sun`)
pub fn weather(
    State(state): State<AppState>,
    Path((zip, country)): Path<(String, String)>,
    Query(query): Query<UnitsQuery>,
) -> impl Future<Output = Result<Response, AppError>> {
    let checked = query
        .units()
        .and_then(|units| Ok((units, place_key(&country, &zip)?)));
    checked_first(checked, |(units, key)| async move {
        let (mut timing, place) = match geocoded(&state, &key).await {
            Ok(found) => found,
            Err(answer) => return Ok(answer),
        };
        let (weather, took) = timed(state.lookups.weather_at(place.coordinates)).await;
        timing.record("weather", took);
        let body = WeatherJson::new(&*weather?, place.time_zone, units, state.simulated);
        Ok((timing, JsonAnswer(body)).into_response())
    })
}

/// `GET /api/places/{country}/{postal_code}[?units=imperial]`
pub async fn place(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
    Query(query): Query<UnitsQuery>,
) -> Result<Response, AppError> {
    let units = query.units()?;
    let key = place_key(&country, &postal_code)?;
    let (mut timing, place) = match geocoded(&state, &key).await {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let body = report(
        &state,
        PlaceJson::new(&key, &place),
        place.coordinates,
        place.time_zone,
        units,
        &mut timing,
    )
    .await;
    Ok((timing, JsonAnswer(body)).into_response())
}

/// `GET /api/cities/{geonameid}[?units=imperial]`: as `/api/places`, for a city.
pub async fn city(
    State(state): State<AppState>,
    Path(geonameid): Path<String>,
    Query(query): Query<UnitsQuery>,
) -> Result<Response, AppError> {
    let units = query.units()?;
    let city = super::cities::find_city(&state, &geonameid).await?;
    let mut timing = ServerTiming::new();
    let body = report(
        &state,
        super::cities::CityItem::of(&city, None),
        city.coordinates,
        city.time_zone,
        units,
        &mut timing,
    )
    .await;
    Ok((timing, JsonAnswer(body)).into_response())
}

/// A place's or a city's report: its weather and sun times, waited on together.
async fn report<P>(
    state: &AppState,
    place: P,
    at: Coordinates,
    zone: Tz,
    units: Units,
    timing: &mut ServerTiming,
) -> PlaceReportJson<P> {
    let now = Utc::now();
    let today = now.with_timezone(&zone).date_naive();
    let ((weather, weather_took), (sun, sun_took)) = tokio::join!(
        timed(state.lookups.weather_at(at)),
        timed(state.lookups.sun_at(at, zone, today)),
    );
    timing.record("weather", weather_took);
    timing.record("sun", sun_took);
    PlaceReportJson {
        place,
        local_time: iso(now, zone),
        weather_error: weather
            .as_ref()
            .err()
            .map(|e| format!("{}.", e.public_message())),
        weather: weather
            .ok()
            .map(|w| WeatherJson::new(&w, zone, units, state.simulated)),
        sun: SunJson::new(&sun, zone, state.simulated),
        simulated: state.simulated,
    }
}

/// The place of `key`, and a `Server-Timing` with the geocoder's wait in it; when the place
/// cannot be found, the answer saying so (with that timing).
async fn geocoded(state: &AppState, key: &PlaceKey) -> Result<(ServerTiming, Arc<Spot>), Response> {
    let (place, took) = timed(state.lookups.place(key)).await;
    let mut timing = ServerTiming::new();
    timing.record("geocode", took);
    match place {
        Ok(place) => Ok((timing, place)),
        Err(e) => Err((timing, AppError::from(e)).into_response()),
    }
}

/// An answer in JSON, written into room for a whole course answer from the start: axum's `Json`
/// starts at 128 bytes, and grew (a reallocation and a copy) three times for each 1 KB answer
/// of `/api/sun`.
struct JsonAnswer<T>(T);

impl<T: Serialize> IntoResponse for JsonAnswer<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(2048);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(error) => {
                AppError::Internal(format!("answer not written as JSON: {error}")).into_response()
            }
        }
    }
}

/// Answers at once when the request's checks failed; otherwise waits with what they gave.
/// What `sun` and `weather` return: only `waits`' future holds anything through the waits.
fn checked_first<T, F>(
    checked: Result<T, AppError>,
    waits: impl FnOnce(T) -> F,
) -> impl Future<Output = Result<Response, AppError>>
where
    F: Future<Output = Result<Response, AppError>>,
{
    match checked {
        Ok(checked) => Either::Right(waits(checked)),
        Err(error) => Either::Left(std::future::ready(Err(error))),
    }
}

#[derive(Debug, Deserialize)]
pub struct SunQuery {
    pub date: Option<String>,
}

fn parse_date(raw: &str) -> Result<NaiveDate, AppError> {
    let bad = || {
        AppError::BadRequest(format!(
            "date {raw:?} is not a date between 1900-01-01 and 2100-12-31 written YYYY-MM-DD"
        ))
    };
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| bad())?;
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).ok_or_else(bad)?;
    let latest = NaiveDate::from_ymd_opt(2100, 12, 31).ok_or_else(bad)?;
    (earliest..=latest)
        .contains(&date)
        .then_some(date)
        .ok_or_else(bad)
}

/// The course's keys and formats (`hh:mm:ss AM` local time, `H:MM:SS` day length), then more.
#[derive(Debug, Serialize)]
pub struct SunJson {
    pub sunrise: Option<CourseTime>,
    pub sunset: Option<CourseTime>,
    pub solar_noon: CourseTime,
    pub day_length: String,
    pub civil_twilight_begin: Option<CourseTime>,
    pub civil_twilight_end: Option<CourseTime>,
    pub nautical_twilight_begin: Option<CourseTime>,
    pub nautical_twilight_end: Option<CourseTime>,
    pub astronomical_twilight_begin: Option<CourseTime>,
    pub astronomical_twilight_end: Option<CourseTime>,
    /// `YYYY-MM-DD`, as chrono writes a date.
    pub date: NaiveDate,
    pub timezone: &'static str,
    pub utc_offset: String,
    pub day_kind: DayKind,
    pub day_length_seconds: i64,
    pub source: SunSource,
    /// The moon on this day (at solar noon), computed here.
    pub moon_phase: MoonPhaseName,
    /// The lit fraction of the moon's disc, 0 to 1, to three decimals.
    pub moon_illumination: f64,
    /// The same events as RFC 3339 instants in the place's zone.
    pub iso: SunIso,
    pub simulated: bool,
}

#[derive(Debug, Serialize)]
pub struct SunIso {
    pub sunrise: Option<IsoTime>,
    pub sunset: Option<IsoTime>,
    pub solar_noon: IsoTime,
    pub civil_twilight_begin: Option<IsoTime>,
    pub civil_twilight_end: Option<IsoTime>,
    pub nautical_twilight_begin: Option<IsoTime>,
    pub nautical_twilight_end: Option<IsoTime>,
    pub astronomical_twilight_begin: Option<IsoTime>,
    pub astronomical_twilight_end: Option<IsoTime>,
}

impl SunJson {
    pub fn new(sun: &SunTimes, zone: Tz, simulated: bool) -> Self {
        // Each instant is converted to the zone once, for both of its formats.
        let local = |at: DateTime<Utc>| CourseTime::new(at, zone);
        let (sunrise, sunset) = (sun.sunrise.map(local), sun.sunset.map(local));
        let solar_noon = local(sun.solar_noon);
        let twilights = [sun.civil, sun.nautical, sun.astronomical]
            .map(|twilight| (twilight.begin.map(local), twilight.end.map(local)));
        let [civil, nautical, astronomical] = twilights;
        let iso = |at: Option<CourseTime>| at.map(CourseTime::iso);
        let moon = moon_at(sun.solar_noon);
        Self {
            moon_phase: moon.phase,
            moon_illumination: (moon.illumination * 1000.0).round() / 1000.0,
            sunrise,
            sunset,
            solar_noon,
            day_length: course_duration(sun.day_length),
            civil_twilight_begin: civil.0,
            civil_twilight_end: civil.1,
            nautical_twilight_begin: nautical.0,
            nautical_twilight_end: nautical.1,
            astronomical_twilight_begin: astronomical.0,
            astronomical_twilight_end: astronomical.1,
            date: sun.date,
            timezone: zone.name(),
            utc_offset: utc_offset(sun.solar_noon.with_timezone(&zone)),
            day_kind: sun.day_kind(),
            day_length_seconds: sun.day_length.num_seconds(),
            source: sun.source,
            iso: SunIso {
                sunrise: iso(sunrise),
                sunset: iso(sunset),
                solar_noon: solar_noon.iso(),
                civil_twilight_begin: iso(civil.0),
                civil_twilight_end: iso(civil.1),
                nautical_twilight_begin: iso(nautical.0),
                nautical_twilight_end: iso(nautical.1),
                astronomical_twilight_begin: iso(astronomical.0),
                astronomical_twilight_end: iso(astronomical.1),
            },
            simulated,
        }
    }
}

/// Weather in metric units (or imperial when asked), whatever the provider; each field's name
/// says its unit.
#[derive(Debug, Serialize)]
pub struct WeatherJson {
    /// `metric` or `imperial`.
    pub units: &'static str,
    /// `null` where the provider gave no value.
    #[serde(flatten)]
    pub readings: Readings,
    pub humidity_percent: Option<f64>,
    /// Where the wind blows from, degrees clockwise from north.
    pub wind_direction_deg: Option<f64>,
    pub weather_code: Option<u8>,
    pub description: Option<&'static str>,
    pub observed_at: String,
    pub timezone: String,
    pub source: &'static str,
    /// Every hour the provider gave (Open-Meteo: the seven days from the place's midnight).
    pub hourly: Vec<HourJson>,
    /// Today and the days after it (7 in all from Open-Meteo), by the place's local dates.
    pub daily: Vec<DayJson>,
    pub simulated: bool,
}

#[derive(Debug, Serialize)]
pub struct DayJson {
    /// `2026-11-28`, the place's local date.
    pub date: String,
    pub weather_code: Option<u8>,
    pub description: Option<&'static str>,
    #[serde(flatten)]
    pub readings: DayReadings,
    pub precipitation_probability_max: Option<f64>,
    pub wind_direction_dominant_deg: Option<f64>,
    pub uv_index_max: Option<f64>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum DayReadings {
    Metric {
        temperature_max_c: Option<f64>,
        temperature_min_c: Option<f64>,
        precipitation_sum_mm: Option<f64>,
        wind_speed_max_kmh: Option<f64>,
    },
    Imperial {
        temperature_max_f: Option<f64>,
        temperature_min_f: Option<f64>,
        precipitation_sum_in: Option<f64>,
        wind_speed_max_mph: Option<f64>,
    },
}

impl DayJson {
    fn new(day: &DayForecast, units: Units) -> Self {
        Self {
            date: day.date.to_string(),
            weather_code: day.code.map(|c| c.0),
            description: day.code.map(|c| c.describe()),
            readings: match units {
                Units::Metric => DayReadings::Metric {
                    temperature_max_c: day.max_c,
                    temperature_min_c: day.min_c,
                    precipitation_sum_mm: day.precipitation_mm,
                    wind_speed_max_kmh: day.wind_max_kmh,
                },
                Units::Imperial => DayReadings::Imperial {
                    temperature_max_f: tenth(day.max_c, fahrenheit),
                    temperature_min_f: tenth(day.min_c, fahrenheit),
                    // Rain in inches to the hundredth, as US forecasts give it.
                    precipitation_sum_in: day
                        .precipitation_mm
                        .map(|mm| (inches(mm) * 100.0).round() / 100.0),
                    wind_speed_max_mph: tenth(day.wind_max_kmh, mph),
                },
            },
            precipitation_probability_max: day.precipitation_probability,
            wind_direction_dominant_deg: day.wind_from_degrees,
            uv_index_max: day.uv_index_max,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Readings {
    Metric {
        temperature_c: Option<f64>,
        feels_like_c: Option<f64>,
        wind_speed_kmh: Option<f64>,
    },
    Imperial {
        temperature_f: Option<f64>,
        feels_like_f: Option<f64>,
        wind_speed_mph: Option<f64>,
    },
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum HourTemperature {
    Metric { temperature_c: Option<f64> },
    Imperial { temperature_f: Option<f64> },
}

/// A converted value to the tenth (the provider's own are to the tenth too).
fn tenth(value: Option<f64>, convert: fn(f64) -> f64) -> Option<f64> {
    value.map(|v| (convert(v) * 10.0).round() / 10.0)
}

fn temperature(celsius: Option<f64>, units: Units) -> HourTemperature {
    match units {
        Units::Metric => HourTemperature::Metric {
            temperature_c: celsius,
        },
        Units::Imperial => HourTemperature::Imperial {
            temperature_f: tenth(celsius, fahrenheit),
        },
    }
}

#[derive(Debug, Serialize)]
pub struct HourJson {
    pub time: String,
    #[serde(flatten)]
    pub temperature: HourTemperature,
    pub precipitation_probability: Option<f64>,
    pub weather_code: Option<u8>,
    pub description: Option<&'static str>,
}

impl WeatherJson {
    pub fn new(weather: &Weather, zone: Tz, units: Units, simulated: bool) -> Self {
        let today = Utc::now().with_timezone(&zone).date_naive();
        Self {
            units: units.as_str(),
            readings: match units {
                Units::Metric => Readings::Metric {
                    temperature_c: weather.temperature_c,
                    feels_like_c: weather.feels_like_c,
                    wind_speed_kmh: weather.wind_speed_kmh,
                },
                Units::Imperial => Readings::Imperial {
                    temperature_f: tenth(weather.temperature_c, fahrenheit),
                    feels_like_f: tenth(weather.feels_like_c, fahrenheit),
                    wind_speed_mph: tenth(weather.wind_speed_kmh, mph),
                },
            },
            humidity_percent: weather.humidity_percent,
            wind_direction_deg: weather.wind_from_degrees,
            weather_code: weather.code.map(|c| c.0),
            description: weather.code.map(|c| c.describe()),
            observed_at: iso(weather.observed_at, zone),
            timezone: zone.name().to_owned(),
            source: weather.source,
            hourly: weather
                .hours
                .iter()
                .map(|h| HourJson {
                    time: iso(h.at, zone),
                    temperature: temperature(h.temperature_c, units),
                    precipitation_probability: h.precipitation_probability,
                    weather_code: h.code.map(|c| c.0),
                    description: h.code.map(|c| c.describe()),
                })
                .collect(),
            daily: weather
                .days_from(today)
                .map(|d| DayJson::new(d, units))
                .collect(),
            simulated,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PlaceJson {
    pub country_code: &'static str,
    pub country: &'static str,
    pub postal_code: String,
    pub name: String,
    pub region: String,
    pub region_code: String,
    pub latitude: f64,
    pub longitude: f64,
    pub timezone: String,
}

impl PlaceJson {
    fn new(key: &PlaceKey, place: &Spot) -> Self {
        Self {
            country_code: key.country.as_str(),
            country: key.country.name(),
            postal_code: key.postal_code.to_string(),
            name: place.name.clone(),
            region: place.region.clone(),
            region_code: place.region_code.clone(),
            latitude: place.coordinates.latitude,
            longitude: place.coordinates.longitude,
            timezone: place.time_zone.name().to_owned(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PlaceReportJson<P> {
    /// `PlaceJson` for a postal code's place, `CityItem` for a city.
    pub place: P,
    pub local_time: String,
    pub weather: Option<WeatherJson>,
    /// Why `weather` is null, when it is.
    pub weather_error: Option<String>,
    pub sun: SunJson,
    pub simulated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_and_in_range() {
        assert!(parse_date("2026-07-01").is_ok());
        for bad in [
            "2026-02-30",
            "tomorrow",
            "2026-7-1x",
            "1899-12-31",
            "2101-01-01",
            "",
        ] {
            assert!(
                matches!(parse_date(bad), Err(AppError::BadRequest(_))),
                "{bad:?}"
            );
        }
    }
}

#[cfg(test)]
mod properties {
    //! Whatever comes as `?date=`, it is a day from 1900 to 2100 or a 400.

    use chrono::Days;
    use proptest::{prelude::*, sample::Index};

    use super::*;

    fn first_day() -> NaiveDate {
        NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
    }

    fn last_day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or_default()
    }

    /// Any text, date-like shapes with signs and long fields, and dates around the range.
    fn date_query() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(any::<char>(), 0..16)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
            "[ +-]?[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}[ T]?",
            (1_800i32..2_200, 0u32..14, 0u32..33)
                .prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        ]
    }

    proptest! {
        #[test]
        fn a_date_query_is_a_day_in_range_or_a_bad_request(raw in date_query()) {
            match parse_date(&raw) {
                Ok(date) => {
                    prop_assert!((first_day()..=last_day()).contains(&date), "{raw:?}: {date}");
                    let written = date.format("%Y-%m-%d").to_string();
                    prop_assert_eq!(parse_date(&written).ok(), Some(date));
                }
                Err(error) => {
                    prop_assert!(matches!(error, AppError::BadRequest(_)), "{raw:?}: {error}");
                }
            }
        }

        #[test]
        fn every_day_from_1900_to_2100_is_accepted_as_written(day in any::<Index>()) {
            let span = usize::try_from((last_day() - first_day()).num_days()).unwrap_or_default();
            let date = first_day() + Days::new(day.index(span + 1) as u64);
            let written = date.format("%Y-%m-%d").to_string();
            prop_assert_eq!(parse_date(&written).ok(), Some(date));
        }
    }
}
