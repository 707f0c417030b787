//! Queries for sites and supply points.
use chrono::NaiveDate;

use super::scope::ScopedTx;
use crate::domain::site::SiteKind;

/// A site in scope with its supply-point count and total agreed capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRecord {
    pub id: i64,
    pub organisation: String,
    pub name: String,
    pub kind: SiteKind,
    pub town: String,
    pub postcode: String,
    pub supply_points: i64,
    pub agreed_capacity_kva: i64,
}

/// One site's own columns.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteHead {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub name: String,
    pub kind: SiteKind,
    pub address_line: String,
    pub town: String,
    pub postcode: String,
}

/// A supply point of a site with its meters' serial numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyPointRecord {
    pub id: i64,
    pub mpan_core: String,
    pub profile_class: i16,
    pub mtc: i16,
    pub llfc: i16,
    pub distributor_id: i16,
    pub measurement_class: String,
    pub agreed_capacity_kva: i32,
    pub has_export: bool,
    pub energised_from: NaiveDate,
    pub meter_serials: Vec<String>,
}

/// The sites in the caller's scope, with supply-point counts.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_sites(tx: &mut ScopedTx<'_>) -> Result<Vec<SiteRecord>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        SiteRecord,
        r#"SELECT s.id, o.name AS organisation, s.name, s.kind AS "kind: SiteKind", s.town, s.postcode,
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
#[tracing::instrument(level = "debug", skip_all, fields(site_id = site_id))]
pub async fn site_detail(
    tx: &mut ScopedTx<'_>,
    site_id: i64,
) -> Result<Option<(SiteHead, Vec<SupplyPointRecord>)>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let Some(head) = sqlx::query_as!(
        SiteHead,
        r#"SELECT s.id, s.organisation_id, o.name AS organisation, s.name, s.kind AS "kind: SiteKind",
                  s.address_line, s.town, s.postcode
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
    let points = sqlx::query_as!(
        SupplyPointRecord,
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
    Ok(Some((head, points)))
}
