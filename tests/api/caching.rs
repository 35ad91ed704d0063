//! Repeated waits are cached: places for good (in SQLite), weather for ten minutes, sun times
//! per place and local date.

use reqwest::StatusCode;

use crate::helpers::{header, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_place_is_geocoded_once_and_then_read_from_sqlite_even_after_a_restart() {
    let app = spawn_app().await;
    app.mount_portland().await;
    assert_eq!(app.get("/api/sun/97229/us").await.status(), StatusCode::OK);
    assert_eq!(app.get("/places/us/97229").await.status(), StatusCode::OK);
    assert_eq!(app.calls_to("/us/").await, 1);

    let restarted = app.start_another_server().await;
    let response = app.get_from(&restarted, "/api/weather/97229/us").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.calls_to("/us/").await,
        1,
        "the new server found the place in SQLite"
    );
}

#[tokio::test]
async fn weather_and_sun_answers_are_reused() {
    let app = spawn_app().await;
    app.mount_portland().await;

    for _ in 0..3 {
        assert_eq!(app.get("/places/us/97229").await.status(), StatusCode::OK);
    }

    assert_eq!(app.calls().await, (1, 1, 1));
}

/// With the caches off every place page waits on the weather and sun services again, as that
/// mode is for showing the waits; with them on, a view within the minute waits on neither.
#[tokio::test]
async fn with_the_caches_off_every_view_waits_on_the_services() {
    for (flags, weather_calls, second_view_waits) in
        [(&["--cache", "off"][..], 3, true), (&[][..], 1, false)]
    {
        let app = spawn_app_with(flags).await;
        app.mount_portland().await;
        let mut timings = Vec::new();
        for _ in 0..3 {
            let response = app.get("/places/us/97229").await;
            assert_eq!(response.status(), StatusCode::OK);
            timings.push(header(&response, "server-timing"));
        }
        assert_eq!(app.calls().await.1, weather_calls, "{flags:?}");
        assert_eq!(
            timings[1].contains("weather;dur="),
            second_view_waits,
            "{flags:?}: {}",
            timings[1]
        );
    }
}

#[tokio::test]
async fn sun_times_are_cached_per_local_date() {
    let app = spawn_app().await;
    app.mount_portland().await;

    for date in ["2026-07-01", "2026-07-01", "2026-07-02"] {
        assert_eq!(
            app.get(&format!("/api/sun/97229/us?date={date}"))
                .await
                .status(),
            StatusCode::OK
        );
    }

    assert_eq!(app.calls_to("/json").await, 2);
}
