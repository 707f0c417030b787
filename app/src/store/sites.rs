//! Queries for sites and supply points.
use super::scope::ScopedTx;
use crate::api::sites::{SiteDetail, SiteSummary, SupplyPointView};
use crate::domain::mpan::Distributor;

/// The sites in the caller's scope, with supply-point counts.
pub async fn list_sites(tx: &mut ScopedTx<'_>) -> Result<Vec<SiteSummary>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        SiteSummary,
        r#"SELECT s.id, o.name AS organisation, s.name, s.kind, s.town, s.postcode,
                  count(sp.id) AS "supply_points!",
                  coalesce(sum(sp.agreed_capacity_kva), 0)::bigint AS "agreed_capacity_kva!"
           FROM sites s
           JOIN organisations o ON o.id = s.organisation_id
           LEFT JOIN supply_points sp ON sp.site_id = s.id
           WHERE s.organisation_id = ANY($1) AND ($2::bigint[] IS NULL OR s.id = ANY($2))
           GROUP BY s.id, o.name
           ORDER BY o.name, s.name"#,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await
}

/// One site with its supply points; `None` when it does not exist *or* is outside the scope.
pub async fn site_detail(tx: &mut ScopedTx<'_>, site_id: i64) -> Result<Option<SiteDetail>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let Some(row) = sqlx::query!(
        r#"SELECT s.id, s.organisation_id, o.name AS organisation, s.name, s.kind, s.address_line, s.town, s.postcode
           FROM sites s JOIN organisations o ON o.id = s.organisation_id
           WHERE s.id = $1 AND s.organisation_id = ANY($2) AND ($3::bigint[] IS NULL OR s.id = ANY($3))"#,
        site_id,
        &orgs,
        sites.as_deref()
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let points = sqlx::query!(
        r#"SELECT sp.id, sp.mpan_core, sp.profile_class, sp.mtc, sp.llfc, sp.distributor_id,
                  sp.measurement_class, sp.agreed_capacity_kva, sp.has_export, sp.energised_from,
                  coalesce(array_agg(m.serial ORDER BY m.serial) FILTER (WHERE m.serial IS NOT NULL),
                           '{}') AS "meter_serials!"
           FROM supply_points sp LEFT JOIN meters m ON m.supply_point_id = sp.id
           WHERE sp.site_id = $1
           GROUP BY sp.id
           ORDER BY sp.mpan_core"#,
        site_id
    )
    .fetch_all(&mut **tx)
    .await?;
    let supply_points: Vec<SupplyPointView> = points
        .into_iter()
        .map(|p| SupplyPointView {
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
        })
        .collect();
    let capacity: i64 = supply_points
        .iter()
        .map(|p| i64::from(p.agreed_capacity_kva))
        .sum();
    Ok(Some(SiteDetail {
        organisation_id: row.organisation_id,
        address: format!("{}, {} {}", row.address_line, row.town, row.postcode),
        site: SiteSummary {
            id: row.id,
            organisation: row.organisation,
            name: row.name,
            kind: row.kind,
            town: row.town,
            postcode: row.postcode,
            supply_points: supply_points.len() as i64,
            agreed_capacity_kva: capacity,
        },
        supply_points,
    }))
}
