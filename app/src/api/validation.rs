//! Bill validation: each invoice in scope checked against its shadow bill. Wire types and server
//! fns; the check itself is `store::validation` + `domain::billing`.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::billing::{Outcome, Verdict};
use crate::domain::invoice::InvoiceStatus;

/// One invoice's verdict, for the overview and the invoice list's badges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationSummary {
    pub invoice_id: i64,
    pub number: String,
    pub customer: String,
    pub period_start: String,
    pub period_end: String,
    /// ISO date of the period's start, for sorting.
    pub period_key: String,
    pub status: InvoiceStatus,
    pub total_pence: i64,
    pub verdict: Verdict,
    pub summary: String,
    /// Billed minus the shadow bill over the flagged lines, VAT included (positive: over-billed).
    pub at_stake_pence: i64,
    pub flagged_lines: usize,
    /// False when only the caller's sites' lines were checked.
    pub whole_invoice: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineCheckView {
    pub outcome: Outcome,
    pub mpan_core: Option<String>,
    pub charge: String,
    pub unit: String,
    pub billed_quantity: Option<String>,
    pub expected_quantity: Option<String>,
    pub billed_rate: Option<String>,
    pub expected_rate: Option<String>,
    pub billed_pence: Option<i64>,
    pub expected_pence: Option<i64>,
    pub difference_pence: i64,
    pub reason: String,
    /// How the shadow bill worked the line out.
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataCheckView {
    pub mpan_core: String,
    pub expected_periods: i64,
    pub actual_periods: i64,
    pub estimated_periods: i64,
    pub missing_periods: i64,
    pub runs: String,
    pub hh_kwh: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceValidationView {
    pub summary: ValidationSummary,
    pub lines: Vec<LineCheckView>,
    pub data: Vec<DataCheckView>,
    pub billed_kwh: String,
    pub hh_kwh: String,
    pub volume_within_tolerance: bool,
    /// VAT billed and VAT on the billed net, when the whole invoice was checked.
    pub vat: Option<(i64, i64)>,
    pub runs_used: String,
    pub tolerance: String,
    pub shadow_net_pence: i64,
    pub shadow_total_pence: i64,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::billing::money::{percent_e2_text, quantity_text};
    use crate::store::validation::InvoiceCheck;

    fn day(d: chrono::NaiveDate) -> String {
        d.format("%d %b %Y").to_string()
    }

    impl From<&InvoiceCheck> for ValidationSummary {
        fn from(c: &InvoiceCheck) -> Self {
            let v = &c.validation;
            ValidationSummary {
                invoice_id: c.invoice.id,
                number: c.invoice.invoice_number.clone(),
                customer: c.invoice.customer.clone(),
                period_start: day(c.invoice.period_start),
                period_end: day(c.invoice.period_end),
                period_key: c.invoice.period_start.to_string(),
                status: c.invoice.status,
                total_pence: c.invoice.total_pence,
                verdict: v.verdict,
                summary: v.summary.clone(),
                at_stake_pence: v.at_stake.0,
                flagged_lines: v.lines.iter().filter(|l| l.outcome.is_flagged()).count(),
                whole_invoice: c.whole_invoice,
            }
        }
    }

    impl From<InvoiceCheck> for InvoiceValidationView {
        fn from(c: InvoiceCheck) -> Self {
            let summary = ValidationSummary::from(&c);
            let v = c.validation;
            let mut lines: Vec<LineCheckView> = v
                .lines
                .into_iter()
                .map(|l| {
                    let (b, e) = (l.billed.as_ref(), l.expected.as_ref());
                    LineCheckView {
                        outcome: l.outcome,
                        mpan_core: b
                            .and_then(|b| b.mpan_core.clone())
                            .or_else(|| e.and_then(|e| e.mpan_core.clone())),
                        charge: b
                            .map(|b| b.description.clone())
                            .or_else(|| e.map(|e| e.description.clone()))
                            .unwrap_or_default(),
                        unit: e
                            .map(|e| e.unit.clone())
                            .or_else(|| b.map(|b| b.unit.clone()))
                            .unwrap_or_default(),
                        billed_quantity: b.map(|b| quantity_text(b.quantity_milli)),
                        expected_quantity: e.map(|e| quantity_text(e.quantity_milli)),
                        billed_rate: b.map(|b| b.rate.to_string()),
                        expected_rate: e.map(|e| e.rate.to_string()),
                        billed_pence: b.map(|b| b.amount.0),
                        expected_pence: e.map(|e| e.amount.0),
                        difference_pence: l.difference.0,
                        reason: l.reason,
                        basis: e.map(|e| e.basis.clone()),
                    }
                })
                .collect();
            // Flagged lines first, largest difference first; matched lines keep invoice order.
            lines.sort_by_key(|l| (l.outcome == Outcome::Matched, -(l.difference_pence.abs())));
            InvoiceValidationView {
                summary,
                lines,
                data: v
                    .data
                    .into_iter()
                    .map(|d| DataCheckView {
                        mpan_core: d.mpan_core,
                        expected_periods: d.expected_periods,
                        actual_periods: d.actual_periods,
                        estimated_periods: d.estimated_periods,
                        missing_periods: d.missing_periods,
                        runs: d
                            .runs
                            .iter()
                            .map(|(r, n)| format!("{} {n} d", r.as_str()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        hh_kwh: quantity_text(d.hh_wh),
                    })
                    .collect(),
                billed_kwh: quantity_text(v.volume.billed_wh),
                hh_kwh: quantity_text(v.volume.hh_wh),
                volume_within_tolerance: v.volume.within_tolerance,
                vat: v.vat.map(|x| (x.billed.0, x.on_billed_net.0)),
                runs_used: v.runs_used,
                tolerance: format!(
                    "A line matches when its amount is within {} of the shadow bill; billed kWh within {} of the half-hourly total.",
                    v.tolerance.per_line,
                    percent_e2_text(v.tolerance.volume_percent_e2)
                ),
                shadow_net_pence: v.shadow_net.0,
                shadow_total_pence: v.shadow_total.0,
            }
        }
    }
}

/// Every invoice in scope with its verdict, newest first.
#[server(prefix = "/api", endpoint = "validation/list")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "list_validations", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn list_validations() -> Result<Vec<ValidationSummary>, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let checks = crate::store::validation::validate_all(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.bill_validation",
                &orgs,
                serde_json::json!({}),
            )
            .await?;
            Ok(checks.iter().map(ValidationSummary::from).collect())
        }
        .await,
    )
}

/// One invoice's check, line by line.
#[server(prefix = "/api", endpoint = "validation/invoice")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "get_validation", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, invoice_id = invoice_id)))]
pub async fn get_validation(invoice_id: i64) -> Result<InvoiceValidationView, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let check = crate::store::validation::validate_invoice(&mut tx, invoice_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.invoice_validation",
                &[check.invoice.organisation_id],
                serde_json::json!({ "id": invoice_id }),
            )
            .await?;
            Ok(check.into())
        }
        .await,
    )
}
