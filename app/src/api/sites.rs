//! Sites and their supply points: wire types and server fns.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    pub id: i64,
    pub organisation: String,
    pub name: String,
    pub kind: String,
    pub town: String,
    pub postcode: String,
    pub supply_points: i64,
    pub agreed_capacity_kva: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplyPointView {
    pub id: i64,
    pub mpan_core: String,
    /// The full MPAN's top line, e.g. "00 845 120".
    pub top_line: String,
    pub distributor: String,
    pub measurement_class: String,
    pub agreed_capacity_kva: i32,
    pub has_export: bool,
    pub energised_from: String,
    pub meter_serials: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteDetail {
    pub organisation_id: i64,
    pub site: SiteSummary,
    pub address: String,
    pub supply_points: Vec<SupplyPointView>,
}

/// The sites the caller may see, with supply-point counts.
#[server(prefix = "/api", endpoint = "sites/list")]
pub async fn list_sites() -> Result<Vec<SiteSummary>, ApiError> {
    super::respond(
        async {
            let (state, scope) = super::caller().await?;
            let mut tx = scope.begin(&state.db).await?;
            Ok(crate::store::sites::list_sites(&mut tx).await?)
        }
        .await,
    )
}

/// One site with its supply points and meters.
#[server(prefix = "/api", endpoint = "sites/detail")]
pub async fn get_site(site_id: i64) -> Result<SiteDetail, ApiError> {
    use super::auth::Role;
    super::respond(
        async {
            let (state, who) = crate::auth::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let detail = crate::store::sites::site_detail(&mut tx, site_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if who.role == Role::AccountManager {
                // Staff looking at a customer's data is recorded against that customer.
                crate::store::audit::record_access(
                    &mut tx,
                    &who,
                    detail.organisation_id,
                    "account_manager.viewed_site",
                    site_id,
                )
                .await?;
                tx.commit().await?;
            }
            Ok(detail)
        }
        .await,
    )
}

/// How a site's kind reads on screen.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "cold_store" => "Cold store",
        "office" => "Office",
        "factory" => "Factory",
        "school" => "School",
        "warehouse" => "Warehouse",
        "solar_warehouse" => "Warehouse with solar",
        "leisure" => "Leisure centre",
        other => other,
    }
}
