//! The binary itself: its help, creating the database at start, one log line per request, and
//! a graceful shutdown that lets requests in flight finish.

use std::{process::Command, time::Duration};

use reqwest::StatusCode;

use crate::binary::{self, BINARY};

#[test]
fn help_documents_every_flag_and_its_environment_variable() {
    let output = Command::new(BINARY)
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success());
    for expected in [
        "--bind",
        "CITYSCAPE_BIND",
        "127.0.0.1:8000",
        "--database-url",
        "DATABASE_URL",
        "sqlite://cityscape.db?mode=rwc",
        "--upstream",
        "CITYSCAPE_UPSTREAM",
        "simulated",
        "--cache",
        "CITYSCAPE_CACHE",
        "--geocoder-url",
        "CITYSCAPE_GEOCODER_URL",
        "--weather-url",
        "CITYSCAPE_WEATHER_URL",
        "--sun-url",
        "CITYSCAPE_SUN_URL",
        "--upstream-timeout-ms",
        "--static-dir",
        "--cities-database-url",
        "CITYSCAPE_CITIES_DATABASE_URL",
    ] {
        assert!(
            help.contains(expected),
            "--help lacks {expected:?}:\n{help}"
        );
    }
}

#[test]
fn an_unknown_upstream_mode_is_refused_with_a_message() {
    let output = Command::new(BINARY)
        .args(["--upstream", "sometimes"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("possible values: live, simulated"));
}

/// A database URL of neither backend, or a PostgreSQL server that is not there: the server does
/// not start, says why, and never prints the password.
#[test]
fn a_database_it_cannot_use_stops_the_start_with_a_message_and_no_password() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Port 9 (discard) on loopback: nothing listens there.
    for (url, expected) in [
        (
            "mysql://ana:hunter2@127.0.0.1/cityscape",
            "names neither SQLite",
        ),
        (
            "postgres://ana:hunter2@127.0.0.1:9/cityscape",
            "could not open or migrate the database",
        ),
    ] {
        let output = Command::new(BINARY)
            .current_dir(dir.path())
            .args(["--upstream", "simulated", "--bind", "127.0.0.1:0"])
            .args(["--database-url", url])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);

        assert!(!output.status.success(), "{url}: {stderr}");
        assert!(stderr.contains(expected), "{url}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{url}: {stderr}");
    }
}

#[tokio::test]
async fn the_server_creates_its_database_logs_requests_and_finishes_them_on_sigterm() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = dir.path().join("cityscape.db");
    binary::keep_sqlite(dir.path());
    assert!(!database.exists());
    // A server clock far from the place: times must follow the place's zone, not this.
    let binary::Server {
        mut child,
        address,
        log: lines_rx,
        ..
    } = binary::start(dir.path(), &[("TZ", "Asia/Tokyo")]);
    assert!(database.exists(), "the database file was created at start");

    let summer: serde_json::Value =
        reqwest::get(format!("{address}/api/sun/97229/us?date=2026-07-01"))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
    assert_eq!(summer["utc_offset"], "UTC−07:00", "{summer}");
    assert!(
        summer["sunrise"]
            .as_str()
            .unwrap_or_default()
            .starts_with("05:"),
        "{summer}"
    );

    // A simulated sun request for a new date waits on the sun service's latency (0.4 s at least).
    let in_flight = tokio::spawn({
        let url = format!("{address}/api/sun/97229/us?date=2026-12-01");
        async move { reqwest::get(url).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    binary::signal(&child, "TERM");

    let response = in_flight
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("the request in flight was cut off: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let exit = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(exit.success(), "exit status {exit}");

    let log: Vec<String> = lines_rx.try_iter().collect();
    let served = log
        .iter()
        .find(|l| l.contains("served") && l.contains("path=/api/sun/97229/us"))
        .unwrap_or_else(|| panic!("no request line in {log:#?}"));
    for field in ["method=GET", "status=200", "latency_ms="] {
        assert!(served.contains(field), "{served}");
    }
    assert!(TcpProbe::refuses(&address), "the server stopped listening");
}

struct TcpProbe;

impl TcpProbe {
    fn refuses(address: &str) -> bool {
        let host = address.trim_start_matches("http://");
        std::net::TcpStream::connect(host).is_err()
    }
}

#[tokio::test]
async fn asked_to_stop_the_server_says_it_is_not_ready_while_it_drains_then_stops() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary::Server {
        mut child, address, ..
    } = binary::start(dir.path(), &[("CITYSCAPE_SHUTDOWN_DELAY_MS", "3000")]);
    let get = |path: &str| reqwest::get(format!("{address}{path}"));
    assert_eq!(
        get("/readyz").await.map(|r| r.status()).ok(),
        Some(StatusCode::OK)
    );

    binary::signal(&child, "TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;

    let ready = get("/readyz").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = ready.json().await.unwrap_or_default();
    assert_eq!(body["status"], "shutting down");
    let alive = get("/places/us/97229")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        alive.status(),
        StatusCode::OK,
        "still serving while it drains"
    );
    let exit = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(exit.success(), "exit status {exit}");
    assert!(TcpProbe::refuses(&address), "stopped after the delay");
}
