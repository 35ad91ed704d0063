//! A full database: writes are refused with a clear 507, nothing answered 303 is lost, reads go
//! on, the readiness check says so, and the server recovers by itself once space is free. The
//! database's size limit (`--database-max-mb`, SQLite's `max_page_count`) makes it full without
//! root; SQLite answers exactly as on a full disk (SQLITE_FULL).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{browser, event_form, execute_sql, sorted_titles, spawn_app_on_sqlite};

const PLACE: &str = "/places/us/97229";

fn fresh_submission_id(i: usize) -> String {
    format!("{i:032x}")
}

#[tokio::test]
async fn a_full_database_refuses_posts_with_507_and_loses_none_it_acknowledged() {
    // Arrange: a database capped at 1 MB, filled by events with long descriptions.
    let app = spawn_app_on_sqlite(&["--database-max-mb", "1"]).await;
    app.mount_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, PLACE).await;
    let description = "A long description. ".repeat(190);

    // Act: post until the database is full, then keep posting.
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    let mut refusal_page = String::new();
    for i in 0..1000 {
        let title = format!("Market number {i}");
        let form = event_form(
            &tokens,
            &[
                ("title", title.as_str()),
                ("description", description.as_str()),
                ("submission_id", fresh_submission_id(i).as_str()),
            ],
        );
        let response = app
            .post_multipart(&browser, &format!("{PLACE}/events"), form)
            .await;
        match response.status() {
            StatusCode::SEE_OTHER => acknowledged.push(title),
            StatusCode::INSUFFICIENT_STORAGE => {
                refused += 1;
                refusal_page = response.text().await.unwrap_or_default();
                // The form comes back as it was typed.
                assert!(refusal_page.contains(&format!(r#"value="{title}""#)));
                if refused == 30 {
                    break;
                }
            }
            other => panic!("post {i}: unexpected {other}"),
        }
    }

    // Assert: refused clearly, readiness says so, and every 303 is stored, seen alike through
    // the app and straight from the file, before and after a restart.
    assert_eq!(refused, 30, "the database never filled up");
    assert!(acknowledged.len() > 20, "{} posts fit", acknowledged.len());
    assert!(
        refusal_page.contains("out of storage space, so nothing was saved"),
        "{refusal_page}"
    );
    let (status, health) = app.get_json("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
    assert_eq!(health["status"], "out of storage");
    assert_eq!(health["database_full"], true);
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "alive all the same: no restart would help"
    );
    assert_eq!(app.get(PLACE).await.status(), StatusCode::OK, "reads go on");

    let stored = |events: Vec<serde_json::Value>| sorted_titles(&json!({ "events": events }));
    let mut expected = acknowledged.clone();
    expected.sort();
    for _ in 0..4 {
        // Several reads, so that every pooled connection is asked.
        assert_eq!(stored(app.listed_events("us", "97229").await), expected);
    }
    assert_eq!(app.count_rows("events").await, acknowledged.len() as i64);
    let restarted = app.start_another_server().await;
    let after_restart = app
        .get_from(&restarted, "/api/places/us/97229/events?limit=1000")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stored(
            after_restart["events"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        ),
        expected
    );

    // Space is freed (an operator deletes old rows): the server recovers without a restart.
    execute_sql(&app.database_url, "DELETE FROM events WHERE id % 2 = 0").await;
    let (status, health) = app.get_json("/readyz").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    let form = event_form(
        &tokens,
        &[
            ("title", "After the clean-up"),
            ("submission_id", fresh_submission_id(5000).as_str()),
        ],
    );
    let response = app
        .post_multipart(&browser, &format!("{PLACE}/events"), form)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        stored(app.listed_events("us", "97229").await).contains(&"After the clean-up".to_owned())
    );
}

/// Another process holding SQLite's write lock past the busy timeout (5 s): the post is a 503
/// that says to try again (with `Retry-After`) above the form as it was typed, nothing is
/// stored, and the same form goes through once the lock is let go. Before, it was a 500
/// "something went wrong", and what was typed was lost.
#[tokio::test]
async fn a_post_while_another_process_holds_the_database_is_a_503_to_try_again() {
    use sqlx::Connection;

    let app = spawn_app_on_sqlite(&[]).await;
    app.mount_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, PLACE).await;
    // A connection of its own, as another process's would be, takes the write lock and keeps it.
    let mut other = sqlx::SqliteConnection::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let refused = app
        .post_multipart(
            &browser,
            "/places/us/97229/events",
            event_form(&tokens, &[]),
        )
        .await;

    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(crate::helpers::header(&refused, "retry-after"), "2");
    let page = refused.text().await.unwrap_or_default();
    assert!(page.contains("too busy to answer just now"), "{page}");
    // The place page, with the form as it was typed.
    assert!(page.contains(r#"value="Winter market""#));
    sqlx::query("ROLLBACK")
        .execute(&mut other)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(app.listed_events("us", "97229").await.is_empty());

    let posted = app
        .post_multipart(
            &browser,
            "/places/us/97229/events",
            event_form(&tokens, &[]),
        )
        .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.listed_events("us", "97229").await.len(), 1);
}
