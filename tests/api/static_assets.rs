//! Static assets: the embedded files from memory (variants by `Accept-Encoding`, validators and
//! 304s, ranges, caching by fingerprint), and a development directory through `ServeDir`.

use std::io::Read;

use reqwest::StatusCode;

use crate::helpers::{TestApp, header, raw_client, spawn_app, spawn_app_with};

const STYLESHEET: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/style.css"));

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

/// GET `path` of `app` by `client`, with these request headers.
async fn get_with(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// The `?v=` the home page links the stylesheet with.
async fn stylesheet_fingerprint(app: &TestApp) -> String {
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    html.split("href=\"/static/style.css?v=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no stylesheet link in {html}"))
}

#[tokio::test]
async fn a_variants_etag_sent_back_gets_304_and_another_variants_etag_does_not() {
    let app = spawn_app().await;
    let client = raw_client();
    let br = get_with(
        &client,
        &app,
        "/static/style.css",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(header(&br, "content-encoding"), "br");
    let etag = header(&br, "etag");
    assert!(etag.starts_with('"') && etag.ends_with("-br\""), "{etag}");
    let br_body = br.bytes().await.unwrap_or_default();
    assert!(!br_body.is_empty());
    let gzip = get_with(
        &client,
        &app,
        "/static/style.css",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    let gzip_etag = header(&gzip, "etag");
    assert!(gzip_etag.ends_with("-gzip\""), "{gzip_etag}");
    assert_ne!(gzip_etag, etag);

    // The ETag as it was sent, weak, and inside a list: not modified.
    for validator in [etag.clone(), format!("W/{etag}"), format!("\"x\", {etag}")] {
        let again = get_with(
            &client,
            &app,
            "/static/style.css",
            &[
                ("accept-encoding", "br"),
                ("if-none-match", validator.as_str()),
            ],
        )
        .await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{validator}");
        assert_eq!(header(&again, "etag"), etag, "{validator}");
        assert!(
            again.bytes().await.unwrap_or_default().is_empty(),
            "{validator}: a 304 has no body"
        );
    }

    // The gzip variant's ETag does not name the brotli variant: it is sent whole.
    let other = get_with(
        &client,
        &app,
        "/static/style.css",
        &[
            ("accept-encoding", "br"),
            ("if-none-match", gzip_etag.as_str()),
        ],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(header(&other, "content-encoding"), "br");
    assert_eq!(other.bytes().await.unwrap_or_default(), br_body);
}

#[tokio::test]
async fn a_single_range_is_of_the_file_as_it_is_even_when_brotli_is_asked_for() {
    let app = spawn_app().await;
    let client = raw_client();
    let length = STYLESHEET.len();

    let first = get_with(
        &client,
        &app,
        "/static/style.css",
        &[("accept-encoding", "br"), ("range", "bytes=0-9")],
    )
    .await;
    assert_eq!(first.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&first, "content-encoding"), "");
    assert_eq!(
        header(&first, "content-range"),
        format!("bytes 0-9/{length}")
    );
    assert_eq!(header(&first, "content-length"), "10");
    assert_eq!(
        first.bytes().await.unwrap_or_default().as_ref(),
        &STYLESHEET[..10]
    );

    let last = get_with(&client, &app, "/static/style.css", &[("range", "bytes=-5")]).await;
    assert_eq!(last.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&last, "content-range"),
        format!("bytes {}-{}/{length}", length - 5, length - 1)
    );
    assert_eq!(
        last.bytes().await.unwrap_or_default().as_ref(),
        &STYLESHEET[length - 5..]
    );
}

#[tokio::test]
async fn a_range_past_the_end_is_416_with_the_files_length() {
    let app = spawn_app().await;
    assert!(STYLESHEET.len() < 999_999);

    let response = get_with(
        &raw_client(),
        &app,
        "/static/style.css",
        &[("range", "bytes=999999-")],
    )
    .await;

    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        header(&response, "content-range"),
        format!("bytes */{}", STYLESHEET.len())
    );
}

#[tokio::test]
async fn several_ranges_get_the_whole_file() {
    let app = spawn_app().await;

    let response = get_with(
        &raw_client(),
        &app,
        "/static/style.css",
        &[("range", "bytes=0-1,5-6")],
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-range"), "");
    assert_eq!(
        response.bytes().await.unwrap_or_default().as_ref(),
        STYLESHEET
    );
}

#[tokio::test]
async fn a_range_is_honoured_only_when_if_range_matches_the_file() {
    let app = spawn_app().await;
    let client = raw_client();
    let plain = get_with(&client, &app, "/static/style.css", &[]).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let identity_etag = header(&plain, "etag");
    assert!(identity_etag.ends_with("-id\""), "{identity_etag}");
    let last_modified = header(&plain, "last-modified");
    assert!(!last_modified.is_empty());

    // The file's own ETag or its Last-Modified: the range is sent.
    for validator in [identity_etag.as_str(), last_modified.as_str()] {
        let part = get_with(
            &client,
            &app,
            "/static/style.css",
            &[("range", "bytes=0-9"), ("if-range", validator)],
        )
        .await;
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT, "{validator}");
        assert_eq!(
            part.bytes().await.unwrap_or_default().as_ref(),
            &STYLESHEET[..10],
            "{validator}"
        );
    }

    // Anything else: the file may have changed since, so all of it.
    let whole = get_with(
        &client,
        &app,
        "/static/style.css",
        &[("range", "bytes=0-9"), ("if-range", "\"nope\"")],
    )
    .await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(header(&whole, "content-range"), "");
    assert_eq!(whole.bytes().await.unwrap_or_default().as_ref(), STYLESHEET);
}

#[tokio::test]
async fn a_post_to_a_static_file_is_405_and_says_what_is_allowed() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/static/style.css", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = header(&response, "allow");
    assert!(allow.contains("GET"), "{allow:?}");
    assert!(allow.contains("HEAD"), "{allow:?}");
    assert!(!allow.contains("POST"), "{allow:?}");
    let body = response.bytes().await.unwrap_or_default();
    assert_ne!(body.as_ref(), STYLESHEET);
}

#[tokio::test]
async fn only_the_fingerprinted_url_is_cached_as_immutable() {
    let app = spawn_app().await;
    let fingerprint = stylesheet_fingerprint(&app).await;
    assert_eq!(fingerprint.len(), 12, "{fingerprint}");

    let pinned = app.get(&format!("/static/style.css?v={fingerprint}")).await;
    assert_eq!(pinned.status(), StatusCode::OK);
    assert_eq!(
        header(&pinned, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    // A wrong fingerprint, or none, may name other bytes tomorrow: a day.
    for path in ["/static/style.css?v=0000", "/static/style.css"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let policy = header(&response, "cache-control");
        assert!(policy.contains("max-age=86400"), "{path}: {policy}");
        assert!(!policy.contains("immutable"), "{path}: {policy}");
    }
}

#[tokio::test]
async fn a_development_directory_serves_its_own_files_and_never_as_immutable() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let css: &[u8] = b"/* a development copy */\nbody { color: rebeccapurple; }\n";
    std::fs::write(dir.path().join("style.css"), css).unwrap_or_else(|e| panic!("{e}"));
    let static_dir = dir.path().display().to_string();
    let app = spawn_app_with(&["--static-dir", static_dir.as_str()]).await;

    // The page links the directory's stylesheet by its own fingerprint.
    let fingerprint = stylesheet_fingerprint(&app).await;
    assert_eq!(fingerprint.len(), 12, "{fingerprint}");
    let response = app.get(&format!("/static/style.css?v={fingerprint}")).await;

    assert_eq!(response.status(), StatusCode::OK);
    let policy = header(&response, "cache-control");
    assert!(!policy.contains("immutable"), "{policy}");
    assert!(policy.contains("max-age=86400"), "{policy}");
    assert_eq!(response.bytes().await.unwrap_or_default().as_ref(), css);
}

#[tokio::test]
async fn accept_encoding_weights_choose_the_variant() {
    let app = spawn_app().await;
    let client = raw_client();

    let gzip = get_with(
        &client,
        &app,
        "/static/style.css",
        &[("accept-encoding", "br;q=0.1, gzip;q=0.9")],
    )
    .await;
    assert_eq!(gzip.status(), StatusCode::OK);
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    let body = gzip.bytes().await.unwrap_or_default();
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(body.as_ref())
        .read_to_end(&mut plain)
        .unwrap_or_else(|e| panic!("gunzip: {e}"));
    assert_eq!(plain, STYLESHEET);

    // Both refused: the file as it is.
    let neither = get_with(
        &client,
        &app,
        "/static/style.css",
        &[("accept-encoding", "br;q=0, gzip;q=0")],
    )
    .await;
    assert_eq!(neither.status(), StatusCode::OK);
    assert_eq!(header(&neither, "content-encoding"), "");
    assert_eq!(
        neither.bytes().await.unwrap_or_default().as_ref(),
        STYLESHEET
    );
}
