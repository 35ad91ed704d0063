//! The sun at a place month by month, computed here:
//! `GET /places/{country}/{postal_code}/sun?month=YYYY-MM` (a page with the daylight through the
//! year), `…/sun.csv?month=YYYY-MM` (the same month as CSV) and `…/sun.ics` (sunrise and sunset
//! for the next 30 days, for a calendar app to subscribe to).

use std::sync::Arc;

use askama::Template;
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::{
    extract::{Path, Query, place_key},
    render::render,
};
use crate::{
    charts::daylight_year::DaylightYear,
    cookies,
    domain::{
        PlaceKey, Spot,
        clock::page_duration,
        solar::{SunSource, compute},
        sun_calendar::{FIRST_YEAR, LAST_YEAR, Month, SunDay, sun_days},
        units::Preferences,
    },
    error::AppError,
    feeds,
    layout::Layout,
    paths,
    state::AppState,
};

/// How far ahead the subscribed sun calendar reaches.
const FEED_DAYS: u64 = 30;

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
}

/// The place and the month an address asks for (this month at the place when it names none).
async fn place_and_month(
    state: &AppState,
    country: &str,
    postal_code: &str,
    month: Option<&str>,
) -> Result<(PlaceKey, Arc<Spot>, Month), AppError> {
    let key = place_key(country, postal_code)?;
    let asked = month
        .map(|text| {
            Month::parse(text).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "“{}” is not a month Cityscape can show: write it as year and month, like \
                     2026-11, between {FIRST_YEAR} and {LAST_YEAR}.",
                    text.chars().take(40).collect::<String>()
                ))
            })
        })
        .transpose()?;
    let place = state.lookups.place(&key).await?;
    let month = asked.unwrap_or_else(|| Month::of(place.local_time(Utc::now()).date_naive()));
    Ok((key, place, month))
}

/// `GET /places/{country}/{postal_code}/sun[?month=YYYY-MM]`
pub async fn page(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
    Query(query): Query<MonthQuery>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let (key, place, month) =
        place_and_month(&state, &country, &postal_code, query.month.as_deref()).await?;
    let prefs =
        cookies::preferences(&jar).unwrap_or_else(|| Preferences::default_for(&place.country_code));
    let today = place.local_time(Utc::now()).date_naive();
    let page = SunCalendarPage::new(
        state.layout(format!("Sun calendar: {}", place.display_name())),
        &key,
        &place,
        month,
        today,
        prefs,
    );
    Ok(render(&page)?.into_response())
}

/// `GET /places/{country}/{postal_code}/sun.csv[?month=YYYY-MM]`
pub async fn csv(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
    Query(query): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (_, place, month) =
        place_and_month(&state, &country, &postal_code, query.month.as_deref()).await?;
    let days = sun_days(place.coordinates, month);
    let body = month_csv(&days, place.time_zone)
        .map_err(|e| AppError::Internal(format!("sun calendar csv: {e}")))?;
    let file = format!(
        "attachment; filename=\"sun-{}-{month}.csv\"",
        place.key.file_slug()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}

/// `GET /places/{country}/{postal_code}/sun.ics`
pub async fn ics(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let key = place_key(&country, &postal_code)?;
    let place = state.lookups.place(&key).await?;
    let now = Utc::now();
    let today = place.local_time(now).date_naive();
    let days: Vec<_> = today
        .iter_days()
        .take(FEED_DAYS as usize)
        .map(|d| compute(place.coordinates, d, SunSource::Simulated))
        .collect();
    Ok(calendar_response(
        feeds::calendar::sun_times(&key, &place, &days, now),
        &format!("sun-{}.ics", key.slug()),
    ))
}

/// An iCalendar answer, shown by a calendar app (inline) and saved under `file_name`.
pub fn calendar_response(body: String, file_name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// One row per day; times local with their offset (`2026-11-28T07:27:13-08:00`), empty where
/// the event does not happen that day; lengths in seconds.
fn month_csv(days: &[SunDay], zone: Tz) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "date",
        "sunrise",
        "solar_noon",
        "sunset",
        "day_length_s",
        "day_length_change_s",
        "civil_twilight_begin",
        "civil_twilight_end",
        "nautical_twilight_begin",
        "nautical_twilight_end",
        "astronomical_twilight_begin",
        "astronomical_twilight_end",
    ])?;
    let time = |at: Option<DateTime<Utc>>| {
        at.map(|t| t.with_timezone(&zone).to_rfc3339())
            .unwrap_or_default()
    };
    for day in days {
        let sun = &day.times;
        out.write_record([
            sun.date.to_string(),
            time(sun.sunrise),
            time(Some(sun.solar_noon)),
            time(sun.sunset),
            sun.day_length.num_seconds().to_string(),
            day.change.num_seconds().to_string(),
            time(sun.civil.begin),
            time(sun.civil.end),
            time(sun.nautical.begin),
            time(sun.nautical.end),
            time(sun.astronomical.begin),
            time(sun.astronomical.end),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(Template)]
#[template(path = "sun_calendar.html")]
pub struct SunCalendarPage {
    pub layout: Layout,
    pub place_name: String,
    pub place_href: String,
    pub month_title: String,
    pub time_zone: &'static str,
    pub rows: Vec<SunRow>,
    pub previous: Option<(String, String)>,
    pub next: Option<(String, String)>,
    pub csv_href: String,
    pub ics_href: String,
    pub year: Option<DaylightYear>,
}

pub struct SunRow {
    pub date: String,
    pub today: bool,
    pub sunrise: String,
    pub sunset: String,
    pub day_length: String,
    pub change: String,
    pub solar_noon: String,
    pub civil: String,
    pub nautical: String,
    pub astronomical: String,
}

impl SunCalendarPage {
    fn new(
        layout: Layout,
        key: &PlaceKey,
        place: &Spot,
        month: Month,
        today: NaiveDate,
        prefs: Preferences,
    ) -> Self {
        let zone = place.time_zone;
        let base = paths::sun_calendar(key);
        let time = |at: Option<DateTime<Utc>>| {
            at.map(|t| prefs.time(&t.with_timezone(&zone)))
                .unwrap_or_else(|| "–".to_owned())
        };
        let span = |begin, end| format!("{} – {}", time(begin), time(end));
        let rows = sun_days(place.coordinates, month)
            .iter()
            .map(|day| {
                let sun = &day.times;
                SunRow {
                    date: sun.date.format("%a %-d").to_string(),
                    today: sun.date == today,
                    sunrise: time(sun.sunrise),
                    sunset: time(sun.sunset),
                    day_length: page_duration(sun.day_length),
                    change: signed_minutes_seconds(day.change),
                    solar_noon: time(Some(sun.solar_noon)),
                    civil: span(sun.civil.begin, sun.civil.end),
                    nautical: span(sun.nautical.begin, sun.nautical.end),
                    astronomical: span(sun.astronomical.begin, sun.astronomical.end),
                }
            })
            .collect();
        let link = |m: Month| (format!("{base}?month={m}"), m.title());
        Self {
            layout,
            place_name: place.display_name(),
            place_href: paths::spot(&place.key, &place.name),
            month_title: month.title(),
            time_zone: zone.name(),
            rows,
            previous: month.previous().map(link),
            next: month.next().map(link),
            csv_href: format!("{base}.csv?month={month}"),
            ics_href: format!("{base}.ics"),
            // Today is marked when it falls in the year shown.
            year: DaylightYear::new(place.coordinates, zone, month.year(), today),
        }
    }
}

/// `+2:41`, `−0:58`, `0:00`: minutes and seconds longer or shorter than the day before.
fn signed_minutes_seconds(change: TimeDelta) -> String {
    let seconds = change.num_seconds();
    let sign = match seconds.signum() {
        1 => "+",
        -1 => "−",
        _ => "",
    };
    let size = seconds.unsigned_abs();
    format!("{sign}{}:{:02}", size / 60, size % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_signed_minutes_and_seconds() {
        assert_eq!(signed_minutes_seconds(TimeDelta::seconds(161)), "+2:41");
        assert_eq!(signed_minutes_seconds(TimeDelta::seconds(-58)), "−0:58");
        assert_eq!(signed_minutes_seconds(TimeDelta::zero()), "0:00");
    }
}
