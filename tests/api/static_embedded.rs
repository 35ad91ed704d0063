//! The static files from inside the binary: started in a directory without `static/`, the
//! stylesheet and icon are served, with the variants made at build time, conditional GET, HEAD
//! and Range; a development directory that does not exist stops the server at start.

use std::io::Read;

use reqwest::StatusCode;

use crate::{
    binary::{self, BINARY},
    helpers::header,
};

const STYLESHEET: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/style.css"));

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_binary_started_anywhere_serves_the_files_it_carries() {
    // Arrange: the binary started in an empty directory.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = binary::start(dir.path(), &[]);
    let _child = KillOnDrop(server.child);
    let address = server.address;
    // The client's own gzip decoding is off: the test reads the variants as they are sent.
    let client = reqwest::Client::builder()
        .no_gzip()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let get = |path: &str| client.get(format!("{address}{path}"));

    // The page links the fingerprinted stylesheet, which is served and cached for good.
    let home = get("/").send().await.unwrap_or_else(|e| panic!("{e}"));
    let html = home.text().await.unwrap_or_default();
    let href = html
        .split("href=\"/static/style.css?v=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no stylesheet link in {html}"));
    assert_eq!(href.len(), 12, "a content fingerprint, not 'dev': {href}");
    let css = get(&format!("/static/style.css?v={href}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(css.status(), StatusCode::OK);
    assert!(header(&css, "content-type").starts_with("text/css"));
    assert!(header(&css, "cache-control").contains("immutable"));
    assert_eq!(header(&css, "vary"), "accept-encoding");
    let last_modified = header(&css, "last-modified");
    assert_eq!(css.bytes().await.unwrap_or_default().as_ref(), STYLESHEET);

    let icon = get("/favicon.ico")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(header(&icon, "content-type"), "image/x-icon");

    // A conditional GET is answered 304.
    let again = get("/static/style.css")
        .header("if-modified-since", &last_modified)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Each variant has its length and decompresses to exactly the file.
    for encoding in ["br", "gzip"] {
        let variant = get("/static/style.css")
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(variant.status(), StatusCode::OK, "{encoding}");
        assert_eq!(header(&variant, "content-encoding"), encoding);
        let length: usize = header(&variant, "content-length").parse().unwrap_or(0);
        let body = variant.bytes().await.unwrap_or_default();
        assert_eq!(body.len(), length, "{encoding}");
        assert!(length < STYLESHEET.len(), "{encoding}");
        let mut plain = Vec::new();
        let read = match encoding {
            "br" => brotli::Decompressor::new(body.as_ref(), 4096).read_to_end(&mut plain),
            _ => flate2::read::GzDecoder::new(body.as_ref()).read_to_end(&mut plain),
        };
        assert!(read.is_ok(), "{encoding}");
        assert_eq!(plain, STYLESHEET, "{encoding}");
    }

    // HEAD and Range still work.
    let head = client
        .head(format!("{address}/static/style.css"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        header(&head, "content-length"),
        STYLESHEET.len().to_string()
    );
    let range = get("/static/style.css")
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(range.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        range.bytes().await.unwrap_or_default().as_ref(),
        &STYLESHEET[..10]
    );
}

#[test]
fn a_development_directory_that_does_not_exist_stops_the_server_with_its_path() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("no-such-static");

    let output = std::process::Command::new(BINARY)
        .args(["--bind", "127.0.0.1:0", "--upstream", "simulated"])
        .arg("--database-url")
        .arg(format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("c.db").display()
        ))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--static-dir")
        .arg(&missing)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));

    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains(&missing.display().to_string()), "{said}");
}
