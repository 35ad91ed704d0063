//! The one HTTP client every live provider shares: pooled connections, timeouts, a size cap on
//! answers and typed JSON parsing that turns anything unexpected into an `UpstreamError`.

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{UpstreamError, UpstreamErrorKind};

/// No real answer from our providers comes near this; a bigger one is a fault or an attack.
pub const MAX_ANSWER_BYTES: usize = 512 * 1024;

/// Says who is calling, as the providers' terms ask.
const USER_AGENT: &str = concat!(
    "Cityscape/",
    env!("CARGO_PKG_VERSION"),
    " (place pages; contact via the site)"
);

/// Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    inner: reqwest::Client,
}

impl Client {
    /// `timeout` bounds connecting and, separately, the whole exchange including the body.
    pub fn new(timeout: Duration) -> Result<Self, UpstreamError> {
        let inner = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(timeout)
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            // A provider's redirect is an answer we do not expect, not a place to follow to.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                UpstreamError::new("HTTP client", UpstreamErrorKind::Setup(e.to_string()))
            })?;
        Ok(Self { inner })
    }

    /// GETs `url` with `query` and parses a 2xx JSON answer into `T`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        provider: &'static str,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<T, UpstreamError> {
        let started = std::time::Instant::now();
        let answer = self.get_bytes(provider, url, query).await.and_then(|body| {
            serde_json::from_slice(&body).map_err(|e| UpstreamError::malformed(provider, e))
        });
        let failure = answer.as_ref().err().map(|e| &e.kind);
        crate::telemetry::upstream_call(provider, started.elapsed(), failure);
        answer
    }

    async fn get_bytes(
        &self,
        provider: &'static str,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, UpstreamError> {
        let failed = |e: reqwest::Error| UpstreamError::new(provider, classify(&e));
        let mut response = self
            .inner
            .get(url)
            .query(query)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(UpstreamError::new(
                provider,
                UpstreamErrorKind::Status(status.as_u16()),
            ));
        }
        let too_large = || UpstreamError::new(provider, UpstreamErrorKind::TooLarge);
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn classify(error: &reqwest::Error) -> UpstreamErrorKind {
    if error.is_timeout() {
        UpstreamErrorKind::Timeout
    } else if error.is_builder() {
        UpstreamErrorKind::Setup(with_causes(error))
    } else if error.is_decode() {
        // A body that does not decode (a broken gzip stream) is a bad answer, not a lost line.
        UpstreamErrorKind::Malformed(with_causes(error))
    } else {
        UpstreamErrorKind::Unreachable(with_causes(error))
    }
}

/// The error and every cause under it: reqwest's own text ("error sending request") names
/// none of them, and the operator needs the last one (connection refused, a TLS failure).
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_is_logged_with_its_cause() {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let client = Client::new(Duration::from_secs(2)).unwrap_or_else(|e| panic!("{e}"));
        let error = client
            .get_json::<serde_json::Value>("test", &format!("http://127.0.0.1:{port}/"), &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("nothing listens there"));
        let text = error.to_string();
        assert!(text.contains("error sending request"), "{text}");
        assert!(text.to_lowercase().contains("refused"), "{text}");
    }
}
