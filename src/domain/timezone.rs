//! The time zone of a point, found offline.
//!
//! Why offline rather than from the weather answer (Open-Meteo's `timezone=auto`): sun times and
//! the local clock must still be right when the weather service is down, in simulated mode, and
//! for places stored before; a point-in-polygon look-up over bundled zone boundaries (tzf-rs)
//! answers in microseconds with no network and no failure mode.
//!
//! tzf-rs's `EmbeddedFinder` reads the compressed boundaries in place in the binary (about 4 MB,
//! paged in as used) rather than expanding them as `DefaultFinder` does: that took 31 MiB of
//! resident memory for the life of the process, most of the server's memory at rest, for an
//! answer a few microseconds faster on a zone's border.

use std::sync::LazyLock;

use chrono_tz::Tz;
use tzf_rs::EmbeddedFinder;

use super::Coordinates;

/// Built once per process: opening the bundled boundaries checks them, which takes a moment.
static FINDER: LazyLock<EmbeddedFinder> = LazyLock::new(EmbeddedFinder::new);

/// Loads the zone boundaries now, so the first request does not pay for it.
pub fn warm_up() {
    LazyLock::force(&FINDER);
}

/// The IANA zone at a point; at sea or where the data has no zone, the nautical zone for the
/// longitude (`Etc/GMT+8` west of Greenwich: the sign is POSIX's, inverted).
pub fn zone_at(at: Coordinates) -> Tz {
    let name = FINDER.get_tz_name(at.longitude, at.latitude);
    name.parse::<Tz>()
        .unwrap_or_else(|_| nautical_zone(at.longitude))
}

fn nautical_zone(longitude: f64) -> Tz {
    let hours_west = (-longitude / 15.0).round() as i32;
    let name = match hours_west {
        0 => "Etc/GMT".to_owned(),
        h => format!("Etc/GMT{h:+}"),
    };
    name.parse().unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(latitude: f64, longitude: f64) -> Coordinates {
        Coordinates {
            latitude,
            longitude,
        }
    }

    #[test]
    fn finds_the_zone_of_places_on_land() {
        for (point, zone) in [
            (at(45.50655, -122.733888), Tz::America__Los_Angeles),
            (at(52.52, 13.40), Tz::Europe__Berlin),
            (at(-33.87, 151.21), Tz::Australia__Sydney),
            (at(35.68, 139.69), Tz::Asia__Tokyo),
            (at(69.65, 18.96), Tz::Europe__Oslo),
            (at(33.45, -112.07), Tz::America__Phoenix),
        ] {
            assert_eq!(zone_at(point), zone, "{point:?}");
        }
    }

    #[test]
    fn falls_back_to_the_nautical_zone_at_sea() {
        assert_eq!(nautical_zone(-140.0), Tz::Etc__GMTPlus9);
        assert_eq!(nautical_zone(2.0), Tz::Etc__GMT);
        assert_eq!(nautical_zone(150.0), Tz::Etc__GMTMinus10);
    }
}
