//! `GET /api/places/{country}/{postal_code}/events?limit=N&offset=M` (or a city's): upcoming
//! events as JSON.

use axum::{Json, extract::State};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::{
    db::events::StoredEvent,
    domain::{SpotKey, clock::iso},
    error::AppError,
    handlers::{extract::Query, spot::SpotAddress},
    photo_store,
    state::AppState,
};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// The most events one listing returns.
pub const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Serialize)]
pub struct EventListJson {
    /// A postal code's place: its country and code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// A city: its GeoNames id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city_id: Option<i64>,
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
            url: crate::paths::event(event.id),
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

/// `GET /api/places/{country}/{postal_code}/events?limit=N&offset=M`, and
/// `GET /api/cities/{geonameid}/events?…`: upcoming events.
pub async fn list(
    State(state): State<AppState>,
    address: SpotAddress,
    Query(query): Query<ListQuery>,
) -> Result<Json<EventListJson>, AppError> {
    let limit = parse_count(query.limit.as_deref(), 50, 1..=MAX_LIMIT, "limit")?;
    let offset = parse_count(query.offset.as_deref(), 0, 0..=1_000_000, "offset")?;
    let key = address.key(&state).await?;
    let events = state
        .store
        .upcoming_events(&key, Utc::now(), limit, offset)
        .await?;
    let (country_code, postal_code, city_id) = match &key {
        SpotKey::PostalCode(key) => (
            Some(key.country.as_str()),
            Some(key.postal_code.to_string()),
            None,
        ),
        SpotKey::City(geonameid) => (None, None, Some(*geonameid)),
    };
    Ok(Json(EventListJson {
        country_code,
        postal_code,
        city_id,
        limit,
        offset,
        events: events.iter().map(EventJson::new).collect(),
    }))
}

#[cfg(test)]
mod properties {
    //! Whatever comes as `?limit=` or `?offset=`, it is a number in range or a 400.

    use proptest::prelude::*;

    use super::*;

    /// Numbers of every size, with signs, spaces and leading zeros, and any text.
    fn count_query() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            (-10i64..=1_000_010).prop_map(|n| n.to_string()),
            "[ +-]{0,2}[0-9]{0,22}[ .]?[0-9]{0,2}",
            prop::collection::vec(any::<char>(), 0..12)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
        ]
    }

    proptest! {
        #[test]
        fn a_count_query_is_a_number_in_range_or_a_bad_request(
            raw in prop::option::of(count_query()),
            low in -5i64..5,
            span in 0i64..2_000,
        ) {
            let range = low..=low + span;
            let result = parse_count(raw.as_deref(), 7, range.clone(), "limit");
            match (raw.as_deref(), result) {
                (None, result) => prop_assert_eq!(result.ok(), Some(7)),
                (Some(raw), Ok(n)) => prop_assert!(range.contains(&n), "{raw:?} read as {n}"),
                (Some(raw), Err(error)) => {
                    prop_assert!(matches!(error, AppError::BadRequest(_)), "{raw:?}: {error}");
                }
            }
        }

        #[test]
        fn every_limit_and_offset_in_range_is_taken_as_written(
            limit in 1..=MAX_LIMIT,
            offset in 0i64..=1_000_000,
        ) {
            let limit_text = limit.to_string();
            let read_limit = parse_count(Some(limit_text.as_str()), 50, 1..=MAX_LIMIT, "limit");
            prop_assert_eq!(read_limit.ok(), Some(limit));
            let offset_text = offset.to_string();
            let read_offset = parse_count(Some(offset_text.as_str()), 0, 0..=1_000_000, "offset");
            prop_assert_eq!(read_offset.ok(), Some(offset));
        }
    }
}
