//! What every response carries for the browser's protection: a strict content security policy
//! and its companions, and cookies marked `Secure` whenever the request came over HTTPS.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use axum_extra::extract::cookie::Cookie;

use crate::cookies;

/// No inline script or style anywhere: the pages need none, so an injected one never runs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

const HEADERS: [(header::HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
    (
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// Middleware: the security headers on every response, and `Secure` on every cookie it sets
/// when the request came over HTTPS (directly, or through a proxy that says so).
pub async fn harden(request: Request, next: Next) -> Response {
    let https = cookies::is_https(request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if https {
        mark_cookies_secure(headers);
    }
    response
}

fn mark_cookies_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| {
            value
                .to_str()
                .ok()
                .and_then(|text| Cookie::parse(text.to_owned()).ok())
                .and_then(|mut cookie| {
                    cookie.set_secure(true);
                    HeaderValue::from_str(&cookie.to_string()).ok()
                })
                // A cookie this app made always parses; anything else is left as it was.
                .unwrap_or_else(|| value.clone())
        })
        .collect();
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cookie_becomes_secure_and_keeps_its_other_attributes() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static("a=1; Path=/; HttpOnly; SameSite=Lax"),
        );
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static("b=2; Max-Age=60"),
        );
        mark_cookies_secure(&mut headers);
        let cookies: Vec<&str> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert_eq!(cookies.len(), 2);
        assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
        assert!(cookies[0].contains("HttpOnly") && cookies[0].contains("SameSite=Lax"));
        assert!(cookies[1].contains("Max-Age=60"));
    }
}
