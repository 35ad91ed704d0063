//! The one table of every URL, and the middleware around them.

use std::{path::Path, time::Duration};

use axum::{
    Router,
    extract::{MatchedPath, Request},
    http::{HeaderValue, header},
    middleware,
    response::Response,
    routing::get,
};
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tracing::Span;

use crate::{
    error::{self, AppError},
    handlers::{api, health, home, place},
    state::AppState,
};

/// Static files change only with a release; a day of caching, then a cheap revalidation
/// (ServeDir answers `If-Modified-Since`).
const STATIC_CACHE_CONTROL: &str = "public, max-age=86400";

pub fn router(state: AppState, static_dir: &Path) -> Router {
    let pages = Router::new()
        .route("/", get(home::show))
        .route("/search", get(home::search))
        .route("/places/{country}/{postal_code}", get(place::show))
        .fallback(not_found)
        .layer(middleware::map_response_with_state(
            state.clone(),
            error::render_html,
        ));

    let api = Router::new()
        .route("/sun/{zip}/{country}", get(api::sun))
        .route("/weather/{zip}/{country}", get(api::weather))
        .route("/places/{country}/{postal_code}", get(api::place))
        .fallback(not_found)
        .layer(middleware::map_response(error::render_json));

    let health = Router::new()
        .route("/healthz", get(health::check))
        .layer(middleware::map_response(error::render_json));

    let assets = Router::new()
        .nest_service("/static", ServeDir::new(static_dir))
        .route_service(
            "/favicon.ico",
            ServeFile::new(static_dir.join("favicon.ico")),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static(STATIC_CACHE_CONTROL),
        ));

    pages
        .nest("/api", api)
        .merge(health)
        .merge(assets)
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response),
        )
        .with_state(state)
}

async fn not_found() -> AppError {
    AppError::NotFound("There is no page at this address.".to_owned())
}

/// The request's span names its route (`/places/{country}/{postal_code}`), so logs group by it.
fn request_span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), route)
}

/// One line per request: the span gives method and path; this adds status and latency.
fn log_response(response: &Response, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "served"
    );
}
