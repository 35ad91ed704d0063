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
