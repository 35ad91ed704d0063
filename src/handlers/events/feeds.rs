//! Events for other programs: `GET /events/{id}.ics` (add one event to a calendar), and a
//! place's upcoming events as iCalendar (`…/events.ics`, to subscribe to) and as Atom
//! (`…/events.atom`, for feed readers).

use axum::{
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{find_event, parse_id};
use crate::{
    cookies,
    db::{self, events::StoredEvent},
    domain::{Place, PlaceKey},
    error::AppError,
    feeds::{self, atom::FeedAddresses},
    handlers::{
        extract::{Path, place_key},
        sun_calendar::calendar_response,
    },
    state::AppState,
};

/// The most events a feed carries: the soonest.
const FEED_LIMIT: i64 = 200;

/// `GET /events/{id}.ics`, reached through [`super::show`].
pub async fn event_ics(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let event = find_event(state, id).await?;
    let origin = cookies::origin(headers);
    let body = feeds::calendar::events(
        &event.title,
        std::slice::from_ref(&event),
        origin.as_deref(),
        Utc::now(),
    );
    Ok(calendar_response(body, &format!("event-{id}.ics")))
}

/// A place's upcoming events, as both of its feeds carry them.
struct Upcoming {
    key: PlaceKey,
    place: Arc<Place>,
    events: Vec<StoredEvent>,
    now: DateTime<Utc>,
}

async fn upcoming(
    state: &AppState,
    country: &str,
    postal_code: &str,
) -> Result<Upcoming, AppError> {
    let key = place_key(country, postal_code)?;
    let place = state.lookups.place(&key).await?;
    let now = Utc::now();
    let events = db::events::upcoming(
        &state.pool,
        state.lookups.source(),
        &key,
        now,
        FEED_LIMIT,
        0,
    )
    .await?;
    Ok(Upcoming {
        key,
        place,
        events,
        now,
    })
}

/// `GET /places/{country}/{postal_code}/events.ics`
pub async fn place_ics(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Upcoming {
        key,
        place,
        events,
        now,
    } = upcoming(&state, &country, &postal_code).await?;
    let origin = cookies::origin(&headers);
    let body = feeds::calendar::events(
        &format!("Events in {}", place.display_name()),
        &events,
        origin.as_deref(),
        now,
    );
    Ok(calendar_response(
        body,
        &format!("events-{}.ics", key.slug()),
    ))
}

/// `GET /places/{country}/{postal_code}/events.atom`
pub async fn place_atom(
    State(state): State<AppState>,
    Path((country, postal_code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Upcoming {
        key,
        place,
        events,
        now,
    } = upcoming(&state, &country, &postal_code).await?;
    let origin = cookies::origin(&headers);
    let page = key.page_path();
    let feed = format!("{page}/events.atom");
    let body = feeds::atom::place_events(
        &place.display_name(),
        FeedAddresses {
            feed: &feed,
            page: &page,
        },
        &events,
        origin.as_deref(),
        now,
    );
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}
