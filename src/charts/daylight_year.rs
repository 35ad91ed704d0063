//! The day length at a place for every day of a year, with today marked, the solstices and
//! equinoxes labelled and the days the clocks change marked; polar day draws as 24 hours and
//! polar night as none.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::{WIDTH, coordinate, sun_band::local_day, whole};
use crate::domain::{
    Coordinates,
    clock::page_duration,
    solar::{SunSource, compute, declination},
};

/// The plot in the `viewBox` (0 0 1000 320): the hours scale on the left, months below.
const LEFT: f64 = 100.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 260.0;

pub struct DaylightYear {
    pub description: String,
    /// The area under the day length, as a polygon's points.
    pub area: String,
    pub today: Option<Marker>,
    /// Solstices and equinoxes.
    pub seasons: Vec<Marker>,
    /// Days the clocks change.
    pub clock_changes: Vec<Marker>,
    pub months: Vec<Marker>,
    pub hours: Vec<Marker>,
    /// Day length on the 1st of each month, for the table.
    pub table: Vec<(String, String)>,
}

pub struct Marker {
    pub x: String,
    pub y: String,
    pub label: String,
}

impl DaylightYear {
    pub fn new(at: Coordinates, zone: Tz, year: i32, today: NaiveDate) -> Option<Self> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| d.year() == year).collect();
        let count = days.len() as f64;
        let x = |i: usize| LEFT + (WIDTH - LEFT) * (i as f64 + 0.5) / count;
        let y = |hours: f64| BOTTOM - (BOTTOM - TOP) * hours / 24.0;
        let lengths: Vec<TimeDelta> = days
            .iter()
            .map(|&d| compute(at, d, SunSource::Simulated).day_length)
            .collect();
        let hours = |i: usize| {
            lengths
                .get(i)
                .map_or(0.0, |l| l.num_seconds() as f64 / 3600.0)
        };

        let mut area = format!("{},{}", whole(LEFT), whole(BOTTOM));
        for i in 0..days.len() {
            area.push_str(&format!(" {},{}", whole(x(i)), whole(y(hours(i)))));
        }
        area.push_str(&format!(" {},{}", whole(WIDTH), whole(BOTTOM)));

        let marker = |i: usize, label: String| Marker {
            x: coordinate(x(i)),
            y: coordinate(y(hours(i))),
            label,
        };
        let index_of = |date: NaiveDate| days.iter().position(|&d| d == date);
        let today_marker =
            index_of(today).map(|i| marker(i, format!("today, {}", page_duration(lengths[i]))));

        // Equinoxes: the sun's declination changes sign during the day; solstices: it turns.
        let noon = |d: NaiveDate| {
            d.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
                .and_utc()
        };
        let decl: Vec<f64> = days.iter().map(|&d| declination(noon(d))).collect();
        let mut seasons = Vec::new();
        for i in 1..days.len() {
            let (before, now) = (decl[i - 1], decl[i]);
            if before < 0.0 && now >= 0.0 {
                seasons.push(marker(i, "March equinox".to_owned()));
            } else if before > 0.0 && now <= 0.0 {
                seasons.push(marker(i, "September equinox".to_owned()));
            }
            if i + 1 < days.len() {
                if now > before && now >= decl[i + 1] {
                    seasons.push(marker(i, "June solstice".to_owned()));
                } else if now < before && now <= decl[i + 1] {
                    seasons.push(marker(i, "December solstice".to_owned()));
                }
            }
        }
        seasons.sort_by(|a, b| {
            a.x.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.x.parse().unwrap_or(0.0))
        });

        let offset = |d: NaiveDate| {
            local_day(zone, d).map(|(start, _)| {
                let local = (start + TimeDelta::hours(12)).with_timezone(&zone);
                local.naive_local() - local.with_timezone(&Utc).naive_utc()
            })
        };
        let clock_changes = (1..days.len())
            .filter_map(|i| {
                let change = offset(days[i])? - offset(days[i - 1])?;
                (change != TimeDelta::zero()).then(|| {
                    marker(
                        i,
                        format!(
                            "clocks {} {} h",
                            if change > TimeDelta::zero() {
                                "forward"
                            } else {
                                "back"
                            },
                            change.num_minutes().abs() as f64 / 60.0
                        ),
                    )
                })
            })
            .collect();

        let months = days
            .iter()
            .enumerate()
            .filter(|(_, d)| d.day() == 1)
            .map(|(i, d)| Marker {
                x: coordinate(x(i)),
                y: coordinate(BOTTOM),
                label: d.format("%b").to_string(),
            })
            .collect();
        let hour_lines = [0.0, 6.0, 12.0, 18.0, 24.0]
            .iter()
            .map(|&h| Marker {
                x: coordinate(LEFT),
                y: coordinate(y(h)),
                label: format!("{h:.0} h"),
            })
            .collect();
        let table = days
            .iter()
            .zip(&lengths)
            .filter(|(d, _)| d.day() == 1)
            .map(|(d, l)| (d.format("%-d %B").to_string(), page_duration(*l)))
            .collect();

        let (shortest, longest) = lengths.iter().enumerate().fold((0, 0), |(lo, hi), (i, l)| {
            (
                if *l < lengths[lo] { i } else { lo },
                if *l > lengths[hi] { i } else { hi },
            )
        });
        let description = format!(
            "Day length through {year}: longest {} ({}), shortest {} ({}){}.",
            page_duration(lengths[longest]),
            days[longest].format("%-d %B"),
            page_duration(lengths[shortest]),
            days[shortest].format("%-d %B"),
            today_marker
                .as_ref()
                .map(|m| format!("; {}", m.label))
                .unwrap_or_default()
        );
        Some(Self {
            description,
            area,
            today: today_marker,
            seasons,
            clock_changes,
            months,
            hours: hour_lines,
            table,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn heights(chart: &DaylightYear) -> Vec<f64> {
        chart
            .area
            .split(' ')
            .filter_map(|p| p.split_once(',').and_then(|(_, y)| y.parse().ok()))
            .collect()
    }

    #[test]
    fn portland_has_its_longest_day_in_june_and_two_clock_changes() {
        let portland = Coordinates {
            latitude: 45.5,
            longitude: -122.7,
        };
        let Some(chart) = DaylightYear::new(
            portland,
            chrono_tz::America::Los_Angeles,
            2026,
            date(2026, 11, 28),
        ) else {
            panic!("no chart")
        };
        assert_eq!(heights(&chart).len(), 365 + 2);
        let labels: Vec<_> = chart.seasons.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "March equinox",
                "June solstice",
                "September equinox",
                "December solstice"
            ]
        );
        let changes: Vec<_> = chart
            .clock_changes
            .iter()
            .map(|m| m.label.as_str())
            .collect();
        assert_eq!(changes, ["clocks forward 1 h", "clocks back 1 h"]);
        assert!(
            chart.description.contains("longest 15 h"),
            "{}",
            chart.description
        );
        assert!(
            chart.description.contains("(2") || chart.description.contains("June"),
            "{}",
            chart.description
        );
        assert!(chart.today.is_some());
        assert_eq!(chart.table.len(), 12);
        assert_eq!(chart.months.len(), 12);
    }

    #[test]
    fn polar_day_is_24_hours_and_polar_night_none() {
        let longyearbyen = Coordinates {
            latitude: 78.2,
            longitude: 15.6,
        };
        let Some(chart) = DaylightYear::new(
            longyearbyen,
            chrono_tz::Arctic::Longyearbyen,
            2026,
            date(2026, 1, 1),
        ) else {
            panic!("no chart")
        };
        let ys = heights(&chart);
        // The first and last points close the area on the axis.
        let inner = &ys[1..ys.len() - 1];
        assert!(
            inner.iter().any(|&y| (y - TOP).abs() < 0.1),
            "midnight sun reaches 24 h"
        );
        assert!(
            inner.iter().any(|&y| (y - BOTTOM).abs() < 0.1),
            "polar night is 0 h"
        );
        // The equator has no clock changes in Quito and hardly any change in day length.
        let quito = Coordinates {
            latitude: -0.18,
            longitude: -78.47,
        };
        let Some(flat) =
            DaylightYear::new(quito, chrono_tz::America::Guayaquil, 2026, date(2026, 6, 1))
        else {
            panic!("no chart")
        };
        assert!(flat.clock_changes.is_empty());
        let ys = heights(&flat);
        let inner = &ys[1..ys.len() - 1];
        let spread = inner.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - inner.iter().cloned().fold(f64::INFINITY, f64::min);
        assert!(spread < 1.0, "{spread}");
    }
}
