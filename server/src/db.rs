//! The Postgres pool and migrations.
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Creates the pool once per process without connecting: the first query connects, so a Lambda
/// cold start or a page that needs no data does not wait for the database.
pub fn lazy_pool(url: &str, size: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy(url)
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The pool the portal serves from: every connection switches to `role` (no BYPASSRLS), so
/// row-level security applies to every query the web app makes.
pub fn app_pool(options: PgConnectOptions, size: u32, role: &str) -> PgPool {
    // Dynamic SQL: a role name cannot be a bind parameter (it comes from configuration).
    let set_role = format!("SET ROLE {role}");
    PgPoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .after_connect(move |conn, _meta| {
            let set_role = set_role.clone();
            Box::pin(async move {
                conn.execute(set_role.as_str()).await?;
                Ok(())
            })
        })
        .connect_lazy_with(options)
}
