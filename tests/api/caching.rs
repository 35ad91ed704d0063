//! Repeated waits are cached: places for good (in SQLite), weather for ten minutes, sun times
//! per place and local date.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

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
