//! The Postgres pool and migrations.
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor, PgPool};

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

/// Statements that take longer than `threshold` are logged as warnings (target `sqlx::query`,
/// inside the request's span, so with its request id); every statement stays at debug.
pub fn log_slow_statements(options: PgConnectOptions, threshold: Duration) -> PgConnectOptions {
    options
        .log_statements(log::LevelFilter::Debug)
        .log_slow_statements(log::LevelFilter::Warn, threshold)
}

/// The pool the portal serves from: every connection switches to `role` (no BYPASSRLS), so
/// row-level security applies to every query the web app makes.
pub fn app_pool(options: PgConnectOptions, size: u32, role: &str) -> PgPool {
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
