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

/// As [`lazy_pool`], from connect options.
pub fn lazy_pool_with(options: PgConnectOptions, size: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy_with(options)
}

/// The versions of the migrations already applied (none on a new database).
pub async fn applied_migrations(conn: &mut sqlx::PgConnection) -> Result<Vec<i64>, sqlx::Error> {
    use sqlx::migrate::Migrate;
    conn.ensure_migrations_table()
        .await
        .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
    Ok(conn
        .list_applied_migrations()
        .await
        .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?
        .into_iter()
        .map(|m| m.version)
        .collect())
}

/// Whether the current login sees and writes every row despite the forced row-level security: a
/// superuser, a role with BYPASSRLS, or a member of `portal_jobs` (migration 15: what the tables'
/// owner on Amazon RDS is, which cannot have BYPASSRLS). The importer and the daily alerts need it.
pub async fn owner_sees_every_row(conn: &mut sqlx::PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT (rolsuper OR rolbypassrls
                   OR COALESCE((SELECT pg_has_role(current_user, j.oid, 'USAGE')
                                FROM pg_roles j WHERE j.rolname = 'portal_jobs'), false)) AS "sees_all!"
           FROM pg_roles WHERE rolname = current_user"#
    )
    .fetch_one(conn)
    .await
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

/// The pool the portal serves from: every connection switches to `role` (`SET ROLE`, no
/// BYPASSRLS), so row-level security applies to every query the web app makes. With
/// [`login_pool`] instead, the login itself is the role (a member of `portal_app` or
/// `portal_auth` that inherits it, see [`login_role_problems`]) and the connection runs **no
/// session-level statement at all**: a
/// `SET` makes a pooler such as RDS Proxy pin the client to one server connection for good, and
/// the session settings below then come from the login (`ALTER ROLE … SET`, done by the jobs'
/// `migrate`). Row-level security is the same either way: the policies name `portal_app` and
/// `portal_auth`, which apply to their members, and the scope is set per transaction.
///
/// Parallel query is off for these connections: a request's query is small, and on a loaded server
/// the two workers Postgres forks per parallel plan compete with other requests for the same cores
/// (measured: the dashboard's scan of `hh_day` cost ~30 % more CPU in parallel, and the dashboard
/// served 51–56 req/s with parallel plans against 85–101 req/s without, 16 connections, 2 cores).
pub fn app_pool(options: PgConnectOptions, size: u32, role: &str) -> PgPool {
    // One round trip (simple query protocol): the role, then the session settings. Dynamic SQL:
    // a role name cannot be a bind parameter (it comes from configuration, checked in config.rs).
    pool(
        options,
        size,
        Some(format!(
            "SET ROLE {role}; SET max_parallel_workers_per_gather = 0"
        )),
    )
}

/// As [`app_pool`] for a login that is its role: no statement on connect (see above).
pub fn login_pool(options: PgConnectOptions, size: u32) -> PgPool {
    pool(options, size, None)
}

fn pool(options: PgConnectOptions, size: u32, on_connect: Option<String>) -> PgPool {
    let pool = PgPoolOptions::new()
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
        });
    let pool = match on_connect {
        Some(on_connect) => pool.after_connect(move |conn, _meta| {
            let on_connect = on_connect.clone();
            Box::pin(async move {
                conn.execute(on_connect.as_str()).await?;
                Ok(())
            })
        }),
        None => pool,
    };
    pool.connect_lazy_with(options)
}

/// The settings a login that serves the portal without `SET ROLE` gets from the database
/// (`ALTER ROLE … SET`), as [`app_pool`] sets them per connection otherwise.
pub const LOGIN_SETTINGS: &[(&str, &str)] = &[("max_parallel_workers_per_gather", "0")];

/// Why the current login must not serve as `role` without `SET ROLE`, if it must not: it has to
/// inherit `role`'s privileges and policies, and must not reach `other` (the app's login must not
/// read password hashes, nor the authentication's login tenant data). Empty: fit.
pub async fn login_role_problems(
    conn: &mut sqlx::PgConnection,
    role: &str,
    other: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT current_user::text AS "login!",
                  pg_has_role(current_user, $1::text, 'USAGE') AS "inherits!",
                  pg_has_role(current_user, $2::text, 'MEMBER') AS "reaches_other!""#,
        role,
        other
    )
    .fetch_one(conn)
    .await?;
    let mut problems = Vec::new();
    if !r.inherits {
        problems.push(format!(
            "{} does not inherit {role} (GRANT {role} TO {} WITH INHERIT TRUE)",
            r.login, r.login
        ));
    }
    if r.reaches_other {
        problems.push(format!("{} is also a member of {other}", r.login));
    }
    Ok(problems)
}

/// As [`refuse_over_privileged_login`], for a login that serves as `role` without `SET ROLE`:
/// both checks on one connection (on Lambda each connection at start-up is cold-start time).
pub async fn refuse_unfit_role_login(
    options: &PgConnectOptions,
    role: &str,
    other: &str,
) -> anyhow::Result<()> {
    let mut conn = options.connect().await?;
    let mut problems = login_privilege_problems(&mut conn).await?;
    problems.extend(login_role_problems(&mut conn, role, other).await?);
    let _ = conn.close().await;
    anyhow::ensure!(
        problems.is_empty(),
        "refusing to serve: the database login for {role} is not fit: {}. Serve with one login \
         per role, each a member of its role only, none able to bypass row-level security \
         (infra/README.md)",
        problems.join("; ")
    );
    Ok(())
}

/// Why a database login must not serve the portal, if it must not: row-level security does not
/// hold a superuser, a role with BYPASSRLS (or one that can become such a role, or `portal_jobs`,
/// whose policies show every row), or the tables'
/// owner (which could also drop the policies). Checked on `current_user`, so a test can check a
/// role it has switched to. Empty: fit to serve.
pub async fn login_privilege_problems(conn: &mut sqlx::PgConnection) -> Result<Vec<String>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT current_user::text AS "login!",
                  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS "superuser!",
                  ARRAY(SELECT rolname::text FROM pg_roles
                        WHERE (rolbypassrls OR rolsuper OR rolname = 'portal_jobs')
                          AND pg_has_role(current_user, oid, 'MEMBER')
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
            "{} has BYPASSRLS or can become a role that has it, or that sees every row ({})",
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

/// What [`ensure_login`] did to one login.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoginProvisioned {
    pub login: String,
    pub role: String,
    pub created: bool,
    pub password_set: bool,
}

/// Makes `login` a database login that serves as `role` without `SET ROLE` ([`login_pool`]):
/// created with `password` when missing (an existing login's password is changed only when
/// `set_password`: a rotation may have changed it since), a member of `role` that inherits it,
/// with [`LOGIN_SETTINGS`] as its session defaults. Idempotent. Run as the tables' owner (who
/// created `portal_app` and `portal_auth`, so may grant them) with CREATEROLE: the jobs'
/// `migrate` does, after the migrations. Refuses a login that could bypass row-level security.
pub async fn ensure_login(
    conn: &mut sqlx::PgConnection,
    login: &str,
    password: &str,
    role: &str,
    set_password: bool,
) -> Result<LoginProvisioned, anyhow::Error> {
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "exists!""#,
        login
    )
    .fetch_one(&mut *conn)
    .await?;
    // Role names and passwords cannot be bind parameters: Postgres quotes them (`format` with %I
    // and %L), and the statement it returns is run as it is.
    let mut statements = Vec::new();
    if !exists {
        statements.push(
            sqlx::query_scalar!(
                r#"SELECT format('CREATE ROLE %I LOGIN INHERIT PASSWORD %L', $1::text, $2::text) AS "sql!""#,
                login,
                password
            )
            .fetch_one(&mut *conn)
            .await?,
        );
    } else if set_password {
        statements.push(
            sqlx::query_scalar!(
                r#"SELECT format('ALTER ROLE %I LOGIN INHERIT PASSWORD %L', $1::text, $2::text) AS "sql!""#,
                login,
                password
            )
            .fetch_one(&mut *conn)
            .await?,
        );
    } else {
        statements.push(
            sqlx::query_scalar!(
                r#"SELECT format('ALTER ROLE %I LOGIN INHERIT', $1::text) AS "sql!""#,
                login
            )
            .fetch_one(&mut *conn)
            .await?,
        );
    }
    statements.push(
        sqlx::query_scalar!(
            r#"SELECT format('GRANT %I TO %I', $1::text, $2::text) AS "sql!""#,
            role,
            login
        )
        .fetch_one(&mut *conn)
        .await?,
    );
    for (name, value) in LOGIN_SETTINGS {
        statements.push(
            sqlx::query_scalar!(
                r#"SELECT format('ALTER ROLE %I SET %I = %L', $1::text, $2::text, $3::text) AS "sql!""#,
                login,
                name,
                value
            )
            .fetch_one(&mut *conn)
            .await?,
        );
    }
    for statement in &statements {
        sqlx::raw_sql(statement).execute(&mut *conn).await?;
    }
    let r = sqlx::query!(
        r#"SELECT rolsuper AS "superuser!", rolbypassrls AS "bypassrls!", rolcreaterole AS "createrole!",
                  rolcreatedb AS "createdb!"
           FROM pg_roles WHERE rolname = $1"#,
        login
    )
    .fetch_one(&mut *conn)
    .await?;
    anyhow::ensure!(
        !(r.superuser || r.bypassrls || r.createrole || r.createdb),
        "the login {login} has privileges it must not have to serve the portal \
         (superuser, BYPASSRLS, CREATEROLE or CREATEDB): remove them by hand"
    );
    Ok(LoginProvisioned {
        login: login.to_owned(),
        role: role.to_owned(),
        created: !exists,
        password_set: !exists || set_password,
    })
}
