//! The events board: what the post, edit and listing handlers share, and each event's own
//! page, `GET /events/{id}`.

pub mod edit;
pub mod feeds;
pub mod json;
pub mod post;

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use sha2::{Digest, Sha256};

use super::{extract::Path, render::render};
use crate::{
    cookies,
    db::events::StoredEvent,
    domain::clock::{event_span, iso},
    domain::event::{EventFields, FieldErrors},
    error::AppError,
    layout::Layout,
    paths, photo_store,
    protect::random_token,
    state::AppState,
};

/// The form as the page shows it: values typed, a message per wrong field, the hidden fields.
#[derive(Debug, Clone, Default)]
pub struct EventForm {
    pub fields: EventFields,
    pub errors: FieldErrors,
    /// Random per rendering: the same form submitted twice stores one event.
    pub submission_id: String,
    pub authenticity_token: String,
    /// Why the form came back when no field is wrong: it had expired, or the server could not
    /// store it just then. What was typed is kept either way.
    pub notice: Option<String>,
}

impl EventForm {
    pub fn blank(authenticity_token: String) -> Self {
        Self {
            submission_id: random_token(16),
            authenticity_token,
            ..Self::default()
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The form as it was sent, with a fresh authenticity token and why it came back.
    pub fn returned(
        fields: EventFields,
        submission_id: String,
        csrf: &CsrfToken,
        why: String,
    ) -> Result<Self, AppError> {
        Ok(Self {
            fields,
            errors: FieldErrors::default(),
            submission_id,
            authenticity_token: authenticity_token(csrf)?,
            notice: Some(why),
        })
    }
}

/// Whether a failed write is worth sending the form back for, with what was typed: the site
/// could not store it just then, and the same form may go through later.
pub fn worth_trying_again(error: &AppError) -> bool {
    matches!(error, AppError::StorageFull(_) | AppError::Busy(_))
}

/// What an expired form (a day old, or from before the site's key changed) comes back with.
pub const FORM_EXPIRED: &str = "This form had expired, so nothing was saved: it was open for more than a day, or this browser does not keep cookies for this site. What you typed is kept below: check it and send it again.";

/// The authenticity token a form embeds; failing to make one is our fault.
pub fn authenticity_token(token: &CsrfToken) -> Result<String, AppError> {
    token
        .authenticity_token()
        .map_err(|e| AppError::Internal(format!("csrf token: {e}")))
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Template)]
#[template(path = "event.html")]
pub struct EventPage {
    pub layout: Layout,
    pub event: EventView,
    pub place_name: String,
    pub place_href: String,
    pub calendar_href: String,
    pub flash: Option<&'static str>,
}

/// An event as pages show it, in its place's time zone.
#[derive(Debug, Clone)]
pub struct EventView {
    pub id: i64,
    pub href: String,
    pub title: String,
    pub when: String,
    pub starts_iso: String,
    pub description: String,
    pub link: Option<String>,
    pub poster_name: String,
    pub photo_url: Option<String>,
    pub thumbnail_url: Option<String>,
    /// The photo's width and height as displayed, and both files as a `srcset` for the browser
    /// to choose from by the screen (a phone takes the 400-pixel one).
    pub photo_size: Option<(u32, u32)>,
    pub photo_srcset: Option<String>,
}

impl EventView {
    pub fn new(event: &StoredEvent) -> Self {
        Self {
            id: event.id,
            href: paths::event(event.id),
            title: event.title.clone(),
            when: event_span(event.starts_at, event.ends_at, event.time_zone),
            starts_iso: iso(event.starts_at, event.time_zone),
            description: event.description.clone(),
            link: event.link.clone(),
            poster_name: event.poster_name.clone(),
            photo_url: event.photo.as_deref().map(photo_store::display_url),
            thumbnail_url: event.photo.as_deref().map(photo_store::thumbnail_url),
            photo_size: event.photo_sizes.map(|s| s.display),
            photo_srcset: event
                .photo
                .as_deref()
                .zip(event.photo_sizes)
                .map(|(hash, sizes)| {
                    format!(
                        "{} {}w, {} {}w",
                        photo_store::thumbnail_url(hash),
                        sizes.thumbnail.0,
                        photo_store::display_url(hash),
                        sizes.display.0
                    )
                }),
        }
    }
}

/// The answer for an event that is not (or no longer) there.
fn no_such_event() -> AppError {
    AppError::NotFound("There is no such event. It may have been deleted.".to_owned())
}

/// An event by its id, or the 404 that says it is gone.
async fn find_event(state: &AppState, id: i64) -> Result<StoredEvent, AppError> {
    state.store.event(id).await?.ok_or_else(no_such_event)
}

pub(super) fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::NotFound("There is no such event.".to_owned()))
}

/// `GET /events/{id}`, and `GET /events/{id}.ics` (the event for a calendar app): axum 0.8's
/// router matches no suffix within a segment, so one route serves both.
pub async fn show(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if let Some(id) = segment.strip_suffix(".ics") {
        return feeds::event_ics(&state, id, &headers).await;
    }
    let event = find_event(&state, parse_id(&segment)?).await?;
    let (jar, flash) = cookies::take_flash(jar);
    let page = EventPage {
        layout: state.layout(event.title.clone()),
        place_name: event.place_name.clone(),
        place_href: event.place_path(),
        calendar_href: paths::event_calendar(event.id),
        event: EventView::new(&event),
        flash: flash.map(|f| f.message()),
    };
    Ok((jar, render(&page)?).into_response())
}

#[cfg(test)]
mod properties {
    //! Whatever comes as the `{id}` of `/events/{id}`, it is a positive number or a 404.

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn an_event_id_is_a_positive_number_or_not_found(
            raw in prop_oneof![
                any::<i64>().prop_map(|n| n.to_string()),
                "[ +-]{0,2}[0-9]{0,22}",
                prop::collection::vec(any::<char>(), 0..12)
                    .prop_map(|chars| chars.into_iter().collect::<String>()),
            ],
        ) {
            match parse_id(&raw) {
                Ok(id) => prop_assert!(id > 0, "{raw:?} read as {id}"),
                Err(error) => {
                    prop_assert!(matches!(error, AppError::NotFound(_)), "{raw:?}: {error}");
                }
            }
        }

        #[test]
        fn every_positive_id_is_read_as_written(id in 1..=i64::MAX) {
            prop_assert_eq!(parse_id(&id.to_string()).ok(), Some(id));
        }
    }
}
