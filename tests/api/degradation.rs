//! When a provider fails, is slow, or answers nonsense, the page still comes, and says what
//! failed; only a place that cannot be resolved at all is an error.

use std::time::Duration;

use reqwest::StatusCode;
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path},
};

use crate::{
    fixtures,
    helpers::{TestApp, good_weather, spawn_app_with},
};

/// Timeouts shortened so that "hangs past the timeout" takes a moment, not three seconds.
async fn app_with_short_timeout() -> TestApp {
    spawn_app_with(&["--upstream-timeout-ms", "300"]).await
}

async fn mount_geocoder_and_sun(app: &TestApp) {
    app.mount_geocoder(
        "/us/97229",
        ResponseTemplate::new(200).set_body_json(fixtures::portland()),
    )
    .await;
    app.mount_sun(ResponseTemplate::new(200).set_body_json(fixtures::any_sun_answer()))
        .await;
}

#[tokio::test]
async fn a_broken_weather_service_leaves_a_notice_and_the_rest_of_the_page() {
    let oversized = format!("{{\"padding\": \"{}\"}}", "x".repeat(600 * 1024));
    let cases = [
        (
            "HTTP 500",
            ResponseTemplate::new(500),
            "is not answering properly",
        ),
        (
            "hangs past the timeout",
            good_weather().set_delay(Duration::from_secs(2)),
            "did not answer in time",
        ),
        (
            "malformed JSON",
            ResponseTemplate::new(200).set_body_string("{\"current\": "),
            "is not answering properly",
        ),
        (
            "wrong shape",
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"current": {"temperature_2m": "warm"}})),
            "is not answering properly",
        ),
        (
            "oversized body",
            ResponseTemplate::new(200).set_body_raw(oversized, "application/json"),
            "is not answering properly",
        ),
    ];
    for (case, weather, message) in cases {
        let app = app_with_short_timeout().await;
        mount_geocoder_and_sun(&app).await;
        app.mount_weather(weather).await;

        let (status, html) = app.get_text("/places/us/97229").await;

        assert_eq!(status, StatusCode::OK, "{case}");
        assert!(html.contains("Weather is unavailable"), "{case}");
        assert!(html.contains(message), "{case}: no {message:?}");
        assert!(
            html.contains("Sunrise") && html.contains("<h1>Portland</h1>"),
            "{case}"
        );
    }
}

#[tokio::test]
async fn weather_api_answers_502_or_504_when_the_weather_service_fails() {
    for (weather, status) in [
        (ResponseTemplate::new(503), StatusCode::BAD_GATEWAY),
        (
            good_weather().set_delay(Duration::from_secs(2)),
            StatusCode::GATEWAY_TIMEOUT,
        ),
    ] {
        let app = app_with_short_timeout().await;
        mount_geocoder_and_sun(&app).await;
        app.mount_weather(weather).await;

        let (got, body) = app.get_json("/api/weather/97229/us").await;

        assert_eq!(got, status);
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("weather service"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn sun_times_are_computed_locally_when_the_sun_service_fails_and_the_page_says_so() {
    let cases = [
        ("HTTP 500", ResponseTemplate::new(500)),
        (
            "hangs",
            ResponseTemplate::new(200)
                .set_body_json(fixtures::any_sun_answer())
                .set_delay(Duration::from_secs(2)),
        ),
        (
            "error status",
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"results": "", "status": "INVALID_REQUEST"})),
        ),
        (
            "garbage",
            ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
        ),
    ];
    for (case, sun) in cases {
        let app = app_with_short_timeout().await;
        app.mount_geocoder(
            "/us/97229",
            ResponseTemplate::new(200).set_body_json(fixtures::portland()),
        )
        .await;
        app.mount_weather(good_weather()).await;
        app.mount_sun(sun).await;

        let (status, html) = app.get_text("/places/us/97229").await;
        assert_eq!(status, StatusCode::OK, "{case}");
        assert!(html.contains("computed by Cityscape"), "{case}");
        assert!(
            html.contains("did not answer properly or in time"),
            "{case}"
        );

        let (status, body) = app.get_json("/api/sun/97229/us?date=2026-07-01").await;
        assert_eq!(status, StatusCode::OK, "{case}");
        assert_eq!(body["source"], "computed_fallback", "{case}");
        // NOAA's equations put the Portland sunrise near 05:25 PDT that day.
        let sunrise = body["sunrise"].as_str().unwrap_or_default();
        assert!(
            sunrise.starts_with("05:2") || sunrise.starts_with("05:3"),
            "{case}: {sunrise}"
        );
    }
}

#[tokio::test]
async fn a_failed_geocoder_is_a_502_or_504_page_and_json() {
    for (geocoder, status) in [
        (ResponseTemplate::new(500), StatusCode::BAD_GATEWAY),
        (
            ResponseTemplate::new(200)
                .set_body_json(fixtures::portland())
                .set_delay(Duration::from_secs(2)),
            StatusCode::GATEWAY_TIMEOUT,
        ),
        (
            ResponseTemplate::new(200).set_body_string("not json"),
            StatusCode::BAD_GATEWAY,
        ),
        (
            ResponseTemplate::new(200).set_body_json(fixtures::zippopotam(
                "97229", "Nowhere", "", "", "north", "-122",
            )),
            StatusCode::BAD_GATEWAY,
        ),
    ] {
        let app = app_with_short_timeout().await;
        app.mount_geocoder("/us/97229", geocoder).await;

        let (got, html) = app.get_text("/places/us/97229").await;
        assert_eq!(got, status);
        assert!(
            html.contains("The geocoder") && html.contains("<footer"),
            "{html}"
        );

        let (got, body) = app.get_json("/api/places/us/97229").await;
        assert_eq!(got, status);
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("geocoder"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_failed_geocoder_is_not_remembered_as_an_answer() {
    let app = app_with_short_timeout().await;
    Mock::given(method("GET"))
        .and(path("/us/97229"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&app.upstream)
        .await;
    app.mount_portland().await;

    assert_eq!(
        app.get("/places/us/97229").await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(app.get("/places/us/97229").await.status(), StatusCode::OK);
}

/// A fake weather service that streams a 640 MB answer without a Content-Length.
async fn start_endless_weather() -> String {
    use axum::{Router, body::Body, routing::get};
    use futures::StreamExt;
    let endless = || async {
        let chunk = bytes_of_padding();
        let stream = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()))
            .take(10_000);
        Body::from_stream(stream)
    };
    let app = Router::new().route("/v1/forecast", get(endless));
    crate::helpers::serve_fake(app).await
}

fn bytes_of_padding() -> axum::body::Bytes {
    axum::body::Bytes::from(vec![b' '; 64 * 1024])
}

#[tokio::test]
async fn an_answer_streamed_without_a_length_is_cut_off_at_the_size_cap() {
    let endless = start_endless_weather().await;
    let app = spawn_app_with(&["--weather-url", &endless]).await;
    mount_geocoder_and_sun(&app).await;

    let (status, body) = app.get_json("/api/weather/97229/us").await;

    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("weather service")
    );
}
