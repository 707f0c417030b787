//! HH file uploads (Imports page): the history of uploaded files and the results of one upload,
//! for account managers and operations admins. The upload itself is a plain route on the server
//! (`POST /admin/imports/upload`, multipart); its streamed progress lines are [`UploadEvent`]s.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::import_upload::ImportOutcome;

/// Where the upload form posts (a plain axum route: the body is streamed, not a server fn's form).
pub const UPLOAD_PATH: &str = "/admin/imports/upload";

/// The page that shows the history, and an upload's results with `?entry=…&entry=…`.
pub const IMPORTS_PAGE: &str = "/admin/imports";

/// The media type of the streamed progress lines; a request that accepts it gets them, any other
/// (the form without JavaScript) is redirected to the results page once every file is imported.
pub const PROGRESS_MEDIA_TYPE: &str = "application/x-ndjson";

/// One uploaded file's entry in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportEntry {
    pub id: i64,
    /// UK local time, `YYYY-MM-DD HH:MM`.
    pub uploaded_at: String,
    pub uploaded_by: String,
    pub file_name: String,
    pub bytes: u64,
    pub outcome: ImportOutcome,
    pub rows: u64,
    pub supply_points: u32,
    pub days: u32,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub runs: Vec<String>,
    pub day_rows_new: u64,
    pub day_rows_known: u64,
    pub error_count: u32,
    pub customers: Vec<String>,
    /// What the CLI prints for the file (summary, or every bad line): only for an upload's results.
    pub report: Option<String>,
}

/// The Imports page's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportsView {
    /// The largest upload the server takes, in bytes.
    pub max_upload_bytes: u64,
    /// Operations admins see every upload; account managers theirs and their customers'.
    pub sees_every_upload: bool,
    /// The entries asked for (`entry`), with their reports.
    pub results: Vec<ImportEntry>,
    pub history: Vec<ImportEntry>,
}

/// A file as the server received it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedFile {
    pub name: String,
    pub bytes: u64,
}

/// One line of the upload route's streamed answer (newline-delimited JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum UploadEvent {
    /// Every file is on the server; importing starts.
    Received { files: Vec<ReceivedFile> },
    /// File `file` (index into `Received`) has been read up to `bytes` of `total`; at `total` the
    /// importer checks and writes.
    Progress { file: usize, bytes: u64, total: u64 },
    /// File `file` is done: its history entry, with its report.
    Finished { file: usize, entry: Box<ImportEntry> },
    /// File `file` could not be imported or recorded (the portal's failure, logged): nothing of it
    /// was kept.
    Failed { file: usize, message: String },
    /// Every file is done; the results page is `IMPORTS_PAGE?entry=…` for these ids.
    Done { entries: Vec<i64> },
}

/// The results page of an upload's entries.
pub fn results_href(entries: &[i64]) -> String {
    let query: Vec<String> = entries.iter().map(|id| format!("entry={id}")).collect();
    format!("{IMPORTS_PAGE}?{}", query.join("&"))
}

/// The largest upload, provided by the server's router as context (it is configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimit(pub u64);

/// How many uploads the history shows.
pub const HISTORY_ROWS: i64 = 200;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::store::import_history::EntryRecord;

    impl From<EntryRecord> for ImportEntry {
        fn from(r: EntryRecord) -> Self {
            ImportEntry {
                id: r.id,
                uploaded_at: r.uploaded_at,
                uploaded_by: r.uploader_email,
                file_name: r.file_name,
                bytes: r.bytes.max(0) as u64,
                outcome: r.outcome,
                rows: r.source_rows.max(0) as u64,
                supply_points: r.supply_points.max(0) as u32,
                days: r.days.max(0) as u32,
                first_date: r.first_date.map(|d| d.to_string()),
                last_date: r.last_date.map(|d| d.to_string()),
                runs: r.runs,
                day_rows_new: r.day_rows_new.max(0) as u64,
                day_rows_known: r.day_rows_known.max(0) as u64,
                error_count: r.error_count.max(0) as u32,
                customers: r.customers,
                report: r.report,
            }
        }
    }
}

/// The Imports page: the upload limit, the entries asked for (an upload's results) and the
/// history. Staff only (403 for customers); an entry the caller may not see is 404.
#[server(prefix = "/api", endpoint = "imports/history")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "import_history", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn import_history(#[server(default)] entries: Vec<i64>) -> Result<ImportsView, ApiError> {
    use crate::domain::role::Role;
    use crate::store::import_history as store;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::AccountManager, Role::OpsAdmin])?;
            if entries.len() > crate::domain::import_upload::MAX_FILES {
                return Err(ApiError::BadRequest(format!(
                    "Ask for at most {} entries at once.",
                    crate::domain::import_upload::MAX_FILES
                )));
            }
            // Each entry once, in the order asked.
            let mut seen = std::collections::HashSet::new();
            let mut entries = entries;
            entries.retain(|e| seen.insert(*e));
            let mut tx = id.scope.begin(&state.db).await?;
            let results: Vec<ImportEntry> = store::entries(&mut tx, id.user_id, &entries)
                .await?
                .into_iter()
                .map(ImportEntry::from)
                .collect();
            if results.len() != entries.len() {
                return Err(ApiError::NotFound);
            }
            let history = store::recent(&mut tx, id.user_id, HISTORY_ROWS)
                .await?
                .into_iter()
                .map(ImportEntry::from)
                .collect();
            let max_upload_bytes = use_context::<UploadLimit>().map_or(0, |l| l.0);
            Ok(ImportsView {
                max_upload_bytes,
                sees_every_upload: id.scope.is_every_organisation(),
                results,
                history,
            })
        }
        .await,
    )
}
