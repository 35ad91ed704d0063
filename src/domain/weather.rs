//! Weather now and for the next hours, in the app's own terms whatever the provider.

use chrono::{DateTime, NaiveDate, Utc};

/// Current conditions plus an hourly forecast, normalised to metric units.
#[derive(Debug, Clone, PartialEq)]
pub struct Weather {
    pub observed_at: DateTime<Utc>,
    /// Each value now is `None` where the provider had no number (it writes `null` for a value
    /// it could not compute): one missing value leaves the others shown.
    pub temperature_c: Option<f64>,
    pub feels_like_c: Option<f64>,
    pub humidity_percent: Option<f64>,
    pub wind_speed_kmh: Option<f64>,
    /// Where the wind blows from, degrees clockwise from north, 0 to 360.
    pub wind_from_degrees: Option<f64>,
    pub code: Option<WmoCode>,
    /// Hourly forecast; a value is `None` where the provider had no number for that hour.
    pub hours: Vec<HourForecast>,
    /// The days ahead, today first, by the place's local dates; empty when the provider gave
    /// none.
    pub days: Vec<DayForecast>,
    /// Who said so: "open-meteo.com" or "simulated".
    pub source: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HourForecast {
    pub at: DateTime<Utc>,
    pub temperature_c: Option<f64>,
    pub precipitation_probability: Option<f64>,
    pub code: Option<WmoCode>,
}

/// One day as the provider sums it up.
#[derive(Debug, Clone, PartialEq)]
pub struct DayForecast {
    pub date: NaiveDate,
    /// The most severe weather of the day.
    pub code: Option<WmoCode>,
    pub max_c: Option<f64>,
    pub min_c: Option<f64>,
    /// The highest chance of rain in any hour, percent.
    pub precipitation_probability: Option<f64>,
    pub precipitation_mm: Option<f64>,
    pub wind_max_kmh: Option<f64>,
    /// Where the wind mostly blows from, degrees clockwise from north.
    pub wind_from_degrees: Option<f64>,
    pub uv_index_max: Option<f64>,
}

/// How far ahead any forecast reaches (Open-Meteo's longest is 16 days).
const FORECAST_REACH_DAYS: u64 = 16;

impl Weather {
    /// The days from `today` (the place's local date) on, within a forecast's reach: an
    /// answer dated years ahead is not next week.
    pub fn days_from(&self, today: NaiveDate) -> impl Iterator<Item = &DayForecast> {
        let reach = today
            .checked_add_days(chrono::Days::new(FORECAST_REACH_DAYS))
            .unwrap_or(NaiveDate::MAX);
        self.days
            .iter()
            .filter(move |day| (today..reach).contains(&day.date))
    }

    /// The forecast hours from the one containing `now`, at most `count` of them, and none
    /// later than `count` hours ahead: an answer dated years ahead is not the next hours.
    pub fn next_hours(
        &self,
        now: DateTime<Utc>,
        count: usize,
    ) -> impl Iterator<Item = &HourForecast> {
        let hour_ago = now - chrono::TimeDelta::hours(1);
        let last = i64::try_from(count)
            .ok()
            .and_then(chrono::TimeDelta::try_hours)
            .and_then(|ahead| now.checked_add_signed(ahead))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.hours
            .iter()
            .filter(move |h| h.at > hour_ago && h.at <= last)
            .take(count)
    }
}

/// A WMO 4677 present-weather code, as Open-Meteo reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WmoCode(pub u8);

impl WmoCode {
    /// The code in words, after Open-Meteo's documented table.
    pub fn describe(self) -> &'static str {
        match self.0 {
            0 => "Clear sky",
            1 => "Mainly clear",
            2 => "Partly cloudy",
            3 => "Overcast",
            45 => "Fog",
            48 => "Depositing rime fog",
            51 => "Light drizzle",
            53 => "Moderate drizzle",
            55 => "Dense drizzle",
            56 => "Light freezing drizzle",
            57 => "Dense freezing drizzle",
            61 => "Slight rain",
            63 => "Moderate rain",
            65 => "Heavy rain",
            66 => "Light freezing rain",
            67 => "Heavy freezing rain",
            71 => "Slight snowfall",
            73 => "Moderate snowfall",
            75 => "Heavy snowfall",
            77 => "Snow grains",
            80 => "Slight rain showers",
            81 => "Moderate rain showers",
            82 => "Violent rain showers",
            85 => "Slight snow showers",
            86 => "Heavy snow showers",
            95 => "Thunderstorm",
            96 => "Thunderstorm with slight hail",
            99 => "Thunderstorm with heavy hail",
            _ => "Unknown conditions",
        }
    }

    /// The icon the sprite (`static/icons.svg`) draws for this weather; the CSS class of the
    /// words beside it.
    pub fn icon(self) -> &'static str {
        match self.0 {
            0 | 1 => "clear",
            2 => "partly",
            3 => "cloudy",
            45 | 48 => "fog",
            51..=57 => "drizzle",
            61..=67 | 80..=82 => "rain",
            71..=77 | 85 | 86 => "snow",
            95..=99 => "thunder",
            _ => "unknown",
        }
    }
}

/// A temperature to the whole degree, as people read it: "-0.4" is "0 °C", not "-0 °C".
pub fn whole_degrees(celsius: f64) -> String {
    whole(celsius, "°C")
}

/// A reading to the whole unit, with its unit: `36 °F`, `5 km/h`; never `-0`.
pub fn whole(value: f64, unit: &str) -> String {
    let rounded = value.round();
    // -0.0 == 0.0: the sign of a zero is dropped here.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.0} {unit}")
}

/// The compass point a wind blows from, of sixteen: "NW" for 315°.
pub fn compass_point(degrees: f64) -> &'static str {
    const POINTS: [&str; 16] = [
        "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW",
        "NW", "NNW",
    ];
    let index = (degrees.rem_euclid(360.0) / 22.5).round() as usize % 16;
    POINTS.get(index).copied().unwrap_or("N")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_words() {
        for (code, words) in [
            (0, "Clear sky"),
            (3, "Overcast"),
            (45, "Fog"),
            (63, "Moderate rain"),
            (75, "Heavy snowfall"),
            (95, "Thunderstorm"),
            (4, "Unknown conditions"),
            (255, "Unknown conditions"),
        ] {
            assert_eq!(WmoCode(code).describe(), words, "{code}");
        }
    }

    #[test]
    fn next_hours_start_at_the_current_hour() {
        let start =
            DateTime::from_timestamp(1_790_000_000 - 1_790_000_000 % 3600, 0).unwrap_or_default();
        let weather = Weather {
            observed_at: start,
            temperature_c: Some(10.0),
            feels_like_c: Some(9.0),
            humidity_percent: Some(80.0),
            wind_speed_kmh: Some(5.0),
            wind_from_degrees: None,
            code: Some(WmoCode(1)),
            days: Vec::new(),
            hours: (0..48)
                .map(|h| HourForecast {
                    at: start + chrono::TimeDelta::hours(h),
                    temperature_c: Some(h as f64),
                    precipitation_probability: None,
                    code: None,
                })
                .collect(),
            source: "test",
        };
        let now = start + chrono::TimeDelta::minutes(5 * 60 + 30);
        let temps: Vec<_> = weather
            .next_hours(now, 3)
            .map(|h| h.temperature_c)
            .collect();
        assert_eq!(temps, vec![Some(5.0), Some(6.0), Some(7.0)]);
        // Asked a year before the forecast's hours: none of them is next.
        let year_before = now - chrono::TimeDelta::days(365);
        assert_eq!(weather.next_hours(year_before, 48).count(), 0);
        assert_eq!(
            weather
                .next_hours(year_before + chrono::TimeDelta::days(365), 48)
                .count(),
            43
        );
    }

    #[test]
    fn the_days_are_the_ones_a_forecast_reaches_from_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        let day = |date: NaiveDate| DayForecast {
            date,
            code: None,
            max_c: None,
            min_c: None,
            precipitation_probability: None,
            precipitation_mm: None,
            wind_max_kmh: None,
            wind_from_degrees: None,
            uv_index_max: None,
        };
        let dates = [-1i64, 0, 6, 15, 16, 3_000].map(|n| today + chrono::TimeDelta::days(n));
        let weather = Weather {
            observed_at: DateTime::UNIX_EPOCH,
            temperature_c: None,
            feels_like_c: None,
            humidity_percent: None,
            wind_speed_kmh: None,
            wind_from_degrees: None,
            code: None,
            hours: Vec::new(),
            days: dates.iter().copied().map(day).collect(),
            source: "test",
        };
        let shown: Vec<_> = weather.days_from(today).map(|d| d.date).collect();
        assert_eq!(shown, dates[1..4].to_vec());
    }

    #[test]
    fn a_temperature_just_below_zero_reads_as_zero() {
        assert_eq!(whole_degrees(-0.4), "0 °C");
        assert_eq!(whole_degrees(-0.0), "0 °C");
        assert_eq!(whole_degrees(-0.6), "-1 °C");
        assert_eq!(whole_degrees(2.5), "3 °C");
    }

    proptest::proptest! {
        #[test]
        fn no_temperature_reads_as_minus_zero(celsius in -100.0f64..100.0) {
            let shown = whole_degrees(celsius);
            proptest::prop_assert!(!shown.starts_with("-0"), "{} shows as {}", celsius, shown);
            let number: f64 = shown.trim_end_matches(" °C").parse().unwrap_or(f64::NAN);
            proptest::prop_assert!((number - celsius).abs() <= 0.5 + 1e-9);
        }
    }

    #[test]
    fn winds_are_named_by_where_they_blow_from() {
        assert_eq!(compass_point(0.0), "N");
        assert_eq!(compass_point(359.0), "N");
        assert_eq!(compass_point(315.0), "NW");
        assert_eq!(compass_point(200.0), "SSW");
        assert_eq!(compass_point(-45.0), "NW");
    }
}
