//! Saved places: a browser's own short list, kept under an anonymous cookie id (no accounts).

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use chrono::Utc;
use serde::Deserialize;

use super::extract::{Form, place_key};
use crate::{
    cookies::{self, Flash},
    db::{
        self,
        saved::{MAX_SAVED, Saved},
    },
    error::AppError,
    protect::{random_token, verify_csrf},
    state::AppState,
};

#[derive(Debug, Deserialize)]
pub struct SavedForm {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub postal_code: String,
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
    let key = place_key(&form.country, &form.postal_code)?;
    let place = state.lookups.place(&key).await?;
    let (jar, visitor) = match cookies::visitor_id(&jar) {
        Some(id) => (jar, id),
        None => {
            let id = random_token(16);
            (
                jar.add(cookies::visitor_cookie(
                    id.clone(),
                    cookies::is_https(&headers),
                )),
                id,
            )
        }
    };
    let source = state.lookups.source();
    if db::saved::save(&state.writer, &visitor, source, &place, Utc::now()).await?
        == Saved::ListFull
    {
        return Err(AppError::BadRequest(format!(
            "You can keep up to {MAX_SAVED} places. Remove one on the home page first."
        )));
    }
    Ok(back(
        cookies::set_flash(jar, &Flash::Saved),
        &form,
        &key.page_path(),
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
    let key = place_key(&form.country, &form.postal_code)?;
    if let Some(visitor) = cookies::visitor_id(&jar) {
        db::saved::remove(&state.writer, &visitor, state.lookups.source(), &key).await?;
    }
    Ok(back(
        cookies::set_flash(jar, &Flash::Removed),
        &form,
        &key.page_path(),
    ))
}

fn back(jar: CookieJar, form: &SavedForm, place_path: &str) -> Response {
    let location = if form.from == "home" {
        "/".to_owned()
    } else {
        place_path.to_owned()
    };
    (StatusCode::SEE_OTHER, jar, [(header::LOCATION, location)]).into_response()
}
