//! Starting the app for a test: a fake upstream (wiremock) on 127.0.0.1, a fresh database, and
//! the real router served on a free port. The database is a SQLite file in a temporary
//! directory; when `CITYSCAPE_TEST_POSTGRES_URL` names a PostgreSQL server
//! (`postgres://user@127.0.0.1:port`, as `tests/postgres.sh` starts one), it is a fresh
//! database there, and the same suite runs on PostgreSQL.

use std::sync::Once;

use chrono::Utc;
use chrono_tz::Tz;
use clap::Parser;
use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

use cityscape::{config::Config, routes, server, state::AppState};

use crate::fixtures;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub upstream: MockServer,
    pub database_url: String,
    /// Where the cities are: the database itself on SQLite, a file of their own otherwise.
    pub cities_database_url: String,
    /// The command line it was started with.
    pub args: Vec<String>,
    _dir: TempDir,
}

/// Logs go to the terminal only when `TEST_LOG` is set, so test output stays readable.
fn init_logging() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("info,sqlx=warn"))
                .with_test_writer()
                .init();
        }
    });
}

/// An app in live mode whose three providers are the fake upstream.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// As `spawn_app`, with more command-line flags (`--cache off`, `--upstream-timeout-ms 300`).
/// The cities searched are a handful (`SMALL_CITIES`), so that starting is quick.
pub async fn spawn_app_with(extra_args: &[&str]) -> TestApp {
    spawn(extra_args, Cities::Small, Backend::AsTheRunSays).await
}

/// As `spawn_app_with`, searching every city of the file built into the binary.
pub async fn spawn_app_with_every_city(extra_args: &[&str]) -> TestApp {
    spawn(extra_args, Cities::BuiltIn, Backend::AsTheRunSays).await
}

/// As `spawn_app_with`, on a SQLite file whichever backend the run tests: for what only SQLite
/// has (a file's size limit, migrations from SQLite's past, the cities' own tables).
pub async fn spawn_app_on_sqlite(extra_args: &[&str]) -> TestApp {
    spawn(extra_args, Cities::Small, Backend::Sqlite).await
}

enum Backend {
    /// PostgreSQL when `CITYSCAPE_TEST_POSTGRES_URL` is set, SQLite otherwise.
    AsTheRunSays,
    Sqlite,
}

/// The PostgreSQL server the run tests on, if it tests on one.
pub fn postgres_server() -> Option<String> {
    std::env::var("CITYSCAPE_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| url.trim_end_matches('/').to_owned())
}

/// A new, empty database on the PostgreSQL server: its URL.
pub async fn fresh_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "cityscape_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        Utc::now().timestamp_micros()
    );
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE: {e}"));
    admin.close().await.unwrap_or_else(|e| panic!("{e}"));
    format!("{server}/{name}")
}

enum Cities {
    Small,
    BuiltIn,
}

/// A few cities in the built-in file's form (`geodata/rebuild.py`).
pub const SMALL_CITIES: &str = "\
2657896\tZürich\tCH\tSwitzerland\tZH\t\t47.36667\t8.55000\t415367\tEurope/Zurich\tZurich|Zurigo|チューリッヒ
4975802\tPortland\tUS\tUnited States\tME\tMaine\t43.65737\t-70.25890\t66881\tAmerica/New_York\tPWM
5746545\tPortland\tUS\tUnited States\tOR\tOregon\t45.52345\t-122.67621\t652503\tAmerica/Los_Angeles\tPDX|Stumptown
";

/// Writes `lines` as a gzipped cities file.
pub fn write_cities_file(path: &std::path::Path, lines: &str) {
    use std::io::Write;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let written = gzip
        .write_all(lines.as_bytes())
        .and_then(|()| gzip.finish());
    let bytes = written.unwrap_or_else(|e| panic!("gzip: {e}"));
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cities file: {e}"));
}

async fn spawn(extra_args: &[&str], cities: Cities, backend: Backend) -> TestApp {
    init_logging();
    let upstream = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let sqlite_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("cityscape.db").display()
    );
    let given = extra_args
        .iter()
        .position(|a| *a == "--database-url")
        .and_then(|at| extra_args.get(at + 1))
        .map(|url| (*url).to_owned());
    let database_url = match (given, backend, postgres_server()) {
        (Some(url), _, _) => url,
        (None, Backend::AsTheRunSays, Some(server)) => fresh_postgres_database(&server).await,
        _ => sqlite_url,
    };
    // On PostgreSQL the cities are in a file of the data directory: the server's default.
    let cities_database_url = if database_url.starts_with("postgres") {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("data").join("cities.db").display()
        )
    } else {
        database_url.clone()
    };
    let upstream_uri = upstream.uri();
    let data_dir = dir.path().join("data").display().to_string();
    let cities_file = dir.path().join("cities.tsv.gz");
    write_cities_file(&cities_file, SMALL_CITIES);
    let cities_file = cities_file.display().to_string();
    let mut defaults = vec![
        ("--database-url", database_url.as_str()),
        ("--geocoder-url", upstream_uri.as_str()),
        ("--weather-url", upstream_uri.as_str()),
        ("--sun-url", upstream_uri.as_str()),
        ("--upstream-timeout-ms", "1000"),
        ("--data-dir", data_dir.as_str()),
        // Tests post quickly; the rate limit has its own test.
        ("--post-limit", "0"),
    ];
    if let Cities::Small = cities {
        defaults.push(("--cities-file", cities_file.as_str()));
    }
    let mut args = vec!["cityscape".to_owned()];
    for (flag, value) in defaults {
        // A flag the test gives itself replaces the default.
        if !extra_args.contains(&flag) {
            args.extend([flag.to_owned(), value.to_owned()]);
        }
    }
    args.extend(extra_args.iter().map(|s| s.to_string()));
    let address = start_server(&args).await;
    TestApp {
        address,
        client: client(),
        upstream,
        database_url,
        cities_database_url,
        args,
        _dir: dir,
    }
}

/// A client that shows redirects rather than following them.
/// A client that neither asks for nor decodes compressed bodies: the encoding on the wire shows.
pub fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

async fn start_server(args: &[String]) -> String {
    let config = Config::try_parse_from(args).unwrap_or_else(|e| panic!("config: {e}"));
    let state = AppState::build(&config)
        .await
        .unwrap_or_else(|e| panic!("state: {e}"));
    let listener = server::listen("127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("listen: {e}"));
    let address = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let app = routes::router(state, &config);
    let limits = server::ConnectionLimits::from_config(&config);
    tokio::spawn(server::serve(listener, app, limits, std::future::pending()));
    address
}

impl TestApp {
    /// A second server on the same database and upstream, as after a restart.
    pub async fn start_another_server(&self) -> String {
        start_server(&self.args).await
    }

    /// A second server on the same database, started with `args` (its own changed flags).
    pub async fn start_server_with(&self, args: &[String]) -> String {
        start_server(args).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_from(&self.address, path).await
    }

    pub async fn get_from(&self, address: &str, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{address}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.unwrap_or_default())
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.get(path).await;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("application/json"),
            "{path}: content-type {content_type:?}"
        );
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// How many requests the fake upstream received on paths starting with `prefix`.
    pub async fn calls_to(&self, prefix: &str) -> usize {
        self.upstream
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path().starts_with(prefix))
            .count()
    }

    pub async fn calls(&self) -> (usize, usize, usize) {
        (
            self.calls_to("/us/").await,
            self.calls_to("/v1/forecast").await,
            self.calls_to("/json").await,
        )
    }

    pub async fn mount_geocoder(&self, postal_path: &str, response: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path(postal_path))
            .respond_with(response)
            .mount(&self.upstream)
            .await;
    }

    pub async fn mount_weather(&self, response: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path("/v1/forecast"))
            .respond_with(response)
            .mount(&self.upstream)
            .await;
    }

    pub async fn mount_sun(&self, response: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path("/json"))
            .respond_with(response)
            .mount(&self.upstream)
            .await;
    }

    /// Portland, 97229: all three providers answer well.
    pub async fn mount_portland(&self) {
        self.mount_geocoder(
            "/us/97229",
            ResponseTemplate::new(200).set_body_json(fixtures::portland()),
        )
        .await;
        self.mount_weather(good_weather()).await;
        self.mount_sun(ResponseTemplate::new(200).set_body_json(fixtures::any_sun_answer()))
            .await;
    }
}

pub fn good_weather() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixtures::open_meteo(
        Tz::America__Los_Angeles,
        Utc::now(),
        7.4,
    ))
}

/// The value of a response header, or "".
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A client like a browser: it keeps cookies, and shows redirects rather than following them.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// The hidden fields a page's form carries.
#[derive(Debug, Clone)]
pub struct FormTokens {
    pub authenticity_token: String,
    pub submission_id: String,
}

/// Opens the page at `url` (of any server) in `browser` and reads its form's hidden fields.
pub async fn form_tokens_at(browser: &reqwest::Client, url: &str) -> FormTokens {
    let html = browser
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .text()
        .await
        .unwrap_or_default();
    FormTokens {
        authenticity_token: hidden_value(&html, "authenticity_token"),
        submission_id: hidden_value(&html, "submission_id"),
    }
}

/// The value of the first `name="{name}"` input in `html`.
pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    html.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| unescape(value))
        .unwrap_or_default()
}

/// Undoes the HTML escaping of the characters a token or a typed value may hold.
pub fn unescape(value: &str) -> String {
    value
        .replace("&#43;", "+")
        .replace("&#47;", "/")
        .replace("&#61;", "=")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

impl TestApp {
    /// Opens `path` in `browser` (its cookies go along) and returns the page's HTML.
    pub async fn browse(&self, browser: &reqwest::Client, path: &str) -> String {
        browser
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .text()
            .await
            .unwrap_or_default()
    }

    /// Opens a page in `browser` and reads its form's hidden fields.
    pub async fn form_tokens(&self, browser: &reqwest::Client, path: &str) -> FormTokens {
        form_tokens_at(browser, &format!("{}{path}", self.address)).await
    }

    pub async fn post_multipart(
        &self,
        browser: &reqwest::Client,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        browser
            .post(format!("{}{path}", self.address))
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub async fn post_form(
        &self,
        browser: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        browser
            .post(format!("{}{path}", self.address))
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// The upcoming events the API lists for a place.
    pub async fn listed_events(&self, country: &str, postal_code: &str) -> Vec<Value> {
        let (status, body) = self
            .get_json(&format!(
                "/api/places/{country}/{postal_code}/events?limit=1000"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["events"].as_array().cloned().unwrap_or_default()
    }

    /// Where a photo file of this name is stored.
    pub fn photo_path(&self, name: &str) -> std::path::PathBuf {
        self._dir.path().join("data").join("photos").join(name)
    }

    /// Files under the photo directory, temporary ones included.
    pub fn photo_files(&self) -> Vec<String> {
        std::fs::read_dir(self._dir.path().join("data").join("photos"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The titles of the events in an API answer's `events`, sorted.
pub fn sorted_titles(answer: &Value) -> Vec<String> {
    let mut titles: Vec<String> = answer["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["title"].as_str().map(str::to_owned))
        .collect();
    titles.sort();
    titles
}

/// An event form with sensible values; `overrides` replace or add fields.
pub fn event_form(tokens: &FormTokens, overrides: &[(&str, &str)]) -> reqwest::multipart::Form {
    let start = (Utc::now() + chrono::TimeDelta::days(10))
        .with_timezone(&Tz::America__Los_Angeles)
        .format("%Y-%m-%dT18:30")
        .to_string();
    let mut fields: Vec<(String, String)> = vec![
        (
            "authenticity_token".into(),
            tokens.authenticity_token.clone(),
        ),
        ("submission_id".into(), tokens.submission_id.clone()),
        ("website".into(), String::new()),
        ("title".into(), "Winter market".into()),
        ("starts_at".into(), start),
        ("ends_at".into(), String::new()),
        ("description".into(), "Stalls and music".into()),
        ("link".into(), "https://example.org/market".into()),
        ("name".into(), "Ana".into()),
    ];
    for (name, value) in overrides {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
        .into_iter()
        .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
            form.text(name, value)
        })
}

/// A file part as a browser sends it.
pub fn photo_part(bytes: Vec<u8>, file_name: &str, content_type: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str(content_type)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The `Set-Cookie` header that sets `name`, or "".
pub fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_default()
        .to_owned()
}

impl TestApp {
    /// How many rows a table holds, read straight from the test's database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        query_number(&self.database_url, &format!("SELECT count(*) FROM {table}"))
            .await
            .unwrap_or_default()
    }

    /// How many cities the server searches, read straight from their database.
    pub async fn count_cities(&self) -> i64 {
        query_number(&self.cities_database_url, "SELECT count(*) FROM cities")
            .await
            .unwrap_or_default()
    }

    /// Opens a place page in `browser` and returns the private edit link it shows once.
    pub async fn private_link(&self, browser: &reqwest::Client, path: &str) -> String {
        private_link_in(&self.browse(browser, path).await)
            .unwrap_or_else(|| panic!("no private link on {path}"))
    }
}

/// The private edit link a page shows right after posting, if it shows one: its path (the page
/// shows the whole URL, in a read-only field).
pub fn private_link_in(html: &str) -> Option<String> {
    private_url_in(html).and_then(|url| url.find("/events/").map(|at| url[at..].to_owned()))
}

/// The whole private URL a page shows right after posting, if it shows one.
pub fn private_url_in(html: &str) -> Option<String> {
    let (_, field) = html.split_once(r#"id="private-link""#)?;
    let (field, _) = field.split_once('>')?;
    let (_, value) = field.split_once(r#"value=""#)?;
    value.split_once('"').map(|(url, _)| unescape(url))
}

/// Serves a hand-made fake upstream on a free 127.0.0.1 port; returns its base URL.
pub async fn serve_fake(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

impl TestApp {
    /// The fake geocoder knows this US postal code (Zippopotam.us's format).
    pub async fn mount_us_place(
        &self,
        code: &str,
        name: &str,
        state: &str,
        abbreviation: &str,
        at: (&str, &str),
    ) {
        let body = fixtures::zippopotam(code, name, state, abbreviation, at.0, at.1);
        self.mount_geocoder(
            &format!("/us/{code}"),
            ResponseTemplate::new(200).set_body_json(body),
        )
        .await;
    }

    /// Utqiagvik, Alaska (99723): far enough north for polar day and night.
    pub async fn mount_utqiagvik(&self) {
        self.mount_us_place(
            "99723",
            "Utqiagvik",
            "Alaska",
            "AK",
            ("71.2906", "-156.7886"),
        )
        .await;
    }

    /// New York City (10001).
    pub async fn mount_new_york(&self) {
        self.mount_us_place(
            "10001",
            "New York City",
            "New York",
            "NY",
            ("40.7484", "-73.9967"),
        )
        .await;
    }
}

/// Every inline SVG in a page, each as a document of its own (with the SVG namespace, which
/// HTML implies).
pub fn svgs_in(html: &str) -> Vec<String> {
    html.split("<svg ")
        .skip(1)
        .filter_map(|rest| rest.split_once("</svg>").map(|(svg, _)| svg))
        .map(|svg| format!(r#"<svg xmlns="http://www.w3.org/2000/svg" {svg}</svg>"#))
        .collect()
}

/// A chart is well-formed XML, an image, with a title and a description it is labelled by.
pub fn assert_is_an_accessible_chart(xml: &str) {
    let document =
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}): {xml}"));
    let root = document.root_element();
    assert_eq!(root.attribute("role"), Some("img"));
    let text_of = |name: &str| {
        root.children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(!text_of("title").is_empty(), "no title: {xml}");
    assert!(text_of("desc").len() > 20, "no description: {xml}");
    let labelled_by = root.attribute("aria-labelledby").unwrap_or_default();
    for id in labelled_by.split(' ') {
        assert!(
            document
                .descendants()
                .any(|n| n.attribute("id") == Some(id)),
            "{id}"
        );
    }
}

/// Runs one statement, without parameters, on a SQLite or PostgreSQL database.
pub async fn execute_sql(database_url: &str, sql: &str) {
    query_number(database_url, sql).await;
}

/// The number a statement without parameters answers (its first row's first column), if it
/// answers a row: a write without `RETURNING` answers none.
pub async fn query_number(database_url: &str, sql: &str) -> Option<i64> {
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let number = sqlx::query_scalar(sql)
            .fetch_optional(&pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        pool.close().await;
        number
    } else {
        let pool = sqlx::SqlitePool::connect(database_url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let number = sqlx::query_scalar(sql)
            .fetch_optional(&pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        pool.close().await;
        number
    }
}
