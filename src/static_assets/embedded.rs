//! The embedded static files served from memory: a small tower `Service` that sits under the
//! same tower-http layers as any route. Each file's brotli and gzip variants were made at build
//! time; a request gets the one its `Accept-Encoding` weights highest, with its own length, a
//! strong `ETag` per variant and `Last-Modified`, so conditional requests get 304; `Range` is
//! answered from the file as it is.
//!
//! Why not `ServeDir` on the laid-out files: it asks the file system on a blocking thread for
//! every request (open, metadata, read), and those thread hand-offs were where the stylesheet's
//! time went (see the README's profile).

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::Arc,
    task::{Context, Poll},
    time::SystemTime,
};

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header},
};
use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::encoding::{self, Coding};
use crate::security;

/// Where the files are served: `/static/{name}`, and the favicon also at `/favicon.ico`.
pub const URL_PREFIX: &str = "/static/";

/// One file and its build-time variants.
struct File {
    content_type: HeaderValue,
    /// The first hex digits of the file's SHA-256, as in `?v=` of its URL.
    fingerprint: String,
    /// The file as it is, and the variants made of it.
    variants: Vec<(Coding, Variant)>,
    /// The codings of the compressed variants, for choosing among them.
    compressed: Vec<Coding>,
}

struct Variant {
    bytes: Bytes,
    etag: HeaderValue,
    /// Every header of its whole answer, made once rather than per request: under a URL with
    /// the file's fingerprint, and under any other.
    fingerprinted_headers: HeaderMap,
    headers: HeaderMap,
}

impl File {
    fn variant(&self, coding: Coding) -> Option<&Variant> {
        self.variants
            .iter()
            .find(|(c, _)| *c == coding)
            .map(|(_, v)| v)
    }
}

/// The files by name, shared by every clone of the service.
#[derive(Clone)]
pub struct EmbeddedFiles {
    files: Arc<HashMap<&'static str, File>>,
    /// When this server started: the files cannot have changed since.
    last_modified: HeaderValue,
    /// The same, to the second, to compare `If-Modified-Since` with.
    modified: Option<SystemTime>,
}

impl EmbeddedFiles {
    /// `embedded` is `(name, bytes)`, each variant named `{name}.br` or `{name}.gz`.
    pub fn new(embedded: &[(&'static str, &'static [u8])]) -> Self {
        let mut files: HashMap<&'static str, File> = HashMap::new();
        let split = |name: &'static str| -> (&'static str, Coding) {
            if let Some(base) = name.strip_suffix(".br") {
                (base, Coding::Brotli)
            } else if let Some(base) = name.strip_suffix(".gz") {
                (base, Coding::Gzip)
            } else {
                (name, Coding::Identity)
            }
        };
        let last_modified = HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now()))
            .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
        for &(name, bytes) in embedded {
            let (base, coding) = split(name);
            let suffix = coding.content_encoding().unwrap_or("id");
            let etag = format!("\"{}-{suffix}\"", hex::encode(&Sha256::digest(bytes)[..8]));
            let file = files.entry(base).or_insert_with(|| File {
                content_type: content_type(base),
                fingerprint: String::new(),
                variants: Vec::new(),
                compressed: Vec::new(),
            });
            if coding == Coding::Identity {
                file.fingerprint = super::fingerprint(bytes);
            }
            let Ok(etag) = HeaderValue::from_str(&etag) else {
                continue;
            };
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, file.content_type.clone());
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            headers.insert(header::ETAG, etag.clone());
            headers.insert(header::LAST_MODIFIED, last_modified.clone());
            headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            if let Some(encoding) = coding.content_encoding() {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            }
            // The layer above would add these to each answer, growing its copy of the map.
            security::add_security_headers(&mut headers);
            let mut fingerprinted_headers = headers.clone();
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(super::STATIC_CACHE_CONTROL),
            );
            fingerprinted_headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(super::FINGERPRINTED_CACHE_CONTROL),
            );
            if coding != Coding::Identity {
                file.compressed.push(coding);
            }
            file.variants.push((
                coding,
                Variant {
                    bytes: Bytes::from_static(bytes),
                    etag,
                    fingerprinted_headers,
                    headers,
                },
            ));
        }
        // A variant whose file is missing could never be chosen correctly: leave it out.
        files.retain(|_, file| file.variant(Coding::Identity).is_some());
        let modified = last_modified
            .to_str()
            .ok()
            .and_then(|v| httpdate::parse_http_date(v).ok());
        Self {
            files: Arc::new(files),
            last_modified,
            modified,
        }
    }

    /// The fingerprint of the file `name` as it is (for its `?v=`), when there is such a file.
    pub fn fingerprint(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(|file| file.fingerprint.as_str())
    }

    /// The answer for a request whose path (`/static/{name}`, or `/favicon.ico`) names a file.
    pub fn answer(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
    ) -> Response<Body> {
        if method != Method::GET && method != Method::HEAD {
            return bare(StatusCode::METHOD_NOT_ALLOWED)
                .header(header::ALLOW, "GET, HEAD")
                .body(Body::empty())
                .unwrap_or_default();
        }
        // The files lie in one directory: a path through another names none of them.
        let name = path
            .strip_prefix(URL_PREFIX)
            .or_else(|| path.strip_prefix('/'))
            .unwrap_or(path);
        let Some(file) = self.files.get(name) else {
            return bare(StatusCode::NOT_FOUND)
                .body(Body::empty())
                .unwrap_or_default();
        };
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());

        // A range is of the file as it is (a compressed variant's bytes are not the file's).
        let range = text(header::RANGE).filter(|_| {
            text(header::IF_RANGE).is_none_or(|validator| {
                file.variant(Coding::Identity)
                    .is_some_and(|v| v.etag.as_bytes() == validator.as_bytes())
                    || validator == self.last_modified.to_str().unwrap_or("")
            })
        });
        let coding = match range {
            Some(_) => Coding::Identity,
            None => encoding::choose(
                text(header::ACCEPT_ENCODING).unwrap_or(""),
                &file.compressed,
            ),
        };
        let Some(variant) = file.variant(coding) else {
            return bare(StatusCode::NOT_FOUND)
                .body(Body::empty())
                .unwrap_or_default();
        };

        // Under the URL with its content's fingerprint, the bytes never change: cached for good.
        let fingerprinted = query.is_some_and(|q| {
            q.split('&')
                .any(|pair| pair.strip_prefix("v=") == Some(file.fingerprint.as_str()))
        });
        let mut answer = Response::new(Body::empty());
        *answer.headers_mut() = match fingerprinted {
            true => variant.fingerprinted_headers.clone(),
            false => variant.headers.clone(),
        };

        if self.not_modified(headers, &variant.etag) {
            *answer.status_mut() = StatusCode::NOT_MODIFIED;
            answer.headers_mut().remove(header::CONTENT_LENGTH);
            return answer;
        }

        let length = variant.bytes.len() as u64;
        let body = match range.map(|r| byte_range(r, length)) {
            None | Some(RangeAnswer::Whole) => variant.bytes.clone(),
            Some(RangeAnswer::Part(start, end)) => {
                *answer.status_mut() = StatusCode::PARTIAL_CONTENT;
                if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{length}")) {
                    answer.headers_mut().insert(header::CONTENT_RANGE, value);
                }
                usize::try_from(start)
                    .ok()
                    .zip(usize::try_from(end).ok())
                    .filter(|&(s, e)| s <= e && e < variant.bytes.len())
                    .map(|(s, e)| variant.bytes.slice(s..=e))
                    .unwrap_or_default()
            }
            Some(RangeAnswer::Unsatisfiable) => {
                *answer.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
                    answer.headers_mut().insert(header::CONTENT_RANGE, value);
                }
                answer.headers_mut().remove(header::CONTENT_LENGTH);
                return answer;
            }
        };
        if body.len() != variant.bytes.len() {
            answer
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        if *method != Method::HEAD {
            *answer.body_mut() = Body::from(body);
        }
        answer
    }

    /// RFC 9110 §13.1.2–3: `If-None-Match` (weak comparison) decides when sent; otherwise
    /// `If-Modified-Since` no earlier than our `Last-Modified`.
    fn not_modified(&self, headers: &HeaderMap, etag: &HeaderValue) -> bool {
        if let Some(wanted) = headers.get(header::IF_NONE_MATCH) {
            let ours = etag.to_str().unwrap_or("");
            return wanted.to_str().is_ok_and(|list| {
                list.split(',')
                    .map(str::trim)
                    .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
            });
        }
        let since = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        matches!((since, self.modified), (Some(since), Some(ours)) if since >= ours)
    }
}

fn bare(status: StatusCode) -> axum::http::response::Builder {
    Response::builder().status(status)
}

enum RangeAnswer {
    /// Several ranges, or one that does not parse: the whole file, as RFC 9110 allows.
    Whole,
    /// Inclusive byte offsets.
    Part(u64, u64),
    Unsatisfiable,
}

/// One `bytes=` range against a file of `length` bytes, by tower-http's own parser.
fn byte_range(range: &str, length: u64) -> RangeAnswer {
    match http_range_header::parse_range_header(range) {
        Err(_) => RangeAnswer::Whole,
        Ok(parsed) => match parsed.validate(length) {
            Err(_) => RangeAnswer::Unsatisfiable,
            Ok(ranges) => match ranges.as_slice() {
                [one] => RangeAnswer::Part(*one.start(), *one.end()),
                _ => RangeAnswer::Whole,
            },
        },
    }
}

fn content_type(name: &str) -> HeaderValue {
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    HeaderValue::from_static(match extension {
        "css" => "text/css",
        "js" => "text/javascript",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    })
}

impl<B> tower::Service<Request<B>> for EmbeddedFiles {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        std::future::ready(Ok(self.answer(
            request.method(),
            request.uri().path(),
            request.uri().query(),
            request.headers(),
        )))
    }
}
