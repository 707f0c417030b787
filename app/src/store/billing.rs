//! Invoice and contract queries, scoped. A customer user limited to some sites sees invoice lines
//! of those sites' supply points only (account-level lines stay visible).
use chrono::NaiveDate;

use super::scope::ScopedTx;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::invoice_filter::InvoiceFilter;

/// An invoice with its customer's name; dates already formatted `DD Mon YYYY` by Postgres.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub invoice_number: String,
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

/// A line of an invoice; quantity and rate as Postgres prints their numerics. Lines without a
/// supply point (and so without a site) are account-level charges.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceLineRecord {
    pub mpan_core: Option<String>,
    pub site_name: Option<String>,
    pub charge_type: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub rate_pence: String,
    pub amount_pence: i64,
}

/// A contract with its rates (names and p/kWh, dearest first) and supply points.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractRecord {
    pub id: i64,
    pub reference: String,
    pub customer: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub rate_structure: String,
    pub standing_charge: String,
    pub capacity_charge: String,
    pub excess_capacity_charge: String,
    pub reactive_charge: String,
    pub annual_volume_kwh: i64,
    pub volume_tolerance_percent: String,
    pub rate_names: Vec<String>,
    pub rate_pence: Vec<String>,
    /// The contract's supply points the scope shows (a limited user: those at their sites).
    pub supply_points: Vec<String>,
    /// Every supply point the contract covers, shown or not.
    pub supply_points_total: i64,
}

/// An invoice of a filtered list, with what the caller's sites account for: `sites_net_pence` sums
/// the lines at supply points in the scope (and in the filter's site, if any); for a customer user
/// limited to some sites that is less than the invoice's net, which is the whole account's.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceRow {
    pub id: i64,
    pub organisation_id: i64,
    pub invoice_number: String,
    pub customer: String,
    pub account_number: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: InvoiceStatus,
    pub net_pence: i64,
    pub vat_pence: i64,
    pub total_pence: i64,
    pub sites_net_pence: i64,
}

/// A line of an invoice in a CSV of lines across invoices.
#[derive(Debug, Clone, PartialEq)]
pub struct LineExportRow {
    pub invoice_number: String,
    pub account_number: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: InvoiceStatus,
    pub mpan_core: Option<String>,
    pub site_name: Option<String>,
    pub charge_type: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub rate_pence: String,
    pub amount_pence: i64,
}

/// Invoices in scope that match `filter`, newest period first. The period filter keeps invoices
/// whose billing period overlaps `[from, to]`; the site filter, those with a line at the site.
#[tracing::instrument(level = "debug", skip_all, fields(filter = ?filter))]
pub async fn invoices(tx: &mut ScopedTx<'_>, filter: &InvoiceFilter) -> Result<Vec<InvoiceRow>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        InvoiceRow,
        r#"SELECT i.id, i.organisation_id, i.invoice_number, o.name AS customer, i.account_number,
                  i.period_start, i.period_end, i.issued_on, i.due_on,
                  i.status AS "status: InvoiceStatus", i.net_pence, i.vat_pence, i.total_pence,
                  coalesce((SELECT sum(l.amount_pence) FROM invoice_lines l
                            JOIN supply_points sp ON sp.id = l.supply_point_id
                            WHERE l.invoice_id = i.id AND l.organisation_id = ANY($1)
                              AND ($2::bigint[] IS NULL OR sp.site_id = ANY($2))
                              AND ($6::bigint IS NULL OR sp.site_id = $6)), 0)::bigint AS "sites_net_pence!"
           FROM invoices i JOIN organisations o ON o.id = i.organisation_id
           WHERE i.organisation_id = ANY($1)
             AND ($3::text IS NULL OR i.status = $3)
             AND ($4::date IS NULL OR i.period_end >= $4)
             AND ($5::date IS NULL OR i.period_start <= $5)
             AND ($6::bigint IS NULL OR EXISTS (
                   SELECT 1 FROM invoice_lines l JOIN supply_points sp ON sp.id = l.supply_point_id
                   WHERE l.invoice_id = i.id AND l.organisation_id = ANY($1) AND sp.site_id = $6
                     AND ($2::bigint[] IS NULL OR sp.site_id = ANY($2))))
           ORDER BY i.period_start DESC, o.name, i.invoice_number"#,
        &orgs,
        sites.as_deref(),
        filter.status_name(),
        filter.from,
        filter.to,
        filter.site_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// The lines of the invoices `filter` keeps that the scope shows (a limited user: their sites'
/// lines and account-level ones; with a site filter: that site's lines only).
#[tracing::instrument(level = "debug", skip_all, fields(filter = ?filter))]
pub async fn lines_for_export(
    tx: &mut ScopedTx<'_>,
    filter: &InvoiceFilter,
) -> Result<Vec<LineExportRow>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        LineExportRow,
        r#"SELECT i.invoice_number, i.account_number, i.period_start, i.period_end,
                  i.status AS "status: InvoiceStatus", sp.mpan_core AS "mpan_core?", s.name AS "site_name?",
                  l.charge_type, l.description, l.quantity::text AS "quantity!", l.unit,
                  l.rate_pence::text AS "rate_pence!", l.amount_pence
           FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
           LEFT JOIN supply_points sp ON sp.id = l.supply_point_id
           LEFT JOIN sites s ON s.id = sp.site_id
           WHERE i.organisation_id = ANY($1) AND l.organisation_id = ANY($1)
             AND ($2::bigint[] IS NULL OR l.supply_point_id IS NULL OR sp.site_id = ANY($2))
             AND ($3::text IS NULL OR i.status = $3)
             AND ($4::date IS NULL OR i.period_end >= $4)
             AND ($5::date IS NULL OR i.period_start <= $5)
             AND ($6::bigint IS NULL OR sp.site_id = $6)
           ORDER BY i.period_start DESC, i.invoice_number, sp.mpan_core NULLS LAST, l.id"#,
        &orgs,
        sites.as_deref(),
        filter.status_name(),
        filter.from,
        filter.to,
        filter.site_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Whether a site is in the scope (a filter naming any other site is answered 404).
#[tracing::instrument(level = "debug", skip_all, fields(site_id = site_id))]
pub async fn site_in_scope(tx: &mut ScopedTx<'_>, site_id: i64) -> Result<bool, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM sites WHERE id = $1 AND organisation_id = ANY($2)
                          AND ($3::bigint[] IS NULL OR id = ANY($3))) AS "exists!""#,
        site_id,
        &orgs,
        sites.as_deref()
    )
    .fetch_one(&mut **tx)
    .await
}

/// One invoice and the lines the scope shows; `None` when it is not in scope.
#[tracing::instrument(level = "debug", skip_all, fields(invoice_id = id))]
pub async fn invoice(
    tx: &mut ScopedTx<'_>,
    id: i64,
) -> Result<Option<(InvoiceRecord, Vec<InvoiceLineRecord>)>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let Some(invoice) = sqlx::query_as!(
        InvoiceRecord,
        r#"SELECT i.id, i.organisation_id, i.invoice_number, o.name AS customer, i.account_number,
                  to_char(i.period_start, 'DD Mon YYYY') AS "period_start!",
                  to_char(i.period_end, 'DD Mon YYYY') AS "period_end!",
                  to_char(i.issued_on, 'DD Mon YYYY') AS "issued_on!",
                  to_char(i.due_on, 'DD Mon YYYY') AS "due_on!",
                  i.status AS "status: InvoiceStatus", i.net_pence, i.vat_pence, i.total_pence
           FROM invoices i JOIN organisations o ON o.id = i.organisation_id
           WHERE i.id = $1 AND i.organisation_id = ANY($2)"#,
        id,
        &orgs
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let lines = sqlx::query_as!(
        InvoiceLineRecord,
        r#"SELECT sp.mpan_core AS "mpan_core?", s.name AS "site_name?", l.charge_type, l.description,
                  l.quantity::text AS "quantity!", l.unit, l.rate_pence::text AS "rate_pence!", l.amount_pence
           FROM invoice_lines l LEFT JOIN supply_points sp ON sp.id = l.supply_point_id
           LEFT JOIN sites s ON s.id = sp.site_id
           WHERE l.invoice_id = $1 AND l.organisation_id = ANY($2)
             AND ($3::bigint[] IS NULL OR l.supply_point_id IS NULL OR sp.site_id = ANY($3))
           ORDER BY sp.mpan_core NULLS LAST, l.id"#,
        id,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some((invoice, lines)))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn contracts(tx: &mut ScopedTx<'_>) -> Result<Vec<ContractRecord>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        ContractRecord,
        r#"SELECT c.id, c.reference, o.name AS customer,
                  c.starts_on, c.ends_on, c.rate_structure,
                  c.standing_charge_p_per_day::text AS "standing_charge!",
                  c.capacity_charge_p_per_kva_day::text AS "capacity_charge!",
                  c.excess_capacity_p_per_kva_day::text AS "excess_capacity_charge!",
                  c.reactive_p_per_kvarh::text AS "reactive_charge!",
                  c.annual_volume_kwh,
                  c.volume_tolerance_percent::text AS "volume_tolerance_percent!",
                  coalesce((SELECT array_agg(r.rate_name ORDER BY r.p_per_kwh DESC, r.rate_name)
                            FROM contract_rates r WHERE r.contract_id = c.id), '{}') AS "rate_names!",
                  coalesce((SELECT array_agg(r.p_per_kwh::text ORDER BY r.p_per_kwh DESC, r.rate_name)
                            FROM contract_rates r WHERE r.contract_id = c.id), '{}') AS "rate_pence!",
                  coalesce((SELECT array_agg(sp.mpan_core ORDER BY sp.mpan_core)
                            FROM contract_supply_points cs JOIN supply_points sp ON sp.id = cs.supply_point_id
                            WHERE cs.contract_id = c.id AND ($2::bigint[] IS NULL OR sp.site_id = ANY($2))),
                           '{}') AS "supply_points!",
                  (SELECT count(*) FROM contract_supply_points cs WHERE cs.contract_id = c.id) AS "supply_points_total!"
           FROM contracts c JOIN organisations o ON o.id = c.organisation_id
           WHERE c.organisation_id = ANY($1) ORDER BY o.name, c.starts_on DESC"#,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await
}
