//! Demo contracts and monthly invoices. Invoice lines are computed from the HH data at the best
//! run and the contract's rates (money in integer pence; rates in 1/10,000 p), as a supplier's
//! billing system would. One invoice is deliberately mis-billed for bill validation to find.
use std::collections::BTreeMap;

use app::domain::duos::{Band, BandTable, DayType};
use app::domain::settlement_run::RunChoice;
use app::domain::units::{
    chargeable_reactive_kvarh, excess_capacity_kva, MaximumDemand, DEFAULT_REACTIVE_THRESHOLD,
};
use app::store::analytics::{half_hours, next_month};
use app::store::hh::SupplyPointRef;
use app::store::scope::Scope;
use chrono::{Datelike, NaiveDate, TimeDelta};
use sqlx::PgPool;

/// A rate in 1/10,000 of a penny (e.g. 24.5123 p/kWh = 245_123).
type RateE4 = i64;

fn rate(p: &str) -> RateE4 {
    let (i, f) = p.split_once('.').unwrap_or((p, ""));
    let f = format!("{f:0<4}");
    i.parse::<i64>().unwrap_or(0) * 10_000 + f[..4].parse::<i64>().unwrap_or(0)
}

fn rate_numeric(r: RateE4) -> String {
    format!("{}.{:04}", r / 10_000, r % 10_000)
}

/// Pence for `milli` thousandths of a unit at `r`, rounded half away from zero.
pub fn amount_pence(milli: i64, r: RateE4) -> i64 {
    let x = i128::from(milli) * i128::from(r);
    let d = 10_000_000i128;
    ((x + d / 2).div_euclid(d)) as i64
}

struct ContractSpec {
    organisation: &'static str,
    reference: &'static str,
    structure: &'static str,
    rates: &'static [(&'static str, &'static str)],
    standing: &'static str,
    capacity: &'static str,
    excess: &'static str,
    reactive: &'static str,
    ccl: &'static str,
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
        ccl: "0.7750",
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
        ccl: "0.7750",
        annual_kwh: 1_900_000,
    },
];

struct Line {
    supply_point_id: Option<i64>,
    charge_type: &'static str,
    description: String,
    quantity_milli: i64,
    unit: &'static str,
    rate: RateE4,
}

impl Line {
    fn amount(&self) -> i64 {
        amount_pence(self.quantity_milli, self.rate)
    }
}

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
                 reactive_p_per_kvarh, ccl_p_per_kwh, vat_rate_percent, annual_volume_kwh,
                 volume_tolerance_percent, third_party_costs)
             VALUES ($1, $2, '2025-04-01', '2027-03-31', $3, $4::text::numeric, $5::text::numeric, $6::text::numeric, $7::text::numeric,
                     $8::text::numeric, 20, $9, 10, 'pass_through')
             ON CONFLICT (reference) DO UPDATE SET reference = EXCLUDED.reference RETURNING id",
            org_id,
            spec.reference,
            spec.structure,
            spec.standing,
            spec.capacity,
            spec.excess,
            spec.reactive,
            spec.ccl,
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
        let points = app::store::hh::supply_points_in_scope(&mut tx).await?;
        let bands = app::store::analytics::band_table(&mut tx).await?;
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
                let mis_billed =
                    spec.structure == "banded" && month == NaiveDate::from_ymd_opt(2026, 2, 1).expect("date");
                let mut lines = Vec::new();
                for p in &points {
                    let mut tx = scope.begin(db).await?;
                    lines.extend(
                        supply_point_lines(
                            &mut tx,
                            p,
                            spec,
                            &bands,
                            month,
                            mis_billed && p.site_name.contains("Cold Store"),
                        )
                        .await?,
                    );
                }
                insert_invoice(db, org_id, contract_id, &account, &number, month, &lines).await?;
                created += 1;
            }
            month = next_month(month);
        }
    }
    Ok(created)
}

async fn supply_point_lines(
    tx: &mut app::store::scope::ScopedTx<'_>,
    p: &SupplyPointRef,
    spec: &ContractSpec,
    bands: &BandTable,
    month: NaiveDate,
    mis_billed: bool,
) -> Result<Vec<Line>, sqlx::Error> {
    let end = next_month(month);
    let days = (end - month).num_days();
    let hh = half_hours(tx, p.id, month, end, RunChoice::Best).await?;
    let dist = u8::try_from(p.distributor_id).unwrap_or(0);
    let mut by_band: BTreeMap<&'static str, i64> = BTreeMap::new();
    let mut reactive_milli = 0i64;
    for h in &hh {
        let wh = (h.kwh * 1000.0).round() as i64;
        let name = if spec.structure == "flat" {
            "all"
        } else {
            match bands.classify(dist, h.start) {
                Band::Red => "red",
                Band::Amber => "amber",
                Band::Green => "green",
            }
        };
        *by_band.entry(name).or_default() += wh;
        let kvarh = h.kvarh_import.max(h.kvarh_export);
        reactive_milli +=
            (chargeable_reactive_kvarh(kvarh, h.kwh, DEFAULT_REACTIVE_THRESHOLD) * 1000.0).round() as i64;
    }
    let md = MaximumDemand::from_half_hours(hh.iter().copied());
    let mpan = &p.mpan_core;
    let mut lines = Vec::new();
    for (name, r) in spec.rates {
        let mut wh = by_band.get(name).copied().unwrap_or(0);
        if mis_billed && *name == "red" {
            wh = wh * 112 / 100; // the mistake: red-band volume overstated by 12 %
        }
        lines.push(Line {
            supply_point_id: Some(p.id),
            charge_type: "energy",
            description: format!(
                "Energy, {} rate — MPAN {mpan}",
                if *name == "all" { "single" } else { name }
            ),
            quantity_milli: wh,
            unit: "kWh",
            rate: rate(r),
        });
    }
    let billed_days = if mis_billed { 31 } else { days }; // and the standing charge for 31 days in February
    lines.push(Line {
        supply_point_id: Some(p.id),
        charge_type: "standing_charge",
        description: format!("Standing charge, {billed_days} days — MPAN {mpan}"),
        quantity_milli: billed_days * 1000,
        unit: "day",
        rate: rate(spec.standing),
    });
    lines.push(Line {
        supply_point_id: Some(p.id),
        charge_type: "capacity",
        description: format!(
            "Capacity charge, {} kVA × {days} days — MPAN {mpan}",
            p.agreed_capacity_kva
        ),
        quantity_milli: i64::from(p.agreed_capacity_kva) * days * 1000,
        unit: "kVA·day",
        rate: rate(spec.capacity),
    });
    if let Some(md) = md {
        let excess = excess_capacity_kva(md.kva, f64::from(p.agreed_capacity_kva)).ceil() as i64;
        if excess > 0 {
            lines.push(Line {
                supply_point_id: Some(p.id),
                charge_type: "excess_capacity",
                description: format!(
                    "Excess capacity: maximum demand {:.0} kVA on {} over {} kVA agreed — MPAN {mpan}",
                    md.kva,
                    md.at
                        .with_timezone(&chrono_tz::Europe::London)
                        .format("%-d %b %H:%M"),
                    p.agreed_capacity_kva
                ),
                quantity_milli: excess * days * 1000,
                unit: "kVA·day",
                rate: rate(spec.excess),
            });
        }
    }
    if reactive_milli > 0 {
        lines.push(Line {
            supply_point_id: Some(p.id),
            charge_type: "reactive_power",
            description: format!("Reactive power above 0.95 power factor — MPAN {mpan}"),
            quantity_milli: reactive_milli,
            unit: "kVArh",
            rate: rate(spec.reactive),
        });
    }
    let total_kwh_milli: i64 = by_band.values().sum();
    lines.push(Line {
        supply_point_id: Some(p.id),
        charge_type: "ccl",
        description: format!("Climate Change Levy — MPAN {mpan}"),
        quantity_milli: total_kwh_milli,
        unit: "kWh",
        rate: rate(spec.ccl),
    });
    Ok(lines)
}

async fn insert_invoice(
    db: &PgPool,
    org_id: i64,
    contract_id: i64,
    account: &str,
    number: &str,
    month: NaiveDate,
    lines: &[Line],
) -> Result<(), sqlx::Error> {
    let net: i64 = lines.iter().map(Line::amount).sum();
    let vat = amount_pence(net * 1000, rate("0.2000"));
    let period_end = next_month(month) - TimeDelta::days(1);
    let issued = next_month(month) + TimeDelta::days(7);
    let due = issued + TimeDelta::days(30);
    let status = match (month.year(), month.month()) {
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
        month,
        period_end,
        issued,
        due,
        status,
        net,
        vat,
        net + vat
    )
    .fetch_one(&mut *tx)
    .await?;
    for l in lines {
        sqlx::query!(
            "INSERT INTO invoice_lines (invoice_id, organisation_id, supply_point_id, charge_type, description,
                 quantity, unit, rate_pence, amount_pence)
             VALUES ($1, $2, $3, $4, $5, $6::int8::numeric / 1000, $7, $8::text::numeric, $9)",
            id,
            org_id,
            l.supply_point_id,
            l.charge_type,
            &l.description,
            l.quantity_milli,
            l.unit,
            rate_numeric(l.rate),
            l.amount()
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_exact_fixed_point() {
        assert_eq!(rate("38.4120"), 384_120);
        assert_eq!(rate("0.775"), 7_750);
        assert_eq!(rate("185"), 1_850_000);
        assert_eq!(rate_numeric(384_120), "38.4120");
    }

    #[test]
    fn amounts_round_half_up_to_the_penny() {
        // 1,234.567 kWh at 21.3380 p/kWh = 26,343.39... p
        assert_eq!(amount_pence(1_234_567, rate("21.3380")), 26_343);
        // 0.5 p rounds up
        assert_eq!(amount_pence(1_000, 5_000), 1);
        assert_eq!(amount_pence(0, 384_120), 0);
        // 30 days of a 185 p/day standing charge is £55.50
        assert_eq!(amount_pence(30_000, rate("185")), 5_550);
    }
}
