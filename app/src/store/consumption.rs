//! Builds the consumption view of one supply point: values at the chosen run, aggregated for the
//! chart, with demand, bands and data quality computed by the domain.
use chrono::{Datelike, NaiveDate, TimeDelta};
use chrono_tz::Europe::London;

use super::analytics::{band_split, band_table, half_hours_with_reactive};
use super::hh::{series, supply_point, RunChoice};
use super::scope::ScopedTx;
use crate::api::consumption::ConsumptionView;
use crate::api::ApiError;
use crate::domain::aggregate::{aggregate, Granularity};
use crate::domain::channel::Channel;
use crate::domain::settlement_run::SettlementRun;
use crate::domain::settlement_time::{all_periods_utc, periods_between, SettlementDate};
use crate::domain::units::{power_factor, MaximumDemand};

pub async fn view(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    range: &str,
    run: &str,
) -> Result<ConsumptionView, ApiError> {
    let point = supply_point(tx, supply_point_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let run_choice = match run {
        "" | "best" => RunChoice::Best,
        code => RunChoice::Exactly(
            code.parse::<SettlementRun>()
                .map_err(|e| ApiError::BadRequest(e.to_string()))?,
        ),
    };
    let last = super::hh::latest_day(tx, &[point.id], Channel::ActiveImport).await?;
    let to = last.unwrap_or_else(|| chrono::Utc::now().date_naive()) + TimeDelta::days(1);
    let (from, granularity, label) = match range {
        "7d" => (
            to - TimeDelta::days(7),
            Granularity::HalfHour,
            "Last 7 days, half-hourly",
        ),
        "30d" | "" => (to - TimeDelta::days(30), Granularity::Day, "Last 30 days, daily"),
        "90d" => (to - TimeDelta::days(90), Granularity::Day, "Last 90 days, daily"),
        "12m" => {
            let start = NaiveDate::from_ymd_opt(to.year() - 1, to.month(), 1).unwrap_or(to);
            (start, Granularity::Month, "Last 12 months, monthly")
        }
        other => {
            return Err(ApiError::BadRequest(format!(
                "unknown range {other:?}; use 7d, 30d, 90d or 12m"
            )))
        }
    };
    let days = series(tx, point.id, Channel::ActiveImport, from, to, run_choice).await?;
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
    let total: f64 = points.iter().map(|(_, v)| v).sum();
    let buckets = aggregate(&points, granularity);
    // The active-import days read above, with reactive energy at the same run.
    let hh = half_hours_with_reactive(tx, point.id, &days, from, to, run_choice).await?;
    let md = MaximumDemand::from_half_hours(hh.iter().copied());
    let pf = md.as_ref().map(|m| power_factor(m.kw, m.kva));
    runs_seen.sort();
    let chart_svg = crate::charts::consumption_svg(&buckets, granularity, point.agreed_capacity_kva);
    Ok(ConsumptionView {
        supply_point_id: point.id,
        mpan_core: point.mpan_core,
        site_name: point.site_name,
        range_label: label.to_string(),
        granularity: granularity.as_str().to_string(),
        run: match run_choice {
            RunChoice::Best => "best available".into(),
            RunChoice::Exactly(r) => r.to_string(),
        },
        chart_svg,
        total_kwh: total,
        max_demand_kva: md.as_ref().map(|m| m.kva),
        max_demand_at: md.as_ref().map(|m| {
            m.at.with_timezone(&London)
                .format("%a %-d %b %Y %H:%M")
                .to_string()
        }),
        agreed_capacity_kva: point.agreed_capacity_kva,
        power_factor: pf,
        red_kwh: bands.red_kwh,
        amber_kwh: bands.amber_kwh,
        green_kwh: bands.green_kwh,
        actual_periods: actual,
        estimated_periods: estimated,
        missing_periods: (expected - actual - estimated).max(missing_flagged),
        runs_seen: runs_seen.into_iter().map(|r| r.to_string()).collect(),
    })
}

/// The dashboard: the last 30 days (ending at the latest data) of every supply point in scope,
/// from the best-run roll-up: the daily curve and the totals by site.
pub async fn portfolio(tx: &mut ScopedTx<'_>) -> Result<crate::api::consumption::PortfolioView, ApiError> {
    use crate::api::consumption::{PortfolioView, SiteUse};
    let points = super::hh::supply_points_in_scope(tx).await?;
    let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
    let last = super::hh::latest_day(tx, &ids, Channel::ActiveImport).await?;
    let to = last.unwrap_or_else(|| chrono::Utc::now().date_naive()) + TimeDelta::days(1);
    let from = to - TimeDelta::days(30);
    let site_days = super::hh::site_daily_totals(tx, &ids, Channel::ActiveImport, from, to).await?;
    let daily = super::analytics::portfolio_daily_kwh(&site_days);
    let points_utc: Vec<(chrono::DateTime<chrono::Utc>, f64)> = daily
        .iter()
        .filter_map(|(d, kwh)| Some((SettlementDate(*d).start_utc().ok()?, *kwh)))
        .collect();
    let sites = super::analytics::site_totals(&points, &site_days, from, to);
    Ok(PortfolioView {
        from: from.format("%-d %b %Y").to_string(),
        to: (to - TimeDelta::days(1)).format("%-d %b %Y").to_string(),
        total_kwh: points_utc.iter().map(|(_, v)| v).sum(),
        chart_svg: crate::charts::consumption_svg(&points_utc, Granularity::Day, 0),
        sites: sites
            .into_iter()
            .map(|s| SiteUse {
                site_id: s.site_id,
                site_name: s.site_name,
                kwh: s.kwh,
                missing_periods: s.missing_periods,
            })
            .collect(),
    })
}
