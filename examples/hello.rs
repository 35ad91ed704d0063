//! The baseline of `bench/pages.sh`: a bare axum "hello" handler on the same axum, tokio and
//! hyper as Cityscape, so the page's figures can be read as a fraction of what the framework
//! itself does on this machine in the same run.
//!
//!     cargo run --release --example hello -- 127.0.0.1:18080

use axum::{Router, routing::get};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18080".to_owned());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    axum::serve(listener, app).await
}
