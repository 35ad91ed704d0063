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
    db::events::StoredEvent,
    domain::Spot,
    error::AppError,
    feeds::{self, atom::FeedAddresses},
    handlers::{
        spot::{self, SpotAddress},
        sun_calendar::calendar_response,
    },
    paths::{self, FeedKind},
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
    spot: Arc<Spot>,
    events: Vec<StoredEvent>,
    now: DateTime<Utc>,
}

async fn upcoming(state: &AppState, address: &SpotAddress) -> Result<Upcoming, Response> {
    let spot = spot::find(state, address).await?.spot;
    let now = Utc::now();
    let events = state
        .store
        .upcoming_events(&spot.key, now, FEED_LIMIT, 0)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    Ok(Upcoming { spot, events, now })
}

/// `GET /places/{country}/{postal_code}/events.ics`, and a city's (`/cities/{id}/{slug}/…`)
pub async fn place_ics(
    State(state): State<AppState>,
    address: SpotAddress,
    headers: HeaderMap,
) -> Response {
    let Upcoming { spot, events, now } = match upcoming(&state, &address).await {
        Ok(upcoming) => upcoming,
        Err(response) => return response,
    };
    let origin = cookies::origin(&headers);
    let body = feeds::calendar::events(
        &format!("Events in {}", spot.display_name()),
        &events,
        origin.as_deref(),
        now,
    );
    calendar_response(body, &format!("events-{}.ics", spot.key.file_slug()))
}

/// `GET /places/{country}/{postal_code}/events.atom`, and a city's (`/cities/{id}/{slug}/…`)
pub async fn place_atom(
    State(state): State<AppState>,
    address: SpotAddress,
    headers: HeaderMap,
) -> Response {
    let Upcoming { spot, events, now } = match upcoming(&state, &address).await {
        Ok(upcoming) => upcoming,
        Err(response) => return response,
    };
    let origin = cookies::origin(&headers);
    let page = paths::spot(&spot.key, &spot.name);
    let feed = paths::spot_events_feed(&spot.key, &spot.name, FeedKind::Atom);
    let body = feeds::atom::place_events(
        &spot.display_name(),
        FeedAddresses {
            feed: &feed,
            page: &page,
        },
        &events,
        origin.as_deref(),
        now,
    );
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response()
}
