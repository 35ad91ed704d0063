//! A corpus of bad input over every route: junk in paths, query strings, cookies and methods,
//! and broken event forms that carry a valid CSRF token. Whatever arrives, the answer is never
//! a 5xx; where the right answer is clear, it is that answer, and nothing refused is stored.
//! Requests an HTTP client will not send (dot segments, bare line feeds, headers without a
//! colon, huge headers) are written on a raw socket.

use std::{collections::HashSet, time::Duration};

use chrono::{Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use futures::{StreamExt, stream};
use reqwest::{
    Method, RequestBuilder, StatusCode,
    header::HeaderValue,
    multipart::{Form, Part},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{
    fixtures::pictures,
    helpers::{FormTokens, TestApp, browser, event_form, photo_part, spawn_app},
};

const PLACE: &str = "/places/us/97229";
const POST: &str = "/places/us/97229/events";
/// How many cases are in flight at once.
const AT_ONCE: usize = 8;
/// How long one case may take to be answered.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);
/// How long a raw connection may stay silent before it counts as neither answered nor closed.
const RAW_SILENCE: Duration = Duration::from_secs(5);
/// A CSRF token of the right shape that no server made.
const FORGED: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

// What the app says, word for word as its pages show it.
const TITLE_LENGTH: &str = "A title has 3 to 120 characters.";
const TITLE_LINE: &str = "A title is one line of text.";
const NAME_LINE: &str = "A name is one line of text.";
const NAME_MISSING: &str = "Please give a name to show with the event.";
const NAME_LENGTH: &str = "A name has at most 60 characters.";
const START_MISSING: &str = "Please give the date and time the event starts.";
const DESCRIPTION_PLAIN: &str = "A description is plain text.";
const DESCRIPTION_LENGTH: &str = "A description has at most 4000 characters.";
const LINK: &str = "A link starts with http";
const LINK_LENGTH: &str = "A link has at most 2000 characters";
const CSRF: &str = "Please reload the page";
/// An event form whose token fails comes back with what was typed (cross-site posts are
/// refused before, by their origin).
const FORM_EXPIRED: &str = "This form had expired";
const CROSS_SITE: &str = "sent from another site";
const TITLE_INVISIBLE: &str = "A title needs letters or signs that can be seen.";
const NAME_INVISIBLE: &str = "A name needs letters or signs that can be seen.";
const TITLE_DIRECTION: &str =
    "A title cannot hold characters that reverse the direction of the text.";
const NAME_DIRECTION: &str =
    "A name cannot hold characters that reverse the direction of the text.";
const DAMAGED: &str = "damaged or incomplete";
const NOT_AN_IMAGE: &str = "must be a JPEG, PNG or WebP image";
const PHOTO_TOO_LARGE: &str = "larger than 5 MB";
const TOO_LARGE: &str = "too large";
/// A photo the app cannot use, whichever of the two it judges it.
const PHOTO_REFUSED: &[&str] = &[DAMAGED, NOT_AN_IMAGE];

#[tokio::test]
async fn no_bad_input_on_any_route_gets_a_5xx_and_the_clear_cases_get_their_own_answer() {
    // Arrange: Portland is known upstream (other codes are 404 there), one event exists with
    // its private link, and a browser holds a CSRF cookie and the token its forms carry.
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, PLACE).await;
    let posted = app
        .post_multipart(&browser, POST, event_form(&tokens, &[]))
        .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let link = app.private_link(&browser, PLACE).await;
    let (edit_path, edit_token) = link
        .split_once("?token=")
        .unwrap_or_else(|| panic!("no token in {link}"));
    let id = edit_path
        .trim_start_matches("/events/")
        .trim_end_matches("/edit")
        .to_owned();
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut poster = Poster {
        client: browser,
        address: app.address.clone(),
        tokens,
        posts: 0,
    };

    let mut corpus = Corpus::default();
    place_keys(&mut corpus, &app, &mut poster);
    event_ids(&mut corpus, &app, &poster);
    private_links(&mut corpus, &app, &poster, &id, edit_token);
    saved_places(&mut corpus, &poster);
    cookies(&mut corpus, &app, &poster, &id);
    queries(&mut corpus, &app);
    files_and_unknown_paths(&mut corpus, &app);
    methods(&mut corpus, &app, &id);
    event_forms(&mut corpus, &mut poster);
    multipart_bodies(&mut corpus, &mut poster);
    cross_site_posts(&mut corpus, &app, &mut poster, &id, edit_token);
    dot_segments(&mut corpus, &host);

    let total = corpus.cases.len();
    assert!(total >= 300, "the corpus has only {total} cases");
    {
        let mut seen = HashSet::new();
        let repeated: Vec<&str> = corpus
            .cases
            .iter()
            .map(|case| case.description.as_str())
            .filter(|description| !seen.insert(*description))
            .collect();
        assert!(
            repeated.is_empty(),
            "descriptions used twice: {repeated:#?}"
        );
    }

    // Act
    let Corpus {
        cases,
        refused_titles,
    } = corpus;
    let mut failures: Vec<String> = stream::iter(cases)
        .map(|case| check(case, host.clone()))
        .buffer_unordered(AT_ONCE)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .flatten()
        .collect();

    // Assert: every answer was right (checked above), nothing refused was stored, the event
    // posted first is untouched, and no photo file, whole or partial, was left.
    let (status, listing) = app.get_json("/api/places/us/97229/events?limit=1000").await;
    if status != StatusCode::OK {
        failures.push(format!("after the corpus, the listing answered {status}"));
    }
    let events = listing["events"].as_array().cloned().unwrap_or_default();
    for (title, case) in &refused_titles {
        if events
            .iter()
            .any(|e| e["title"].as_str() == Some(title.as_str()))
        {
            failures.push(format!(
                "{case}: refused, yet an event with its title was stored"
            ));
        }
    }
    let first = events
        .iter()
        .find(|e| e["id"].as_i64().map(|n| n.to_string()).as_deref() == Some(id.as_str()));
    if first.and_then(|e| e["title"].as_str()) != Some("Winter market") {
        failures.push(format!(
            "the event posted first was changed or deleted: {first:?}"
        ));
    }
    let files = app.photo_files();
    if !files.is_empty() {
        failures.push(format!("photo files left behind: {files:?}"));
    }
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {total} bad-input cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn malformed_http_gets_a_4xx_or_a_closed_connection_and_the_server_serves_on() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let end = format!("Host: {host}\r\nConnection: close\r\n\r\n");
    let request_line = |line: &str| format!("{line}\r\n{end}").into_bytes();
    let header_line = |line: &str| format!("GET /healthz HTTP/1.1\r\n{line}\r\n{end}").into_bytes();
    let post_saved = |headers: &str, body: &str| {
        format!("POST /saved HTTP/1.1\r\n{headers}\r\n{end}{body}").into_bytes()
    };
    let hundred_kb = "a".repeat(100 * 1024);
    let many_headers: String = (0..200).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let binary: Vec<u8> = (0..=255u8).rev().cycle().take(2048).collect();
    let client_hello = [
        &[
            0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
        ][..],
        &[0u8; 300][..],
    ]
    .concat();
    // The HTTP/2 preface, then a frame that is not SETTINGS: an HTTP/2 server must give up on
    // it, and an HTTP/1 server does not speak it at all; either way the connection ends.
    let h2_preface = [
        &b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"[..],
        &[0, 0, 0, 7, 0, 0, 0, 0, 0][..],
    ]
    .concat();
    use RawExpect::{ClientErrorOrClose, NoServerError, OneOf};
    let cases: Vec<(&str, Vec<u8>, RawExpect)> = vec![
        (
            "a request line broken by a bare line feed",
            request_line("GET /heal\nthz HTTP/1.1"),
            ClientErrorOrClose,
        ),
        (
            "a bare line feed between the target and the version",
            request_line("GET /healthz\nHTTP/1.1"),
            ClientErrorOrClose,
        ),
        // RFC 9112 §2.2 lets a server take a bare LF for a line end: any answer but a 5xx.
        (
            "line feeds without carriage returns throughout",
            format!("GET /healthz HTTP/1.1\nHost: {host}\nConnection: close\n\n").into_bytes(),
            NoServerError,
        ),
        (
            "a header line without a colon",
            header_line("NoColonHere"),
            ClientErrorOrClose,
        ),
        (
            "a space before a header's colon",
            header_line("X-Bad : x"),
            ClientErrorOrClose,
        ),
        (
            "a NUL byte in a header value",
            header_line("X-Nul: a\0b"),
            ClientErrorOrClose,
        ),
        (
            "a bare carriage return in a header value",
            header_line("X-Cr: a\rb"),
            ClientErrorOrClose,
        ),
        (
            "an obsolete folded header line",
            header_line("X-Folded: a\r\n b"),
            ClientErrorOrClose,
        ),
        (
            "a header name of non-ASCII letters",
            header_line("X-Ümlaut: x"),
            ClientErrorOrClose,
        ),
        (
            "a 100 KB header value",
            header_line(&format!("X-Padding: {hundred_kb}")),
            OneOf(&[431]),
        ),
        (
            "a 100 KB cookie",
            header_line(&format!("Cookie: cityscape_visitor={hundred_kb}")),
            OneOf(&[431]),
        ),
        (
            "200 header lines",
            format!("GET /healthz HTTP/1.1\r\n{many_headers}{end}").into_bytes(),
            OneOf(&[431]),
        ),
        (
            "a 70 KB request target",
            request_line(&format!("GET /{} HTTP/1.1", "a".repeat(70 * 1024))),
            OneOf(&[414, 431]),
        ),
        (
            "HTTP version 9.9",
            request_line("GET /healthz HTTP/9.9"),
            ClientErrorOrClose,
        ),
        (
            "HTTP version 1.2",
            request_line("GET /healthz HTTP/1.2"),
            ClientErrorOrClose,
        ),
        (
            "HTTP version 2.0 on an HTTP/1 request line",
            request_line("GET /healthz HTTP/2.0"),
            ClientErrorOrClose,
        ),
        (
            "a misspelt protocol name",
            request_line("GET /healthz HTTX/1.1"),
            ClientErrorOrClose,
        ),
        (
            "a version in three parts",
            request_line("GET /healthz HTTP/1.1.1"),
            ClientErrorOrClose,
        ),
        (
            "a request line without a version",
            request_line("GET /healthz"),
            ClientErrorOrClose,
        ),
        (
            "a space inside the request target",
            request_line("GET /heal thz HTTP/1.1"),
            ClientErrorOrClose,
        ),
        (
            "a method with a forbidden character",
            request_line("G(T /healthz HTTP/1.1"),
            ClientErrorOrClose,
        ),
        (
            "doubled spaces in the request line",
            request_line("GET  /healthz  HTTP/1.1"),
            ClientErrorOrClose,
        ),
        (
            "a lower-case method",
            request_line("get /healthz HTTP/1.1"),
            ClientErrorOrClose,
        ),
        (
            "a GET for the target *",
            request_line("GET * HTTP/1.1"),
            ClientErrorOrClose,
        ),
        (
            "Content-Length beside Transfer-Encoding",
            post_saved(
                "Content-Length: 5\r\nTransfer-Encoding: chunked",
                "0\r\n\r\n",
            ),
            ClientErrorOrClose,
        ),
        (
            "two different Content-Lengths",
            post_saved("Content-Length: 1\r\nContent-Length: 2", "ab"),
            ClientErrorOrClose,
        ),
        (
            "a Content-Length that is not a number",
            post_saved("Content-Length: abc", ""),
            ClientErrorOrClose,
        ),
        (
            "a negative Content-Length",
            post_saved("Content-Length: -1", ""),
            ClientErrorOrClose,
        ),
        (
            "a chunk size that is not hexadecimal",
            post_saved(
                "Transfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded",
                "zz\r\nabc\r\n0\r\n\r\n",
            ),
            ClientErrorOrClose,
        ),
        ("random binary bytes", binary, ClientErrorOrClose),
        ("a TLS ClientHello", client_hello, ClientErrorOrClose),
        ("the HTTP/2 preface", h2_preface, ClientErrorOrClose),
    ];

    let mut failures = Vec::new();
    for (case, request, expected) in cases {
        let answer = exchange(&host, request).await;
        let status = status_of(&answer.bytes);
        let fine = match (expected, status) {
            (_, Some(status)) if status >= 500 => false,
            (OneOf(allowed), Some(status)) => allowed.contains(&status),
            (OneOf(_), None) => false,
            (ClientErrorOrClose, Some(status)) => (400..500).contains(&status),
            (NoServerError, Some(_)) => true,
            (ClientErrorOrClose | NoServerError, None) => answer.closed,
        };
        if !fine {
            failures.push(format!(
                "{case}: expected {expected:?}, got {}",
                answer.describe()
            ));
        }
    }

    let health = app.get("/healthz").await;
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the server still serves after the malformed requests"
    );
    assert!(
        failures.is_empty(),
        "{} malformed requests were answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The corpus: what a case is, what it expects, and how it is sent and judged.

/// The statuses a case may answer with; no case may answer a 5xx.
#[derive(Debug, Clone, Copy)]
enum Status {
    /// Anything below 500: the answer depends on choices the app may make either way.
    Any,
    /// Any 4xx.
    ClientError,
    /// One of these.
    OneOf(&'static [u16]),
}

#[derive(Debug, Clone, Copy)]
struct Expect {
    status: Status,
    /// When not empty, the body says at least one of these.
    saying: &'static [&'static str],
}

const ANY: Expect = Expect {
    status: Status::Any,
    saying: &[],
};

const CLIENT_ERROR: Expect = Expect {
    status: Status::ClientError,
    saying: &[],
};

fn is(statuses: &'static [u16]) -> Expect {
    Expect {
        status: Status::OneOf(statuses),
        saying: &[],
    }
}

impl Expect {
    fn saying(self, saying: &'static [&'static str]) -> Self {
        Self { saying, ..self }
    }

    /// Whether the case must be refused, so that nothing it sent may be stored.
    fn refuses(&self) -> bool {
        match self.status {
            Status::Any => false,
            Status::ClientError => true,
            Status::OneOf(statuses) => statuses.iter().all(|s| *s >= 400),
        }
    }

    /// What is wrong with this answer, if anything.
    fn failure(&self, status: u16, body: &str) -> Option<String> {
        let allowed = match self.status {
            Status::Any => true,
            Status::ClientError => (400..500).contains(&status),
            Status::OneOf(statuses) => statuses.contains(&status),
        };
        if status >= 500 || !allowed {
            let expected = match self.status {
                Status::Any => "anything below 500".to_owned(),
                Status::ClientError => "a 4xx".to_owned(),
                Status::OneOf(statuses) => format!("{statuses:?}"),
            };
            return Some(format!("answered {status}, expected {expected}"));
        }
        if !self.saying.is_empty() && !self.saying.iter().any(|s| body.contains(s)) {
            return Some(format!(
                "answered {status} without saying {:?}",
                self.saying
            ));
        }
        None
    }
}

enum Request {
    Http(Box<RequestBuilder>),
    /// Written on a socket as it is: an HTTP client resolves dot segments before sending.
    Raw(String),
}

struct Case {
    description: String,
    request: Request,
    expect: Expect,
}

#[derive(Default)]
struct Corpus {
    cases: Vec<Case>,
    /// The titles of event posts that must be refused, with their case: none may be stored.
    refused_titles: Vec<(String, String)>,
}

impl Corpus {
    fn add(&mut self, description: impl Into<String>, request: RequestBuilder, expect: Expect) {
        self.cases.push(Case {
            description: description.into(),
            request: Request::Http(Box::new(request)),
            expect,
        });
    }

    /// An event post: when it must be refused, no event with its title may be stored.
    fn add_post(
        &mut self,
        description: impl Into<String>,
        title: Option<String>,
        request: RequestBuilder,
        expect: Expect,
    ) {
        let description = description.into();
        if expect.refuses()
            && let Some(title) = title
        {
            self.refused_titles.push((title, description.clone()));
        }
        self.add(description, request, expect);
    }

    fn add_raw(&mut self, description: impl Into<String>, request: String, expect: Expect) {
        self.cases.push(Case {
            description: description.into(),
            request: Request::Raw(request),
            expect,
        });
    }
}

type Fields = Vec<(String, String)>;

/// A browser-like client whose cookie holds the CSRF token its forms carry.
struct Poster {
    client: reqwest::Client,
    address: String,
    tokens: FormTokens,
    /// Event forms made so far: each gets its own submission id and title.
    posts: usize,
}

impl Poster {
    fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(format!("{}{path}", self.address))
    }

    fn csrf(&self) -> &str {
        &self.tokens.authenticity_token
    }

    /// The event form's fields with good values, as `helpers::event_form` fills them, but as a
    /// list a case may cut or repeat. Each set has its own submission id, so no post is taken
    /// for a repeat of another, and its own title, so what was stored can be told apart.
    fn fields(&mut self) -> Fields {
        self.posts += 1;
        let n = self.posts;
        [
            ("authenticity_token", self.tokens.authenticity_token.clone()),
            ("submission_id", format!("{n:032x}")),
            ("website", String::new()),
            ("title", format!("Corpus post {n}")),
            ("starts_at", event_start()),
            ("ends_at", String::new()),
            ("description", "Stalls and music".to_owned()),
            ("link", "https://example.org/market".to_owned()),
            ("name", "Ana".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// The event form: the good fields as `edit` leaves them, then `files`; and the title it
    /// carries, as it would be stored.
    fn form(
        &mut self,
        edit: impl FnOnce(Fields) -> Fields,
        files: Vec<(&'static str, Part)>,
    ) -> (Form, Option<String>) {
        let fields = edit(self.fields());
        let title = fields
            .iter()
            .rev()
            .find(|(name, _)| name == "title")
            .map(|(_, title)| title.trim().to_owned());
        let form = fields
            .into_iter()
            .fold(Form::new(), |form, (name, value)| form.text(name, value));
        let form = files
            .into_iter()
            .fold(form, |form, (name, part)| form.part(name, part));
        (form, title)
    }

    /// Adds an event form posted to `path` to the corpus (see `form`).
    fn add(
        &mut self,
        corpus: &mut Corpus,
        path: &str,
        description: impl Into<String>,
        edit: impl FnOnce(Fields) -> Fields,
        files: Vec<(&'static str, Part)>,
        expect: Expect,
    ) {
        let (form, title) = self.form(edit, files);
        corpus.add_post(description, title, self.post(path).multipart(form), expect);
    }
}

/// Replaces the first `name` field's value, or adds the field.
fn set(mut fields: Fields, name: &str, value: impl Into<String>) -> Fields {
    let value = value.into();
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(field) => field.1 = value,
        None => fields.push((name.to_owned(), value)),
    }
    fields
}

fn without(mut fields: Fields, name: &str) -> Fields {
    fields.retain(|(n, _)| n != name);
    fields
}

/// Adds another `name` field after the others.
fn repeated(mut fields: Fields, name: &str, value: impl Into<String>) -> Fields {
    fields.push((name.to_owned(), value.into()));
    fields
}

/// A start ten days ahead, in Portland's zone, as a `datetime-local` input sends it.
fn event_start() -> String {
    (Utc::now() + TimeDelta::days(10))
        .with_timezone(&Tz::America__Los_Angeles)
        .format("%Y-%m-%dT18:30")
        .to_string()
}

/// 02:30 on the day Portland's clocks next go forward: a local time that does not exist.
fn spring_forward_gap() -> String {
    let year = Utc::now().year() + 1;
    let second_sunday = NaiveDate::from_weekday_of_month_opt(year, 3, Weekday::Sun, 2)
        .unwrap_or_else(|| panic!("no second Sunday in March {year}"));
    format!("{}T02:30", second_sunday.format("%Y-%m-%d"))
}

/// Where a JPEG's start-of-scan marker (FF DA) is, found by walking its segments as the app
/// does, so bytes inside a table are not taken for it.
fn start_of_scan(jpeg: &[u8]) -> usize {
    let mut at = 2;
    while let Some(&[0xFF, marker, high, low]) = jpeg.get(at..at + 4) {
        if marker == 0xDA {
            return at;
        }
        at += 2 + usize::from(u16::from_be_bytes([high, low]));
    }
    panic!("no start of scan in the fixture's JPEG");
}

fn get(app: &TestApp, path: &str) -> RequestBuilder {
    app.client.get(format!("{}{path}", app.address))
}

/// Sends one case and judges its answer; what went wrong, if anything did.
async fn check(case: Case, host: String) -> Option<String> {
    let Case {
        description,
        request,
        expect,
    } = case;
    let (status, body) = match request {
        Request::Http(request) => {
            let sent = tokio::time::timeout(ANSWER_WITHIN, async {
                let response = request.send().await?;
                let status = response.status().as_u16();
                Ok::<_, reqwest::Error>((status, response.text().await.unwrap_or_default()))
            })
            .await;
            match sent {
                Ok(Ok(answer)) => answer,
                Ok(Err(e)) => return Some(format!("{description}: no answer: {e:?}")),
                Err(_) => {
                    return Some(format!("{description}: no answer within {ANSWER_WITHIN:?}"));
                }
            }
        }
        Request::Raw(request) => {
            let answer = exchange(&host, request.into_bytes()).await;
            match status_of(&answer.bytes) {
                Some(status) => (status, String::from_utf8_lossy(&answer.bytes).into_owned()),
                None => return Some(format!("{description}: {}", answer.describe())),
            }
        }
    };
    expect
        .failure(status, &body)
        .map(|why| format!("{description}: {why}"))
}

/// What a raw connection may answer.
#[derive(Debug, Clone, Copy)]
enum RawExpect {
    /// A 4xx status line, or the connection closed without one.
    ClientErrorOrClose,
    /// Any status line but a 5xx, or the connection closed without one.
    NoServerError,
    /// One of these statuses.
    OneOf(&'static [u16]),
}

/// What came back on a raw connection.
struct RawAnswer {
    bytes: Vec<u8>,
    /// Whether the server closed the connection (rather than leaving it open without a word).
    closed: bool,
}

impl RawAnswer {
    fn describe(&self) -> String {
        let first_line = String::from_utf8_lossy(&self.bytes)
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect::<String>();
        let end = if self.closed {
            "then closed"
        } else {
            "then left open"
        };
        format!("{} bytes back ({first_line:?}), {end}", self.bytes.len())
    }
}

/// Writes `request` on a fresh connection while reading the answer, and returns what came back
/// before the server closed (or fell silent). A server may answer and close before it has read
/// all of a huge request, so a failed write is no failure.
async fn exchange(host: &str, request: Vec<u8>) -> RawAnswer {
    let stream = tokio::net::TcpStream::connect(host)
        .await
        .unwrap_or_else(|e| panic!("connect to {host}: {e}"));
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        for chunk in request.chunks(16 * 1024) {
            if writer.write_all(chunk).await.is_err() {
                break;
            }
        }
        // Handed back, not dropped: dropping the write half would half-close the connection,
        // which a server may take for the client leaving.
        writer
    });
    let mut bytes = Vec::new();
    let mut buffer = vec![0u8; 16 * 1024];
    let closed = loop {
        match tokio::time::timeout(RAW_SILENCE, reader.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break true,
            Ok(Ok(n)) => bytes.extend_from_slice(&buffer[..n]),
            Err(_) => break false,
        }
    };
    writing.abort();
    RawAnswer { bytes, closed }
}

/// The status of the HTTP/1.x status line `answer` starts with.
fn status_of(answer: &[u8]) -> Option<u16> {
    let rest = answer.strip_prefix(b"HTTP/1.")?;
    std::str::from_utf8(rest.get(2..5)?).ok()?.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// The cases, by area.

/// Country and postal-code segments on the six routes that take them: a malformed key is a
/// 400 before any look-up; a well-formed one the fake geocoder does not know is a 404 (and an
/// empty list of events, which needs no look-up).
fn place_keys(corpus: &mut Corpus, app: &TestApp, poster: &mut Poster) {
    #[derive(Clone, Copy)]
    enum Key {
        Malformed,
        Unknown,
    }
    let mut keys: Vec<(&str, String, String, Key)> = Vec::new();
    for (what, postal_code, key) in [
        ("a 300-byte postal code", "9".repeat(300), Key::Malformed),
        (
            "an 11-digit postal code",
            "12345678901".to_owned(),
            Key::Malformed,
        ),
        (
            "a huge number for a postal code",
            "99999999999999999999".to_owned(),
            Key::Malformed,
        ),
        (
            "a NUL in the postal code",
            "972%0029".to_owned(),
            Key::Malformed,
        ),
        (
            "a postal code that is not UTF-8",
            "%FF%FE".to_owned(),
            Key::Malformed,
        ),
        (
            "half a UTF-8 sequence in the postal code",
            "9722%C3".to_owned(),
            Key::Malformed,
        ),
        (
            "full-width digits for a postal code",
            "９７２２９".to_owned(),
            Key::Malformed,
        ),
        ("an emoji for a postal code", "🏙".to_owned(), Key::Malformed),
        (
            "a right-to-left override in the postal code",
            "972%E2%80%AE29".to_owned(),
            Key::Malformed,
        ),
        (
            "a zero-width space in the postal code",
            "%E2%80%8B97229".to_owned(),
            Key::Malformed,
        ),
        (
            "percent-encoded markup for a postal code",
            "%3Cscript%3E".to_owned(),
            Key::Malformed,
        ),
        (
            "an encoded slash and dots in the postal code",
            "97229%2F..%2Fx".to_owned(),
            Key::Malformed,
        ),
        (
            "three dots for a postal code",
            "...".to_owned(),
            Key::Malformed,
        ),
        (
            "spaces for a postal code",
            "%20%20%20".to_owned(),
            Key::Malformed,
        ),
        (
            "a single letter for a postal code",
            "A".to_owned(),
            Key::Malformed,
        ),
        ("an unknown postal code", "00000".to_owned(), Key::Unknown),
        (
            "a negative postal code",
            "-97229".to_owned(),
            Key::Malformed,
        ),
        (
            "a ZIP+4 code nobody has",
            "00000-0000".to_owned(),
            Key::Unknown,
        ),
    ] {
        keys.push((what, "us".to_owned(), postal_code, key));
    }
    for (what, country, key) in [
        ("an unsupported country", "xx".to_owned(), Key::Malformed),
        ("a 300-byte country", "u".repeat(300), Key::Malformed),
        (
            "a country that is not UTF-8",
            "%C3%28".to_owned(),
            Key::Malformed,
        ),
        ("a NUL in the country", "u%00s".to_owned(), Key::Malformed),
        ("a unicode country", "üs".to_owned(), Key::Malformed),
        ("a space for a country", "%20".to_owned(), Key::Malformed),
        (
            "a country whose codes cannot look like this one",
            "gb".to_owned(),
            Key::Malformed,
        ),
    ] {
        keys.push((what, country, "97229".to_owned(), key));
    }
    for (what, country, postal_code, key) in keys {
        let (found, listed) = match key {
            Key::Malformed => (is(&[400]), is(&[400])),
            Key::Unknown => (is(&[404]), is(&[200])),
        };
        let place = format!("/places/{country}/{postal_code}");
        corpus.add(
            format!("GET /places/{{country}}/{{postal_code}} with {what}"),
            get(app, &place),
            found,
        );
        corpus.add(
            format!("GET /api/places/{{country}}/{{postal_code}} with {what}"),
            get(app, &format!("/api{place}")),
            found,
        );
        corpus.add(
            format!("GET /api/sun/{{zip}}/{{country}} with {what}"),
            get(app, &format!("/api/sun/{postal_code}/{country}")),
            found,
        );
        corpus.add(
            format!("GET /api/weather/{{zip}}/{{country}} with {what}"),
            get(app, &format!("/api/weather/{postal_code}/{country}")),
            found,
        );
        corpus.add(
            format!("GET /api/places/{{country}}/{{postal_code}}/events with {what}"),
            get(app, &format!("/api{place}/events")),
            listed,
        );
        poster.add(
            corpus,
            &format!("{place}/events"),
            format!("POST /places/{{country}}/{{postal_code}}/events with {what}"),
            |fields| fields,
            Vec::new(),
            found,
        );
    }
}

/// Ids on the four event routes: anything but a positive id of a stored event is a 404, and
/// an id that is not UTF-8 a 400. The posts carry a valid CSRF token and a wrong private token.
fn event_ids(corpus: &mut Corpus, app: &TestApp, poster: &Poster) {
    let long = "7".repeat(300);
    let not_found = is(&[404]);
    let csrf = poster.csrf();
    for (what, id, expect) in [
        ("id 0", "0", not_found),
        ("a negative id", "-1", not_found),
        (
            "the smallest i64 for an id",
            "-9223372036854775808",
            not_found,
        ),
        (
            "the largest i64 for an id",
            "9223372036854775807",
            not_found,
        ),
        (
            "one past the largest i64 for an id",
            "9223372036854775808",
            not_found,
        ),
        ("a 30-digit id", "999999999999999999999999999999", not_found),
        ("an id in exponent form", "1e3", not_found),
        ("a hexadecimal id", "0x1", not_found),
        ("a fractional id", "1.5", not_found),
        ("a word for an id", "abc", not_found),
        ("a 300-byte id", long.as_str(), not_found),
        ("a NUL for an id", "%00", not_found),
        ("an id followed by a NUL", "1%00", not_found),
        ("an id that is not UTF-8", "%FF", is(&[400])),
        ("an Arabic-Indic digit for an id", "١", not_found),
        ("a space for an id", "%20", not_found),
        ("an id no event has", "999999", not_found),
    ] {
        corpus.add(
            format!("GET /events/{{id}} with {what}"),
            get(app, &format!("/events/{id}")),
            expect,
        );
        corpus.add(
            format!("GET /events/{{id}}/edit with {what}"),
            get(app, &format!("/events/{id}/edit?token=00")),
            expect,
        );
        corpus.add(
            format!("POST /events/{{id}}/edit with {what}"),
            poster.post(&format!("/events/{id}/edit")).form(&[
                ("title", "Hijacked"),
                ("starts_at", "2030-01-01T10:00"),
                ("name", "X"),
                ("token", "00"),
                ("authenticity_token", csrf),
            ]),
            expect,
        );
        corpus.add(
            format!("POST /events/{{id}}/delete with {what}"),
            poster
                .post(&format!("/events/{id}/delete"))
                .form(&[("token", "00"), ("authenticity_token", csrf)]),
            expect,
        );
    }
}

/// The private link of the event that exists: wrong, missing and doubled tokens, and edits and
/// deletes that carry the right private token but bad fields or no CSRF token. None may change
/// the event.
fn private_links(corpus: &mut Corpus, app: &TestApp, poster: &Poster, id: &str, token: &str) {
    let edit = format!("/events/{id}/edit");
    let forbidden = is(&[403]);
    for (what, query, expect) in [
        ("no token", String::new(), forbidden),
        ("an empty token", "?token=".to_owned(), forbidden),
        (
            "a token without an equals sign",
            "?token".to_owned(),
            forbidden,
        ),
        ("a wrong token", "?token=00".to_owned(), forbidden),
        (
            "a 300-byte token",
            format!("?token={}", "f".repeat(300)),
            forbidden,
        ),
        ("a NUL token", "?token=%00".to_owned(), forbidden),
        (
            "a token that is not UTF-8",
            "?token=%FF%FE".to_owned(),
            forbidden,
        ),
        (
            "the right token in upper case",
            format!("?token={}", token.to_uppercase()),
            forbidden,
        ),
        (
            "the right token and a NUL",
            format!("?token={token}%00"),
            forbidden,
        ),
        (
            "the right token twice",
            format!("?token={token}&token={token}"),
            is(&[400]),
        ),
        (
            "a wrong token, then the right one",
            format!("?token=00&token={token}"),
            is(&[400]),
        ),
        (
            "a token of unicode",
            "?token=%E2%80%AE%F0%9F%94%91".to_owned(),
            forbidden,
        ),
        (
            "a query of separators only",
            "?&&&=&=".to_owned(),
            forbidden,
        ),
        (
            "a malformed percent escape",
            "?token=%ZZ".to_owned(),
            forbidden,
        ),
        (
            "an 8 KB query",
            format!("?token=00&pad={}", "p".repeat(8 * 1024)),
            forbidden,
        ),
        (
            "the token under a bracketed name",
            format!("?token[]={token}"),
            forbidden,
        ),
    ] {
        corpus.add(
            format!("GET /events/{{id}}/edit with {what}"),
            get(app, &format!("{edit}{query}")),
            expect,
        );
    }

    let csrf = poster.csrf();
    let start = event_start();
    let edit_fields = |changes: &[(&str, &str)]| -> Fields {
        let good = [
            ("title", "Winter market"),
            ("starts_at", start.as_str()),
            ("name", "Ana"),
            ("token", token),
            ("authenticity_token", csrf),
        ];
        let fields: Fields = good
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        changes
            .iter()
            .fold(fields, |fields, (name, value)| set(fields, name, *value))
    };
    let long_name = "n".repeat(61);
    let huge_title = "t".repeat(70 * 1024);
    for (what, fields, expect) in [
        (
            "a zero-width title",
            edit_fields(&[("title", "\u{200B}\u{200B}\u{200B}")]),
            is(&[422]).saying(&[TITLE_INVISIBLE]),
        ),
        (
            "a right-to-left override in the name",
            edit_fields(&[("name", "abc\u{202E}def")]),
            is(&[422]).saying(&[NAME_DIRECTION]),
        ),
        (
            "a title with an escape sequence",
            edit_fields(&[("title", "Market \u{1b}[31mred")]),
            is(&[422]).saying(&[TITLE_LINE]),
        ),
        (
            "a start on February 30th",
            edit_fields(&[("starts_at", "2026-02-30T10:00")]),
            is(&[422]),
        ),
        (
            "a javascript: link",
            edit_fields(&[("link", "javascript:alert(1)")]),
            is(&[422]).saying(&[LINK]),
        ),
        (
            "a 61-character name",
            edit_fields(&[("name", long_name.as_str())]),
            is(&[422]).saying(&[NAME_LENGTH]),
        ),
        (
            "a NUL in the description",
            edit_fields(&[("description", "a\u{0}b")]),
            is(&[422]).saying(&[DESCRIPTION_PLAIN]),
        ),
        (
            "a 70 KB title",
            edit_fields(&[("title", huge_title.as_str())]),
            is(&[413]).saying(&[TOO_LARGE]),
        ),
        (
            "a wrong private token",
            edit_fields(&[("token", "00")]),
            forbidden,
        ),
        (
            "no private token",
            without(edit_fields(&[]), "token"),
            forbidden,
        ),
        (
            "no CSRF token",
            without(edit_fields(&[]), "authenticity_token"),
            is(&[403]).saying(&[FORM_EXPIRED]),
        ),
        (
            "a forged CSRF token",
            edit_fields(&[("authenticity_token", FORGED)]),
            is(&[403]).saying(&[FORM_EXPIRED]),
        ),
        (
            "two bad titles",
            repeated(edit_fields(&[("title", "x")]), "title", "y"),
            CLIENT_ERROR,
        ),
    ] {
        corpus.add(
            format!("POST /events/{{id}}/edit with {what}"),
            poster.post(&edit).form(&fields),
            expect,
        );
    }
    corpus.add(
        "POST /events/{id}/edit with a JSON body",
        poster
            .post(&edit)
            .header("content-type", "application/json")
            .body(r#"{"title":"Hijacked"}"#),
        is(&[400]),
    );
    corpus.add(
        "POST /events/{id}/edit with a multipart body",
        poster.post(&edit).multipart(
            Form::new()
                .text("title", "Hijacked")
                .text("token", token.to_owned())
                .text("authenticity_token", csrf.to_owned()),
        ),
        is(&[400]),
    );
    corpus.add(
        "POST /events/{id}/edit with no body",
        poster.post(&edit),
        is(&[400]),
    );

    let delete = format!("/events/{id}/delete");
    let long_token = "f".repeat(300);
    let upper = token.to_uppercase();
    let padding = "p".repeat(70 * 1024);
    for (what, fields, expect) in [
        (
            "a wrong private token",
            vec![("token", "00"), ("authenticity_token", csrf)],
            forbidden,
        ),
        (
            "an empty private token",
            vec![("token", ""), ("authenticity_token", csrf)],
            forbidden,
        ),
        (
            "no private token",
            vec![("authenticity_token", csrf)],
            forbidden,
        ),
        (
            "a 300-byte private token",
            vec![("token", long_token.as_str()), ("authenticity_token", csrf)],
            forbidden,
        ),
        (
            "a NUL for the private token",
            vec![("token", "\u{0}"), ("authenticity_token", csrf)],
            forbidden,
        ),
        (
            "the right private token in upper case",
            vec![("token", upper.as_str()), ("authenticity_token", csrf)],
            forbidden,
        ),
        (
            "no CSRF token",
            vec![("token", token)],
            is(&[403]).saying(&[CSRF]),
        ),
        (
            "a forged CSRF token",
            vec![("token", token), ("authenticity_token", FORGED)],
            is(&[403]).saying(&[CSRF]),
        ),
        // Two wrong tokens: were the repeat not refused, neither could delete the event.
        (
            "the private token twice",
            vec![
                ("token", "00"),
                ("token", "11"),
                ("authenticity_token", csrf),
            ],
            is(&[400]),
        ),
        (
            "a 70 KB body",
            vec![
                ("token", "00"),
                ("authenticity_token", csrf),
                ("padding", padding.as_str()),
            ],
            is(&[413]).saying(&[TOO_LARGE]),
        ),
    ] {
        corpus.add(
            format!("POST /events/{{id}}/delete with {what}"),
            poster.post(&delete).form(&fields),
            expect,
        );
    }
    corpus.add(
        "POST /events/{id}/delete with a JSON body",
        poster
            .post(&delete)
            .header("content-type", "application/json")
            .body(r#"{"token":"00"}"#),
        is(&[400]),
    );
}

/// Saving and removing places with a valid CSRF token but bad places, and without the token.
fn saved_places(corpus: &mut Corpus, poster: &Poster) {
    let csrf = poster.csrf();
    let long = "9".repeat(300);
    let padding = "p".repeat(70 * 1024);
    for path in ["/saved", "/saved/remove"] {
        // Removing looks nothing up: a place nobody has is simply not in the list.
        let unknown_place = if path == "/saved" {
            is(&[404])
        } else {
            is(&[303])
        };
        for (what, fields, expect) in [
            (
                "an unsupported country",
                vec![
                    ("country", "xx"),
                    ("postal_code", "97229"),
                    ("authenticity_token", csrf),
                ],
                is(&[400]),
            ),
            (
                "a 300-byte postal code",
                vec![
                    ("country", "us"),
                    ("postal_code", long.as_str()),
                    ("authenticity_token", csrf),
                ],
                is(&[400]),
            ),
            (
                "a NUL in the postal code",
                vec![
                    ("country", "us"),
                    ("postal_code", "972\u{0}29"),
                    ("authenticity_token", csrf),
                ],
                is(&[400]),
            ),
            (
                "a unicode postal code",
                vec![
                    ("country", "us"),
                    ("postal_code", "９７２２９"),
                    ("authenticity_token", csrf),
                ],
                is(&[400]),
            ),
            (
                "no place at all",
                vec![("authenticity_token", csrf)],
                is(&[400]),
            ),
            (
                "the country twice",
                vec![
                    ("country", "us"),
                    ("country", "gb"),
                    ("postal_code", "97229"),
                    ("authenticity_token", csrf),
                ],
                is(&[400]),
            ),
            (
                "a postal code the geocoder does not know",
                vec![
                    ("country", "us"),
                    ("postal_code", "00000"),
                    ("authenticity_token", csrf),
                ],
                unknown_place,
            ),
            (
                "no CSRF token",
                vec![("country", "us"), ("postal_code", "97229")],
                is(&[403]).saying(&[CSRF]),
            ),
            (
                "a forged CSRF token",
                vec![
                    ("country", "us"),
                    ("postal_code", "97229"),
                    ("authenticity_token", FORGED),
                ],
                is(&[403]).saying(&[CSRF]),
            ),
            (
                "a 70 KB body",
                vec![
                    ("country", "us"),
                    ("postal_code", "97229"),
                    ("authenticity_token", csrf),
                    ("padding", padding.as_str()),
                ],
                is(&[413]).saying(&[TOO_LARGE]),
            ),
        ] {
            corpus.add(
                format!("POST {path} with {what}"),
                poster.post(path).form(&fields),
                expect,
            );
        }
        corpus.add(
            format!("POST {path} with a JSON body"),
            poster
                .post(path)
                .header("content-type", "application/json")
                .body(r#"{"country":"us","postal_code":"97229"}"#),
            is(&[400]),
        );
        corpus.add(
            format!("POST {path} with a multipart body"),
            poster.post(path).multipart(
                Form::new()
                    .text("country", "us")
                    .text("postal_code", "97229")
                    .text("authenticity_token", csrf.to_owned()),
            ),
            is(&[400]),
        );
    }
}

/// Bad cookies on pages that read them, and on a post: a page shows as if they were absent;
/// the post has no valid CSRF cookie, so it is refused. Past the 16 KB cap on headers, 431.
fn cookies(corpus: &mut Corpus, app: &TestApp, poster: &Poster, id: &str) {
    let many: String = (0..500)
        .map(|i| format!("c{i}=v{i}"))
        .collect::<Vec<_>>()
        .join("; ");
    let jars: Vec<(&str, Vec<u8>)> = vec![
        (
            "a visitor cookie of garbage",
            b"cityscape_visitor=not-an-id!".to_vec(),
        ),
        (
            "a visitor cookie of 32 non-hex characters",
            format!("cityscape_visitor={}", "g".repeat(32)).into_bytes(),
        ),
        (
            "a visitor cookie one character short",
            format!("cityscape_visitor={}", "a".repeat(31)).into_bytes(),
        ),
        (
            "a 4 KB visitor cookie",
            format!("cityscape_visitor={}", "a".repeat(4 * 1024)).into_bytes(),
        ),
        (
            "SQL in the visitor cookie",
            b"cityscape_visitor=%27%3B%20DROP%20TABLE%20saved%3B--".to_vec(),
        ),
        (
            "two visitor cookies",
            format!(
                "cityscape_visitor={}; cityscape_visitor={}",
                "a".repeat(32),
                "b".repeat(32)
            )
            .into_bytes(),
        ),
        (
            "a flash cookie of garbage",
            b"cityscape_flash=garbage".to_vec(),
        ),
        (
            "a flash cookie with a non-hex token",
            b"cityscape_flash=posted.1.zz".to_vec(),
        ),
        (
            "a flash cookie with a huge event id",
            b"cityscape_flash=posted.99999999999999999999.ab".to_vec(),
        ),
        (
            "a flash cookie with a negative event id",
            b"cityscape_flash=posted.-1.ab".to_vec(),
        ),
        (
            "a flash cookie with markup",
            b"cityscape_flash=posted.1.<script>".to_vec(),
        ),
        (
            "a flash cookie with an empty event id",
            b"cityscape_flash=already..ab".to_vec(),
        ),
        (
            "a CSRF cookie of garbage",
            b"cityscape_csrf=garbage".to_vec(),
        ),
        (
            "a CSRF cookie of base64 noise",
            format!("cityscape_csrf={FORGED}").into_bytes(),
        ),
        ("an empty CSRF cookie", b"cityscape_csrf=".to_vec()),
        (
            "a 4 KB CSRF cookie",
            format!("cityscape_csrf={}", "Q".repeat(4 * 1024)).into_bytes(),
        ),
        (
            "cookie bytes that are not UTF-8",
            b"cityscape_visitor=\xff\xfe\xfd; cityscape_flash=\xc3\x28; cityscape_csrf=\x80"
                .to_vec(),
        ),
        ("a tab inside a cookie", b"cityscape_flash=sa\tved".to_vec()),
        (
            "a cookie without an equals sign",
            b"cityscape_visitor".to_vec(),
        ),
        ("a cookie header of separators only", b";;; ; = ;".to_vec()),
        (
            "a quoted flash cookie",
            b"cityscape_flash=\"saved\"".to_vec(),
        ),
        ("500 small cookies", many.into_bytes()),
        (
            "an 8 KB cookie",
            format!("cityscape_visitor={}", "a".repeat(8 * 1024)).into_bytes(),
        ),
        (
            "a 20 KB cookie, past the 16 KB header cap",
            format!("cityscape_visitor={}", "a".repeat(20 * 1024)).into_bytes(),
        ),
    ];
    let event = format!("/events/{id}");
    let csrf = poster.csrf();
    for (what, cookie) in jars {
        let too_large = cookie.len() > 16 * 1024;
        let value = HeaderValue::from_bytes(&cookie).unwrap_or_else(|e| panic!("{what}: {e}"));
        let page = if too_large { is(&[431]) } else { is(&[200]) };
        for (route, path) in [
            ("GET /", "/"),
            ("GET /places/us/97229", PLACE),
            ("GET /events/{id}", event.as_str()),
        ] {
            corpus.add(
                format!("{route} with {what}"),
                get(app, path).header("cookie", value.clone()),
                page,
            );
        }
        let refused = if too_large {
            is(&[431])
        } else {
            is(&[403]).saying(&[CSRF])
        };
        corpus.add(
            format!("POST /saved with {what}"),
            app.client
                .post(format!("{}/saved", app.address))
                .header("cookie", value)
                .form(&[
                    ("country", "us"),
                    ("postal_code", "97229"),
                    ("authenticity_token", csrf),
                ]),
            refused,
        );
    }
}

/// Query strings: the home page reads none; the search, the sun's date and the listing's
/// limit and offset are refused with a 400 when they are not what they must be.
fn queries(corpus: &mut Corpus, app: &TestApp) {
    for (what, query) in [
        ("a repeated parameter", "?a=1&a=2".to_owned()),
        ("a query that is not UTF-8", "?%FF=%FE".to_owned()),
        ("an 8 KB query", format!("?x={}", "x".repeat(8 * 1024))),
        (
            "a forged flash in the query",
            "?flash=posted.1.ab".to_owned(),
        ),
    ] {
        corpus.add(
            format!("GET / with {what}"),
            get(app, &format!("/{query}")),
            is(&[200]),
        );
    }

    let bad_search = is(&[400]);
    for (what, query, expect) in [
        ("no query", String::new(), bad_search),
        (
            "empty fields",
            "?postal_code=&country=".to_owned(),
            bad_search,
        ),
        ("no country", "?postal_code=97229".to_owned(), bad_search),
        ("no postal code", "?country=us".to_owned(), bad_search),
        (
            "an unsupported country",
            "?postal_code=97229&country=xx".to_owned(),
            bad_search,
        ),
        (
            "a 300-byte postal code",
            format!("?postal_code={}&country=us", "9".repeat(300)),
            bad_search,
        ),
        (
            "a 10 KB postal code",
            format!("?postal_code={}&country=us", "9".repeat(10 * 1024)),
            bad_search,
        ),
        (
            "a NUL in the postal code",
            "?postal_code=972%0029&country=us".to_owned(),
            bad_search,
        ),
        (
            "a postal code that is not UTF-8",
            "?postal_code=%FF%FE&country=us".to_owned(),
            bad_search,
        ),
        (
            "a zero-width space in the postal code",
            "?postal_code=%E2%80%8B97229&country=us".to_owned(),
            bad_search,
        ),
        (
            "the postal code twice",
            "?postal_code=97229&postal_code=97229&country=us".to_owned(),
            bad_search,
        ),
        (
            "the country twice",
            "?postal_code=97229&country=us&country=gb".to_owned(),
            bad_search,
        ),
        (
            "a NUL in the country",
            "?postal_code=97229&country=u%00s".to_owned(),
            bad_search,
        ),
        (
            "a flag emoji for a country",
            "?postal_code=97229&country=%F0%9F%87%BA%F0%9F%87%B8".to_owned(),
            bad_search,
        ),
        (
            "bracketed names",
            "?postal_code[]=97229&country[]=us".to_owned(),
            bad_search,
        ),
        ("a lone percent sign", "?%".to_owned(), bad_search),
        (
            "a semicolon for a separator",
            "?postal_code=97229;country=us".to_owned(),
            bad_search,
        ),
        (
            "markup in both fields",
            "?postal_code=%3Cscript%3E&country=%22%3E%3Cb%3E".to_owned(),
            bad_search,
        ),
        (
            "an 8 KB unknown parameter beside good ones",
            format!("?postal_code=97229&country=us&x={}", "x".repeat(8 * 1024)),
            is(&[303]),
        ),
    ] {
        corpus.add(
            format!("GET /search with {what}"),
            get(app, &format!("/search{query}")),
            expect,
        );
    }

    let bad_date = is(&[400]);
    for (what, query) in [
        ("February 30th", "?date=2026-02-30"),
        ("February 29th of a common year", "?date=2026-02-29"),
        ("a 13th month", "?date=2026-13-01"),
        ("month 0", "?date=2026-00-10"),
        ("a 32nd day", "?date=2026-12-32"),
        ("a date before 1900", "?date=1899-12-31"),
        ("a date after 2100", "?date=2101-01-01"),
        ("an empty date", "?date="),
        ("a date parameter without a value", "?date"),
        ("a word for a date", "?date=tomorrow"),
        ("a date with a time", "?date=2026-07-01T00:00"),
        ("a date with slashes", "?date=2026/07/01"),
        ("a date in day-month-year order", "?date=01-07-2026"),
        ("a 20-digit year", "?date=99999999999999999999-01-01"),
        ("a negative year", "?date=-2026-07-01"),
        ("a NUL for a date", "?date=%00"),
        ("a date that is not UTF-8", "?date=%FF%FE"),
        ("a date followed by a NUL", "?date=2026-07-01%00"),
        (
            "a date in Devanagari digits",
            "?date=%E0%A5%A8%E0%A5%A6%E0%A5%A8%E0%A5%AC-07-01",
        ),
        ("the date twice", "?date=2026-07-01&date=2026-07-02"),
    ] {
        corpus.add(
            format!("GET /api/sun/97229/us with {what}"),
            get(app, &format!("/api/sun/97229/us{query}")),
            bad_date,
        );
    }
    corpus.add(
        "GET /api/sun/97229/us with a 10 KB date",
        get(
            app,
            &format!("/api/sun/97229/us?date={}", "1".repeat(10 * 1024)),
        ),
        bad_date,
    );
    corpus.add(
        "GET /api/sun/{zip}/{country} with a bad date for an unknown place",
        get(app, "/api/sun/00000/us?date=2026-02-30"),
        bad_date,
    );
    corpus.add(
        "GET /api/sun/{zip}/{country} with a bad date and a postal code that is not UTF-8",
        get(app, "/api/sun/%FF/us?date=2026-02-30"),
        bad_date,
    );
    corpus.add(
        "GET /api/weather/97229/us with a date it does not read",
        get(app, "/api/weather/97229/us?date=2026-02-30"),
        is(&[200]),
    );

    for query in [
        "limit=-1",
        "limit=0",
        "limit=1001",
        "limit=99999999999999999999",
        "limit=-9223372036854775808",
        "limit=abc",
        "limit=",
        "limit",
        "limit=1.5",
        "limit=1e3",
        "limit=0x10",
        "limit=%00",
        "limit=%FF",
        "limit=%205",
        "limit=10&limit=20",
        "offset=abc",
        "offset=-1",
        "offset=1000001",
        "offset=99999999999999999999",
        "offset=",
        "offset=1&offset=2",
        "limit=5&offset=9223372036854775807",
    ] {
        corpus.add(
            format!("GET /api/places/us/97229/events?{query}"),
            get(app, &format!("/api/places/us/97229/events?{query}")),
            is(&[400]),
        );
    }
    corpus.add(
        "GET /api/places/us/97229/events at the largest limit and offset",
        get(app, "/api/places/us/97229/events?limit=1000&offset=1000000"),
        is(&[200]),
    );
}

/// Static files, photos, the icon, the health check and addresses nobody serves: whatever the
/// path holds (overlong names, NUL, bytes that are not UTF-8, ways out of the directory), a
/// file that is not there is a 404.
fn files_and_unknown_paths(corpus: &mut Corpus, app: &TestApp) {
    let a300 = "a".repeat(300);
    let deep = "a/".repeat(2100);
    let not_found = is(&[404]);
    for (what, path) in [
        ("a 300-byte name", format!("/static/{a300}")),
        ("a 300-byte name ending .css", format!("/static/{a300}.css")),
        ("a 255-byte name", format!("/static/{}", "a".repeat(255))),
        ("a 256-byte name", format!("/static/{}", "a".repeat(256))),
        (
            "a 300-byte directory name",
            format!("/static/{a300}/style.css"),
        ),
        (
            "a 4 KB path of short segments",
            format!("/static/{deep}x.css"),
        ),
        ("a NUL for a name", "/static/%00".to_owned()),
        ("a NUL after the name", "/static/style.css%00".to_owned()),
        (
            "a NUL before the extension",
            "/static/style%00.css".to_owned(),
        ),
        ("a name that is not UTF-8", "/static/%FF%FE".to_owned()),
        ("a unicode name", "/static/ünïcödé.css".to_owned()),
        (
            "a right-to-left override in the name",
            "/static/%E2%80%AEssc.elyts".to_owned(),
        ),
        ("three dots for a name", "/static/...".to_owned()),
        ("a hidden file's name", "/static/.env".to_owned()),
        (
            "a trailing slash after a file",
            "/static/style.css/".to_owned(),
        ),
        ("a path through a file", "/static/style.css/x".to_owned()),
        (
            "an encoded parent directory",
            "/static/%2e%2e%2fCargo.toml".to_owned(),
        ),
        (
            "dots before an encoded slash",
            "/static/..%2fCargo.toml".to_owned(),
        ),
        (
            "encoded backslashes",
            "/static/..%5c..%5cCargo.toml".to_owned(),
        ),
        ("a drive letter", "/static/C:/Windows/win.ini".to_owned()),
        (
            "an encoded absolute path",
            "/static/%2fetc%2fpasswd".to_owned(),
        ),
        ("the directory itself", "/static/".to_owned()),
        ("a missing file", "/static/nope.css".to_owned()),
    ] {
        corpus.add(
            format!("GET /static/... with {what}"),
            get(app, &path),
            not_found,
        );
    }
    for (what, path) in [
        ("a 300-byte name", format!("/photos/{a300}")),
        ("a 300-byte name ending .jpg", format!("/photos/{a300}.jpg")),
        (
            "a 4 KB path of short segments",
            format!("/photos/{deep}x.jpg"),
        ),
        ("a NUL for a name", "/photos/%00".to_owned()),
        ("a name that is not UTF-8", "/photos/%FF.jpg".to_owned()),
        (
            "a content hash nobody posted",
            format!("/photos/{}.jpg", "0".repeat(64)),
        ),
        (
            "an encoded way up to the secret",
            "/photos/..%2fsecret".to_owned(),
        ),
        (
            "a half-written file's name",
            "/photos/.0000.jpg.1.part".to_owned(),
        ),
        ("the directory itself", "/photos/".to_owned()),
        (
            "a trailing slash after a name",
            "/photos/0000.jpg/".to_owned(),
        ),
    ] {
        corpus.add(
            format!("GET /photos/... with {what}"),
            get(app, &path),
            not_found,
        );
    }
    for (what, path, expect) in [
        ("a trailing slash", "/favicon.ico/".to_owned(), not_found),
        (
            "a NUL after the name",
            "/favicon.ico%00".to_owned(),
            not_found,
        ),
        ("a path below it", "/favicon.ico/x".to_owned(), not_found),
        (
            "a 300-byte name",
            format!("/favicon.ico{}", "o".repeat(300)),
            not_found,
        ),
        ("a junk query", "/favicon.ico?%00&&=".to_owned(), is(&[200])),
    ] {
        corpus.add(
            format!("GET /favicon.ico with {what}"),
            get(app, &path),
            expect,
        );
    }
    for (what, path, expect) in [
        ("a trailing slash", "/healthz/".to_owned(), not_found),
        ("a NUL after the name", "/healthz%00".to_owned(), not_found),
        ("its name in upper case", "/HEALTHZ".to_owned(), not_found),
        (
            "a 300-byte segment below it",
            format!("/healthz/{a300}"),
            not_found,
        ),
        ("a junk query", "/healthz?x=%00&x=1".to_owned(), is(&[200])),
    ] {
        corpus.add(format!("GET /healthz with {what}"), get(app, &path), expect);
    }
    for (what, path) in [
        ("a 300-byte path", format!("/{a300}")),
        ("a NUL path", "/%00".to_owned()),
        ("a path that is not UTF-8", "/%FF".to_owned()),
        ("a unicode path", "/ünïcödé".to_owned()),
        ("/places alone", "/places".to_owned()),
        ("a country without a postal code", "/places/us".to_owned()),
        (
            "a segment past a place's events",
            "/places/us/97229/events/x".to_owned(),
        ),
        (
            "a trailing slash on a place",
            "/places/us/97229/".to_owned(),
        ),
        ("/events alone", "/events".to_owned()),
        ("/events/ without an id", "/events/".to_owned()),
        ("/api alone", "/api".to_owned()),
        ("/api/ alone", "/api/".to_owned()),
        ("a sun path without a country", "/api/sun/97229".to_owned()),
        ("a NUL under /api", "/api/%00".to_owned()),
        ("a 300-byte path under /api", format!("/api/{a300}")),
    ] {
        corpus.add(
            format!("GET an unknown address: {what}"),
            get(app, &path),
            not_found,
        );
    }
}

/// Every route with every method it does not take, an invented one included: 405.
fn methods(corpus: &mut Corpus, app: &TestApp, id: &str) {
    const GET_ONLY: &[&str] = &["GET"];
    const POST_ONLY: &[&str] = &["POST"];
    const GET_AND_POST: &[&str] = &["GET", "POST"];
    let routes = [
        ("/".to_owned(), GET_ONLY),
        ("/search?postal_code=97229&country=us".to_owned(), GET_ONLY),
        (PLACE.to_owned(), GET_ONLY),
        (POST.to_owned(), POST_ONLY),
        (format!("/events/{id}"), GET_ONLY),
        (format!("/events/{id}/edit"), GET_AND_POST),
        (format!("/events/{id}/delete"), GET_AND_POST),
        ("/saved".to_owned(), POST_ONLY),
        ("/saved/remove".to_owned(), POST_ONLY),
        ("/api/sun/97229/us".to_owned(), GET_ONLY),
        ("/api/weather/97229/us".to_owned(), GET_ONLY),
        ("/api/places/us/97229".to_owned(), GET_ONLY),
        ("/api/places/us/97229/events".to_owned(), GET_ONLY),
        ("/healthz".to_owned(), GET_ONLY),
        ("/static/style.css".to_owned(), GET_ONLY),
        ("/photos/0000.jpg".to_owned(), GET_ONLY),
        ("/favicon.ico".to_owned(), GET_ONLY),
    ];
    for (path, allowed) in &routes {
        for name in [
            "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW",
        ] {
            if allowed.contains(&name) {
                continue;
            }
            let method =
                Method::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            corpus.add(
                format!("{name} {path}"),
                app.client.request(method, format!("{}{path}", app.address)),
                is(&[405]),
            );
        }
    }
}

/// The event form, posted as a browser would with a valid CSRF token, field by field wrong.
fn event_forms(corpus: &mut Corpus, poster: &mut Poster) {
    // Fields left out.
    for (field, expect) in [
        ("title", is(&[422]).saying(&[TITLE_LENGTH])),
        ("starts_at", is(&[422]).saying(&[START_MISSING])),
        ("name", is(&[422]).saying(&[NAME_MISSING])),
        ("authenticity_token", is(&[403]).saying(&[FORM_EXPIRED])),
        ("submission_id", is(&[303])),
        ("website", is(&[303])),
        ("ends_at", is(&[303])),
        ("description", is(&[303])),
        ("link", is(&[303])),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event without the {field} field"),
            |fields| without(fields, field),
            Vec::new(),
            expect,
        );
    }
    poster.add(
        corpus,
        POST,
        "POST event with only the CSRF token",
        |fields| {
            fields
                .into_iter()
                .filter(|(name, _)| name == "authenticity_token")
                .collect()
        },
        Vec::new(),
        is(&[422]),
    );
    poster.add(
        corpus,
        POST,
        "POST event with no parts at all",
        |_| Vec::new(),
        Vec::new(),
        is(&[400, 403]),
    );

    // Control characters: one-line fields refuse them all; a description keeps tabs and line
    // breaks only.
    for (what, c) in [
        ("NUL", '\0'),
        ("bell", '\u{7}'),
        ("backspace", '\u{8}'),
        ("escape", '\u{1b}'),
        ("delete", '\u{7f}'),
        ("line feed", '\n'),
        ("carriage return", '\r'),
        ("tab", '\t'),
        ("C1 next-line", '\u{85}'),
        ("C1 control-sequence introducer", '\u{9b}'),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event with a {what} in the title"),
            |fields| set(fields, "title", format!("Market{c}day")),
            Vec::new(),
            is(&[422]).saying(&[TITLE_LINE]),
        );
        poster.add(
            corpus,
            POST,
            format!("POST event with a {what} in the name"),
            |fields| set(fields, "name", format!("Ana{c}Lee")),
            Vec::new(),
            is(&[422]).saying(&[NAME_LINE]),
        );
    }
    for (what, c) in [
        ("NUL", '\0'),
        ("escape", '\u{1b}'),
        ("delete", '\u{7f}'),
        ("form feed", '\u{c}'),
        ("C1 next-line", '\u{85}'),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event with a {what} in the description"),
            |fields| set(fields, "description", format!("Line one{c}line two")),
            Vec::new(),
            is(&[422]).saying(&[DESCRIPTION_PLAIN]),
        );
    }
    poster.add(
        corpus,
        POST,
        "POST event with tabs and CRLF line breaks in the description",
        |fields| set(fields, "description", "Stalls\tmusic\r\nFood\r\n"),
        Vec::new(),
        is(&[303]),
    );

    // Lengths.
    for (what, field, value, expect) in [
        (
            "a two-character title",
            "title",
            "ab".to_owned(),
            is(&[422]).saying(&[TITLE_LENGTH]),
        ),
        (
            "a 121-character title",
            "title",
            "x".repeat(121),
            is(&[422]).saying(&[TITLE_LENGTH]),
        ),
        (
            "a 10,000-character title",
            "title",
            "x".repeat(10_000),
            is(&[422]).saying(&[TITLE_LENGTH]),
        ),
        (
            "a 120-character title of two-byte letters",
            "title",
            "é".repeat(120),
            is(&[303]),
        ),
        (
            "a 61-character name",
            "name",
            "n".repeat(61),
            is(&[422]).saying(&[NAME_LENGTH]),
        ),
        (
            "a 4,001-character description",
            "description",
            "d".repeat(4001),
            is(&[422]).saying(&[DESCRIPTION_LENGTH]),
        ),
        (
            "a 1 MB description",
            "description",
            "d".repeat(1024 * 1024),
            is(&[422]).saying(&[DESCRIPTION_LENGTH]),
        ),
        (
            "a link over 2,000 characters",
            "link",
            format!("https://example.org/{}", "a".repeat(2000)),
            is(&[422]).saying(&[LINK_LENGTH]),
        ),
        (
            "a 5,000-character start",
            "starts_at",
            "2".repeat(5000),
            is(&[422]),
        ),
        (
            "a 5,000-character end",
            "ends_at",
            "2".repeat(5000),
            is(&[422]),
        ),
        (
            "a 10 KB honeypot",
            "website",
            "w".repeat(10 * 1024),
            is(&[303]),
        ),
        (
            "a 10 KB submission id",
            "submission_id",
            "s".repeat(10 * 1024),
            is(&[303]),
        ),
        (
            "a 10 KB CSRF token",
            "authenticity_token",
            "A".repeat(10 * 1024),
            is(&[403]).saying(&[FORM_EXPIRED]),
        ),
        (
            "a 100 KB field it does not know",
            "notes",
            "n".repeat(100 * 1024),
            is(&[303]),
        ),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event with {what}"),
            |fields| set(fields, field, value),
            Vec::new(),
            expect,
        );
    }
    let long_field_name = "f".repeat(10 * 1024);
    poster.add(
        corpus,
        POST,
        "POST event with a 10 KB field name",
        |fields| set(fields, &long_field_name, "x"),
        Vec::new(),
        ANY,
    );

    // Blank, invisible and odd text.
    for (what, field, value, expect) in [
        (
            "a title of zero-width spaces only",
            "title",
            "\u{200B}\u{200B}\u{200B}",
            is(&[422]).saying(&[TITLE_INVISIBLE]),
        ),
        (
            "a title of byte-order marks only",
            "title",
            "\u{FEFF}\u{FEFF}\u{FEFF}",
            is(&[422]).saying(&[TITLE_INVISIBLE]),
        ),
        (
            "a title of zero-width joiners only",
            "title",
            "\u{200D}\u{200C}\u{2060}",
            is(&[422]).saying(&[TITLE_INVISIBLE]),
        ),
        (
            "a title of Hangul fillers only",
            "title",
            "\u{3164}\u{3164}\u{3164}",
            is(&[422]).saying(&[TITLE_INVISIBLE]),
        ),
        (
            "a title of spaces only",
            "title",
            "     ",
            is(&[422]).saying(&[TITLE_LENGTH]),
        ),
        (
            "a title of ideographic spaces only",
            "title",
            "\u{3000}\u{3000}\u{3000}",
            is(&[422]).saying(&[TITLE_LENGTH]),
        ),
        (
            "a title of no-break spaces only",
            "title",
            "\u{A0}\u{A0}\u{A0}",
            is(&[422]).saying(&[TITLE_LENGTH]),
        ),
        (
            "a title of combining accents only",
            "title",
            "\u{301}\u{301}\u{301}",
            ANY,
        ),
        (
            "a right-to-left override in the title",
            "title",
            "abc\u{202E}def",
            is(&[422]).saying(&[TITLE_DIRECTION]),
        ),
        (
            "a right-to-left isolate in the title",
            "title",
            "abc\u{2067}def",
            is(&[422]).saying(&[TITLE_DIRECTION]),
        ),
        (
            "a right-to-left override in the name",
            "name",
            "abc\u{202E}def",
            is(&[422]).saying(&[NAME_DIRECTION]),
        ),
        (
            "a right-to-left override in the description",
            "description",
            "Stalls \u{202E}and music",
            is(&[422]).saying(&[DESCRIPTION_PLAIN]),
        ),
        // The plain right-to-left mark is what right-to-left writing needs: it stays allowed.
        (
            "a right-to-left mark in the title",
            "title",
            "שוק\u{200F} 2026",
            is(&[303]),
        ),
        (
            "a name of one zero-width space",
            "name",
            "\u{200B}",
            is(&[422]).saying(&[NAME_INVISIBLE]),
        ),
        ("a title of emoji", "title", "🎉🎊🎈", ANY),
        (
            "markup in the title",
            "title",
            "<script>alert(1)</script>",
            ANY,
        ),
        (
            "SQL in the title",
            "title",
            "'); DROP TABLE events; --",
            ANY,
        ),
        (
            "a title of replacement characters",
            "title",
            "\u{FFFD}\u{FFFD}\u{FFFD}",
            ANY,
        ),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event with {what}"),
            |fields| set(fields, field, value),
            Vec::new(),
            expect,
        );
    }

    // Times a datetime-local input would never send.
    let gap = spring_forward_gap();
    for (what, value) in [
        ("February 30th", "2026-02-30T10:00"),
        ("a 13th month", "2026-13-01T10:00"),
        ("month 0", "2026-00-10T10:00"),
        ("hour 24", "2026-12-01T24:00"),
        ("minute 60", "2026-12-01T18:60"),
        ("second 61", "2026-12-01T18:30:61"),
        ("a space for the T", "2026-12-01 18:30"),
        ("a date without a time", "2026-12-01"),
        ("a time without a date", "18:30"),
        ("words", "next friday at six"),
        ("a UTC designator", "2026-12-01T18:30Z"),
        ("an offset", "2026-12-01T18:30+01:00"),
        ("milliseconds", "2026-12-01T18:30:00.000"),
        ("the largest JavaScript date", "+275760-09-13T00:00"),
        ("year -1", "-0001-01-01T00:00"),
        ("all zeros", "0000-00-00T00:00"),
        ("the Unix epoch", "1970-01-01T00:00"),
        ("the year 2100", "2100-01-01T00:00"),
        ("a five-digit year", "99999-12-31T23:59"),
        ("full-width digits", "２０２６-12-01T18:30"),
        ("a NUL", "\u{0}"),
        ("a time in the spring-forward gap", gap.as_str()),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event starting at {what}"),
            |fields| set(fields, "starts_at", value),
            Vec::new(),
            is(&[422]),
        );
    }
    for (what, value) in [
        ("a word", "soon"),
        ("February 30th", "2026-02-30T10:00"),
        ("a date without a time", "2026-12-01"),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event ending at {what}"),
            |fields| set(fields, "ends_at", value),
            Vec::new(),
            is(&[422]),
        );
    }
    let day = (Utc::now() + TimeDelta::days(10))
        .with_timezone(&Tz::America__Los_Angeles)
        .format("%Y-%m-%d")
        .to_string();
    for (what, end) in [
        ("when it starts", "18:30"),
        ("an hour before it starts", "17:30"),
    ] {
        let (start, end) = (format!("{day}T18:30"), format!("{day}T{end}"));
        poster.add(
            corpus,
            POST,
            format!("POST event ending {what}"),
            |fields| set(set(fields, "starts_at", start), "ends_at", end),
            Vec::new(),
            is(&[422]),
        );
    }

    // Links that are not web addresses.
    for (what, value) in [
        ("a javascript: link", "javascript:alert(1)"),
        ("a javascript: link in mixed case", "JaVaScRiPt:alert(1)"),
        (
            "a javascript: link wrapped in spaces",
            "  javascript:alert(1)  ",
        ),
        ("a javascript: link split by a tab", "java\tscript:alert(1)"),
        (
            "a javascript: link dressed as an address",
            "javascript://example.org/%0Aalert(1)",
        ),
        ("a data: link", "data:text/html,<script>alert(1)</script>"),
        ("a vbscript: link", "vbscript:msgbox(1)"),
        ("a file: link", "file:///etc/passwd"),
        ("an ftp: link", "ftp://example.org/"),
        ("a mailto: link", "mailto:ana@example.org"),
        ("a link of a scheme alone", "https://"),
        ("a scheme-relative link", "//example.org/market"),
        ("a link without a scheme", "example.org/market"),
        ("a link with a space in its host", "https://exa mple.org/"),
        ("a link with an unclosed IPv6 host", "http://[::1/"),
        (
            "a link behind a right-to-left override",
            "\u{202E}https://example.org/",
        ),
    ] {
        poster.add(
            corpus,
            POST,
            format!("POST event with {what}"),
            |fields| set(fields, "link", value),
            Vec::new(),
            is(&[422]).saying(&[LINK]),
        );
    }

    // Photos: a real JPEG cut at each byte of its start-of-scan header, then broken and
    // disguised files. None may leave a file behind.
    let jpeg = pictures::jpeg_with_gps(64, 48);
    let scan = start_of_scan(&jpeg);
    for cut in 0..=12 {
        poster.add(
            corpus,
            POST,
            format!("POST event with a JPEG cut {cut} bytes past its start-of-scan marker"),
            |fields| fields,
            vec![(
                "photo",
                photo_part(jpeg[..scan + cut].to_vec(), "cut.jpg", "image/jpeg"),
            )],
            is(&[422]).saying(&[DAMAGED]),
        );
    }
    let png = pictures::png(64, 64);
    let garbage = b"\x13\x37 this is not a picture ".repeat(64);
    let long_file_name = format!("{}.jpg", "n".repeat(1000));
    let refused = is(&[422]).saying(PHOTO_REFUSED);
    let not_an_image = is(&[422]).saying(&[NOT_AN_IMAGE]);
    let photos: Vec<(&str, Vec<u8>, &str, &str, Expect)> = vec![
        (
            "the six-byte JPEG FF D8 FF DA 00 0C named x.jpg",
            vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x0C],
            "x.jpg",
            "image/jpeg",
            refused,
        ),
        (
            "a JPEG whose start of scan claims 64 KB",
            vec![0xFF, 0xD8, 0xFF, 0xDA, 0xFF, 0xFF, 0x00],
            "x.jpg",
            "image/jpeg",
            refused,
        ),
        (
            "a JPEG whose first segment claims 64 KB",
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0x4A, 0x46],
            "x.jpg",
            "image/jpeg",
            refused,
        ),
        (
            "a JPEG with an empty start of scan",
            vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x00, 0xFF, 0xD9],
            "x.jpg",
            "image/jpeg",
            refused,
        ),
        ("a JPEG's first three bytes", vec![0xFF, 0xD8, 0xFF], "x.jpg", "image/jpeg", refused),
        ("a JPEG's start-of-image marker alone", vec![0xFF, 0xD8], "x.jpg", "image/jpeg", refused),
        (
            "a JPEG's start and end markers with nothing between",
            vec![0xFF, 0xD8, 0xFF, 0xD9],
            "x.jpg",
            "image/jpeg",
            refused,
        ),
        (
            "a PNG cut in half",
            png[..png.len() / 2].to_vec(),
            "half.png",
            "image/png",
            is(&[422]).saying(&[DAMAGED]),
        ),
        ("a PNG signature alone", png[..8].to_vec(), "signature.png", "image/png", refused),
        (
            "a text file named photo.png",
            b"Not a picture: a shopping list.\n".to_vec(),
            "photo.png",
            "image/png",
            not_an_image,
        ),
        ("garbage named x.jpg", garbage.clone(), "x.jpg", "image/jpeg", not_an_image),
        (
            "an HTML page named photo.jpg",
            b"<html><script>alert(1)</script></html>".to_vec(),
            "photo.jpg",
            "image/jpeg",
            not_an_image,
        ),
        (
            "an SVG named photo.png",
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec(),
            "photo.png",
            "image/png",
            not_an_image,
        ),
        (
            "a GIF",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec(),
            "anim.gif",
            "image/gif",
            not_an_image,
        ),
        (
            "a BMP header",
            [&b"BM"[..], &[0u8; 60][..]].concat(),
            "x.bmp",
            "image/bmp",
            not_an_image,
        ),
        (
            "a WebP header claiming a gigabyte",
            [&b"RIFF\xff\xff\xff\x3fWEBPVP8 "[..], &[0u8; 20][..]].concat(),
            "x.webp",
            "image/webp",
            is(&[422]).saying(&[DAMAGED]),
        ),
        (
            "garbage with a path for a file name",
            garbage.clone(),
            "../../../etc/passwd",
            "image/jpeg",
            not_an_image,
        ),
        (
            "garbage with a 1,000-character file name",
            garbage.clone(),
            long_file_name.as_str(),
            "image/jpeg",
            not_an_image,
        ),
        (
            "garbage declared as text/html",
            garbage.clone(),
            "x.html",
            "text/html",
            not_an_image,
        ),
        (
            "a photo of 5 MB and one byte",
            vec![0x42; 5 * 1024 * 1024 + 1],
            "big.jpg",
            "image/jpeg",
            is(&[422]).saying(&[PHOTO_TOO_LARGE]),
        ),
        (
            "a photo of 7 MB, past the body limit",
            vec![0x42; 7 * 1024 * 1024],
            "huge.jpg",
            "image/jpeg",
            is(&[413]).saying(&[TOO_LARGE]),
        ),
        // What a browser sends when no file was chosen: no photo, and the event is stored.
        (
            "an empty photo part without a file name",
            Vec::new(),
            "",
            "application/octet-stream",
            is(&[303]),
        ),
        ("an empty file named x.jpg", Vec::new(), "x.jpg", "image/jpeg", is(&[303])),
    ];
    for (what, bytes, file_name, content_type, expect) in photos {
        poster.add(
            corpus,
            POST,
            format!("POST event with {what}"),
            |fields| fields,
            vec![("photo", photo_part(bytes, file_name, content_type))],
            expect,
        );
    }
    poster.add(
        corpus,
        POST,
        "POST event with two garbage photos",
        |fields| fields,
        vec![
            ("photo", photo_part(garbage.clone(), "a.jpg", "image/jpeg")),
            (
                "photo",
                photo_part(b"plain text".to_vec(), "b.png", "image/png"),
            ),
        ],
        not_an_image,
    );
    poster.add(
        corpus,
        POST,
        "POST event with a photo part that has no file name",
        |fields| fields,
        vec![("photo", Part::bytes(garbage.clone()))],
        not_an_image,
    );

    // Fields repeated: which one counts is the app's choice; none may cost a 5xx.
    let csrf = poster.csrf().to_owned();
    poster.add(
        corpus,
        POST,
        "POST event with the title twice, the second one good",
        |fields| repeated(set(fields, "title", "ab"), "title", "A good second title"),
        Vec::new(),
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with the title twice, the second one empty",
        |fields| repeated(fields, "title", ""),
        Vec::new(),
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with the title fifty times",
        |fields| {
            (0..50).fold(fields, |fields, i| {
                repeated(fields, "title", format!("Title {i}"))
            })
        },
        Vec::new(),
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with a forged CSRF token, then the real one",
        |fields| {
            repeated(
                set(fields, "authenticity_token", FORGED),
                "authenticity_token",
                csrf,
            )
        },
        Vec::new(),
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with the real CSRF token, then a forged one",
        |fields| repeated(fields, "authenticity_token", FORGED),
        Vec::new(),
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with every field twice",
        |fields| {
            let again = fields.clone();
            fields.into_iter().chain(again).collect()
        },
        Vec::new(),
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with the submission id twice",
        |fields| repeated(fields, "submission_id", "0123456789abcdef0123456789abcdef"),
        Vec::new(),
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with a file upload for the title",
        |fields| fields,
        vec![(
            "title",
            photo_part(b"A title from a file".to_vec(), "title.txt", "text/plain"),
        )],
        ANY,
    );
    poster.add(
        corpus,
        POST,
        "POST event with a title that is not UTF-8",
        |fields| without(fields, "title"),
        vec![("title", Part::bytes(vec![0xFF, 0xFE, 0xC3, 0x28, 0x41]))],
        ANY,
    );
}

/// Multipart bodies written by hand: `fields` as parts, then `extra` (raw parts, each from its
/// boundary line to its CRLF), then the closing boundary.
fn multipart_body(boundary: &str, fields: &Fields, extra: &str) -> String {
    let mut body: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
        })
        .collect();
    body.push_str(extra);
    body.push_str(&format!("--{boundary}--\r\n"));
    body
}

/// The event post with bodies and content types a browser would not send. Those the app cannot
/// read are a 4xx (a 400, or a 403 when it read no CSRF token); those it can read it may
/// accept.
fn multipart_bodies(corpus: &mut Corpus, poster: &mut Poster) {
    const B: &str = "CorpusBoundary7MA4YWxkTrZu0gW";
    let with_boundary = format!("multipart/form-data; boundary={B}");
    let part = |name: &str, headers: &str, value: &str| {
        format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n{headers}\r\n{value}\r\n"
        )
    };
    let closing = format!("--{B}--\r\n");
    let long_boundary = "b".repeat(200);
    let mut cases: Vec<(&str, Option<String>, Vec<u8>, Expect)> = vec![
        (
            "a body whose boundary is not the header's",
            Some(format!("multipart/form-data; boundary=Other{B}")),
            multipart_body(B, &poster.fields(), "").into_bytes(),
            is(&[400, 403]),
        ),
        (
            "no boundary parameter",
            Some("multipart/form-data".to_owned()),
            multipart_body(B, &poster.fields(), "").into_bytes(),
            is(&[400]),
        ),
        (
            "an empty boundary parameter",
            Some("multipart/form-data; boundary=".to_owned()),
            multipart_body(B, &poster.fields(), "").into_bytes(),
            CLIENT_ERROR,
        ),
        (
            "a urlencoded body",
            Some("application/x-www-form-urlencoded".to_owned()),
            b"title=Urlencoded+post&name=Ana".to_vec(),
            is(&[400]),
        ),
        (
            "no Content-Type",
            None,
            multipart_body(B, &poster.fields(), "").into_bytes(),
            is(&[400]),
        ),
        (
            "a text/plain Content-Type",
            Some("text/plain".to_owned()),
            multipart_body(B, &poster.fields(), "").into_bytes(),
            is(&[400]),
        ),
        (
            "a JSON body",
            Some("application/json".to_owned()),
            br#"{"title":"Json post"}"#.to_vec(),
            is(&[400]),
        ),
        (
            "a body cut off inside a part's headers",
            Some(with_boundary.clone()),
            format!("--{B}\r\nContent-Disposition: form-da").into_bytes(),
            is(&[400, 403]),
        ),
        ("an empty body", Some(with_boundary.clone()), Vec::new(), is(&[400, 403])),
        (
            "a body of boundary lines only",
            Some(with_boundary.clone()),
            format!("--{B}\r\n").repeat(1000).into_bytes(),
            CLIENT_ERROR,
        ),
        (
            "line feeds instead of CRLF",
            Some(with_boundary.clone()),
            multipart_body(B, &poster.fields(), "")
                .replace("\r\n", "\n")
                .into_bytes(),
            ANY,
        ),
        (
            "a part without Content-Disposition",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &poster.fields(),
                &format!("--{B}\r\nContent-Type: text/plain\r\n\r\nhello\r\n"),
            )
            .into_bytes(),
            ANY,
        ),
        (
            "a part header line without a colon",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &poster.fields(),
                &format!("--{B}\r\nContent-Disposition form-data name=title\r\n\r\nx\r\n"),
            )
            .into_bytes(),
            ANY,
        ),
        (
            "a part without the blank line after its headers",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &poster.fields(),
                &format!("--{B}\r\nContent-Disposition: form-data; name=\"title\"\r\nNo blank line\r\n"),
            )
            .into_bytes(),
            ANY,
        ),
        (
            "a 10 KB part header",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &poster.fields(),
                &format!(
                    "--{B}\r\nContent-Disposition: form-data; name=\"pad\"; filename=\"{}\"\r\n\r\nx\r\n",
                    "f".repeat(10 * 1024)
                ),
            )
            .into_bytes(),
            ANY,
        ),
        (
            "a part name with an escaped quote",
            Some(with_boundary.clone()),
            multipart_body(B, &poster.fields(), &part("title\\\"x", "", "Quoted")).into_bytes(),
            ANY,
        ),
        (
            "a NUL in a part name",
            Some(with_boundary.clone()),
            multipart_body(B, &poster.fields(), &part("ti\0tle", "", "Nul name")).into_bytes(),
            ANY,
        ),
        (
            "an attachment disposition",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &poster.fields(),
                &format!("--{B}\r\nContent-Disposition: attachment; name=\"title\"\r\n\r\nAttached\r\n"),
            )
            .into_bytes(),
            ANY,
        ),
        (
            "a UTF-7 title part",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &poster.fields(),
                &part("title", "Content-Type: text/plain; charset=utf-7\r\n", "+AGEAYgBj-"),
            )
            .into_bytes(),
            ANY,
        ),
        (
            "a base64 title part",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &poster.fields(),
                &part("title", "Content-Transfer-Encoding: base64\r\n", "QmFzZTY0IHRpdGxl"),
            )
            .into_bytes(),
            ANY,
        ),
        (
            "the boundary inside a value",
            Some(with_boundary.clone()),
            multipart_body(
                B,
                &set(poster.fields(), "description", format!("before --{B} after")),
                "",
            )
            .into_bytes(),
            ANY,
        ),
        (
            "1,000 parts with empty names",
            Some(with_boundary.clone()),
            multipart_body(B, &poster.fields(), &part("", "", "").repeat(1000)).into_bytes(),
            ANY,
        ),
        (
            "text after the closing boundary",
            Some(with_boundary.clone()),
            format!(
                "{}after the end\r\n{closing}",
                multipart_body(B, &poster.fields(), "")
            )
            .into_bytes(),
            ANY,
        ),
        (
            "a 200-character boundary",
            Some(format!("multipart/form-data; boundary={long_boundary}")),
            multipart_body(&long_boundary, &poster.fields(), "").into_bytes(),
            ANY,
        ),
        (
            "a quoted boundary with spaces",
            Some("multipart/form-data; boundary=\"a b c\"".to_owned()),
            multipart_body("a b c", &poster.fields(), "").into_bytes(),
            ANY,
        ),
    ];
    let whole = multipart_body(B, &poster.fields(), "");
    cases.push((
        "a body cut off before its closing boundary",
        Some(with_boundary.clone()),
        whole.as_bytes()[..whole.len() - closing.len()].to_vec(),
        is(&[400, 403]),
    ));
    for (what, content_type, body, expect) in cases {
        let request = poster.post(POST).body(body);
        let request = match content_type {
            Some(content_type) => request.header("content-type", content_type),
            None => request,
        };
        corpus.add(format!("POST event with {what}"), request, expect);
    }
}

/// Posts a browser says come from another site: refused whatever tokens they carry, the right
/// private token included; reading is not affected, and this site's own origin passes.
fn cross_site_posts(
    corpus: &mut Corpus,
    app: &TestApp,
    poster: &mut Poster,
    id: &str,
    token: &str,
) {
    let cross_site = is(&[403]).saying(&[CROSS_SITE]);
    let own_origin = app.address.clone();
    for (what, name, value, expect) in [
        (
            "an Origin of another site",
            "origin",
            b"http://evil.example".to_vec(),
            cross_site,
        ),
        ("an Origin of null", "origin", b"null".to_vec(), cross_site),
        (
            "an Origin of garbage",
            "origin",
            b"garbage".to_vec(),
            cross_site,
        ),
        (
            "an Origin with a path",
            "origin",
            format!("{own_origin}/x").into_bytes(),
            cross_site,
        ),
        (
            "an Origin of this host on another port",
            "origin",
            b"http://127.0.0.1:1".to_vec(),
            cross_site,
        ),
        (
            "an Origin that is not UTF-8",
            "origin",
            b"http://\xff\xfe".to_vec(),
            cross_site,
        ),
        (
            "Sec-Fetch-Site cross-site",
            "sec-fetch-site",
            b"cross-site".to_vec(),
            cross_site,
        ),
        (
            "Sec-Fetch-Site same-site",
            "sec-fetch-site",
            b"same-site".to_vec(),
            cross_site,
        ),
        (
            "a Sec-Fetch-Site that is not UTF-8",
            "sec-fetch-site",
            b"\xff".to_vec(),
            cross_site,
        ),
        (
            "this site's own Origin",
            "origin",
            own_origin.clone().into_bytes(),
            is(&[303]),
        ),
        (
            "Sec-Fetch-Site same-origin",
            "sec-fetch-site",
            b"same-origin".to_vec(),
            is(&[303]),
        ),
    ] {
        let value = HeaderValue::from_bytes(&value).unwrap_or_else(|e| panic!("{what}: {e}"));
        let (form, title) = poster.form(|fields| fields, Vec::new());
        corpus.add_post(
            format!("POST event with {what}"),
            title,
            poster
                .post(POST)
                .header(name, value.clone())
                .multipart(form),
            expect,
        );
        corpus.add(
            format!("POST /saved with {what}"),
            poster.post("/saved").header(name, value).form(&[
                ("country", "us"),
                ("postal_code", "97229"),
                ("authenticity_token", poster.csrf()),
            ]),
            expect,
        );
    }
    let csrf = poster.csrf();
    corpus.add(
        "POST /events/{id}/delete with both right tokens from another site",
        poster
            .post(&format!("/events/{id}/delete"))
            .header("origin", "http://evil.example")
            .form(&[("token", token), ("authenticity_token", csrf)]),
        cross_site,
    );
    corpus.add(
        "POST /events/{id}/edit with both right tokens from another site",
        poster
            .post(&format!("/events/{id}/edit"))
            .header("sec-fetch-site", "cross-site")
            .form(&[
                ("title", "Hijacked from afar"),
                ("starts_at", event_start().as_str()),
                ("name", "Mallory"),
                ("token", token),
                ("authenticity_token", csrf),
            ]),
        cross_site,
    );
    for (what, path) in [("GET /", "/"), ("GET /places/us/97229", PLACE)] {
        corpus.add(
            format!("{what} with Sec-Fetch-Site cross-site"),
            get(app, path).header("sec-fetch-site", "cross-site"),
            is(&[200]),
        );
    }
}

/// Dot segments, written on the socket since clients resolve them: nothing outside a served
/// directory is reached, and a place or id of dots is refused like any other bad one.
fn dot_segments(corpus: &mut Corpus, host: &str) {
    let refused = is(&[400, 404]);
    for (path, expect) in [
        ("/static/../Cargo.toml", refused),
        ("/static/%2e%2e/Cargo.toml", refused),
        ("/static/.../../Cargo.toml", refused),
        ("/static/./style.css", ANY),
        ("/photos/../secret", refused),
        ("/photos/%2E%2E/secret", refused),
        ("/photos/./../secret", refused),
        ("/places/us/..", refused),
        ("/places/../97229", refused),
        ("/places/./97229", refused),
        ("/events/../healthz", refused),
        ("/events/./edit", refused),
        ("/api/sun/../us", refused),
        ("/api/places/us/../events", refused),
        ("/..", refused),
        ("/.", refused),
        ("/favicon.ico/..", refused),
        ("/healthz/..", refused),
    ] {
        corpus.add_raw(
            format!("raw GET {path}"),
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
            expect,
        );
    }
}
