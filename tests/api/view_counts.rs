//! Page views are counted in memory and written in one transaction a second: N views are N in
//! the database after that interval, and after a clean stop.

use std::time::Duration;

use crate::{binary, helpers::spawn_app};

async fn stored_views(database_url: &str) -> i64 {
    crate::helpers::query_number(
        database_url,
        "SELECT view_count FROM places WHERE country_code = 'US' AND postal_code = '97229'",
    )
    .await
    .unwrap_or(0)
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

/// Instances of one site count their own views and add them to the stored count, never
/// writing over another's.
#[tokio::test]
async fn views_counted_by_several_instances_add_up() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let instances = [
        app.address.clone(),
        app.start_another_server().await,
        app.start_another_server().await,
    ];

    let views = (0..300).map(|i| {
        let address = &instances[i % instances.len()];
        app.get_from(address, "/places/us/97229")
    });
    for response in futures::future::join_all(views).await {
        assert!(response.status().is_success());
    }

    let mut stored = 0;
    for _ in 0..40 {
        stored = stored_views(&app.database_url).await;
        if stored >= 300 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored, 300, "every instance's views, each counted once");
}

#[tokio::test]
async fn page_views_counted_before_a_clean_stop_are_written() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary::Server {
        mut child,
        address,
        log,
        ..
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
    let stored = stored_views(&binary::database_url(dir.path())).await;
    // The server's own account, should it have lost any (it once did, under a loaded test run).
    let said: Vec<String> = log.try_iter().collect();
    assert_eq!(stored, 5, "{said:#?}");
}

/// A stored place that no longer makes a page (a postal code stored before today's rules) is
/// left out of the home page's lists, not allowed to break them.
#[tokio::test]
async fn a_stored_place_that_no_longer_parses_is_left_out_of_the_lists() {
    let app = crate::helpers::spawn_app_with(&["--upstream", "simulated"]).await;
    assert!(app.get("/places/us/97229").await.status().is_success());
    crate::helpers::execute_sql(
        &app.database_url,
        "INSERT INTO places (source, country_code, postal_code, name, latitude, longitude,
                             time_zone, created_at, view_count, last_viewed_at)
         VALUES ('simulated', 'US', 'NOT A ZIP', 'Unparsable', 45.0, -122.0,
                 'America/Los_Angeles', '2026-01-01T00:00:00.000Z', 500, '2099-01-01T00:00:00.000Z')",
    )
    .await;

    let (status, home) = app.get_text("/").await;

    assert_eq!(status, reqwest::StatusCode::OK, "{home}");
    assert!(home.contains(r#"href="/places/us/97229""#), "{home}");
    assert!(!home.contains("Unparsable"), "{home}");
}
