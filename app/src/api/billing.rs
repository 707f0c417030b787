//! Invoices and contracts: wire types and server fns.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::invoice::InvoiceStatus;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub account_number: String,
    pub period_start: String,
    pub period_end: String,
    pub issued_on: String,
    pub due_on: String,
    pub status: InvoiceStatus,
    pub net_pence: i64,
    pub vat_pence: i64,
    pub total_pence: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLineView {
    pub mpan_core: Option<String>,
    pub charge_type: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub rate_pence: String,
    pub amount_pence: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    pub invoice: InvoiceSummary,
    pub lines: Vec<InvoiceLineView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractView {
    pub id: i64,
    pub reference: String,
    pub customer: String,
    pub starts_on: String,
    pub ends_on: String,
    pub rate_structure: String,
    pub rates: Vec<(String, String)>,
    pub standing_charge: String,
    pub capacity_charge: String,
    pub excess_capacity_charge: String,
    pub reactive_charge: String,
    pub annual_volume_kwh: i64,
    pub volume_tolerance_percent: String,
    pub supply_points: Vec<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::store::billing::{ContractRecord, InvoiceLineRecord, InvoiceRecord};

    impl From<InvoiceRecord> for InvoiceSummary {
        fn from(i: InvoiceRecord) -> Self {
            InvoiceSummary {
                id: i.id,
                number: i.invoice_number,
                customer: i.customer,
                account_number: i.account_number,
                period_start: i.period_start,
                period_end: i.period_end,
                issued_on: i.issued_on,
                due_on: i.due_on,
                status: i.status,
                net_pence: i.net_pence,
                vat_pence: i.vat_pence,
                total_pence: i.total_pence,
            }
        }
    }

    impl From<InvoiceLineRecord> for InvoiceLineView {
        fn from(l: InvoiceLineRecord) -> Self {
            InvoiceLineView {
                mpan_core: l.mpan_core,
                charge_type: l.charge_type,
                description: l.description,
                quantity: l.quantity,
                unit: l.unit,
                rate_pence: l.rate_pence,
                amount_pence: l.amount_pence,
            }
        }
    }

    impl From<ContractRecord> for ContractView {
        fn from(c: ContractRecord) -> Self {
            ContractView {
                id: c.id,
                reference: c.reference,
                customer: c.customer,
                starts_on: c.starts_on,
                ends_on: c.ends_on,
                rate_structure: c.rate_structure,
                rates: c.rate_names.into_iter().zip(c.rate_pence).collect(),
                standing_charge: c.standing_charge,
                capacity_charge: c.capacity_charge,
                excess_capacity_charge: c.excess_capacity_charge,
                reactive_charge: c.reactive_charge,
                annual_volume_kwh: c.annual_volume_kwh,
                volume_tolerance_percent: c.volume_tolerance_percent,
                supply_points: c.supply_points,
            }
        }
    }
}

#[server(prefix = "/api", endpoint = "invoices/list")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "list_invoices", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn list_invoices() -> Result<Vec<InvoiceSummary>, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let invoices = crate::store::billing::invoices(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.invoices", &orgs, serde_json::json!({})).await?;
            Ok(invoices.into_iter().map(InvoiceSummary::from).collect())
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "invoices/detail")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "get_invoice", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, invoice_id = invoice_id)))]
pub async fn get_invoice(invoice_id: i64) -> Result<InvoiceDetail, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let (invoice, lines) = crate::store::billing::invoice(&mut tx, invoice_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.invoice",
                &[invoice.organisation_id],
                serde_json::json!({ "id": invoice_id }),
            )
            .await?;
            Ok(InvoiceDetail {
                invoice: invoice.into(),
                lines: lines.into_iter().map(InvoiceLineView::from).collect(),
            })
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "contracts/list")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "list_contracts", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn list_contracts() -> Result<Vec<ContractView>, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let contracts = crate::store::billing::contracts(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.contracts", &orgs, serde_json::json!({})).await?;
            Ok(contracts.into_iter().map(ContractView::from).collect())
        }
        .await,
    )
}
