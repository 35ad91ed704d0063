//! `CountryCode` and the countries the geocoder (Zippopotam.us) knows postal codes for.

use std::fmt;

/// A country the app can look postal codes up in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-2, upper case.
    pub code: &'static str,
    pub name: &'static str,
    /// A point on land inside the country, and how far (in degrees) simulated places may stray
    /// from it: simulated mode needs plausible coordinates without a geocoder.
    pub anchor: (f64, f64),
    pub spread: f64,
}

const fn country(
    code: &'static str,
    name: &'static str,
    lat: f64,
    lon: f64,
    spread: f64,
) -> Country {
    Country {
        code,
        name,
        anchor: (lat, lon),
        spread,
    }
}

/// Every country Zippopotam.us serves, in the order the search form lists them (by name).
pub const COUNTRIES: &[Country] = &[
    country("AS", "American Samoa", -14.28, -170.70, 0.02),
    country("AD", "Andorra", 42.51, 1.52, 0.03),
    country("AR", "Argentina", -34.60, -58.38, 1.0),
    country("AU", "Australia", -25.27, 133.78, 3.0),
    country("AT", "Austria", 48.21, 16.37, 0.5),
    country("BD", "Bangladesh", 23.81, 90.41, 0.5),
    country("BE", "Belgium", 50.85, 4.35, 0.3),
    country("BR", "Brazil", -15.79, -47.88, 3.0),
    country("BG", "Bulgaria", 42.70, 23.32, 0.5),
    country("CA", "Canada", 50.45, -104.61, 3.0),
    country("HR", "Croatia", 45.81, 15.98, 0.3),
    country("CZ", "Czechia", 50.08, 14.44, 0.5),
    country("DK", "Denmark", 55.68, 12.57, 0.2),
    country("DO", "Dominican Republic", 18.49, -69.93, 0.2),
    country("FO", "Faroe Islands", 62.01, -6.77, 0.05),
    country("FI", "Finland", 60.17, 24.94, 1.0),
    country("FR", "France", 46.60, 1.89, 2.0),
    country("GF", "French Guiana", 4.92, -52.33, 0.1),
    country("DE", "Germany", 51.16, 10.45, 2.0),
    country("GL", "Greenland", 64.18, -51.72, 0.05),
    country("GP", "Guadeloupe", 16.24, -61.53, 0.05),
    country("GU", "Guam", 13.47, 144.75, 0.03),
    country("GT", "Guatemala", 14.63, -90.51, 0.3),
    country("GG", "Guernsey", 49.45, -2.54, 0.02),
    country("GY", "Guyana", 6.80, -58.16, 0.1),
    country("HU", "Hungary", 47.50, 19.04, 0.5),
    country("IS", "Iceland", 64.15, -21.94, 0.1),
    country("IN", "India", 23.26, 77.41, 3.0),
    country("IM", "Isle of Man", 54.15, -4.48, 0.03),
    country("IT", "Italy", 43.77, 11.25, 0.8),
    country("JP", "Japan", 35.68, 139.69, 0.5),
    country("JE", "Jersey", 49.19, -2.11, 0.02),
    country("LI", "Liechtenstein", 47.14, 9.52, 0.02),
    country("LT", "Lithuania", 54.69, 25.28, 0.5),
    country("LU", "Luxembourg", 49.61, 6.13, 0.1),
    country("MY", "Malaysia", 3.139, 101.687, 0.3),
    country("MH", "Marshall Islands", 7.09, 171.38, 0.01),
    country("MQ", "Martinique", 14.62, -61.06, 0.03),
    country("YT", "Mayotte", -12.78, 45.23, 0.02),
    country("MX", "Mexico", 19.43, -99.13, 1.5),
    country("MD", "Moldova", 47.01, 28.86, 0.3),
    country("MC", "Monaco", 43.74, 7.42, 0.005),
    country("NL", "Netherlands", 52.37, 4.90, 0.4),
    country("NZ", "New Zealand", -41.29, 174.78, 0.3),
    country("MK", "North Macedonia", 42.00, 21.43, 0.3),
    country("MP", "Northern Mariana Islands", 15.18, 145.75, 0.01),
    country("NO", "Norway", 59.91, 10.75, 0.5),
    country("PK", "Pakistan", 33.68, 73.05, 1.0),
    country("PH", "Philippines", 14.60, 120.98, 0.3),
    country("PL", "Poland", 52.23, 21.01, 1.5),
    country("PT", "Portugal", 39.40, -8.22, 0.6),
    country("PR", "Puerto Rico", 18.22, -66.59, 0.2),
    country("RE", "Réunion", -21.11, 55.53, 0.1),
    country("RU", "Russia", 55.76, 37.62, 3.0),
    country("PM", "Saint Pierre and Miquelon", 46.78, -56.18, 0.02),
    country("SM", "San Marino", 43.94, 12.45, 0.02),
    country("SK", "Slovakia", 48.67, 19.70, 0.5),
    country("SI", "Slovenia", 46.06, 14.51, 0.3),
    country("ZA", "South Africa", -26.20, 28.05, 2.0),
    country("ES", "Spain", 40.42, -3.70, 2.0),
    country("LK", "Sri Lanka", 7.87, 80.77, 0.5),
    country("SJ", "Svalbard and Jan Mayen", 78.22, 15.65, 0.05),
    country("SE", "Sweden", 59.33, 18.07, 1.0),
    country("CH", "Switzerland", 46.80, 8.23, 0.4),
    country("TH", "Thailand", 15.87, 100.99, 1.5),
    country("TR", "Türkiye", 39.93, 32.86, 2.0),
    country("GB", "United Kingdom", 52.49, -1.89, 1.0),
    country("US", "United States", 39.83, -98.58, 3.0),
    country("VI", "U.S. Virgin Islands", 18.34, -64.93, 0.03),
    country("VA", "Vatican City", 41.90, 12.45, 0.002),
];

/// A country code the geocoder serves; parsing looks it up in [`COUNTRIES`] once, and the code
/// keeps its entry: its name and anchor are then read without searching the list again (every
/// request of the course API asked for them several times).
#[derive(Debug, Clone, Copy)]
pub struct CountryCode(&'static Country);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryCodeError {
    #[error("Please choose a country.")]
    Empty,
    #[error("Cityscape does not know postal codes for that country.")]
    Unsupported,
}

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, CountryCodeError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(CountryCodeError::Empty);
        }
        COUNTRIES
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(raw))
            .map(Self)
            .ok_or(CountryCodeError::Unsupported)
    }

    /// Upper case, as the geocoder and ISO spell it ("US").
    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    /// Lower case, as URLs spell it ("us"), following the course's API.
    pub fn path_segment(&self) -> String {
        self.0.code.to_ascii_lowercase()
    }

    pub fn country(&self) -> &'static Country {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name
    }
}

// A code is its two letters: equal, ordered and hashed by them.
impl PartialEq for CountryCode {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code
    }
}

impl Eq for CountryCode {}

impl std::hash::Hash for CountryCode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.code.hash(state);
    }
}

impl PartialOrd for CountryCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CountryCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.code.cmp(other.0.code)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_in_any_case() {
        for raw in ["us", "US", " Us "] {
            assert_eq!(
                CountryCode::parse(raw).map(|c| c.as_str()),
                Ok("US"),
                "{raw:?}"
            );
        }
        assert_eq!(
            CountryCode::parse("gb").map(|c| c.name()),
            Ok("United Kingdom")
        );
    }

    #[test]
    fn refuses_unknown_or_empty_codes() {
        for (raw, expected) in [
            ("", CountryCodeError::Empty),
            ("xx", CountryCodeError::Unsupported),
            ("usa", CountryCodeError::Unsupported),
            ("u", CountryCodeError::Unsupported),
        ] {
            assert_eq!(CountryCode::parse(raw), Err(expected), "{raw:?}");
        }
    }

    #[test]
    fn every_country_is_listed_once_with_a_valid_anchor() {
        let mut codes: Vec<_> = COUNTRIES.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), COUNTRIES.len());
        for c in COUNTRIES {
            assert!(
                c.anchor.0.abs() <= 90.0 && c.anchor.1.abs() <= 180.0,
                "{}",
                c.code
            );
            assert_eq!(c.code.len(), 2);
        }
    }
}

#[cfg(test)]
mod properties {
    //! Whatever is sent as a country, `parse` answers with a country the geocoder serves or a
    //! reason.

    use proptest::prelude::*;

    use super::*;

    /// Any text, two letters in any case with padding, or a served code as ISO spells it.
    fn typed() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(any::<char>(), 0..6)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
            "[ \t]{0,2}[a-zA-Z]{2}[ \t]{0,2}",
            prop::sample::select(COUNTRIES).prop_map(|c| c.code.to_owned()),
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn any_text_is_a_served_country_or_a_reason(raw in typed()) {
            match CountryCode::parse(&raw) {
                Ok(code) => {
                    prop_assert!(raw.trim().eq_ignore_ascii_case(code.as_str()), "{raw:?}");
                    prop_assert_eq!(code.country().code, code.as_str());
                    prop_assert_eq!(CountryCode::parse(&code.path_segment()), Ok(code));
                }
                Err(CountryCodeError::Empty) => prop_assert!(raw.trim().is_empty()),
                Err(CountryCodeError::Unsupported) => prop_assert!(
                    !COUNTRIES.iter().any(|c| c.code.eq_ignore_ascii_case(raw.trim())),
                    "{raw:?}"
                ),
            }
        }

        #[test]
        fn every_served_country_parses_in_any_case_with_padding(
            country in prop::sample::select(COUNTRIES),
            upper in prop::collection::vec(any::<bool>(), 2),
            padding in "[ \t\n]{0,2}",
        ) {
            let code: String = country
                .code
                .chars()
                .zip(upper)
                .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            prop_assert_eq!(
                CountryCode::parse(&format!("{padding}{code}{padding}")).map(|c| c.as_str()),
                Ok(country.code)
            );
        }
    }
}
