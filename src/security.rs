//! What protects people's browsers: a strict content security policy and its companions on
//! every response, cookies marked `Secure` whenever the request came over HTTPS, and posts from
//! other sites refused (a second layer under the CSRF tokens of `protect.rs`).

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    extract::Request as AxumRequest,
    http::{HeaderMap, HeaderValue, Method, Request, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::Cookie;
use tower::{Layer, Service};

use crate::{cookies, error::AppError};

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

/// The layer that puts the security headers on every response, and `Secure` on every cookie
/// it sets when the request came over HTTPS (directly, or through a proxy that says so).
///
/// A tower layer rather than `axum::middleware::from_fn`: it wraps every response, static files
/// included, and `from_fn` boxes the inner service and its future on each request, a tenth of a
/// static file's time in the benchmark.
#[derive(Clone, Copy, Default)]
pub struct HardenLayer;

impl<S> Layer<S> for HardenLayer {
    type Service = Harden<S>;

    fn layer(&self, inner: S) -> Harden<S> {
        Harden { inner }
    }
}

#[derive(Clone)]
pub struct Harden<S> {
    inner: S,
}

impl<S, B, ResBody> Service<Request<B>> for Harden<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = HardenFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        HardenFuture {
            https: cookies::is_https(request.headers()),
            inner: self.inner.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    pub struct HardenFuture<F> {
        #[pin]
        inner: F,
        https: bool,
    }
}

impl<F, B, E> Future for HardenFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx))?;
        let headers = response.headers_mut();
        add_security_headers(headers);
        if *this.https {
            mark_cookies_secure(headers);
        }
        Poll::Ready(Ok(response))
    }
}

/// Puts each security header on `headers` unless it is there already (an answer made ahead of
/// time may carry them all: then nothing is added or grown per request).
pub fn add_security_headers(headers: &mut HeaderMap) {
    for (name, value) in HEADERS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
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

/// Refuses a POST that a browser says came from another site, whatever its token: a second
/// layer under CSRF. Requests without these headers (older clients, curl) pass to the token.
pub async fn refuse_cross_site(request: AxumRequest, next: Next) -> Response {
    if request.method() == Method::POST && is_cross_site(request.headers()) {
        return AppError::Forbidden(
            "This form was sent from another site, so it was refused. Please use the form on this site."
                .to_owned(),
        )
        .into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site") {
        // The browser's own word, which no page can forge; `none` is a person's own
        // navigation (a bookmark, the address bar). When it is there it decides: comparing
        // `Origin` with `Host` could refuse a site's own posts behind a proxy that rewrites
        // `Host`.
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Some(origin) = origin.to_str().ok().and_then(authority_of_origin) else {
        // `null` (a sandboxed frame, a file) or garbage.
        return true;
    };
    let hosts = [text(header::HOST.as_str()), text("x-forwarded-host")];
    !hosts
        .into_iter()
        .flatten()
        .any(|host| strip_default_port(host).eq_ignore_ascii_case(&origin))
}

/// `https://example.org:8443` → `example.org:8443`; a default port is dropped.
fn authority_of_origin(origin: &str) -> Option<String> {
    let (scheme, authority) = origin.split_once("://")?;
    if authority.is_empty() || authority.contains('/') {
        return None;
    }
    let authority = match (scheme, authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host,
        _ => authority,
    };
    Some(authority.to_owned())
}

fn strip_default_port(host: &str) -> &str {
    host.strip_suffix(":80")
        .or_else(|| host.strip_suffix(":443"))
        .unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_from_other_sites_are_told_apart_from_this_sites_own() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, axum::http::HeaderValue::from_static(value));
            }
            map
        };
        for (case, pairs, cross_site) in [
            ("no origin at all", &[("host", "a.example")][..], false),
            (
                "same origin",
                &[
                    ("host", "a.example:8000"),
                    ("origin", "http://a.example:8000"),
                ][..],
                false,
            ),
            (
                "default port",
                &[("host", "a.example"), ("origin", "https://a.example")][..],
                false,
            ),
            (
                "through a proxy",
                &[
                    ("host", "10.0.0.2:8000"),
                    ("x-forwarded-host", "a.example"),
                    ("origin", "https://a.example"),
                ][..],
                false,
            ),
            (
                "another site",
                &[("host", "a.example"), ("origin", "http://evil.example")][..],
                true,
            ),
            (
                "another port",
                &[
                    ("host", "a.example:8000"),
                    ("origin", "http://a.example:9000"),
                ][..],
                true,
            ),
            (
                "null origin",
                &[("host", "a.example"), ("origin", "null")][..],
                true,
            ),
            (
                "fetch metadata cross-site",
                &[("host", "a.example"), ("sec-fetch-site", "cross-site")][..],
                true,
            ),
            (
                "fetch metadata same-site",
                &[("host", "a.example"), ("sec-fetch-site", "same-site")][..],
                true,
            ),
            (
                "fetch metadata same-origin",
                &[("host", "a.example"), ("sec-fetch-site", "same-origin")][..],
                false,
            ),
            (
                "typed address",
                &[("host", "a.example"), ("sec-fetch-site", "none")][..],
                false,
            ),
        ] {
            assert_eq!(is_cross_site(&headers(pairs)), cross_site, "{case}");
        }
    }

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

#[cfg(test)]
mod properties {
    //! What a client sends in `Origin`, `Host` and `Sec-Fetch-Site` is read without a panic and
    //! the way the checks say.

    use axum::http::HeaderValue;
    use proptest::prelude::*;

    use super::*;

    fn any_text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..=max)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    /// A header value as a client may send it: any bytes (those `http` refuses are left out),
    /// origin- and host-like text, and the fetch-metadata words.
    fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..40),
            "[a-z]{0,6}(://)?[a-z0-9.:@\\[\\]/-]{0,24}".prop_map(String::into_bytes),
            prop::sample::select(vec![
                "same-origin",
                "same-site",
                "cross-site",
                "none",
                "null",
                "https://a.example",
                "a.example",
            ])
            .prop_map(|word| word.as_bytes().to_vec()),
        ]
    }

    proptest! {
        #[test]
        fn any_origin_host_and_fetch_metadata_headers_get_an_answer(
            origin in prop::option::of(header_bytes()),
            host in prop::option::of(header_bytes()),
            forwarded_host in prop::option::of(header_bytes()),
            fetch_site in prop::option::of(header_bytes()),
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in [
                ("origin", origin),
                ("host", host),
                ("x-forwarded-host", forwarded_host),
                ("sec-fetch-site", fetch_site),
            ] {
                if let Some(value) = value.and_then(|v| HeaderValue::from_bytes(&v).ok()) {
                    headers.insert(name, value);
                }
            }
            let cross_site = is_cross_site(&headers);
            if !headers.contains_key("origin") && !headers.contains_key("sec-fetch-site") {
                prop_assert!(!cross_site, "{headers:?}");
            }
            let fetch_site = headers.get("sec-fetch-site").map(HeaderValue::to_str);
            if fetch_site.is_some_and(|site| !matches!(site, Ok("same-origin" | "none"))) {
                prop_assert!(cross_site, "{headers:?}");
            }
        }

        #[test]
        fn a_form_posted_from_this_very_site_is_not_cross_site(
            scheme in prop::sample::select(vec!["http", "https"]),
            name in "[a-z0-9-]{1,12}(\\.[a-z]{2,6}){0,2}",
            port in prop::option::of(1_024u16..=u16::MAX),
            default_port in any::<bool>(),
            fetch_site in prop::option::of(prop::sample::select(vec!["same-origin", "none"])),
        ) {
            let port = if default_port {
                Some(if scheme == "https" { 443 } else { 80 })
            } else {
                port
            };
            let authority = port.map_or_else(|| name.clone(), |port| format!("{name}:{port}"));
            let mut headers = HeaderMap::new();
            let host = HeaderValue::from_str(&authority).unwrap_or_else(|e| panic!("{e}"));
            headers.insert(header::HOST, host);
            let origin = HeaderValue::from_str(&format!("{scheme}://{authority}"))
                .unwrap_or_else(|e| panic!("{e}"));
            headers.insert(header::ORIGIN, origin);
            if let Some(site) = fetch_site {
                headers.insert("sec-fetch-site", HeaderValue::from_static(site));
            }
            prop_assert!(!is_cross_site(&headers), "{headers:?}");
        }

        #[test]
        fn any_origin_text_is_an_authority_or_refused(origin in any_text(40)) {
            if let Some(authority) = authority_of_origin(&origin) {
                prop_assert!(!authority.contains('/'), "{origin:?}");
                prop_assert!(origin.contains(&authority), "{authority:?} of {origin:?}");
            }
        }

    }
}
