//! `GET /places/{country}/{postal_code}`: one page about a place, now.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{
    extract::{Path, place_key},
    layout::{Layout, render},
};
use crate::{
    db,
    domain::{
        Place,
        clock::{page_date_time, page_duration, page_time},
        solar::{DayKind, SunTimes},
        weather::Weather,
    },
    error::AppError,
    state::AppState,
    timing::{ServerTiming, timed},
    upstream::UpstreamError,
};

/// How many forecast hours the page lists.
const FORECAST_HOURS: usize = 12;

pub async fn show(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
) -> Response {
    let key = match place_key(&country, &postal_code) {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let mut timing = ServerTiming::new();
    let (place, took) = timed(state.lookups.place(&key)).await;
    timing.record("geocode", took);
    let place = match place {
        Ok(place) => place,
        Err(e) => return (timing, AppError::from(e)).into_response(),
    };

    let now = Utc::now();
    let today = place.local_time(now).date_naive();
    let ((weather, weather_took), (sun, sun_took), (views, db_took)) = tokio::join!(
        timed(state.lookups.weather(&place)),
        timed(state.lookups.sun(&place, today)),
        timed(db::places::record_view(
            &state.pool,
            state.lookups.source(),
            &place,
            now
        )),
    );
    timing.record("weather", weather_took);
    timing.record("sun", sun_took);
    timing.record("db", db_took);

    // A failed view count costs the page nothing but the count.
    let views = views
        .inspect_err(|error| tracing::warn!(%error, "page view not recorded"))
        .ok();
    let page = PlacePage::new(
        state.layout(place.display_name()),
        &place,
        now,
        weather.as_deref(),
        &sun,
        views,
    );
    match render(&page) {
        Ok(html) => (timing, html).into_response(),
        Err(e) => (timing, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "place.html")]
pub struct PlacePage {
    pub layout: Layout,
    pub name: String,
    pub region: String,
    pub country_name: &'static str,
    pub country_code: String,
    pub postal_code: String,
    pub latitude: String,
    pub longitude: String,
    pub time_zone: String,
    pub local_time: String,
    pub weather: Result<WeatherView, String>,
    pub sun: SunView,
    pub views: Option<i64>,
    pub api_path: String,
}

pub struct WeatherView {
    pub description: &'static str,
    pub temperature: String,
    pub feels_like: String,
    pub humidity: String,
    pub wind: String,
    pub observed_at: String,
    pub source: &'static str,
    pub hours: Vec<HourView>,
}

pub struct HourView {
    pub time: String,
    pub temperature: String,
    pub precipitation: String,
    pub description: &'static str,
}

pub struct SunView {
    pub date: String,
    /// Said instead of sunrise and sunset on polar days and nights.
    pub polar_note: Option<&'static str>,
    pub day_length: String,
    pub events: Vec<SunEvent>,
    pub source: &'static str,
    pub computed_locally: bool,
}

pub struct SunEvent {
    pub label: &'static str,
    /// `None` when the event does not happen that day.
    pub time: Option<String>,
    /// Sunrise, solar noon and sunset stand out from the twilights.
    pub main: bool,
}

impl PlacePage {
    pub fn new(
        layout: Layout,
        place: &Place,
        now: DateTime<Utc>,
        weather: Result<&Weather, &UpstreamError>,
        sun: &SunTimes,
        views: Option<i64>,
    ) -> Self {
        let zone = place.time_zone;
        Self {
            layout,
            name: place.name.clone(),
            region: place.region.clone(),
            country_name: place.country_name(),
            country_code: place.key.country.as_str().to_owned(),
            postal_code: place.key.postal_code.to_string(),
            latitude: format!("{:.4}", place.coordinates.latitude),
            longitude: format!("{:.4}", place.coordinates.longitude),
            time_zone: zone.name().to_owned(),
            local_time: page_date_time(place.local_time(now)),
            weather: weather
                .map(|w| WeatherView::new(w, now, zone))
                .map_err(|e| format!("{}.", e.public_message())),
            sun: SunView::new(sun, zone),
            views,
            api_path: format!(
                "/api/places/{}/{}",
                place.key.country.path_segment(),
                place.key.postal_code.path_segment()
            ),
        }
    }
}

fn degrees(value: f64) -> String {
    format!("{value:.0} °C")
}

impl WeatherView {
    fn new(weather: &Weather, now: DateTime<Utc>, zone: Tz) -> Self {
        Self {
            description: weather.code.describe(),
            temperature: degrees(weather.temperature_c),
            feels_like: degrees(weather.feels_like_c),
            humidity: format!("{:.0} %", weather.humidity_percent),
            wind: format!("{:.0} km/h", weather.wind_speed_kmh),
            observed_at: page_time(weather.observed_at, zone),
            source: weather.source,
            hours: weather
                .next_hours(now, FORECAST_HOURS)
                .map(|hour| HourView {
                    time: page_time(hour.at, zone),
                    temperature: hour
                        .temperature_c
                        .map(degrees)
                        .unwrap_or_else(|| "–".to_owned()),
                    precipitation: hour
                        .precipitation_probability
                        .map(|p| format!("{p:.0} %"))
                        .unwrap_or_else(|| "–".to_owned()),
                    description: hour.code.map(|c| c.describe()).unwrap_or(""),
                })
                .collect(),
        }
    }
}

impl SunView {
    fn new(sun: &SunTimes, zone: Tz) -> Self {
        let time = |at: Option<DateTime<Utc>>| at.map(|t| page_time(t, zone));
        let event = |label, at, main| SunEvent {
            label,
            time: time(at),
            main,
        };
        Self {
            date: sun.date.format("%A %-d %B %Y").to_string(),
            polar_note: match sun.day_kind() {
                DayKind::Normal => None,
                DayKind::PolarDay => Some("Polar day: the sun does not set today."),
                DayKind::PolarNight => Some("Polar night: the sun does not rise today."),
            },
            day_length: page_duration(sun.day_length),
            events: vec![
                event(
                    "Astronomical twilight begins",
                    sun.astronomical.begin,
                    false,
                ),
                event("Nautical twilight begins", sun.nautical.begin, false),
                event("Civil twilight begins", sun.civil.begin, false),
                event("Sunrise", sun.sunrise, true),
                event("Solar noon", Some(sun.solar_noon), true),
                event("Sunset", sun.sunset, true),
                event("Civil twilight ends", sun.civil.end, false),
                event("Nautical twilight ends", sun.nautical.end, false),
                event("Astronomical twilight ends", sun.astronomical.end, false),
            ],
            source: sun.source.describe(),
            computed_locally: sun.source != crate::domain::solar::SunSource::SunriseSunset,
        }
    }
}
