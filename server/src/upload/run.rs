//! Imports one uploaded file with the CLI's importer, inside the uploader's scoped transaction, and
//! records it in the import history: in the import's own transaction when it wrote data (both or
//! neither are kept), in a fresh one when nothing was written.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use app::api::imports::ImportEntry;
use app::auth::Identity;
use app::domain::import_upload::ImportOutcome;
use app::state::AppState;
use app::store::import_history::{self, NewEntry};
use app::store::scope::ScopedTx;

use super::spool::SpooledFile;
use crate::import::{self, ImportError, ImportSummary, Progress};

/// The importer's progress as bytes read, shared with the task that reports it.
#[derive(Clone, Default)]
pub struct BytesRead(pub Arc<AtomicU64>);

impl Progress for BytesRead {
    fn advance(&self, bytes: u64) {
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }
}

impl BytesRead {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the portal says when it failed, not the file (the cause is logged).
pub const FAILED_REPORT: &str =
    "Something went wrong on our side while importing; nothing from this file was imported. \
     It has been logged; please try again.";

/// What is recorded for a file: the outcome, the importer's summary (of what was read, for a
/// rejected file), the error count and the CLI's report.
struct Outcome {
    outcome: ImportOutcome,
    summary: ImportSummary,
    errors: usize,
    report: String,
}

fn outcome_of(result: Result<ImportSummary, ImportError>) -> Outcome {
    match result {
        Ok(summary) => Outcome {
            outcome: if summary.batch_id.is_some() {
                ImportOutcome::Imported
            } else {
                ImportOutcome::Unchanged
            },
            report: summary.to_string(),
            summary,
            errors: 0,
        },
        Err(e) => {
            let report = e.report();
            match e {
                ImportError::Rejected { total, read, .. } => Outcome {
                    outcome: ImportOutcome::Rejected,
                    summary: *read,
                    errors: total,
                    report,
                },
                ImportError::BadFile { .. } => Outcome {
                    outcome: ImportOutcome::Rejected,
                    summary: ImportSummary::default(),
                    errors: 1,
                    report,
                },
                ImportError::Io { .. } | ImportError::Db(_) => {
                    tracing::error!(error = %report, "an upload's import failed");
                    Outcome {
                        outcome: ImportOutcome::Failed,
                        summary: ImportSummary::default(),
                        errors: 0,
                        report: FAILED_REPORT.to_owned(),
                    }
                }
            }
        }
    }
}

async fn record(
    tx: &mut ScopedTx<'_>,
    who: &Identity,
    file: &SpooledFile,
    o: &Outcome,
) -> Result<i64, sqlx::Error> {
    let s = &o.summary;
    import_history::record(
        tx,
        &NewEntry {
            uploaded_by: who.user_id,
            uploader_email: &who.email,
            uploader_role: who.role,
            file_name: &file.name,
            bytes: i64::try_from(file.bytes).unwrap_or(i64::MAX),
            sha256: (!s.sha256.is_empty()).then_some(s.sha256.as_str()),
            outcome: o.outcome,
            source_rows: i64::try_from(s.rows).unwrap_or(i64::MAX),
            supply_points: i32::try_from(s.supply_points).unwrap_or(i32::MAX),
            days: i32::try_from(s.days).unwrap_or(i32::MAX),
            first_date: s.first_date,
            last_date: s.last_date,
            runs: &s.runs,
            day_rows_new: i64::try_from(s.day_rows_new).unwrap_or(i64::MAX),
            day_rows_known: i64::try_from(s.day_rows_known).unwrap_or(i64::MAX),
            error_count: i32::try_from(o.errors).unwrap_or(i32::MAX),
            report: &o.report,
            import_batch_id: s.batch_id,
            organisation_ids: &s.organisations,
        },
    )
    .await
}

/// Raises the alerts the new data breaches (in the uploader's scope), after the import committed:
/// a failure here loses nothing (the daily run raises them), so it is logged, not reported.
async fn raise_alerts(state: &AppState, who: &Identity, organisations: &[i64]) {
    let today = app::api::billing::ssr::today();
    let result = async {
        let mut tx = who.scope.begin(&state.db).await?;
        let raised = app::store::alert_rules::evaluate(&mut tx, organisations, today).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(raised)
    }
    .await;
    match result {
        Ok(raised) => tracing::info!(%raised, "alerts after upload"),
        Err(e) => {
            tracing::warn!(error = %e, "alert rules failed after upload; the daily run will raise them")
        }
    }
}

/// Imports `file` as `who` and records it; returns its history entry (with the report). An `Err`
/// means not even the history could be written (the database is gone): nothing was imported.
#[tracing::instrument(level = "info", skip_all, fields(file_name = %file.name, bytes = file.bytes))]
pub async fn import_file(
    state: &AppState,
    who: &Identity,
    file: &SpooledFile,
    progress: BytesRead,
) -> Result<ImportEntry, sqlx::Error> {
    let mut tx = who.scope.begin(&state.db).await?;
    let result = match file.reader() {
        Ok(reader) => {
            let known = import::load_known_supplies(&mut tx).await?;
            import::import_in(&mut tx, &file.name, reader, known, progress).await
        }
        Err(source) => Err(ImportError::Io {
            file: file.name.clone(),
            source,
        }),
    };
    let o = outcome_of(result);
    let id = if o.outcome == ImportOutcome::Imported {
        let id = record(&mut tx, who, file, &o).await?;
        for &org in &o.summary.organisations {
            app::store::audit::record_against(
                &mut tx,
                who.actor(),
                Some(org),
                "import.uploaded",
                serde_json::json!({
                    "entry": id,
                    "file": file.name,
                    "day_rows_new": o.summary.day_rows_new,
                }),
            )
            .await?;
        }
        tx.commit().await?;
        raise_alerts(state, who, &o.summary.organisations).await;
        id
    } else {
        // Nothing of the file is kept (a rejection or a re-import): roll back, then record.
        drop(tx);
        let mut tx = who.scope.begin(&state.db).await?;
        let id = record(&mut tx, who, file, &o).await?;
        tx.commit().await?;
        id
    };
    let mut tx = who.scope.begin(&state.db).await?;
    let mut entries = import_history::entries(&mut tx, who.user_id, &[id]).await?;
    entries
        .pop()
        .map(ImportEntry::from)
        .ok_or(sqlx::Error::RowNotFound)
}
