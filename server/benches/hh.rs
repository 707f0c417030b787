//! HH data benchmarks (not tests): prints figures. Needs DATABASE_URL (a server where it may
//! create the database `portal_bench`). Run: `./scripts/bench.sh` (or `cargo bench -p server`).
//!
//! 1. Import throughput of a generated file of ≥ 10 M values, against Postgres COPY of the same
//!    rows into a plain table (the floor).
//! 2. One supply point × one year at the best run through the store (scope, RLS, decoding),
//!    against the same SQL run directly.
//! 3. Portfolio daily totals for 100 supply points × 1 year.
mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use app::domain::channel::Channel;
use app::domain::settlement_run::RunChoice;
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use app::store::hh;
use app::store::scope::Scope;
use chrono::{NaiveDate, TimeDelta};
use sqlx::Executor;

const METERS: usize = 100;

fn p50(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[v.len() * 95 / 100]))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scratch = common::Scratch::create("portal_bench").await?;
    let (db, opts) = (scratch.db.clone(), scratch.opts.clone());
    let org = common::customer(&db, "Bench Ltd", "B-1", METERS, (19, 7_000_000_000), 500).await?;

    // A year of AI + RI for 100 meters, runs by age: II and SF every day, R1 on the older 8 months.
    let path = std::env::temp_dir().join("portal-bench-hh.csv");
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let t0 = Instant::now();
    let mut values = 0u64;
    {
        let mut f = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(&path)?);
        writeln!(f, "mpan_core,channel,interval_start,value,status,run")?;
        for i in 0..METERS {
            let m = common::mpan(19, 7_000_000_000, i);
            for d in 0..365 {
                let date = start + TimeDelta::days(d);
                let runs: &[&str] = if d < 320 {
                    &["II", "SF", "R1"]
                } else {
                    &["II", "SF"]
                };
                for run in runs {
                    for ch in ["AI", "RI"] {
                        for (p, t) in all_periods_utc(SettlementDate(date)) {
                            let v = 10.0 + f64::from(p.get()) * 0.25 + (i % 7) as f64;
                            writeln!(
                                f,
                                "{m},{ch},{},{v:.3},{},{run}",
                                t.format("%Y-%m-%dT%H:%M:%SZ"),
                                if *run == "II" { "E" } else { "A" }
                            )?;
                            values += 1;
                        }
                    }
                }
            }
        }
    }
    let bytes = std::fs::metadata(&path)?.len();
    println!(
        "generated {values} values ({:.0} MB) in {:.1} s",
        bytes as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );

    // 1a. The importer.
    let t = Instant::now();
    let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
    let summary = server::import::import_hh(&db, "bench.csv", file, ())
        .await
        .map_err(|e| anyhow::anyhow!(e.report()))?;
    let import_s = t.elapsed().as_secs_f64();
    assert_eq!(summary.values, values);
    // 1b. The floor: COPY of the same rows into a plain row-per-value table, no checks at all.
    db.execute("CREATE UNLOGGED TABLE copy_floor (mpan_core text, channel text, interval_start timestamptz, value numeric, status text, run text)")
        .await?;
    let mut conn = db.acquire().await?;
    let t = Instant::now();
    let mut copy = conn
        .copy_in_raw("COPY copy_floor FROM STDIN WITH (FORMAT csv, HEADER true)")
        .await?;
    let mut file = tokio::fs::File::open(&path).await?;
    copy.read_from(&mut file).await?;
    copy.finish().await?;
    let copy_s = t.elapsed().as_secs_f64();
    drop(conn);
    db.execute("DROP TABLE copy_floor").await?;
    db.execute("VACUUM ANALYZE hh_day").await?;
    println!("\n## Import ({values} values, {} day-rows)", summary.day_rows_new);
    println!(
        "importer:            {:>6.1} s  {:>10.0} values/s",
        import_s,
        values as f64 / import_s
    );
    println!(
        "COPY floor (raw):    {:>6.1} s  {:>10.0} values/s",
        copy_s,
        values as f64 / copy_s
    );
    println!(
        "importer / COPY:     {:>6.2}× the floor's time",
        import_s / copy_s
    );

    // 2. One meter-year at best run: the store (scoped transaction + RLS + decode) vs raw SQL.
    let app_db = server::db::app_pool(opts.clone(), 2, "portal_app");
    let scope = Scope::organisations(vec![org]);
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM supply_points ORDER BY id")
        .fetch_all(&db)
        .await?;
    let (from, to) = (start, start + TimeDelta::days(365));
    let mut store = Vec::new();
    let mut raw = Vec::new();
    for k in 0..60 {
        let sp = ids[k % ids.len()];
        let t = Instant::now();
        let mut tx = scope.begin(&app_db).await?;
        let days = hh::series(&mut tx, sp, Channel::ActiveImport, from, to, RunChoice::Best).await?;
        drop(tx);
        store.push(t.elapsed());
        assert_eq!(days.len(), 365);
        let t = Instant::now();
        let rows: Vec<(NaiveDate, i16, Vec<i32>, String)> = sqlx::query_as(
            "SELECT DISTINCT ON (settlement_date) settlement_date, run, vals, statuses FROM hh_day
             WHERE supply_point_id = $1 AND channel = 1 AND settlement_date >= $2 AND settlement_date < $3
             ORDER BY settlement_date, run DESC",
        )
        .bind(sp)
        .bind(from)
        .bind(to)
        .fetch_all(&db)
        .await?;
        raw.push(t.elapsed());
        assert_eq!(rows.len(), 365);
    }
    let (s50, s95) = p50(store);
    let (r50, r95) = p50(raw);
    println!("\n## One supply point × one year at best run (17,520 values; 60 runs)");
    println!("store (scope + RLS): p50 {s50:>6.2} ms  p95 {s95:>6.2} ms");
    println!("raw SQL:             p50 {r50:>6.2} ms  p95 {r95:>6.2} ms");
    println!("store / raw (p50):   {:>6.2}×", s50 / r50);

    // 3. Portfolio daily totals, 100 meters × 1 year: summed per day in Postgres, and per meter-day.
    let mut port = Vec::new();
    let mut per_meter = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let mut tx = scope.begin(&app_db).await?;
        let totals = hh::site_daily_totals(&mut tx, &ids, Channel::ActiveImport, from, to).await?;
        drop(tx);
        port.push(t.elapsed());
        assert_eq!(app::store::analytics::portfolio_daily_kwh(&totals).len(), 365);
        // What the roll-up replaced: choosing the best run per meter-day among hh_day's rows at
        // query time (the primary key carries the totals, so this is an index-only scan).
        let t = Instant::now();
        let mut tx = scope.begin(&app_db).await?;
        let totals: Vec<(i64, NaiveDate, i64)> = sqlx::query_as(
            "SELECT DISTINCT ON (supply_point_id, settlement_date) supply_point_id, settlement_date, day_total
             FROM hh_day WHERE supply_point_id = ANY($1) AND channel = 1 AND settlement_date >= $2
               AND settlement_date < $3 AND organisation_id = ANY($4)
             ORDER BY supply_point_id, settlement_date, run DESC",
        )
        .bind(&ids)
        .bind(from)
        .bind(to)
        .bind(vec![org])
        .fetch_all(&mut *tx)
        .await?;
        drop(tx);
        per_meter.push(t.elapsed());
        assert_eq!(totals.len(), METERS * 365);
    }
    let (p, p95) = p50(port);
    let (m, m95) = p50(per_meter);
    println!("\n## Portfolio daily totals, {METERS} supply points × 1 year (20 runs)");
    println!("365 portfolio days from the roll-up (hh_daily_best): p50 {p:>6.2} ms  p95 {p95:>6.2} ms");
    println!("36,500 meter-days, best run chosen at query time (hh_day, DISTINCT ON): p50 {m:>6.2} ms  p95 {m95:>6.2} ms");
    println!("\n{}", common::machine());
    std::fs::remove_file(&path)?;
    scratch.drop().await?;
    Ok(())
}
