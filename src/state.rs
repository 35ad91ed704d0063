//! What every handler shares: the store and the lookups (upstream clients and caches).
//! Built once at start-up; cloning it (every layer and handler does, on every request) copies
//! one pointer.

use std::sync::Arc;

use axum::extract::FromRef;
use axum_csrf::CsrfConfig;

use crate::{
    boards::Boards,
    cities::{CitySearch, import},
    config::{Config, UpstreamMode},
    db,
    event_writes::EventWrites,
    handlers::place::{ConditionsCache, conditions_cache},
    layout::Layout,
    lookup::Lookups,
    photo_store::PhotoStore,
    protect::{self, PostLimiter},
    static_assets::{StaticAssets, StaticError},
    upstream::{UpstreamError, Upstreams},
    view_counts::ViewCounts,
};

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    /// Places, events and saved places, in this server's world.
    pub store: db::Store,
    pub views: ViewCounts,
    pub boards: Boards,
    /// The place pages' weather and sun sections, made once a minute per place.
    pub conditions: ConditionsCache,
    pub lookups: Arc<Lookups>,
    /// Finding cities by name, coordinates or postal code.
    pub cities: CitySearch,
    pub simulated: bool,
    /// Where the static files are served from, and the stylesheet's fingerprint.
    pub assets: StaticAssets,
    pub photos: PhotoStore,
    pub csrf: CsrfConfig,
    /// The secret that signs forms (`--secret-file`, or the data directory's), which also keys
    /// the private edit tokens.
    pub secret: Arc<[u8]>,
    /// `None` when posts are not limited.
    pub post_limiter: Option<Arc<PostLimiter>>,
    /// Set when a stop was asked for: `/readyz` then answers 503, for `--shutdown-delay-ms`
    /// while the server still serves, so a balancer moves new requests elsewhere first.
    pub shutting_down: Arc<std::sync::atomic::AtomicBool>,
}

/// Lets handlers take an `axum_csrf::CsrfToken`.
impl FromRef<AppState> for CsrfConfig {
    fn from_ref(state: &AppState) -> Self {
        state.csrf.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not open or migrate the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not migrate the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("could not set up the upstream clients: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("could not listen, or prepare the data directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Static(#[from] StaticError),
    #[error("could not import the cities: {0}")]
    Cities(#[from] import::ImportError),
    #[error("could not import the cities: the importing process ended with {0}")]
    CitiesProcess(std::process::ExitStatus),
}

/// Where the cities are imported at start, when the database does not hold them yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitiesImport {
    /// In this process: for tests, which build the app in their own process.
    InThisProcess,
    /// In a child process of this binary (`--import-cities-only`), which the server waits for.
    /// The import parses, folds and stores 400,000 names (66 MB at its peak); in the server's
    /// own process the allocator kept part of that for the server's whole life (jemalloc gives
    /// pages back only as the arena that freed them is used again), and a fresh start rested at
    /// 31 MB instead of 21. A child's memory all goes back when it exits. Where no child can
    /// be started, the import runs here after all.
    InChildProcess,
}

impl AppState {
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        Self::build_with(config, CitiesImport::InThisProcess).await
    }

    pub async fn build_with(
        config: &Config,
        cities_import: CitiesImport,
    ) -> Result<Self, StartupError> {
        // Made first: on PostgreSQL the cities' file is in it by default.
        tokio::fs::create_dir_all(&config.data_dir).await?;
        let db::Opened { store, cities } = db::open(
            &config.database_url,
            config.database_max_mb,
            config.upstream == UpstreamMode::Simulated,
            &config.cities_database_url(),
        )
        .await?;
        let moved = store.move_to_data_form().await?;
        if moved > 0 {
            tracing::info!(
                moved,
                "stored places moved to the postal-code form the geocoder holds"
            );
        }
        match cities_import {
            CitiesImport::InChildProcess if !config.cities_in_memory() => {
                if let Err(error) = import_cities_in_child_process().await {
                    let StartupError::Io(error) = error else {
                        return Err(error);
                    };
                    tracing::warn!(%error, "no process of their own for the cities; importing them here");
                    import_cities(&cities, config.cities_file.as_deref()).await?;
                }
            }
            _ => import_cities(&cities, config.cities_file.as_deref()).await?,
        }
        let cities = CitySearch::new(cities.readers, config.cache == crate::config::CacheMode::On);
        let upstreams = Upstreams::from_config(config)?;
        let lookups = Lookups::new(store.clone(), upstreams, config.cache);
        let secret_file = match &config.secret_file {
            Some(path) => protect::SecretFile::Shared(path.clone()),
            None => protect::SecretFile::InDataDir(config.data_dir.join("secret")),
        };
        let secret = protect::load_or_create_secret(&secret_file).await?;
        // Installed before the first request, so that no count is lost.
        crate::telemetry::handle();
        let views = ViewCounts::start(store.clone());
        let boards = Boards::new(store.clone());
        let photos = PhotoStore::open(&config.data_dir).await?;
        boards.watch_other_instances();
        record_photo_sizes(&store, &photos).await;
        Ok(Self(Arc::new(Shared {
            store,
            views,
            boards,
            conditions: conditions_cache(),
            lookups: Arc::new(lookups),
            cities,
            simulated: config.upstream == UpstreamMode::Simulated,
            assets: StaticAssets::prepare(config.static_dir.as_deref()).await?,
            photos,
            csrf: protect::csrf_config(&secret),
            secret: secret.into(),
            post_limiter: protect::post_limiter(config.post_limit),
            shutting_down: Arc::default(),
        })))
    }

    /// Posts, edits and deletes of events, with their photos' files.
    pub fn event_writes(&self) -> EventWrites<'_> {
        EventWrites {
            store: &self.store,
            photos: &self.photos,
            boards: &self.boards,
        }
    }

    /// The layout fields every page shares.
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            simulated: self.simulated,
            asset_version: self.assets.version.clone(),
            script_version: self.assets.script_version.clone(),
        }
    }
}

/// What the child process started by [`CitiesImport::InChildProcess`] does: opens the database
/// (migrating it if need be) and imports the cities unless it holds them.
pub async fn import_cities_only(config: &Config) -> Result<(), StartupError> {
    tokio::fs::create_dir_all(&config.data_dir).await?;
    let db::Opened { cities, .. } = db::open(
        &config.database_url,
        config.database_max_mb,
        config.upstream == UpstreamMode::Simulated,
        &config.cities_database_url(),
    )
    .await?;
    import_cities(&cities, config.cities_file.as_deref()).await
}

/// Runs this binary again with the same arguments (and environment) plus
/// `--import-cities-only`, and waits for it. Its log lines go to the same place as ours.
/// `StartupError::Io` when it could not be started or waited for (the binary's file replaced
/// or gone, no process left to make); `CitiesProcess` when it ran and failed, having logged why.
async fn import_cities_in_child_process() -> Result<(), StartupError> {
    // On Linux the very file this process runs, even when an upgrade has since replaced it.
    let own = std::path::Path::new("/proc/self/exe");
    let binary = if own.exists() {
        own.to_path_buf()
    } else {
        std::env::current_exe()?
    };
    let started = std::time::Instant::now();
    // std's process, waited for on a blocking thread: tokio's would put its child reaper on
    // every runtime's park, the connection threads' too, for a process run once at start.
    let mut child = std::process::Command::new(binary)
        .args(std::env::args_os().skip(1))
        .arg("--import-cities-only")
        .spawn()?;
    let pid = child.id();
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .map_err(std::io::Error::other)??;
    if !status.success() {
        return Err(StartupError::CitiesProcess(status));
    }
    tracing::info!(
        pid,
        took_ms = started.elapsed().as_millis(),
        "cities checked by a process of their own"
    );
    Ok(())
}

/// Imports the cities (the built-in file, or `--cities-file`) unless the database holds them.
async fn import_cities(
    database: &db::sqlite::Sqlite,
    file: Option<&std::path::Path>,
) -> Result<(), StartupError> {
    let started = std::time::Instant::now();
    let read;
    let gzip = match file {
        Some(path) => {
            read = tokio::fs::read(path).await.map_err(|error| {
                std::io::Error::new(
                    error.kind(),
                    format!("the cities file {}: {error}", path.display()),
                )
            })?;
            &read[..]
        }
        None => crate::cities::data::BUILT_IN,
    };
    match import::import_if_changed(&database.readers, &database.writer, gzip).await? {
        import::Imported::AlreadyCurrent => tracing::debug!("cities already imported"),
        import::Imported::Cities { cities, names } => tracing::info!(
            cities,
            names,
            took_ms = started.elapsed().as_millis(),
            "cities imported"
        ),
    }
    Ok(())
}

/// Reads the sizes of photos stored before sizes were kept, once, at start. A photo whose
/// files cannot be read keeps no sizes (its page shows it without them) and is logged.
async fn record_photo_sizes(store: &db::Store, photos: &PhotoStore) {
    let hashes = match store.photos_without_sizes().await {
        Ok(hashes) => hashes,
        Err(error) => {
            tracing::warn!(%error, "photos without sizes not listed");
            return;
        }
    };
    for hash in hashes {
        let Some(sizes) = photos.sizes_of(&hash).await else {
            tracing::warn!(%hash, "a stored photo's files could not be read for their sizes");
            continue;
        };
        if let Err(error) = store.set_photo_sizes(&hash, sizes).await {
            tracing::warn!(%error, %hash, "photo sizes not recorded");
        }
    }
}
