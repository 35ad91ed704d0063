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
    let missing = app.get("/static/nope.css").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing.text().await.unwrap_or_default().contains("<footer"),
        "a 404 page in the layout"
    );
}

#[tokio::test]
async fn a_path_that_climbs_out_of_the_static_directory_finds_nothing() {
    let app = spawn_app().await;
    // Written on the socket: an HTTP client would resolve the dots before sending.
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/..%2fCargo.toml",
    ] {
        let answer = raw_get(&app.address, path).await;

        assert!(
            answer.starts_with("HTTP/1.1 404") || answer.starts_with("HTTP/1.1 400"),
            "{path}: {answer}"
        );
        assert!(!answer.contains("[package]"), "{path} leaked Cargo.toml");
    }
}

async fn raw_get(address: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&answer).into_owned()
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

#[tokio::test]
async fn a_missing_file_is_not_cached() {
    let app = spawn_app().await;

    for path in ["/static/nope.css", "/photos/0000.jpg"] {
        let response = app.get(path).await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            header(&response, "cache-control").is_empty(),
            "{path}: {}",
            header(&response, "cache-control")
        );
    }
}

#[tokio::test]
async fn a_development_directory_is_never_cached_as_immutable() {
    // The test server serves `--static-dir`, whose files change under the same URL.
    let app = spawn_app().await;

    let response = app.get("/static/style.css?v=0123456789ab").await;

    assert_eq!(response.status(), StatusCode::OK);
    let policy = header(&response, "cache-control");
    assert!(!policy.contains("immutable"), "{policy}");
    assert!(policy.contains("max-age=86400"), "{policy}");
}
