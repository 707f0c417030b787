//! Configuration from the environment, read once at start-up.
use std::time::Duration;

use anyhow::Context;

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub pool_size: u32,
    pub request_timeout: Duration,
    /// Statements slower than this are logged as warnings (with the request's id and the SQL).
    pub slow_query: Duration,
    /// Running inside AWS Lambda (the runtime API is set by the Lambda environment).
    pub on_lambda: bool,
    /// `production` refuses demo data and development conveniences.
    pub environment: Environment,
    pub auth: crate::auth::AuthConfig,
    /// The role the portal's queries run as (`SET ROLE` after connecting); row-level security
    /// applies to it. Migrations, imports and demo data use the connecting role itself.
    pub app_role: String,
    /// The role authentication runs as (sign-in, sessions, second factor): the only one that may
    /// read password hashes and sessions. A second pool, also `SET ROLE` after connecting.
    pub auth_role: String,
    /// The largest HH upload (`POST /admin/imports/upload`) in bytes, the whole request body.
    pub upload_max_bytes: u64,
    /// Outgoing e-mail: SMTP server, sender, the portal's public address (`crate::mail`).
    pub mail: crate::mail::MailConfig,
    /// `AUTH_DATABASE_URL`: when set, each pool connects with a login of its own that *is* its
    /// role (a member of `portal_app`, or of `portal_auth`), and neither runs `SET ROLE` nor any
    /// other `SET`: what a pooler such as RDS Proxy needs to share server connections between
    /// clients instead of pinning each client to one (docs: infra/README.md). Unset: both pools
    /// use `DATABASE_URL` and switch roles (`app_role`, `auth_role`).
    pub auth_database_url: Option<String>,
    /// On AWS: re-reads the database secrets so a rotated password reaches the pools.
    pub db_credentials: Option<std::sync::Arc<crate::secrets::DbCredentials>>,
    /// `EXPORT_BUCKET`: HH exports are written to S3 and downloaded from a presigned link, as a
    /// Lambda response cannot carry more than 6 MB (`crate::export::offload`).
    pub export_offload: Option<std::sync::Arc<crate::export::offload::Offload>>,
}

/// The request timeout on Lambda: below API Gateway's 29 s integration timeout, so a slow page
/// ends with the portal's own 504 (logged, with the request id) rather than API Gateway's.
pub const LAMBDA_REQUEST_TIMEOUT_SECS: u64 = 25;

/// The largest HH upload by default: 50 MB, about a million half-hourly lines.
pub const DEFAULT_UPLOAD_MAX_BYTES: u64 = 50_000_000;

/// On Lambda: a 6 MB invocation payload holds about 4.4 MB of body once base64-encoded.
pub const DEFAULT_UPLOAD_MAX_BYTES_LAMBDA: u64 = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let on_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
        let database_url = std::env::var("DATABASE_URL")
            .context("DATABASE_URL is not set (the README's run command starts a local Postgres for you)")?;
        let pool_size = match std::env::var("DB_POOL_SIZE") {
            Ok(v) => v.parse().context("DB_POOL_SIZE must be a positive integer")?,
            // One Lambda instance serves one request at a time: a small pool per instance.
            Err(_) if on_lambda => 2,
            Err(_) => 10,
        };
        let request_timeout = Duration::from_secs(match std::env::var("REQUEST_TIMEOUT_SECS") {
            Ok(v) => v.parse().context("REQUEST_TIMEOUT_SECS must be an integer")?,
            Err(_) if on_lambda => LAMBDA_REQUEST_TIMEOUT_SECS,
            Err(_) => 30,
        });
        let slow_query = Duration::from_millis(match std::env::var("SLOW_QUERY_MS") {
            Ok(v) => v
                .parse()
                .context("SLOW_QUERY_MS must be an integer (milliseconds)")?,
            Err(_) => 250,
        });
        let environment = match std::env::var("PORTAL_ENV").as_deref() {
            Ok("production") => Environment::Production,
            Ok("development") | Err(_) => Environment::Development,
            Ok(other) => anyhow::bail!("PORTAL_ENV must be 'development' or 'production', not {other:?}"),
        };
        let auth = crate::auth::AuthConfig::from_env(environment == Environment::Production)?;
        let upload_max_bytes = match std::env::var("UPLOAD_MAX_BYTES") {
            Ok(v) => v
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .context("UPLOAD_MAX_BYTES must be a positive whole number of bytes")?,
            // Lambda takes at most 6 MB of request, which API Gateway sends base64-encoded.
            Err(_) if on_lambda => DEFAULT_UPLOAD_MAX_BYTES_LAMBDA,
            Err(_) => DEFAULT_UPLOAD_MAX_BYTES,
        };
        let mail = crate::mail::MailConfig::from_env(environment == Environment::Production)?;
        let app_role = std::env::var("DB_APP_ROLE").unwrap_or_else(|_| "portal_app".into());
        let auth_role = std::env::var("DB_AUTH_ROLE").unwrap_or_else(|_| "portal_auth".into());
        for (name, role) in [("DB_APP_ROLE", &app_role), ("DB_AUTH_ROLE", &auth_role)] {
            anyhow::ensure!(
                !role.is_empty() && role.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{name} may only hold letters, digits and underscores"
            );
        }
        let auth_database_url = std::env::var("AUTH_DATABASE_URL").ok().filter(|u| !u.is_empty());
        let export_offload = crate::export::offload::Offload::from_env()
            .map_err(anyhow::Error::msg)?
            .map(std::sync::Arc::new);
        Ok(Self {
            export_offload,
            database_url,
            auth_database_url,
            db_credentials: crate::secrets::DbCredentials::from_env(),
            pool_size,
            request_timeout,
            slow_query,
            on_lambda,
            environment,
            auth,
            app_role,
            auth_role,
            upload_max_bytes,
            mail,
        })
    }
}
