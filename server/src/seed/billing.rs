//! Demo contracts and monthly invoices. Invoices are billed by the shadow-bill engine
//! (`app::domain::billing`, fed by `app::store::validation`), as the supplier's billing system
//! would bill them: from the contract, the dated regulated rates and the HH data at the best run.
//! One invoice is deliberately mis-billed for bill validation to find: February 2026 at the cold
//! store, with 31 days of standing charge in a 28-day month and red-band kWh 12 % high.
use app::domain::billing::money::quantity_decimal;
use app::domain::billing::{line_amount, BillingPeriod, ChargeType, ShadowLine};
use app::domain::duos::{BandTable, DayType};
use app::domain::units::Pence;
use app::store::analytics::next_month;
use app::store::scope::Scope;
use app::store::validation::{reference, shadow_for_contract};
use chrono::{Datelike, NaiveDate, TimeDelta};
use sqlx::PgPool;

struct ContractSpec {
    organisation: &'static str,
    reference: &'static str,
    structure: &'static str,
    rates: &'static [(&'static str, &'static str)],
    standing: &'static str,
    capacity: &'static str,
    excess: &'static str,
    reactive: &'static str,
    annual_kwh: i64,
}

const CONTRACTS: &[ContractSpec] = &[
    ContractSpec {
        organisation: "Castlegate Group Ltd",
        reference: "CG-2025-HH-01",
        structure: "banded",
        rates: &[("red", "38.4120"), ("amber", "26.9050"), ("green", "21.3380")],
        standing: "185.0000",
        capacity: "4.1200",
        excess: "8.2400",
        reactive: "0.3100",
        annual_kwh: 8_400_000,
    },
    ContractSpec {
        organisation: "Riverside Leisure Ltd",
        reference: "RL-2025-HH-01",
        structure: "flat",
        rates: &[("all", "24.8800")],
        standing: "120.0000",
        capacity: "3.9500",
        excess: "7.9000",
        reactive: "0.2900",
        annual_kwh: 1_900_000,
    },
];

pub async fn seed_duos_bands(db: &PgPool) -> Result<(), sqlx::Error> {
    for r in BandTable::example_2025().rules {
        sqlx::query!(
            "INSERT INTO duos_band_rules (distributor_id, valid_from, valid_to, day_type, band, start_time, end_time)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            i16::from(r.distributor_id),
            r.valid_from,
            r.valid_to,
            if r.day_type == DayType::Weekend { "weekend" } else { "weekday" },
            r.band.as_str().to_lowercase(),
            r.start,
            r.end
        )
        .execute(db)
        .await?;
    }
    Ok(())
}

/// Creates the contracts and monthly invoices (Sep 2025 – Oct 2026) that are not there yet.
pub async fn seed_billing(db: &PgPool) -> anyhow::Result<usize> {
    let mut created = 0;
    for spec in CONTRACTS {
        let org = sqlx::query!(
            "SELECT id, account_number FROM organisations WHERE name = $1",
            spec.organisation
        )
        .fetch_one(db)
        .await?;
        let (org_id, account) = (org.id, org.account_number);
        let contract_id: i64 = sqlx::query_scalar!(
            "INSERT INTO contracts (organisation_id, reference, starts_on, ends_on, rate_structure,
                 standing_charge_p_per_day, capacity_charge_p_per_kva_day, excess_capacity_p_per_kva_day,
                 reactive_p_per_kvarh, vat_rate_percent, annual_volume_kwh,
                 volume_tolerance_percent, third_party_costs)
             VALUES ($1, $2, '2025-04-01', '2027-03-31', $3, $4::text::numeric, $5::text::numeric, $6::text::numeric, $7::text::numeric,
                     20, $8, 10, 'pass_through')
             ON CONFLICT (reference) DO UPDATE SET reference = EXCLUDED.reference RETURNING id",
            org_id,
            spec.reference,
            spec.structure,
            spec.standing,
            spec.capacity,
            spec.excess,
            spec.reactive,
            spec.annual_kwh
        )
        .fetch_one(db)
        .await?;
        for (name, r) in spec.rates {
            sqlx::query!(
                "INSERT INTO contract_rates (contract_id, organisation_id, rate_name, p_per_kwh)
                 VALUES ($1, $2, $3, $4::text::numeric) ON CONFLICT DO NOTHING",
                contract_id,
                org_id,
                name,
                r
            )
            .execute(db)
            .await?;
        }
        sqlx::query!(
            "INSERT INTO contract_supply_points (contract_id, supply_point_id, organisation_id)
             SELECT $1, id, organisation_id FROM supply_points WHERE organisation_id = $2 ON CONFLICT DO NOTHING",
            contract_id,
            org_id
        )
        .execute(db)
        .await?;

        let scope = Scope::organisations(vec![org_id]);
        let mut tx = scope.begin(db).await?;
        let reference = reference(&mut tx).await?;
        let cold_store: Option<i64> = sqlx::query_scalar!(
            "SELECT sp.id FROM supply_points sp JOIN sites s ON s.id = sp.site_id
             WHERE sp.organisation_id = $1 AND s.name LIKE '%Cold Store%' ORDER BY sp.id LIMIT 1",
            org_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        drop(tx);
        let mut month = NaiveDate::from_ymd_opt(2025, 9, 1).expect("date");
        let last = NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
        while month <= last {
            let number = format!("INV-{}-{}", account, month.format("%Y%m"));
            let exists: bool = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM invoices WHERE invoice_number = $1) AS "exists!""#,
                &number
            )
            .fetch_one(db)
            .await?;
            if !exists {
                let period = BillingPeriod {
                    first_day: month,
                    last_day: next_month(month) - TimeDelta::days(1),
                };
                let mut tx = scope.begin(db).await?;
                let bill = shadow_for_contract(&mut tx, contract_id, period, &reference)
                    .await?
                    .map_err(|why| anyhow::anyhow!("cannot bill {number}: {why}"))?;
                drop(tx);
                let mut lines = bill.lines;
                let mis_billed =
                    spec.structure == "banded" && month == NaiveDate::from_ymd_opt(2026, 2, 1).expect("date");
                if mis_billed {
                    if let Some(sp) = cold_store {
                        mis_bill(&mut lines, sp);
                    }
                }
                let net: Pence = lines.iter().map(|l| l.amount).sum();
                let vat = bill.vat_rate.on(net);
                insert_invoice(
                    db,
                    org_id,
                    contract_id,
                    &account,
                    &number,
                    period,
                    &lines,
                    net,
                    vat,
                )
                .await?;
                created += 1;
            }
            month = next_month(month);
        }
    }
    Ok(created)
}

/// The demo's mistake on one supply point: 31 days of standing charge whatever the month, and
/// red-band kWh overstated by 12 %.
fn mis_bill(lines: &mut [ShadowLine], supply_point_id: i64) {
    for l in lines
        .iter_mut()
        .filter(|l| l.supply_point_id == Some(supply_point_id))
    {
        match (l.charge_type, l.component.as_str()) {
            (ChargeType::StandingCharge, _) => {
                l.quantity_milli = 31_000;
                l.description = format!(
                    "Standing charge, 31 days — MPAN {}",
                    l.mpan_core.as_deref().unwrap_or("")
                );
            }
            (ChargeType::Energy, "red") => l.quantity_milli = l.quantity_milli * 112 / 100,
            _ => continue,
        }
        l.amount = line_amount(l.quantity_milli, l.rate);
    }
}

/// Inserts an invoice with its lines (status by month as the demo has them: the last month issued,
/// the one before overdue, the rest paid). The validation benchmark bills with it too.
#[allow(clippy::too_many_arguments)]
pub async fn insert_invoice(
    db: &PgPool,
    org_id: i64,
    contract_id: i64,
    account: &str,
    number: &str,
    period: BillingPeriod,
    lines: &[ShadowLine],
    net: Pence,
    vat: Pence,
) -> Result<(), sqlx::Error> {
    let issued = period.last_day + TimeDelta::days(8);
    let due = issued + TimeDelta::days(30);
    let status = match (period.first_day.year(), period.first_day.month()) {
        (2026, 10) => "issued",
        (2026, 9) => "overdue",
        _ => "paid",
    };
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar!(
        "INSERT INTO invoices (organisation_id, contract_id, invoice_number, account_number, period_start, period_end,
             issued_on, due_on, status, net_pence, vat_pence, total_pence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        org_id,
        contract_id,
        number,
        account,
        period.first_day,
        period.last_day,
        issued,
        due,
        status,
        net.0,
        vat.0,
        net.0 + vat.0
    )
    .fetch_one(&mut *tx)
    .await?;
    for l in lines {
        sqlx::query!(
            "INSERT INTO invoice_lines (invoice_id, organisation_id, supply_point_id, charge_type, component, description,
                 quantity, unit, rate_pence, amount_pence)
             VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7::text::numeric, $8, $9::text::numeric, $10)",
            id,
            org_id,
            l.supply_point_id,
            l.charge_type.as_str(),
            &l.component,
            &l.description,
            quantity_decimal(l.quantity_milli),
            &l.unit,
            l.rate.to_decimal(),
            l.amount.0
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
