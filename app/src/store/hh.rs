//! Half-hourly data queries over `hh_day` (one row per supply point × channel × day × run).
//! A supply point's values: the best available run is chosen per day with `DISTINCT ON … ORDER BY
//! run DESC` over the primary key. Daily totals (per meter and for a portfolio) read the best-run
//! roll-up `hh_daily_best`, which the importer keeps.
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
pub fn run_bounds(choice: RunChoice) -> (i16, i16) {
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

/// One site's total of a channel on one settlement day, each supply point at its best run.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteDayTotal {
    pub site_id: i64,
    pub date: NaiveDate,
    /// Wh (or VArh).
    pub total: i64,
    /// Settlement periods with a value (actual or estimated) over the site's supply points.
    pub periods_present: i64,
}

/// Daily totals per site from the best-run roll-up (`hh_daily_best`, kept by the importer):
/// summed in Postgres, so a portfolio of any size answers with sites × days rows.
#[tracing::instrument(level = "debug", skip_all, fields(supply_points = supply_point_ids.len(), channel = ?channel, %from, %to))]
pub async fn site_daily_totals(
    tx: &mut ScopedTx<'_>,
    supply_point_ids: &[i64],
    channel: Channel,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SiteDayTotal>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        SiteDayTotal,
        r#"SELECT sp.site_id, b.settlement_date AS date, sum(b.day_total)::bigint AS "total!",
                  sum(b.periods - b.missing)::bigint AS "periods_present!"
           FROM hh_daily_best b JOIN supply_points sp ON sp.id = b.supply_point_id
           WHERE b.supply_point_id = ANY($1) AND b.channel = $2 AND b.settlement_date >= $3
             AND b.settlement_date < $4 AND b.organisation_id = ANY($5)
           GROUP BY sp.site_id, b.settlement_date
           ORDER BY sp.site_id, b.settlement_date"#,
        supply_point_ids,
        channel_code(channel),
        from,
        to,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await
}

/// The latest settlement day with data of a channel among these supply points: one backward
/// index-only probe of the roll-up per supply point, whatever the history's length.
#[tracing::instrument(level = "debug", skip_all, fields(supply_points = supply_point_ids.len(), channel = ?channel))]
pub async fn latest_day(
    tx: &mut ScopedTx<'_>,
    supply_point_ids: &[i64],
    channel: Channel,
) -> Result<Option<NaiveDate>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_scalar!(
        r#"SELECT max(last.settlement_date) FROM unnest($1::bigint[]) AS sp(id)
           CROSS JOIN LATERAL (
               SELECT b.settlement_date FROM hh_daily_best b
               WHERE b.supply_point_id = sp.id AND b.channel = $2 AND b.organisation_id = ANY($3)
               ORDER BY b.settlement_date DESC LIMIT 1) AS last"#,
        supply_point_ids,
        channel_code(channel),
        &orgs
    )
    .fetch_one(&mut **tx)
    .await
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
