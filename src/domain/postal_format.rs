//! How each country's postal codes are held in the geocoder's data, and how a code typed the
//! common way becomes the form the data holds ("97229-1234" → "97229", "1012 AB" → "1012",
//! "10000" → "100 00"). A code that cannot be in the data is refused with the country's format,
//! rather than sent on a round trip that ends in "unknown".
//!
//! Source of every row: Zippopotam.us's published table of supported countries ("Country, Code,
//! Example URL, Range, Count"), and the caveats of its data's README (Great Britain holds
//! outward codes only; Argentina only the older 4-digit codes; Brazil only the codes ending in
//! -000; Slovakia writes a space). The range each row cites is the table's.

use super::{CountryCode, PostalCode};

/// The shape of a country's codes in the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `n` digits ("97229").
    Digits(usize),
    /// Two groups of digits with a separator ("100 00", "100-0001").
    Grouped(usize, char, usize),
    /// A fixed prefix, then digits ("L-1009", "AD100").
    Prefixed(&'static str, usize),
    /// The outward code of a British-style postcode, starting with one of these letter pairs
    /// (any letters when empty): "SW1A" of "SW1A 1AA".
    Outward(&'static str),
    /// The forward sortation area of a Canadian code: "H0H" of "H0H 0H0".
    ForwardSortation,
    /// Brazil's codes ending in -000 ("01310-000"): the data holds only those.
    BrazilMajor,
    /// Argentina's older 4-digit codes; the newer "C1425DKA" holds them as its digits.
    ArgentinaOld,
}

/// What the data holds for one country, in words for people.
#[derive(Debug, Clone, Copy)]
pub struct DataFormat {
    pub country: &'static str,
    shape: Shape,
    /// "5-digit ZIP codes", finishing "Zippopotam.us knows …".
    pub described: &'static str,
    pub example: &'static str,
}

const fn row(
    country: &'static str,
    shape: Shape,
    described: &'static str,
    example: &'static str,
) -> DataFormat {
    DataFormat {
        country,
        shape,
        described,
        example,
    }
}

use Shape::{ArgentinaOld, BrazilMajor, Digits, ForwardSortation, Grouped, Outward, Prefixed};

const FOUR: &str = "4-digit postal codes";
const FIVE: &str = "5-digit postal codes";

/// One row per country of `country::COUNTRIES`; the table's range in each comment.
#[rustfmt::skip]
pub const DATA_FORMATS: &[DataFormat] = &[
    row("AD", Prefixed("AD", 3), "codes written AD and 3 digits", "AD100"), // AD100 : AD700
    row("AR", ArgentinaOld, "Argentina's older 4-digit postal codes", "1601"), // 1601 : 9431
    row("AS", Digits(5), "5-digit ZIP codes", "96799"), // 96799
    row("AT", Digits(4), FOUR, "1010"), // 1010 : 9992
    row("AU", Digits(4), "4-digit postcodes", "2000"), // 0200 : 9726
    row("BD", Digits(4), FOUR, "1000"), // 1000 : 9461
    row("BE", Digits(4), FOUR, "1000"), // 1000 : 9992
    row("BG", Digits(4), FOUR, "1000"), // 1000 : 9974
    row("BR", BrazilMajor, "only the codes ending in -000", "01310-000"), // 01000-000 : 99990-000
    row("CA", ForwardSortation, "the first three characters of postal codes", "K1A"), // A0A : Y1A
    row("CH", Digits(4), FOUR, "8001"), // 1000 : 9658
    row("CZ", Grouped(3, ' ', 2), "codes written 100 00", "100 00"), // 100 00 : 798 62
    row("DE", Digits(5), FIVE, "10115"), // 01067 : 99998
    row("DK", Digits(4), FOUR, "1050"), // 0800 : 9990
    row("DO", Digits(5), FIVE, "10101"), // 10101 : 11906
    row("FO", Digits(3), "3-digit postal codes", "100"), // 100 : 970
    row("FI", Digits(5), FIVE, "00100"), // 00002 : 99999
    row("FR", Digits(5), FIVE, "75001"), // 01000 : 98799
    row("GF", Digits(5), FIVE, "97300"), // 97300 : 97390
    row("GL", Digits(4), FOUR, "3900"), // 2412 : 3992
    row("GP", Digits(5), FIVE, "97100"), // 97100 : 97190
    row("GU", Digits(5), "5-digit ZIP codes", "96910"), // 96910 : 96932
    row("GT", Digits(5), FIVE, "01001"), // 01001 : 22027
    row("GG", Outward("GY"), "outward codes, GY1 to GY9", "GY1"), // GY1 : GY9
    row("GY", Digits(5), FIVE, "97312"), // 97312 : 97360
    row("HU", Digits(4), FOUR, "1011"), // 1011 : 9985
    row("IS", Digits(3), "3-digit postal codes", "101"), // 101 : 902
    row("IN", Digits(6), "6-digit PIN codes", "110001"), // 110001 : 855126
    row("IM", Outward("IM"), "outward codes, IM1 to IM9", "IM1"), // IM1 : IM9
    row("IT", Digits(5), FIVE, "00118"), // 00010 : 98168
    row("JP", Grouped(3, '-', 4), "codes written 100-0001", "100-0001"), // 100-0001 : 999-8531
    row("JE", Outward("JE"), "outward codes, JE1 to JE3", "JE2"), // JE1 : JE3
    row("LI", Digits(4), FOUR, "9490"), // 9485 : 9498
    row("LT", Digits(5), FIVE, "01001"), // 00001 : 99069
    row("LU", Prefixed("L-", 4), "codes written L-1009", "L-1009"), // L-1009 : L-9999
    row("MY", Digits(5), FIVE, "50000"), // 01000 : 98859
    row("MH", Digits(5), "5-digit ZIP codes", "96960"), // 96960 : 96970
    row("MQ", Digits(5), FIVE, "97200"), // 97200 : 97290
    row("YT", Digits(5), FIVE, "97600"), // 97600 : 97680
    row("MX", Digits(5), FIVE, "01000"), // 01000 : 99998
    row("MD", Prefixed("MD-", 4), "codes written MD-2000", "MD-2001"), // MD-2000 : MD-7731
    row("MC", Digits(5), FIVE, "98000"), // 98000 : 98000
    row("NL", Digits(4), "the 4 digits of postcodes, without the letters", "1012"), // 1000 : 9999
    row("NZ", Digits(4), FOUR, "6011"), // 0110 : 9893
    row("MK", Digits(4), FOUR, "1000"), // 1000 : 7550
    row("MP", Digits(5), "5-digit ZIP codes", "96950"), // 96950 : 96952
    row("NO", Digits(4), FOUR, "0150"), // 0001 : 9991
    row("PK", Digits(5), FIVE, "44000"), // 10010 : 97320
    row("PH", Digits(4), FOUR, "1000"), // 0400 : 9811
    row("PL", Grouped(2, '-', 3), "codes written 00-001", "00-001"), // 00-001 : 99-440
    row("PT", Grouped(4, '-', 3), "codes written 1000-001", "1000-001"), // 1000-001 : 9980-999
    row("PR", Digits(5), "5-digit ZIP codes", "00901"), // 00601 : 00988
    row("RE", Digits(5), FIVE, "97400"), // 97400 : 97490
    row("RU", Digits(6), "6-digit postal codes", "101000"), // 101000 : 901993
    row("PM", Digits(5), FIVE, "97500"), // 97500
    row("SM", Digits(5), FIVE, "47890"), // 47890 : 47899
    row("SK", Grouped(3, ' ', 2), "codes written 010 01", "811 01"), // 010 01 : 992 01
    row("SI", Digits(4), FOUR, "1000"), // 1000 : 9600
    row("ZA", Digits(4), FOUR, "0002"), // 0002 : 9992
    row("ES", Digits(5), FIVE, "28001"), // 01001 : 52080
    row("LK", Digits(5), FIVE, "00100"), // * : 96167
    row("SJ", Digits(4), FOUR, "9170"), // 8099 : 9178
    row("SE", Digits(5), "5 digits, without the space", "11122"), // 10005 : 98499
    row("TH", Digits(5), FIVE, "10100"), // 10100 : 96220
    row("TR", Digits(5), FIVE, "06100"), // 01000 : 81950
    row("GB", Outward(""), "outward codes (the part before the space)", "SW1A"), // AB1 : ZE3
    row("US", Digits(5), "5-digit ZIP codes", "97229"), // 00210 : 99950
    row("VI", Digits(5), "5-digit ZIP codes", "00802"), // 00801 : 00851
    row("VA", Digits(5), FIVE, "00120"), // 00120
    row("HR", Digits(5), FIVE, "10000"), // 10000 : 53296
];

/// A code in the form the data holds, and what was done to the code as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InDataForm {
    pub code: PostalCode,
    pub change: Option<Change>,
}

/// How the code typed differs from the one looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Part of it was left out ("97229-1234" → "97229").
    Shortened,
    /// The same code written the data's way ("10000" → "100 00").
    Reformatted,
}

impl DataFormat {
    pub fn of(country: CountryCode) -> Option<&'static DataFormat> {
        DATA_FORMATS.iter().find(|f| f.country == country.as_str())
    }

    /// What a person is told when the code typed cannot be in the data.
    pub fn refusal(&self, country: CountryCode) -> String {
        format!(
            "Postal codes for {} are looked up as {}, like {}.",
            country.name(),
            self.described,
            self.example
        )
    }

    /// What a person is told when the code looked up is not the one typed.
    pub fn note(&self, looked_up: &PostalCode) -> String {
        format!(
            "Showing {looked_up}: Zippopotam.us knows {}.",
            self.described
        )
    }

    /// The code as the data holds it, or `None` when it cannot be there.
    pub fn to_data_form(&self, typed: &PostalCode) -> Option<InDataForm> {
        let typed_text = typed.as_str();
        // A separator belongs between parts of a code, never before or after it.
        if typed_text.starts_with('-') || typed_text.ends_with('-') {
            return None;
        }
        let compact: String = typed_text
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (code, shortened) = match self.shape {
            Digits(n) => match (self.country, compact.len()) {
                _ if compact.len() == n && all_digits(&compact) => (compact, false),
                // ZIP+4: the data has the five digits.
                ("US" | "AS" | "GU" | "MH" | "MP" | "PR" | "VI", 9) if all_digits(&compact) => {
                    (compact.get(..5)?.to_owned(), true)
                }
                // A Dutch postcode's two letters narrow the street; the data has the digits.
                ("NL", 6) if all_digits(compact.get(..4)?) => {
                    let letters = compact.get(4..)?;
                    if !letters.bytes().all(|b| b.is_ascii_uppercase()) {
                        return None;
                    }
                    (compact.get(..4)?.to_owned(), true)
                }
                _ => return None,
            },
            Grouped(first, separator, second) => {
                if compact.len() != first + second || !all_digits(&compact) {
                    return None;
                }
                let (a, b) = compact.split_at(first);
                (format!("{a}{separator}{b}"), false)
            }
            Prefixed(prefix, n) => {
                let letters: String = prefix.chars().filter(char::is_ascii_alphabetic).collect();
                let digits = compact.strip_prefix(letters.as_str()).unwrap_or(&compact);
                if digits.len() != n || !all_digits(digits) {
                    return None;
                }
                (format!("{prefix}{digits}"), false)
            }
            Outward(area) => {
                let outward = match typed_text.split_once(' ') {
                    Some((outward, _)) => outward.to_owned(),
                    // Without the space, the inward code is always the last three characters.
                    None if compact.len() > 4 => compact.get(..compact.len() - 3)?.to_owned(),
                    None => compact.clone(),
                };
                let well_formed = (2..=4).contains(&outward.len())
                    && outward.starts_with(|c: char| c.is_ascii_uppercase())
                    && outward.bytes().any(|b| b.is_ascii_digit())
                    && outward.bytes().all(|b| b.is_ascii_alphanumeric())
                    && outward.starts_with(area);
                if !well_formed {
                    return None;
                }
                let shortened = outward != compact;
                (outward, shortened)
            }
            ForwardSortation => {
                let area = compact.get(..3)?;
                let &[letter, digit, second_letter] = area.as_bytes() else {
                    return None;
                };
                // A full code's local delivery unit is digit, letter, digit ("0H0").
                let unit_ok = match compact.get(3..) {
                    Some("") => true,
                    Some(unit) => {
                        let unit = unit.as_bytes();
                        unit.len() == 3
                            && unit.first().is_some_and(u8::is_ascii_digit)
                            && unit.get(1).is_some_and(u8::is_ascii_uppercase)
                            && unit.get(2).is_some_and(u8::is_ascii_digit)
                    }
                    None => false,
                };
                let well_formed = letter.is_ascii_uppercase()
                    && digit.is_ascii_digit()
                    && second_letter.is_ascii_uppercase()
                    && unit_ok;
                if !well_formed {
                    return None;
                }
                (area.to_owned(), compact.len() > 3)
            }
            BrazilMajor => {
                let digits = compact.get(..5)?;
                let rest = compact.get(5..)?;
                if !all_digits(digits)
                    || !(rest.is_empty() || (rest.len() == 3 && all_digits(rest)))
                {
                    return None;
                }
                (format!("{digits}-000"), !rest.is_empty() && rest != "000")
            }
            ArgentinaOld => {
                if compact.len() == 4 && all_digits(&compact) {
                    (compact, false)
                } else {
                    // The newer CPA: a province letter, the old four digits, three letters.
                    let cpa = compact.len() == 8
                        && compact.starts_with(|c: char| c.is_ascii_uppercase())
                        && all_digits(compact.get(1..5)?)
                        && compact.get(5..)?.bytes().all(|b| b.is_ascii_uppercase());
                    if !cpa {
                        return None;
                    }
                    (compact.get(1..5)?.to_owned(), true)
                }
            }
        };
        let code = PostalCode::parse(&code).ok()?;
        let change = if shortened {
            Some(Change::Shortened)
        } else if code.as_str() != typed_text {
            Some(Change::Reformatted)
        } else {
            None
        };
        Some(InDataForm { code, change })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::country::COUNTRIES;

    #[test]
    fn every_supported_country_has_one_format_and_its_example_is_in_the_data_form() {
        for country in COUNTRIES {
            let rows = DATA_FORMATS
                .iter()
                .filter(|f| f.country == country.code)
                .count();
            assert_eq!(rows, 1, "{}", country.code);
        }
        assert_eq!(DATA_FORMATS.len(), COUNTRIES.len());
        for format in DATA_FORMATS {
            let example = PostalCode::parse(format.example).unwrap_or_else(|e| panic!("{e}"));
            let in_form = format.to_data_form(&example);
            assert_eq!(
                in_form,
                Some(InDataForm {
                    code: example,
                    change: None
                }),
                "{}",
                format.country
            );
        }
    }

    /// (country, typed, looked up or None for refused, change)
    const CASES: &[(&str, &str, Option<&str>, Option<Change>)] = &[
        ("US", "97229", Some("97229"), None),
        ("US", "97229-1234", Some("97229"), Some(Change::Shortened)),
        ("US", "97229 1234", Some("97229"), Some(Change::Shortened)),
        ("US", "972291234", Some("97229"), Some(Change::Shortened)),
        ("US", "9722", None, None),
        ("US", "-97229", None, None),
        ("US", "ABCDE", None, None),
        ("PR", "00901-2345", Some("00901"), Some(Change::Shortened)),
        ("NL", "1012 AB", Some("1012"), Some(Change::Shortened)),
        ("NL", "1012AB", Some("1012"), Some(Change::Shortened)),
        ("NL", "1012", Some("1012"), None),
        ("NL", "1012 A1", None, None),
        ("CZ", "10000", Some("100 00"), Some(Change::Reformatted)),
        ("CZ", "100 00", Some("100 00"), None),
        ("SK", "81101", Some("811 01"), Some(Change::Reformatted)),
        ("SK", "811-01", Some("811 01"), Some(Change::Reformatted)),
        ("PL", "00001", Some("00-001"), Some(Change::Reformatted)),
        ("PL", "00-001", Some("00-001"), None),
        ("JP", "1000001", Some("100-0001"), Some(Change::Reformatted)),
        (
            "JP",
            "100 0001",
            Some("100-0001"),
            Some(Change::Reformatted),
        ),
        ("JP", "100-001", None, None),
        ("PT", "1000001", Some("1000-001"), Some(Change::Reformatted)),
        ("PT", "1000", None, None),
        ("LU", "1009", Some("L-1009"), Some(Change::Reformatted)),
        ("LU", "L1009", Some("L-1009"), Some(Change::Reformatted)),
        ("LU", "L-1009", Some("L-1009"), None),
        ("MD", "2000", Some("MD-2000"), Some(Change::Reformatted)),
        ("MD", "MD2000", Some("MD-2000"), Some(Change::Reformatted)),
        ("AD", "100", Some("AD100"), Some(Change::Reformatted)),
        ("AD", "AD-100", Some("AD100"), Some(Change::Reformatted)),
        (
            "BR",
            "01310-100",
            Some("01310-000"),
            Some(Change::Shortened),
        ),
        ("BR", "01310100", Some("01310-000"), Some(Change::Shortened)),
        ("BR", "01310-000", Some("01310-000"), None),
        ("BR", "01310", Some("01310-000"), Some(Change::Reformatted)),
        ("AR", "C1425DKA", Some("1425"), Some(Change::Shortened)),
        ("AR", "1425", Some("1425"), None),
        ("AR", "14250", None, None),
        ("GB", "SW1A 1AA", Some("SW1A"), Some(Change::Shortened)),
        ("GB", "SW1A1AA", Some("SW1A"), Some(Change::Shortened)),
        ("GB", "M1", Some("M1"), None),
        ("GB", "12345", None, None),
        ("GG", "GY1 1AA", Some("GY1"), Some(Change::Shortened)),
        ("GG", "GY11AA", Some("GY1"), Some(Change::Shortened)),
        ("GG", "JE2 3AB", None, None),
        ("JE", "JE2 3AB", Some("JE2"), Some(Change::Shortened)),
        ("IM", "IM1 1AA", Some("IM1"), Some(Change::Shortened)),
        ("IM", "IM2", Some("IM2"), None),
        ("CA", "H0H 0H0", Some("H0H"), Some(Change::Shortened)),
        ("CA", "K1A", Some("K1A"), None),
        ("CA", "K1A 0B", None, None),
        ("CA", "K1A 000", None, None),
        ("SE", "111 22", Some("11122"), Some(Change::Reformatted)),
        ("DE", "10115", Some("10115"), None),
        ("DE", "1011", None, None),
        ("IN", "110 001", Some("110001"), Some(Change::Reformatted)),
    ];

    #[test]
    fn codes_typed_the_common_way_become_the_data_form_or_are_refused() {
        for (country, typed, looked_up, change) in CASES {
            let country_code = CountryCode::parse(country).unwrap_or_else(|e| panic!("{e}"));
            let format = DataFormat::of(country_code).unwrap_or_else(|| panic!("{country}"));
            let typed_code = PostalCode::parse(typed).unwrap_or_else(|e| panic!("{e}"));
            let in_form = format.to_data_form(&typed_code);
            assert_eq!(
                in_form.as_ref().map(|f| f.code.as_str()),
                *looked_up,
                "{country} {typed}"
            );
            assert_eq!(in_form.and_then(|f| f.change), *change, "{country} {typed}");
        }
    }

    #[test]
    fn the_data_form_is_a_fixed_point() {
        for (country, typed, _, _) in CASES {
            let Ok(country_code) = CountryCode::parse(country) else {
                continue;
            };
            let Some(format) = DataFormat::of(country_code) else {
                continue;
            };
            let Some(once) = PostalCode::parse(typed)
                .ok()
                .and_then(|c| format.to_data_form(&c))
            else {
                continue;
            };
            let twice = format.to_data_form(&once.code);
            assert_eq!(
                twice,
                Some(InDataForm {
                    code: once.code.clone(),
                    change: None
                }),
                "{country} {typed}"
            );
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::country::COUNTRIES;

    proptest! {
        #[test]
        fn any_code_in_any_country_is_refused_or_becomes_a_fixed_point(
            country in prop::sample::select(COUNTRIES.iter().map(|c| c.code).collect::<Vec<_>>()),
            typed in "[ ]{0,2}[a-zA-Z0-9]{1,6}[ -]{0,2}[a-zA-Z0-9]{0,5}[ ]{0,2}",
        ) {
            let (Ok(country), Ok(typed)) = (CountryCode::parse(country), PostalCode::parse(&typed))
            else {
                return Ok(());
            };
            let format = DataFormat::of(country);
            prop_assert!(format.is_some());
            if let Some(format) = format
                && let Some(once) = format.to_data_form(&typed)
            {
                let twice = format.to_data_form(&once.code);
                prop_assert_eq!(twice.map(|t| (t.code, t.change)), Some((once.code, None)));
            }
        }
    }
}
