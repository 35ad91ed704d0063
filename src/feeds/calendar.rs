//! iCalendar (RFC 5545) output: sunrise and sunset at a place, and posted events. Times are
//! written in the place's own zone (`DTSTART;TZID=America/Los_Angeles:…`), as people there
//! read them; a calendar app shows them in its own.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus};

use super::absolute;
use crate::{
    db::events::StoredEvent,
    domain::{PlaceKey, Spot, clock::page_duration, solar::SunTimes},
};

/// How often a subscribed calendar should be read again: the sun's times move by a minute or
/// two a day, and a day later the next 30 days reach one day further.
const SUN_REFRESH: TimeDelta = TimeDelta::days(1);
/// Events are posted at any time.
const EVENTS_REFRESH: TimeDelta = TimeDelta::hours(1);

/// A calendar that names Cityscape as its maker (the crate's default names the crate).
fn new_calendar() -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Cityscape//Cityscape//EN"))
        .append_property(("CALSCALE", "GREGORIAN"));
    calendar
}

fn local(at: DateTime<Utc>, zone: Tz) -> CalendarDateTime {
    CalendarDateTime::from_date_time(at.with_timezone(&zone))
}

/// Sunrise and sunset on each of `days`, as events of no length.
pub fn sun_times(key: &PlaceKey, place: &Spot, days: &[SunTimes], now: DateTime<Utc>) -> String {
    let zone = place.time_zone;
    let mut calendar = new_calendar();
    calendar
        .name(&format!("Sunrise and sunset in {}", place.display_name()))
        .description(&format!(
            "Sunrise and sunset at {}, {} {}, for the next {} days, computed by Cityscape with \
             NOAA's equations.",
            place.display_name(),
            key.country.name(),
            key.postal_code,
            days.len()
        ))
        .timezone(zone)
        .ttl(&SUN_REFRESH);
    let place_slug = key.slug();
    for day in days {
        let length = page_duration(day.day_length);
        for (what, at) in [("Sunrise", day.sunrise), ("Sunset", day.sunset)] {
            let Some(at) = at else { continue };
            calendar.push(
                Event::new()
                    .uid(&format!(
                        "{}-{}-{place_slug}@cityscape",
                        what.to_ascii_lowercase(),
                        day.date.format("%Y%m%d"),
                    ))
                    .timestamp(now)
                    .summary(&format!("{what} in {}", place.name))
                    .description(&format!("Day length {length}."))
                    .location(&place.display_name())
                    .starts(local(at, zone))
                    .ends(local(at, zone))
                    .status(EventStatus::Confirmed)
                    .done(),
            );
        }
    }
    calendar.done().to_string()
}

/// `events` of one place (or one event), each with its page's address.
pub fn events(
    name: &str,
    events: &[StoredEvent],
    origin: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let mut calendar = new_calendar();
    calendar.name(name).ttl(&EVENTS_REFRESH);
    if let Some(zone) = events.first().map(|e| e.time_zone) {
        calendar.timezone(zone);
    }
    for event in events {
        let zone = event.time_zone;
        let page = absolute(origin, &crate::paths::event(event.id));
        let mut description = event.description.clone();
        if let Some(link) = &event.link {
            description.push_str(&format!("\n\nMore: {link}"));
        }
        description.push_str(&format!(
            "\n\nPosted by {} on Cityscape: {page}",
            event.poster_name
        ));
        let mut entry = Event::new();
        entry
            .uid(&format!("event-{}@cityscape", event.id))
            .timestamp(now)
            .created(event.posted_at)
            .summary(&event.title)
            .description(&description)
            .location(&event.place_name)
            .url(&page)
            .starts(local(event.starts_at, zone));
        if let Some(end) = event.ends_at {
            entry.ends(local(end, zone));
        }
        calendar.push(entry.done());
    }
    calendar.done().to_string()
}
