//! What a person typed into the one search box: coordinates, a postal code (with or without
//! its country), or a name with perhaps a qualifier ("portland oregon", "paris, fr").

use super::fold::fold;
use crate::domain::{Coordinates, CountryCode, PlaceKey};

/// Longer input is refused: no city name comes near it.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// Nothing to look for: empty, or no letter or digit in it.
    Empty,
    Coordinates(Coordinates),
    /// A postal code, and the country when one followed it ("75001 fr").
    PostalCode {
        code: String,
        country: Option<CountryCode>,
    },
    /// Folded words: the whole as typed, and where a comma split it, the part before and
    /// after ("paris, fr").
    Name {
        folded: String,
        comma: Option<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("That is too long to be a place: please type at most {MAX_QUERY_CHARS} characters.")]
    TooLong,
}

pub fn parse(raw: &str) -> Result<Query, QueryError> {
    if raw.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    if let Some(at) = coordinates(raw) {
        return Ok(Query::Coordinates(at));
    }
    let folded = fold(raw);
    if folded.is_empty() {
        return Ok(Query::Empty);
    }
    if let Some(query) = postal_code(&folded) {
        return Ok(query);
    }
    let comma = raw.split_once(',').and_then(|(name, qualifier)| {
        let (name, qualifier) = (fold(name), fold(qualifier));
        (!name.is_empty() && !qualifier.is_empty()).then_some((name, qualifier))
    });
    Ok(Query::Name { folded, comma })
}

/// "45.5, -122.7", "45.5 -122.7" or "0, 0": two numbers in range, latitude first; without a
/// comma, each with a decimal point (two bare integers are more likely a postal code).
fn coordinates(raw: &str) -> Option<Coordinates> {
    let comma = raw.contains(',');
    let mut numbers = raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty());
    let (latitude, longitude) = (numbers.next()?, numbers.next()?);
    if numbers.next().is_some() {
        return None;
    }
    let number = |text: &str| -> Option<f64> {
        let plain = text
            .strip_prefix('-')
            .unwrap_or(text)
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.');
        (plain && (comma || text.contains('.'))).then(|| text.parse().ok())?
    };
    Coordinates::new(number(latitude)?, number(longitude)?)
}

/// A first word with a digit in it starts a postal code: the words up to a last one that is a
/// country code ("sw1a 1aa gb", "97229 us", "97229").
fn postal_code(folded: &str) -> Option<Query> {
    let words: Vec<&str> = folded.split(' ').collect();
    let first = words.first()?;
    if !first.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let (code_words, country) = match words.split_last() {
        Some((last, rest)) if !rest.is_empty() && last.len() == 2 => {
            match CountryCode::parse(last) {
                Ok(country) => (rest, Some(country)),
                Err(_) => (words.as_slice(), None),
            }
        }
        _ => (words.as_slice(), None),
    };
    let code = code_words.join(" ").to_ascii_uppercase();
    // Postal codes are one or two short words ("97229", "SW1A 1AA"); longer text that starts
    // with a number is a name ("6th of October City").
    (code_words.len() <= 2 && code.len() <= MAX_POSTAL_CODE_CHARS)
        .then_some(Query::PostalCode { code, country })
}

/// The longest postal code of any country, space included.
const MAX_POSTAL_CODE_CHARS: usize = 10;

/// The page of a postal code typed in the box, or what to tell the person: five digits alone
/// are read as a US ZIP code, as the course's app did; other codes need their country.
pub fn postal_code_path(code: &str, country: Option<CountryCode>) -> Result<String, String> {
    let country = match country {
        Some(country) => country,
        None if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) => {
            CountryCode::parse("us").map_err(|e| e.to_string())?
        }
        None => {
            return Err(format!(
                "Which country is {code} in? Add its two-letter code, as in \u{201c}{code} fr\u{201d}."
            ));
        }
    };
    PlaceKey::parse(country.as_str(), code).map(|key| crate::paths::place(&key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn name(folded: &str) -> Query {
        Query::Name {
            folded: folded.to_owned(),
            comma: None,
        }
    }

    #[test]
    fn reads_each_kind_of_query() {
        assert_eq!(parse("  "), Ok(Query::Empty));
        assert_eq!(parse("\"*()"), Ok(Query::Empty));
        assert_eq!(parse("Zürich"), Ok(name("zurich")));
        assert_eq!(parse("portland oregon"), Ok(name("portland oregon")));
        assert_eq!(
            parse("Paris, FR"),
            Ok(Query::Name {
                folded: "paris fr".to_owned(),
                comma: Some(("paris".to_owned(), "fr".to_owned())),
            })
        );
        assert_eq!(
            parse("45.5, -122.7"),
            Ok(Query::Coordinates(Coordinates {
                latitude: 45.5,
                longitude: -122.7
            }))
        );
        assert_eq!(
            parse("97229"),
            Ok(Query::PostalCode {
                code: "97229".to_owned(),
                country: None
            })
        );
        assert_eq!(
            parse("75001 fr"),
            Ok(Query::PostalCode {
                code: "75001".to_owned(),
                country: CountryCode::parse("fr").ok(),
            })
        );
        assert_eq!(
            parse("0, 0"),
            Ok(Query::Coordinates(Coordinates {
                latitude: 0.0,
                longitude: 0.0
            }))
        );
        // Out of range: not coordinates.
        assert!(!matches!(parse("95.0, 10.0"), Ok(Query::Coordinates(_))));
        assert!(matches!(parse("1234 5678"), Ok(Query::PostalCode { .. })));
        assert_eq!(parse("6th of October"), Ok(name("6th of october")));
        assert_eq!(parse(&"a".repeat(201)), Err(QueryError::TooLong));
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused(raw in "\\PC{0,220}") {
            match parse(&raw) {
                Ok(Query::Name { folded, .. }) => prop_assert!(!folded.is_empty()),
                Ok(Query::PostalCode { code, .. }) => prop_assert!(!code.is_empty()),
                Ok(_) => {}
                Err(QueryError::TooLong) => prop_assert!(raw.chars().count() > MAX_QUERY_CHARS),
            }
        }
    }
}
