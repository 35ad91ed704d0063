//! Static assets: served by tower-http with caching and compression.

use reqwest::StatusCode;

use crate::helpers::{header, spawn_app};

#[tokio::test]
async fn the_stylesheet_is_served_compressed_with_cache_headers() {
    let app = spawn_app().await;

    // This client does not decompress, so the encoding on the wire shows.
    let raw_client = reqwest::Client::builder()
        .no_gzip()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let response = raw_client
        .get(format!("{}/static/style.css", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "text/css");
    assert_eq!(header(&response, "content-encoding"), "gzip");
    assert!(header(&response, "cache-control").contains("max-age="));
    assert!(!header(&response, "last-modified").is_empty());
}

#[tokio::test]
async fn icons_are_served_and_missing_files_are_404() {
    let app = spawn_app().await;

    for (path, content_type) in [
        ("/static/favicon.svg", "image/svg+xml"),
        ("/favicon.ico", "image/x-icon"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "content-type"), content_type, "{path}");
    }
    assert_eq!(
        app.get("/static/nope.css").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/static/../Cargo.toml").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn static_files_answer_range_requests() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/static/style.css", app.address))
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.bytes().await.map(|b| b.len()).unwrap_or(0), 10);
}
