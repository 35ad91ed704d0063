//! A time zone's name as people read it, "Pacific Standard Time", from the Unicode CLDR's names
//! through ICU4X. chrono-tz knows only abbreviations ("PST"), which most zones lack and some
//! share ("CST" is in China, Cuba and Chicago).

use std::sync::LazyLock;

use chrono::{DateTime, Offset, Utc};
use chrono_tz::Tz;
use icu_datetime::{
    NoCalendarFormatter,
    fieldsets::zone::SpecificLong,
    input::{TimeZone, UtcOffset},
};
use icu_locale_core::locale;
use icu_time::zone::ZoneNameTimestamp;

use super::clock::utc_offset;

/// Made once: it loads the names of every zone (compiled into the binary).
static FORMATTER: LazyLock<Option<NoCalendarFormatter<SpecificLong>>> = LazyLock::new(|| {
    NoCalendarFormatter::try_new(locale!("en").into(), SpecificLong)
        .inspect_err(|error| tracing::error!(%error, "time zone names not loaded"))
        .ok()
});

/// "Pacific Standard Time, UTC−08:00" for Los Angeles in winter; a zone with no name of its
/// own in CLDR is named by its offset ("GMT+03:00, UTC+03:00" becomes "UTC+03:00").
pub fn long_name(zone: Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone);
    let offset = utc_offset(local);
    let seconds = local.offset().fix().local_minus_utc();
    let name = FORMATTER.as_ref().map(|formatter| {
        let info = TimeZone::from_iana_id(zone.name())
            .with_offset(UtcOffset::try_from_seconds(seconds).ok())
            .with_zone_name_timestamp(ZoneNameTimestamp::from_epoch_seconds(at.timestamp()));
        formatter.format(&info).to_string()
    });
    match name {
        // CLDR's fallback for a zone without a name is its offset in the GMT style, which
        // would only say the offset twice.
        Some(name) if !name.is_empty() && !name.starts_with("GMT") => format!("{name}, {offset}"),
        _ => offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn zones_are_named_for_the_season_with_their_offset() {
        let winter = at("2026-01-15T12:00:00Z");
        let summer = at("2026-07-15T12:00:00Z");
        for (zone, when, name) in [
            (
                Tz::America__Los_Angeles,
                winter,
                "Pacific Standard Time, UTC−08:00",
            ),
            (
                Tz::America__Los_Angeles,
                summer,
                "Pacific Daylight Time, UTC−07:00",
            ),
            (
                Tz::Europe__Berlin,
                winter,
                "Central European Standard Time, UTC+01:00",
            ),
            (
                Tz::Europe__Berlin,
                summer,
                "Central European Summer Time, UTC+02:00",
            ),
            (Tz::Asia__Kolkata, summer, "India Standard Time, UTC+05:30"),
            (
                Tz::Australia__Sydney,
                winter,
                "Australian Eastern Daylight Time, UTC+11:00",
            ),
        ] {
            assert_eq!(long_name(zone, when), name, "{zone}");
        }
    }

    #[test]
    fn every_zone_gets_a_name_or_its_offset() {
        let now = at("2026-11-28T12:00:00Z");
        for zone in chrono_tz::TZ_VARIANTS {
            let name = long_name(zone, now);
            assert!(name.contains("UTC"), "{zone}: {name}");
            assert!(
                !name.contains("GMT+") && !name.contains("GMT-"),
                "{zone}: {name}"
            );
        }
    }
}
