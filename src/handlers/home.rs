//! `GET /`: what Cityscape is, the search form, recent and popular places; and `GET /search`,
//! which sends a valid search to its place page and shows the form again otherwise.

use std::time::Duration;

use askama::Template;
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use chrono::Utc;
use serde::Deserialize;
use tokio::time::{Instant, timeout_at};

use super::{events::authenticity_token, extract::Query, render::render};
use crate::{
    cookies,
    db::places::ViewedPlace,
    domain::{
        CountryCode, PlaceKey, PostalCode, Spot,
        country::{COUNTRIES, Country},
        units::Preferences,
    },
    error::AppError,
    layout::Layout,
    paths,
    state::AppState,
    timing::{ServerTiming, timed},
};

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub form: SearchForm,
    pub recent: Vec<PlaceLink>,
    pub popular: Vec<PlaceLink>,
    pub saved: Vec<SavedPlaceView>,
    pub flash: Option<&'static str>,
    /// For the saved places' Remove buttons.
    pub authenticity_token: String,
}

/// A saved place with its weather now and next sunset, each of which may be missing.
pub struct SavedPlaceView {
    pub href: String,
    pub label: String,
    pub temperature: Option<String>,
    pub conditions: Option<&'static str>,
    pub next_sunset: Option<String>,
    pub problem: Option<String>,
    /// The hidden fields that name the place in its Remove form.
    pub key_fields: Vec<(&'static str, String)>,
}

/// The whole list of saved places is ready within this, whatever the services do: a place
/// whose answers are late shows without them, with a note.
const SAVED_PLACES_DEADLINE: Duration = Duration::from_millis(3500);

/// The search form as the person left it, with a message per wrong field.
#[derive(Debug, Default)]
pub struct SearchForm {
    pub postal_code: String,
    pub country: String,
    pub postal_code_error: Option<String>,
    pub country_error: Option<String>,
}

impl SearchForm {
    pub fn countries(&self) -> &'static [Country] {
        COUNTRIES
    }

    /// Whether the select shows this country chosen; the United States until told otherwise,
    /// as in the course.
    pub fn is_selected(&self, code: &str) -> bool {
        if self.country.is_empty() {
            code == "US"
        } else {
            self.country.eq_ignore_ascii_case(code)
        }
    }

    pub fn has_errors(&self) -> bool {
        self.postal_code_error.is_some() || self.country_error.is_some()
    }
}

pub struct PlaceLink {
    pub href: String,
    pub label: String,
    pub detail: String,
}

impl PlaceLink {
    fn from_row(row: &ViewedPlace, detail: String) -> Self {
        Self {
            href: paths::spot(&row.spot.key, &row.spot.name),
            label: row.spot.list_label(),
            detail,
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    csrf: CsrfToken,
    jar: CookieJar,
) -> Result<Response, AppError> {
    home_page(&state, SearchForm::default(), StatusCode::OK, csrf, jar).await
}

async fn home_page(
    state: &AppState,
    form: SearchForm,
    status: StatusCode,
    csrf: CsrfToken,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let (jar, flash) = cookies::take_flash(jar);
    let visitor = cookies::visitor_id(&jar);
    let prefs = cookies::preferences(&jar);
    let ((lists, db_took), (saved, saved_took)) = tokio::join!(
        timed(state.views.lists()),
        timed(saved_places(state, visitor.as_deref(), prefs))
    );
    let lists = lists?;
    let mut timing = ServerTiming::new();
    timing.record("db", db_took);
    timing.record("saved", saved_took);
    let page = HomePage {
        layout: state.layout("One page about any place"),
        form,
        saved: saved?,
        flash: flash.map(|f| f.message()),
        authenticity_token: authenticity_token(&csrf)?,
        recent: lists
            .recent
            .iter()
            .map(|row| {
                let when = row.last_viewed_at.format("%Y-%m-%d %H:%M");
                PlaceLink::from_row(row, format!("viewed {when} UTC"))
            })
            .collect(),
        popular: lists
            .popular
            .iter()
            .map(|row| {
                let views = row.view_count;
                PlaceLink::from_row(
                    row,
                    format!("{views} view{}", if views == 1 { "" } else { "s" }),
                )
            })
            .collect(),
    };
    Ok((status, csrf, jar, timing, render(&page)?).into_response())
}

/// The visitor's saved places with their weather and next sunset, all fetched at once (a list
/// holds at most `db::saved::MAX_SAVED`) under one deadline; a place whose weather fails or is
/// late still shows, with a note.
async fn saved_places(
    state: &AppState,
    visitor: Option<&str>,
    prefs: Option<Preferences>,
) -> Result<Vec<SavedPlaceView>, AppError> {
    let Some(visitor) = visitor else {
        return Ok(Vec::new());
    };
    let spots = state.store.saved(visitor).await?;
    let deadline = Instant::now() + SAVED_PLACES_DEADLINE;
    Ok(futures::future::join_all(
        spots
            .into_iter()
            .map(|spot| saved_place_view(state, spot, deadline, prefs)),
    )
    .await)
}

/// In the units and clock the visitor chose, else in those of the place's country.
async fn saved_place_view(
    state: &AppState,
    spot: Spot,
    deadline: Instant,
    prefs: Option<Preferences>,
) -> SavedPlaceView {
    let prefs = prefs.unwrap_or_else(|| Preferences::default_for(&spot.country_code));
    let now = Utc::now();
    let zone = spot.time_zone;
    let today = now.with_timezone(&zone).date_naive();
    let at = spot.coordinates;
    // Tomorrow's sun is asked for at once rather than after today's: one wait, not two.
    let sun_tomorrow = async {
        match today.succ_opt() {
            Some(tomorrow) => timeout_at(deadline, state.lookups.sun_at(at, zone, tomorrow))
                .await
                .ok(),
            None => None,
        }
    };
    let (weather, sun_today, sun_tomorrow) = tokio::join!(
        timeout_at(deadline, state.lookups.weather_at(at)),
        timeout_at(deadline, state.lookups.sun_at(at, zone, today)),
        sun_tomorrow,
    );
    let next_sunset = [sun_today.ok(), sun_tomorrow]
        .into_iter()
        .flatten()
        .filter_map(|sun| sun.sunset)
        .find(|sunset| *sunset > now);
    let weather = match weather {
        Ok(Ok(weather)) => Ok(weather),
        Ok(Err(e)) => Err(format!("Weather unavailable: {}.", e.public_message())),
        Err(_) => Err("Weather unavailable: the weather service is taking too long.".to_owned()),
    };
    SavedPlaceView {
        href: paths::spot(&spot.key, &spot.name),
        label: spot.list_label(),
        temperature: weather
            .as_ref()
            .ok()
            .and_then(|w| w.temperature_c)
            .map(|c| prefs.temperature(c)),
        conditions: weather
            .as_ref()
            .ok()
            .and_then(|w| w.code)
            .map(|c| c.describe()),
        next_sunset: next_sunset.map(|t| {
            let local = t.with_timezone(&zone);
            let day = if local.date_naive() == today {
                "today"
            } else {
                "tomorrow"
            };
            format!("{day} {}", prefs.time(&local))
        }),
        problem: weather.err(),
        key_fields: super::saved::key_fields(&spot.key),
    }
}

/// Why the postal code of a search is refused.
enum SearchError {
    Code(crate::domain::postal::PostalCodeError),
    /// Well formed, but not a code the country's data can hold.
    Format(String),
}

impl std::fmt::Display for SearchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Code(e) => e.fmt(f),
            Self::Format(message) => f.write_str(message),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    /// The one box: a city, a postal code, coordinates (`handlers::cities`).
    pub q: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    csrf: CsrfToken,
    jar: CookieJar,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    if let Some(query) = params.q {
        return Ok(super::cities::results(&state, query, &jar).await);
    }
    let postal_code = params.postal_code.unwrap_or_default();
    let country = params.country.unwrap_or_default();
    let parsed_code = PostalCode::parse(&postal_code);
    let parsed_country = CountryCode::parse(&country);
    // A code that cannot be in the geocoder's data is refused here, with the country's format.
    let parsed_code = match (parsed_code, &parsed_country) {
        (Ok(code), Ok(country)) => PlaceKey::parse(country.as_str(), code.as_str())
            .map(|_| code)
            .map_err(SearchError::Format),
        (code, _) => code.map_err(SearchError::Code),
    };
    match (parsed_code, parsed_country) {
        (Ok(postal_code), Ok(country)) => {
            // The code as typed: its page says what was looked up when that differs.
            let typed = PlaceKey {
                country,
                postal_code,
            };
            Ok((
                StatusCode::SEE_OTHER,
                [(header::LOCATION, paths::place(&typed))],
            )
                .into_response())
        }
        (code, country_result) => {
            let form = SearchForm {
                postal_code_error: code.err().map(|e| e.to_string()),
                country_error: country_result.err().map(|e| e.to_string()),
                postal_code,
                country,
            };
            home_page(&state, form, StatusCode::BAD_REQUEST, csrf, jar).await
        }
    }
}
