//! The app's own cookies: the anonymous visitor id behind saved places, and the one-time flash
//! message shown after a form redirects.

use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

const VISITOR: &str = "cityscape_visitor";
const FLASH: &str = "cityscape_flash";

/// This browser's anonymous id, when it has a well-formed one.
pub fn visitor_id(jar: &CookieJar) -> Option<String> {
    jar.get(VISITOR)
        .map(|c| c.value().to_owned())
        .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A new visitor cookie: a year long, HttpOnly, SameSite=Lax, Secure when the request came
/// over HTTPS (directly, or through a proxy that says so).
pub fn visitor_cookie(id: String, https: bool) -> Cookie<'static> {
    Cookie::build((VISITOR, id))
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
