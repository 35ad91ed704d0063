//! Binding, serving and graceful shutdown (Ctrl-C or SIGTERM: stop accepting, finish in-flight
//! requests, then exit).

mod connections;
mod io;

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};

pub use connections::{ConnectionLimits, raise_open_file_limit, serve};

use crate::{
    config::Config,
    domain::timezone,
    routes,
    state::{AppState, CitiesImport, StartupError},
};

/// Room for a burst of new connections (the load test opens thousands at once); the kernel
/// caps it at `net.core.somaxconn`.
const LISTEN_BACKLOG: u32 = 65535;

pub async fn run(config: Config) -> Result<(), StartupError> {
    let state = AppState::build_with(&config, CitiesImport::InChildProcess).await?;
    // Load the time-zone boundaries before the first request needs them.
    tokio::task::spawn_blocking(timezone::warm_up)
        .await
        .map_err(|e| StartupError::Io(std::io::Error::other(e)))?;
    if let Some(limiter) = state.post_limiter.clone() {
        // Forget clients that have not posted lately, so the limiter's memory stays bounded.
        tokio::spawn(async move {
            let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every_minute.tick().await;
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }
    raise_open_file_limit();
    let listener = listen(config.bind)?;
    let absolute = |path: &std::path::Path| {
        std::path::absolute(path)
            .unwrap_or_else(|_| path.to_owned())
            .display()
            .to_string()
    };
    tracing::info!(
        address = %format!("http://{}", listener.local_addr()?),
        upstream = ?config.upstream,
        cache = ?config.cache,
        database = %database_file(&config.database_url).map_or_else(|| crate::db::redacted(&config.database_url), |f| absolute(&f)),
        data_dir = %absolute(&config.data_dir),
        static_files = %state.assets.describe(),
        "listening"
    );
    let views = state.views.clone();
    let shutting_down = state.shutting_down.clone();
    let drain = std::time::Duration::from_millis(config.shutdown_delay_ms);
    serve(
        listener,
        routes::router(state, &config),
        ConnectionLimits::from_config(&config),
        async move {
            shutdown_signal().await;
            shutting_down.store(true, std::sync::atomic::Ordering::SeqCst);
            if !drain.is_zero() {
                tracing::info!(?drain, "not ready: serving on a while before the stop");
                tokio::time::sleep(drain).await;
            }
        },
    )
    .await?;
    // The page views counted since the last write are not lost to a clean stop.
    views.flush_before_stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// The file a SQLite URL names (`sqlite://cityscape.db?mode=rwc` → `cityscape.db`), for the log.
fn database_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest
        .split('?')
        .next()
        .filter(|f| !f.is_empty() && *f != ":memory:")?;
    Some(std::path::PathBuf::from(file))
}

pub fn listen(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
