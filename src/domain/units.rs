//! How a person reads numbers and times: metric or imperial, a 24- or 12-hour clock. Chosen
//! by country until the person picks (a cookie), and by `?units=` on the API.

use chrono::{DateTime, TimeZone};

use super::weather::whole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Units {
    Metric,
    Imperial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clock {
    TwentyFourHour,
    TwelveHour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Preferences {
    pub units: Units,
    pub clock: Clock,
}

/// Countries that measure in Fahrenheit and miles per hour.
const IMPERIAL: &[&str] = &["us", "lr", "mm"];
/// Countries whose everyday clock is the 12-hour one.
const TWELVE_HOUR: &[&str] = &[
    "us", "ca", "au", "nz", "in", "ph", "pk", "eg", "sa", "bd", "my",
];

impl Units {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "metric" => Some(Units::Metric),
            "imperial" => Some(Units::Imperial),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Units::Metric => "metric",
            Units::Imperial => "imperial",
        }
    }
}

impl Clock {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "24" => Some(Clock::TwentyFourHour),
            "12" => Some(Clock::TwelveHour),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Clock::TwentyFourHour => "24",
            Clock::TwelveHour => "12",
        }
    }
}

impl Preferences {
    /// What people in `country` (ISO 3166 alpha-2, any case) are used to.
    pub fn default_for(country: &str) -> Self {
        let country = country.to_ascii_lowercase();
        Self {
            units: match IMPERIAL.contains(&country.as_str()) {
                true => Units::Imperial,
                false => Units::Metric,
            },
            clock: match TWELVE_HOUR.contains(&country.as_str()) {
                true => Clock::TwelveHour,
                false => Clock::TwentyFourHour,
            },
        }
    }

    /// The cookie's value: `imperial-12`.
    pub fn cookie_value(self) -> String {
        format!("{}-{}", self.units.as_str(), self.clock.as_str())
    }

    pub fn from_cookie(value: &str) -> Option<Self> {
        let (units, clock) = value.split_once('-')?;
        Some(Self {
            units: Units::parse(units)?,
            clock: Clock::parse(clock)?,
        })
    }

    /// A temperature to the whole degree: `36 °F`, `2 °C`.
    pub fn temperature(self, celsius: f64) -> String {
        match self.units {
            Units::Metric => whole(celsius, "°C"),
            Units::Imperial => whole(fahrenheit(celsius), "°F"),
        }
    }

    /// A speed to the whole unit: `3 mph`, `5 km/h`.
    pub fn speed(self, kmh: f64) -> String {
        let (value, unit) = match self.units {
            Units::Metric => (kmh, "km/h"),
            Units::Imperial => (mph(kmh), "mph"),
        };
        whole(value, unit)
    }

    /// An amount of rain: `2.5 mm` or `0.10 in`; none is `0 mm` or `0 in`.
    pub fn precipitation(self, mm: f64) -> String {
        match (self.units, mm > 0.0) {
            (Units::Metric, false) => "0 mm".to_owned(),
            (Units::Imperial, false) => "0 in".to_owned(),
            (Units::Metric, true) => format!("{mm:.1} mm"),
            (Units::Imperial, true) => format!("{:.2} in", inches(mm)),
        }
    }

    /// A time of day: `16:30` or `4:30 PM`.
    pub fn time<Z: TimeZone>(self, at: &DateTime<Z>) -> String
    where
        Z::Offset: std::fmt::Display,
    {
        match self.clock {
            Clock::TwentyFourHour => at.format("%H:%M").to_string(),
            Clock::TwelveHour => at.format("%-I:%M %p").to_string(),
        }
    }
}

pub fn fahrenheit(celsius: f64) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

pub fn mph(kmh: f64) -> f64 {
    kmh / 1.609_344
}

pub fn inches(mm: f64) -> f64 {
    mm / 25.4
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    const US: Preferences = Preferences {
        units: Units::Imperial,
        clock: Clock::TwelveHour,
    };

    #[test]
    fn known_values_convert_to_the_tenth() {
        let tenth = |x: f64| (x * 10.0).round() / 10.0;
        assert_eq!(tenth(fahrenheit(0.0)), 32.0);
        assert_eq!(tenth(fahrenheit(-40.0)), -40.0);
        assert_eq!(tenth(fahrenheit(37.0)), 98.6);
        assert_eq!(tenth(fahrenheit(21.3)), 70.3);
        assert_eq!(tenth(mph(100.0)), 62.1);
        assert_eq!(tenth(mph(16.0)), 9.9);
        assert_eq!(US.temperature(-17.9), "0 °F");
        assert_eq!(US.temperature(2.0), "36 °F");
        assert_eq!(US.speed(16.0), "10 mph");
        let metric = Preferences::default_for("FR");
        assert_eq!(metric.temperature(2.0), "2 °C");
        assert_eq!(metric.speed(16.0), "16 km/h");
        assert_eq!(metric.precipitation(2.54), "2.5 mm");
        assert_eq!(US.precipitation(2.54), "0.10 in");
        assert_eq!(US.precipitation(0.0), "0 in");
        assert_eq!(tenth(inches(25.4)), 1.0);
    }

    #[test]
    fn countries_have_their_own_defaults_and_a_choice_round_trips_through_the_cookie() {
        assert_eq!(Preferences::default_for("us"), US);
        assert_eq!(
            Preferences::default_for("de"),
            Preferences {
                units: Units::Metric,
                clock: Clock::TwentyFourHour
            }
        );
        assert_eq!(Preferences::default_for("ca").clock, Clock::TwelveHour);
        assert_eq!(Preferences::default_for("ca").units, Units::Metric);
        for prefs in [
            US,
            Preferences::default_for("de"),
            Preferences::default_for("ca"),
        ] {
            assert_eq!(Preferences::from_cookie(&prefs.cookie_value()), Some(prefs));
        }
        for bad in ["", "metric", "imperial-13", "kelvin-24", "-", "metric-24-x"] {
            assert_eq!(Preferences::from_cookie(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_read_on_either_clock() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 16, 5, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(US.time(&at), "4:05 PM");
        assert_eq!(Preferences::default_for("fr").time(&at), "16:05");
    }

    proptest::proptest! {
        #[test]
        fn any_cookie_value_parses_or_is_refused_without_a_panic(value in ".{0,40}") {
            let _ = Preferences::from_cookie(&value);
        }
    }
}
