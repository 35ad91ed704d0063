//! The private link: `GET /events/{id}/edit?token=..`, and the posts that edit or delete.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{
    EventForm, FORM_EXPIRED, authenticity_token, find_event, no_such_event, parse_id, see_other,
    token_hash, worth_trying_again,
};
use crate::{
    cookies::{self, Flash},
    db::events::StoredEvent,
    domain::event::{EventFields, FieldErrors},
    error::AppError,
    handlers::{
        extract::{Form, Path, Query},
        render::render,
    },
    layout::Layout,
    paths,
    protect::verify_csrf,
    state::AppState,
};

/// Loads an event and checks its private token, or says why not.
async fn event_for_editing(
    state: &AppState,
    id: i64,
    token: &str,
) -> Result<StoredEvent, AppError> {
    let stored_hash = state
        .store
        .edit_token_hash(id)
        .await?
        .ok_or_else(no_such_event)?;
    if token_hash(token) != stored_hash {
        return Err(AppError::Forbidden(
            "This edit link is not valid for this event. Use the private link you were given when you posted it.".to_owned(),
        ));
    }
    find_event(state, id).await
}

#[derive(Template)]
#[template(path = "event_edit.html")]
pub struct EditEventPage {
    pub layout: Layout,
    pub event_href: String,
    pub action: String,
    pub delete_href: String,
    pub form: EventForm,
    pub token: String,
    /// The event's version the form was opened at, sent back with it.
    pub version: i64,
    pub time_zone: String,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

/// The event a private link (`/events/{id}/...?token=...`) opens, and its token.
async fn event_from_link(
    state: &AppState,
    id: &str,
    query: TokenQuery,
) -> Result<(StoredEvent, String), AppError> {
    let id = parse_id(id)?;
    let token = query.token.unwrap_or_default();
    let event = event_for_editing(state, id, &token).await?;
    Ok((event, token))
}

/// `GET /events/{id}/edit?token=...`: the private link.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let (event, token) = event_from_link(&state, &id, query).await?;
    let local = |at: DateTime<Utc>| {
        at.with_timezone(&event.time_zone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let form = EventForm {
        fields: EventFields {
            title: event.title.clone(),
            starts_at: local(event.starts_at),
            ends_at: event.ends_at.map(local).unwrap_or_default(),
            description: event.description.clone(),
            link: event.link.clone().unwrap_or_default(),
            name: event.poster_name.clone(),
        },
        errors: FieldErrors::default(),
        submission_id: String::new(),
        authenticity_token: authenticity_token(&csrf)?,
        notice: None,
    };
    let page = edit_page(&state, &event, form, token, event.version);
    Ok((csrf, render(&page)?).into_response())
}

fn edit_page(
    state: &AppState,
    event: &StoredEvent,
    form: EventForm,
    token: String,
    version: i64,
) -> EditEventPage {
    EditEventPage {
        layout: state.layout(format!("Edit {}", event.title)),
        event_href: paths::event(event.id),
        action: paths::event_edit(event.id),
        delete_href: paths::event_delete_link(event.id, &token),
        form,
        token,
        version,
        time_zone: event.time_zone.name().to_owned(),
    }
}

/// What an edit made from a form opened before another edit comes back with.
const CHANGED_SINCE: &str = "This event was changed after you opened this form (in another tab, or by someone else with its private link), so your changes were not saved. Its page shows it as it is now. What you typed is kept below: send it again to save it over those changes.";

#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    pub fields: EventFields,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub authenticity_token: String,
    /// The event's version when the form was opened (text: a flattened form reads numbers
    /// as text); a form without one is taken as opened at the version stored now.
    #[serde(default)]
    pub version: String,
}

/// `POST /events/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    csrf: CsrfToken,
    jar: CookieJar,
    Form(form): Form<EditForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let expired = verify_csrf(&csrf, &form.authenticity_token).err();
    let event = event_for_editing(&state, id, &form.token).await?;
    let EditForm {
        fields,
        token,
        authenticity_token,
        version,
    } = form;
    let opened_at = version.parse().unwrap_or(event.version);
    // An expired form comes back as it was typed (the private link, checked above, is good).
    if let Some(refused) = expired {
        let form = EventForm::returned(fields, String::new(), &csrf, FORM_EXPIRED.to_owned())?;
        return send_back(&state, &event, form, token, opened_at, &refused, csrf);
    }
    // An event under way, or one that spans days, may still be corrected: the start it has is
    // as acceptable as a start a day ago.
    let now = Utc::now().min(event.starts_at + chrono::TimeDelta::days(1));
    match fields.parse(event.time_zone, now) {
        Ok(edit) => {
            let landed = state
                .event_writes()
                .update(id, &token_hash(&token), opened_at, &edit)
                .await;
            let landed = match landed {
                Ok(landed) => landed,
                Err(error) if worth_trying_again(&error) => {
                    let why = error.public_message();
                    let form = EventForm::returned(fields, String::new(), &csrf, why)?;
                    return send_back(&state, &event, form, token, opened_at, &error, csrf);
                }
                Err(error) => return Err(error),
            };
            // Deleted (a 404), or edited since the form was opened: unless to just this (the
            // same form sent twice), the form comes back at the version there is now, so that
            // sending it again means to replace it.
            let now = match landed {
                true => None,
                false => Some(event_for_editing(&state, id, &token).await?),
            };
            if let Some(now) = now.filter(|now| !now.reads_as(&edit)) {
                let form = EventForm {
                    fields,
                    errors: FieldErrors::default(),
                    submission_id: String::new(),
                    authenticity_token,
                    notice: Some(CHANGED_SINCE.to_owned()),
                };
                let page = edit_page(&state, &now, form, token, now.version);
                return Ok((StatusCode::CONFLICT, render(&page)?).into_response());
            }
            Ok((
                cookies::set_flash(jar, &Flash::Updated),
                see_other(&paths::event(id)),
            )
                .into_response())
        }
        Err(errors) => {
            let form = EventForm {
                fields,
                errors: *errors,
                submission_id: String::new(),
                authenticity_token,
                notice: None,
            };
            let page = edit_page(&state, &event, form, token, opened_at);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

/// The edit page with the form sent back as it was typed, the status of why (403 for an
/// expired form, 507 or 503 for a store that could not take it), and a new form cookie.
fn send_back(
    state: &AppState,
    event: &StoredEvent,
    form: EventForm,
    token: String,
    version: i64,
    why: &AppError,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let page = render(&edit_page(state, event, form, token, version))?.into_response();
    Ok((csrf, why.with_page(page)).into_response())
}

#[derive(Template)]
#[template(path = "event_delete.html")]
pub struct DeleteEventPage {
    pub layout: Layout,
    pub event_href: String,
    pub edit_href: String,
    pub action: String,
    pub title: String,
    pub has_photo: bool,
    pub authenticity_token: String,
    pub token: String,
}

/// `GET /events/{id}/delete?token=...`: the step before deleting, which asks once more (one
/// click on the edit page must not remove an event for everyone).
pub async fn confirm_delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let (event, token) = event_from_link(&state, &id, query).await?;
    let page = DeleteEventPage {
        layout: state.layout(format!("Delete {}", event.title)),
        event_href: paths::event(event.id),
        edit_href: paths::event_edit_link(event.id, &token),
        action: paths::event_delete(event.id),
        title: event.title.clone(),
        has_photo: event.photo.is_some(),
        authenticity_token: authenticity_token(&csrf)?,
        token,
    };
    Ok((csrf, render(&page)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub authenticity_token: String,
}

/// `POST /events/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    csrf: CsrfToken,
    jar: CookieJar,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    verify_csrf(&csrf, &form.authenticity_token)?;
    let event = event_for_editing(&state, id, &form.token).await?;
    state
        .event_writes()
        .delete(&event, &token_hash(&form.token))
        .await?;
    let board = format!("{}#events", event.place_path());
    Ok((cookies::set_flash(jar, &Flash::Deleted), see_other(&board)).into_response())
}
