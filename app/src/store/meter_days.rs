//! Meter days as the domain computes with them (`billing::MeterDay`): active import with reactive
//! import and export of the same day, read in one query for any number of supply points, at the
//! best run per day or at one chosen run; and every run of a supply point's days, for revisions.
use std::collections::HashMap;

use chrono::NaiveDate;

use super::hh::{channel_code, run_bounds, run_code, run_from_code};
use super::scope::ScopedTx;
use crate::domain::billing::MeterDay;
use crate::domain::channel::Channel;
use crate::domain::settlement_run::{RunChoice, SettlementRun};

/// The days of `[first_day, last_day]` of each supply point, in date order, at `run` (with
/// `Best`, each channel of each day at its best run). Points without data have no entry.
#[tracing::instrument(level = "debug", skip_all, fields(supply_points = supply_point_ids.len(), %first_day, %last_day, run = run.code()))]
pub async fn meter_days(
    tx: &mut ScopedTx<'_>,
    supply_point_ids: &[i64],
    first_day: NaiveDate,
    last_day: NaiveDate,
    run: RunChoice,
) -> Result<HashMap<i64, Vec<MeterDay>>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let (lo, hi) = run_bounds(run);
    let channels = [
        Channel::ActiveImport,
        Channel::ReactiveImport,
        Channel::ReactiveExport,
    ]
    .map(channel_code);
    let rows = sqlx::query!(
        r#"SELECT DISTINCT ON (supply_point_id, channel, settlement_date)
                  supply_point_id, channel, settlement_date, run, vals, statuses
           FROM hh_day
           WHERE supply_point_id = ANY($1) AND channel = ANY($2) AND settlement_date BETWEEN $3 AND $4
             AND run BETWEEN $5 AND $6 AND organisation_id = ANY($7)
           ORDER BY supply_point_id, channel, settlement_date, run DESC"#,
        supply_point_ids,
        &channels[..],
        first_day,
        last_day,
        lo,
        hi,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut days: HashMap<(i64, NaiveDate), MeterDay> = HashMap::new();
    let mut reactive: Vec<(i64, NaiveDate, i16, Vec<i32>)> = Vec::new();
    for r in rows {
        if r.channel == channel_code(Channel::ActiveImport) {
            let Some(run) = run_from_code(r.run) else { continue };
            days.insert(
                (r.supply_point_id, r.settlement_date),
                MeterDay {
                    date: r.settlement_date,
                    run,
                    active_wh: r.vals,
                    statuses: r.statuses.into_bytes(),
                    reactive_import: Vec::new(),
                    reactive_export: Vec::new(),
                },
            );
        } else {
            reactive.push((r.supply_point_id, r.settlement_date, r.channel, r.vals));
        }
    }
    for (sp, date, channel, vals) in reactive {
        if let Some(d) = days.get_mut(&(sp, date)) {
            if channel == channel_code(Channel::ReactiveImport) {
                d.reactive_import = vals;
            } else {
                d.reactive_export = vals;
            }
        }
    }
    let mut by_point: HashMap<i64, Vec<MeterDay>> = HashMap::new();
    for ((sp, _), d) in days {
        by_point.entry(sp).or_default().push(d);
    }
    for v in by_point.values_mut() {
        v.sort_by_key(|d| d.date);
    }
    Ok(by_point)
}

/// Active import of one supply point's days in `[first_day, last_day]` at every run held, by
/// date then run (no reactive data: revisions compare energy).
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, %first_day, %last_day))]
pub async fn every_run(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    first_day: NaiveDate,
    last_day: NaiveDate,
    only: &[SettlementRun],
) -> Result<Vec<MeterDay>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let runs: Option<Vec<i16>> = (!only.is_empty()).then(|| only.iter().map(|r| run_code(*r)).collect());
    let rows = sqlx::query!(
        r#"SELECT settlement_date, run, vals, statuses FROM hh_day
           WHERE supply_point_id = $1 AND channel = $2 AND settlement_date BETWEEN $3 AND $4
             AND organisation_id = ANY($5) AND ($6::smallint[] IS NULL OR run = ANY($6))
           ORDER BY settlement_date, run"#,
        supply_point_id,
        channel_code(Channel::ActiveImport),
        first_day,
        last_day,
        &orgs,
        runs.as_deref()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(MeterDay {
                date: r.settlement_date,
                run: run_from_code(r.run)?,
                active_wh: r.vals,
                statuses: r.statuses.into_bytes(),
                reactive_import: Vec::new(),
                reactive_export: Vec::new(),
            })
        })
        .collect())
}
