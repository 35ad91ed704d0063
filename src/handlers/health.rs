//! What whatever runs the server asks. `GET /metrics`: Prometheus' figures (`telemetry.rs`).
//! `GET /healthz`: the process is alive and answers
//! (200, nothing else is asked: restart it if this fails). `GET /readyz`: it should be sent
//! requests (200) — the database answers (its migrations ran before the server listened), there
//! is room to store what people post, and no stop was asked for; 503 otherwise, saying which.
//! After a write was refused for want of space, each readiness check tries a small write, so the
//! server reports itself ready again once space is freed.

use std::sync::atomic::Ordering;

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{error::AppError, state::AppState};

/// `GET /metrics`
pub async fn metrics(State(state): State<AppState>) -> Response {
    crate::telemetry::render(&state.store.pools(), state.views.flush_lag())
}

pub async fn alive() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn ready(State(state): State<AppState>) -> Result<Response, AppError> {
    if state.shutting_down.load(Ordering::SeqCst) {
        let report = json!({ "status": "shutting down" });
        return Ok((StatusCode::SERVICE_UNAVAILABLE, Json(report)).into_response());
    }
    state
        .store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(format!("database: {e}")))?;
    let database_full = state.store.out_of_space().await;
    let photos_full = state.photos.out_of_space() && state.photos.probe_space().await.is_err();
    if database_full || photos_full {
        tracing::warn!(database_full, photos_full, "not ready: out of storage");
        let report = json!({
            "status": "out of storage",
            "database_full": database_full,
            "photos_full": photos_full,
        });
        return Ok((StatusCode::SERVICE_UNAVAILABLE, Json(report)).into_response());
    }
    Ok(Json(json!({ "status": "ok" })).into_response())
}
