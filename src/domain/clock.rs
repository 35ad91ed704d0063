//! How times and durations are written: for people on pages, and in the course API's formats.

use chrono::{DateTime, Offset, SecondsFormat, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The course API's clock time, `05:05:35 AM`, in the place's zone.
pub fn course_time(at: DateTime<Utc>, zone: Tz) -> String {
    // Written by hand: a format string is parsed again on every call, and the course API
    // writes nine of these per answer.
    let local = at.with_timezone(&zone);
    let (afternoon, hour) = local.hour12();
    let mut text = String::with_capacity(11);
    for (i, part) in [hour, local.minute(), local.second()]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            text.push(':');
        }
        // Each part is below 60: two digits.
        text.push(char::from(b'0' + (part / 10 % 10) as u8));
        text.push(char::from(b'0' + (part % 10) as u8));
    }
    text.push_str(if afternoon { " PM" } else { " AM" });
    text
}

/// An instant as RFC 3339 in the place's zone, to the second: `2026-11-25T07:21:04-08:00`.
pub fn iso(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
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
