//! `POST /places/{country}/{postal_code}/events` (or a city's): a new event from the board's multipart form,
//! with an optional photo.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_csrf::CsrfToken;
use axum_extra::extract::CookieJar;
use chrono::Utc;

use super::{EventForm, FORM_EXPIRED, see_other, token_hash, worth_trying_again};
use crate::{
    cookies::{self, Flash},
    db::events::Stored,
    domain::{
        event::EventFields,
        photo::{MAX_UPLOAD_BYTES, PhotoError},
    },
    error::AppError,
    event_writes::NewPost,
    handlers::{
        extract::{Multipart, multipart_error},
        place,
        spot::{self, SpotAddress},
    },
    paths,
    protect::{self, random_token, verify_csrf},
    state::AppState,
};

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

/// `POST /places/{country}/{postal_code}/events` and `POST /cities/{geonameid}/{slug}/events`
pub async fn create(
    State(state): State<AppState>,
    address: SpotAddress,
    token: CsrfToken,
    jar: CookieJar,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let posted = read_posted_form(multipart).await?;
    if let Err(refused) = verify_csrf(&token, &posted.authenticity_token) {
        // A bot's form is refused as it is; a person's comes back as they typed it (a page
        // view's work, under the post rate limit like every post).
        if !posted.website.is_empty() {
            return Err(refused);
        }
        let found = match spot::find(&state, &address).await {
            Ok(found) => found,
            Err(response) => return Ok(response),
        };
        let form = EventForm::returned(
            posted.fields,
            posted.submission_id,
            &token,
            FORM_EXPIRED.to_owned(),
        )?;
        return Ok(send_back(&state, found, form, &jar, &refused, token).await);
    }
    if !posted.website.is_empty() {
        // Discarded before anything is looked up: a bot's post costs no geocoding.
        tracing::info!(?address, "honeypot filled in: post discarded");
        return Ok(see_other(&format!("{}#events", address.path())));
    }
    let found = match spot::find(&state, &address).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let board_path = paths::spot(&found.spot.key, &found.spot.name);

    let now = Utc::now();
    let parsed = posted.fields.parse(found.spot.time_zone, now);
    let processed = match posted.photo {
        None if posted.photo_too_large => Some(Err(PhotoError::TooLarge)),
        None => None,
        Some(bytes) => Some(state.photos.process(bytes).await),
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
                notice: None,
            };
            let mut page =
                place::render(&state, found, place::Extras::invalid_form(form, &jar)).await;
            // 422 says "your input"; a page that failed for another reason keeps its own status.
            if page.status() == StatusCode::OK {
                *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            return Ok(page);
        }
    };

    let submission_id = well_formed_submission_id(posted.submission_id);
    // Derived from the submission, so a repeat of the same form can show the same private link.
    let edit_token = protect::edit_token(&state.secret, &submission_id);
    let post = NewPost {
        photo: photo.as_ref(),
        edit_token_hash: &token_hash(&edit_token),
        submission_id: &submission_id,
    };
    let stored = state
        .event_writes()
        .post(&found.spot, &event, post, now)
        .await;
    let stored = match stored {
        Ok(stored) => stored,
        Err(error) if worth_trying_again(&error) => {
            let why = error.public_message();
            let form = EventForm::returned(posted.fields, submission_id, &token, why)?;
            return Ok(send_back(&state, found, form, &jar, &error, token).await);
        }
        Err(error) => return Err(error),
    };
    let flash = match stored {
        Stored::New(event_id) => Flash::Posted {
            event_id,
            token: edit_token,
        },
        Stored::AlreadyStored(event_id) => Flash::AlreadyPosted {
            event_id,
            token: edit_token,
        },
    };
    // The poster lands on the private link, in the board: a fragment naming a field focuses it.
    let notice = format!("{board_path}#private-link");
    Ok((cookies::set_flash(jar, &flash), see_other(&notice)).into_response())
}

/// The place page with the form sent back as it was typed, and the status of why (403 for an
/// expired form, 507 or 503 for a store that could not take it), with a new form cookie.
async fn send_back(
    state: &AppState,
    found: spot::Found,
    form: EventForm,
    jar: &CookieJar,
    why: &AppError,
    csrf: CsrfToken,
) -> Response {
    let page = place::render(state, found, place::Extras::invalid_form(form, jar)).await;
    (csrf, why.with_page(page)).into_response()
}

/// The form's id when it is one this app made; otherwise a fresh one (no duplicate check).
fn well_formed_submission_id(sent: String) -> String {
    if sent.len() == 32 && sent.bytes().all(|b| b.is_ascii_hexdigit()) {
        sent
    } else {
        random_token(16)
    }
}

#[cfg(test)]
mod properties {
    //! Whatever comes as the form's `submission_id`, the id used is 32 hex digits.

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn a_submission_id_is_kept_when_well_formed_and_replaced_otherwise(
            sent in prop_oneof![
                "[0-9a-fA-F]{30,34}",
                prop::collection::vec(any::<char>(), 0..40)
                    .prop_map(|chars| chars.into_iter().collect::<String>()),
            ],
        ) {
            let well_formed = sent.len() == 32 && sent.bytes().all(|b| b.is_ascii_hexdigit());
            let id = well_formed_submission_id(sent.clone());
            prop_assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id:?}");
            if well_formed {
                prop_assert_eq!(id, sent);
            }
        }
    }
}
