//! Limits on posts: a per-client rate (429 with Retry-After) and body sizes (413).

use reqwest::StatusCode;

use crate::helpers::{browser, event_form, header, spawn_app, spawn_app_with};

#[tokio::test]
async fn posting_past_the_rate_limit_is_a_429_page_with_retry_after() {
    let app = spawn_app_with(&["--post-limit", "2"]).await;
    app.mount_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, "/places/us/97229").await;

    let mut statuses = Vec::new();
    for n in 0..3 {
        let mut tokens = tokens.clone();
        tokens.submission_id = format!("{n:032x}");
        let response = app
            .post_multipart(
                &browser,
                "/places/us/97229/events",
                event_form(&tokens, &[]),
            )
            .await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = header(&response, "retry-after").parse().unwrap_or(0);
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
            assert!(
                response
                    .text()
                    .await
                    .unwrap_or_default()
                    .contains("Please wait")
            );
        }
    }

    assert_eq!(
        statuses,
        [
            StatusCode::SEE_OTHER,
            StatusCode::SEE_OTHER,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(app.listed_events("us", "97229").await.len(), 2);
    assert_eq!(
        app.get("/places/us/97229").await.status(),
        StatusCode::OK,
        "reading is not limited"
    );
}

#[tokio::test]
async fn a_form_without_a_photo_may_not_exceed_64_kb() {
    let app = spawn_app().await;
    app.mount_portland().await;
    let browser = browser();
    let tokens = app.form_tokens(&browser, "/places/us/97229").await;
    let padding = "x".repeat(70 * 1024);

    let response = app
        .post_form(
            &browser,
            "/saved",
            &[
                ("country", "us"),
                ("postal_code", "97229"),
                ("authenticity_token", &tokens.authenticity_token),
                ("padding", &padding),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("too large")
    );
}
