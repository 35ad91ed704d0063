//! Tests that need a real browser: headless Chromium driven over WebDriver (chromedriver).
//! A separate test binary behind the `browser-tests` feature, so that `cargo test` needs only
//! the Rust toolchain; run it with `cargo test --features browser-tests --test browser` after
//! installing Debian's `chromium` and `chromium-driver` (`.ci/run` does both).

// The shared helpers serve the API tests too; this binary uses a few of them.
#![allow(dead_code)]

mod accessibility;
#[path = "../api/fixtures.rs"]
mod fixtures;
#[path = "../api/helpers.rs"]
mod helpers;
mod person;
