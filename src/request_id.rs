//! An `x-request-id` on every request and its response: the one the proxy in front sent, when it
//! is a plain token, or a new random one. The request's log span carries it (`routes.rs`), so
//! every line logged while answering names the request, across a fleet's instances and the
//! proxy's own log.

use std::{
    pin::Pin,
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
};

use axum::http::{HeaderValue, Request, Response, header::HeaderName};
use tower::{Layer, Service};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest id taken from a request; a longer or stranger one is replaced, so a client cannot
/// write what it likes into the logs.
const MAX_ID_BYTES: usize = 128;

/// The id a request came with, if it is one to keep: 1 – 128 visible ASCII characters.
fn acceptable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty() && bytes.len() <= MAX_ID_BYTES && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// 32 hex digits: this process's random 64 bits, then a count of the ids it made. Unique across
/// a fleet's instances and restarts, and cheap: a random number and its formatting per request
/// were a twentieth of the stylesheet's throughput.
fn new_id() -> HeaderValue {
    static PROCESS: OnceLock<u64> = OnceLock::new();
    static MADE: AtomicU64 = AtomicU64::new(0);
    let process = *PROCESS.get_or_init(rand::random::<u64>);
    let count = MADE.fetch_add(1, Ordering::Relaxed);
    let mut id = [0u8; 32];
    for (at, digit) in id.iter_mut().enumerate() {
        let (word, shift) = match at {
            0..16 => (process, 60 - 4 * at),
            _ => (count, 60 - 4 * (at - 16)),
        };
        *digit = b"0123456789abcdef"[((word >> shift) & 0xf) as usize];
    }
    // Hex digits are always a valid header value.
    HeaderValue::from_bytes(&id).unwrap_or(HeaderValue::from_static("0"))
}

#[derive(Clone, Copy)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestId<S>;

    fn layer(&self, inner: S) -> RequestId<S> {
        RequestId { inner }
    }
}

#[derive(Clone)]
pub struct RequestId<S> {
    inner: S,
}

impl<S, B, ResBody> Service<Request<B>> for RequestId<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = RequestIdFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let id = match request.headers().get(&X_REQUEST_ID) {
            Some(sent) if acceptable(sent) => sent.clone(),
            _ => {
                let id = new_id();
                request.headers_mut().insert(X_REQUEST_ID, id.clone());
                id
            }
        };
        RequestIdFuture {
            inner: self.inner.call(request),
            id: Some(id),
        }
    }
}

pin_project_lite::pin_project! {
    pub struct RequestIdFuture<F> {
        #[pin]
        inner: F,
        id: Option<HeaderValue>,
    }
}

impl<F, B, E> Future for RequestIdFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx))?;
        if let Some(id) = this.id.take() {
            response.headers_mut().insert(X_REQUEST_ID, id);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod properties {
    //! Whatever a client sends as its request id, the id kept is a plain token of bounded size.

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn a_sent_id_is_kept_only_when_plain_and_short(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                let kept = acceptable(&value);
                let plain = !bytes.is_empty()
                    && bytes.len() <= MAX_ID_BYTES
                    && bytes.iter().all(|b| (0x21..=0x7e).contains(b));
                prop_assert_eq!(kept, plain);
            }
        }
    }

    #[test]
    fn a_new_id_is_32_hex_digits() {
        let id = new_id();
        assert_eq!(id.len(), 32);
        assert!(id.as_bytes().iter().all(u8::is_ascii_hexdigit));
        assert_ne!(new_id(), id);
    }
}
