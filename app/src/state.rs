//! State shared by every request on the server: Leptos options and the database pool.
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
}

impl AppState {
    /// The state of the request being served; server fns and pages get it from Leptos's context.
    pub fn current() -> Result<Self, crate::api::ApiError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            crate::api::ApiError::Internal
        })
    }
}
