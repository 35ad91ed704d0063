//! What guards every POST: CSRF tokens signed with a secret kept in the data directory, a
//! refusal of cross-site posts by `Origin` and `Sec-Fetch-Site`, and a per-client rate limit.

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    path::Path,
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_csrf::{CsrfConfig, CsrfToken, Key};
use governor::{Quota, RateLimiter, clock::Clock};

use crate::{error::AppError, state::AppState};

/// Counts each client's posts per minute.
pub type PostLimiter = governor::DefaultKeyedRateLimiter<IpAddr>;

/// `None` when the limit is 0 (off, for load tests).
pub fn post_limiter(per_minute: u32) -> Option<Arc<PostLimiter>> {
    NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))))
}

/// Refuses a POST beyond the client's allowance with 429 and `Retry-After`.
///
/// The client is the TCP peer: behind a reverse proxy every client shares the proxy's address,
/// and the limit must then be set on the proxy instead.
pub async fn limit_posts(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST
        && let Some(limiter) = &state.post_limiter
        && let Err(not_until) = limiter.check_key(&peer.ip())
    {
        let wait = not_until.wait_time_from(limiter_clock().now());
        // Rounded up: a client that waits exactly this long must get through.
        let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return AppError::TooManyRequests {
            retry_after_secs: retry_after_secs.max(1),
        }
        .into_response();
    }
    next.run(request).await
}

/// Refuses a POST that a browser says came from another site, whatever its token: a second
/// layer under CSRF. Requests without these headers (older clients, curl) pass to the token.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
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

fn limiter_clock() -> governor::clock::DefaultClock {
    governor::clock::DefaultClock::default()
}

/// Checks a form's CSRF token against the cookie's.
pub fn verify_csrf(token: &CsrfToken, sent: &str) -> Result<(), AppError> {
    token.verify(sent).map_err(|_| {
        AppError::Forbidden(
            "This form has expired or did not come from this site. Please reload the page and try again."
                .to_owned(),
        )
    })
}

/// Bytes of the secret kept in `{data_dir}/secret`.
const SECRET_BYTES: usize = 64;

/// The secret that signs and encrypts CSRF cookies, kept in the data directory so tokens in
/// pages already open stay valid across restarts; made on first start.
pub async fn load_or_create_secret(data_dir: &Path) -> std::io::Result<Vec<u8>> {
    let path = data_dir.join("secret");
    if let Ok(text) = tokio::fs::read_to_string(&path).await {
        if let Some(secret) = from_hex(text.trim()).filter(|s| s.len() == SECRET_BYTES) {
            return Ok(secret);
        }
        tracing::warn!(path = %path.display(), "the secret file is malformed; making a new one");
    }
    tokio::fs::create_dir_all(data_dir).await?;
    let secret: Vec<u8> = (0..SECRET_BYTES).map(|_| rand::random::<u8>()).collect();
    let temporary = data_dir.join(format!(".secret.{}.part", rand::random::<u64>()));
    tokio::fs::write(&temporary, to_hex(&secret)).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tokio::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600)).await?;
    }
    tokio::fs::rename(&temporary, &path).await?;
    Ok(secret)
}

/// CSRF tokens: a random value in an encrypted, HttpOnly, SameSite=Lax cookie, and its HMAC
/// in each form; a POST whose two do not match is refused.
pub fn csrf_config(secret: &[u8]) -> CsrfConfig {
    CsrfConfig::default()
        .with_key(Key::try_from(secret).ok())
        .with_salt(to_hex(secret))
        .with_cookie_name("cityscape_csrf")
        // A day: a form left open overnight still posts.
        .with_lifetime(time::Duration::days(1))
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// The private edit token of the event a form submission made: keyed by the secret, so only
/// this server can make it, and fixed by the submission, so a repeated form gets it again.
pub fn edit_token(secret: &[u8], submission_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(secret)
        .chain_update(b"event edit token")
        .chain_update(submission_id.as_bytes())
        .finalize();
    to_hex(&digest[..16])
}

/// A random token of `bytes` bytes, as hex.
pub fn random_token(bytes: usize) -> String {
    to_hex(&(0..bytes).map(|_| rand::random::<u8>()).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_garbage() {
        let bytes = vec![0u8, 1, 171, 255];
        assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(random_token(16).len(), 32);
    }

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

    #[tokio::test]
    async fn the_secret_is_made_once_and_then_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = load_or_create_secret(dir.path()).await.unwrap_or_default();
        let second = load_or_create_secret(dir.path()).await.unwrap_or_default();
        assert_eq!(first.len(), SECRET_BYTES);
        assert_eq!(first, second);
    }
}

#[cfg(test)]
mod properties {
    //! What a client sends in `Origin`, `Host` and `Sec-Fetch-Site`, and what the secret file
    //! holds, is read without a panic and the way the checks say.

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

        #[test]
        fn any_secret_file_text_is_bytes_or_refused(
            text in prop_oneof![any_text(80), "[0-9a-fA-F]{0,130}"],
        ) {
            if let Some(bytes) = from_hex(&text) {
                prop_assert_eq!(bytes.len() * 2, text.len());
            }
        }

        #[test]
        fn hex_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
            prop_assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        }
    }
}
