//! What every handler shares: the database pool and the lookups (upstream clients and caches).
//! Built once at start-up; cheap to clone.

use std::sync::Arc;

use sqlx::SqlitePool;

use crate::{
    config::{Config, UpstreamMode},
    db,
    handlers::layout::Layout,
    lookup::Lookups,
    upstream::{UpstreamError, Upstreams},
};

#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    pub lookups: Arc<Lookups>,
    pub simulated: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not open or migrate the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not migrate the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("could not set up the upstream clients: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("could not listen: {0}")]
    Listen(#[from] std::io::Error),
}

impl AppState {
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        let pool = db::connect(&config.database_url).await?;
        let upstreams = Upstreams::from_config(config)?;
        let lookups = Lookups::new(pool.clone(), upstreams, config.upstream, config.cache);
        Ok(Self {
            pool,
            lookups: Arc::new(lookups),
            simulated: config.upstream == UpstreamMode::Simulated,
        })
    }

    /// The layout fields every page shares.
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            simulated: self.simulated,
        }
    }
}
