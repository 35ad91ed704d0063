//! What lets an operator follow a request through a fleet: an `x-request-id` on every answer
//! (the proxy's own when it sent a plain one) and in every log line of that request, with the
//! log as one JSON object per line on request.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::{binary, helpers::spawn_app};

fn request_id(response: &reqwest::Response) -> String {
    crate::helpers::header(response, "x-request-id")
}

#[tokio::test]
async fn every_answer_carries_a_request_id_the_proxys_when_it_sent_a_plain_one() {
    let app = spawn_app().await;

    // Made here: 32 hex digits, a new one per request, on pages, the API, files and errors.
    let mut seen = Vec::new();
    for path in [
        "/",
        "/api/nowhere",
        "/static/style.css",
        "/healthz",
        "/nowhere",
    ] {
        let response = app.get(path).await;
        let id = request_id(&response);
        assert_eq!(id.len(), 32, "{path}: {id:?}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{path}: {id}");
        assert!(!seen.contains(&id), "{path}: {id} again");
        seen.push(id);
    }

    // Sent by the proxy: kept when it is a plain token, replaced otherwise.
    let long = "x".repeat(129);
    for (sent, kept) in [
        ("req-7f3a/nginx-2", true),
        ("a b", false),
        (long.as_str(), false),
        ("", false),
    ] {
        let response = app
            .client
            .get(format!("{}/healthz", app.address))
            .header("x-request-id", sent)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::OK);
        let id = request_id(&response);
        assert_eq!(id == sent, kept, "sent {sent:?}, answered {id:?}");
        assert!(!id.is_empty() && id.len() <= 128);
    }
}

#[tokio::test]
async fn json_logs_name_each_request_by_its_id() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary::Server {
        mut child,
        address,
        log,
        ..
    } = binary::start(dir.path(), &[("CITYSCAPE_LOG_FORMAT", "json")]);

    let response = reqwest::Client::new()
        .get(format!("{address}/places/us/97229"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(request_id(&response), "trace-me-42");
    binary::signal(&child, "TERM");
    let _ = child.wait();

    let lines: Vec<String> =
        std::iter::from_fn(|| log.recv_timeout(Duration::from_secs(5)).ok()).collect();
    let parsed: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let served = parsed
        .iter()
        .find(|l| l["fields"]["message"] == "served" && l["span"]["path"] == "/places/us/97229")
        .unwrap_or_else(|| panic!("no request line in {lines:#?}"));
    assert_eq!(served["span"]["request_id"], "trace-me-42", "{served}");
    assert_eq!(served["span"]["route"], "/places/{country}/{postal_code}");
    assert_eq!(served["fields"]["status"], 200);
}

/// The value of the first series of `metrics` whose line starts with `series` (0 when absent).
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_requests_upstream_calls_and_cache_lookups() {
    // The recorder is the process's, shared with every other test: counts only grow, so each
    // is compared with itself before.
    let app = spawn_app().await;
    app.mount_portland().await;
    let page = r#"cityscape_http_request_duration_seconds_count{route="/places/{country}/{postal_code}",status="200"}"#;
    let geocoder =
        r#"cityscape_upstream_call_duration_seconds_count{provider="zippopotam.us",outcome="ok"}"#;
    let place_hits = r#"cityscape_cache_lookups_total{cache="places",result="hit"}"#;
    let (status, before) = app.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);

    for _ in 0..2 {
        assert_eq!(app.get("/places/us/97229").await.status(), StatusCode::OK);
    }

    let response = app.get("/metrics").await;
    assert!(
        crate::helpers::header(&response, "content-type").starts_with("text/plain; version=0.0.4")
    );
    let after = response.text().await.unwrap_or_default();
    assert!(
        sample(&after, page) >= sample(&before, page) + 2.0,
        "{after}"
    );
    assert!(
        sample(&after, geocoder) >= sample(&before, geocoder) + 1.0,
        "{after}"
    );
    assert!(
        sample(&after, place_hits) >= sample(&before, place_hits) + 1.0,
        "{after}"
    );
    assert!(after.contains(r#"cityscape_http_request_duration_seconds_bucket{route="/places/{country}/{postal_code}",status="200",le="0.005"}"#), "a histogram, with buckets");
    let pools = if app.database_url.starts_with("postgres") {
        [
            r#"cityscape_db_pool_connections{pool="postgres",state="in_use"}"#,
            r#"cityscape_db_pool_connections{pool="postgres",state="idle"}"#,
        ]
    } else {
        [
            r#"cityscape_db_pool_connections{pool="readers",state="in_use"}"#,
            r#"cityscape_db_pool_connections{pool="writer",state="idle"}"#,
        ]
    };
    for gauge in pools.into_iter().chain([
        "cityscape_page_views_flush_lag_seconds",
        "cityscape_page_views_pending_places",
    ]) {
        assert!(after.contains(gauge), "{gauge} in {after}");
    }
}

/// The PostgreSQL pass (`tests/postgres.sh`) must run on PostgreSQL: the server's own metrics
/// name the pools it uses.
#[tokio::test]
async fn the_server_runs_on_the_database_the_run_names() {
    let app = crate::helpers::spawn_app().await;

    let (_, metrics) = app.get_text("/metrics").await;

    let postgres_pool = r#"cityscape_db_pool_connections{pool="postgres""#;
    if crate::helpers::postgres_server().is_some() {
        assert!(
            app.database_url.starts_with("postgres://"),
            "{}",
            app.database_url
        );
        assert!(metrics.contains(postgres_pool), "{metrics}");
    } else {
        assert!(
            app.database_url.starts_with("sqlite://"),
            "{}",
            app.database_url
        );
        assert!(!metrics.contains(postgres_pool), "{metrics}");
        assert!(metrics.contains(r#"pool="writer""#), "{metrics}");
    }
}
