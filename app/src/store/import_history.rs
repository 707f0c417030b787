//! The history of HH files uploaded through the portal (`import_history`): one row per file, written
//! by the upload route, read by the Imports page. Operations admins see every upload; account
//! managers the uploads that named one of their customers, and their own. Row-level security
//! applies the same rule with the uploader set per transaction (`app.user_id`).
use chrono::NaiveDate;

use super::scope::ScopedTx;
use crate::domain::import_upload::ImportOutcome;
use crate::domain::role::Role;

/// A file's entry as the upload route records it.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub uploaded_by: i64,
    pub uploader_email: &'a str,
    pub uploader_role: Role,
    pub file_name: &'a str,
    pub bytes: i64,
    pub sha256: Option<&'a str>,
    pub outcome: ImportOutcome,
    pub source_rows: i64,
    pub supply_points: i32,
    pub days: i32,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    pub runs: &'a [String],
    pub day_rows_new: i64,
    pub day_rows_known: i64,
    pub error_count: i32,
    /// What the CLI prints for the file.
    pub report: &'a str,
    pub import_batch_id: Option<i64>,
    pub organisation_ids: &'a [i64],
}

/// An entry as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRecord {
    pub id: i64,
    /// UK local time, `YYYY-MM-DD HH24:MI`.
    pub uploaded_at: String,
    pub uploader_email: String,
    pub file_name: String,
    pub bytes: i64,
    pub outcome: ImportOutcome,
    pub source_rows: i64,
    pub supply_points: i32,
    pub days: i32,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    pub runs: Vec<String>,
    pub day_rows_new: i64,
    pub day_rows_known: i64,
    pub error_count: i32,
    /// The customers the file named, as far as the caller can see them.
    pub customers: Vec<String>,
    /// The CLI's report; read only for the entries asked for one by one.
    pub report: Option<String>,
}

/// States the user for row-level security in this transaction.
async fn as_user(tx: &mut ScopedTx<'_>, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT set_config('app.user_id', $1, true)", user_id.to_string())
        .fetch_one(&mut **tx)
        .await
        .map(|_| ())
}

/// Records one uploaded file; returns the entry's id. In the import's own transaction when the file
/// was imported (both or neither are kept), in a fresh one otherwise.
#[tracing::instrument(level = "debug", skip_all, fields(file_name = e.file_name, outcome = e.outcome.as_str()))]
pub async fn record(tx: &mut ScopedTx<'_>, e: &NewEntry<'_>) -> Result<i64, sqlx::Error> {
    as_user(tx, e.uploaded_by).await?;
    sqlx::query_scalar!(
        "INSERT INTO import_history (uploaded_by, uploader_email, uploader_role, file_name, bytes, sha256,
             outcome, source_rows, supply_points, days, first_date, last_date, runs, day_rows_new,
             day_rows_known, error_count, report, import_batch_id, organisation_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         RETURNING id",
        e.uploaded_by,
        e.uploader_email,
        e.uploader_role as Role,
        e.file_name,
        e.bytes,
        e.sha256,
        e.outcome as ImportOutcome,
        e.source_rows,
        e.supply_points,
        e.days,
        e.first_date,
        e.last_date,
        e.runs,
        e.day_rows_new,
        e.day_rows_known,
        e.error_count,
        e.report,
        e.import_batch_id,
        e.organisation_ids
    )
    .fetch_one(&mut **tx)
    .await
}

/// The most recent uploads `user_id` may see, newest first, without their reports.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn recent(
    tx: &mut ScopedTx<'_>,
    user_id: i64,
    limit: i64,
) -> Result<Vec<EntryRecord>, sqlx::Error> {
    as_user(tx, user_id).await?;
    let every = tx.scope().is_every_organisation();
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        EntryRecord,
        r#"SELECT h.id, to_char(h.uploaded_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS "uploaded_at!",
                  h.uploader_email, h.file_name, h.bytes, h.outcome AS "outcome: ImportOutcome",
                  h.source_rows, h.supply_points, h.days, h.first_date, h.last_date, h.runs,
                  h.day_rows_new, h.day_rows_known, h.error_count,
                  ARRAY(SELECT o.name FROM organisations o WHERE o.id = ANY (h.organisation_ids) ORDER BY o.name) AS "customers!",
                  NULL::text AS "report?"
           FROM import_history h
           WHERE $1 OR h.uploaded_by = $2 OR h.organisation_ids && $3
           ORDER BY h.uploaded_at DESC, h.id DESC
           LIMIT $4"#,
        every,
        user_id,
        &orgs,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// The entries `ids` that `user_id` may see, with their reports, in the order asked; an id that is
/// not theirs to see is left out (the caller answers 404 for it).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn entries(
    tx: &mut ScopedTx<'_>,
    user_id: i64,
    ids: &[i64],
) -> Result<Vec<EntryRecord>, sqlx::Error> {
    as_user(tx, user_id).await?;
    let every = tx.scope().is_every_organisation();
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        EntryRecord,
        r#"SELECT h.id, to_char(h.uploaded_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS "uploaded_at!",
                  h.uploader_email, h.file_name, h.bytes, h.outcome AS "outcome: ImportOutcome",
                  h.source_rows, h.supply_points, h.days, h.first_date, h.last_date, h.runs,
                  h.day_rows_new, h.day_rows_known, h.error_count,
                  ARRAY(SELECT o.name FROM organisations o WHERE o.id = ANY (h.organisation_ids) ORDER BY o.name) AS "customers!",
                  h.report AS "report?"
           FROM import_history h
           JOIN unnest($4::bigint[]) WITH ORDINALITY AS asked (id, n) ON asked.id = h.id
           WHERE $1 OR h.uploaded_by = $2 OR h.organisation_ids && $3
           ORDER BY asked.n"#,
        every,
        user_id,
        &orgs,
        ids
    )
    .fetch_all(&mut **tx)
    .await
}
