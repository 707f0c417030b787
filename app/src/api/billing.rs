//! Invoices and contracts: wire types and server fns.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

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
    pub status: String,
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

#[server(prefix = "/api", endpoint = "invoices/list")]
pub async fn list_invoices() -> Result<Vec<InvoiceSummary>, ApiError> {
    super::respond(
        async {
            let (state, scope) = super::caller().await?;
            let mut tx = scope.begin(&state.db).await?;
            Ok(crate::store::billing::invoices(&mut tx).await?)
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "invoices/detail")]
pub async fn get_invoice(invoice_id: i64) -> Result<InvoiceDetail, ApiError> {
    super::respond(
        async {
            let (state, scope) = super::caller().await?;
            let mut tx = scope.begin(&state.db).await?;
            crate::store::billing::invoice(&mut tx, invoice_id)
                .await?
                .ok_or(ApiError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "contracts/list")]
pub async fn list_contracts() -> Result<Vec<ContractView>, ApiError> {
    super::respond(
        async {
            let (state, scope) = super::caller().await?;
            let mut tx = scope.begin(&state.db).await?;
            Ok(crate::store::billing::contracts(&mut tx).await?)
        }
        .await,
    )
}
