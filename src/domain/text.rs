//! What one-line text people type may hold: something visible, and none of the characters
//! that turn the direction of the text around it (a right-to-left override can make a name
//! read as something else, and spill into the rest of the page's line).

/// Explicit directional embeddings, overrides and isolates. The plain marks (U+200E, U+200F),
/// which right-to-left writing needs, stay allowed.
pub fn turns_direction(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing: format characters (zero-width spaces and joiners, the
/// byte-order mark, invisible operators, tags), variation selectors and the Hangul fillers.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Why a line of text is refused, if it is; `what` names it in the message ("A title").
pub fn visible_line_problem(text: &str, what: &str) -> Option<String> {
    if text.chars().any(char::is_control) {
        Some(format!("{what} is one line of text."))
    } else if text.chars().any(turns_direction) {
        Some(format!(
            "{what} cannot hold characters that reverse the direction of the text."
        ))
    } else if !text.is_empty() && text.chars().all(is_invisible) {
        Some(format!("{what} needs letters or signs that can be seen."))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_people_can_read_passes_and_tricks_do_not() {
        for (case, text, refused) in [
            ("plain", "Winter market", false),
            (
                "accents and scripts",
                "Fête de la musique · 夏祭り · سوق",
                false,
            ),
            (
                "emoji joined by ZWJ",
                "Family day 👨\u{200D}👩\u{200D}👧",
                false,
            ),
            ("a right-to-left mark", "שוק\u{200F} 2026", false),
            ("zero-width spaces only", "\u{200B}\u{200B}\u{200B}", true),
            (
                "a byte-order mark and a joiner",
                "\u{FEFF}\u{200D}\u{2060}",
                true,
            ),
            ("Hangul fillers", "\u{3164}\u{3164}\u{3164}", true),
            ("a right-to-left override", "abc\u{202E}fed", true),
            ("an isolate", "a\u{2067}b", true),
            ("a line break", "two\nlines", true),
            ("a NUL", "a\u{0}b", true),
        ] {
            assert_eq!(
                visible_line_problem(text, "A title").is_some(),
                refused,
                "{case}"
            );
        }
    }
}

#[cfg(test)]
mod properties {
    //! Whatever text is typed, `visible_line_problem` answers, and what it lets through is one
    //! line that shows something and keeps the page's direction.

    use proptest::prelude::*;

    use super::*;

    /// Characters that draw nothing but are neither controls nor direction changes.
    const INVISIBLE: [char; 10] = [
        ' ',
        '\u{00A0}',
        '\u{200B}',
        '\u{200D}',
        '\u{200F}',
        '\u{2060}',
        '\u{3164}',
        '\u{FE0F}',
        '\u{FEFF}',
        '\u{E0041}',
    ];
    /// Embeddings, overrides and isolates.
    const DIRECTION: [char; 9] = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}',
    ];

    fn any_text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..=max)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    /// Text people write: letters of several scripts, digits, punctuation, spaces, emoji.
    fn readable() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9éßЖж界ب🎉][ a-zA-Z0-9.,:;!?'()&+éßЖж界ب🎉-]{0,30}"
    }

    proptest! {
        #[test]
        fn any_text_gets_an_answer_that_names_the_field(text in any_text(40)) {
            if let Some(problem) = visible_line_problem(&text, "A title") {
                prop_assert!(problem.starts_with("A title "), "{problem:?}");
            }
        }

        #[test]
        fn readable_text_passes(text in readable()) {
            prop_assert_eq!(visible_line_problem(&text, "A title"), None);
        }

        #[test]
        fn readable_text_among_invisible_characters_passes(
            text in readable(),
            before in prop::collection::vec(prop::sample::select(INVISIBLE.to_vec()), 0..4),
            after in prop::collection::vec(prop::sample::select(INVISIBLE.to_vec()), 0..4),
        ) {
            let padded: String = before.into_iter().chain(text.chars()).chain(after).collect();
            prop_assert_eq!(visible_line_problem(&padded, "A name"), None);
        }

        #[test]
        fn text_of_invisible_characters_only_is_refused(
            chars in prop::collection::vec(prop::sample::select(INVISIBLE.to_vec()), 1..8),
        ) {
            let text: String = chars.into_iter().collect();
            prop_assert!(visible_line_problem(&text, "A name").is_some(), "{text:?}");
        }

        #[test]
        fn a_control_or_direction_character_anywhere_is_refused(
            text in readable(),
            at in any::<prop::sample::Index>(),
            inserted in prop_oneof![
                prop::sample::select(DIRECTION.to_vec()),
                prop::char::range('\u{0}', '\u{1F}'),
                prop::char::range('\u{7F}', '\u{9F}'),
            ],
        ) {
            let mut chars: Vec<char> = text.chars().collect();
            chars.insert(at.index(chars.len() + 1), inserted);
            let spoiled: String = chars.into_iter().collect();
            prop_assert!(visible_line_problem(&spoiled, "A title").is_some(), "{spoiled:?}");
            prop_assert!(
                turns_direction(inserted) == DIRECTION.contains(&inserted),
                "{inserted:?}"
            );
        }

        #[test]
        fn no_ascii_character_turns_the_direction(c in prop::char::range('\u{0}', '\u{7F}')) {
            prop_assert!(!turns_direction(c));
        }
    }
}
