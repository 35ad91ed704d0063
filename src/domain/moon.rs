//! The moon's phase and the lit fraction of its disc at an instant, computed here.
//!
//! Meeus, *Astronomical Algorithms* (2nd ed.), chapters 47–48: the mean elongation and the
//! anomalies of sun and moon, and the phase angle with its six largest periodic terms (eq. 48.4),
//! good to a fraction of a degree, that is to well under an hour at new and full moon. No crate
//! we found does this with tests against published dates; the tests here hold it to 2026's.

use std::f64::consts::PI;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The eight names of the moon's phases, each a 45° stretch of elongation centred on its angle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoonPhaseName {
    NewMoon,
    WaxingCrescent,
    FirstQuarter,
    WaxingGibbous,
    FullMoon,
    WaningGibbous,
    LastQuarter,
    WaningCrescent,
}

impl MoonPhaseName {
    pub fn words(self) -> &'static str {
        match self {
            MoonPhaseName::NewMoon => "new moon",
            MoonPhaseName::WaxingCrescent => "waxing crescent",
            MoonPhaseName::FirstQuarter => "first quarter",
            MoonPhaseName::WaxingGibbous => "waxing gibbous",
            MoonPhaseName::FullMoon => "full moon",
            MoonPhaseName::WaningGibbous => "waning gibbous",
            MoonPhaseName::LastQuarter => "last quarter",
            MoonPhaseName::WaningCrescent => "waning crescent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moon {
    pub phase: MoonPhaseName,
    /// The lit fraction of the disc, 0 (new) to 1 (full).
    pub illumination: f64,
    /// The moon's elongation from the sun, 0° (new) through 180° (full) to 360°.
    pub elongation: f64,
}

pub fn moon_at(instant: DateTime<Utc>) -> Moon {
    let julian_day = instant.timestamp() as f64 / 86_400.0 + 2_440_587.5;
    let t = (julian_day - 2_451_545.0) / 36_525.0;
    let degrees = |x: f64| x.rem_euclid(360.0);
    // Mean elongation of the moon, mean anomalies of sun and moon (47.2, 47.3, 47.4).
    let d = degrees(297.850_192_1 + 445_267.111_403_4 * t - 0.001_881_9 * t * t);
    let m = degrees(357.529_109_2 + 35_999.050_290_9 * t - 0.000_153_6 * t * t);
    let m_moon = degrees(134.963_396_4 + 477_198.867_505_5 * t + 0.008_741_4 * t * t);
    let sin = |x: f64| (x * PI / 180.0).sin();
    // Phase angle (48.4).
    let phase_angle = 180.0 - d - 6.289 * sin(m_moon) + 2.100 * sin(m)
        - 1.274 * sin(2.0 * d - m_moon)
        - 0.658 * sin(2.0 * d)
        - 0.214 * sin(2.0 * m_moon)
        - 0.110 * sin(d);
    let illumination = (1.0 + (phase_angle * PI / 180.0).cos()) / 2.0;
    let elongation = degrees(180.0 - phase_angle);
    let octant = ((elongation + 22.5) / 45.0).floor() as u32 % 8;
    let phase = match octant {
        0 => MoonPhaseName::NewMoon,
        1 => MoonPhaseName::WaxingCrescent,
        2 => MoonPhaseName::FirstQuarter,
        3 => MoonPhaseName::WaxingGibbous,
        4 => MoonPhaseName::FullMoon,
        5 => MoonPhaseName::WaningGibbous,
        6 => MoonPhaseName::LastQuarter,
        _ => MoonPhaseName::WaningCrescent,
    };
    Moon {
        phase,
        illumination: illumination.clamp(0.0, 1.0),
        elongation,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    /// 2026's new and full moons as published (UTC; timeanddate.com, after USNO).
    const NEW: [(u32, u32, u32, u32); 12] = [
        (1, 18, 19, 52),
        (2, 17, 12, 1),
        (3, 19, 1, 23),
        (4, 17, 11, 52),
        (5, 16, 20, 1),
        (6, 15, 2, 54),
        (7, 14, 9, 43),
        (8, 12, 17, 36),
        (9, 11, 3, 27),
        (10, 10, 15, 50),
        (11, 9, 7, 2),
        (12, 9, 0, 51),
    ];
    const FULL: [(u32, u32, u32, u32); 13] = [
        (1, 3, 10, 2),
        (2, 1, 22, 9),
        (3, 3, 11, 37),
        (4, 2, 2, 11),
        (5, 1, 17, 23),
        (5, 31, 8, 45),
        (6, 29, 23, 56),
        (7, 29, 14, 35),
        (8, 28, 4, 18),
        (9, 26, 16, 49),
        (10, 26, 4, 11),
        (11, 24, 14, 53),
        (12, 24, 1, 28),
    ];

    /// The instant within a day either side of `at` where the elongation is nearest `target`.
    fn nearest(at: DateTime<Utc>, target: f64) -> DateTime<Utc> {
        (-24 * 60..=24 * 60)
            .step_by(10)
            .map(|m| at + TimeDelta::minutes(m))
            .min_by(|a, b| {
                let off = |t: DateTime<Utc>| {
                    let e = moon_at(t).elongation - target;
                    (e + 180.0).rem_euclid(360.0) - 180.0
                };
                off(*a).abs().total_cmp(&off(*b).abs())
            })
            .unwrap_or(at)
    }

    #[test]
    fn the_2026_new_and_full_moons_fall_within_hours_of_the_published_times() {
        for (month, day, hour, minute) in NEW {
            let published = utc(2026, month, day, hour, minute);
            let moon = moon_at(published);
            assert_eq!(moon.phase, MoonPhaseName::NewMoon, "{published}");
            assert!(
                moon.illumination < 0.01,
                "{published}: {}",
                moon.illumination
            );
            let ours = nearest(published, 0.0);
            assert!(
                (ours - published).num_minutes().abs() < 6 * 60,
                "{published}: {ours}"
            );
        }
        for (month, day, hour, minute) in FULL {
            let published = utc(2026, month, day, hour, minute);
            let moon = moon_at(published);
            assert_eq!(moon.phase, MoonPhaseName::FullMoon, "{published}");
            assert!(
                moon.illumination > 0.99,
                "{published}: {}",
                moon.illumination
            );
            let ours = nearest(published, 180.0);
            assert!(
                (ours - published).num_minutes().abs() < 6 * 60,
                "{published}: {ours}"
            );
        }
    }

    #[test]
    fn between_new_and_full_the_moon_waxes() {
        let first = moon_at(utc(2026, 1, 22, 0, 0));
        assert_eq!(first.phase, MoonPhaseName::WaxingCrescent);
        let later = moon_at(utc(2026, 1, 30, 0, 0));
        assert_eq!(later.phase, MoonPhaseName::WaxingGibbous);
        assert!(later.illumination > first.illumination);
    }

    proptest::proptest! {
        #[test]
        fn any_instant_has_a_lit_fraction_between_nothing_and_all(seconds in -4_000_000_000i64..8_000_000_000) {
            let at = DateTime::from_timestamp(seconds, 0).unwrap_or_default();
            let moon = moon_at(at);
            proptest::prop_assert!((0.0..=1.0).contains(&moon.illumination));
            proptest::prop_assert!((0.0..360.0).contains(&moon.elongation));
        }
    }
}
