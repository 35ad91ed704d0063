//! Timing the waits of one request for the `Server-Timing` header, so the overlap of concurrent
//! waits shows in a browser's developer tools.

use std::{
    future::Future,
    time::{Duration, Instant},
};

use axum::{
    http::{HeaderName, HeaderValue},
    response::{IntoResponseParts, ResponseParts},
};

/// Runs `wait` and measures it; used inside `tokio::join!`, where the branches cannot all borrow
/// one recorder.
pub async fn timed<F: Future>(wait: F) -> (F::Output, Duration) {
    let start = Instant::now();
    let output = wait.await;
    (output, start.elapsed())
}

/// The waits of one response, one `name;dur=ms` entry each.
#[derive(Debug, Default, Clone)]
pub struct ServerTiming(Vec<(&'static str, Duration)>);

impl ServerTiming {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&mut self, name: &'static str, took: Duration) {
        self.0.push((name, took));
    }

    /// Milliseconds to a tenth, written from whole numbers: formatting floats was a visible
    /// share of a cached page's time.
    pub fn header_value(&self) -> String {
        use std::fmt::Write as _;
        let mut value = String::with_capacity(24 * self.0.len());
        for (i, (name, took)) in self.0.iter().enumerate() {
            let tenths = (took.as_micros() + 50) / 100;
            let separator = if i == 0 { "" } else { ", " };
            let _ = write!(
                value,
                "{separator}{name};dur={}.{}",
                tenths / 10,
                tenths % 10
            );
        }
        value
    }
}

impl IntoResponseParts for ServerTiming {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        if let Ok(value) = HeaderValue::from_str(&self.header_value()) {
            res.headers_mut()
                .insert(HeaderName::from_static("server-timing"), value);
        }
        Ok(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_entry_per_wait_in_milliseconds() {
        let mut timing = ServerTiming::new();
        timing.record("geocode", Duration::from_micros(1500));
        timing.record("weather", Duration::from_millis(400));
        timing.record("db", Duration::from_micros(49));
        timing.record("sun", Duration::from_micros(2_960));
        assert_eq!(
            timing.header_value(),
            "geocode;dur=1.5, weather;dur=400.0, db;dur=0.0, sun;dur=3.0"
        );
    }
}
