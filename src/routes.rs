//! The one table of every URL, and the middleware around them.

use std::time::Duration;

use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{MethodRouter, any, get, post},
};
use tower::{
    ServiceBuilder,
    layer::util::{Identity, Stack},
};
use tower_http::{
    CompressionLevel,
    catch_panic::CatchPanicLayer,
    classify::{ServerErrorsAsFailures, SharedClassifier},
    compression::{CompressionBody, CompressionLayer},
    compression::{DefaultPredicate, Predicate},
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tracing::Span;

use crate::{
    body_deadline::{self, BodyDeadline},
    config::Config,
    error::{self, AppError},
    handlers::{api, cities, events, health, home, place, preferences, saved, sun_calendar},
    paths, photo_store, protect, request_id, security,
    state::AppState,
    static_assets::{self, STATIC_CACHE_CONTROL},
    telemetry,
};

/// Photos are named by their content and never change.
const PHOTO_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
const PAGE_CACHE_CONTROL: &str = "private, no-cache";
/// No file we serve has a name near this long; a longer segment names none, and asking the file
/// system would only get "file name too long" (its limit is 255 bytes, and `ServeDir` also tries
/// the name with `.br` or `.gz` added). Nor can a path longer than any of ours (the system's
/// limit is 4,096 bytes, the directory's own path included).
const MAX_FILE_NAME_BYTES: usize = 200;
const MAX_FILE_PATH_BYTES: usize = 1024;
/// Bodies: a form with a photo (5 MB and the other fields), and any other form.
const PHOTO_FORM_BODY_LIMIT: usize = 6 * 1024 * 1024;
const FORM_BODY_LIMIT: usize = 64 * 1024;

/// What every request passes through first, whatever it asks for: its log line and the
/// security headers on its answer.
type RequestTrace<B> = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request) -> Span,
    (),
    fn(&axum::http::Response<B>, Duration, &Span),
    (),
    (),
    (),
>;
type AroundEveryRoute<B, L> = ServiceBuilder<
    Stack<
        L,
        Stack<
            security::HardenLayer,
            Stack<
                RequestTrace<B>,
                Stack<telemetry::RecordLayer, Stack<request_id::RequestIdLayer, Identity>>,
            >,
        >,
    >,
>;

/// The layers every route has, with `inner` (a part of the site's own layers) beneath them.
/// Each `Router::layer` boxes every route's service and its future once more per request, and
/// `nest` adds a level of its own: so each part of the site is layered once, with all its
/// layers together, and the parts are merged (not nested) into one table of routes.
fn around_every_route<B, L>(inner: L) -> AroundEveryRoute<B, L> {
    let trace: RequestTrace<B> = TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request) -> Span)
        .on_request(())
        .on_response(log_response::<B> as fn(&axum::http::Response<B>, Duration, &Span))
        // Nothing per body chunk or at a stream's end: no field of ours in each request's future.
        .on_body_chunk(())
        .on_eos(())
        // Errors are logged once, where they happen (AppError); this line is enough.
        .on_failure(());
    ServiceBuilder::new()
        .layer(request_id::RequestIdLayer)
        .layer(telemetry::RecordLayer)
        .layer(trace)
        .layer(security::HardenLayer)
        .layer(inner)
}

pub fn router(state: AppState, config: &Config) -> Router {
    // Every form post passes the same guards, around its own route: the pages people read do
    // not pay for them.
    let body_deadline = BodyDeadline(Duration::from_millis(config.body_timeout_ms));
    let guarded = |route: MethodRouter<AppState>| {
        route.layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(security::refuse_cross_site))
                .layer(middleware::from_fn_with_state(
                    state.post_limiter.clone(),
                    protect::limit_posts,
                ))
                .layer(middleware::from_fn_with_state(
                    body_deadline,
                    body_deadline::limit_body_time,
                )),
        )
    };
    // Pages and API answers are made per request, so compressed per request: at the fastest
    // level, which still takes the place page from 8.2 to 2.9 KB with brotli, at about half the
    // cost per request of the default level (bench/pages.sh, "as browsers ask"). zstd, which
    // Chrome and Firefox offer beside brotli and tower-http prefers when both are offered alike,
    // made the 24 KB place page 7 % smaller than brotli did, and served 1.35 – 1.55 × as many
    // (wrk -c64); Safari offers no zstd and still gets brotli.
    //
    // tower-http's compressed body is 5.8 KB, even when it compresses nothing (the encoders'
    // state is inline), and every layer above moved it by value: 7 % of the place page's
    // samples were `memmove`. Boxed once here, the layers above move 16 bytes; the router boxes
    // every body anyway, and does not box this one again.
    let compressed = || {
        ServiceBuilder::new()
            .map_response(|answer: Response<CompressionBody<Body>>| answer.map(Body::new))
            .layer(
                CompressionLayer::new()
                    .quality(CompressionLevel::Fastest)
                    .compress_when(WorthCompressing),
            )
    };
    let pages = Router::new()
        .route(paths::HOME, get(home::show))
        .route(paths::SEARCH, get(home::search))
        .route(paths::PLACE, get(place::show))
        .route(paths::CITY_BY_NUMBER, get(cities::without_slug))
        .route(paths::CITY, get(place::show))
        .route(
            paths::PLACE_EVENTS,
            guarded(post(events::post::create).layer(DefaultBodyLimit::max(PHOTO_FORM_BODY_LIMIT))),
        )
        .route(
            paths::CITY_EVENTS,
            guarded(post(events::post::create).layer(DefaultBodyLimit::max(PHOTO_FORM_BODY_LIMIT))),
        )
        .route(paths::SUN_CALENDAR, get(sun_calendar::page))
        .route(paths::SUN_CALENDAR_CSV, get(sun_calendar::csv))
        .route(paths::SUN_CALENDAR_ICS, get(sun_calendar::ics))
        .route(paths::PLACE_EVENTS_ICS, get(events::feeds::place_ics))
        .route(paths::PLACE_EVENTS_ATOM, get(events::feeds::place_atom))
        .route(paths::CITY_EVENTS_ICS, get(events::feeds::place_ics))
        .route(paths::CITY_EVENTS_ATOM, get(events::feeds::place_atom))
        // And `/events/{id}.ics` (see `paths::EVENT`).
        .route(paths::EVENT, get(events::show))
        .route(
            paths::EVENT_EDIT,
            get(events::edit::edit).merge(guarded(post(events::edit::update))),
        )
        .route(
            paths::EVENT_DELETE,
            get(events::edit::confirm_delete).merge(guarded(post(events::edit::delete))),
        )
        .route(paths::PREFERENCES, guarded(post(preferences::choose)))
        .route(paths::SAVED, guarded(post(saved::save)))
        .route(paths::SAVED_REMOVE, guarded(post(saved::remove)))
        .fallback(not_found)
        .layer(around_every_route(
            ServiceBuilder::new()
                .layer(compressed())
                .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
                // Pages are made for one visitor (a form token bound to their cookie, their
                // places, their units) and for this minute: no shared cache may keep one for
                // another visitor, and a browser asks again.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(PAGE_CACHE_CONTROL),
                ))
                .layer(error::html_error_pages(state.layout("Error")))
                .layer(CatchPanicLayer::custom(error::panic_response)),
        ));

    let api = Router::new()
        .route(paths::API_SUN, get(api::sun))
        .route(paths::API_WEATHER, get(api::weather))
        .route(paths::API_PLACE, get(api::place))
        .route(paths::API_SEARCH, get(cities::api_search))
        .route(paths::API_CITY, get(api::city))
        .route(paths::API_PLACE_EVENTS, get(events::json::list))
        .route(paths::API_CITY_EVENTS, get(events::json::list))
        // Any other address under /api answers in JSON too.
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(health::metrics))
        .layer(around_every_route(
            ServiceBuilder::new()
                .layer(compressed())
                .layer(error::json_error_bodies())
                .layer(CatchPanicLayer::custom(error::panic_response)),
        ));

    // Each file's brotli and gzip variants were made at build time: served with their own
    // length, never compressed per request. The embedded files' service sets their caching
    // itself.
    let assets = match &state.assets.source {
        // Routed by name rather than nested: nesting rebuilt each request's URI. Layered
        // before routing, so a request for a file passes one box, not two.
        static_assets::Source::Embedded(files) => {
            let files = around_every_route(error::html_error_pages(state.layout("Error")))
                .service(files.clone());
            Router::new()
                .route_service("/static/{name}", files.clone())
                .route_service("/favicon.ico", files)
        }
        static_assets::Source::Development(dir) => Router::new()
            .nest_service(
                "/static",
                ServeDir::new(dir).precompressed_br().precompressed_gzip(),
            )
            .route_service("/favicon.ico", ServeFile::new(dir.join("favicon.ico")))
            .layer(around_every_route(
                ServiceBuilder::new()
                    .layer(error::html_error_pages(state.layout("Error")))
                    .layer(middleware::from_fn(only_file_paths))
                    .layer(SetResponseHeaderLayer::overriding(
                        header::VARY,
                        HeaderValue::from_static("accept-encoding"),
                    ))
                    // Its files change under the same URL: never immutable.
                    .layer(SetResponseHeaderLayer::overriding(
                        header::CACHE_CONTROL,
                        |response: &Response| cache_found(response, STATIC_CACHE_CONTROL),
                    )),
            )),
    };

    let photos = Router::new()
        .nest_service(photo_store::URL_PREFIX, ServeDir::new(state.photos.dir()))
        .layer(around_every_route(
            ServiceBuilder::new()
                .layer(error::html_error_pages(state.layout("Error")))
                .layer(middleware::from_fn(only_file_paths))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    |response: &Response| cache_found(response, PHOTO_CACHE_CONTROL),
                )),
        ));

    pages
        .merge(api)
        .merge(assets)
        .merge(photos)
        .with_state(state)
}

/// Files found are cached as `policy` says; a file not found is not cached (it may appear: the
/// same photo posted again after a delete has the same name).
fn cache_found(response: &Response, policy: &'static str) -> Option<HeaderValue> {
    let status = response.status();
    (status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED)
        .then(|| HeaderValue::from_static(policy))
}

/// Only paths that can name one of our files reach the file system: a directory (a path
/// ending in `/`), a segment longer than a file name or a path longer than a path can be is a
/// 404 before the file system is asked (it would answer "file name too long", an error of its
/// own, or serve a file under a directory's name).
async fn only_file_paths(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let impossible = path.ends_with('/')
        || decoded_len(path) > MAX_FILE_PATH_BYTES
        || path
            .split('/')
            .any(|segment| decoded_len(segment) > MAX_FILE_NAME_BYTES);
    if impossible {
        return not_found().await.into_response();
    }
    next.run(request).await
}

/// The length of a percent-encoded segment once decoded.
fn decoded_len(segment: &str) -> usize {
    let bytes = segment.as_bytes();
    let escapes = bytes
        .windows(3)
        .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
        .count();
    bytes.len().saturating_sub(2 * escapes)
}

/// tower-http's default rule for what to compress (bodies over 32 bytes, not pictures, not gRPC
/// or event streams), made where it is asked rather than kept: the layer copies its rule into
/// every request's future, and the default's is 150 bytes, which put the API's future into
/// the next size of allocation (512 → 640 bytes) for each request waiting.
#[derive(Clone, Copy)]
struct WorthCompressing;

impl Predicate for WorthCompressing {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: http_body::Body,
    {
        DefaultPredicate::new().should_compress(response)
    }
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
    // Set by `RequestIdLayer`, outside this layer.
    let request_id = request
        .headers()
        .get(request_id::X_REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), route, request_id)
}

/// One line per request: the span gives method and path; this adds status and latency.
fn log_response<B>(response: &axum::http::Response<B>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "served"
    );
}

#[cfg(test)]
mod properties {
    //! Whatever path a client asks for, each segment's decoded length is counted without a
    //! panic, and counted right.

    use proptest::prelude::*;

    use super::*;
    use proptest::prelude::any;

    /// Percent-encodes `bytes` as a client might: each byte as itself when it is a plain path
    /// character, else (or when `escape` says so) as `%XX` in either case of hex digit.
    fn encoded(bytes: &[u8], escape: &[bool], upper: bool) -> String {
        bytes
            .iter()
            .zip(escape.iter().chain(std::iter::repeat(&false)))
            .map(|(&b, &escaped)| {
                let plain = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
                if plain && !escaped {
                    char::from(b).to_string()
                } else if upper {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn any_segment_is_counted_no_longer_than_it_is_written(
            segment in prop::collection::vec(any::<char>(), 0..300)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
        ) {
            prop_assert!(decoded_len(&segment) <= segment.len());
            if !segment.contains('%') {
                prop_assert_eq!(decoded_len(&segment), segment.len());
            }
        }

        #[test]
        fn an_encoded_segment_counts_as_many_bytes_as_it_encodes(
            bytes in prop::collection::vec(any::<u8>(), 0..300),
            escape in prop::collection::vec(any::<bool>(), 0..300),
            upper in any::<bool>(),
        ) {
            prop_assert_eq!(decoded_len(&encoded(&bytes, &escape, upper)), bytes.len());
        }
    }
}
