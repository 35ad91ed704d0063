//! Simulated mode: no network, measured latencies, plausible data, clearly labelled.

use reqwest::StatusCode;

use crate::helpers::spawn_app_with;

/// Upstream URLs that nothing listens on: simulated mode must not call them.
const NOWHERE: &str = "http://127.0.0.1:9";

#[tokio::test]
async fn simulated_mode_serves_every_page_and_endpoint_without_any_upstream() {
    let app = spawn_app_with(&[
        "--upstream",
        "simulated",
        "--geocoder-url",
        NOWHERE,
        "--weather-url",
        NOWHERE,
        "--sun-url",
        NOWHERE,
    ])
    .await;

    let (status, html) = app.get_text("/places/us/97229").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Simulated mode"), "a banner says so");
    assert!(html.contains("<h1>Portland</h1>"));
    assert!(
        html.contains("45.5065, -122.7339"),
        "the course's coordinates, 45.50655 and -122.733888"
    );
    assert!(html.contains("America/Los_Angeles"));
    assert!(!html.contains("Weather is unavailable"));

    let (_, home) = app.get_text("/").await;
    assert!(home.contains("Simulated mode"));

    for path in [
        "/api/sun/97229/us",
        "/api/weather/97229/us",
        "/api/places/us/97229",
        "/api/sun/10115/de",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["simulated"], true, "{path}");
    }
    let (_, sun) = app.get_json("/api/sun/10115/de?date=2026-06-21").await;
    assert_eq!(sun["timezone"], "Europe/Berlin");
    assert_eq!(sun["source"], "simulated");
    assert!(
        sun["sunrise"].as_str().unwrap_or_default().ends_with(" AM"),
        "{sun}"
    );
    assert_eq!(sun["day_kind"], "normal");
}

#[tokio::test]
async fn simulated_places_are_kept_apart_from_live_ones() {
    let simulated = spawn_app_with(&["--upstream", "simulated"]).await;
    assert_eq!(
        simulated.get("/places/us/10001").await.status(),
        StatusCode::OK
    );

    // The same database served live must not show the invented point as real.
    let live_app =
        crate::helpers::spawn_app_with(&["--database-url", &simulated.database_url]).await;
    live_app.mount_portland().await;
    let (status, _) = live_app.get_text("/places/us/10001").await;

    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the fake geocoder does not know 10001"
    );
    assert_eq!(
        live_app.calls_to("/us/10001").await,
        1,
        "live mode asked the geocoder"
    );
}
