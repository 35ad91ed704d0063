//! Today's light at a place as a 24-hour strip of its local day: night, the three twilights
//! and daylight, with the hours marked and a line at "now".

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::{WIDTH, coordinate};
use crate::domain::{
    Coordinates,
    solar::{Light, light_spans},
    units::Preferences,
};

/// How often the sun's elevation is sampled: a span's edge is right to within this.
const STEP: TimeDelta = TimeDelta::minutes(2);

pub struct SunBand {
    /// What the strip shows, in words (`<desc>`).
    pub description: String,
    pub spans: Vec<BandSpan>,
    pub ticks: Vec<Tick>,
    /// Where "now" is, when it is within the day.
    pub now: Option<String>,
}

pub struct BandSpan {
    pub x: String,
    pub width: String,
    /// The CSS class that colours it: `night`, `astronomical`, `nautical`, `civil`, `day`.
    pub class: &'static str,
    pub light: &'static str,
    pub from: String,
    pub to: String,
}

pub struct Tick {
    pub x: String,
    /// `06:00` on every sixth hour, empty on the others.
    pub label: String,
}

/// The local day `date` at `at` in `zone`: its first instant and the next day's (23 or 25 hours
/// apart on the days the clocks change).
pub fn local_day(zone: Tz, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = |d: NaiveDate| {
        // Where midnight does not exist (a zone that moves its clocks at 00:00), the day
        // starts at the first hour that does.
        (0..3).find_map(|hour| {
            zone.from_local_datetime(&d.and_time(NaiveTime::from_hms_opt(hour, 0, 0)?))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        })
    };
    Some((start(date)?, start(date.succ_opt()?)?))
}

impl SunBand {
    pub fn new(
        at: Coordinates,
        zone: Tz,
        date: NaiveDate,
        now: DateTime<Utc>,
        prefs: Preferences,
    ) -> Option<Self> {
        let page_time = |t: DateTime<Utc>, zone: Tz| prefs.time(&t.with_timezone(&zone));
        let (start, end) = local_day(zone, date)?;
        let length = (end - start).num_seconds() as f64;
        let x = |t: DateTime<Utc>| WIDTH * (t - start).num_seconds() as f64 / length;
        let spans: Vec<BandSpan> = light_spans(at, start, end, STEP)
            .into_iter()
            .map(|span| BandSpan {
                x: coordinate(x(span.from)),
                width: coordinate(x(span.to) - x(span.from)),
                class: class(span.light),
                light: span.light.name(),
                from: page_time(span.from, zone),
                to: if span.to == end {
                    "midnight".to_owned()
                } else {
                    page_time(span.to, zone)
                },
            })
            .collect();
        let description = spans
            .iter()
            .map(|s| format!("{} from {} to {}", s.light, s.from, s.to))
            .collect::<Vec<_>>()
            .join(", ");
        let mut ticks = Vec::new();
        let mut hour = start;
        while hour < end {
            let local = hour.with_timezone(&zone);
            if local.minute() == 0 && local.hour() % 3 == 0 {
                ticks.push(Tick {
                    x: coordinate(x(hour)),
                    label: match local.hour() % 6 {
                        0 => prefs.time(&local),
                        _ => String::new(),
                    },
                });
            }
            hour += TimeDelta::minutes(30);
        }
        Some(Self {
            description: format!("The light through the day: {description}."),
            spans,
            ticks,
            now: (start..end).contains(&now).then(|| coordinate(x(now))),
        })
    }
}

fn class(light: Light) -> &'static str {
    match light {
        Light::Night => "night",
        Light::Astronomical => "astronomical",
        Light::Nautical => "nautical",
        Light::Civil => "civil",
        Light::Day => "day",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H24: Preferences = Preferences {
        units: crate::domain::units::Units::Metric,
        clock: crate::domain::units::Clock::TwentyFourHour,
    };

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn widths(band: &SunBand) -> f64 {
        band.spans
            .iter()
            .map(|s| s.width.parse::<f64>().unwrap_or(f64::NAN))
            .sum()
    }

    #[test]
    fn a_day_in_portland_runs_from_night_to_night_across_the_whole_width() {
        let portland = Coordinates {
            latitude: 45.5,
            longitude: -122.7,
        };
        let noon = Utc
            .with_ymd_and_hms(2026, 12, 1, 20, 0, 0)
            .single()
            .unwrap_or_default();
        let band = SunBand::new(
            portland,
            chrono_tz::America::Los_Angeles,
            date(2026, 12, 1),
            noon,
            H24,
        );
        let Some(band) = band else { panic!("no band") };
        let classes: Vec<_> = band.spans.iter().map(|s| s.class).collect();
        assert_eq!(
            classes,
            [
                "night",
                "astronomical",
                "nautical",
                "civil",
                "day",
                "civil",
                "nautical",
                "astronomical",
                "night"
            ]
        );
        assert!((widths(&band) - WIDTH).abs() < 1.0);
        // Noon local is half way.
        assert_eq!(band.now.as_deref(), Some("500"));
        // Sunrise in Portland on 1 December is 07:28 (NOAA), within the sampling step.
        let day = band
            .spans
            .iter()
            .find(|s| s.class == "day")
            .map(|s| s.from.clone());
        assert!(
            matches!(
                day.as_deref(),
                Some("07:26" | "07:27" | "07:28" | "07:29" | "07:30")
            ),
            "{day:?}"
        );
        let labels: Vec<_> = band
            .ticks
            .iter()
            .filter(|t| !t.label.is_empty())
            .map(|t| t.label.as_str())
            .collect();
        assert_eq!(labels, ["00:00", "06:00", "12:00", "18:00"]);
        assert!(
            band.description
                .starts_with("The light through the day: night from 00:00 to ")
        );
    }

    #[test]
    fn polar_night_draws_no_daylight_and_the_midnight_sun_nothing_else() {
        let longyearbyen = Coordinates {
            latitude: 78.2,
            longitude: 15.6,
        };
        let zone = chrono_tz::Arctic::Longyearbyen;
        let now = Utc::now();
        let winter = SunBand::new(longyearbyen, zone, date(2026, 12, 21), now, H24);
        assert!(winter.is_some_and(|b| b.spans.iter().all(|s| s.class != "day")));
        let summer = SunBand::new(longyearbyen, zone, date(2026, 6, 21), now, H24);
        assert!(
            summer.is_some_and(|b| b.spans.len() == 1
                && b.spans[0].class == "day"
                && b.now.is_none())
        );
    }

    #[test]
    fn the_day_the_clocks_go_back_is_25_hours_wide() {
        let portland = Coordinates {
            latitude: 45.5,
            longitude: -122.7,
        };
        let zone = chrono_tz::America::Los_Angeles;
        let (start, end) = local_day(zone, date(2026, 11, 1)).unwrap_or_default();
        assert_eq!(end - start, TimeDelta::hours(25));
        let band = SunBand::new(portland, zone, date(2026, 11, 1), start, H24);
        // 01:00 comes twice: the 3-hourly ticks stay at 00, 03, ... local.
        let ticks = band.map(|b| b.ticks.len()).unwrap_or(0);
        assert_eq!(ticks, 8);
        let (start, end) = local_day(zone, date(2026, 3, 8)).unwrap_or_default();
        assert_eq!(end - start, TimeDelta::hours(23));
    }
}
