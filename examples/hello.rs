//! The baselines of `bench/pages.sh` and `bench/load.sh`: bare axum handlers on the same axum,
//! tokio and hyper as Cityscape, so their figures can be read as fractions of what the
//! framework itself does on this machine in the same run.
//!
//! - `/` answers "Hello, World!" at once (the pages' baseline);
//! - `/waits` first waits like the simulated geocoder, then like the simulated sun service,
//!   then answers (the course load's baseline: its CPU per request is the framework's floor).
//!
//!     cargo run --release --example hello -- 127.0.0.1:18080

use axum::{Router, routing::get};
// As Cityscape's simulated services wait: the course's measurements, each in turn.
use cityscape::upstream::simulated::{GEOCODE_WAITS, SUN_WAITS};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18080".to_owned());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let app = Router::new()
        .route("/", get(|| async { "Hello, World!" }))
        .route(
            "/waits",
            get(|| async {
                GEOCODE_WAITS.wait().await;
                SUN_WAITS.wait().await;
                "Hello, World!"
            }),
        );
    axum::serve(listener, app).await
}
