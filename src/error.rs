//! One error type for every handler, and the one place it becomes a response: a page in the
//! site's layout for people, `{"error": "..."}` under `/api`.
//!
//! Handlers return `AppError`; its `IntoResponse` only sets the status and attaches an
//! [`ErrorReport`]. The router's two renderers (`render_html` for pages, `render_json` for the
//! API) turn every error response into the right body: handler errors, extractor rejections,
//! unknown routes and the framework's own bare 4xx/5xx answers alike.

use axum::{
    BoxError, Json,
    body::{Body, Bytes},
    http::{self, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde::Serialize;
use tower::util::MapResponseLayer;

use crate::{layout::Layout, lookup::LookupError, upstream::UpstreamError};

/// How long a client is asked to wait after the database was busy.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is malformed; the message tells the person what to change.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 403: a form without a valid CSRF token, or a private link with a wrong token.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 408: the request body did not arrive whole in time.
    #[error("request body timed out")]
    RequestTimeout,
    /// 413: the body is larger than this address accepts.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 429: this client posted too often; it may try again after the given seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 404: no such page, or no such postal code.
    #[error("not found: {0}")]
    NotFound(String),
    /// 502, or 504 when it timed out: a web service the answer depends on failed.
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    /// 503: the database does not answer (health check).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 503 with `Retry-After`: the database was too busy to answer in time; nothing changed.
    #[error("busy: {0}")]
    Busy(String),
    /// 507: the disk (or the database's size limit) is full; nothing was saved.
    #[error("out of storage: {0}")]
    StorageFull(String),
    /// 500: a fault of ours; logged with detail, shown without.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Upstream(e) if e.is_timeout() => StatusCode::GATEWAY_TIMEOUT,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Unavailable(_) | Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// How long to wait before trying again, when that is worth saying (`Retry-After`).
    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            Self::Busy(_) => Some(BUSY_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// What the person is told. Internal detail never leaves the log.
    pub fn public_message(&self) -> String {
        match self {
            Self::BadRequest(message) | Self::NotFound(message) | Self::Forbidden(message) => {
                message.clone()
            }
            Self::RequestTimeout => {
                "What you sent took too long to arrive, so it was not saved. Please try again."
                    .to_owned()
            }
            Self::StorageFull(_) => {
                "The server is out of storage space, so nothing was saved. Please try again later."
                    .to_owned()
            }
            Self::PayloadTooLarge => {
                "What you sent is too large: a photo may be at most 5 MB, other forms 64 KB."
                    .to_owned()
            }
            Self::TooManyRequests { retry_after_secs } => format!(
                "You have posted a lot in a short time. Please wait {retry_after_secs} seconds and try again."
            ),
            Self::Upstream(e) => format!(
                "{}. Please try again in a moment.",
                capitalise(&e.public_message())
            ),
            Self::Unavailable(_) => "The service is temporarily unavailable.".to_owned(),
            Self::Busy(_) => {
                "The server is too busy to answer just now, and nothing was changed. Please try again in a moment."
                    .to_owned()
            }
            Self::Internal(_) => {
                "Something went wrong on our side. It has been logged; please try again.".to_owned()
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl From<LookupError> for AppError {
    fn from(e: LookupError) -> Self {
        match e {
            LookupError::UnknownPlace => Self::NotFound(
                "We could not find that postal code. Check it, and the country, and try again."
                    .to_owned(),
            ),
            LookupError::Upstream(e) => Self::Upstream(e),
            LookupError::Database(e) => Self::database(&e),
        }
    }
}

impl From<crate::cities::search::SearchError> for AppError {
    fn from(error: crate::cities::search::SearchError) -> Self {
        use crate::cities::search::SearchError;
        match error {
            SearchError::Query(e) => Self::BadRequest(e.to_string()),
            SearchError::Database(e) => Self::Internal(format!("city search: {e}")),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::database(&e)
    }
}

impl AppError {
    fn database(e: &sqlx::Error) -> Self {
        if crate::db::is_storage_full(e) {
            Self::StorageFull(format!("database: {e}"))
        } else if crate::db::is_busy(e) {
            Self::Busy(format!("database: {e}"))
        } else {
            Self::Internal(format!("database: {e}"))
        }
    }
}

impl From<crate::photo_store::SaveError> for AppError {
    fn from(e: crate::photo_store::SaveError) -> Self {
        match e {
            crate::photo_store::SaveError::OutOfSpace(_) => Self::StorageFull(e.to_string()),
            crate::photo_store::SaveError::Io(_) => Self::Internal(e.to_string()),
        }
    }
}

/// A panic that escaped a handler: the styled 500 page (or JSON), and one log line.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = detail, "request failed: a handler panicked");
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(ErrorReport {
        message: AppError::Internal(String::new()).public_message(),
    });
    response
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

/// What an error response carries to the renderers.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub message: String,
}

impl AppError {
    /// The answer to this error with a page of the handler's own in place of the error page (a
    /// form sent back as it was typed): logged, and given the status and headers, as any
    /// other. A page that failed for another reason keeps its own status.
    pub fn with_page(&self, mut page: Response) -> Response {
        self.log();
        if page.status() == StatusCode::OK {
            *page.status_mut() = self.status();
            self.add_headers(page.headers_mut());
        }
        page
    }

    fn log(&self) {
        match self {
            Self::Internal(_) | Self::Unavailable(_) | Self::StorageFull(_) => {
                tracing::error!(error = %self, "request failed")
            }
            Self::Busy(_) => tracing::warn!(error = %self, "database busy"),
            Self::Upstream(_) => tracing::warn!(error = %self, "upstream failed"),
            _ => {}
        }
    }

    fn add_headers(&self, headers: &mut http::HeaderMap) {
        if let Some(seconds) = self.retry_after_secs() {
            headers.insert(header::RETRY_AFTER, seconds.into());
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = self.status().into_response();
        self.add_headers(response.headers_mut());
        response.extensions_mut().insert(ErrorReport {
            message: self.public_message(),
        });
        response
    }
}

/// The message for an error response that carries no report: the framework's own answers
/// (405, a body too large) and unknown routes.
fn report_for(response: &Response) -> Option<ErrorReport> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    if let Some(report) = response.extensions().get::<ErrorReport>() {
        return Some(report.clone());
    }
    // A handler that rendered its own error page (a form with the input kept) knows best.
    if response.headers().contains_key(header::CONTENT_TYPE) {
        return None;
    }
    let message = match status {
        StatusCode::NOT_FOUND => "There is no page at this address.".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not accept that kind of request.".to_owned()
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge.public_message(),
        other => other
            .canonical_reason()
            .unwrap_or("Something went wrong.")
            .to_owned(),
    };
    Some(ErrorReport { message })
}

#[derive(askama::Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

/// The layer that gives every page-side error response its page in the site's layout (this
/// one, titled "Error"). A plain
/// tower `MapResponse` (no boxing per request, unlike axum's `map_response`): it wraps the
/// static files too.
/// Over any body, so that it goes on together with the layers beneath it (`CatchPanicLayer`
/// answers with a body of its own type).
pub fn html_error_pages<B>(
    layout: Layout,
) -> MapResponseLayer<impl Fn(http::Response<B>) -> Response + Clone + Send + Sync + 'static>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    MapResponseLayer::new(move |response: http::Response<B>| {
        render_html(&layout, response.map(Body::new))
    })
}

/// The layer that gives every API error response its JSON body, over any body.
pub fn json_error_bodies<B>() -> MapResponseLayer<fn(http::Response<B>) -> Response>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    MapResponseLayer::new(|response: http::Response<B>| render_json(response.map(Body::new)))
}

fn render_html(layout: &Layout, response: Response) -> Response {
    let Some(report) = report_for(&response) else {
        return response;
    };
    let status = response.status();
    let page = ErrorPage {
        layout: layout.clone(),
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error"),
        message: report.message,
    };
    let body = match askama::Template::render(&page) {
        Ok(html) => Html(html).into_response(),
        // The error page itself failed: plain text is all that is left.
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            page.message.into_response()
        }
    };
    replace_body(response, body)
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
}

fn render_json(response: Response) -> Response {
    let Some(report) = report_for(&response) else {
        return response;
    };
    let body = Json(ErrorBody {
        error: report.message,
    })
    .into_response();
    replace_body(response, body)
}

/// Keeps the status and headers (`Allow`, `Retry-After`, `Server-Timing`) of the original.
fn replace_body(original: Response, replacement: Response) -> Response {
    let (mut parts, _) = original.into_parts();
    let (new_parts, body) = replacement.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(new_parts.headers);
    Response::from_parts(parts, body)
}
