//! The `jobs` binary (feature `aws`): the work that runs as the tables' owner, never in the portal
//! function. One binary, three Lambda handlers, chosen by the function's `Handler` setting (which
//! Lambda passes as `_HANDLER`), or by the first argument when run by hand:
//!
//! - `ingest`: S3 → SQS → HH import ([`crate::ingest`]);
//! - `migrate`: the migrations, then the portal's two database logins (the pre-traffic hook of a
//!   deploy invokes it before any traffic reaches the new version);
//! - `alerts-daily`: `server alerts daily`, on an EventBridge schedule.
//!
//! Outside Lambda, `jobs <handler>` handles one event read from standard input and prints the
//! answer (`jobs migrate </dev/null`).
//!
//! Secrets come as in the portal ([`crate::secrets`]): `DB_SECRET_ARN` is the owner's (RDS's
//! managed master-user secret), and `migrate` reads the logins' secrets to create them.
use std::process::ExitCode;

use anyhow::Context;
use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgPool;

use crate::{db, ingest, secrets, telemetry, transport};

pub fn main() -> ExitCode {
    transport::mark_process_start();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let handler = std::env::var("_HANDLER")
        .ok()
        .or_else(|| std::env::args().nth(1))
        .unwrap_or_default();
    secrets::load_into_env().context("Failed to read the secrets")?;
    let on_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    telemetry::init(on_lambda);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let url = std::env::var("DATABASE_URL").context("DATABASE_URL (or DB_SECRET_ARN) is not set")?;
        let options: sqlx::postgres::PgConnectOptions = url.parse().context("DATABASE_URL")?;
        let size = std::env::var("DB_POOL_SIZE")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let pool = db::lazy_pool_with(options, size);
        let credentials = secrets::DbCredentials::from_env();
        if let Some(c) = &credentials {
            c.track(secrets::Login::App, &pool);
        }
        tracing::info!(handler = %handler, init_ms = transport::since_process_start_ms(), "jobs ready");
        match handler.as_str() {
            "ingest" => {
                let ingest = ingest::Ingest {
                    db: pool,
                    s3: ingest::s3_client_from_env()?,
                };
                run_handler(
                    credentials,
                    move |event: LambdaEvent<aws_lambda_events::event::sqs::SqsEvent>| {
                        let ingest = ingest.clone();
                        async move { Ok::<_, lambda_runtime::Error>(ingest.sqs_batch(event.payload).await) }
                    },
                )
                .await
            }
            "migrate" => {
                run_handler(credentials, move |event: LambdaEvent<Value>| {
                    let pool = pool.clone();
                    async move {
                        let request: MigrateRequest =
                            serde_json::from_value(event.payload).unwrap_or_default();
                        // On a blocking thread of its own: sqlx's migrator future is not `Send`
                        // for every lifetime, which the runtime's handler bound requires.
                        let handle = tokio::runtime::Handle::current();
                        tokio::task::spawn_blocking(move || handle.block_on(migrate(&pool, &request)))
                            .await
                            .map_err(lambda_runtime::Error::from)?
                            .map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))
                    }
                })
                .await
            }
            "alerts-daily" => {
                let mailer = crate::mail::MailConfig::from_env(production())?.mailer()?;
                run_handler(credentials, move |_event: LambdaEvent<Value>| {
                    let (pool, mailer) = (pool.clone(), mailer.clone());
                    async move {
                        let today = app::api::billing::ssr::today();
                        let run = crate::alerts::daily(&pool, &mailer, today).await?;
                        tracing::info!("as of {today}: {run}");
                        if !run.failed.is_empty() {
                            return Err(lambda_runtime::Error::from(format!(
                                "{} digest(s) not sent (tried again at the next run)",
                                run.failed.len()
                            )));
                        }
                        Ok(serde_json::json!({ "today": today, "summary": run.to_string() }))
                    }
                })
                .await
            }
            other => anyhow::bail!("unknown handler {other:?}: use ingest, migrate or alerts-daily"),
        }
    })
}

fn production() -> bool {
    std::env::var("PORTAL_ENV").as_deref() == Ok("production")
}

/// Runs `handler` for each event of the Lambda runtime, re-reading a rotated password first.
/// Outside Lambda (no runtime API), runs it once on the event read from standard input (empty:
/// `{}`) and prints its answer: `jobs migrate </dev/null` migrates a database by hand.
async fn run_handler<E, R, F, Fut>(
    credentials: Option<std::sync::Arc<secrets::DbCredentials>>,
    handler: F,
) -> anyhow::Result<()>
where
    E: for<'de> Deserialize<'de> + Send + 'static,
    R: Serialize + Send + 'static,
    F: Fn(LambdaEvent<E>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<R, lambda_runtime::Error>> + Send,
{
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        let mut input = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)?;
        let input = if input.trim().is_empty() {
            "{}"
        } else {
            input.trim()
        };
        let event: E = serde_json::from_str(input).context("the event on standard input")?;
        let answer = handler(LambdaEvent::new(event, lambda_runtime::Context::default()))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    let handler = std::sync::Arc::new(handler);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<E>| {
        let (handler, credentials) = (handler.clone(), credentials.clone());
        async move {
            if let Some(c) = credentials {
                c.refresh_if_due().await;
            }
            handler(event).await
        }
    }))
    .await
    .map_err(|e| anyhow::anyhow!("lambda runtime: {e}"))
}

/// What the deploy hook sends to `migrate`.
#[derive(Debug, Default, Deserialize)]
pub struct MigrateRequest {
    /// Give existing logins the password in their secret again (normally only new logins get
    /// one: a rotation may have changed an existing login's password since).
    #[serde(default)]
    pub set_passwords: bool,
}

/// What `migrate` did.
#[derive(Debug, Serialize)]
pub struct MigrateResult {
    pub applied: Vec<String>,
    pub logins: Vec<db::LoginProvisioned>,
    /// Problems that do not stop the deploy but need a person.
    pub warnings: Vec<String>,
}

/// Applies the migrations, then makes the portal's logins (`DB_APP_LOGIN_SECRET_ARN` as
/// `portal_app`, `DB_AUTH_LOGIN_SECRET_ARN` as `portal_auth`) from their secrets.
pub async fn migrate(pool: &PgPool, request: &MigrateRequest) -> anyhow::Result<MigrateResult> {
    let before: Vec<i64> = applied_versions(pool).await?;
    db::migrate(pool).await.context("Failed to apply migrations")?;
    let applied = crate::db::MIGRATOR
        .iter()
        .filter(|m| !before.contains(&m.version))
        .map(|m| format!("{} {}", m.version, m.description))
        .collect();
    let mut result = MigrateResult {
        applied,
        logins: Vec::new(),
        warnings: Vec::new(),
    };
    let client = secrets::SecretsClient::from_env();
    for (arn_var, role) in [
        ("DB_APP_LOGIN_SECRET_ARN", "portal_app"),
        ("DB_AUTH_LOGIN_SECRET_ARN", "portal_auth"),
    ] {
        let Some(arn) = std::env::var(arn_var).ok().filter(|a| !a.is_empty()) else {
            continue;
        };
        let secret = secrets::DbSecret::parse(&arn, &client.get(&arn).await?)?;
        let mut conn = pool.acquire().await?;
        let done = db::ensure_login(
            &mut conn,
            &secret.username,
            &secret.password,
            role,
            request.set_passwords,
        )
        .await
        .with_context(|| format!("the login of {arn_var}"))?;
        result.logins.push(done);
    }
    let mut conn = pool.acquire().await?;
    if !db::owner_sees_every_row(&mut conn).await? {
        result.warnings.push(
            "the owner login is not a member of portal_jobs (nor has BYPASSRLS): the importer \
             and the daily alerts read every customer's rows as the owner, and the forced \
             row-level security shows it none (GRANT portal_jobs TO the owner WITH INHERIT TRUE)"
                .into(),
        );
    }
    tracing::info!(?result, "migrate");
    Ok(result)
}

async fn applied_versions(pool: &PgPool) -> anyhow::Result<Vec<i64>> {
    let mut conn = pool.acquire().await?;
    Ok(db::applied_migrations(&mut conn).await?)
}
