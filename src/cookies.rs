//! The app's own cookies: the anonymous visitor id behind saved places, the units and clock a
//! person chose, and the one-time flash message shown after a form redirects.

use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::domain::units::Preferences;

const VISITOR: &str = "cityscape_visitor";
const FLASH: &str = "cityscape_flash";

/// This browser's anonymous id, when it has a well-formed one.
pub fn visitor_id(jar: &CookieJar) -> Option<String> {
    jar.get(VISITOR)
        .map(|c| c.value().to_owned())
        .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

const PREFERENCES: &str = "cityscape_units";

/// The units and clock this browser chose, if it chose.
pub fn preferences(jar: &CookieJar) -> Option<Preferences> {
    jar.get(PREFERENCES)
        .and_then(|c| Preferences::from_cookie(c.value()))
}

/// Remembers a choice of units and clock for a year.
pub fn preferences_cookie(prefs: Preferences, https: bool) -> Cookie<'static> {
    year_long(PREFERENCES, prefs.cookie_value(), https)
}

/// A new visitor cookie.
pub fn visitor_cookie(id: String, https: bool) -> Cookie<'static> {
    year_long(VISITOR, id, https)
}

/// A cookie kept a year: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS
/// (directly, or through a proxy that says so).
fn year_long(name: &'static str, value: String, https: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .max_age(time::Duration::days(365))
        .build()
}

pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
        || headers
            .get(header::FORWARDED)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|f| f.to_ascii_lowercase().contains("proto=https"))
}

/// This site's address as the client reached it (`http://localhost:8080`), from the `Host`
/// header and the scheme `is_https` finds; `None` when the host is missing or not a plain host
/// name or address with an optional port.
pub fn origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let scheme = if is_https(headers) { "https" } else { "http" };
    plain.then(|| format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// What the page after a redirect tells the person, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flash {
    /// An event was posted: its id and the private token of its edit link.
    Posted {
        event_id: i64,
        token: String,
    },
    /// The same form came again; the event it stored is this one, with the same private link.
    AlreadyPosted {
        event_id: i64,
        token: String,
    },
    Updated,
    Deleted,
    Saved,
    Removed,
}

impl Flash {
    fn encode(&self) -> String {
        match self {
            Flash::Posted { event_id, token } => format!("posted.{event_id}.{token}"),
            Flash::AlreadyPosted { event_id, token } => format!("already.{event_id}.{token}"),
            Flash::Updated => "updated".to_owned(),
            Flash::Deleted => "deleted".to_owned(),
            Flash::Saved => "saved".to_owned(),
            Flash::Removed => "removed".to_owned(),
        }
    }

    fn decode(value: &str) -> Option<Self> {
        let mut parts = value.split('.');
        let flash = match (parts.next()?, parts.next(), parts.next()) {
            ("posted", Some(id), Some(token)) if token.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Flash::Posted {
                    event_id: id.parse().ok()?,
                    token: token.to_owned(),
                }
            }
            ("already", Some(id), Some(token)) if token.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Flash::AlreadyPosted {
                    event_id: id.parse().ok()?,
                    token: token.to_owned(),
                }
            }
            ("updated", None, None) => Flash::Updated,
            ("deleted", None, None) => Flash::Deleted,
            ("saved", None, None) => Flash::Saved,
            ("removed", None, None) => Flash::Removed,
            _ => return None,
        };
        Some(flash)
    }

    /// The message in words.
    pub fn message(&self) -> &'static str {
        match self {
            Flash::Posted { .. } => "Your event is posted.",
            Flash::AlreadyPosted { .. } => "This event was already posted; it is stored once.",
            Flash::Updated => "The event is updated.",
            Flash::Deleted => "The event is deleted.",
            Flash::Saved => "Saved to your places.",
            Flash::Removed => "Removed from your places.",
        }
    }
}

/// Sets the flash for the next page.
pub fn set_flash(jar: CookieJar, flash: &Flash) -> CookieJar {
    jar.add(
        Cookie::build((FLASH, flash.encode()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(time::Duration::minutes(5))
            .build(),
    )
}

/// Takes the flash, if any: the returned jar removes it, so it shows once.
pub fn take_flash(jar: CookieJar) -> (CookieJar, Option<Flash>) {
    match jar.get(FLASH).map(|c| c.value().to_owned()) {
        Some(value) => (
            jar.remove(Cookie::build(FLASH).path("/")),
            Flash::decode(&value),
        ),
        None => (jar, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flashes_round_trip_and_garbage_is_ignored() {
        for flash in [
            Flash::Posted {
                event_id: 7,
                token: "ab12".to_owned(),
            },
            Flash::AlreadyPosted {
                event_id: 3,
                token: "cd34".to_owned(),
            },
            Flash::Updated,
            Flash::Deleted,
            Flash::Saved,
            Flash::Removed,
        ] {
            assert_eq!(Flash::decode(&flash.encode()), Some(flash));
        }
        for garbage in [
            "",
            "posted",
            "posted.x.ab",
            "posted.1.<b>",
            "hello",
            "saved.1",
        ] {
            assert_eq!(Flash::decode(garbage), None, "{garbage:?}");
        }
    }
}

#[cfg(test)]
mod properties {
    //! Cookies come back as whatever the client sends: the visitor id and the flash are read
    //! from them when well formed and ignored otherwise, never a panic.

    use axum::http::HeaderValue;
    use proptest::prelude::*;

    use super::*;

    fn any_text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..=max)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    /// The jar the app would see for this `Cookie` header; `None` when `http` refuses the value.
    fn jar_from_header(cookie: &str) -> Option<CookieJar> {
        let value = HeaderValue::from_str(cookie).ok()?;
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, value);
        Some(CookieJar::from_headers(&headers))
    }

    fn is_visitor_id(text: &str) -> bool {
        text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// Cookie values: any text, hex of about the right length, percent escapes.
    fn cookie_value() -> impl Strategy<Value = String> {
        prop_oneof![
            any_text(40),
            "[0-9a-fA-F]{30,34}",
            "[0-9a-f%]{30,40}",
            "[ \t]?[0-9a-f]{32}[ \t;]?",
        ]
    }

    /// Flash values: any text, and the shapes of real ones with parts missing, added or wrong.
    fn flash_value() -> impl Strategy<Value = String> {
        prop_oneof![
            any_text(40),
            concat!(
                "(posted|already|updated|deleted|saved|removed|Posted|)",
                "(\\.[-+0-9a-zA-Z<>% ]{0,24}){0,3}",
            ),
        ]
    }

    fn flash() -> impl Strategy<Value = Flash> {
        prop_oneof![
            (any::<i64>(), "[0-9a-f]{0,32}")
                .prop_map(|(event_id, token)| Flash::Posted { event_id, token }),
            (any::<i64>(), "[0-9a-f]{0,32}")
                .prop_map(|(event_id, token)| Flash::AlreadyPosted { event_id, token }),
            Just(Flash::Updated),
            Just(Flash::Deleted),
            Just(Flash::Saved),
            Just(Flash::Removed),
        ]
    }

    /// `Cookie` headers: any text, or ours among others, with any values.
    fn cookie_header() -> impl Strategy<Value = String> {
        prop_oneof![
            any_text(80),
            cookie_value().prop_map(|v| format!("{VISITOR}={v}")),
            flash_value().prop_map(|v| format!("{FLASH}={v}")),
            (cookie_value(), flash_value(), any_text(12))
                .prop_map(|(v, f, other)| format!("a=b; {VISITOR}={v}; {FLASH}={f}; {other}")),
        ]
    }

    proptest! {
        #[test]
        fn the_visitor_id_is_read_only_when_it_is_32_hex_digits(value in cookie_value()) {
            let jar = CookieJar::new().add(Cookie::new(VISITOR, value.clone()));
            let expected = is_visitor_id(&value).then(|| value.clone());
            prop_assert_eq!(visitor_id(&jar), expected);
        }

        #[test]
        fn any_cookie_header_gives_a_well_formed_visitor_id_and_a_known_flash_or_none(
            cookie in cookie_header(),
        ) {
            if let Some(jar) = jar_from_header(&cookie) {
                if let Some(id) = visitor_id(&jar) {
                    prop_assert!(is_visitor_id(&id), "{id:?} from {cookie:?}");
                }
                let (jar, flash) = take_flash(jar);
                prop_assert!(jar.get(FLASH).is_none(), "the flash outlives {cookie:?}");
                if let Some(flash) = flash {
                    prop_assert!(!flash.message().is_empty());
                }
            }
        }

        #[test]
        fn a_well_formed_visitor_id_among_other_cookies_is_read(
            id in "[0-9a-fA-F]{32}",
            others in "([a-z_]{1,8}=[a-z0-9]{0,8}; ){0,2}",
        ) {
            let jar = jar_from_header(&format!("{others}{VISITOR}={id}"));
            prop_assert_eq!(jar.and_then(|jar| visitor_id(&jar)), Some(id));
        }

        #[test]
        fn any_flash_value_is_a_known_flash_or_ignored(value in flash_value()) {
            match Flash::decode(&value) {
                None => {}
                Some(Flash::Posted { token, .. }) => {
                    prop_assert!(value.starts_with("posted."), "{value:?}");
                    prop_assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token:?}");
                }
                Some(Flash::AlreadyPosted { token, .. }) => {
                    prop_assert!(value.starts_with("already."), "{value:?}");
                    prop_assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token:?}");
                }
                Some(flash) => prop_assert_eq!(flash.encode(), value),
            }
        }

        #[test]
        fn a_flash_survives_the_trip_through_the_browser_once(flash in flash()) {
            let set = set_flash(CookieJar::new(), &flash);
            let sent = set.get(FLASH).map(|c| c.value().to_owned());
            prop_assert_eq!(sent, Some(flash.encode()));
            let jar = jar_from_header(&format!("{FLASH}={}", flash.encode())).unwrap_or_default();
            let (jar, read) = take_flash(jar);
            prop_assert_eq!(read, Some(flash));
            prop_assert!(jar.get(FLASH).is_none());
        }

        #[test]
        fn any_proxy_headers_are_read_without_a_panic(
            proto in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..24),
                "[ ]?[hH][tT][tT][pP][sS]?[ ]?".prop_map(String::into_bytes),
            ],
            forwarded in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..60),
                "(for=[0-9.]{1,15};)?(proto|PROTO)=(https|http|HTTPS)(;by=[a-z]{0,5})?"
                    .prop_map(String::into_bytes),
            ],
        ) {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_bytes(&proto) {
                headers.insert("x-forwarded-proto", value);
            }
            if let Ok(value) = HeaderValue::from_bytes(&forwarded) {
                headers.insert(header::FORWARDED, value);
            }
            let https = is_https(&headers);
            if proto.eq_ignore_ascii_case(b"https") {
                prop_assert!(https);
            }
        }
    }
}
