//! Consumption: a supply point's half-hourly data over a range, as a server-rendered chart with
//! totals, maximum demand, DUoS band split and data quality.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

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
    pub range_label: String,
    pub granularity: String,
    pub run: String,
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
    pub runs_seen: Vec<String>,
}

#[server(prefix = "/api", endpoint = "consumption/points")]
pub async fn consumption_points() -> Result<Vec<PointOption>, ApiError> {
    super::respond(
        async {
            let (state, scope) = super::caller().await?;
            let mut tx = scope.begin(&state.db).await?;
            Ok(crate::store::hh::supply_points_in_scope(&mut tx)
                .await?
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

/// `range`: `7d`, `30d`, `90d` or `12m` (ending at the latest data); `run`: `best` or a run code.
#[server(prefix = "/api", endpoint = "consumption/view")]
pub async fn consumption(
    supply_point_id: i64,
    range: String,
    run: String,
) -> Result<ConsumptionView, ApiError> {
    super::respond(
        async {
            let (state, scope) = super::caller().await?;
            let mut tx = scope.begin(&state.db).await?;
            crate::store::consumption::view(&mut tx, supply_point_id, &range, &run).await
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
pub async fn portfolio() -> Result<PortfolioView, ApiError> {
    super::respond(
        async {
            let (state, scope) = super::caller().await?;
            let mut tx = scope.begin(&state.db).await?;
            crate::store::consumption::portfolio(&mut tx).await
        }
        .await,
    )
}
