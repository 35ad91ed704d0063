//! The events board: posting an event (multipart, with an optional photo), its own page, its
//! private edit and delete link, and the JSON listing.

use askama::Template;
use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{
    extract::{Form, Multipart, Path, Query, multipart_error, place_key},
    layout::{Layout, render},
    place,
};
use crate::{
    cookies::{self, Flash},
    db::{
        self,
        events::{Stored, StoredEvent, Submission},
    },
    domain::{
        PlaceKey,
        event::{EventFields, FieldErrors},
        photo::{self, MAX_UPLOAD_BYTES, PhotoError},
    },
    error::AppError,
    photo_store,
    protect::{random_token, to_hex},
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
}

/// The authenticity token a form embeds; failing to make one is our fault.
pub fn authenticity_token(token: &CsrfToken) -> Result<String, AppError> {
    token
        .authenticity_token()
        .map_err(|e| AppError::Internal(format!("csrf token: {e}")))
}

fn verify_csrf(token: &CsrfToken, sent: &str) -> Result<(), AppError> {
    token.verify(sent).map_err(|_| {
        AppError::Forbidden(
            "This form has expired or did not come from this site. Please reload the page and try again."
                .to_owned(),
        )
    })
}

/// What a posted event form carried.
#[derive(Default)]
struct PostedForm {
    fields: EventFields,
    photo: Option<Vec<u8>>,
    photo_too_large: bool,
    authenticity_token: String,
    /// Hidden from people; bots fill it in.
    website: String,
    submission_id: String,
}

async fn read_posted_form(Multipart(mut multipart): Multipart) -> Result<PostedForm, AppError> {
    let mut form = PostedForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                    form.photo_too_large = true;
                    bytes.clear();
                } else if !form.photo_too_large {
                    bytes.extend_from_slice(&chunk);
                }
            }
            // A form without a chosen file still sends an empty `photo` part.
            form.photo = (!bytes.is_empty() && !form.photo_too_large).then_some(bytes);
            continue;
        }
        let text = field.text().await.map_err(multipart_error)?;
        let slot = match name.as_str() {
            "title" => &mut form.fields.title,
            "starts_at" => &mut form.fields.starts_at,
            "ends_at" => &mut form.fields.ends_at,
            "description" => &mut form.fields.description,
            "link" => &mut form.fields.link,
            "name" => &mut form.fields.name,
            "authenticity_token" => &mut form.authenticity_token,
            "website" => &mut form.website,
            "submission_id" => &mut form.submission_id,
            _ => continue,
        };
        *slot = text;
    }
    Ok(form)
}

/// `POST /places/{country}/{postal_code}/events`
pub async fn create(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
    token: CsrfToken,
    jar: CookieJar,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let key = place_key(&country, &postal_code)?;
    let posted = read_posted_form(multipart).await?;
    verify_csrf(&token, &posted.authenticity_token)?;
    let back_to_board = format!("{}#events", key.page_path());
    if !posted.website.is_empty() {
        tracing::info!(key = ?key, "honeypot filled in: post discarded");
        return Ok(see_other(&back_to_board));
    }

    let place = state.lookups.place(&key).await?;
    let now = Utc::now();
    let parsed = posted.fields.parse(place.time_zone, now);
    let processed = match posted.photo {
        None if posted.photo_too_large => Some(Err(PhotoError::TooLarge)),
        None => None,
        Some(bytes) => Some(
            tokio::task::spawn_blocking(move || photo::process(&bytes))
                .await
                .map_err(|e| AppError::Internal(format!("photo task: {e}")))?,
        ),
    };
    let (event, photo) = match (parsed, processed) {
        (Ok(event), None) => (event, None),
        (Ok(event), Some(Ok(photo))) => (event, Some(photo)),
        (parsed, processed) => {
            let mut errors = parsed.err().map(|e| *e).unwrap_or_default();
            errors.photo = processed.and_then(Result::err).map(|e| e.to_string());
            let form = EventForm {
                fields: posted.fields,
                errors,
                submission_id: posted.submission_id,
                authenticity_token: posted.authenticity_token,
            };
            let page = place::render(&state, &key, place::Extras::invalid_form(form, &jar)).await;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };

    if let Some(photo) = &photo {
        state
            .photos
            .save(photo)
            .await
            .map_err(|e| AppError::Internal(format!("saving a photo: {e}")))?;
    }
    let edit_token = random_token(16);
    let submission_id = well_formed_submission_id(posted.submission_id);
    let submission = Submission {
        photo: photo.as_ref().map(|p| p.hash.as_str()),
        edit_token_hash: &token_hash(&edit_token),
        submission_id: &submission_id,
    };
    let stored = db::events::insert(
        &state.pool,
        state.lookups.source(),
        &place,
        &event,
        &submission,
        now,
    )
    .await;
    // A photo no stored event shows (the insert failed, or this was a repeat) leaves no file.
    if let Some(hash) = submission.photo
        && !matches!(stored, Ok(Stored::New(_)))
        && !db::events::photo_in_use(&state.pool, hash)
            .await
            .unwrap_or(true)
    {
        state.photos.remove(hash).await;
    }
    let flash = match stored? {
        Stored::New(event_id) => Flash::Posted {
            event_id,
            token: edit_token,
        },
        Stored::AlreadyStored(event_id) => Flash::AlreadyPosted { event_id },
    };
    Ok((cookies::set_flash(jar, &flash), see_other(&back_to_board)).into_response())
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// The form's id when it is one this app made; otherwise a fresh one (no duplicate check).
fn well_formed_submission_id(sent: String) -> String {
    if sent.len() == 32 && sent.bytes().all(|b| b.is_ascii_hexdigit()) {
        sent
    } else {
        random_token(16)
    }
}

fn token_hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

/// Loads an event and checks its private token, or says why not.
async fn event_for_editing(
    state: &AppState,
    id: i64,
    token: &str,
) -> Result<StoredEvent, AppError> {
    let not_found =
        || AppError::NotFound("There is no such event. It may have been deleted.".to_owned());
    let stored_hash = db::events::edit_token_hash(&state.pool, id)
        .await?
        .ok_or_else(not_found)?;
    if token_hash(token) != stored_hash {
        return Err(AppError::Forbidden(
            "This edit link is not valid for this event. Use the private link you were given when you posted it.".to_owned(),
        ));
    }
    db::events::find(&state.pool, id)
        .await?
        .ok_or_else(not_found)
}

#[derive(Template)]
#[template(path = "event.html")]
pub struct EventPage {
    pub layout: Layout,
    pub event: EventView,
    pub place_name: String,
    pub place_href: String,
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
}

impl EventView {
    pub fn new(event: &StoredEvent) -> Self {
        Self {
            id: event.id,
            href: format!("/events/{}", event.id),
            title: event.title.clone(),
            when: when(event.starts_at, event.ends_at, event.time_zone),
            starts_iso: iso(event.starts_at, event.time_zone),
            description: event.description.clone(),
            link: event.link.clone(),
            poster_name: event.poster_name.clone(),
            photo_url: event.photo.as_deref().map(photo_store::display_url),
            thumbnail_url: event.photo.as_deref().map(photo_store::thumbnail_url),
        }
    }
}

/// "Sat 5 Dec 2026, 10:00 – 16:30 PST", or across days with both dates.
fn when(start: DateTime<Utc>, end: Option<DateTime<Utc>>, zone: Tz) -> String {
    let start = start.with_timezone(&zone);
    match end.map(|e| e.with_timezone(&zone)) {
        None => start.format("%a %-d %b %Y, %H:%M %Z").to_string(),
        Some(end) if end.date_naive() == start.date_naive() => {
            format!(
                "{} – {}",
                start.format("%a %-d %b %Y, %H:%M"),
                end.format("%H:%M %Z")
            )
        }
        Some(end) => format!(
            "{} – {}",
            start.format("%a %-d %b %Y, %H:%M"),
            end.format("%a %-d %b %Y, %H:%M %Z")
        ),
    }
}

fn iso(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::NotFound("There is no such event.".to_owned()))
}

/// `GET /events/{id}`
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let event = db::events::find(&state.pool, id).await?.ok_or_else(|| {
        AppError::NotFound("There is no such event. It may have been deleted.".to_owned())
    })?;
    let (jar, flash) = cookies::take_flash(jar);
    let page = EventPage {
        layout: state.layout(event.title.clone()),
        place_name: event.place_name.clone(),
        place_href: event.place.page_path(),
        event: EventView::new(&event),
        flash: flash.map(|f| f.message()),
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "event_edit.html")]
pub struct EditEventPage {
    pub layout: Layout,
    pub event_href: String,
    pub event_id: i64,
    pub form: EventForm,
    pub token: String,
    pub time_zone: String,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

/// `GET /events/{id}/edit?token=...`: the private link.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let token = query.token.unwrap_or_default();
    let event = event_for_editing(&state, id, &token).await?;
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
    };
    let page = edit_page(&state, &event, form, token);
    Ok((csrf, render(&page)?).into_response())
}

fn edit_page(
    state: &AppState,
    event: &StoredEvent,
    form: EventForm,
    token: String,
) -> EditEventPage {
    EditEventPage {
        layout: state.layout(format!("Edit {}", event.title)),
        event_href: format!("/events/{}", event.id),
        event_id: event.id,
        form,
        token,
        time_zone: event.time_zone.name().to_owned(),
    }
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub authenticity_token: String,
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
    verify_csrf(&csrf, &form.authenticity_token)?;
    let event = event_for_editing(&state, id, &form.token).await?;
    let EditForm {
        title,
        starts_at,
        ends_at,
        description,
        link,
        name,
        token,
        authenticity_token,
    } = form;
    let fields = EventFields {
        title,
        starts_at,
        ends_at,
        description,
        link,
        name,
    };
    match fields.parse(event.time_zone, Utc::now()) {
        Ok(updated) => {
            db::events::update(&state.pool, id, &updated).await?;
            Ok((
                cookies::set_flash(jar, &Flash::Updated),
                see_other(&format!("/events/{id}")),
            )
                .into_response())
        }
        Err(errors) => {
            let form = EventForm {
                fields,
                errors: *errors,
                submission_id: String::new(),
                authenticity_token,
            };
            let page = edit_page(&state, &event, form, token);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
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
    if let Some(orphan) = db::events::delete(&state.pool, id).await? {
        state.photos.remove(&orphan).await;
    }
    let board = format!("{}#events", event.place.page_path());
    Ok((cookies::set_flash(jar, &Flash::Deleted), see_other(&board)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// The most events one listing returns.
pub const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Serialize)]
pub struct EventListJson {
    pub country_code: &'static str,
    pub postal_code: String,
    pub limit: i64,
    pub offset: i64,
    pub events: Vec<EventJson>,
}

#[derive(Debug, Serialize)]
pub struct EventJson {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub timezone: String,
    pub description: String,
    pub link: Option<String>,
    pub poster_name: String,
    pub photo_url: Option<String>,
    pub thumbnail_url: Option<String>,
}

impl EventJson {
    fn new(event: &StoredEvent) -> Self {
        let zone = event.time_zone;
        Self {
            id: event.id,
            url: format!("/events/{}", event.id),
            title: event.title.clone(),
            starts_at: iso(event.starts_at, zone),
            ends_at: event.ends_at.map(|t| iso(t, zone)),
            timezone: zone.name().to_owned(),
            description: event.description.clone(),
            link: event.link.clone(),
            poster_name: event.poster_name.clone(),
            photo_url: event.photo.as_deref().map(photo_store::display_url),
            thumbnail_url: event.photo.as_deref().map(photo_store::thumbnail_url),
        }
    }
}

fn parse_count(
    raw: Option<&str>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
    name: &str,
) -> Result<i64, AppError> {
    let Some(raw) = raw else { return Ok(default) };
    raw.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{name} must be a whole number from {} to {}.",
                range.start(),
                range.end()
            ))
        })
}

/// `GET /api/places/{country}/{postal_code}/events?limit=N&offset=M`: upcoming events.
pub async fn list(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Json<EventListJson>, AppError> {
    let key: PlaceKey = place_key(&country, &postal_code)?;
    let limit = parse_count(query.limit.as_deref(), 50, 1..=MAX_LIMIT, "limit")?;
    let offset = parse_count(query.offset.as_deref(), 0, 0..=1_000_000, "offset")?;
    let events = db::events::upcoming(
        &state.pool,
        state.lookups.source(),
        &key,
        Utc::now(),
        limit,
        offset,
    )
    .await?;
    Ok(Json(EventListJson {
        country_code: key.country.as_str(),
        postal_code: key.postal_code.to_string(),
        limit,
        offset,
        events: events.iter().map(EventJson::new).collect(),
    }))
}
