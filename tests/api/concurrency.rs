//! Waits that do not depend on each other run at the same time; identical waits are made once.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{Json, Router, extract::State, routing::get};
use chrono::Utc;
use chrono_tz::Tz;
use futures::future::join_all;
use reqwest::StatusCode;
use wiremock::ResponseTemplate;

use crate::{fixtures, helpers::spawn_app_with};

/// A fake weather and sun server that remembers the most requests it had in flight at once.
#[derive(Clone, Default)]
pub struct InFlight {
    now: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl InFlight {
    /// The most requests that were in flight at once since the last reset.
    pub fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.most.store(0, Ordering::SeqCst);
    }

    async fn hold(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

pub async fn start_in_flight_server(in_flight: InFlight) -> String {
    async fn weather(State(s): State<InFlight>) -> Json<serde_json::Value> {
        s.hold().await;
        Json(fixtures::open_meteo(
            Tz::America__Los_Angeles,
            Utc::now(),
            7.0,
        ))
    }
    async fn sun(State(s): State<InFlight>) -> Json<serde_json::Value> {
        s.hold().await;
        Json(fixtures::any_sun_answer())
    }
    let app = Router::new()
        .route("/v1/forecast", get(weather))
        .route("/json", get(sun))
        .with_state(in_flight);
    crate::helpers::serve_fake(app).await
}

#[tokio::test]
async fn place_page_waits_on_weather_and_sun_at_the_same_time() {
    let in_flight = InFlight::default();
    let fake = start_in_flight_server(in_flight.clone()).await;
    let app = spawn_app_with(&["--weather-url", &fake, "--sun-url", &fake]).await;
    app.mount_geocoder(
        "/us/97229",
        ResponseTemplate::new(200).set_body_json(fixtures::portland()),
    )
    .await;

    let response = app.get("/places/us/97229").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        in_flight.most.load(Ordering::SeqCst),
        2,
        "weather and sun were awaited together"
    );
}

#[tokio::test]
async fn a_hundred_concurrent_first_requests_make_one_call_to_each_provider() {
    let app = spawn_app_with(&[]).await;
    let slow = Duration::from_millis(300);
    app.mount_geocoder(
        "/us/97229",
        ResponseTemplate::new(200)
            .set_body_json(fixtures::portland())
            .set_delay(slow),
    )
    .await;
    app.mount_weather(crate::helpers::good_weather().set_delay(slow))
        .await;
    app.mount_sun(
        ResponseTemplate::new(200)
            .set_body_json(fixtures::any_sun_answer())
            .set_delay(slow),
    )
    .await;

    let requests = (0..100).map(|_| app.get("/api/places/us/97229"));
    let responses = join_all(requests).await;

    assert!(responses.iter().all(|r| r.status() == StatusCode::OK));
    assert_eq!(
        app.calls().await,
        (1, 1, 1),
        "(geocoder, weather, sun) calls"
    );
}

#[tokio::test]
async fn with_the_cache_off_every_request_goes_upstream() {
    let app = spawn_app_with(&["--cache", "off"]).await;
    app.mount_portland().await;

    for _ in 0..3 {
        assert_eq!(
            app.get("/api/places/us/97229").await.status(),
            StatusCode::OK
        );
    }

    assert_eq!(app.calls().await, (3, 3, 3));
}
