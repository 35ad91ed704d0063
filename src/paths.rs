//! Every page, form and API address the app links to, in one place: each route's pattern, and
//! beside it the function that builds its paths. `routes.rs` mounts these patterns; handlers,
//! feeds and templates link and redirect with these builders. A route renamed here is renamed
//! everywhere, and the tests below check that each builder's paths match their pattern. (The
//! operators' addresses, `/healthz`, `/readyz` and `/metrics`, and the files under `/static`
//! and `/photos` are named where they are served.)

use crate::domain::place::{PlaceKey, SpotKey, slug};

pub const HOME: &str = "/";
pub const SEARCH: &str = "/search";
pub const PREFERENCES: &str = "/preferences";
pub const SAVED: &str = "/saved";
pub const SAVED_REMOVE: &str = "/saved/remove";

pub const PLACE: &str = "/places/{country}/{postal_code}";
pub const PLACE_EVENTS: &str = "/places/{country}/{postal_code}/events";
pub const PLACE_EVENTS_ICS: &str = "/places/{country}/{postal_code}/events.ics";
pub const PLACE_EVENTS_ATOM: &str = "/places/{country}/{postal_code}/events.atom";
pub const SUN_CALENDAR: &str = "/places/{country}/{postal_code}/sun";
pub const SUN_CALENDAR_CSV: &str = "/places/{country}/{postal_code}/sun.csv";
pub const SUN_CALENDAR_ICS: &str = "/places/{country}/{postal_code}/sun.ics";

/// A city by its number alone: it redirects to [`CITY`].
pub const CITY_BY_NUMBER: &str = "/cities/{geonameid}";
pub const CITY: &str = "/cities/{geonameid}/{slug}";
pub const CITY_EVENTS: &str = "/cities/{geonameid}/{slug}/events";
pub const CITY_EVENTS_ICS: &str = "/cities/{geonameid}/{slug}/events.ics";
pub const CITY_EVENTS_ATOM: &str = "/cities/{geonameid}/{slug}/events.atom";

/// An event's page, and with `.ics` after its number its calendar entry: the router matches
/// no suffix within a segment, so the handler reads it.
pub const EVENT: &str = "/events/{id}";
pub const EVENT_EDIT: &str = "/events/{id}/edit";
pub const EVENT_DELETE: &str = "/events/{id}/delete";

pub const API_SUN: &str = "/api/sun/{zip}/{country}";
pub const API_WEATHER: &str = "/api/weather/{zip}/{country}";
pub const API_PLACE: &str = "/api/places/{country}/{postal_code}";
pub const API_PLACE_EVENTS: &str = "/api/places/{country}/{postal_code}/events";
pub const API_SEARCH: &str = "/api/search";
pub const API_CITY: &str = "/api/cities/{geonameid}";
pub const API_CITY_EVENTS: &str = "/api/cities/{geonameid}/events";

/// A postal code's page, `/places/us/97229`.
pub fn place(key: &PlaceKey) -> String {
    format!(
        "/places/{}/{}",
        key.country.path_segment(),
        key.postal_code.path_segment()
    )
}

/// A place's page; a city's carries its name, folded (`/cities/2657896/zurich`).
pub fn spot(spot: &SpotKey, name: &str) -> String {
    match spot {
        SpotKey::PostalCode(key) => place(key),
        SpotKey::City(geonameid) => format!("/cities/{geonameid}/{}", slug(name)),
    }
}

/// A city's address without its name, which redirects to its page.
pub fn city_by_number(geonameid: i64) -> String {
    format!("/cities/{geonameid}")
}

/// Where a place's board takes new events.
pub fn spot_events(spot_key: &SpotKey, name: &str) -> String {
    format!("{}/events", spot(spot_key, name))
}

/// A place's upcoming events, as a feed for calendar apps or feed readers.
pub fn spot_events_feed(spot_key: &SpotKey, name: &str, kind: FeedKind) -> String {
    format!("{}/events.{}", spot(spot_key, name), kind.extension())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    Calendar,
    Atom,
}

impl FeedKind {
    fn extension(self) -> &'static str {
        match self {
            Self::Calendar => "ics",
            Self::Atom => "atom",
        }
    }
}

/// A postal code's sun calendar; its CSV and iCalendar downloads add `.csv` and `.ics`.
pub fn sun_calendar(key: &PlaceKey) -> String {
    format!("{}/sun", place(key))
}

pub fn event(id: i64) -> String {
    format!("/events/{id}")
}

/// The event as one iCalendar entry.
pub fn event_calendar(id: i64) -> String {
    format!("/events/{id}.ics")
}

/// Where an event's edit form is sent.
pub fn event_edit(id: i64) -> String {
    format!("/events/{id}/edit")
}

/// The private link that lets whoever posted an event edit it (the token is hex).
pub fn event_edit_link(id: i64, token: &str) -> String {
    format!("/events/{id}/edit?token={token}")
}

/// Where an event's deletion is confirmed.
pub fn event_delete(id: i64) -> String {
    format!("/events/{id}/delete")
}

pub fn event_delete_link(id: i64, token: &str) -> String {
    format!("/events/{id}/delete?token={token}")
}

/// A place's JSON: the postal code's or the city's.
pub fn api_spot(spot: &SpotKey) -> String {
    match spot {
        SpotKey::PostalCode(key) => format!(
            "/api/places/{}/{}",
            key.country.path_segment(),
            key.postal_code.path_segment()
        ),
        SpotKey::City(geonameid) => format!("/api/cities/{geonameid}"),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::upstream::answer_strategies::any_text;

    /// Whether `path` (before any query) is one the pattern matches: the same number of
    /// segments, each equal or filling a `{parameter}`.
    fn matches(pattern: &str, path: &str) -> bool {
        let path = path.split('?').next().unwrap_or(path);
        let (pattern, path): (Vec<&str>, Vec<&str>) =
            (pattern.split('/').collect(), path.split('/').collect());
        pattern.len() == path.len()
            && pattern.iter().zip(&path).all(|(want, got)| {
                (want.starts_with('{') && want.ends_with('}') && !got.is_empty()) || want == got
            })
    }

    fn portland() -> PlaceKey {
        PlaceKey::parse("us", "97229").unwrap_or_else(|message| panic!("{message}"))
    }

    #[test]
    fn each_builder_makes_paths_its_route_matches() {
        let key = portland();
        let postal = SpotKey::PostalCode(key.clone());
        let city = SpotKey::City(2_657_896);
        let built = [
            (PLACE, place(&key)),
            (PLACE, spot(&postal, "Portland")),
            (CITY, spot(&city, "Zürich")),
            (CITY_BY_NUMBER, city_by_number(2_657_896)),
            (PLACE_EVENTS, spot_events(&postal, "Portland")),
            (CITY_EVENTS, spot_events(&city, "Zürich")),
            (
                PLACE_EVENTS_ICS,
                spot_events_feed(&postal, "Portland", FeedKind::Calendar),
            ),
            (
                PLACE_EVENTS_ATOM,
                spot_events_feed(&postal, "Portland", FeedKind::Atom),
            ),
            (
                CITY_EVENTS_ICS,
                spot_events_feed(&city, "Zürich", FeedKind::Calendar),
            ),
            (
                CITY_EVENTS_ATOM,
                spot_events_feed(&city, "Zürich", FeedKind::Atom),
            ),
            (SUN_CALENDAR, sun_calendar(&key)),
            (SUN_CALENDAR_CSV, format!("{}.csv", sun_calendar(&key))),
            (SUN_CALENDAR_ICS, format!("{}.ics", sun_calendar(&key))),
            (EVENT, event(7)),
            (EVENT, event_calendar(7)),
            (EVENT_EDIT, event_edit(7)),
            (EVENT_EDIT, event_edit_link(7, "0123abcd")),
            (EVENT_DELETE, event_delete(7)),
            (EVENT_DELETE, event_delete_link(7, "0123abcd")),
            (API_PLACE, api_spot(&postal)),
            (API_CITY, api_spot(&city)),
        ];
        for (pattern, path) in built {
            assert!(matches(pattern, &path), "{path} is not a {pattern}");
        }
        assert_eq!(spot(&city, "Zürich"), "/cities/2657896/zurich");
        assert_eq!(event_calendar(7), "/events/7.ics");
        // The matcher itself tells routes apart.
        assert!(!matches(PLACE, &sun_calendar(&key)));
        assert!(!matches(CITY, &city_by_number(1)));
    }

    proptest! {
        #[test]
        fn a_key_from_any_url_parts_has_a_plain_page_path_that_parses_back(
            country in prop_oneof![any_text(4), "[ a-zA-Z]{1,4}"],
            postal_code in prop_oneof![
                any_text(14),
                "[ ]{0,2}[a-zA-Z0-9]{1,6}[ -]{0,2}[a-zA-Z0-9]{0,5}",
            ],
        ) {
            match PlaceKey::parse(&country, &postal_code) {
                Ok(key) => {
                    let path = place(&key);
                    prop_assert!(matches(PLACE, &path), "{path}");
                    prop_assert!(path.is_ascii() && !path.contains(' '), "{path:?}");
                    let segments: Vec<&str> = path.split('/').collect();
                    prop_assert_eq!(segments.len(), 4);
                    prop_assert_eq!(
                        PlaceKey::parse(segments[2], &segments[3].replace("%20", " ")),
                        Ok(key.clone())
                    );
                }
                Err(message) => prop_assert!(!message.is_empty()),
            }
        }
    }
}
