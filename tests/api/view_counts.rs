//! Page views are counted in memory and written in one transaction a second: N views are N in
//! the database after that interval, and after a clean stop.

use std::time::Duration;

use crate::{binary, helpers::spawn_app};

async fn stored_views(database_url: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let views = sqlx::query_scalar(
        "SELECT view_count FROM places WHERE country_code = 'US' AND postal_code = '97229'",
    )
    .fetch_optional(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or(0);
    pool.close().await;
    views
}

#[tokio::test]
async fn page_views_are_written_within_the_flush_interval() {
    let app = spawn_app().await;
    app.mount_portland().await;

    for _ in 0..7 {
        assert!(app.get("/places/us/97229").await.status().is_success());
    }
    // The page counts the views not written yet too.
    let (_, page) = app.get_text("/places/us/97229").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    assert!(page.contains("Viewed 8 times."), "{page}");
    assert_eq!(stored_views(&app.database_url).await, 8);
    // The count kept in memory goes on from the written one, neither losing nor doubling the
    // views the flush moved.
    let (_, page) = app.get_text("/places/us/97229").await;
    assert!(page.contains("Viewed 9 times."), "{page}");
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("9 views"), "{home}");
}

#[tokio::test]
async fn page_views_counted_before_a_clean_stop_are_written() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary::Server {
        mut child, address, ..
    } = binary::start(dir.path(), &[]);
    // The place and its weather and sun looked up once (the API counts no view), so the views
    // below take milliseconds and the stop comes before the next periodic write.
    let warm = reqwest::get(format!("{address}/api/places/us/97229"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(warm.status().is_success());
    for _ in 0..5 {
        let page = reqwest::get(format!("{address}/places/us/97229"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(page.status().is_success());
    }

    // Stopped at once, well inside the interval.
    binary::signal(&child, "TERM");
    let exit = child.wait().unwrap_or_else(|e| panic!("{e}"));

    assert!(exit.success());
    let database_url = format!("sqlite://{}", dir.path().join("cityscape.db").display());
    assert_eq!(stored_views(&database_url).await, 5);
}
