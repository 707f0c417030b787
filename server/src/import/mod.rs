//! HH data import: one library used by the CLI (`server import hh FILE…`), the browser upload and
//! the S3-triggered ingest function (`jobs ingest`, feature `aws`). The CSV format is in
//! docs/import-format.md.
//!
//! A file is parsed as a stream on a blocking thread and assembled into whole settlement days
//! (one row per supply point × channel × run × day, as `hh_day` stores them), which are copied into
//! a staging table inside one transaction. Every bad line is collected with its line number; if
//! there is any, the transaction is rolled back: **all or nothing per file**. Rows already present
//! with identical values are skipped (**idempotent**); a later settlement run is a new row, never an
//! overwrite, and a *different* value for an already imported run is refused.
pub mod cli;
mod days;
mod format;
mod write;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use sqlx::{PgConnection, PgPool};

pub use days::DayRow;
pub use format::{LineError, MAX_REPORTED_ERRORS};
pub use write::{import_in, ImportSummary};

/// What a supply point resolves to: its id and organisation.
#[derive(Debug, Clone, Copy)]
pub struct KnownSupply {
    pub id: i64,
    pub organisation_id: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: rejected, nothing imported: {} bad line(s){}", .total, if *.total > .errors.len() { format!(" (first {} shown)", .errors.len()) } else { String::new() })]
    Rejected {
        file: String,
        errors: Vec<LineError>,
        total: usize,
        /// What was read of the file before it was refused (rows, supply points, days).
        read: Box<ImportSummary>,
    },
    #[error("{file}: rejected, nothing imported: {reason}")]
    BadFile { file: String, reason: String },
    #[error("{file}: could not be read: {source}")]
    Io { file: String, source: std::io::Error },
    #[error("database error during import: {0}")]
    Db(#[from] sqlx::Error),
}

impl ImportError {
    /// The full report: the summary line and one line per bad input line.
    pub fn report(&self) -> String {
        let mut out = self.to_string();
        if let ImportError::Rejected { errors, .. } = self {
            for e in errors {
                out.push_str(&format!("\n  {e}"));
            }
        }
        out
    }
}

/// Progress callbacks (the CLI draws a bar; the Lambda logs).
pub trait Progress: Send + 'static {
    fn advance(&self, bytes: u64);
}

impl Progress for () {
    fn advance(&self, _bytes: u64) {}
}

/// Every supply point the connection can see, by MPAN core. The CLI connects as the tables' owner
/// (every organisation's); an upload reads them in the uploader's scoped transaction, where
/// row-level security leaves the supply points of the customers in scope, so an MPAN of another
/// customer is as unknown to it as one that does not exist.
pub async fn load_known_supplies(db: &mut PgConnection) -> Result<HashMap<u64, KnownSupply>, sqlx::Error> {
    let rows = sqlx::query!("SELECT mpan_core, id, organisation_id FROM supply_points")
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let known = KnownSupply {
                id: r.id,
                organisation_id: r.organisation_id,
            };
            Some((r.mpan_core.parse().ok()?, known))
        })
        .collect())
}

/// Imports one file (or any reader) all-or-nothing, in a transaction of its own on `db` (the CLI,
/// the demo data, the benchmarks). Uploads call [`import_in`] inside a scoped transaction.
pub async fn import_hh<R: Read + Send + 'static>(
    db: &PgPool,
    file_name: &str,
    reader: R,
    progress: impl Progress,
) -> Result<ImportSummary, ImportError> {
    import_in_own_tx(db, None, file_name, reader, progress).await
}

/// As [`import_hh`], for a file that may be delivered more than once, possibly at the same time
/// (an S3 event is delivered at least once): the transaction first takes an advisory lock on
/// `identity` (the object's bucket, key and version), so a second delivery waits for the first to
/// commit and then finds every day-row present: the file is imported once.
pub async fn import_hh_once<R: Read + Send + 'static>(
    db: &PgPool,
    identity: &str,
    file_name: &str,
    reader: R,
    progress: impl Progress,
) -> Result<ImportSummary, ImportError> {
    import_in_own_tx(db, Some(identity), file_name, reader, progress).await
}

/// One import in a transaction of its own, after the advisory lock on `identity` when given:
/// committed when it wrote a batch, rolled back otherwise.
async fn import_in_own_tx<R: Read + Send + 'static>(
    db: &PgPool,
    identity: Option<&str>,
    file_name: &str,
    reader: R,
    progress: impl Progress,
) -> Result<ImportSummary, ImportError> {
    let mut tx = db.begin().await?;
    if let Some(identity) = identity {
        sqlx::query!(
            "SELECT pg_advisory_xact_lock(hashtextextended('hh-import:' || $1, 0))",
            identity
        )
        .execute(&mut *tx)
        .await?;
    }
    let known = load_known_supplies(&mut tx).await?;
    let summary = import_in(&mut tx, file_name, reader, known, progress).await?;
    if summary.batch_id.is_some() {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(summary)
}

/// After an import that wrote new data: raise the alerts it may breach now, as the daily run
/// would tomorrow (the CLI and the S3 ingest; the browser upload does it in its own transaction).
pub async fn raise_alerts_after(
    db: &PgPool,
    summary: &ImportSummary,
) -> Result<Option<app::store::alert_rules::Raised>, sqlx::Error> {
    if summary.batch_id.is_none() {
        return Ok(None);
    }
    let today = app::api::billing::ssr::today();
    let mut conn = db.acquire().await?;
    app::store::alert_rules::evaluate(&mut conn, &summary.organisations, today)
        .await
        .map(Some)
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let range = match (self.first_date, self.last_date) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => "no dates".into(),
        };
        write!(
            f,
            "{}: {} rows, {} values, {} supply point(s), {}, runs {}; {} new day-rows, {} already present{}",
            self.file_name,
            self.rows,
            self.values,
            self.supply_points,
            range,
            self.runs.join(","),
            self.day_rows_new,
            self.day_rows_known,
            if self.day_rows_new == 0 {
                " (nothing changed)"
            } else {
                ""
            }
        )
    }
}
