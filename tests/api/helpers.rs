//! Starting the app for a test: a fake upstream (wiremock) on 127.0.0.1, a fresh SQLite file in
//! a temporary directory, and the real router served on a free port.

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
    args: Vec<String>,
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
pub async fn spawn_app_with(extra_args: &[&str]) -> TestApp {
    init_logging();
    let upstream = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("cityscape.db").display()
    );
    let upstream_uri = upstream.uri();
    let data_dir = dir.path().join("data").display().to_string();
    let defaults = [
        ("--database-url", database_url.as_str()),
        ("--geocoder-url", upstream_uri.as_str()),
        ("--weather-url", upstream_uri.as_str()),
        ("--sun-url", upstream_uri.as_str()),
        ("--upstream-timeout-ms", "1000"),
        ("--data-dir", data_dir.as_str()),
        // Tests post quickly; the rate limit has its own test.
        ("--post-limit", "0"),
        (
            "--static-dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/static"),
        ),
    ];
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
        args,
        _dir: dir,
    }
}

/// A client that shows redirects rather than following them.
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
    let app = routes::router(state, &config.static_dir);
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    address
}

impl TestApp {
    /// A second server on the same database and upstream, as after a restart.
    pub async fn start_another_server(&self) -> String {
        start_server(&self.args).await
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
