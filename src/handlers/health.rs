//! `GET /healthz`: 200 when the database answers, 503 when it does not.

use axum::{Json, extract::State};
use serde_json::{Value, json};

use crate::{db, error::AppError, state::AppState};

pub async fn check(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    db::ping(&state.pool)
        .await
        .map_err(|e| AppError::Unavailable(format!("database: {e}")))?;
    Ok(Json(json!({ "status": "ok" })))
}
