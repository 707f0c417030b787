//! Consumption: a supply point's half-hourly data over a range, as a server-rendered chart with
//! totals, maximum demand, DUoS band split and data quality.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::aggregate::Granularity;
use crate::domain::consumption_range::ConsumptionRange;
use crate::domain::settlement_run::{RunChoice, SettlementRun};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointOption {
    pub id: i64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsumptionView {
    pub supply_point_id: i64,
    pub mpan_core: String,
    pub site_name: String,
    pub range: ConsumptionRange,
    pub granularity: Granularity,
    pub run: RunChoice,
    /// Server-rendered SVG (plotters); no script, only shapes and text.
    pub chart_svg: String,
    pub total_kwh: f64,
    pub max_demand_kva: Option<f64>,
    pub max_demand_at: Option<String>,
    pub agreed_capacity_kva: i32,
    pub power_factor: Option<f64>,
    pub red_kwh: f64,
    pub amber_kwh: f64,
    pub green_kwh: f64,
    pub actual_periods: i64,
    pub estimated_periods: i64,
    pub missing_periods: i64,
    pub runs_seen: Vec<SettlementRun>,
}

#[server(prefix = "/api", endpoint = "consumption/points")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "consumption_points", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn consumption_points() -> Result<Vec<PointOption>, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let points = crate::store::hh::supply_points_in_scope(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.supply_points", &orgs, serde_json::json!({}))
                .await?;
            Ok(points
                .into_iter()
                .map(|p| PointOption {
                    id: p.id,
                    label: format!("{} · {}", p.site_name, p.mpan_core),
                })
                .collect())
        }
        .await,
    )
}

/// A supply point's half-hourly data over `range` (ending at its latest data) at `run`; both are
/// parsed from the request (`7d`/`30d`/`90d`/`12m`, `best` or a run code), anything else is a 400.
#[server(prefix = "/api", endpoint = "consumption/view")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "consumption", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, supply_point_id = supply_point_id, range = range.code(), run = run.code())))]
pub async fn consumption(
    supply_point_id: i64,
    range: ConsumptionRange,
    run: RunChoice,
) -> Result<ConsumptionView, ApiError> {
    use chrono_tz::Europe::London;

    use crate::domain::units::power_factor;
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let u = crate::store::consumption::point_use(&mut tx, supply_point_id, range, run)
                .await?
                .ok_or(ApiError::NotFound)?;
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.consumption",
                &[u.point.organisation_id],
                serde_json::json!({ "supply_point_id": supply_point_id, "range": range.code(), "run": run.code() }),
            )
            .await?;
            let granularity = range.granularity();
            Ok(ConsumptionView {
                supply_point_id: u.point.id,
                mpan_core: u.point.mpan_core,
                site_name: u.point.site_name,
                range,
                granularity,
                run,
                chart_svg: crate::charts::consumption::consumption_svg(&u.buckets, granularity),
                total_kwh: u.total_kwh,
                max_demand_kva: u.max_demand.as_ref().map(|m| m.kva),
                max_demand_at: u.max_demand.as_ref().map(|m| {
                    m.at.with_timezone(&London)
                        .format("%a %-d %b %Y %H:%M")
                        .to_string()
                }),
                agreed_capacity_kva: u.point.agreed_capacity_kva,
                power_factor: u.max_demand.as_ref().map(|m| power_factor(m.kw, m.kva)),
                red_kwh: u.bands.red_kwh,
                amber_kwh: u.bands.amber_kwh,
                green_kwh: u.bands.green_kwh,
                actual_periods: u.actual_periods,
                estimated_periods: u.estimated_periods,
                missing_periods: u.missing_periods,
                runs_seen: u.runs_seen,
            })
        }
        .await,
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteUse {
    pub site_id: i64,
    pub site_name: String,
    pub kwh: f64,
    pub missing_periods: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioView {
    pub from: String,
    pub to: String,
    pub total_kwh: f64,
    pub chart_svg: String,
    pub sites: Vec<SiteUse>,
}

/// The last 30 days of the portfolio in scope: daily totals at the best run, and by site.
#[server(prefix = "/api", endpoint = "consumption/portfolio")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "portfolio", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn portfolio() -> Result<PortfolioView, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let p = crate::store::consumption::portfolio(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.portfolio", &orgs, serde_json::json!({})).await?;
            Ok(PortfolioView {
                from: p.from.format("%-d %b %Y").to_string(),
                to: (p.to - chrono::TimeDelta::days(1))
                    .format("%-d %b %Y")
                    .to_string(),
                total_kwh: p.daily.iter().map(|(_, v)| v).sum(),
                chart_svg: crate::charts::consumption::consumption_svg(&p.daily, Granularity::Day),
                sites: p
                    .sites
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
        .await,
    )
}
