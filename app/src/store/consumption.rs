//! The consumption of one supply point over a range, and of the whole portfolio in scope: values
//! at the chosen run, aggregated for a chart, with demand, bands and data quality computed by the
//! domain (buckets over the whole span, gaps included). The API layer turns these into wire views
//! (labels, chart SVG).
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::analytics::{band_split, band_table, combine_half_hours, BandTotals, SiteTotal};
use super::hh::{series, supply_point, DayValues, SupplyPointRef};
use super::scope::ScopedTx;
use crate::domain::channel::{Channel, ValueStatus};
use crate::domain::consumption_buckets::{build_buckets, runs_seen, Bucket, DayReading, RunDays};
use crate::domain::date_span::DateSpan;
use crate::domain::settlement_run::RunChoice;
use crate::domain::settlement_time::SettlementDate;
use crate::domain::units::MaximumDemand;

/// One supply point's use over a span at a run.
#[derive(Debug, Clone, PartialEq)]
pub struct PointUse {
    pub point: SupplyPointRef,
    /// Every bucket of the span at its granularity (half-hours, days or months), empty where
    /// there is no data.
    pub buckets: Vec<Bucket>,
    /// Active import of the actual and estimated half-hours.
    pub total_kwh: f64,
    /// Active export, for a supply point that exports (`has_export`).
    pub export_kwh: Option<f64>,
    pub max_demand: Option<MaximumDemand>,
    pub bands: BandTotals,
    pub actual_periods: i64,
    pub estimated_periods: i64,
    /// Periods flagged missing plus the periods of days (since energisation) with no data.
    pub missing_periods: i64,
    /// The runs the days of the span came from, best first, with their days.
    pub runs_seen: Vec<RunDays>,
}

/// The day after the last day with data (today's date when there is none): where ranges end.
fn range_end(last: Option<NaiveDate>) -> NaiveDate {
    last.unwrap_or_else(|| Utc::now().date_naive()) + TimeDelta::days(1)
}

/// The latest settlement day with active import among these supply points (yesterday when there
/// is none): where a preset span ends.
pub async fn latest_data_day(
    tx: &mut ScopedTx<'_>,
    supply_point_ids: &[i64],
) -> Result<NaiveDate, sqlx::Error> {
    Ok(super::hh::latest_day(tx, supply_point_ids, Channel::ActiveImport)
        .await?
        .unwrap_or_else(|| Utc::now().date_naive() - TimeDelta::days(1)))
}

fn kwh_of(vals: &[i32]) -> Vec<f64> {
    vals.iter().map(|v| f64::from(*v) / 1000.0).collect()
}

/// Joins a channel's days by date: the values of `date`, or nothing.
fn values_on(days: &[DayValues], date: NaiveDate) -> Vec<f64> {
    days.binary_search_by_key(&date, |d| d.date)
        .ok()
        .map_or_else(Vec::new, |i| kwh_of(&days[i].vals))
}

/// The active import days with reactive energy and export at the same run choice, as readings.
pub fn readings(
    ai: &[DayValues],
    ri: &[DayValues],
    re: &[DayValues],
    ae: Option<&[DayValues]>,
) -> Vec<DayReading> {
    ai.iter()
        .map(|d| DayReading {
            date: d.date,
            run: d.run,
            kwh: kwh_of(&d.vals),
            status: d
                .statuses
                .chars()
                .map(|c| ValueStatus::from_code(c).unwrap_or(ValueStatus::Missing))
                .collect(),
            kvarh_import: values_on(ri, d.date),
            kvarh_export: values_on(re, d.date),
            export_kwh: ae.map(|ae| values_on(ae, d.date)),
        })
        .collect()
}

/// `None` when the supply point is not in scope (callers answer 404). Reads active import,
/// reactive import and export and (for a supply point with generation) active export over the
/// span at `run`, once each.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, %span, run = run.code()))]
pub async fn point_use(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    span: DateSpan,
    run: RunChoice,
) -> Result<Option<PointUse>, sqlx::Error> {
    let Some(point) = supply_point(tx, supply_point_id).await? else {
        return Ok(None);
    };
    let (from, to) = (span.from(), span.end());
    let ai = series(tx, point.id, Channel::ActiveImport, from, to, run).await?;
    let ri = series(tx, point.id, Channel::ReactiveImport, from, to, run).await?;
    let re = series(tx, point.id, Channel::ReactiveExport, from, to, run).await?;
    let ae = if point.has_export {
        Some(series(tx, point.id, Channel::ActiveExport, from, to, run).await?)
    } else {
        None
    };
    let days = readings(&ai, &ri, &re, ae.as_deref());
    let buckets = build_buckets(span, span.granularity(), &days, point.energised_from);
    let bands = band_split(&ai, &band_table(tx).await?, point.distributor_id);
    let max_demand = MaximumDemand::from_half_hours(combine_half_hours(&ai, &ri, &re));
    let sum = |f: fn(&Bucket) -> u32| buckets.iter().map(|b| i64::from(f(b))).sum::<i64>();
    Ok(Some(PointUse {
        total_kwh: buckets.iter().map(|b| b.kwh).sum(),
        export_kwh: point
            .has_export
            .then(|| buckets.iter().map(|b| b.export_kwh).sum()),
        max_demand,
        bands,
        actual_periods: sum(|b| b.actual),
        estimated_periods: sum(|b| b.estimated),
        missing_periods: sum(|b| b.missing),
        runs_seen: runs_seen(&days),
        buckets,
        point,
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
