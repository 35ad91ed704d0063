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
        let body = self.get_bytes(provider, url, query).await?;
        serde_json::from_slice(&body).map_err(|e| UpstreamError::malformed(provider, e))
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
        UpstreamErrorKind::Setup(error.to_string())
    } else {
        UpstreamErrorKind::Unreachable(error.to_string())
    }
}
