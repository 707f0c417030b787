//! Invoices and contracts: wire types and server fns.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::contract_year::{Projection, VolumeVerdict};
use crate::domain::invoice::InvoiceStatus;
use crate::domain::invoice_filter::InvoiceFilter;

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
    /// The whole account's amounts (every site), whatever the caller may see.
    pub net_pence: i64,
    pub vat_pence: i64,
    pub total_pence: i64,
    /// Net of the lines at the supply points the caller sees (and the site filtered on, if any).
    pub sites_net_pence: i64,
}

/// The invoices a filter keeps, and whether the caller sees only some of the account's sites (then
/// totals are labelled as the whole account's and the caller's sites' subtotal stands beside them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceList {
    pub invoices: Vec<InvoiceSummary>,
    pub filter: InvoiceFilter,
    pub limited_to_sites: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLineView {
    pub mpan_core: Option<String>,
    pub site_name: Option<String>,
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
    /// The caller sees only some sites: `lines` are theirs (and account-level ones).
    pub limited_to_sites: bool,
}

/// Lines of one supply point (or the account-level ones, `mpan_core: None`) and their subtotal.
#[derive(Debug, Clone, PartialEq)]
pub struct LineGroup {
    pub mpan_core: Option<String>,
    pub site_name: Option<String>,
    pub lines: Vec<InvoiceLineView>,
    pub subtotal_pence: i64,
}

impl LineGroup {
    /// A line's description under its supply point's heading: without the trailing
    /// " — MPAN …" that names the supply point again.
    pub fn label<'a>(&self, line: &'a InvoiceLineView) -> &'a str {
        match &self.mpan_core {
            Some(mpan) => line
                .description
                .strip_suffix(mpan.as_str())
                .and_then(|d| d.strip_suffix(" — MPAN "))
                .unwrap_or(&line.description),
            None => &line.description,
        }
    }
}

impl InvoiceDetail {
    /// Lines grouped by supply point in their order (supply points first, account-level last).
    pub fn groups(&self) -> Vec<LineGroup> {
        let mut out: Vec<LineGroup> = Vec::new();
        for l in &self.lines {
            match out.last_mut() {
                Some(g) if g.mpan_core == l.mpan_core => {
                    g.lines.push(l.clone());
                    g.subtotal_pence += l.amount_pence;
                }
                _ => out.push(LineGroup {
                    mpan_core: l.mpan_core.clone(),
                    site_name: l.site_name.clone(),
                    lines: vec![l.clone()],
                    subtotal_pence: l.amount_pence,
                }),
            }
        }
        out
    }

    /// Net of the lines shown that belong to a supply point (the caller's sites).
    pub fn sites_net_pence(&self) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.mpan_core.is_some())
            .map(|l| l.amount_pence)
            .sum()
    }

    /// Net of the account-level lines shown (no supply point).
    pub fn account_level_pence(&self) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.mpan_core.is_none())
            .map(|l| l.amount_pence)
            .sum()
    }
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
    /// When the unit rates apply: the contract's term (the rates carry no dates of their own).
    pub rates_valid: String,
    pub standing_charge: String,
    pub capacity_charge: String,
    pub excess_capacity_charge: String,
    pub reactive_charge: String,
    pub annual_volume_kwh: i64,
    pub volume_tolerance_percent: String,
    pub supply_points: Vec<String>,
    pub supply_points_total: i64,
    /// Days from today to the end of the term (negative once it has ended).
    pub days_to_renewal: i64,
    pub usage: UsageView,
}

/// Volume and demand of the contract's supply points the caller sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageView {
    pub year_start: String,
    /// The contract year's last day.
    pub year_end: String,
    pub data_until: Option<String>,
    pub consumed_kwh: i64,
    pub projected_kwh: i64,
    pub projection: Projection,
    pub last_12_months_kwh: i64,
    /// The tolerance band and where the projection stands; `None` when the caller sees only some
    /// of the contract's supply points (the contracted volume is the whole contract's).
    pub band_kwh: Option<(i64, i64)>,
    pub verdict: Option<VolumeVerdict>,
    pub points_in_view: usize,
    pub demand: Vec<PointDemandView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointDemandView {
    pub mpan_core: String,
    pub site_name: String,
    pub agreed_kva: i32,
    pub months: Vec<MonthDemandView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthDemandView {
    /// "Jan 2026".
    pub month: String,
    /// Whole kVA, rounded.
    pub kva: i64,
    /// When, in UK time: "12 Jan 17:30".
    pub at: String,
    pub over_capacity: bool,
}

impl PointDemandView {
    /// The highest month (the earliest on a tie).
    pub fn peak(&self) -> Option<&MonthDemandView> {
        self.months
            .iter()
            .fold(None, |best: Option<&MonthDemandView>, m| match best {
                Some(b) if b.kva >= m.kva => Some(b),
                _ => Some(m),
            })
    }

    pub fn months_over(&self) -> usize {
        self.months.iter().filter(|m| m.over_capacity).count()
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::NaiveDate;
    use chrono_tz::Europe::London;

    use super::*;
    use crate::domain::contract_year::{
        days_until, parse_percent_hundredths, project, tolerance_band_wh, verdict,
    };
    use crate::domain::invoice_filter::InvoiceFilterInput;
    use crate::store::billing::{ContractRecord, InvoiceLineRecord, InvoiceRecord, InvoiceRow};
    use crate::store::contract_usage::ContractUsage;
    use crate::store::scope::ScopedTx;

    pub fn day(d: NaiveDate) -> String {
        d.format("%d %b %Y").to_string()
    }

    impl From<InvoiceRow> for InvoiceSummary {
        fn from(i: InvoiceRow) -> Self {
            InvoiceSummary {
                id: i.id,
                number: i.invoice_number,
                customer: i.customer,
                account_number: i.account_number,
                period_start: day(i.period_start),
                period_end: day(i.period_end),
                issued_on: day(i.issued_on),
                due_on: day(i.due_on),
                status: i.status,
                net_pence: i.net_pence,
                vat_pence: i.vat_pence,
                total_pence: i.total_pence,
                sites_net_pence: i.sites_net_pence,
            }
        }
    }

    impl From<InvoiceLineRecord> for InvoiceLineView {
        fn from(l: InvoiceLineRecord) -> Self {
            InvoiceLineView {
                mpan_core: l.mpan_core,
                site_name: l.site_name,
                charge_type: l.charge_type,
                description: l.description,
                quantity: l.quantity,
                unit: l.unit,
                rate_pence: l.rate_pence,
                amount_pence: l.amount_pence,
            }
        }
    }

    /// The invoice and the lines the scope shows, as the page, the PDF and the API show them.
    pub fn detail(
        invoice: InvoiceRecord,
        lines: Vec<InvoiceLineRecord>,
        limited_to_sites: bool,
    ) -> InvoiceDetail {
        let mut d = InvoiceDetail {
            invoice: InvoiceSummary {
                id: invoice.id,
                number: invoice.invoice_number,
                customer: invoice.customer,
                account_number: invoice.account_number,
                period_start: invoice.period_start,
                period_end: invoice.period_end,
                issued_on: invoice.issued_on,
                due_on: invoice.due_on,
                status: invoice.status,
                net_pence: invoice.net_pence,
                vat_pence: invoice.vat_pence,
                total_pence: invoice.total_pence,
                sites_net_pence: 0,
            },
            lines: lines.into_iter().map(InvoiceLineView::from).collect(),
            limited_to_sites,
        };
        d.invoice.sites_net_pence = d.sites_net_pence();
        d
    }

    /// The filter from a form's fields: 400 with the field's message when malformed, 404 when it
    /// names a site outside the scope (another tenant's site is not disclosed).
    pub async fn checked_filter(
        tx: &mut ScopedTx<'_>,
        input: &InvoiceFilterInput,
    ) -> Result<InvoiceFilter, ApiError> {
        let filter = input.parse().map_err(ApiError::BadRequest)?;
        if let Some(site) = filter.site_id {
            if !crate::store::billing::site_in_scope(tx, site).await? {
                return Err(ApiError::NotFound);
            }
        }
        Ok(filter)
    }

    /// Today in the UK.
    pub fn today() -> NaiveDate {
        chrono::Utc::now().with_timezone(&London).date_naive()
    }

    pub fn contract_view(c: ContractRecord, u: ContractUsage, today: NaiveDate) -> ContractView {
        let (projected_wh, projection) = project(u.to_date);
        let whole_contract = i64::try_from(u.points_in_view).unwrap_or(i64::MAX) >= c.supply_points_total;
        let band = parse_percent_hundredths(&c.volume_tolerance_percent)
            .map(|t| tolerance_band_wh(c.annual_volume_kwh, t))
            .filter(|_| whole_contract && u.data_until.is_some());
        let kwh = |wh: i64| (wh + 500).div_euclid(1000);
        let demand = u
            .demand
            .into_iter()
            .map(|p| PointDemandView {
                mpan_core: p.point.mpan_core,
                site_name: p.point.site_name,
                agreed_kva: p.point.agreed_capacity_kva,
                months: p
                    .months
                    .into_iter()
                    .map(|(m, md)| MonthDemandView {
                        month: m.format("%b %Y").to_string(),
                        kva: md.kva.round() as i64,
                        at: md.at.with_timezone(&London).format("%-d %b %H:%M").to_string(),
                        over_capacity: md.kva > f64::from(p.point.agreed_capacity_kva),
                    })
                    .collect(),
            })
            .collect();
        let term = format!("{} to {}", day(c.starts_on), day(c.ends_on));
        ContractView {
            id: c.id,
            reference: c.reference,
            customer: c.customer,
            starts_on: day(c.starts_on),
            ends_on: day(c.ends_on),
            rate_structure: c.rate_structure,
            rates: c.rate_names.into_iter().zip(c.rate_pence).collect(),
            rates_valid: format!("{term} (the contract term)"),
            standing_charge: c.standing_charge,
            capacity_charge: c.capacity_charge,
            excess_capacity_charge: c.excess_capacity_charge,
            reactive_charge: c.reactive_charge,
            annual_volume_kwh: c.annual_volume_kwh,
            volume_tolerance_percent: c.volume_tolerance_percent,
            supply_points: c.supply_points,
            supply_points_total: c.supply_points_total,
            days_to_renewal: days_until(c.ends_on, today),
            usage: UsageView {
                year_start: day(u.year.0),
                year_end: day(u.year.1.pred_opt().unwrap_or(u.year.1)),
                data_until: u.data_until.map(day),
                consumed_kwh: kwh(u.to_date.consumed_wh),
                projected_kwh: kwh(projected_wh),
                projection,
                last_12_months_kwh: kwh(u.last_12_months_wh),
                band_kwh: band.map(|(lo, hi)| (kwh(lo), kwh(hi))),
                verdict: band.map(|b| verdict(projected_wh, b)),
                points_in_view: u.points_in_view,
                demand,
            },
        }
    }
}

/// Invoices in scope, filtered by status, billing period and site (the page's GET form fields).
#[server(prefix = "/api", endpoint = "invoices/list")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "list_invoices", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn list_invoices(
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    site: Option<String>,
) -> Result<InvoiceList, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let input = crate::domain::invoice_filter::InvoiceFilterInput {
                status,
                from,
                to,
                site,
            };
            let filter = ssr::checked_filter(&mut tx, &input).await?;
            let invoices = crate::store::billing::invoices(&mut tx, &filter).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.invoices",
                &orgs,
                serde_json::json!({ "filter": filter.to_query() }),
            )
            .await?;
            Ok(InvoiceList {
                invoices: invoices.into_iter().map(InvoiceSummary::from).collect(),
                filter,
                limited_to_sites: who.scope.site_ids().is_some(),
            })
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
            Ok(ssr::detail(invoice, lines, who.scope.site_ids().is_some()))
        }
        .await,
    )
}

/// Contracts in scope with their usage this contract year and maximum demand per supply point.
#[server(prefix = "/api", endpoint = "contracts/list")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "list_contracts", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn list_contracts() -> Result<Vec<ContractView>, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let contracts = crate::store::billing::contracts(&mut tx).await?;
            let today = ssr::today();
            let mut views = Vec::with_capacity(contracts.len());
            for c in contracts {
                let usage =
                    crate::store::contract_usage::usage(&mut tx, c.id, c.starts_on, c.ends_on, today).await?;
                views.push(ssr::contract_view(c, usage, today));
            }
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.contracts", &orgs, serde_json::json!({})).await?;
            Ok(views)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(mpan: Option<&str>, description: &str, pence: i64) -> InvoiceLineView {
        InvoiceLineView {
            mpan_core: mpan.map(str::to_owned),
            site_name: mpan.map(|_| "Works".to_owned()),
            charge_type: "energy".into(),
            description: description.into(),
            quantity: "1.000".into(),
            unit: "kWh".into(),
            rate_pence: "1.00000".into(),
            amount_pence: pence,
        }
    }

    #[test]
    fn lines_group_by_supply_point_with_subtotals_and_short_labels() {
        let summary = InvoiceSummary {
            id: 1,
            number: "INV-1".into(),
            customer: "C".into(),
            account_number: "A".into(),
            period_start: String::new(),
            period_end: String::new(),
            issued_on: String::new(),
            due_on: String::new(),
            status: InvoiceStatus::Paid,
            net_pence: 1000,
            vat_pence: 200,
            total_pence: 1200,
            sites_net_pence: 0,
        };
        let d = InvoiceDetail {
            invoice: summary,
            lines: vec![
                line(
                    Some("1012345678903"),
                    "Energy, red rate — MPAN 1012345678903",
                    100,
                ),
                line(
                    Some("1012345678903"),
                    "Standing charge, 28 days — MPAN 1012345678903",
                    50,
                ),
                line(
                    Some("2012345678901"),
                    "Energy, single rate — MPAN 2012345678901",
                    7,
                ),
                line(None, "Account fee — MPAN of nothing", 3),
            ],
            limited_to_sites: true,
        };
        let groups = d.groups();
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].subtotal_pence, 150);
        assert_eq!(groups[0].label(&groups[0].lines[0]), "Energy, red rate");
        assert_eq!(groups[1].subtotal_pence, 7);
        assert_eq!(groups[2].mpan_core, None);
        assert_eq!(
            groups[2].label(&groups[2].lines[0]),
            "Account fee — MPAN of nothing"
        );
        assert_eq!(d.sites_net_pence(), 157);
        assert_eq!(d.account_level_pence(), 3);
    }
}
