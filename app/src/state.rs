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
    /// The state of the request being served, from Leptos's context; `None` outside a request
    /// that the server set up (the API layer turns that into its internal error).
    pub fn current() -> Option<Self> {
        leptos::prelude::use_context::<Self>()
    }
}
