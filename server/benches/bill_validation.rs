//! Bill validation benchmark (not a test): prints figures. Needs DATABASE_URL (a server where it
//! may create the database `portal_bench_bills`). Run: `./scripts/bench.sh` (or
//! `cargo bench -p server --bench bill_validation`).
//!
//! A customer with 100 half-hourly supply points on one banded contract and a year of data
//! (active and reactive import, two settlement runs a day), billed monthly: 12 invoices of 100
//! supply points each, i.e. 1,200 supply-point invoices' worth of lines. Measures:
//! 1. `validate_all` through the store (scoped transaction, RLS, every query) — target ≤ 2 s;
//! 2. the floor: reading the same half-hourly rows with one raw SQL query and nothing else;
//! 3. the engine alone (shadow bills + comparisons) on data already in memory.
mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use app::domain::billing::{shadow_bill, validate, BilledLine, BilledTotals, Tolerance, Verdict};
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use app::store::scope::Scope;
use app::store::validation::{reference, shadow_for_contract, supplies, tariff, validate_all};
use chrono::{NaiveDate, TimeDelta};
use sqlx::Executor;

const METERS: usize = 100;
const REPEATS: usize = 5;

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scratch = common::Scratch::create("portal_bench_bills").await?;
    let (db, opts) = (scratch.db.clone(), scratch.opts.clone());
    server::seed::billing::seed_duos_bands(&db).await?;
    let org = common::customer(&db, "Bench Foods Ltd", "B-2", METERS, (14, 8_000_000_000), 200).await?;
    let contract: i64 = sqlx::query_scalar(
        "INSERT INTO contracts (organisation_id, reference, starts_on, ends_on, rate_structure, standing_charge_p_per_day,
             capacity_charge_p_per_kva_day, excess_capacity_p_per_kva_day, reactive_p_per_kvarh, vat_rate_percent,
             annual_volume_kwh, volume_tolerance_percent, third_party_costs)
         VALUES ($1, 'BENCH-1', '2025-04-01', '2026-03-31', 'banded', 185, 4.12, 8.24, 0.31, 20, 90000000, 10, 'pass_through')
         RETURNING id",
    )
    .bind(org)
    .fetch_one(&db)
    .await?;
    db.execute(
        format!(
            "INSERT INTO contract_rates (contract_id, organisation_id, rate_name, p_per_kwh) VALUES
             ({contract}, {org}, 'red', 38.412), ({contract}, {org}, 'amber', 26.905), ({contract}, {org}, 'green', 21.338);
             INSERT INTO contract_supply_points (contract_id, supply_point_id, organisation_id)
             SELECT {contract}, id, organisation_id FROM supply_points WHERE organisation_id = {org};"
        )
        .as_str(),
    )
    .await?;

    // A year of AI and RI, runs SF then R1 (the best), a demand that peaks in the afternoon.
    let path = std::env::temp_dir().join("portal-bench-bills.csv");
    let start = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
    let mut values = 0u64;
    {
        let mut f = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(&path)?);
        writeln!(f, "mpan_core,channel,interval_start,value,status,run")?;
        for i in 0..METERS {
            let m = common::mpan(14, 8_000_000_000, i);
            for d in 0..365 {
                let date = start + TimeDelta::days(d);
                for run in ["SF", "R1"] {
                    for (p, t) in all_periods_utc(SettlementDate(date)) {
                        let kwh = 20.0
                            + f64::from(p.get()) * 1.5
                            + (i % 9) as f64
                            + if run == "R1" { 0.5 } else { 0.0 };
                        let ts = t.format("%Y-%m-%dT%H:%M:%SZ");
                        writeln!(f, "{m},AI,{ts},{kwh:.3},A,{run}")?;
                        writeln!(f, "{m},RI,{ts},{:.3},A,{run}", kwh * 0.4)?;
                        values += 2;
                    }
                }
            }
        }
    }
    let t = Instant::now();
    let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
    server::import::import_hh(&db, "bench.csv", file, ())
        .await
        .map_err(|e| anyhow::anyhow!(e.report()))?;
    println!(
        "loaded {values} HH values for {METERS} supply points × 365 days in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    std::fs::remove_file(&path)?;
    db.execute("VACUUM ANALYZE").await?;

    // Bill each month with the engine (as the demo's billing does), then validate.
    let scope = Scope::organisations(vec![org]);
    let app_db = server::db::app_pool(opts.clone(), 2, "portal_app");
    let mut tx = scope.begin(&db).await?;
    let refs = reference(&mut tx).await?;
    drop(tx);
    let mut month = start;
    let mut lines = 0usize;
    while month < start + TimeDelta::days(365) {
        let period = app::domain::billing::BillingPeriod {
            first_day: month,
            last_day: app::store::analytics::next_month(month) - TimeDelta::days(1),
        };
        let mut tx = scope.begin(&db).await?;
        let bill = shadow_for_contract(&mut tx, contract, period, &refs)
            .await?
            .map_err(|e| anyhow::anyhow!(e))?;
        drop(tx);
        lines += bill.lines.len();
        let number = format!("BENCH-{}", month.format("%Y%m"));
        server::seed::billing::insert_invoice(
            &db,
            org,
            contract,
            "B-2",
            &number,
            period,
            &bill.lines,
            bill.net,
            bill.vat,
        )
        .await?;
        month = app::store::analytics::next_month(month);
    }
    println!("billed 12 invoices, {lines} lines ({METERS} supply points each)");

    // 1. validate_all through the store, as the overview page calls it.
    let mut store = Vec::new();
    for _ in 0..REPEATS {
        let t = Instant::now();
        let mut tx = scope.begin(&app_db).await?;
        let checks = validate_all(&mut tx).await?;
        drop(tx);
        store.push(t.elapsed());
        assert_eq!(checks.len(), 12);
        assert!(
            checks.iter().all(|c| c.validation.verdict == Verdict::Ok),
            "{}",
            checks[0].validation.summary
        );
    }
    // 2. The floor: the same HH rows, one raw query, decoded into tuples, nothing computed.
    let mut floor = Vec::new();
    for _ in 0..REPEATS {
        let t = Instant::now();
        let rows: Vec<(i64, i16, NaiveDate, i16, Vec<i32>, String)> = sqlx::query_as(
            "SELECT DISTINCT ON (supply_point_id, channel, settlement_date)
                    supply_point_id, channel, settlement_date, run, vals, statuses
             FROM hh_day WHERE organisation_id = $1 AND channel IN (1, 3, 4)
               AND settlement_date BETWEEN '2025-04-01' AND '2026-03-31'
             ORDER BY supply_point_id, channel, settlement_date, run DESC",
        )
        .bind(org)
        .fetch_all(&db)
        .await?;
        floor.push(t.elapsed());
        assert_eq!(rows.len(), METERS * 365 * 2);
    }
    // 3. The engine alone: the 12 shadow bills and their comparisons, data already in memory.
    let mut tx = scope.begin(&app_db).await?;
    let checks = validate_all(&mut tx).await?;
    let mut inputs = Vec::new();
    for c in &checks {
        let period = app::domain::billing::BillingPeriod {
            first_day: c.invoice.period_start,
            last_day: c.invoice.period_end,
        };
        let tariff = tariff(&mut tx, contract, period, &refs.regulated)
            .await?
            .map_err(|e| anyhow::anyhow!(e))?;
        let supplies = supplies(&mut tx, contract, period).await?;
        let billed: Vec<BilledLine> = c
            .validation
            .lines
            .iter()
            .filter_map(|l| l.billed.clone())
            .collect();
        inputs.push((
            period,
            tariff,
            supplies,
            billed,
            c.invoice.net_pence,
            c.invoice.vat_pence,
        ));
    }
    drop(tx);
    let mut engine = Vec::new();
    for _ in 0..REPEATS {
        let t = Instant::now();
        for (period, tariff, supplies, billed, net, vat) in &inputs {
            let s = shadow_bill(*period, tariff, supplies, &refs.bands, &refs.regulated);
            let totals = BilledTotals {
                net: app::domain::units::Pence(*net),
                vat: app::domain::units::Pence(*vat),
                vat_rate: s.vat_rate,
                whole_invoice: true,
            };
            std::hint::black_box(validate(&s, billed, totals, Tolerance::default()));
        }
        engine.push(t.elapsed());
    }
    let (s, f, e) = (median(store), median(floor), median(engine));
    println!("\n## Bill validation: 12 monthly invoices × {METERS} supply points (1,200 supply-point invoices), median of {REPEATS}");
    println!(
        "validate_all (store + engine):   {s:>7.3} s   target ≤ 2 s: {}",
        if s <= 2.0 { "met" } else { "NOT MET" }
    );
    println!(
        "floor: raw read of the HH rows:  {f:>7.3} s   ({} day-rows)",
        METERS * 365 * 2
    );
    println!("validate_all / floor:            {:>7.2}×", s / f);
    println!("engine alone (shadow bills + comparisons, data in memory): {e:.3} s");
    println!("{}", common::machine());
    app_db.close().await;
    scratch.drop().await?;
    Ok(())
}
