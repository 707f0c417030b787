//! Command line: `serve` (default), `migrate`, `import`, `alerts`, `reset-database`, `seed-demo`.
use anyhow::Context;
use app::state::AppState;
use clap::{Parser, Subcommand};

use crate::config::{Config, Environment};
use crate::{db, router, seed, telemetry, transport};

#[derive(Parser)]
#[command(name = "server", about = "Northgate Energy business portal")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default; also what runs on Lambda).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Import data files (all-or-nothing per file, idempotent).
    Import {
        #[command(subcommand)]
        kind: ImportKind,
    },
    /// Alerts: the daily run of the rules and the e-mail digests (docs/alerts.md).
    Alerts {
        #[command(subcommand)]
        kind: AlertsCommand,
    },
    /// Drop and re-create a database on the server of DATABASE_URL (for test runs; refused in
    /// production).
    ResetDatabase { name: String },
    /// Load the demo customers, sites and data (idempotent; refused in production).
    SeedDemo {
        /// Seed for the deterministic generator.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum ImportKind {
    /// Half-hourly data CSV files (docs/import-format.md).
    Hh {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AlertsCommand {
    /// Raise today's alerts for every customer, then e-mail each subscriber what is new (run
    /// once a day, early in the morning, from a scheduler).
    Daily {
        /// Evaluate as of this UK date instead of today (YYYY-MM-DD).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
}

pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // On AWS the secrets' ARNs are configured, not their values: read them first, while this is
    // the only thread (secrets.rs), so the configuration below reads them as it reads the rest.
    crate::secrets::load_into_env().context("Failed to read the secrets")?;
    let config = Config::from_env()?;
    telemetry::init(config.on_lambda);
    // Said once logging is up (reading the configuration comes before it).
    if config.on_lambda && config.export_offload.is_none() {
        tracing::warn!("EXPORT_BUCKET is not set: on Lambda an HH export larger than 6 MB will fail");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            match cli.command.unwrap_or(Command::Serve) {
                Command::Serve => serve(config).await,
                Command::Migrate => {
                    let pool = db::lazy_pool(&config.database_url, 1)?;
                    db::migrate(&pool).await.context("Failed to apply migrations")?;
                    println!("migrations applied");
                    Ok(())
                }
                Command::Import {
                    kind: ImportKind::Hh { files },
                } => {
                    let pool = db::lazy_pool(&config.database_url, 2)?;
                    crate::import::cli::import_files(&pool, &files).await
                }
                Command::Alerts {
                    kind: AlertsCommand::Daily { today },
                } => {
                    let pool = db::lazy_pool(&config.database_url, 2)?;
                    let mailer = config.mail.mailer()?;
                    let today = today.unwrap_or_else(app::api::billing::ssr::today);
                    let run = crate::alerts::daily(&pool, &mailer, today).await?;
                    println!("as of {today}: {run}");
                    anyhow::ensure!(run.failed.is_empty(), "{} digest(s) not sent", run.failed.len());
                    Ok(())
                }
                Command::ResetDatabase { name } => {
                    anyhow::ensure!(
                        config.environment != Environment::Production,
                        "refusing to reset a database: PORTAL_ENV=production"
                    );
                    anyhow::ensure!(
                        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                        "database names may only hold letters, digits and underscores"
                    );
                    let pool = db::lazy_pool(&config.database_url, 1)?;
                    // Database names cannot be bind parameters, so these two statements are built.
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await?;
                    sqlx::query(&format!("CREATE DATABASE {name}"))
                        .execute(&pool)
                        .await?;
                    println!("database {name} re-created");
                    Ok(())
                }
                Command::SeedDemo { seed } => {
                    anyhow::ensure!(
                        config.environment != Environment::Production,
                        "refusing to load demo data: PORTAL_ENV=production"
                    );
                    let pool = db::lazy_pool(&config.database_url, 2)?;
                    db::migrate(&pool).await.context("Failed to apply migrations")?;
                    let summary = seed::seed_demo(&pool, seed)
                        .await
                        .context("Failed to load demo data")?;
                    println!("{summary}");
                    Ok(())
                }
            }
        })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let leptos_options = crate::site::leptos_options()?;
    let addr = leptos_options.site_addr;
    let options: sqlx::postgres::PgConnectOptions = config.database_url.parse()?;
    let auth_options = match &config.auth_database_url {
        Some(url) => Some(
            url.parse::<sqlx::postgres::PgConnectOptions>()
                .context("AUTH_DATABASE_URL is not a database URL")?,
        ),
        None => None,
    };
    if config.environment == Environment::Production {
        match &auth_options {
            None => db::refuse_over_privileged_login(&options).await,
            // One connection per login, both at once: on Lambda this is part of the cold start.
            Some(auth) => tokio::try_join!(
                db::refuse_unfit_role_login(&options, &config.app_role, &config.auth_role),
                db::refuse_unfit_role_login(auth, &config.auth_role, &config.app_role),
            )
            .map(drop),
        }
        .context("Database privilege check at start-up")?;
    }
    let options = db::log_slow_statements(options, config.slow_query);
    let db = match auth_options {
        // One login per role: no `SET ROLE`, so RDS Proxy can multiplex (db.rs).
        Some(_) => db::login_pool(options, config.pool_size),
        None => db::app_pool(options, config.pool_size, &config.app_role),
    };
    if let Some(credentials) = &config.db_credentials {
        credentials.track(crate::secrets::Login::App, &db);
    }
    let state = AppState { leptos_options, db };
    let app = router::app(state, &config);
    transport::serve(app, config.on_lambda, addr, config.db_credentials.clone()).await
}
