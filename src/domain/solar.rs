//! Sun times for a place and a date, and the local calculation used when sunrise-sunset.org is
//! down or slow.
//!
//! The calculation is NOAA's (the equations behind its Solar Calculator, after Meeus). It is
//! written here rather than taken from the `sunrise` crate because that crate uses a simpler
//! equation, exposes no solar noon and cannot tell polar day from polar night, all of which the
//! page shows. The tests hold it to published values within a minute.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use super::Coordinates;

/// Where a set of sun times came from; shown on the page and in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SunSource {
    /// The sunrise-sunset.org API.
    SunriseSunset,
    /// Computed here because sunrise-sunset.org failed or was too slow.
    ComputedFallback,
    /// Computed here in simulated mode.
    Simulated,
}

impl SunSource {
    pub fn describe(self) -> &'static str {
        match self {
            SunSource::SunriseSunset => "sunrise-sunset.org",
            SunSource::ComputedFallback => {
                "computed by Cityscape (NOAA's equations), because sunrise-sunset.org did not answer properly or in time"
            }
            SunSource::Simulated => "computed by Cityscape (NOAA's equations), simulated mode",
        }
    }
}

/// The start and end of one kind of twilight; `None` where the sun never crosses that depth
/// that day (for example, no astronomical dusk at midsummer far north).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Twilight {
    pub begin: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// Whether the sun rises and sets on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Normal,
    /// The sun stays above the horizon all day.
    PolarDay,
    /// The sun stays below the horizon all day.
    PolarNight,
}

/// Sun times for one place on one local date, as instants; formatting picks the zone.
#[derive(Debug, Clone, PartialEq)]
pub struct SunTimes {
    pub date: NaiveDate,
    pub sunrise: Option<DateTime<Utc>>,
    pub sunset: Option<DateTime<Utc>>,
    pub solar_noon: DateTime<Utc>,
    pub day_length: TimeDelta,
    pub civil: Twilight,
    pub nautical: Twilight,
    pub astronomical: Twilight,
    pub source: SunSource,
}

impl SunTimes {
    pub fn day_kind(&self) -> DayKind {
        match (self.sunrise, self.sunset) {
            (Some(_), _) | (_, Some(_)) => DayKind::Normal,
            _ if self.day_length >= TimeDelta::hours(12) => DayKind::PolarDay,
            _ => DayKind::PolarNight,
        }
    }
}

/// Zenith angles, in degrees, of the events: sunrise allows for refraction and the sun's radius.
const SUNRISE_ZENITH: f64 = 90.833;
const CIVIL_ZENITH: f64 = 96.0;
const NAUTICAL_ZENITH: f64 = 102.0;
const ASTRONOMICAL_ZENITH: f64 = 108.0;

/// Computes the sun times at a point for a date (the local solar day around that date's noon).
pub fn compute(at: Coordinates, date: NaiveDate, source: SunSource) -> SunTimes {
    let midnight = julian_day_at_midnight(date);
    let noon_minutes = solar_noon_minutes(midnight, at.longitude);
    // Every crossing's first pass uses the sun's position at noon, and every pass the place's
    // latitude: each worked out once, not eight or sixteen times (their trigonometry was most of
    // the simulated sun service's work).
    let sun_at_noon = SunPosition::at(midnight + noon_minutes / 1440.0);
    let site = Site::of(at);
    let crossing = |zenith: f64, side: Side| crossing(midnight, sun_at_noon, site, zenith, side);
    let instant = |minutes: f64| date_at_minutes(date, minutes);
    let twilight = |zenith: f64| Twilight {
        begin: crossing(zenith, Side::Morning).minutes().map(instant),
        end: crossing(zenith, Side::Evening).minutes().map(instant),
    };

    let rise = crossing(SUNRISE_ZENITH, Side::Morning);
    let set = crossing(SUNRISE_ZENITH, Side::Evening);
    let day_length = match (rise, set) {
        (Crossing::At(r), Crossing::At(s)) => TimeDelta::seconds(((s - r) * 60.0).round() as i64),
        (Crossing::AlwaysAbove, _) | (_, Crossing::AlwaysAbove) => TimeDelta::hours(24),
        _ => TimeDelta::zero(),
    };

    SunTimes {
        date,
        sunrise: rise.minutes().map(instant),
        sunset: set.minutes().map(instant),
        solar_noon: instant(noon_minutes),
        day_length,
        civil: twilight(CIVIL_ZENITH),
        nautical: twilight(NAUTICAL_ZENITH),
        astronomical: twilight(ASTRONOMICAL_ZENITH),
        source,
    }
}

/// How light the sky is, by the sun's elevation: the bands the twilights are named for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    Night,
    Astronomical,
    Nautical,
    Civil,
    Day,
}

impl Light {
    /// The light with the sun's centre at `elevation` degrees (sunrise's −0.833° allows for
    /// refraction and the sun's radius, as the sun times do).
    pub fn at_elevation(elevation: f64) -> Self {
        match elevation {
            e if e > 90.0 - SUNRISE_ZENITH => Light::Day,
            e if e > 90.0 - CIVIL_ZENITH => Light::Civil,
            e if e > 90.0 - NAUTICAL_ZENITH => Light::Nautical,
            e if e > 90.0 - ASTRONOMICAL_ZENITH => Light::Astronomical,
            _ => Light::Night,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Light::Night => "night",
            Light::Astronomical => "astronomical twilight",
            Light::Nautical => "nautical twilight",
            Light::Civil => "civil twilight",
            Light::Day => "daylight",
        }
    }
}

/// The sun's elevation above the horizon at an instant, in degrees (NOAA's equations, without
/// refraction).
pub fn elevation(at: Coordinates, instant: DateTime<Utc>) -> f64 {
    let julian_day = instant.timestamp() as f64 / 86_400.0 + 2_440_587.5;
    let t = julian_century(julian_day);
    let declination = sun_declination(t).to_radians();
    let latitude = at.latitude.to_radians();
    let minutes_of_day = (instant.timestamp().rem_euclid(86_400)) as f64 / 60.0;
    let true_solar_minutes =
        (minutes_of_day + equation_of_time(t) + 4.0 * at.longitude).rem_euclid(1440.0);
    let hour_angle = (true_solar_minutes / 4.0 - 180.0).to_radians();
    let cos_zenith =
        latitude.sin() * declination.sin() + latitude.cos() * declination.cos() * hour_angle.cos();
    90.0 - cos_zenith.clamp(-1.0, 1.0).acos().to_degrees()
}

/// The sun's declination at an instant, in degrees: positive while the sun is north of the
/// equator (from the March equinox to the September one).
pub fn declination(instant: DateTime<Utc>) -> f64 {
    let julian_day = instant.timestamp() as f64 / 86_400.0 + 2_440_587.5;
    sun_declination(julian_century(julian_day))
}

/// One stretch of the same light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LightSpan {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub light: Light,
}

/// The light from `from` to `to`, in spans, the sun's elevation sampled every `step` (a span's
/// edge is right to within a step).
pub fn light_spans(
    at: Coordinates,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: TimeDelta,
) -> Vec<LightSpan> {
    let mut spans: Vec<LightSpan> = Vec::new();
    if to <= from || step <= TimeDelta::zero() {
        return spans;
    }
    let mut instant = from;
    while instant < to {
        let next = instant
            .checked_add_signed(step)
            .map_or(to, |next| next.min(to));
        // The light in the middle of the step stands for the step.
        let light = Light::at_elevation(elevation(at, instant + (next - instant) / 2));
        match spans.last_mut() {
            Some(last) if last.light == light => last.to = next,
            _ => spans.push(LightSpan {
                from: instant,
                to: next,
                light,
            }),
        }
        instant = next;
    }
    spans
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Morning,
    Evening,
}

/// When the sun's centre crosses a zenith angle, in minutes after the date's 00:00 UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Crossing {
    At(f64),
    /// The sun stays higher than the angle all day.
    AlwaysAbove,
    /// The sun never climbs to the angle.
    AlwaysBelow,
}

impl Crossing {
    fn minutes(self) -> Option<f64> {
        match self {
            Crossing::At(m) => Some(m),
            _ => None,
        }
    }
}

/// What a crossing needs of the sun's place at one instant (NOAA's equations).
#[derive(Debug, Clone, Copy)]
struct SunPosition {
    /// Of the declination.
    cos_declination: f64,
    tan_declination: f64,
    /// Minutes.
    equation_of_time: f64,
}

impl SunPosition {
    fn at(julian_day: f64) -> Self {
        let t = julian_century(julian_day);
        let declination = sun_declination(t).to_radians();
        Self {
            cos_declination: declination.cos(),
            tan_declination: declination.tan(),
            equation_of_time: equation_of_time(t),
        }
    }
}

/// What a crossing needs of the place: its latitude's trigonometry, the same for the day's
/// sixteen solutions, and its longitude.
#[derive(Debug, Clone, Copy)]
struct Site {
    cos_latitude: f64,
    tan_latitude: f64,
    longitude: f64,
}

impl Site {
    fn of(at: Coordinates) -> Self {
        let latitude = at.latitude.to_radians();
        Self {
            cos_latitude: latitude.cos(),
            tan_latitude: latitude.tan(),
            longitude: at.longitude,
        }
    }
}

/// NOAA's two passes: solve with the sun's position at noon, then again at the first answer.
fn crossing(
    midnight: f64,
    sun_at_noon: SunPosition,
    site: Site,
    zenith: f64,
    side: Side,
) -> Crossing {
    match crossing_with_sun_at(sun_at_noon, site, zenith, side) {
        Crossing::At(first) => crossing_with_sun_at(
            SunPosition::at(midnight + first / 1440.0),
            site,
            zenith,
            side,
        ),
        other => other,
    }
}

fn crossing_with_sun_at(sun: SunPosition, site: Site, zenith: f64, side: Side) -> Crossing {
    let cos_hour_angle = zenith.to_radians().cos() / (site.cos_latitude * sun.cos_declination)
        - site.tan_latitude * sun.tan_declination;
    if cos_hour_angle > 1.0 {
        return Crossing::AlwaysBelow;
    }
    if cos_hour_angle < -1.0 {
        return Crossing::AlwaysAbove;
    }
    let hour_angle = cos_hour_angle.acos().to_degrees();
    let signed = match side {
        Side::Morning => hour_angle,
        Side::Evening => -hour_angle,
    };
    Crossing::At(720.0 - 4.0 * (site.longitude + signed) - sun.equation_of_time)
}

fn solar_noon_minutes(midnight: f64, longitude: f64) -> f64 {
    let first_guess = equation_of_time(julian_century(midnight + 0.5 - longitude / 360.0));
    let noon = 720.0 - 4.0 * longitude - first_guess;
    720.0 - 4.0 * longitude - equation_of_time(julian_century(midnight + noon / 1440.0))
}

fn date_at_minutes(date: NaiveDate, minutes: f64) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc();
    midnight + TimeDelta::seconds((minutes * 60.0).round() as i64)
}

fn julian_day_at_midnight(date: NaiveDate) -> f64 {
    let unix_days = date.signed_duration_since(NaiveDate::default()).num_days();
    unix_days as f64 + 2_440_587.5
}

fn julian_century(julian_day: f64) -> f64 {
    (julian_day - 2_451_545.0) / 36_525.0
}

fn geometric_mean_longitude(t: f64) -> f64 {
    (280.46646 + t * (36000.76983 + t * 0.0003032)).rem_euclid(360.0)
}

fn geometric_mean_anomaly(t: f64) -> f64 {
    357.52911 + t * (35999.05029 - 0.0001537 * t)
}

fn orbit_eccentricity(t: f64) -> f64 {
    0.016708634 - t * (0.000042037 + 0.0000001267 * t)
}

fn equation_of_centre(t: f64) -> f64 {
    let m = geometric_mean_anomaly(t).to_radians();
    m.sin() * (1.914602 - t * (0.004817 + 0.000014 * t))
        + (2.0 * m).sin() * (0.019993 - 0.000101 * t)
        + (3.0 * m).sin() * 0.000289
}

fn apparent_longitude(t: f64) -> f64 {
    let true_longitude = geometric_mean_longitude(t) + equation_of_centre(t);
    let omega = (125.04 - 1934.136 * t).to_radians();
    true_longitude - 0.00569 - 0.00478 * omega.sin()
}

fn obliquity_corrected(t: f64) -> f64 {
    let seconds = 21.448 - t * (46.8150 + t * (0.00059 - t * 0.001813));
    let mean = 23.0 + (26.0 + seconds / 60.0) / 60.0;
    let omega = (125.04 - 1934.136 * t).to_radians();
    mean + 0.00256 * omega.cos()
}

/// Degrees.
fn sun_declination(t: f64) -> f64 {
    let e = obliquity_corrected(t).to_radians();
    let lambda = apparent_longitude(t).to_radians();
    (e.sin() * lambda.sin()).asin().to_degrees()
}

/// Minutes.
fn equation_of_time(t: f64) -> f64 {
    let epsilon = obliquity_corrected(t).to_radians();
    let l0 = geometric_mean_longitude(t).to_radians();
    let e = orbit_eccentricity(t);
    let m = geometric_mean_anomaly(t).to_radians();
    let y = (epsilon / 2.0).tan().powi(2);
    let radians = y * (2.0 * l0).sin() - 2.0 * e * m.sin()
        + 4.0 * e * y * m.sin() * (2.0 * l0).cos()
        - 0.5 * y * y * (4.0 * l0).sin()
        - 1.25 * e * e * (2.0 * m).sin();
    radians.to_degrees() * 4.0
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

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn assert_within_a_minute(what: &str, got: Option<DateTime<Utc>>, published: &str) {
        let got = got.unwrap_or_else(|| panic!("{what}: no time computed"));
        let off = (got - utc(published)).num_seconds().abs();
        assert!(
            off <= 60,
            "{what}: computed {got}, published {published}, {off} s apart"
        );
    }

    /// sunrise-sunset.org's documented example answer: Málaga, 21 May 2015.
    #[test]
    fn matches_the_published_times_for_malaga() {
        let sun = compute(
            at(36.7201600, -4.4203400),
            date(2015, 5, 21),
            SunSource::ComputedFallback,
        );
        assert_within_a_minute("sunrise", sun.sunrise, "2015-05-21T05:05:35+00:00");
        assert_within_a_minute("sunset", sun.sunset, "2015-05-21T19:22:59+00:00");
        assert_within_a_minute(
            "solar noon",
            Some(sun.solar_noon),
            "2015-05-21T12:14:17+00:00",
        );
        assert_within_a_minute("civil dawn", sun.civil.begin, "2015-05-21T04:36:17+00:00");
        assert_within_a_minute("civil dusk", sun.civil.end, "2015-05-21T19:52:17+00:00");
        assert_within_a_minute(
            "nautical dawn",
            sun.nautical.begin,
            "2015-05-21T04:00:58+00:00",
        );
        assert_within_a_minute(
            "nautical dusk",
            sun.nautical.end,
            "2015-05-21T20:27:37+00:00",
        );
        assert_within_a_minute(
            "astronomical dawn",
            sun.astronomical.begin,
            "2015-05-21T03:20:49+00:00",
        );
        assert_within_a_minute(
            "astronomical dusk",
            sun.astronomical.end,
            "2015-05-21T21:07:45+00:00",
        );
        assert!(
            (sun.day_length.num_seconds() - 51_444).abs() <= 60,
            "{:?}",
            sun.day_length
        );
        assert_eq!(sun.day_kind(), DayKind::Normal);
    }

    #[test]
    fn a_west_coast_sunset_after_utc_midnight_belongs_to_the_same_local_day() {
        // Portland, 25 November 2026: sunset is at about 16:30 PST, 00:30 UTC the next day.
        let sun = compute(
            at(45.50655, -122.733888),
            date(2026, 11, 25),
            SunSource::ComputedFallback,
        );
        let sunset = sun.sunset.map(|t| t.date_naive());
        assert_eq!(sunset, Some(date(2026, 11, 26)));
        assert!(sun.sunrise < sun.sunset);
    }

    #[test]
    fn tromso_has_polar_day_in_june_and_polar_night_in_december() {
        let tromso = at(69.6492, 18.9553);
        let june = compute(tromso, date(2026, 6, 21), SunSource::ComputedFallback);
        assert_eq!(june.day_kind(), DayKind::PolarDay);
        assert_eq!((june.sunrise, june.sunset), (None, None));
        assert_eq!(june.day_length, TimeDelta::hours(24));
        assert_eq!(
            june.astronomical,
            Twilight::default(),
            "the sun never goes 18° below"
        );

        let december = compute(tromso, date(2026, 12, 21), SunSource::ComputedFallback);
        assert_eq!(december.day_kind(), DayKind::PolarNight);
        assert_eq!(december.day_length, TimeDelta::zero());
        assert!(
            december.civil.begin.is_some(),
            "civil twilight still happens at noon"
        );
    }

    #[test]
    fn the_south_pole_region_has_polar_day_in_december() {
        let sun = compute(
            at(-77.85, 166.67),
            date(2026, 12, 21),
            SunSource::ComputedFallback,
        );
        assert_eq!(sun.day_kind(), DayKind::PolarDay);
    }

    #[test]
    fn the_sun_is_highest_near_solar_noon_and_below_the_horizon_at_midnight() {
        let portland = at(45.5, -122.7);
        let sun = compute(portland, date(2026, 6, 21), SunSource::Simulated);
        let noon = elevation(portland, sun.solar_noon);
        // 90 − latitude + 23.44 at the June solstice.
        assert!((noon - 67.9).abs() < 0.3, "{noon}");
        assert!(elevation(portland, sun.solar_noon + TimeDelta::hours(12)) < -15.0);
        // At sunrise the centre is at −0.833° (less refraction, which `elevation` leaves out).
        let rise = sun.sunrise.unwrap_or(sun.solar_noon);
        assert!((elevation(portland, rise) + 0.833).abs() < 0.1);
    }

    #[test]
    fn a_day_of_light_goes_through_each_twilight_in_order_and_polar_days_have_one_light() {
        let day = |p: Coordinates, d: NaiveDate| {
            let start = d.and_time(chrono::NaiveTime::MIN).and_utc()
                - TimeDelta::minutes((p.longitude * 4.0) as i64);
            light_spans(p, start, start + TimeDelta::days(1), TimeDelta::minutes(5))
                .iter()
                .map(|s| s.light)
                .collect::<Vec<_>>()
        };
        use Light::*;
        assert_eq!(
            day(at(45.5, -122.7), date(2026, 12, 1)),
            vec![
                Night,
                Astronomical,
                Nautical,
                Civil,
                Day,
                Civil,
                Nautical,
                Astronomical,
                Night
            ]
        );
        // Longyearbyen: polar night in December (twilight at most), midnight sun in June.
        assert!(!day(at(78.2, 15.6), date(2026, 12, 21)).contains(&Day));
        assert_eq!(day(at(78.2, 15.6), date(2026, 6, 21)), vec![Day]);
        // Spans tile the interval.
        let from = date(2026, 3, 1).and_time(chrono::NaiveTime::MIN).and_utc();
        let spans = light_spans(
            at(10.0, 10.0),
            from,
            from + TimeDelta::hours(25),
            TimeDelta::minutes(7),
        );
        assert_eq!(spans.first().map(|s| s.from), Some(from));
        assert_eq!(
            spans.last().map(|s| s.to),
            Some(from + TimeDelta::hours(25))
        );
        assert!(
            spans
                .windows(2)
                .all(|w| w[0].to == w[1].from && w[0].light != w[1].light)
        );
        assert!(light_spans(at(0.0, 0.0), from, from, TimeDelta::minutes(5)).is_empty());
    }
}
