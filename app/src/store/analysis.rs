//! Reads for the analysis views: a supply point's meter days over a span, the contracts in force
//! on it as dated tariffs, and every site's money by DUoS band. The arithmetic is the domain's
//! (`domain::analysis`).
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::hh::{latest_day, supply_point, supply_points_in_scope, SupplyPointRef};
use super::meter_days::meter_days;
use super::scope::ScopedTx;
use super::validation::{reference, tariff, Reference};
use crate::domain::analysis::band_cost::{band_cost, rank_by_red_cost, ContractTerm, SiteBandCost};
use crate::domain::analysis::half_hours;
use crate::domain::billing::{BillingPeriod, MeterDay};
use crate::domain::channel::Channel;
use crate::domain::settlement_run::RunChoice;

/// The last day with active-import data of these supply points (`None` without data).
pub async fn latest(tx: &mut ScopedTx<'_>, ids: &[i64]) -> Result<Option<NaiveDate>, sqlx::Error> {
    latest_day(tx, ids, Channel::ActiveImport).await
}

/// A supply point in scope with its days of `[first, last]` at `run`; `None` when the point is
/// not in scope (callers answer 404).
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = id, %first, %last))]
pub async fn point_days(
    tx: &mut ScopedTx<'_>,
    id: i64,
    first: NaiveDate,
    last: NaiveDate,
    run: RunChoice,
) -> Result<Option<(SupplyPointRef, Vec<MeterDay>)>, sqlx::Error> {
    let Some(point) = supply_point(tx, id).await? else {
        return Ok(None);
    };
    let days = meter_days(tx, &[id], first, last, run)
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Some((point, days)))
}

/// The contracts on a supply point that overlap `[first, last]`, each as a tariff over the days
/// of the overlap. A contract whose tariff cannot be read (an unknown structure) is left out, so
/// its days count as unpriced.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, %first, %last))]
pub async fn contract_terms(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    first: NaiveDate,
    last: NaiveDate,
    reference: &Reference,
) -> Result<Vec<ContractTerm>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let rows = sqlx::query!(
        r#"SELECT c.id, c.reference, c.starts_on, c.ends_on
           FROM contracts c JOIN contract_supply_points cs ON cs.contract_id = c.id
           WHERE cs.supply_point_id = $1 AND c.organisation_id = ANY($2)
             AND c.starts_on <= $4 AND c.ends_on >= $3
           ORDER BY c.starts_on"#,
        supply_point_id,
        &orgs,
        first,
        last
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut terms = Vec::with_capacity(rows.len());
    for r in rows {
        let period = BillingPeriod {
            first_day: first.max(r.starts_on),
            last_day: last.min(r.ends_on),
        };
        if let Ok(t) = tariff(tx, r.id, period, &reference.regulated).await? {
            terms.push(ContractTerm {
                reference: r.reference,
                from: period.first_day,
                to: period.last_day,
                tariff: t,
            });
        }
    }
    Ok(terms)
}

/// Every site in scope with its kWh and cost by DUoS band over `[first, last]` at the best run,
/// dearest red band first.
#[tracing::instrument(level = "debug", skip_all, fields(%first, %last))]
pub async fn site_band_costs(
    tx: &mut ScopedTx<'_>,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<SiteBandCost>, sqlx::Error> {
    let reference = reference(tx).await?;
    let points = supply_points_in_scope(tx).await?;
    let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
    let mut days = meter_days(tx, &ids, first, last, RunChoice::Best).await?;
    let mut sites: BTreeMap<i64, SiteBandCost> = BTreeMap::new();
    for p in &points {
        let terms = contract_terms(tx, p.id, first, last, &reference).await?;
        let d = days.remove(&p.id).unwrap_or_default();
        let cost = band_cost(
            half_hours(&d),
            u8::try_from(p.distributor_id).unwrap_or(0),
            &reference.bands,
            &terms,
        );
        match sites.get_mut(&p.site_id) {
            Some(s) => s.cost.absorb(&cost),
            None => {
                sites.insert(
                    p.site_id,
                    SiteBandCost {
                        site_id: p.site_id,
                        site_name: p.site_name.clone(),
                        cost,
                    },
                );
            }
        }
    }
    Ok(rank_by_red_cost(sites.into_values().collect()))
}
