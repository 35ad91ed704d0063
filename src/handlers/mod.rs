//! HTTP handlers, one file per page or API area. Each parses its input into domain types, calls
//! the lookups and the database, and renders a page struct or JSON; no SQL or HTTP code here.

pub mod api;
pub mod cities;
pub mod events;
pub mod extract;
pub mod health;
pub mod home;
pub mod place;
pub mod preferences;
pub mod render;
pub mod saved;
pub mod spot;
pub mod sun_calendar;
