//! The HH data export's read: every `hh_day` row of the chosen supply points, channels and
//! settlement days, at the best run per day, at one named run, or at every run, as a **stream**
//! in (supply point, channel, day, run) order — the primary key's order, so Postgres walks the
//! index and a file of any size leaves the database row by row, never as one result in memory.
use chrono::NaiveDate;
use futures::stream::BoxStream;

use super::hh::{channel_code, run_code};
use super::scope::ScopedTx;
use crate::domain::channel::Channel;
use crate::domain::settlement_run::SettlementRun;

/// Which runs an export carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportRuns {
    /// The best available run of each day (DF > RF > R3 > R2 > R1 > SF > II).
    Best,
    /// Exactly this run (days without it are absent).
    Exactly(SettlementRun),
    /// Every run of every day: the whole revision history.
    All,
}

impl ExportRuns {
    /// As the `run` parameter spells it: `best`, `all` or a run code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Best => "best",
            Self::All => "all",
            Self::Exactly(r) => r.as_str(),
        }
    }
}

/// What to read: supply points already checked against the caller's scope, settlement days
/// `[from, until)` (`until` exclusive), channels, runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportQuery {
    pub supply_point_ids: Vec<i64>,
    pub channels: Vec<Channel>,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub runs: ExportRuns,
}

/// One `hh_day` row as stored: codes, not domain types (the writer formats them per row, and
/// decoding 1.75 M half-hours into domain values first would only cost time).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub supply_point_id: i64,
    /// 1 AI, 2 AE, 3 RI, 4 RE (`store::hh::channel_from_code`).
    pub channel: i16,
    pub settlement_date: NaiveDate,
    /// 1 II … 7 DF (`store::hh::run_from_code`).
    pub run: i16,
    /// Wh (or VArh) per settlement period: 46, 48 or 50 of them.
    pub vals: Vec<i32>,
    /// One of A/E/M per period.
    pub statuses: String,
}

/// The rows of `q`, streamed from the transaction (which the stream borrows: the caller keeps the
/// transaction alive, e.g. in the task that writes the response body).
#[tracing::instrument(level = "debug", skip_all, fields(supply_points = q.supply_point_ids.len(), from = %q.from, until = %q.until, run = q.runs.code()))]
pub fn rows<'t>(tx: &'t mut ScopedTx<'_>, q: &ExportQuery) -> BoxStream<'t, Result<ExportRow, sqlx::Error>> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let channels: Vec<i16> = q.channels.iter().map(|c| channel_code(*c)).collect();
    match q.runs {
        // The best run per day: DISTINCT ON over the primary key's order, as `hh::series`.
        ExportRuns::Best => sqlx::query_as!(
            ExportRow,
            r#"SELECT DISTINCT ON (supply_point_id, channel, settlement_date)
                      supply_point_id, channel, settlement_date, run, vals, statuses
               FROM hh_day
               WHERE supply_point_id = ANY($1) AND channel = ANY($2)
                 AND settlement_date >= $3 AND settlement_date < $4 AND organisation_id = ANY($5)
               ORDER BY supply_point_id, channel, settlement_date, run DESC"#,
            &q.supply_point_ids,
            &channels,
            q.from,
            q.until,
            &orgs
        )
        .fetch(&mut **tx),
        ExportRuns::Exactly(_) | ExportRuns::All => {
            let (lo, hi) = match q.runs {
                ExportRuns::Exactly(r) => (run_code(r), run_code(r)),
                _ => (1, 7),
            };
            sqlx::query_as!(
                ExportRow,
                r#"SELECT supply_point_id, channel, settlement_date, run, vals, statuses
                   FROM hh_day
                   WHERE supply_point_id = ANY($1) AND channel = ANY($2)
                     AND settlement_date >= $3 AND settlement_date < $4 AND run BETWEEN $5 AND $6
                     AND organisation_id = ANY($7)
                   ORDER BY supply_point_id, channel, settlement_date, run"#,
                &q.supply_point_ids,
                &channels,
                q.from,
                q.until,
                lo,
                hi,
                &orgs
            )
            .fetch(&mut **tx)
        }
    }
}
