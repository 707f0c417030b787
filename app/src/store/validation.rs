//! Reads what bill validation needs, scoped: the invoice and the lines the caller may see, the
//! contract in force, its supply points with their half-hourly data at the best run per day, the
//! DUoS band table and the dated regulated rates. The arithmetic is the domain's
//! (`domain::billing`). A customer user restricted to some sites gets the check of those sites'
//! lines only.
use chrono::NaiveDate;

use super::analytics::band_table;
use super::meter_days::meter_days;
use super::scope::ScopedTx;
use crate::domain::billing::money::{parse_quantity, BadRate};
use crate::domain::billing::{
    shadow_bill as build_shadow_bill, validate, BilledLine, BilledTotals, BillingPeriod, DatedRate,
    LevyTreatment, NightHours, Rate, RateName, RateStructure, RegulatedKind, RegulatedRates, ShadowBill,
    SupplyData, Tariff, Tolerance, Validation, VatRate,
};
use crate::domain::duos::BandTable;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::settlement_run::RunChoice;
use crate::domain::units::Pence;

/// An invoice as validation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceHead {
    pub id: i64,
    pub organisation_id: i64,
    pub invoice_number: String,
    pub customer: String,
    pub contract_id: Option<i64>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: InvoiceStatus,
    pub net_pence: i64,
    pub vat_pence: i64,
    pub total_pence: i64,
    pub credits_invoice_id: Option<i64>,
}

/// The result of checking one invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceCheck {
    pub invoice: InvoiceHead,
    /// `None` when the invoice has no contract covering its period (it cannot be validated).
    pub shadow: Option<ShadowBill>,
    pub validation: Validation,
    /// Whether every line of the invoice was checked (false for a user restricted to some sites).
    pub whole_invoice: bool,
}

/// What the database holds that is the same for every invoice: bands and regulated rates.
pub struct Reference {
    pub bands: BandTable,
    pub regulated: RegulatedRates,
}

fn corrupt(e: BadRate) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// The DUoS bands and the regulated rates.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reference(tx: &mut ScopedTx<'_>) -> Result<Reference, sqlx::Error> {
    let bands = band_table(tx).await?;
    let rows = sqlx::query!(
        r#"SELECT kind, distributor_id, valid_from, valid_to, value::text AS "value!"
           FROM regulated_rates ORDER BY kind, valid_from"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut rates = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(kind) = RegulatedKind::parse(&r.kind) else {
            continue;
        };
        rates.push(DatedRate {
            kind,
            distributor_id: r.distributor_id.and_then(|d| u8::try_from(d).ok()),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            value: Rate::parse(&r.value).map_err(corrupt)?,
        });
    }
    Ok(Reference {
        bands,
        regulated: RegulatedRates { rates },
    })
}

/// Every invoice in scope, newest first.
async fn heads(tx: &mut ScopedTx<'_>, only: Option<i64>) -> Result<Vec<InvoiceHead>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        InvoiceHead,
        r#"SELECT i.id, i.organisation_id, i.invoice_number, o.name AS customer, i.contract_id,
                  i.period_start, i.period_end, i.status AS "status: InvoiceStatus",
                  i.net_pence, i.vat_pence, i.total_pence, i.credits_invoice_id
           FROM invoices i JOIN organisations o ON o.id = i.organisation_id
           WHERE i.organisation_id = ANY($1) AND ($2::bigint IS NULL OR i.id = $2)
           ORDER BY i.period_start DESC, o.name, i.invoice_number"#,
        &orgs,
        only
    )
    .fetch_all(&mut **tx)
    .await
}

/// The contract of an invoice as a tariff, when it covers the billing period.
pub async fn tariff(
    tx: &mut ScopedTx<'_>,
    contract_id: i64,
    period: BillingPeriod,
    regulated: &RegulatedRates,
) -> Result<Result<Tariff, String>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let Some(c) = sqlx::query!(
        r#"SELECT reference, starts_on, ends_on, rate_structure, levy_treatment, night_starts, night_ends,
                  standing_charge_p_per_day::text AS "standing!", capacity_charge_p_per_kva_day::text AS "capacity!",
                  excess_capacity_p_per_kva_day::text AS "excess!", reactive_p_per_kvarh::text AS "reactive!",
                  vat_rate_percent::text AS "vat!",
                  coalesce((SELECT array_agg(r.rate_name ORDER BY r.rate_name) FROM contract_rates r WHERE r.contract_id = c.id), '{}') AS "rate_names!",
                  coalesce((SELECT array_agg(r.p_per_kwh::text ORDER BY r.rate_name) FROM contract_rates r WHERE r.contract_id = c.id), '{}') AS "rate_values!"
           FROM contracts c WHERE c.id = $1 AND c.organisation_id = ANY($2)"#,
        contract_id,
        &orgs
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(Err("The invoice's contract is not on record.".into()));
    };
    if period.first_day < c.starts_on || period.last_day > c.ends_on {
        return Ok(Err(format!(
            "Contract {} runs {} to {}; it does not cover the whole billing period.",
            c.reference,
            c.starts_on.format("%-d %b %Y"),
            c.ends_on.format("%-d %b %Y")
        )));
    }
    let Some(structure) = RateStructure::parse(&c.rate_structure) else {
        return Ok(Err(format!(
            "Contract {} has an unknown rate structure.",
            c.reference
        )));
    };
    let mut unit_rates = Vec::new();
    for (name, value) in c.rate_names.iter().zip(&c.rate_values) {
        if let Some(n) = RateName::parse(name) {
            unit_rates.push((n, Rate::parse(value).map_err(corrupt)?));
        }
    }
    let levy = match c.levy_treatment.as_str() {
        "exempt" => LevyTreatment::Exempt,
        "cca" => match regulated.at(RegulatedKind::ClimateChangeAgreementPercent, 0, period.first_day) {
            Some(p) => LevyTreatment::ClimateChangeAgreement {
                percent_of_main: p.value.0 / 100_000,
            },
            None => {
                return Ok(Err(
                    "No climate change agreement rate is known for the period.".into()
                ))
            }
        },
        _ => LevyTreatment::Main,
    };
    Ok(Ok(Tariff {
        structure,
        unit_rates,
        night: NightHours {
            start: c.night_starts,
            end: c.night_ends,
        },
        standing_per_day: Rate::parse(&c.standing).map_err(corrupt)?,
        capacity_per_kva_day: Rate::parse(&c.capacity).map_err(corrupt)?,
        excess_per_kva_day: Rate::parse(&c.excess).map_err(corrupt)?,
        reactive_per_kvarh: Rate::parse(&c.reactive).map_err(corrupt)?,
        vat: VatRate::parse(&c.vat).map_err(corrupt)?,
        levy,
    }))
}

/// The invoice's lines the scope shows.
async fn billed_lines(tx: &mut ScopedTx<'_>, invoice_id: i64) -> Result<Vec<BilledLine>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let rows = sqlx::query!(
        r#"SELECT l.id, l.supply_point_id, sp.mpan_core AS "mpan_core?", l.charge_type, l.component,
                  l.description, l.quantity::text AS "quantity!", l.unit, l.rate_pence::text AS "rate!", l.amount_pence
           FROM invoice_lines l LEFT JOIN supply_points sp ON sp.id = l.supply_point_id
           WHERE l.invoice_id = $1 AND l.organisation_id = ANY($2)
             AND ($3::bigint[] IS NULL OR l.supply_point_id IS NULL OR sp.site_id = ANY($3))
           ORDER BY l.id"#,
        invoice_id,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(BilledLine {
                id: r.id,
                supply_point_id: r.supply_point_id,
                mpan_core: r.mpan_core,
                charge_type: r.charge_type,
                component: r.component,
                description: r.description,
                quantity_milli: parse_quantity(&r.quantity).map_err(corrupt)?,
                unit: r.unit,
                rate: Rate::parse(&r.rate).map_err(corrupt)?,
                amount: Pence(r.amount_pence),
            })
        })
        .collect()
}

/// The contract's supply points in scope, with their data for the period at the best run per day.
pub async fn supplies(
    tx: &mut ScopedTx<'_>,
    contract_id: i64,
    period: BillingPeriod,
) -> Result<Vec<SupplyData>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let points = sqlx::query!(
        r#"SELECT sp.id, sp.mpan_core, sp.distributor_id, sp.agreed_capacity_kva, sp.energised_from
           FROM contract_supply_points cs JOIN supply_points sp ON sp.id = cs.supply_point_id
           WHERE cs.contract_id = $1 AND cs.organisation_id = ANY($2)
             AND ($3::bigint[] IS NULL OR sp.site_id = ANY($3))
           ORDER BY sp.mpan_core"#,
        contract_id,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await?;
    let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
    let mut by_point = meter_days(tx, &ids, period.first_day, period.last_day, RunChoice::Best).await?;
    Ok(points
        .into_iter()
        .map(|p| {
            let days = by_point.remove(&p.id).unwrap_or_default();
            SupplyData {
                supply_point_id: p.id,
                mpan_core: p.mpan_core,
                distributor_id: u8::try_from(p.distributor_id).unwrap_or(0),
                agreed_kva: i64::from(p.agreed_capacity_kva),
                energised_from: p.energised_from,
                days,
            }
        })
        .collect())
}

/// The shadow bill of an invoice in scope, or why none can be made.
pub async fn shadow_for(
    tx: &mut ScopedTx<'_>,
    head: &InvoiceHead,
    reference: &Reference,
) -> Result<Result<ShadowBill, String>, sqlx::Error> {
    let period = BillingPeriod {
        first_day: head.period_start,
        last_day: head.period_end,
    };
    let Some(contract_id) = head.contract_id else {
        return Ok(Err("The invoice names no contract to check it against.".into()));
    };
    shadow_for_contract(tx, contract_id, period, reference).await
}

/// The shadow bill of a contract's supply points in scope for a billing period, or why none can
/// be made (the contract does not cover the period, …). Billing (the demo seeder) uses it too.
pub async fn shadow_for_contract(
    tx: &mut ScopedTx<'_>,
    contract_id: i64,
    period: BillingPeriod,
    reference: &Reference,
) -> Result<Result<ShadowBill, String>, sqlx::Error> {
    let tariff = match tariff(tx, contract_id, period, &reference.regulated).await? {
        Ok(t) => t,
        Err(why) => return Ok(Err(why)),
    };
    let supplies = supplies(tx, contract_id, period).await?;
    Ok(Ok(build_shadow_bill(
        period,
        &tariff,
        &supplies,
        &reference.bands,
        &reference.regulated,
    )))
}

/// The shadow bill of invoice `invoice_id` over every supply point the scope shows; `None` when
/// the invoice is not in scope or no contract covers it.
#[tracing::instrument(level = "debug", skip_all, fields(invoice_id = invoice_id))]
pub async fn shadow_bill(tx: &mut ScopedTx<'_>, invoice_id: i64) -> Result<Option<ShadowBill>, sqlx::Error> {
    let Some(head) = heads(tx, Some(invoice_id)).await?.pop() else {
        return Ok(None);
    };
    let reference = reference(tx).await?;
    Ok(shadow_for(tx, &head, &reference).await?.ok())
}

async fn check(
    tx: &mut ScopedTx<'_>,
    head: InvoiceHead,
    reference: &Reference,
) -> Result<InvoiceCheck, sqlx::Error> {
    let whole_invoice = tx.scope().site_ids().is_none();
    let billed = billed_lines(tx, head.id).await?;
    let shadow = shadow_for(tx, &head, reference).await?;
    let (shadow, validation) = match shadow {
        Ok(s) => {
            let totals = BilledTotals {
                net: Pence(head.net_pence),
                vat: Pence(head.vat_pence),
                vat_rate: s.vat_rate,
                whole_invoice,
            };
            let v = validate(&s, &billed, totals, Tolerance::default());
            (Some(s), v)
        }
        Err(why) => (None, Validation::cannot(why, Tolerance::default())),
    };
    Ok(InvoiceCheck {
        invoice: head,
        shadow,
        validation,
        whole_invoice,
    })
}

/// The check of one invoice in scope; `None` when it is not in scope.
#[tracing::instrument(level = "debug", skip_all, fields(invoice_id = invoice_id))]
pub async fn validate_invoice(
    tx: &mut ScopedTx<'_>,
    invoice_id: i64,
) -> Result<Option<InvoiceCheck>, sqlx::Error> {
    let Some(head) = heads(tx, Some(invoice_id)).await?.pop() else {
        return Ok(None);
    };
    let reference = reference(tx).await?;
    Ok(Some(check(tx, head, &reference).await?))
}

/// The check of every invoice in scope, newest first. Credit notes are not checked (they carry no
/// consumption of their own).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn validate_all(tx: &mut ScopedTx<'_>) -> Result<Vec<InvoiceCheck>, sqlx::Error> {
    let reference = reference(tx).await?;
    let mut out = Vec::new();
    for head in heads(tx, None).await? {
        if head.credits_invoice_id.is_some() {
            continue;
        }
        out.push(check(tx, head, &reference).await?);
    }
    Ok(out)
}
