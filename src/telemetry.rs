//! Metrics for watching a fleet, rendered at `GET /metrics` in Prometheus' text format: requests
//! by route and status with their latency, upstream calls by provider and outcome with theirs,
//! the caches' hits, misses and coalesced waits, the database pools in use, and how far behind
//! the page-view counts are. Each instance has its own; Prometheus adds them up.
//!
//! The `metrics` crate's recorder is global to the process, so every server in it (the tests run
//! many) records into the one registry; counts are per process, not per server.

use std::{
    cell::RefCell,
    collections::HashMap,
    pin::Pin,
    sync::OnceLock,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    extract::MatchedPath,
    http::{Request, Response, StatusCode, header},
    response::IntoResponse,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tower::{Layer, Service};

use crate::{db::PoolGauge, upstream::UpstreamErrorKind};

const REQUEST_SECONDS: &str = "cityscape_http_request_duration_seconds";
const UPSTREAM_SECONDS: &str = "cityscape_upstream_call_duration_seconds";
const CACHE_LOOKUPS: &str = "cityscape_cache_lookups_total";
const POOL_CONNECTIONS: &str = "cityscape_db_pool_connections";
const VIEWS_FLUSH_LAG: &str = "cityscape_page_views_flush_lag_seconds";
const VIEWS_PENDING: &str = "cityscape_page_views_pending_places";

/// Latency buckets, in seconds: from a cached page (a millisecond) to a timed-out upstream.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed by the first server built; `None` if another recorder
/// was installed first (the metrics then go there, and `/metrics` says so).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            installed
                .inspect_err(|error| tracing::warn!(%error, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// What `GET /metrics` answers, with the gauges read at this scrape: the database pools, and
/// how far behind the page-view counts are (since their last write, places waiting).
pub fn render(pools: &[PoolGauge], views_lag: (Duration, usize)) -> axum::response::Response {
    let Some(handle) = handle() else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            "No metrics are kept in this process.",
        )
            .into_response();
    };
    // Gauges read at each scrape rather than kept up to date at each change.
    for &(pool, open, idle) in pools {
        let idle = idle as f64;
        let open = f64::from(open);
        metrics::gauge!(POOL_CONNECTIONS, "pool" => pool, "state" => "in_use").set(open - idle);
        metrics::gauge!(POOL_CONNECTIONS, "pool" => pool, "state" => "idle").set(idle);
    }
    let (lag, pending) = views_lag;
    metrics::gauge!(VIEWS_FLUSH_LAG).set(lag.as_secs_f64());
    metrics::gauge!(VIEWS_PENDING).set(pending as f64);
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Records one upstream call's outcome and how long it took.
pub fn upstream_call(provider: &'static str, took: Duration, failure: Option<&UpstreamErrorKind>) {
    let outcome = match failure {
        None => "ok",
        Some(UpstreamErrorKind::Timeout) => "timeout",
        Some(UpstreamErrorKind::Unreachable(_)) => "unreachable",
        Some(UpstreamErrorKind::Status(_)) => "status",
        Some(UpstreamErrorKind::TooLarge) => "too_large",
        Some(UpstreamErrorKind::Malformed(_)) => "malformed",
        Some(UpstreamErrorKind::Setup(_)) => "setup",
    };
    metrics::histogram!(UPSTREAM_SECONDS, "provider" => provider_label(provider), "outcome" => outcome)
        .record(took.as_secs_f64());
}

/// A provider as a label: its domain ("The geocoder (zippopotam.us)" → "zippopotam.us").
fn provider_label(provider: &'static str) -> &'static str {
    provider
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or(provider, |(domain, _)| domain)
}

/// The caches whose look-ups are counted.
#[derive(Debug, Clone, Copy)]
pub enum CacheName {
    Places = 0,
    Weather = 1,
    Sun = 2,
}

/// Records a cache look-up: answered from memory (`hit`), computed by this caller (`miss`), or
/// waited for while another caller computed it (`coalesced`).
pub fn cache_lookup(cache: CacheName, was_kept: bool, computed_here: bool) {
    let result = match (was_kept, computed_here) {
        (_, true) => 1,
        (true, false) => 0,
        (false, false) => 2,
    };
    // The nine counters are registered once: looked up in the registry at every page view
    // (labels hashed, a shared map read) they were a visible part of the place page's profile.
    static COUNTERS: OnceLock<[[metrics::Counter; 3]; 3]> = OnceLock::new();
    let counters = COUNTERS.get_or_init(|| {
        // The recorder first, or the handles would record nowhere for good.
        handle();
        ["places", "weather", "sun"].map(|cache| {
            ["hit", "miss", "coalesced"].map(
                |result| metrics::counter!(CACHE_LOOKUPS, "cache" => cache, "result" => result),
            )
        })
    });
    if let Some(counter) = counters
        .get(cache as usize)
        .and_then(|results| results.get(result))
    {
        counter.increment(1);
    }
}

/// Records each request's route, status and latency.
#[derive(Clone, Copy)]
pub struct RecordLayer;

impl<S> Layer<S> for RecordLayer {
    type Service = Record<S>;

    fn layer(&self, inner: S) -> Record<S> {
        Record { inner }
    }
}

#[derive(Clone)]
pub struct Record<S> {
    inner: S,
}

impl<S, B, ResBody> Service<Request<B>> for Record<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = RecordFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        RecordFuture {
            route: request.extensions().get::<MatchedPath>().cloned(),
            started: Instant::now(),
            inner: self.inner.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    pub struct RecordFuture<F> {
        #[pin]
        inner: F,
        route: Option<MatchedPath>,
        started: Instant,
    }
}

impl<F, B, E> Future for RecordFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        let route = this.route.as_ref().map_or("unmatched", MatchedPath::as_str);
        record_request(route, response.status(), this.started.elapsed());
        Poll::Ready(Ok(response))
    }
}

thread_local! {
    /// Each thread's handles to the request histograms, by route and status: looked up in the
    /// recorder's registry (labels allocated and hashed, a shared map read) once per thread
    /// rather than at every request, which cost a tenth of a small answer's throughput.
    static REQUEST_HISTOGRAMS: RefCell<HashMap<String, Vec<(StatusCode, metrics::Histogram)>>> =
        RefCell::new(HashMap::new());
}

fn record_request(route: &str, status: StatusCode, took: Duration) {
    REQUEST_HISTOGRAMS.with_borrow_mut(|by_route| {
        if !by_route.contains_key(route) {
            by_route.insert(route.to_owned(), Vec::new());
        }
        let Some(by_status) = by_route.get_mut(route) else {
            return;
        };
        let at = match by_status.iter().position(|(s, _)| *s == status) {
            Some(at) => at,
            None => {
                let histogram = metrics::histogram!(
                    REQUEST_SECONDS,
                    "route" => route.to_owned(),
                    "status" => status.as_str().to_owned()
                );
                by_status.push((status, histogram));
                by_status.len() - 1
            }
        };
        if let Some((_, histogram)) = by_status.get(at) {
            histogram.record(took.as_secs_f64());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_is_labelled_by_its_domain() {
        assert_eq!(
            provider_label("The geocoder (zippopotam.us)"),
            "zippopotam.us"
        );
        assert_eq!(provider_label("plain"), "plain");
        assert_eq!(provider_label("unclosed (x"), "unclosed (x");
    }
}
