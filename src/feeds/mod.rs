//! What Cityscape publishes for other programs to read: iCalendar (a place's sunrises and
//! sunsets, its events, one event) and Atom (a place's events). Written with well-kept crates
//! (`icalendar`, `atom_syndication`), which escape, fold and format; the handlers only choose
//! what goes in.

pub mod atom;
pub mod calendar;

/// An address on this site, whole when the visitor's origin is known (`https://host/events/3`),
/// else as a path: feeds are read away from the page that linked them.
pub fn absolute(origin: Option<&str>, path: &str) -> String {
    match origin {
        Some(origin) => format!("{origin}{path}"),
        None => path.to_owned(),
    }
}
