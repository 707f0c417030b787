//! The Postgres pool and migrations.
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgPool};

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

/// A connection idle for longer than this is pinged before it is handed out (it may have been
/// dropped by the server, a proxy or a Lambda freeze); one in steady use is not, which saves a
/// round trip on every acquire under load (a page takes up to three).
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// The pool the portal serves from: every connection switches to `role` (no BYPASSRLS), so
/// row-level security applies to every query the web app makes.
///
/// Parallel query is off for these connections: a request's query is small, and on a loaded server
/// the two workers Postgres forks per parallel plan compete with other requests for the same cores
/// (measured: the dashboard's scan of `hh_day` cost ~30 % more CPU in parallel, and the dashboard
/// served 51–56 req/s with parallel plans against 85–101 req/s without, 16 connections, 2 cores).
pub fn app_pool(options: PgConnectOptions, size: u32, role: &str) -> PgPool {
    // One round trip (simple query protocol): the role, then the session settings. Dynamic SQL:
    // a role name cannot be a bind parameter (it comes from configuration, checked in config.rs).
    let on_connect = format!("SET ROLE {role}; SET max_parallel_workers_per_gather = 0");
    PgPoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_IF_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _meta| {
            let on_connect = on_connect.clone();
            Box::pin(async move {
                conn.execute(on_connect.as_str()).await?;
                Ok(())
            })
        })
        .connect_lazy_with(options)
}

/// Why a database login must not serve the portal, if it must not: row-level security does not
/// hold a superuser, a role with BYPASSRLS (or one that can become such a role), or the tables'
/// owner (which could also drop the policies). Checked on `current_user`, so a test can check a
/// role it has switched to. Empty: fit to serve.
pub async fn login_privilege_problems(conn: &mut sqlx::PgConnection) -> Result<Vec<String>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT current_user::text AS "login!",
                  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS "superuser!",
                  ARRAY(SELECT rolname::text FROM pg_roles
                        WHERE (rolbypassrls OR rolsuper) AND pg_has_role(current_user, oid, 'MEMBER')
                        ORDER BY rolname) AS "bypassing_roles!",
                  ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                          AND pg_has_role(current_user, c.relowner, 'MEMBER')
                        ORDER BY c.relname) AS "owned_tables!""#
    )
    .fetch_one(conn)
    .await?;
    let mut problems = Vec::new();
    if r.superuser {
        problems.push(format!("{} is a superuser", r.login));
    } else if !r.bypassing_roles.is_empty() {
        problems.push(format!(
            "{} has BYPASSRLS or can become a role that has it ({})",
            r.login,
            r.bypassing_roles.join(", ")
        ));
    }
    if !r.superuser && !r.owned_tables.is_empty() {
        problems.push(format!(
            "{} owns (or can become the owner of) the portal's tables ({}{})",
            r.login,
            r.owned_tables
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            if r.owned_tables.len() > 5 { ", …" } else { "" }
        ));
    }
    Ok(problems)
}

/// Refuses to serve (an error naming every problem) when the login of `options` could bypass
/// row-level security. The server runs this at start-up in production.
pub async fn refuse_over_privileged_login(options: &PgConnectOptions) -> anyhow::Result<()> {
    let mut conn = options.connect().await?;
    let problems = login_privilege_problems(&mut conn).await?;
    let _ = conn.close().await;
    anyhow::ensure!(
        problems.is_empty(),
        "refusing to serve in production: the database login could bypass row-level security: {}. \
         Serve with a login that is only a member of portal_app and portal_auth; run migrations, \
         imports and demo data as the tables' owner (see README, Security model)",
        problems.join("; ")
    );
    Ok(())
}
