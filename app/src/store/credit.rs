//! Resolving a query by crediting the invoice, as a supplier does: a credit note that reverses
//! every line and figure of the invoice and references it (`credits_invoice_id`), and a re-bill
//! with the corrected lines that references it too (`rebills_invoice_id`). The invoice becomes
//! `credited`; invoice + credit note sum to zero, and the re-bill's net is the sum of its lines.
use serde_json::json;

use super::audit;
use super::queries::{add_message, close, lock_invoice, lock_query, Outcome, Participant};
use super::scope::ScopedTx;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::invoice_query::{
    credit_note_number, rebill_number, MessageKind, QueryStatus, Refusal, Totals,
};
use crate::domain::units::Pence;

/// A line of the re-bill: what the shadow-bill engine computed for the invoice's period.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectedLine {
    pub supply_point_id: Option<i64>,
    /// The stored name of the charge type (`energy`, `standing_charge`, …).
    pub charge_type: String,
    /// What tells lines of one type on one supply point apart (`red`, a levy rate's first date);
    /// empty when nothing does.
    pub component: String,
    pub description: String,
    /// Thousandths of the unit.
    pub quantity_milli: i64,
    pub unit: String,
    /// Pence per unit in 1/100,000 p (`domain::billing::money::Rate`; `rate_pence` holds 5 decimals).
    pub rate_e5: i64,
    pub amount: Pence,
}

/// The re-bill's lines and VAT (net is the sum of the lines).
#[derive(Debug, Clone, Copy)]
pub struct Rebill<'a> {
    pub lines: &'a [CorrectedLine],
    pub vat: Pence,
}

/// The documents a credit produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credited {
    pub credit_note_id: i64,
    pub credit_note_number: String,
    pub credit_note: Totals,
    pub rebill_id: i64,
    pub rebill_number: String,
    pub rebill: Totals,
}

/// Resolves an open query by crediting its invoice and re-billing it with `rebill`'s lines, with
/// `message` to the customer. Staff only: the scope must not be limited to some sites (the credit
/// note reverses every line of the invoice).
#[tracing::instrument(level = "debug", skip_all, fields(query_id = query_id, lines = rebill.lines.len()))]
pub async fn credit_and_rebill(
    tx: &mut ScopedTx<'_>,
    by: Participant<'_>,
    query_id: i64,
    message: &str,
    rebill: Rebill<'_>,
) -> Result<Outcome<Credited>, sqlx::Error> {
    if tx.scope().site_ids().is_some() {
        return Ok(Outcome::NotFound);
    }
    let Some(q) = lock_query(tx, query_id).await? else {
        return Ok(Outcome::NotFound);
    };
    if !q.status.is_open() {
        return Ok(Outcome::Refused(Refusal::Closed));
    }
    let Some(invoice) = lock_invoice(tx, q.invoice_id).await? else {
        return Ok(Outcome::NotFound);
    };
    if invoice.credits_invoice_id.is_some() {
        return Ok(Outcome::Refused(Refusal::CreditNote));
    }
    if invoice.status == InvoiceStatus::Credited {
        return Ok(Outcome::Refused(Refusal::AlreadyCredited));
    }
    if rebill.lines.is_empty() {
        return Ok(Outcome::Refused(Refusal::NoCorrectedLines));
    }

    let cn_number = credit_note_number(&invoice.invoice_number);
    let cn = sqlx::query!(
        "INSERT INTO invoices (organisation_id, contract_id, invoice_number, account_number, period_start, period_end,
             issued_on, due_on, status, net_pence, vat_pence, total_pence, credits_invoice_id)
         SELECT organisation_id, contract_id, $2, account_number, period_start, period_end,
                current_date, current_date, 'issued', -net_pence, -vat_pence, -total_pence, id
         FROM invoices WHERE id = $1
         RETURNING id, net_pence, vat_pence",
        invoice.id,
        &cn_number
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO invoice_lines (invoice_id, organisation_id, supply_point_id, charge_type, component, description,
             quantity, unit, rate_pence, amount_pence)
         SELECT $1, organisation_id, supply_point_id, charge_type, component, description, -quantity, unit, rate_pence,
                -amount_pence
         FROM invoice_lines WHERE invoice_id = $2 ORDER BY id",
        cn.id,
        invoice.id
    )
    .execute(&mut **tx)
    .await?;

    let rebill_totals = Totals::of_lines(rebill.lines.iter().map(|l| l.amount), rebill.vat);
    let rb_number = rebill_number(&invoice.invoice_number);
    // Same payment terms as the invoice it replaces, counted from today.
    let rebill_id = sqlx::query_scalar!(
        "INSERT INTO invoices (organisation_id, contract_id, invoice_number, account_number, period_start, period_end,
             issued_on, due_on, status, net_pence, vat_pence, total_pence, rebills_invoice_id)
         SELECT organisation_id, contract_id, $2, account_number, period_start, period_end,
                current_date, current_date + (due_on - issued_on), 'issued', $3, $4, $5, id
         FROM invoices WHERE id = $1
         RETURNING id",
        invoice.id,
        &rb_number,
        rebill_totals.net.pence(),
        rebill_totals.vat.pence(),
        rebill_totals.total.pence()
    )
    .fetch_one(&mut **tx)
    .await?;
    let column = |f: fn(&CorrectedLine) -> String| rebill.lines.iter().map(f).collect::<Vec<_>>();
    // Account-level lines (no supply point) travel as 0, which no identity column ever holds.
    let supply_points: Vec<i64> = rebill
        .lines
        .iter()
        .map(|l| l.supply_point_id.unwrap_or(0))
        .collect();
    let quantities: Vec<i64> = rebill.lines.iter().map(|l| l.quantity_milli).collect();
    let rates: Vec<i64> = rebill.lines.iter().map(|l| l.rate_e5).collect();
    let amounts: Vec<i64> = rebill.lines.iter().map(|l| l.amount.pence()).collect();
    sqlx::query!(
        "INSERT INTO invoice_lines (invoice_id, organisation_id, supply_point_id, charge_type, component, description,
             quantity, unit, rate_pence, amount_pence)
         SELECT $1, $2, nullif(l.supply_point_id, 0), l.charge_type, nullif(l.component, ''), l.description,
                l.quantity_milli::numeric / 1000, l.unit, l.rate_e5::numeric / 100000, l.amount_pence
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[], $10::bigint[])
              WITH ORDINALITY AS l (supply_point_id, charge_type, component, description, quantity_milli, unit, rate_e5,
                                    amount_pence, n)
         ORDER BY l.n",
        rebill_id,
        invoice.organisation_id,
        &supply_points,
        &column(|l| l.charge_type.clone()),
        &column(|l| l.component.clone()),
        &column(|l| l.description.clone()),
        &quantities,
        &column(|l| l.unit.clone()),
        &rates,
        &amounts
    )
    .execute(&mut **tx)
    .await?;

    sqlx::query!(
        "UPDATE invoices SET status = 'credited', status_before_query = NULL WHERE id = $1",
        invoice.id
    )
    .execute(&mut **tx)
    .await?;
    close(tx, by, q.id, QueryStatus::Credited, Some(cn.id), Some(rebill_id)).await?;
    add_message(tx, by, q.id, q.organisation_id, MessageKind::Credited, message).await?;

    let credited = Credited {
        credit_note_id: cn.id,
        credit_note_number: cn_number,
        credit_note: Totals::new(Pence(cn.net_pence), Pence(cn.vat_pence)),
        rebill_id,
        rebill_number: rb_number,
        rebill: rebill_totals,
    };
    audit::record_against(
        tx,
        by.actor,
        Some(q.organisation_id),
        "invoice_query.resolved",
        json!({ "query_id": q.id, "invoice_id": invoice.id, "resolution": "credited" }),
    )
    .await?;
    audit::record_against(
        tx,
        by.actor,
        Some(q.organisation_id),
        "invoice.credited",
        json!({
            "query_id": q.id,
            "invoice_id": invoice.id,
            "invoice": invoice.invoice_number,
            "credit_note_id": credited.credit_note_id,
            "credit_note": credited.credit_note_number,
            "credit_total_pence": credited.credit_note.total.pence(),
            "rebill_id": credited.rebill_id,
            "rebill": credited.rebill_number,
            "rebill_total_pence": credited.rebill.total.pence(),
        }),
    )
    .await?;
    Ok(Outcome::Done(credited))
}
