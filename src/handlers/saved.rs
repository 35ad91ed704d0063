//! Saved places: a browser's own short list, kept under an anonymous cookie id (no accounts).

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use chrono::Utc;
use serde::Deserialize;

use super::{
    cities::find_city,
    extract::{Form, place_key},
};
use crate::{
    cookies::{self, Flash},
    db::saved::{MAX_SAVED, Saved},
    domain::{Spot, SpotKey},
    error::AppError,
    paths,
    protect::{new_visitor_id, verify_csrf},
    state::AppState,
};

/// The place is named by `country` and `postal_code`, or by `city` (its GeoNames id).
#[derive(Debug, Deserialize)]
pub struct SavedForm {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub authenticity_token: String,
    /// `home` when the form is on the home page; otherwise back to the place.
    #[serde(default)]
    pub from: String,
}

/// `POST /saved`
pub async fn save(
    State(state): State<AppState>,
    csrf: CsrfToken,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<SavedForm>,
) -> Result<Response, AppError> {
    verify_csrf(&csrf, &form.authenticity_token)?;
    let spot = match form.city.is_empty() {
        true => {
            state
                .lookups
                .place(&place_key(&form.country, &form.postal_code)?)
                .await?
        }
        false => Arc::new(Spot::from(&find_city(&state, &form.city).await?)),
    };
    let (jar, visitor) = match cookies::visitor_id(&jar) {
        Some(id) => (jar, id),
        None => {
            let id = new_visitor_id(&state.secret, &jar);
            (
                jar.add(cookies::visitor_cookie(
                    id.clone(),
                    cookies::is_https(&headers),
                )),
                id,
            )
        }
    };
    if state.store.save(&visitor, &spot, Utc::now()).await? == Saved::ListFull {
        return Err(AppError::BadRequest(format!(
            "You can keep up to {MAX_SAVED} places. Remove one on the home page first."
        )));
    }
    Ok(back(
        cookies::set_flash(jar, &Flash::Saved),
        &form,
        &paths::spot(&spot.key, &spot.name),
    ))
}

/// `POST /saved/remove`
pub async fn remove(
    State(state): State<AppState>,
    csrf: CsrfToken,
    jar: CookieJar,
    Form(form): Form<SavedForm>,
) -> Result<Response, AppError> {
    verify_csrf(&csrf, &form.authenticity_token)?;
    // The page to go back to needs the city's name: the city is read, not only its key.
    let (key, page_path) = match form.city.is_empty() {
        true => {
            let key = place_key(&form.country, &form.postal_code)?;
            let path = paths::place(&key);
            (SpotKey::PostalCode(key), path)
        }
        // A city gone from the data since it was saved can still be removed.
        false => match find_city(&state, &form.city).await {
            Ok(city) => (city.spot_key(), city.page_path()),
            Err(AppError::NotFound(_)) => {
                let geonameid = form.city.parse().map_err(|_| {
                    AppError::BadRequest("This form does not name a place.".to_owned())
                })?;
                (SpotKey::City(geonameid), paths::HOME.to_owned())
            }
            Err(other) => return Err(other),
        },
    };
    if let Some(visitor) = cookies::visitor_id(&jar) {
        state.store.unsave(&visitor, &key).await?;
    }
    Ok(back(
        cookies::set_flash(jar, &Flash::Removed),
        &form,
        &page_path,
    ))
}

/// The hidden fields of a save or remove form that name the place.
pub fn key_fields(key: &SpotKey) -> Vec<(&'static str, String)> {
    match key {
        SpotKey::PostalCode(key) => vec![
            ("country", key.country.path_segment()),
            ("postal_code", key.postal_code.to_string()),
        ],
        SpotKey::City(geonameid) => vec![("city", geonameid.to_string())],
    }
}

fn back(jar: CookieJar, form: &SavedForm, place_path: &str) -> Response {
    let location = if form.from == "home" {
        paths::HOME.to_owned()
    } else {
        place_path.to_owned()
    };
    (StatusCode::SEE_OTHER, jar, [(header::LOCATION, location)]).into_response()
}
