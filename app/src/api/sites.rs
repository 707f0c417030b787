//! Sites and their supply points: wire types and server fns.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::site::SiteKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    pub id: i64,
    pub organisation: String,
    pub name: String,
    pub kind: SiteKind,
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

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::mpan::Distributor;
    use crate::store::sites::{SiteHead, SiteRecord, SupplyPointRecord};

    impl From<SiteRecord> for SiteSummary {
        fn from(s: SiteRecord) -> Self {
            SiteSummary {
                id: s.id,
                organisation: s.organisation,
                name: s.name,
                kind: s.kind,
                town: s.town,
                postcode: s.postcode,
                supply_points: s.supply_points,
                agreed_capacity_kva: s.agreed_capacity_kva,
            }
        }
    }

    impl From<SupplyPointRecord> for SupplyPointView {
        fn from(p: SupplyPointRecord) -> Self {
            SupplyPointView {
                id: p.id,
                top_line: format!("{:02} {:03} {:03}", p.profile_class, p.mtc, p.llfc),
                distributor: u8::try_from(p.distributor_id)
                    .ok()
                    .and_then(|d| Distributor::from_id(d).ok())
                    .map_or("Independent (IDNO)", Distributor::area_name)
                    .to_string(),
                mpan_core: p.mpan_core,
                measurement_class: p.measurement_class,
                agreed_capacity_kva: p.agreed_capacity_kva,
                has_export: p.has_export,
                energised_from: p.energised_from.format("%-d %b %Y").to_string(),
                meter_serials: p.meter_serials,
            }
        }
    }

    pub fn detail(head: SiteHead, points: Vec<SupplyPointRecord>) -> SiteDetail {
        let supply_points: Vec<SupplyPointView> = points.into_iter().map(SupplyPointView::from).collect();
        let capacity: i64 = supply_points
            .iter()
            .map(|p| i64::from(p.agreed_capacity_kva))
            .sum();
        SiteDetail {
            organisation_id: head.organisation_id,
            address: format!("{}, {} {}", head.address_line, head.town, head.postcode),
            site: SiteSummary {
                id: head.id,
                organisation: head.organisation,
                name: head.name,
                kind: head.kind,
                town: head.town,
                postcode: head.postcode,
                supply_points: supply_points.len() as i64,
                agreed_capacity_kva: capacity,
            },
            supply_points,
        }
    }
}

/// The sites the caller may see, with supply-point counts.
#[server(prefix = "/api", endpoint = "sites/list")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "list_sites", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn list_sites() -> Result<Vec<SiteSummary>, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let sites = crate::store::sites::list_sites(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.sites", &orgs, serde_json::json!({})).await?;
            Ok(sites.into_iter().map(SiteSummary::from).collect())
        }
        .await,
    )
}

/// One site with its supply points and meters.
#[server(prefix = "/api", endpoint = "sites/detail")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "get_site", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, site_id = site_id)))]
pub async fn get_site(site_id: i64) -> Result<SiteDetail, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let (head, points) = crate::store::sites::site_detail(&mut tx, site_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let detail = ssr::detail(head, points);
            // Staff looking at a customer's data is recorded against that customer.
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.site",
                &[detail.organisation_id],
                serde_json::json!({ "id": site_id }),
            )
            .await?;
            Ok(detail)
        }
        .await,
    )
}
