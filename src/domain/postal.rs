//! `PostalCode`: a postal code as a person types it, parsed once at the edge.

use std::fmt;

/// A postal code normalised to upper case with single inner spaces ("sw1a 1aa" → "SW1A 1AA").
///
/// Only the characters real postal codes use are accepted (letters, digits, a space or a hyphen),
/// which also keeps the code safe to put in a URL path without further escaping beyond spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode(String);

/// Why a postal code was refused; the text is shown to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalCodeError {
    #[error("Please enter a postal code.")]
    Empty,
    #[error("That postal code is too long: postal codes have at most 10 characters.")]
    TooLong,
    #[error("A postal code has only letters, digits, spaces and hyphens.")]
    BadCharacter,
    #[error("A postal code has at least one digit or two letters.")]
    TooShort,
}

impl PostalCode {
    pub const MAX_LEN: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, PostalCodeError> {
        // Words joined by one space, in upper case, in one pass: every request's path has one.
        let mut normalised = String::with_capacity(raw.len());
        for word in raw.split_whitespace() {
            if !normalised.is_empty() {
                normalised.push(' ');
            }
            normalised.extend(word.chars().flat_map(char::to_uppercase));
        }
        if normalised.is_empty() {
            return Err(PostalCodeError::Empty);
        }
        if normalised.chars().count() > Self::MAX_LEN {
            return Err(PostalCodeError::TooLong);
        }
        if !normalised
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            return Err(PostalCodeError::BadCharacter);
        }
        let alphanumerics = normalised
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .count();
        let has_digit = normalised.chars().any(|c| c.is_ascii_digit());
        if alphanumerics < 2 && !has_digit {
            return Err(PostalCodeError::TooShort);
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as one URL path segment: the only character that needs escaping is the space.
    pub fn path_segment(&self) -> String {
        self.0.replace(' ', "%20")
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_real_postal_codes() {
        for (raw, expected) in [
            ("97229", "97229"),
            ("  97229 ", "97229"),
            ("sw1a  1aa", "SW1A 1AA"),
            ("10115", "10115"),
            ("1010", "1010"),
            ("100-0001", "100-0001"),
            ("H0H 0H0", "H0H 0H0"),
            ("AB", "AB"),
        ] {
            assert_eq!(
                PostalCode::parse(raw).map(|p| p.to_string()),
                Ok(expected.to_owned()),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn refuses_what_no_postal_code_looks_like() {
        for (raw, expected) in [
            ("", PostalCodeError::Empty),
            ("   ", PostalCodeError::Empty),
            ("12345678901", PostalCodeError::TooLong),
            ("97229/../x", PostalCodeError::BadCharacter),
            ("<script>", PostalCodeError::BadCharacter),
            ("9722é", PostalCodeError::BadCharacter),
            ("A", PostalCodeError::TooShort),
            ("-", PostalCodeError::TooShort),
        ] {
            assert_eq!(PostalCode::parse(raw), Err(expected), "{raw:?}");
        }
    }

    #[test]
    fn path_segment_escapes_the_space() {
        let code = PostalCode::parse("SW1A 1AA").map(|p| p.path_segment());
        assert_eq!(code, Ok("SW1A%201AA".to_owned()));
    }
}

#[cfg(test)]
mod properties {
    //! Whatever is typed as a postal code, `parse` answers with a code in normal form or a reason.

    use proptest::prelude::*;

    use super::*;

    /// Any text (control characters and every plane included), or text shaped like a code.
    fn typed() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(any::<char>(), 0..16)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
            "[ \t]{0,2}[a-zA-Z0-9]{1,5}[ -]{0,2}[a-zA-Z0-9]{0,6}[ \t\n]{0,2}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn any_text_is_a_postal_code_in_normal_form_or_a_reason(raw in typed()) {
            match PostalCode::parse(&raw) {
                Ok(code) => {
                    let text = code.as_str();
                    prop_assert!(!text.is_empty());
                    prop_assert!(text.chars().count() <= PostalCode::MAX_LEN);
                    prop_assert!(
                        text.chars().all(|c| c.is_ascii_uppercase()
                            || c.is_ascii_digit()
                            || c == ' '
                            || c == '-'),
                        "{text:?} from {raw:?}"
                    );
                    prop_assert!(
                        !text.starts_with(' ') && !text.ends_with(' ') && !text.contains("  "),
                        "{text:?} from {raw:?}"
                    );
                    prop_assert_eq!(PostalCode::parse(text), Ok(code.clone()));
                    let segment = code.path_segment();
                    prop_assert!(!segment.contains(' '), "{segment:?}");
                    prop_assert_eq!(segment.replace("%20", " "), text);
                }
                Err(PostalCodeError::Empty) => prop_assert!(raw.trim().is_empty()),
                Err(_) => prop_assert!(!raw.trim().is_empty()),
            }
        }

        #[test]
        fn letter_case_does_not_matter(raw in "[ a-zA-Z0-9-]{0,12}") {
            prop_assert_eq!(
                PostalCode::parse(&raw.to_ascii_lowercase()),
                PostalCode::parse(&raw.to_ascii_uppercase())
            );
        }
    }
}
