//! The sun month by month at a place: which month an address asks for, and each day's times,
//! computed here with NOAA's equations (no service knows every day of every month).

use std::fmt;

use chrono::{Datelike, NaiveDate, TimeDelta};

use super::{
    Coordinates,
    solar::{SunSource, SunTimes, compute},
};

/// The years the calendar covers: NOAA's equations are good to a minute well beyond them, and
/// a wider range only invites addresses no one needs.
pub const FIRST_YEAR: i32 = 1901;
pub const LAST_YEAR: i32 = 2099;

/// A month of a year, as `?month=2026-11` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    /// 1 to 12.
    month: u32,
}

impl Month {
    /// `2026-11`: four digits, a dash, two digits, within the years covered; anything else is
    /// `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (year, month) = text.split_once('-')?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u32 = month.parse().ok()?;
        Self::new(year, month)
    }

    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((FIRST_YEAR..=LAST_YEAR).contains(&year) && (1..=12).contains(&month))
            .then_some(Self { year, month })
    }

    /// The month a date falls in; a date outside the years covered gets their nearest end.
    pub fn of(date: NaiveDate) -> Self {
        let year = date.year().clamp(FIRST_YEAR, LAST_YEAR);
        let month = if year == date.year() {
            date.month()
        } else if year == FIRST_YEAR {
            1
        } else {
            12
        };
        Self { year, month }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.first_day()
            .iter_days()
            .take_while(move |d| d.month() == self.month)
    }

    pub fn previous(self) -> Option<Self> {
        match self.month {
            1 => Self::new(self.year - 1, 12),
            m => Self::new(self.year, m - 1),
        }
    }

    pub fn next(self) -> Option<Self> {
        match self.month {
            12 => Self::new(self.year + 1, 1),
            m => Self::new(self.year, m + 1),
        }
    }

    /// "November 2026".
    pub fn title(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }
}

/// `2026-11`, as the address writes it.
impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One day's sun, with how much longer (or shorter) its day is than the day before.
pub struct SunDay {
    pub times: SunTimes,
    pub change: TimeDelta,
}

/// The sun on each day of `month`, each day compared with the one before it.
pub fn sun_days(at: Coordinates, month: Month) -> Vec<SunDay> {
    let first = month.first_day();
    let day_before = first.pred_opt().unwrap_or(first);
    let times: Vec<SunTimes> = std::iter::once(day_before)
        .chain(month.days())
        .map(|date| compute(at, date, SunSource::Simulated))
        .collect();
    times
        .windows(2)
        .map(|pair| SunDay {
            times: pair[1].clone(),
            change: pair[1].day_length - pair[0].day_length,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_as_written_and_nothing_else() {
        assert_eq!(Month::parse("2026-11"), Month::new(2026, 11));
        assert_eq!(
            Month::parse("2026-11").map(|m| m.to_string()),
            Some("2026-11".into())
        );
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026-11-01",
            "+026-11",
            "1900-12",
            "2100-01",
            "２０２６-11",
            "2026-1a",
            "2026–11",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn months_step_over_the_year_and_stop_at_the_ends() {
        let december = Month::new(2026, 12);
        assert_eq!(december.and_then(Month::next), Month::new(2027, 1));
        assert_eq!(Month::new(2027, 1).and_then(Month::previous), december);
        assert_eq!(Month::new(FIRST_YEAR, 1).and_then(Month::previous), None);
        assert_eq!(Month::new(LAST_YEAR, 12).and_then(Month::next), None);
        assert_eq!(Month::new(2028, 2).map(|m| m.days().count()), Some(29));
        assert_eq!(Month::new(2026, 2).map(|m| m.days().count()), Some(28));
    }

    #[test]
    fn each_day_is_compared_with_the_day_before() {
        let portland = Coordinates {
            latitude: 45.5,
            longitude: -122.8,
        };
        let Some(june) = Month::new(2026, 6) else {
            panic!("June 2026 is a month")
        };
        let days = sun_days(portland, june);
        assert_eq!(days.len(), 30);
        // Longer until the solstice (21 June), then shorter.
        assert!(days[9].change > TimeDelta::zero(), "{:?}", days[9].change);
        assert!(days[27].change < TimeDelta::zero(), "{:?}", days[27].change);
        let first_before = compute(
            portland,
            NaiveDate::from_ymd_opt(2026, 5, 31).unwrap_or_default(),
            SunSource::Simulated,
        );
        assert_eq!(
            days[0].change,
            days[0].times.day_length - first_before.day_length
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_month_in_range_or_none(text in "\\PC{0,12}|[0-9]{4}-[0-9]{2}") {
            if let Some(month) = Month::parse(&text) {
                proptest::prop_assert_eq!(month.to_string(), text);
                proptest::prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&month.year()));
                proptest::prop_assert!(month.days().count() >= 28);
            }
        }
    }
}
