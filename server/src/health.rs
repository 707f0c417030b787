//! `/healthz`: answers 200 only when the database answers too.
use std::time::Duration;

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let probe = sqlx::query_scalar!(r#"SELECT 1 AS "one!: i32""#).fetch_one(&state.db);
    match tokio::time::timeout(Duration::from_secs(3), probe).await {
        Ok(Ok(1)) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "ok" }))),
        Ok(Ok(_)) | Ok(Err(_)) | Err(_) => {
            tracing::warn!("health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unavailable" })),
            )
        }
    }
}
