//! Half-hourly data queries over `hh_day` (one row per supply point × channel × day × run).
//! The best available run is chosen per day with `DISTINCT ON … ORDER BY run DESC` over the
//! primary key; daily totals come from columns carried in that index (index-only scans).
use chrono::NaiveDate;

use super::scope::ScopedTx;
use crate::domain::channel::Channel;
use crate::domain::settlement_run::{RunChoice, SettlementRun};

pub fn channel_code(c: Channel) -> i16 {
    match c {
        Channel::ActiveImport => 1,
        Channel::ActiveExport => 2,
        Channel::ReactiveImport => 3,
        Channel::ReactiveExport => 4,
    }
}

pub fn channel_from_code(code: i16) -> Option<Channel> {
    Channel::ALL.into_iter().find(|c| channel_code(*c) == code)
}

/// Runs are stored as their rank in quality order (II = 1 … DF = 7), so `max(run)` is the best.
pub fn run_code(r: SettlementRun) -> i16 {
    SettlementRun::ALL
        .iter()
        .position(|x| *x == r)
        .map_or(0, |i| i as i16 + 1)
}

pub fn run_from_code(code: i16) -> Option<SettlementRun> {
    usize::try_from(code - 1)
        .ok()
        .and_then(|i| SettlementRun::ALL.get(i).copied())
}

/// The range of run codes a choice reads: every run (the best is picked per day) or exactly one.
fn run_bounds(choice: RunChoice) -> (i16, i16) {
    match choice {
        RunChoice::Best => (1, 7),
        RunChoice::Exactly(r) => (run_code(r), run_code(r)),
    }
}

/// One settlement day of one channel at the chosen run.
#[derive(Debug, Clone, PartialEq)]
pub struct DayValues {
    pub date: NaiveDate,
    pub run: SettlementRun,
    /// Wh (or VArh) per settlement period.
    pub vals: Vec<i32>,
    /// One of A/E/M per period.
    pub statuses: String,
}

/// A supply point's values for `[from, to)` (settlement dates) at the chosen run.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, channel = ?channel, %from, %to, run = run.code()))]
pub async fn series(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    channel: Channel,
    from: NaiveDate,
    to: NaiveDate,
    run: RunChoice,
) -> Result<Vec<DayValues>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let (lo, hi) = run_bounds(run);
    let rows = sqlx::query!(
        r#"SELECT DISTINCT ON (settlement_date) settlement_date, run, vals, statuses
           FROM hh_day
           WHERE supply_point_id = $1 AND channel = $2 AND settlement_date >= $3 AND settlement_date < $4
             AND run BETWEEN $5 AND $6 AND organisation_id = ANY($7)
           ORDER BY settlement_date, run DESC"#,
        supply_point_id,
        channel_code(channel),
        from,
        to,
        lo,
        hi,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(DayValues {
                date: r.settlement_date,
                run: run_from_code(r.run)?,
                vals: r.vals,
                statuses: r.statuses,
            })
        })
        .collect())
}

/// Daily total of one supply point's channel at the best run, with data quality counts.
#[derive(Debug, Clone, PartialEq)]
pub struct DayTotal {
    pub supply_point_id: i64,
    pub date: NaiveDate,
    pub run: SettlementRun,
    /// Wh (or VArh).
    pub total: i64,
    pub max_period: i32,
    pub periods: i16,
    pub missing: i16,
}

/// Daily totals for many supply points at the best run: an index-only scan of `hh_day`'s key.
#[tracing::instrument(level = "debug", skip_all, fields(supply_points = supply_point_ids.len(), channel = ?channel, %from, %to))]
pub async fn daily_totals(
    tx: &mut ScopedTx<'_>,
    supply_point_ids: &[i64],
    channel: Channel,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayTotal>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let rows = sqlx::query!(
        r#"SELECT DISTINCT ON (supply_point_id, settlement_date)
                  supply_point_id, settlement_date, run,
                  day_total AS "day_total!", day_max AS "day_max!", periods AS "periods!", missing AS "missing!"
           FROM hh_day
           WHERE supply_point_id = ANY($1) AND channel = $2 AND settlement_date >= $3 AND settlement_date < $4
             AND organisation_id = ANY($5)
           ORDER BY supply_point_id, settlement_date, run DESC"#,
        supply_point_ids,
        channel_code(channel),
        from,
        to,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(DayTotal {
                supply_point_id: r.supply_point_id,
                date: r.settlement_date,
                run: run_from_code(r.run)?,
                total: r.day_total,
                max_period: r.day_max,
                periods: r.periods,
                missing: r.missing,
            })
        })
        .collect())
}

/// Daily totals summed over many supply points (each at its best run per day), from the best-run
/// roll-up the importer keeps: one row per day comes back, not one per meter-day.
#[tracing::instrument(level = "debug", skip_all, fields(supply_points = supply_point_ids.len(), channel = ?channel, %from, %to))]
pub async fn portfolio_daily_totals(
    tx: &mut ScopedTx<'_>,
    supply_point_ids: &[i64],
    channel: Channel,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, i64)>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let rows = sqlx::query!(
        r#"SELECT settlement_date AS "date!", sum(day_total)::bigint AS "total!"
           FROM hh_daily_best
           WHERE supply_point_id = ANY($1) AND channel = $2 AND settlement_date >= $3
             AND settlement_date < $4 AND organisation_id = ANY($5)
           GROUP BY settlement_date ORDER BY settlement_date"#,
        supply_point_ids,
        channel_code(channel),
        from,
        to,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.date, r.total)).collect())
}

/// Supply points in scope, with what the analytics need to know about each.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyPointRef {
    pub id: i64,
    pub organisation_id: i64,
    pub site_id: i64,
    pub site_name: String,
    pub mpan_core: String,
    pub distributor_id: i16,
    pub agreed_capacity_kva: i32,
    pub has_export: bool,
    pub energised_from: NaiveDate,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn supply_points_in_scope(tx: &mut ScopedTx<'_>) -> Result<Vec<SupplyPointRef>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        SupplyPointRef,
        r#"SELECT sp.id, sp.organisation_id, sp.site_id, s.name AS site_name, sp.mpan_core, sp.distributor_id,
                  sp.agreed_capacity_kva, sp.has_export, sp.energised_from
           FROM supply_points sp JOIN sites s ON s.id = sp.site_id
           WHERE sp.organisation_id = ANY($1) AND ($2::bigint[] IS NULL OR sp.site_id = ANY($2))
           ORDER BY s.name, sp.mpan_core"#,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await
}

/// One supply point, if it is in scope (otherwise `None`: callers answer 404).
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = id))]
pub async fn supply_point(tx: &mut ScopedTx<'_>, id: i64) -> Result<Option<SupplyPointRef>, sqlx::Error> {
    Ok(supply_points_in_scope(tx).await?.into_iter().find(|p| p.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_codes_follow_quality_order_and_round_trip() {
        assert_eq!(run_code(SettlementRun::II), 1);
        assert_eq!(run_code(SettlementRun::DF), 7);
        for r in SettlementRun::ALL {
            assert_eq!(run_from_code(run_code(r)), Some(r));
        }
        assert!(run_code(SettlementRun::RF) > run_code(SettlementRun::R3));
        assert_eq!(run_from_code(0), None);
        assert_eq!(run_from_code(8), None);
    }

    #[test]
    fn channel_codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(channel_from_code(channel_code(c)), Some(c));
        }
        assert_eq!(channel_from_code(9), None);
    }
}
