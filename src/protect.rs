//! What guards every POST: CSRF tokens signed with a secret kept in the data directory, and a
//! per-client rate limit. (Cross-site posts are refused first, in `security.rs`.)

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    path::{Path, PathBuf},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_csrf::{CsrfConfig, CsrfToken};
use axum_extra::extract::CookieJar;
use governor::{Quota, RateLimiter, clock::Clock};
use sha2::{Digest, Sha256};

use crate::error::AppError;

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
    State(limiter): State<Option<Arc<PostLimiter>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST
        && let Some(limiter) = &limiter
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

/// Bytes of the secret (kept as hex in its file).
const SECRET_BYTES: usize = 64;

/// Where the secret is kept, and what to do with a file that holds no secret.
pub enum SecretFile {
    /// `{data_dir}/secret`, this instance's own: a damaged one is replaced (open forms expire).
    InDataDir(PathBuf),
    /// A file every instance of a site shares (`--secret-file`): a damaged one stops the start
    /// rather than being replaced under the other instances.
    Shared(PathBuf),
}

/// The secret that signs and encrypts CSRF cookies (and keys the private edit links), kept in a
/// file so that forms already open stay valid across restarts, and, shared, across instances.
/// Made on first start; instances that start together all end up with the one made first (it
/// is linked into place only where no file is yet, never renamed over one).
pub async fn load_or_create_secret(file: &SecretFile) -> std::io::Result<Vec<u8>> {
    let (path, shared) = match file {
        SecretFile::InDataDir(path) => (path, false),
        SecretFile::Shared(path) => (path, true),
    };
    for _ in 0..2 {
        match tokio::fs::read_to_string(path).await {
            Ok(text) => match secret_from_text(&text) {
                Some(secret) => return Ok(secret),
                None if shared => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "the secret file {} holds no secret ({SECRET_BYTES} bytes in hex)",
                            path.display()
                        ),
                    ));
                }
                None => {
                    tracing::warn!(path = %path.display(), "the secret file is malformed; making a new one");
                    tokio::fs::remove_file(path).await?;
                }
            },
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            Err(_) => {}
        }
        if let Some(secret) = create_secret(path).await? {
            return Ok(secret);
        }
        // Another instance made it meanwhile: read theirs.
    }
    Err(std::io::Error::other(format!(
        "the secret file {} kept changing while it was read",
        path.display()
    )))
}

/// Writes a new secret beside `path`, then links it into place unless a file is there already
/// (`None`: someone else's secret won).
async fn create_secret(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    tokio::fs::create_dir_all(dir).await?;
    let secret: Vec<u8> = (0..SECRET_BYTES).map(|_| rand::random::<u8>()).collect();
    let temporary = dir.join(format!(".secret.{}.part", rand::random::<u64>()));
    tokio::fs::write(&temporary, hex::encode(&secret)).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tokio::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600)).await?;
    }
    let linked = tokio::fs::hard_link(&temporary, path).await;
    tokio::fs::remove_file(&temporary).await?;
    match linked {
        Ok(()) => Ok(Some(secret)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}

/// The cookie that holds a browser's form value.
const CSRF_COOKIE: &str = "cityscape_csrf";

/// CSRF tokens: a random value in an HttpOnly, SameSite=Lax cookie, and its HMAC in each form;
/// a POST whose two do not match is refused.
///
/// The HMAC's key is derived from the secret, and is 64 bytes, HMAC-SHA-256's block: a longer
/// key is hashed again on every use, a tenth of a place page's CSRF work.
///
/// The cookie is not encrypted (axum_csrf's `with_key(None)`). What makes a form's token good
/// is that only this server can make the HMAC of a cookie's value; the value is no secret from
/// the page that carries its HMAC, and an encrypted cookie copied into another browser works
/// there just as a plain one would. Encrypting it (AES-GCM and base64 on every page view) was
/// 5 % of a place page's time (`bench/profile.sh`). A form loaded before this change and
/// posted after it is refused once, as after a new secret; the next page view mends it.
pub fn csrf_config(secret: &[u8]) -> CsrfConfig {
    let mut derivation = Sha256::new();
    derivation.update(b"cityscape form token key\0");
    derivation.update(secret);
    CsrfConfig::default()
        .with_key(None)
        .with_salt(hex::encode(derivation.finalize()))
        .with_cookie_name(CSRF_COOKIE)
        // A day: a form left open overnight still posts.
        .with_lifetime(time::Duration::days(1))
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
    hex::encode(&digest[..16])
}

/// The id of a visitor new to saved places: keyed by the secret from the browser's form cookie,
/// which every tab of the browser sends, so two tabs saving at once before either has the
/// visitor cookie are one visitor, not two of which the browser keeps the last. Random when
/// there is no form cookie (a form post without one is refused before this).
pub fn new_visitor_id(secret: &[u8], cookies: &CookieJar) -> String {
    match cookies.get(CSRF_COOKIE) {
        Some(form_cookie) => {
            let digest = Sha256::new()
                .chain_update(secret)
                .chain_update(b"visitor\0")
                .chain_update(form_cookie.value().as_bytes())
                .finalize();
            hex::encode(&digest[..16])
        }
        None => random_token(16),
    }
}

/// The secret a secret file holds: its bytes in hex, with space around them allowed.
fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    hex::decode(text.trim())
        .ok()
        .filter(|secret| secret.len() == SECRET_BYTES)
}

/// A random token of `bytes` bytes, as hex.
pub fn random_token(bytes: usize) -> String {
    hex::encode((0..bytes).map(|_| rand::random::<u8>()).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_hex_of_their_length() {
        let token = random_token(16);
        assert_eq!(token.len(), 32);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(token, random_token(16));
    }

    #[tokio::test]
    async fn the_secret_is_made_once_and_then_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = SecretFile::InDataDir(dir.path().join("secret"));
        let first = load_or_create_secret(&file).await.unwrap_or_default();
        let second = load_or_create_secret(&file).await.unwrap_or_default();
        assert_eq!(first.len(), SECRET_BYTES);
        assert_eq!(first, second);
    }

    #[tokio::test]
    async fn instances_starting_together_share_the_secret_made_first() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = SecretFile::Shared(dir.path().join("shared").join("secret"));
        let secrets = futures::future::join_all((0..16).map(|_| async {
            // Each on its own task, as separate processes would race.
            let path = dir.path().join("shared").join("secret");
            tokio::spawn(async move { load_or_create_secret(&SecretFile::Shared(path)).await })
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|e| panic!("{e}"))
        }))
        .await;
        assert!(
            secrets
                .iter()
                .all(|s| s == &secrets[0] && s.len() == SECRET_BYTES)
        );
        assert_eq!(
            load_or_create_secret(&file).await.ok(),
            Some(secrets[0].clone())
        );
        let leftovers = std::fs::read_dir(dir.path().join("shared"))
            .map(|entries| entries.count())
            .unwrap_or_default();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[tokio::test]
    async fn a_damaged_shared_secret_stops_the_start_and_a_damaged_own_one_is_replaced() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("secret");
        std::fs::write(&path, "not hex").unwrap_or_else(|e| panic!("{e}"));

        let shared = load_or_create_secret(&SecretFile::Shared(path.clone())).await;
        assert!(shared.is_err_and(|e| e.to_string().contains("holds no secret")));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("not hex")
        );

        let own = load_or_create_secret(&SecretFile::InDataDir(path.clone())).await;
        assert_eq!(own.map(|s| s.len()).ok(), Some(SECRET_BYTES));
    }
}

#[cfg(test)]
mod properties {
    //! What the secret file holds is read without a panic, the way the checks say.

    use proptest::prelude::*;

    use super::*;

    fn any_text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..=max)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    proptest! {
        #[test]
        fn any_secret_file_text_is_a_secret_or_refused(
            text in prop_oneof![any_text(80), "[0-9a-fA-F]{0,130}"],
        ) {
            if let Some(secret) = secret_from_text(&text) {
                prop_assert_eq!(secret.len(), SECRET_BYTES);
                prop_assert_eq!(hex::encode(&secret), text.trim().to_ascii_lowercase());
            }
        }

        #[test]
        fn a_written_secret_is_read_back(
            secret in prop::collection::vec(any::<u8>(), SECRET_BYTES),
            space in "[ \t\n]{0,3}",
        ) {
            let text = format!("{space}{}{space}", hex::encode(&secret));
            prop_assert_eq!(secret_from_text(&text), Some(secret));
        }
    }
}
