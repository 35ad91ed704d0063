//! Command-line configuration; every flag has an environment variable, and the defaults run out
//! of the box against the real services.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, ValueEnum};

/// Cityscape: one page about a place, now: where it is, its local time, the weather and the sun.
#[derive(Debug, Clone, Parser)]
#[command(name = "cityscape", version, about, long_about = None)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "CITYSCAPE_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// SQLite database URL; with `mode=rwc` the file is created if missing. Migrations run at start.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://cityscape.db?mode=rwc"
    )]
    pub database_url: String,

    /// `live` calls the real web services; `simulated` answers offline after the real services'
    /// measured latencies, for demos and load tests.
    #[arg(long, env = "CITYSCAPE_UPSTREAM", value_enum, default_value_t = UpstreamMode::Live)]
    pub upstream: UpstreamMode,

    /// `off` sends every request upstream: no stored places, no cached answers, no coalescing.
    /// For the load benchmark.
    #[arg(long, env = "CITYSCAPE_CACHE", value_enum, default_value_t = CacheMode::On)]
    pub cache: CacheMode,

    /// Base URL of the geocoder (Zippopotam.us).
    #[arg(
        long,
        env = "CITYSCAPE_GEOCODER_URL",
        default_value = "https://api.zippopotam.us"
    )]
    pub geocoder_url: String,

    /// Base URL of the weather service (Open-Meteo).
    #[arg(
        long,
        env = "CITYSCAPE_WEATHER_URL",
        default_value = "https://api.open-meteo.com"
    )]
    pub weather_url: String,

    /// Base URL of the sun-times service (sunrise-sunset.org).
    #[arg(
        long,
        env = "CITYSCAPE_SUN_URL",
        default_value = "https://api.sunrise-sunset.org"
    )]
    pub sun_url: String,

    /// How long to wait for an upstream service, to connect and for the whole answer, in ms.
    #[arg(long, env = "CITYSCAPE_UPSTREAM_TIMEOUT_MS", default_value_t = 3000)]
    pub upstream_timeout_ms: u64,

    /// Directory for uploaded photos (under `photos/`) and the secret that signs form tokens.
    #[arg(long, env = "CITYSCAPE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Posts each client may make per minute (events, saved places); `0` turns the limit off,
    /// for load tests.
    #[arg(long, env = "CITYSCAPE_POST_LIMIT", default_value_t = 30)]
    pub post_limit: u32,

    /// Directory of the stylesheet, icons and images served under /static.
    #[arg(long, env = "CITYSCAPE_STATIC_DIR", default_value = "static")]
    pub static_dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UpstreamMode {
    Live,
    Simulated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheMode {
    On,
    Off,
}
