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
    let to = range_end(super::hh::latest_day(tx, &[point.id], Channel::ActiveImport).await?);
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

/// The dashboard: the last 30 days (ending at the latest data) of every supply point in scope,
/// from the best-run roll-up (`hh_daily_best`): the daily curve and the totals by site.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn portfolio(tx: &mut ScopedTx<'_>) -> Result<PortfolioUse, sqlx::Error> {
    let points = super::hh::supply_points_in_scope(tx).await?;
    let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
    let to = range_end(super::hh::latest_day(tx, &ids, Channel::ActiveImport).await?);
    let from = to - TimeDelta::days(30);
    let site_days = super::hh::site_daily_totals(tx, &ids, Channel::ActiveImport, from, to).await?;
    let daily = super::analytics::portfolio_daily_kwh(&site_days)
        .into_iter()
        .filter_map(|(d, kwh)| Some((SettlementDate(d).start_utc().ok()?, kwh)))
        .collect();
    let sites = super::analytics::site_totals(&points, &site_days, from, to);
    Ok(PortfolioUse {
        from,
        to,
        daily,
        sites,
    })
}
