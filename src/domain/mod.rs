//! Pure domain types and calculations: parsing user input, places, weather, the sun and time
//! zones. Nothing here does I/O, so everything here is unit-tested directly.

pub mod clock;
pub mod country;
pub mod event;
pub mod moon;
pub mod photo;
pub mod place;
pub mod postal;
pub mod postal_format;
pub mod solar;
pub mod sun_calendar;
pub mod text;
pub mod timezone;
pub mod units;
pub mod weather;
pub mod zone_name;

pub use country::CountryCode;
pub use place::{Coordinates, Place, PlaceKey, Spot, SpotKey};
pub use postal::PostalCode;
