//! `GET /`: what Cityscape is, the search form, recent and popular places; and `GET /search`,
//! which sends a valid search to its place page and shows the form again otherwise.

use askama::Template;
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    extract::Query,
    layout::{Layout, render},
};
use crate::{
    db::{self, places::ViewedPlace},
    domain::{CountryCode, PlaceKey, PostalCode, country::COUNTRIES, country::Country},
    error::AppError,
    state::AppState,
    timing::{ServerTiming, timed},
};

/// How many places each home-page list shows.
const LIST_LENGTH: i64 = 8;

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub form: SearchForm,
    pub recent: Vec<PlaceLink>,
    pub popular: Vec<PlaceLink>,
}

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
    fn from_row(row: ViewedPlace, detail: String) -> Self {
        let code = row.postal_code.replace(' ', "%20");
        let name = if row.region.is_empty() {
            row.name
        } else {
            format!("{}, {}", row.name, row.region)
        };
        Self {
            href: format!("/places/{}/{code}", row.country_code.to_ascii_lowercase()),
            label: format!("{name} ({} {})", row.country_code, row.postal_code),
            detail,
        }
    }
}

pub async fn show(State(state): State<AppState>) -> Result<Response, AppError> {
    home_page(&state, SearchForm::default(), StatusCode::OK).await
}

async fn home_page(
    state: &AppState,
    form: SearchForm,
    status: StatusCode,
) -> Result<Response, AppError> {
    let source = state.lookups.source();
    let ((recent, popular), took) = timed(async {
        tokio::join!(
            db::places::recently_viewed(&state.pool, source, LIST_LENGTH),
            db::places::most_viewed(&state.pool, source, LIST_LENGTH),
        )
    })
    .await;
    let mut timing = ServerTiming::new();
    timing.record("db", took);
    let page = HomePage {
        layout: state.layout("One page about any place"),
        form,
        recent: recent?
            .into_iter()
            .map(|row| {
                let when = row
                    .last_viewed_at
                    .get(..16)
                    .unwrap_or_default()
                    .replace('T', " ");
                PlaceLink::from_row(row, format!("viewed {when} UTC"))
            })
            .collect(),
        popular: popular?
            .into_iter()
            .map(|row| {
                let views = row.view_count;
                PlaceLink::from_row(
                    row,
                    format!("{views} view{}", if views == 1 { "" } else { "s" }),
                )
            })
            .collect(),
    };
    Ok((status, timing, render(&page)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let postal_code = params.postal_code.unwrap_or_default();
    let country = params.country.unwrap_or_default();
    let parsed_code = PostalCode::parse(&postal_code);
    let parsed_country = CountryCode::parse(&country);
    match (parsed_code, parsed_country) {
        (Ok(postal_code), Ok(country)) => {
            let key = PlaceKey {
                country,
                postal_code,
            };
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, key.page_path())]).into_response())
        }
        (code, country_result) => {
            let form = SearchForm {
                postal_code_error: code.err().map(|e| e.to_string()),
                country_error: country_result.err().map(|e| e.to_string()),
                postal_code,
                country,
            };
            home_page(&state, form, StatusCode::BAD_REQUEST).await
        }
    }
}
