//! Finding a place by name: the results of the one search box (`GET /search?q=`), the same as
//! JSON (`GET /api/search?q=&limit=`), and a city's address without its name (`GET
//! /cities/{geonameid}`); the city's page is a place page (`handlers::place`).

use askama::Template;
use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{
    extract::{Path, Query},
    render,
};
use crate::{
    cities::{
        City, Found, Match, MatchKind,
        query::postal_code_path,
        search::{KEPT_RESULTS, MAX_RESULTS, SearchError},
    },
    cookies,
    domain::units::Preferences,
    error::AppError,
    layout::Layout,
    state::AppState,
    timing::{ServerTiming, timed},
};

#[derive(Template)]
#[template(path = "search_results.html")]
pub struct ResultsPage {
    pub layout: Layout,
    pub query: String,
    pub results: Vec<CityItem>,
    /// Said instead of results: nothing found, or what to add.
    pub message: Option<String>,
}

/// A candidate as the results page and the API show it.
#[derive(Serialize)]
pub struct CityItem {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub country: String,
    pub country_name: String,
    pub latitude: f64,
    pub longitude: f64,
    pub population: i64,
    pub timezone: &'static str,
    pub url: String,
    /// How a search found it; none outside a search.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MatchKind>,
    /// For coordinates typed: the city's distance from them, in whole kilometres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<u32>,
    /// "14:05" where the city is, now.
    #[serde(skip)]
    pub local_time: String,
}

impl CityItem {
    /// A candidate of a search. `prefs`: the browser's clock; `None` for the city's country's.
    fn new(found: &Match, prefs: Option<Preferences>) -> Self {
        Self {
            kind: Some(found.kind),
            // Saturates: no two points on Earth are more than 20,038 km apart.
            distance_km: found.distance_km.map(|km| km.round() as u32),
            ..Self::of(&found.city, prefs)
        }
    }

    /// A city on its own (the JSON API's report of it), found by no search.
    pub fn of(city: &City, prefs: Option<Preferences>) -> Self {
        let prefs = prefs.unwrap_or_else(|| Preferences::default_for(&city.country_code));
        Self {
            id: city.geonameid,
            name: city.name.clone(),
            region: city.region.clone(),
            country: city.country_code.to_ascii_lowercase(),
            country_name: city.country_name.clone(),
            latitude: city.coordinates.latitude,
            longitude: city.coordinates.longitude,
            population: city.population,
            timezone: city.time_zone.name(),
            url: city.page_path(),
            kind: None,
            distance_km: None,
            local_time: prefs.time(&Utc::now().with_timezone(&city.time_zone)),
        }
    }

    pub fn population_text(&self) -> String {
        thousands(self.population)
    }
}

/// "652,503": a number with its thousands separated.
pub(super) fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && digit.is_ascii_digit() && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// `GET /search?q=`: a clear winner is a 303 to its page; otherwise the candidates, or a page
/// that says nothing was found and what to try.
pub async fn results(state: &AppState, query: String, jar: &CookieJar) -> Response {
    let prefs = cookies::preferences(jar);
    let respond = |results, message, status| {
        let page = ResultsPage {
            layout: state.layout(format!("Places for \u{201c}{query}\u{201d}")),
            query: query.clone(),
            results,
            message,
        };
        (status, render::render(&page)).into_response()
    };
    let found = match state.cities.search(&query, KEPT_RESULTS).await {
        Ok(found) => found,
        Err(SearchError::Query(e)) => {
            return respond(Vec::new(), Some(e.to_string()), StatusCode::BAD_REQUEST);
        }
        Err(e) => return AppError::from(e).into_response(),
    };
    match found {
        Found::PostalCode { code, country } => match postal_code_path(&code, country) {
            Ok(path) => Redirect::to(&path).into_response(),
            Err(message) => respond(Vec::new(), Some(message), StatusCode::OK),
        },
        Found::Cities(matches) => {
            if let Some(winner) = Found::clear_winner(&matches) {
                return Redirect::to(&winner.city.page_path()).into_response();
            }
            let message = matches.is_empty().then(|| nothing_found(&query));
            let items = matches.iter().map(|m| CityItem::new(m, prefs)).collect();
            respond(items, message, StatusCode::OK)
        }
    }
}

fn nothing_found(query: &str) -> String {
    if query.trim().is_empty() {
        "Type a city, a postal code with its country (97229 us), or coordinates (45.5, -122.7)."
            .to_owned()
    } else {
        format!(
            "No city matches \u{201c}{}\u{201d}. Check the spelling, try the name in English or \
             as it is written there, or give a postal code with its country (97229 us).",
            query.trim()
        )
    }
}

#[derive(Deserialize)]
pub struct ApiSearchParams {
    q: Option<String>,
    limit: Option<String>,
}

#[derive(Serialize)]
pub struct ApiSearchAnswer {
    query: String,
    results: Vec<CityItem>,
    /// For a postal code: its page, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// `GET /api/search?q=&limit=`: ranked candidates, at most `limit` (1 – 50, 10 when not given).
pub async fn api_search(
    State(state): State<AppState>,
    Query(params): Query<ApiSearchParams>,
) -> Result<Response, AppError> {
    let query = params.q.unwrap_or_default();
    let limit = match params.limit.as_deref() {
        None => KEPT_RESULTS,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_RESULTS).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest(format!("limit must be a number from 1 to {MAX_RESULTS}."))
            })?,
    };
    let (found, took) = timed(state.cities.search(&query, limit)).await;
    let mut timing = ServerTiming::new();
    timing.record("search", took);
    let mut answer = ApiSearchAnswer {
        query: query.clone(),
        results: Vec::new(),
        postal_code_url: None,
        message: None,
    };
    match found? {
        Found::PostalCode { code, country } => match postal_code_path(&code, country) {
            Ok(path) => answer.postal_code_url = Some(path),
            Err(message) => answer.message = Some(message),
        },
        Found::Cities(matches) => {
            answer.results = matches
                .iter()
                .take(limit)
                .map(|m| CityItem::new(m, None))
                .collect();
        }
    }
    Ok((timing, Json(answer)).into_response())
}

/// `GET /cities/{geonameid}`: to the city's page.
pub async fn without_slug(
    State(state): State<AppState>,
    Path(geonameid): Path<String>,
) -> Result<Response, AppError> {
    let city = find_city(&state, &geonameid).await?;
    Ok(moved_to(&city.page_path()))
}

pub(super) async fn find_city(state: &AppState, geonameid: &str) -> Result<City, AppError> {
    let unknown = || {
        AppError::NotFound(
            "Cityscape knows no city by that number. Search for it by name instead.".to_owned(),
        )
    };
    let id: i64 = geonameid.parse().map_err(|_| unknown())?;
    state.cities.city(id).await?.ok_or_else(unknown)
}

fn moved_to(path: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, path.to_owned())],
    )
        .into_response()
}
