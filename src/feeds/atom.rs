//! An Atom (RFC 4287) feed of a place's upcoming events, for feed readers.

use atom_syndication::{
    Entry, EntryBuilder, FeedBuilder, FixedDateTime, LinkBuilder, PersonBuilder, Text,
};
use chrono::{DateTime, SubsecRound, Utc};

use super::absolute;
use crate::{db::events::StoredEvent, domain::clock::event_span};

/// The feed's own address and the page it stands for, as paths on this site.
pub struct FeedAddresses<'a> {
    pub feed: &'a str,
    pub page: &'a str,
}

pub fn place_events(
    place_name: &str,
    addresses: FeedAddresses<'_>,
    events: &[StoredEvent],
    origin: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let fixed = |at: DateTime<Utc>| -> FixedDateTime { at.trunc_subsecs(0).fixed_offset() };
    let entries: Vec<Entry> = events
        .iter()
        .map(|event| {
            let page = absolute(origin, &crate::paths::event(event.id));
            let mut summary = event_span(event.starts_at, event.ends_at, event.time_zone);
            if !event.description.is_empty() {
                summary.push_str(". ");
                summary.push_str(&event.description);
            }
            EntryBuilder::default()
                .id(page.clone())
                .title(Text::plain(event.title.clone()))
                .updated(fixed(event.posted_at))
                .published(Some(fixed(event.posted_at)))
                .authors(vec![
                    PersonBuilder::default()
                        .name(event.poster_name.clone())
                        .build(),
                ])
                .links(vec![
                    LinkBuilder::default()
                        .href(page)
                        .rel("alternate".to_owned())
                        .mime_type(Some("text/html".to_owned()))
                        .build(),
                ])
                .summary(Some(Text::plain(summary)))
                .build()
        })
        .collect();
    // The feed changed when its newest entry was posted; an empty feed is as new as now.
    let updated = events.iter().map(|e| e.posted_at).max().unwrap_or(now);
    FeedBuilder::default()
        .id(absolute(origin, addresses.feed))
        .title(Text::plain(format!("Events in {place_name}")))
        .subtitle(Some(Text::plain(format!(
            "What people in {place_name} have posted on Cityscape, soonest first."
        ))))
        .updated(fixed(updated))
        .links(vec![
            LinkBuilder::default()
                .href(absolute(origin, addresses.feed))
                .rel("self".to_owned())
                .mime_type(Some("application/atom+xml".to_owned()))
                .build(),
            LinkBuilder::default()
                .href(absolute(origin, addresses.page))
                .rel("alternate".to_owned())
                .mime_type(Some("text/html".to_owned()))
                .build(),
        ])
        .authors(vec![PersonBuilder::default().name("Cityscape").build()])
        .entries(entries)
        .build()
        .to_string()
}
