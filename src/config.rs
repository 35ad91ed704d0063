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

    /// Where places, events and saved places are kept: a SQLite URL (`mode=rwc` creates the
    /// file), or a PostgreSQL one (`postgres://user:password@host/database`) for several
    /// instances on one database. Migrations run at start.
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

    /// `json`: one JSON object per log line, for log shippers; `text` for people.
    #[arg(long, env = "CITYSCAPE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

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

    /// The file of the secret that signs forms and private edit links; `{data_dir}/secret` when
    /// not given. Instances of one site share it (a mounted file), so a form fetched from one
    /// posts to any other. Made on first start when missing; a damaged one stops the start.
    #[arg(long, env = "CITYSCAPE_SECRET_FILE")]
    pub secret_file: Option<PathBuf>,

    /// Posts each client may make per minute (events, saved places); `0` turns the limit off,
    /// for load tests.
    #[arg(long, env = "CITYSCAPE_POST_LIMIT", default_value_t = 30)]
    pub post_limit: u32,

    /// Serve the stylesheet, icons and images from this directory as it is, instead of the
    /// copies inside the binary: for working on them. It must exist.
    #[arg(long, env = "CITYSCAPE_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Search these cities instead of the GeoNames file built into the binary: a gzipped file
    /// of the same form (`geodata/rebuild.py` makes one).
    #[arg(long, env = "CITYSCAPE_CITIES_FILE")]
    pub cities_file: Option<PathBuf>,

    /// The SQLite file the cities are searched in when the database is PostgreSQL; each
    /// instance may keep its own (they are imported at start). `{data_dir}/cities.db` when not
    /// given. On SQLite the cities are in the database itself and this is not used.
    #[arg(long, env = "CITYSCAPE_CITIES_DATABASE_URL")]
    pub cities_database_url: Option<String>,

    /// Largest size the database may grow to, in MB; `0` is no limit beyond the disk's. At the
    /// limit writes are refused as on a full disk (507) and reads go on.
    #[arg(long, env = "CITYSCAPE_DATABASE_MAX_MB", default_value_t = 0)]
    pub database_max_mb: u64,

    /// Time a client has to send a whole request head, in ms, counted from when the connection
    /// starts waiting for it: it also closes a kept-alive connection that stays idle this long.
    #[arg(
        long,
        env = "CITYSCAPE_HEADER_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub header_read_timeout_ms: u64,

    /// Time a client has to send a whole request body, in ms; slower uploads get 408.
    #[arg(long, env = "CITYSCAPE_BODY_TIMEOUT_MS", default_value_t = 60_000,
          value_parser = clap::value_parser!(u64).range(100..))]
    pub body_timeout_ms: u64,

    /// Largest request head (request line and headers), in bytes; larger ones get 431.
    /// At least 8192.
    #[arg(long, env = "CITYSCAPE_MAX_HEADER_BYTES", default_value_t = 16_384,
          value_parser = clap::value_parser!(u64).range(8192..=1_048_576))]
    pub max_header_bytes: u64,

    /// Connections open at once; at the cap the longest-idle one is closed to make room, and
    /// when none is idle a new one is answered 503 and closed. Also capped by the process's
    /// file limit.
    #[arg(long, env = "CITYSCAPE_MAX_CONNECTIONS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,

    /// On SIGTERM or Ctrl-C, go on serving this long with `/readyz` answering 503 before the
    /// stop begins, so that a balancer checking readiness moves new requests elsewhere first.
    #[arg(long, env = "CITYSCAPE_SHUTDOWN_DELAY_MS", default_value_t = 0)]
    pub shutdown_delay_ms: u64,

    /// Import the cities into the database if it does not hold them yet, then exit: what the
    /// server runs as a child process of its own at start (`state::CitiesImport`).
    #[arg(long, hide = true)]
    pub import_cities_only: bool,
}

impl Config {
    /// Whether the cities are kept in a database only this process can see (SQLite in memory),
    /// so that no other process can import them.
    pub fn cities_in_memory(&self) -> bool {
        let url = match crate::db::Backend::of_url(&self.database_url) {
            Some(crate::db::Backend::Postgres) => self.cities_database_url(),
            _ => self.database_url.clone(),
        };
        url.contains(":memory:") || url.contains("mode=memory")
    }

    /// The cities' SQLite file on a PostgreSQL instance (see `--cities-database-url`).
    pub fn cities_database_url(&self) -> String {
        self.cities_database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("cities.db").display()
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UpstreamMode {
    Live,
    Simulated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheMode {
    On,
    Off,
}
