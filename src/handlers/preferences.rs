//! `POST /preferences`: the units and clock a person reads in, kept in a cookie; the page they
//! came from again (Post/Redirect/Get), now in their choice.

use axum::{
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::extract::Form;
use crate::{
    cookies,
    domain::units::{Clock, Preferences, Units},
    error::AppError,
    protect::verify_csrf,
};

#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    pub authenticity_token: String,
    #[serde(default)]
    pub units: String,
    #[serde(default)]
    pub clock: String,
    /// The page to go back to: a path on this site.
    #[serde(default)]
    pub back: String,
}

pub async fn choose(
    csrf: CsrfToken,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<PreferencesForm>,
) -> Result<Response, AppError> {
    verify_csrf(&csrf, &form.authenticity_token)?;
    let (Some(units), Some(clock)) = (Units::parse(&form.units), Clock::parse(&form.clock)) else {
        return Err(AppError::BadRequest(
            "Choose metric or imperial units, and a 24-hour or 12-hour clock.".to_owned(),
        ));
    };
    let jar = jar.add(cookies::preferences_cookie(
        Preferences { units, clock },
        cookies::is_https(&headers),
    ));
    Ok((jar, Redirect::to(local_path(&form.back))).into_response())
}

/// `back` when it is a path on this site, else the home page: the form must not send a person
/// elsewhere (`//example.org`, `https://…`, a path with a line break).
fn local_path(back: &str) -> &str {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && back.len() <= 300
        && back.bytes().all(|b| b.is_ascii_graphic());
    if local { back } else { crate::paths::HOME }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_site_is_gone_back_to() {
        assert_eq!(local_path("/places/us/97229"), "/places/us/97229");
        for elsewhere in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "places",
            "/a\r\nb",
        ] {
            assert_eq!(local_path(elsewhere), "/", "{elsewhere:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_back_field_is_a_local_path(back in ".{0,400}") {
            let path = local_path(&back);
            proptest::prop_assert!(path.starts_with('/') && !path.starts_with("//"));
        }
    }
}
