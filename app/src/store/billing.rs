//! Invoice and contract queries, scoped. A customer user limited to some sites sees invoice lines
//! of those sites' supply points only (account-level lines stay visible).
use sqlx::Row;

use super::scope::ScopedTx;
use crate::api::billing::{ContractView, InvoiceDetail, InvoiceLineView, InvoiceSummary};

const INVOICE_COLUMNS: &str = "i.id, i.invoice_number, o.name, i.account_number, to_char(i.period_start, 'DD Mon YYYY'),
    to_char(i.period_end, 'DD Mon YYYY'), to_char(i.issued_on, 'DD Mon YYYY'), to_char(i.due_on, 'DD Mon YYYY'),
    i.status, i.net_pence, i.vat_pence, i.total_pence";

fn summary(r: &sqlx::postgres::PgRow) -> Result<InvoiceSummary, sqlx::Error> {
    Ok(InvoiceSummary {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        customer: r.try_get(2)?,
        account_number: r.try_get(3)?,
        period_start: r.try_get(4)?,
        period_end: r.try_get(5)?,
        issued_on: r.try_get(6)?,
        due_on: r.try_get(7)?,
        status: r.try_get(8)?,
        net_pence: r.try_get(9)?,
        vat_pence: r.try_get(10)?,
        total_pence: r.try_get(11)?,
    })
}

pub async fn invoices(tx: &mut ScopedTx<'_>) -> Result<Vec<InvoiceSummary>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let rows = sqlx::query(&format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices i JOIN organisations o ON o.id = i.organisation_id
         WHERE i.organisation_id = ANY($1) ORDER BY i.period_start DESC, o.name"
    ))
    .bind(&orgs)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(summary).collect()
}

pub async fn invoice(tx: &mut ScopedTx<'_>, id: i64) -> Result<Option<InvoiceDetail>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let Some(row) = sqlx::query(&format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices i JOIN organisations o ON o.id = i.organisation_id
         WHERE i.id = $1 AND i.organisation_id = ANY($2)"
    ))
    .bind(id)
    .bind(&orgs)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let lines = sqlx::query(
        "SELECT sp.mpan_core, l.charge_type, l.description, l.quantity::text, l.unit, l.rate_pence::text, l.amount_pence
         FROM invoice_lines l LEFT JOIN supply_points sp ON sp.id = l.supply_point_id
         WHERE l.invoice_id = $1 AND l.organisation_id = ANY($2)
           AND ($3::bigint[] IS NULL OR l.supply_point_id IS NULL OR sp.site_id = ANY($3))
         ORDER BY sp.mpan_core NULLS LAST, l.id",
    )
    .bind(id)
    .bind(&orgs)
    .bind(sites.as_deref())
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| {
        Ok(InvoiceLineView {
            mpan_core: r.try_get(0)?,
            charge_type: r.try_get(1)?,
            description: r.try_get(2)?,
            quantity: r.try_get(3)?,
            unit: r.try_get(4)?,
            rate_pence: r.try_get(5)?,
            amount_pence: r.try_get(6)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(InvoiceDetail {
        invoice: summary(&row)?,
        lines,
    }))
}

pub async fn contracts(tx: &mut ScopedTx<'_>) -> Result<Vec<ContractView>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let rows = sqlx::query(
        "SELECT c.id, c.reference, o.name, to_char(c.starts_on, 'DD Mon YYYY'), to_char(c.ends_on, 'DD Mon YYYY'),
                c.rate_structure, c.standing_charge_p_per_day::text, c.capacity_charge_p_per_kva_day::text,
                c.excess_capacity_p_per_kva_day::text, c.reactive_p_per_kvarh::text, c.annual_volume_kwh,
                c.volume_tolerance_percent::text,
                coalesce((SELECT array_agg(r.rate_name || ':' || r.p_per_kwh::text ORDER BY r.p_per_kwh DESC)
                          FROM contract_rates r WHERE r.contract_id = c.id), '{}'),
                coalesce((SELECT array_agg(sp.mpan_core ORDER BY sp.mpan_core)
                          FROM contract_supply_points cs JOIN supply_points sp ON sp.id = cs.supply_point_id
                          WHERE cs.contract_id = c.id), '{}')
         FROM contracts c JOIN organisations o ON o.id = c.organisation_id
         WHERE c.organisation_id = ANY($1) ORDER BY o.name, c.starts_on DESC",
    )
    .bind(&orgs)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let rates: Vec<String> = r.try_get(12)?;
            Ok(ContractView {
                id: r.try_get(0)?,
                reference: r.try_get(1)?,
                customer: r.try_get(2)?,
                starts_on: r.try_get(3)?,
                ends_on: r.try_get(4)?,
                rate_structure: r.try_get(5)?,
                standing_charge: r.try_get(6)?,
                capacity_charge: r.try_get(7)?,
                excess_capacity_charge: r.try_get(8)?,
                reactive_charge: r.try_get(9)?,
                annual_volume_kwh: r.try_get(10)?,
                volume_tolerance_percent: r.try_get(11)?,
                rates: rates
                    .into_iter()
                    .filter_map(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())))
                    .collect(),
                supply_points: r.try_get(13)?,
            })
        })
        .collect()
}
