//! The next 48 hours at a place: temperature as a line, the chance of rain as bars, the hours
//! without daylight shaded from the place's own sun, and a local-time axis.

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;

use super::{WIDTH, coordinate};
use crate::domain::{
    Coordinates,
    solar::{Light, light_spans},
    units::Preferences,
    weather::HourForecast,
};

/// Where the plot sits in the `viewBox` (0 0 1000 300): room on the left for the temperature
/// scale and below for the hours.
const LEFT: f64 = 125.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 240.0;
const HEIGHT: f64 = 300.0;
/// The temperature scale spans at least this many degrees, so a still day is not drawn as a storm.
const MIN_SPAN_C: f64 = 6.0;

pub struct ForecastChart {
    pub description: String,
    /// Hours without daylight, shaded: one path of rectangles.
    pub nights: String,
    /// One bar per hour with a chance of rain, its height the chance: one path of rectangles
    /// (a path is a third of the bytes of as many `<rect>`s).
    pub rain: String,
    /// The temperature line, in pieces where the provider had no number.
    pub lines: Vec<String>,
    pub ticks: Vec<Tick>,
    /// The top and bottom of the temperature scale, labelled.
    pub scale: Vec<Tick>,
    pub height: f64,
    /// Where the plot starts, and where the scale's labels end, left of it.
    pub left: String,
    pub label_x: String,
}

#[derive(Debug)]
pub struct Tick {
    /// x for the hour ticks, y for the scale.
    pub at: String,
    pub label: String,
}

impl ForecastChart {
    /// `None` when fewer than two hours are known: there is nothing to draw between.
    pub fn new(
        hours: &[&HourForecast],
        at: Coordinates,
        zone: Tz,
        prefs: Preferences,
    ) -> Option<Self> {
        let (first, last) = (hours.first()?, hours.last()?);
        if hours.len() < 2 {
            return None;
        }
        let start = first.at;
        let end = last.at.checked_add_signed(TimeDelta::hours(1))?;
        let span = (end - start).num_seconds() as f64;
        let x = |t: DateTime<Utc>| LEFT + (WIDTH - LEFT) * (t - start).num_seconds() as f64 / span;
        let hour_width = (WIDTH - LEFT) * 3600.0 / span;

        // A rectangle from `left` to `right`, `top` down to the axis.
        let rectangle = |left: f64, right: f64, top: f64| {
            format!(
                "M{},{}H{}V{}H{}Z",
                coordinate(left),
                coordinate(top),
                coordinate(right),
                coordinate(BOTTOM),
                coordinate(left)
            )
        };
        // Twilights and night are shaded alike: one rectangle from dusk to dawn.
        let mut dark: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for span in light_spans(at, start, end, TimeDelta::minutes(10)) {
            if span.light == Light::Day {
                continue;
            }
            match dark.last_mut() {
                Some((_, to)) if *to == span.from => *to = span.to,
                _ => dark.push((span.from, span.to)),
            }
        }
        let nights = dark
            .into_iter()
            .map(|(from, to)| rectangle(x(from), x(to), TOP))
            .collect();

        let rain = hours
            .iter()
            .filter_map(|h| {
                let chance = h.precipitation_probability?.clamp(0.0, 100.0);
                let left = x(h.at) + hour_width * 0.15;
                (chance > 0.0).then(|| {
                    rectangle(
                        left,
                        left + hour_width * 0.7,
                        BOTTOM - (BOTTOM - TOP) * chance / 100.0,
                    )
                })
            })
            .collect();

        let temperatures: Vec<f64> = hours.iter().filter_map(|h| h.temperature_c).collect();
        let (low, high) = temperatures
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
                (lo.min(t), hi.max(t))
            });
        let (bottom_c, top_c) = if low.is_finite() && high.is_finite() {
            let middle = (low + high) / 2.0;
            let half = ((high - low) / 2.0).max(MIN_SPAN_C / 2.0) + 1.0;
            ((middle - half).floor(), (middle + half).ceil())
        } else {
            (0.0, MIN_SPAN_C)
        };
        let y = |c: f64| BOTTOM - (BOTTOM - TOP) * (c - bottom_c) / (top_c - bottom_c);
        let mut lines = Vec::new();
        let mut line = String::new();
        for hour in hours {
            match hour.temperature_c {
                Some(c) => {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&format!(
                        "{},{}",
                        coordinate(x(hour.at) + hour_width / 2.0),
                        coordinate(y(c))
                    ));
                }
                None if !line.is_empty() => lines.push(std::mem::take(&mut line)),
                None => {}
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }

        let ticks = hours
            .iter()
            .filter_map(|h| {
                let local = h.at.with_timezone(&zone);
                (local.hour() % 6 == 0).then(|| Tick {
                    at: coordinate(x(h.at)),
                    label: match local.hour() {
                        0 => local.format("%a").to_string(),
                        12 => prefs.time(&local),
                        _ => String::new(),
                    },
                })
            })
            .collect();
        let scale = vec![
            Tick {
                at: coordinate(y(top_c)),
                label: prefs.temperature(top_c),
            },
            Tick {
                at: coordinate(y(bottom_c)),
                label: prefs.temperature(bottom_c),
            },
        ];

        Some(Self {
            description: describe(hours, zone, prefs),
            nights,
            rain,
            lines,
            ticks,
            scale,
            height: HEIGHT,
            left: coordinate(LEFT),
            label_x: coordinate(LEFT - 8.0),
        })
    }
}

/// The chart in words: where the temperature goes and when rain is likeliest.
fn describe(hours: &[&HourForecast], zone: Tz, prefs: Preferences) -> String {
    let when = |h: &HourForecast| {
        let local = h.at.with_timezone(&zone);
        format!("{} {}", local.format("%A"), prefs.time(&local))
    };
    let by = |value: fn(&HourForecast) -> Option<f64>| {
        let known = || hours.iter().filter_map(|h| value(h).map(|v| (v, *h)));
        let high = known().max_by(|a, b| a.0.total_cmp(&b.0));
        let low = known().min_by(|a, b| a.0.total_cmp(&b.0));
        (high, low)
    };
    let mut parts = Vec::new();
    if let (Some((high, at_high)), Some((low, at_low))) = by(|h| h.temperature_c) {
        parts.push(format!(
            "Temperature from a low of {} ({}) to a high of {} ({})",
            prefs.temperature(low),
            when(at_low),
            prefs.temperature(high),
            when(at_high)
        ));
    }
    if let (Some((chance, at)), _) = by(|h| h.precipitation_probability) {
        parts.push(match chance {
            c if c < 1.0 => "no rain expected".to_owned(),
            c => format!("rain likeliest ({c:.0} %) {}", when(at)),
        });
    }
    parts.push("hours without daylight are shaded".to_owned());
    format!("{}.", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hours(temperatures: &[Option<f64>]) -> Vec<HourForecast> {
        let start = Utc
            .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
            .single()
            .unwrap_or_default();
        temperatures
            .iter()
            .enumerate()
            .map(|(i, &t)| HourForecast {
                at: start + TimeDelta::hours(i as i64),
                temperature_c: t,
                precipitation_probability: Some(if i == 5 { 80.0 } else { 0.0 }),
                code: None,
            })
            .collect()
    }

    const METRIC: Preferences = Preferences {
        units: crate::domain::units::Units::Metric,
        clock: crate::domain::units::Clock::TwentyFourHour,
    };

    const PORTLAND: Coordinates = Coordinates {
        latitude: 45.5,
        longitude: -122.7,
    };

    fn points(line: &str) -> Vec<(f64, f64)> {
        line.split(' ')
            .filter_map(|p| p.split_once(','))
            .map(|(x, y)| (x.parse().unwrap_or(f64::NAN), y.parse().unwrap_or(f64::NAN)))
            .collect()
    }

    #[test]
    fn the_line_has_a_point_per_hour_higher_for_warmer_and_breaks_where_a_value_is_missing() {
        let data = hours(&[Some(2.0), Some(4.0), None, Some(8.0), Some(6.0), Some(5.0)]);
        let refs: Vec<&HourForecast> = data.iter().collect();
        let Some(chart) =
            ForecastChart::new(&refs, PORTLAND, chrono_tz::America::Los_Angeles, METRIC)
        else {
            panic!("no chart")
        };
        assert_eq!(chart.lines.len(), 2);
        let (first, second) = (points(&chart.lines[0]), points(&chart.lines[1]));
        assert_eq!((first.len(), second.len()), (2, 3));
        // Warmer is higher (a smaller y); each point is in the plot.
        assert!(first[1].1 < first[0].1);
        assert!(second[0].1 < second[2].1);
        for (x, y) in first.iter().chain(&second) {
            assert!(
                (LEFT..=WIDTH).contains(x) && (TOP..=BOTTOM).contains(y),
                "{x},{y}"
            );
        }
        // One bar, for the hour with a chance of rain, 80 % of the plot's height.
        assert_eq!(chart.rain.matches('M').count(), 1);
        let top: f64 = chart
            .rain
            .split_once(',')
            .and_then(|(_, rest)| rest.split_once('H'))
            .and_then(|(top, _)| top.parse().ok())
            .unwrap_or(f64::NAN);
        assert!(
            (BOTTOM - top - 0.8 * (BOTTOM - TOP)).abs() < 0.2,
            "{}",
            chart.rain
        );
        assert!(
            chart.description.contains("low of 2 °C"),
            "{}",
            chart.description
        );
        assert!(chart.description.contains("high of 8 °C"));
        assert!(chart.description.contains("rain likeliest (80 %)"));
    }

    #[test]
    fn the_hours_before_sunrise_are_shaded_and_too_few_hours_draw_nothing() {
        // 08:00 UTC is 00:00 in Portland: the first hours are night.
        let data = hours(&[Some(1.0); 12]);
        let refs: Vec<&HourForecast> = data.iter().collect();
        let chart = ForecastChart::new(&refs, PORTLAND, chrono_tz::America::Los_Angeles, METRIC);
        assert!(chart.is_some_and(|c| c.nights.starts_with("M125,20H")));
        let one: Vec<&HourForecast> = data.iter().take(1).collect();
        assert!(
            ForecastChart::new(&one, PORTLAND, chrono_tz::America::Los_Angeles, METRIC).is_none()
        );
    }
}
