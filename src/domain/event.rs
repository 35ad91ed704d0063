//! An event on a place's board: the fields a person fills in, parsed into a `NewEvent` or into
//! one message per wrong field.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use url::Url;

use super::text;

pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 3..=120;
pub const NAME_MAX_CHARS: usize = 60;
pub const DESCRIPTION_MAX_CHARS: usize = 4000;
pub const LINK_MAX_CHARS: usize = 2000;

/// The form's text fields as typed (the photo travels separately); a missing field is empty.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct EventFields {
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub description: String,
    pub link: String,
    pub name: String,
}

/// A valid event, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub description: String,
    pub link: Option<String>,
    pub poster_name: String,
}

/// One message per wrong field, shown beside it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors {
    pub title: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub description: Option<String>,
    pub link: Option<String>,
    pub name: Option<String>,
    pub photo: Option<String>,
}

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl EventFields {
    /// Parses the fields; `zone` is the place's, in which the times were typed, and `now`
    /// bounds how far in the past or future an event may start.
    pub fn parse(&self, zone: Tz, now: DateTime<Utc>) -> Result<NewEvent, Box<FieldErrors>> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim().to_owned();
        // Control characters have no place in a one-line field, and NUL ends a string in SQLite.
        if let Some(problem) = text::visible_line_problem(&title, "A title") {
            errors.title = Some(problem);
        } else if !TITLE_CHARS.contains(&title.chars().count()) {
            errors.title = Some(format!(
                "A title has {} to {} characters.",
                TITLE_CHARS.start(),
                TITLE_CHARS.end()
            ));
        }
        let starts_at = match local_instant(&self.starts_at, zone) {
            Ok(Some(at)) if at < now - TimeDelta::days(1) => {
                errors.starts_at = Some("The start is in the past.".to_owned());
                None
            }
            Ok(Some(at)) if at > now + TimeDelta::days(2 * 366) => {
                errors.starts_at = Some("The start is more than two years away.".to_owned());
                None
            }
            Ok(Some(at)) => Some(at),
            Ok(None) => {
                errors.starts_at =
                    Some("Please give the date and time the event starts.".to_owned());
                None
            }
            Err(message) => {
                errors.starts_at = Some(message);
                None
            }
        };
        let ends_at = match local_instant(&self.ends_at, zone) {
            Ok(Some(end)) if starts_at.is_some_and(|start| end <= start) => {
                errors.ends_at = Some("The end must be after the start.".to_owned());
                None
            }
            // As far as the latest start and a year more. Unbounded, a year like +262142 was
            // stored as text that sorts before "2026", and the event showed as past.
            Ok(Some(end)) if end > now + TimeDelta::days(3 * 366) => {
                errors.ends_at = Some("The end is more than three years away.".to_owned());
                None
            }
            Ok(end) => end,
            Err(message) => {
                errors.ends_at = Some(message);
                None
            }
        };
        // Browsers send line breaks as CRLF; one form of line break is stored.
        let description = self.description.replace("\r\n", "\n").trim().to_owned();
        if description
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
            || description.chars().any(text::turns_direction)
        {
            errors.description = Some("A description is plain text.".to_owned());
        } else if description.chars().count() > DESCRIPTION_MAX_CHARS {
            errors.description = Some(format!(
                "A description has at most {DESCRIPTION_MAX_CHARS} characters."
            ));
        }
        let link = self.link.trim();
        let link = if link.is_empty() {
            None
        } else {
            match Url::parse(link) {
                // Measured as stored, percent-encoded: the edit form offers the stored link
                // back, and must take it again.
                Ok(url) if url.as_str().len() > LINK_MAX_CHARS => {
                    errors.link = Some(format!(
                        "A link has at most {LINK_MAX_CHARS} characters (each accented letter \
                         or space takes 3 to 6 in a web address)."
                    ));
                    None
                }
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    Some(url.to_string())
                }
                _ => {
                    errors.link = Some(
                        "A link starts with http:// or https:// and is a full web address."
                            .to_owned(),
                    );
                    None
                }
            }
        };
        let poster_name = self.name.trim().to_owned();
        if let Some(problem) = text::visible_line_problem(&poster_name, "A name") {
            errors.name = Some(problem);
        } else if poster_name.is_empty() {
            errors.name = Some("Please give a name to show with the event.".to_owned());
        } else if poster_name.chars().count() > NAME_MAX_CHARS {
            errors.name = Some(format!("A name has at most {NAME_MAX_CHARS} characters."));
        }
        match starts_at {
            Some(starts_at) if errors.is_empty() => Ok(NewEvent {
                title,
                starts_at,
                ends_at,
                description,
                link,
                poster_name,
            }),
            _ => Err(Box::new(errors)),
        }
    }
}

/// A `datetime-local` value (`2026-12-01T18:30`, seconds optional) read in `zone`; empty is
/// `None`.
fn local_instant(raw: &str, zone: Tz) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "Please give a date and time like 2026-12-01 18:30.".to_owned())?;
    // To the minute, as pages and the edit form show it: seconds kept would be dropped by the
    // next edit, and could make a start and end a minute apart equal there.
    let naive = naive.with_second(0).unwrap_or(naive);
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(at) => Ok(Some(at.with_timezone(&Utc))),
        // When clocks go back an hour repeats: the first is meant more often than not.
        LocalResult::Ambiguous(first, _) => Ok(Some(first.with_timezone(&Utc))),
        LocalResult::None => Err(format!(
            "That time does not exist in {} (the clocks go forward then).",
            zone.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn valid() -> EventFields {
        EventFields {
            title: "  Winter market ".to_owned(),
            starts_at: "2026-12-05T10:00".to_owned(),
            ends_at: "2026-12-05T16:30".to_owned(),
            description: "Stalls\r\nand music".to_owned(),
            link: "https://example.org/market".to_owned(),
            name: "Ana".to_owned(),
        }
    }

    #[test]
    fn a_valid_form_becomes_an_event_with_times_in_utc() {
        let event = valid().parse(Tz::America__Los_Angeles, now());
        let event = event.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(event.title, "Winter market");
        // 10:00 PST is 18:00 UTC.
        assert_eq!(event.starts_at.to_rfc3339(), "2026-12-05T18:00:00+00:00");
        assert_eq!(
            event.ends_at.map(|t| t.to_rfc3339()),
            Some("2026-12-06T00:30:00+00:00".to_owned())
        );
        assert_eq!(event.description, "Stalls\nand music");
        assert_eq!(event.link.as_deref(), Some("https://example.org/market"));
    }

    #[test]
    fn times_are_kept_to_the_minute_as_the_form_shows_them() {
        let mut fields = valid();
        fields.starts_at = "2026-12-05T10:00:59".to_owned();
        fields.ends_at = "2026-12-05T10:01:01".to_owned();
        let event = fields
            .parse(Tz::UTC, now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(event.starts_at.to_rfc3339(), "2026-12-05T10:00:00+00:00");
        assert_eq!(
            event.ends_at.map(|t| t.to_rfc3339()),
            Some("2026-12-05T10:01:00+00:00".to_owned())
        );
        // Within one minute: the same time once shown, so the end is not after the start.
        let mut fields = valid();
        fields.starts_at = "2026-12-05T10:00:10".to_owned();
        fields.ends_at = "2026-12-05T10:00:50".to_owned();
        let errors = fields.parse(Tz::UTC, now()).err();
        assert!(errors.is_some_and(|e| e.ends_at.is_some()));
    }

    #[test]
    fn a_link_is_measured_as_stored() {
        // 1,000 characters typed, 5,900 once each "é" is percent-encoded.
        let mut fields = valid();
        fields.link = format!("https://example.org/{}", "é".repeat(980));
        let errors = fields.parse(Tz::UTC, now()).err();
        assert!(
            errors
                .as_ref()
                .and_then(|e| e.link.as_deref())
                .is_some_and(|m| m.contains("at most 2000 characters")),
            "{errors:?}"
        );
    }

    #[test]
    fn summer_times_are_read_with_daylight_saving() {
        let mut fields = valid();
        fields.starts_at = "2027-07-01T10:00".to_owned();
        fields.ends_at.clear();
        let event = fields
            .parse(Tz::Europe__Berlin, now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(event.starts_at.to_rfc3339(), "2027-07-01T08:00:00+00:00");
    }

    #[test]
    fn each_wrong_field_gets_its_own_message() {
        type Case = (&'static str, fn(&mut EventFields), fn(&FieldErrors) -> bool);
        let cases: Vec<Case> = vec![
            (
                "short title",
                |f| f.title = "ab".into(),
                |e| e.title.is_some(),
            ),
            (
                "long title",
                |f| f.title = "x".repeat(121),
                |e| e.title.is_some(),
            ),
            (
                "no start",
                |f| f.starts_at.clear(),
                |e| e.starts_at.is_some(),
            ),
            (
                "garbled start",
                |f| f.starts_at = "next friday".into(),
                |e| e.starts_at.is_some(),
            ),
            (
                "start long past",
                |f| f.starts_at = "2026-01-01T10:00".into(),
                |e| e.starts_at.is_some(),
            ),
            (
                "start far away",
                |f| f.starts_at = "2030-01-01T10:00".into(),
                |e| e.starts_at.is_some(),
            ),
            (
                "end before start",
                |f| f.ends_at = "2026-12-05T09:00".into(),
                |e| e.ends_at.is_some(),
            ),
            (
                "end far away",
                |f| f.ends_at = "2030-01-01T10:00".into(),
                |e| e.ends_at.is_some(),
            ),
            (
                "end in a year of six digits",
                |f| f.ends_at = "+262142-12-31T23:30".into(),
                |e| e.ends_at.is_some(),
            ),
            (
                "end equals start",
                |f| f.ends_at = "2026-12-05T10:00".into(),
                |e| e.ends_at.is_some(),
            ),
            (
                "long description",
                |f| f.description = "x".repeat(4001),
                |e| e.description.is_some(),
            ),
            (
                "javascript link",
                |f| f.link = "javascript:alert(1)".into(),
                |e| e.link.is_some(),
            ),
            (
                "ftp link",
                |f| f.link = "ftp://example.org/".into(),
                |e| e.link.is_some(),
            ),
            (
                "not a link",
                |f| f.link = "example dot org".into(),
                |e| e.link.is_some(),
            ),
            ("no name", |f| f.name = "   ".into(), |e| e.name.is_some()),
            (
                "NUL in title",
                |f| f.title = "\0abc party".into(),
                |e| e.title.is_some(),
            ),
            (
                "line break in name",
                |f| f.name = "Ana\nBob".into(),
                |e| e.name.is_some(),
            ),
            (
                "NUL in description",
                |f| f.description = "a\0b".into(),
                |e| e.description.is_some(),
            ),
            (
                "long name",
                |f| f.name = "n".repeat(61),
                |e| e.name.is_some(),
            ),
        ];
        for (case, spoil, flagged) in cases {
            let mut fields = valid();
            spoil(&mut fields);
            let errors = fields
                .parse(Tz::America__Los_Angeles, now())
                .err()
                .unwrap_or_else(|| panic!("{case}: accepted"));
            assert!(flagged(&errors), "{case}: {errors:?}");
        }
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_is_refused_with_a_reason() {
        let mut fields = valid();
        fields.starts_at = "2027-03-14T02:30".to_owned();
        fields.ends_at.clear();
        let errors = fields
            .parse(Tz::America__Los_Angeles, now())
            .err()
            .unwrap_or_default();
        assert!(
            errors
                .starts_at
                .unwrap_or_default()
                .contains("does not exist")
        );
    }

    #[test]
    fn optional_fields_may_be_empty() {
        let fields = EventFields {
            ends_at: String::new(),
            description: String::new(),
            link: String::new(),
            ..valid()
        };
        let event = fields
            .parse(Tz::UTC, now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (event.ends_at, event.link, event.description.as_str()),
            (None, None, "")
        );
    }
}

#[cfg(test)]
mod properties {
    //! Whatever is typed into the event form, `parse` answers with an event or with a message per
    //! wrong field, never a panic; what it accepts keeps the form's rules, field by field.

    use proptest::prelude::*;

    use super::{tests::now, *};

    /// A form every zone accepts (no zone changes its clocks on 5 December); each property
    /// varies one field of it.
    fn valid() -> EventFields {
        EventFields {
            title: "Winter market".to_owned(),
            starts_at: "2026-12-05T10:00".to_owned(),
            ends_at: "2026-12-05T16:30".to_owned(),
            description: "Stalls and music".to_owned(),
            link: "https://example.org/market".to_owned(),
            name: "Ana".to_owned(),
        }
    }

    /// How far ahead and behind `now` a start may be.
    fn in_window(at: DateTime<Utc>) -> bool {
        (now() - TimeDelta::days(1)..=now() + TimeDelta::days(2 * 366)).contains(&at)
    }

    /// Any text: control characters, line breaks, every plane.
    fn any_text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..=max)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    /// Printable text of `len` characters (one to four bytes each) between blank padding, to
    /// meet the length limits from both sides.
    fn padded(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
        let blank = || {
            prop::collection::vec(
                prop::sample::select(vec![' ', '\t', '\r', '\n', '\u{a0}', '\u{3000}']),
                0..3,
            )
        };
        let printable = prop_oneof![
            prop::char::range('a', 'z'),
            Just(' '),
            Just('é'),
            Just('界'),
            Just('🎉'),
        ];
        (blank(), prop::collection::vec(printable, len), blank()).prop_map(
            |(before, body, after)| {
                before
                    .into_iter()
                    .chain(body)
                    .chain(after)
                    .collect::<String>()
            },
        )
    }

    /// Short text of the characters the rules are about: direction overrides and isolates, the
    /// right-to-left mark people need, zero-width and other invisible characters, controls.
    fn awkward() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                'a',
                '界',
                ' ',
                '\u{202E}',
                '\u{2066}',
                '\u{200F}',
                '\u{200B}',
                '\u{200D}',
                '\u{FEFF}',
                '\u{3164}',
                '\u{E0041}',
                '\0',
                '\n',
                '\t',
                '\r',
            ]),
            0..8,
        )
        .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    /// `datetime-local` values near now, far off, impossible or in a clock change, other
    /// date-time shapes, and text that is no time at all.
    fn moment() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (2025i32..=2029, 1u32..=12, 1u32..=31, 0u32..=23, 0u32..=59).prop_map(
                |(y, mo, d, h, mi)| format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}")
            ),
            1 => (any::<i32>(), 0u32..=13, 0u32..=32, 0u32..=25, 0u32..=61, 0u32..=61).prop_map(
                |(y, mo, d, h, mi, s)| format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            ),
            1 => concat!(
                "[ \t]{0,2}[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}[T ][0-9]{1,2}:[0-9]{1,2}",
                "(:[0-9]{1,2})?(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?[ \t]{0,2}",
            ),
            1 => any_text(24),
            1 => Just(String::new()),
        ]
    }

    /// Every zone chrono-tz knows.
    fn zone() -> impl Strategy<Value = Tz> {
        prop::sample::select(&chrono_tz::TZ_VARIANTS[..])
    }

    /// Links: any text, other schemes, web addresses with ports and paths, and addresses around
    /// the length limit.
    fn link() -> impl Strategy<Value = String> {
        prop_oneof![
            any_text(40),
            concat!(
                "(https?|ftp|javascript|data|file|mailto):(//)?",
                "[a-zA-Z0-9.:@\\[\\]%-]{0,20}(/[!-~]{0,20})?",
            ),
            "[ \t]{0,2}https?://[a-z0-9-]{1,10}\\.[a-z]{2,3}(:[0-9]{1,6})?(/[^ ]{0,20})?[ \t]{0,2}",
            (1_980usize..=2_010)
                .prop_map(|len| format!("https://example.org/{}", "a".repeat(len - 20))),
            // Under the limit as typed, over it once percent-encoded.
            (
                300usize..=1_000,
                prop::sample::select(vec!["é", " ", "ß", "€", "a"])
            )
                .prop_map(|(len, c)| format!("https://example.org/{}", c.repeat(len))),
        ]
    }

    proptest! {
        #[test]
        fn a_title_is_accepted_exactly_when_it_is_a_visible_line_of_3_to_120_characters(
            title in prop_oneof![any_text(130), padded(0..=125), awkward()],
        ) {
            let trimmed = title.trim();
            let allowed = text::visible_line_problem(trimmed, "A title").is_none()
                && TITLE_CHARS.contains(&trimmed.chars().count());
            let fields = EventFields { title: title.clone(), ..valid() };
            match fields.parse(Tz::UTC, now()) {
                Ok(event) => {
                    prop_assert!(allowed, "accepted {title:?}");
                    prop_assert_eq!(event.title.as_str(), trimmed);
                }
                Err(errors) => {
                    prop_assert!(!allowed, "refused {title:?}: {errors:?}");
                    prop_assert!(errors.title.is_some());
                    let expected = FieldErrors {
                        title: errors.title.clone(),
                        ..FieldErrors::default()
                    };
                    prop_assert_eq!(*errors, expected);
                }
            }
        }

        #[test]
        fn a_name_is_accepted_exactly_when_it_is_a_visible_line_of_1_to_60_characters(
            name in prop_oneof![any_text(70), padded(0..=65), awkward()],
        ) {
            let trimmed = name.trim();
            let allowed = !trimmed.is_empty()
                && text::visible_line_problem(trimmed, "A name").is_none()
                && trimmed.chars().count() <= NAME_MAX_CHARS;
            let fields = EventFields { name: name.clone(), ..valid() };
            match fields.parse(Tz::UTC, now()) {
                Ok(event) => {
                    prop_assert!(allowed, "accepted {name:?}");
                    prop_assert_eq!(event.poster_name.as_str(), trimmed);
                }
                Err(errors) => {
                    prop_assert!(!allowed, "refused {name:?}: {errors:?}");
                    prop_assert!(errors.name.is_some());
                    let expected = FieldErrors {
                        name: errors.name.clone(),
                        ..FieldErrors::default()
                    };
                    prop_assert_eq!(*errors, expected);
                }
            }
        }

        #[test]
        fn a_description_is_accepted_exactly_when_it_is_plain_text_of_at_most_4000_characters(
            description in prop_oneof![any_text(200), padded(3_990..=4_010), awkward()],
        ) {
            let one_kind_of_break = description.replace("\r\n", "\n");
            let kept = one_kind_of_break.trim();
            let plain = |c: char| {
                (!c.is_control() || c == '\n' || c == '\t') && !text::turns_direction(c)
            };
            let allowed = kept.chars().all(plain) && kept.chars().count() <= DESCRIPTION_MAX_CHARS;
            let fields = EventFields { description: description.clone(), ..valid() };
            match fields.parse(Tz::UTC, now()) {
                Ok(event) => {
                    prop_assert!(allowed, "accepted {description:?}");
                    prop_assert_eq!(event.description.as_str(), kept);
                    prop_assert!(!event.description.contains('\r'));
                }
                Err(errors) => {
                    prop_assert!(!allowed, "refused {description:?}: {errors:?}");
                    prop_assert!(errors.description.is_some());
                    let expected = FieldErrors {
                        description: errors.description.clone(),
                        ..FieldErrors::default()
                    };
                    prop_assert_eq!(*errors, expected);
                }
            }
        }

        #[test]
        fn a_link_is_kept_only_as_a_full_web_address(link in link()) {
            let fields = EventFields { link: link.clone(), ..valid() };
            match fields.parse(Tz::UTC, now()) {
                Ok(event) => match event.link {
                    None => prop_assert!(link.trim().is_empty(), "{link:?} dropped"),
                    Some(kept) => {
                        prop_assert!(kept.len() <= LINK_MAX_CHARS, "{link:?} kept as {kept:?}");
                        // The edit form offers it back: taken again as it is.
                        let again = EventFields { link: kept.clone(), ..valid() }.parse(Tz::UTC, now());
                        prop_assert_eq!(
                            again.map(|event| event.link).ok(),
                            Some(Some(kept.clone()))
                        );
                        let url = Url::parse(&kept);
                        prop_assert!(
                            url.as_ref().is_ok_and(|url| matches!(url.scheme(), "http" | "https")
                                && url.host().is_some()),
                            "{link:?} kept as {kept:?}, which parses as {url:?}"
                        );
                    }
                },
                Err(errors) => {
                    prop_assert!(!link.trim().is_empty());
                    prop_assert!(errors.link.is_some());
                    let expected = FieldErrors {
                        link: errors.link.clone(),
                        ..FieldErrors::default()
                    };
                    prop_assert_eq!(*errors, expected);
                }
            }
        }

        #[test]
        fn a_start_is_accepted_from_a_day_ago_to_two_years_ahead(
            minutes in prop_oneof![
                -3_000i64..1_100_000,
                // The edges: a day before now, and 2 x 366 days after it.
                prop::sample::select(vec![-1_440i64, -1_441, 1_054_080, 1_054_081]),
            ],
        ) {
            let start = now() + TimeDelta::minutes(minutes);
            let fields = EventFields {
                starts_at: start.format("%Y-%m-%dT%H:%M").to_string(),
                ends_at: String::new(),
                ..valid()
            };
            match fields.parse(Tz::UTC, now()) {
                Ok(event) => {
                    prop_assert!(in_window(start), "accepted {start}");
                    prop_assert_eq!(event.starts_at, start);
                }
                Err(errors) => {
                    prop_assert!(!in_window(start), "refused {start}: {errors:?}");
                    prop_assert!(errors.starts_at.is_some());
                }
            }
        }

        #[test]
        fn a_start_typed_any_way_is_in_the_window_or_flagged_alone(
            starts_at in moment(),
            zone in zone(),
        ) {
            let fields = EventFields { starts_at, ends_at: String::new(), ..valid() };
            match fields.parse(zone, now()) {
                Ok(event) => prop_assert!(in_window(event.starts_at), "{event:?}"),
                Err(errors) => {
                    prop_assert!(errors.starts_at.is_some());
                    let expected = FieldErrors {
                        starts_at: errors.starts_at.clone(),
                        ..FieldErrors::default()
                    };
                    prop_assert_eq!(*errors, expected);
                }
            }
        }

        #[test]
        fn an_end_typed_any_way_is_after_the_start_or_flagged_alone(
            ends_at in moment(),
            zone in zone(),
        ) {
            let fields = EventFields { ends_at: ends_at.clone(), ..valid() };
            match fields.parse(zone, now()) {
                Ok(event) => match event.ends_at {
                    Some(end) => prop_assert!(end > event.starts_at, "{event:?}"),
                    None => prop_assert!(ends_at.trim().is_empty(), "{ends_at:?} dropped"),
                },
                Err(errors) => {
                    prop_assert!(errors.ends_at.is_some());
                    let expected = FieldErrors {
                        ends_at: errors.ends_at.clone(),
                        ..FieldErrors::default()
                    };
                    prop_assert_eq!(*errors, expected);
                }
            }
        }

        #[test]
        fn any_form_is_an_event_that_keeps_the_rules_or_has_messages(
            title in prop_oneof![any_text(130), padded(0..=125), awkward()],
            starts_at in moment(),
            ends_at in moment(),
            description in prop_oneof![any_text(200), awkward()],
            link in link(),
            name in prop_oneof![any_text(70), padded(0..=65), awkward()],
            zone in zone(),
        ) {
            let fields = EventFields { title, starts_at, ends_at, description, link, name };
            match fields.parse(zone, now()) {
                Ok(event) => {
                    let title = event.title.as_str();
                    prop_assert!(TITLE_CHARS.contains(&title.chars().count()), "{event:?}");
                    prop_assert_eq!(title.trim(), title);
                    prop_assert_eq!(text::visible_line_problem(title, "A title"), None);
                    prop_assert!(in_window(event.starts_at), "{event:?}");
                    prop_assert!(event.ends_at.is_none_or(|end| end > event.starts_at));
                    let description = event.description.as_str();
                    prop_assert!(description.chars().count() <= DESCRIPTION_MAX_CHARS);
                    prop_assert!(!description.contains('\r') && !description.contains('\0'));
                    prop_assert!(!description.chars().any(text::turns_direction), "{event:?}");
                    let name = event.poster_name.as_str();
                    prop_assert!(!name.is_empty() && name.chars().count() <= NAME_MAX_CHARS);
                    prop_assert_eq!(text::visible_line_problem(name, "A name"), None);
                }
                Err(errors) => prop_assert!(!errors.is_empty() && errors.photo.is_none()),
            }
        }
    }
}
