//! The consumption of one supply point over a range, and of the whole portfolio in scope: values
//! at the chosen run, aggregated for a chart, with demand, bands and data quality computed by the
//! domain. The API layer turns these into wire views (labels, chart SVG).
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::analytics::{band_split, band_table, half_hours_with_reactive, BandTotals, SiteTotal};
use super::hh::{series, supply_point, SupplyPointRef};
use super::scope::ScopedTx;
use crate::domain::aggregate::aggregate;
use crate::domain::channel::Channel;
use crate::domain::consumption_range::ConsumptionRange;
use crate::domain::settlement_run::{RunChoice, SettlementRun};
use crate::domain::settlement_time::{all_periods_utc, periods_between, SettlementDate};
use crate::domain::units::MaximumDemand;

/// One supply point's use over a range at a run.
#[derive(Debug, Clone, PartialEq)]
pub struct PointUse {
    pub point: SupplyPointRef,
    /// kWh per bucket of the range's granularity, by bucket start.
    pub buckets: Vec<(DateTime<Utc>, f64)>,
    pub total_kwh: f64,
    pub max_demand: Option<MaximumDemand>,
    pub bands: BandTotals,
    pub actual_periods: i64,
    pub estimated_periods: i64,
    pub missing_periods: i64,
    /// The runs the days of the range came from, worst first.
    pub runs_seen: Vec<SettlementRun>,
}

/// The last day with active-import data of a supply point (`None` when it has none).
async fn last_day_of_point(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
) -> Result<Option<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT max(settlement_date) FROM hh_day WHERE supply_point_id = $1 AND channel = 1",
        supply_point_id
    )
    .fetch_one(&mut **tx)
    .await
}

/// The day after the last day with data (today's date when there is none): where ranges end.
fn range_end(last: Option<NaiveDate>) -> NaiveDate {
    last.unwrap_or_else(|| Utc::now().date_naive()) + TimeDelta::days(1)
}

/// `None` when the supply point is not in scope (callers answer 404).
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, range = range.code(), run = run.code()))]
pub async fn point_use(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    range: ConsumptionRange,
    run: RunChoice,
) -> Result<Option<PointUse>, sqlx::Error> {
    let Some(point) = supply_point(tx, supply_point_id).await? else {
        return Ok(None);
    };
    let to = range_end(last_day_of_point(tx, point.id).await?);
    let from = range.start(to);
    let days = series(tx, point.id, Channel::ActiveImport, from, to, run).await?;
    let mut points = Vec::new();
    let (mut actual, mut estimated, mut missing_flagged) = (0i64, 0i64, 0i64);
    let mut runs_seen: Vec<SettlementRun> = Vec::new();
    for d in &days {
        if !runs_seen.contains(&d.run) {
            runs_seen.push(d.run);
        }
        for (((_, start), wh), status) in all_periods_utc(SettlementDate(d.date))
            .zip(&d.vals)
            .zip(d.statuses.bytes())
        {
            let kwh = f64::from(*wh) / 1000.0;
            match status {
                b'A' => actual += 1,
                b'E' => estimated += 1,
                _ => missing_flagged += 1,
            }
            points.push((start, kwh));
        }
    }
    let expected = periods_between(from.max(point.energised_from), to);
    let bands = band_split(&days, &band_table(tx).await?, point.distributor_id);
    let total_kwh: f64 = points.iter().map(|(_, v)| v).sum();
    let buckets = aggregate(&points, range.granularity());
    // The active-import days read above, with reactive energy at the same run.
    let hh = half_hours_with_reactive(tx, point.id, &days, from, to, run).await?;
    let max_demand = MaximumDemand::from_half_hours(hh.iter().copied());
    runs_seen.sort();
    Ok(Some(PointUse {
        point,
        buckets,
        total_kwh,
        max_demand,
        bands,
        actual_periods: actual,
        estimated_periods: estimated,
        missing_periods: (expected - actual - estimated).max(missing_flagged),
        runs_seen,
    }))
}

/// The portfolio in scope over its last 30 days of data.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioUse {
    pub from: NaiveDate,
    /// Exclusive.
    pub to: NaiveDate,
    /// kWh per day at the best run, by the day's start.
    pub daily: Vec<(DateTime<Utc>, f64)>,
    pub sites: Vec<SiteTotal>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn portfolio(tx: &mut ScopedTx<'_>) -> Result<PortfolioUse, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let last = sqlx::query_scalar!(
        "SELECT max(settlement_date) FROM hh_day WHERE organisation_id = ANY($1) AND channel = 1",
        &orgs
    )
    .fetch_one(&mut **tx)
    .await?;
    let to = range_end(last);
    let from = to - TimeDelta::days(30);
    let daily = super::analytics::portfolio_daily_kwh(tx, from, to)
        .await?
        .into_iter()
        .filter_map(|(d, kwh)| Some((SettlementDate(d).start_utc().ok()?, kwh)))
        .collect();
    let sites = super::analytics::site_totals(tx, from, to).await?;
    Ok(PortfolioUse {
        from,
        to,
        daily,
        sites,
    })
}
