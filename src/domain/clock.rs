//! How times and durations are written: for people on pages, and in the course API's formats.

use chrono::{DateTime, Datelike, Offset, SecondsFormat, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

/// The course API's clock time, `05:05:35 AM`, in the place's zone.
pub fn course_time(at: DateTime<Utc>, zone: Tz) -> String {
    CourseTime::new(at, zone).to_string()
}

/// An instant as RFC 3339 in the place's zone, to the second: `2026-11-25T07:21:04-08:00`.
pub fn iso(at: DateTime<Utc>, zone: Tz) -> String {
    IsoTime::new(at, zone).to_string()
}

/// An instant in a place's zone, written as the course API's clock time (`05:05:35 AM`) when
/// displayed or serialized. The answers of `/api/sun` hold eighteen times: each is converted to
/// the zone once ([`CourseTime::iso`] shares the conversion) and written straight into the
/// answer from the stack, with no `String` of its own and no format string to parse.
#[derive(Debug, Clone, Copy)]
pub struct CourseTime(DateTime<Tz>);

impl CourseTime {
    pub fn new(at: DateTime<Utc>, zone: Tz) -> Self {
        Self(at.with_timezone(&zone))
    }

    /// The same instant as RFC 3339.
    pub fn iso(self) -> IsoTime {
        IsoTime(self.0)
    }
}

impl std::fmt::Display for CourseTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (afternoon, hour) = self.0.hour12();
        let [h1, h2] = two_digits(hour);
        let [m1, m2] = two_digits(self.0.minute());
        let [s1, s2] = two_digits(self.0.second());
        let noon = if afternoon { b'P' } else { b'A' };
        ascii(f, &[h1, h2, b':', m1, m2, b':', s1, s2, b' ', noon, b'M'])
    }
}

/// An instant as RFC 3339 in a place's zone, to the second, as chrono writes it
/// (`2026-11-25T07:21:04-08:00`, `+00:00` at UTC); written by hand for the years 0 to 9999 and
/// offsets in whole minutes (as every zone's are today), by chrono otherwise.
#[derive(Debug, Clone, Copy)]
pub struct IsoTime(DateTime<Tz>);

impl IsoTime {
    pub fn new(at: DateTime<Utc>, zone: Tz) -> Self {
        Self(at.with_timezone(&zone))
    }
}

impl std::fmt::Display for IsoTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let local = &self.0;
        let offset = local.offset().fix().local_minus_utc();
        let by_hand = u32::try_from(local.year())
            .ok()
            .filter(|year| *year <= 9999 && offset % 60 == 0);
        let Some(year) = by_hand else {
            return f.write_str(&local.to_rfc3339_opts(SecondsFormat::Secs, false));
        };
        let [c1, c2] = two_digits(year / 100);
        let [y1, y2] = two_digits(year);
        let [mo1, mo2] = two_digits(local.month());
        let [d1, d2] = two_digits(local.day());
        let [h1, h2] = two_digits(local.hour());
        let [mi1, mi2] = two_digits(local.minute());
        let [s1, s2] = two_digits(local.second());
        let sign = if offset < 0 { b'-' } else { b'+' };
        let offset_minutes = offset.unsigned_abs() / 60;
        let [oh1, oh2] = two_digits(offset_minutes / 60);
        let [om1, om2] = two_digits(offset_minutes % 60);
        ascii(
            f,
            &[
                c1, c2, y1, y2, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':',
                s1, s2, sign, oh1, oh2, b':', om1, om2,
            ],
        )
    }
}

impl Serialize for CourseTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Serialize for IsoTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The last two decimal digits of `n`.
fn two_digits(n: u32) -> [u8; 2] {
    [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]
}

fn ascii(f: &mut std::fmt::Formatter<'_>, bytes: &[u8]) -> std::fmt::Result {
    f.write_str(std::str::from_utf8(bytes).map_err(|_| std::fmt::Error)?)
}

/// The course API's day length, `14:17:24` (hours not padded).
pub fn course_duration(length: TimeDelta) -> String {
    let seconds = length.num_seconds().max(0);
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// A page's clock time: `07:21`, in the place's zone.
pub fn page_time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%H:%M").to_string()
}

/// A page's length of time: `9 h 02 min`.
pub fn page_duration(length: TimeDelta) -> String {
    let minutes = (length.num_seconds().max(0) + 30) / 60;
    format!("{} h {:02} min", minutes / 60, minutes % 60)
}

/// `Wednesday 25 November 2026, 01:38 PST (UTC−08:00)`.
pub fn page_date_time(at: DateTime<Tz>) -> String {
    format!(
        "{} ({})",
        at.format("%A %-d %B %Y, %H:%M %Z"),
        utc_offset(at)
    )
}

/// `UTC−08:00`, `UTC+05:30`, `UTC`.
pub fn utc_offset<Z: TimeZone>(at: DateTime<Z>) -> String {
    let seconds = at.offset().fix().local_minus_utc();
    if seconds == 0 {
        return "UTC".to_owned();
    }
    let sign = if seconds < 0 { '−' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// "Sat 5 Dec 2026, 10:00 – 16:30 PST", or across days with both dates.
pub fn event_span(start: DateTime<Utc>, end: Option<DateTime<Utc>>, zone: Tz) -> String {
    let start = start.with_timezone(&zone);
    match end.map(|e| e.with_timezone(&zone)) {
        None => start.format("%a %-d %b %Y, %H:%M %Z").to_string(),
        Some(end) if end.date_naive() == start.date_naive() => {
            format!(
                "{} – {}",
                start.format("%a %-d %b %Y, %H:%M"),
                end.format("%H:%M %Z")
            )
        }
        Some(end) => format!(
            "{} – {}",
            start.format("%a %-d %b %Y, %H:%M"),
            end.format("%a %-d %b %Y, %H:%M %Z")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn course_times_are_twelve_hour_in_the_place_zone_with_daylight_saving() {
        let la = Tz::America__Los_Angeles;
        // Summer: PDT is UTC−7. Winter: PST is UTC−8.
        assert_eq!(course_time(utc("2026-07-01T12:25:10Z"), la), "05:25:10 AM");
        assert_eq!(course_time(utc("2026-12-01T15:30:00Z"), la), "07:30:00 AM");
        assert_eq!(course_time(utc("2026-12-02T00:28:05Z"), la), "04:28:05 PM");
    }

    #[test]
    fn iso_times_are_rfc_3339_in_the_place_zone() {
        let la = Tz::America__Los_Angeles;
        assert_eq!(
            iso(utc("2026-12-01T15:30:05Z"), la),
            "2026-12-01T07:30:05-08:00"
        );
        assert_eq!(
            iso(utc("2026-07-01T12:25:10Z"), Tz::UTC),
            "2026-07-01T12:25:10+00:00"
        );
        assert_eq!(
            iso(utc("2026-07-01T12:25:10Z"), Tz::Asia__Kathmandu),
            "2026-07-01T18:10:10+05:45"
        );
    }

    proptest::proptest! {
        /// Written by hand, the times are what chrono writes, in any zone, at any instant from
        /// year 1 to 9999 (older zones' local mean times have offsets in seconds).
        #[test]
        fn times_written_by_hand_are_chronos(
            seconds in -62_135_596_800i64..253_402_300_799,
            zone in 0..chrono_tz::TZ_VARIANTS.len(),
        ) {
            let zone = chrono_tz::TZ_VARIANTS.get(zone).copied().unwrap_or(Tz::UTC);
            let at = DateTime::from_timestamp(seconds, 0).unwrap_or_default();
            let local = at.with_timezone(&zone);
            proptest::prop_assert_eq!(
                iso(at, zone),
                local.to_rfc3339_opts(SecondsFormat::Secs, false)
            );
            proptest::prop_assert_eq!(
                course_time(at, zone),
                local.format("%I:%M:%S %p").to_string()
            );
        }
    }

    #[test]
    fn course_durations_are_hours_minutes_seconds() {
        assert_eq!(course_duration(TimeDelta::seconds(51_444)), "14:17:24");
        assert_eq!(
            course_duration(TimeDelta::seconds(9 * 3600 + 2 * 60 + 3)),
            "9:02:03"
        );
        assert_eq!(course_duration(TimeDelta::hours(24)), "24:00:00");
        assert_eq!(course_duration(TimeDelta::zero()), "0:00:00");
    }

    #[test]
    fn offsets_are_written_with_a_real_minus_sign() {
        let india = utc("2026-07-01T12:00:00Z").with_timezone(&Tz::Asia__Kolkata);
        assert_eq!(utc_offset(india), "UTC+05:30");
        let la = utc("2026-07-01T12:00:00Z").with_timezone(&Tz::America__Los_Angeles);
        assert_eq!(utc_offset(la), "UTC−07:00");
        assert_eq!(utc_offset(utc("2026-07-01T12:00:00Z")), "UTC");
    }

    #[test]
    fn page_durations_round_to_the_minute() {
        assert_eq!(page_duration(TimeDelta::seconds(51_444)), "14 h 17 min");
        assert_eq!(page_duration(TimeDelta::seconds(59)), "0 h 01 min");
    }
}
