//! Demo half-hourly data: 14+ months for every demo supply point, with the settlement runs a
//! real supply would have by now (II estimates replaced by SF, R1, … actuals), some gaps and
//! estimates, reactive energy at each site's power factor, and solar export at the depot.
//! Written as the documented CSV and loaded through the importer, so the demo exercises it too.
use std::fmt::Write as _;

use app::domain::settlement_run::SettlementRun;
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Europe::London;
use sqlx::PgPool;

use super::profiles::{demand_kw, power_factor, solar_kw};
use super::rng::{fnv1a, SplitMix64};
use crate::import::{import_hh, ImportError, ImportSummary};

/// The demo data's "now": runs are present as they would be on this date.
pub const AS_OF: (i32, u32, u32) = (2026, 11, 28);
pub const FIRST_DAY: (i32, u32, u32) = (2025, 9, 1);

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

/// [`AS_OF`] as a date.
pub fn as_of() -> NaiveDate {
    date(AS_OF)
}

/// Runs published for a day `age` days old (timings as on `app::domain::settlement_run::SettlementRun`).
fn runs_for_age(age: i64) -> Vec<SettlementRun> {
    use SettlementRun::*;
    [(5, II), (22, SF), (60, R1), (120, R2), (210, R3), (425, RF)]
        .into_iter()
        .filter(|(min_age, _)| age >= *min_age)
        .map(|(_, r)| r)
        .collect()
}

struct Point {
    mpan: String,
    kind: String,
    capacity_kva: f64,
    has_export: bool,
}

fn outage(kind: &str, d: NaiveDate) -> bool {
    kind == "school" && d >= date((2026, 2, 3)) && d <= date((2026, 2, 5))
}

fn comms_gap(kind: &str, d: NaiveDate) -> bool {
    kind == "office" && d >= date((2026, 11, 10)) && d <= date((2026, 11, 16))
}

/// The demo CSV for all points (deterministic from `seed`).
fn generate_csv(points: &[Point], seed: u64) -> String {
    let as_of = date(AS_OF);
    let last = as_of - TimeDelta::days(5);
    let mut out = String::with_capacity(160 << 20);
    out.push_str("mpan_core,channel,interval_start,value,status,run\n");
    for p in points {
        let pf = power_factor(&p.kind);
        let tan = (1.0 - pf * pf).sqrt() / pf;
        // The Leicester main intake is sized so winter peaks exceed its agreed capacity.
        let scale = if p.kind == "factory" && p.capacity_kva >= 1000.0 {
            975.0
        } else {
            0.7 * p.capacity_kva * pf
        };
        let mut day = date(FIRST_DAY);
        while day <= last {
            if comms_gap(&p.kind, day) {
                day += TimeDelta::days(1);
                continue;
            }
            let mut rng =
                SplitMix64::new(seed ^ fnv1a(&p.mpan) ^ (day.to_epoch_days() as u64).wrapping_mul(0x9E37));
            // The true half-hourly energy of this day.
            let truth: Vec<(chrono::DateTime<chrono::Utc>, f64, f64)> = all_periods_utc(SettlementDate(day))
                .map(|(_, start)| {
                    let local = start.with_timezone(&London).naive_local();
                    let load = demand_kw(&p.kind, scale, local, &mut rng);
                    let solar = if p.has_export {
                        solar_kw(260.0, local, &mut rng)
                    } else {
                        0.0
                    };
                    (start, (load - solar) * 0.5, load * 0.5)
                })
                .collect();
            let age = (as_of - day).num_days();
            for run in runs_for_age(age) {
                let mut rrng =
                    SplitMix64::new(seed ^ fnv1a(&p.mpan) ^ fnv1a(run.as_str()) ^ day.to_epoch_days() as u64);
                let spread = match run {
                    SettlementRun::II => 0.05,
                    SettlementRun::SF => 0.01,
                    SettlementRun::R1 => 0.003,
                    _ => 0.0,
                };
                let early = matches!(run, SettlementRun::II | SettlementRun::SF);
                for (start, net, load) in &truth {
                    let k = 1.0 + spread * rrng.normal();
                    let (status, f) = if outage(&p.kind, day) {
                        if early {
                            ("M", 0.0)
                        } else {
                            ("E", 1.0)
                        }
                    } else if run == SettlementRun::II || (run == SettlementRun::SF && rrng.next_f64() < 0.01)
                    {
                        // II is estimated throughout; about 1 % of SF values are estimates too.
                        ("E", k)
                    } else {
                        ("A", k)
                    };
                    let ts = start.format("%Y-%m-%dT%H:%M:%SZ");
                    let ai = (net.max(0.0) * f).max(0.0);
                    let ri = load * tan * f;
                    let re = if p.kind == "office" { 0.02 * load * f } else { 0.0 };
                    let _ = writeln!(out, "{},AI,{ts},{ai:.3},{status},{run}", p.mpan);
                    let _ = writeln!(out, "{},RI,{ts},{ri:.3},{status},{run}", p.mpan);
                    let _ = writeln!(out, "{},RE,{ts},{re:.3},{status},{run}", p.mpan);
                    if p.has_export {
                        let ae = ((-net).max(0.0) * f).max(0.0);
                        let _ = writeln!(out, "{},AE,{ts},{ae:.3},{status},{run}", p.mpan);
                    }
                }
            }
            day += TimeDelta::days(1);
        }
    }
    out
}

pub async fn seed_hh(db: &PgPool, seed: u64) -> Result<ImportSummary, ImportError> {
    let rows = sqlx::query!(
        "SELECT sp.mpan_core, s.kind, sp.agreed_capacity_kva, sp.has_export
         FROM supply_points sp JOIN sites s ON s.id = sp.site_id ORDER BY sp.mpan_core"
    )
    .fetch_all(db)
    .await?;
    let points: Vec<Point> = rows
        .into_iter()
        .map(|r| Point {
            mpan: r.mpan_core,
            kind: r.kind,
            capacity_kva: f64::from(r.agreed_capacity_kva),
            has_export: r.has_export,
        })
        .collect();
    let csv = tokio::task::spawn_blocking(move || generate_csv(&points, seed))
        .await
        .map_err(|e| ImportError::BadFile {
            file: "demo".into(),
            reason: e.to_string(),
        })?;
    import_hh(db, "demo-hh.csv", std::io::Cursor::new(csv.into_bytes()), ()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_days_have_more_settlement_runs() {
        assert!(runs_for_age(3).is_empty());
        assert_eq!(runs_for_age(10), vec![SettlementRun::II]);
        assert_eq!(runs_for_age(30), vec![SettlementRun::II, SettlementRun::SF]);
        assert_eq!(runs_for_age(500).len(), 6);
        assert_eq!(runs_for_age(500).last(), Some(&SettlementRun::RF));
    }

    #[test]
    fn generated_csv_is_deterministic_and_covers_clock_changes() {
        let points = vec![Point {
            mpan: "1012345678903".into(),
            kind: "office".into(),
            capacity_kva: 100.0,
            has_export: false,
        }];
        let a = generate_csv(&points, 1);
        assert_eq!(a, generate_csv(&points, 1));
        // 2025-10-26 (autumn) has 50 periods of AI at II, local midnight is 2025-10-25T23:00Z.
        let autumn = a
            .lines()
            .filter(|l| l.contains(",AI,") && l.ends_with(",II"))
            .filter(|l| l.contains("2025-10-25T23") || l.contains("2025-10-26T"))
            .count();
        // Local 2025-10-26 runs from 23:00Z on the 25th (BST) to 00:00Z on the 27th (GMT).
        assert_eq!(autumn, 50);
    }
}
