//! Analysis views benchmark (not a test): prints figures. Needs no database. Run:
//! `./scripts/bench.sh` (or `cargo bench -p server --bench analysis`).
//!
//! One meter-year in memory (1 November 2025 – 31 October 2026: 365 days, 17,520 half-hours with
//! both clock changes, active and reactive import), as the store hands it to the views. Measures,
//! as the median of 21 rounds:
//! - the floor: one pass over every half-hour summing its kWh (what any view must at least do);
//! - the heatmap: the carpet and its SVG (target ≤ 20 ms);
//! - the load-duration curve with base load, peak and load factor (target ≤ 10 ms);
//! - day profiles and monthly demand, for scale.
use std::hint::black_box;
use std::time::{Duration, Instant};

use app::charts::carpet::carpet_svg;
use app::domain::analysis::carpet::carpet;
use app::domain::analysis::duration::load_duration;
use app::domain::analysis::monthly::monthly_demand;
use app::domain::analysis::profile::day_profiles;
use app::domain::analysis::{half_hours, HalfHour};
use app::domain::billing::MeterDay;
use app::domain::settlement_run::SettlementRun;
use app::domain::settlement_time::periods_in_day;
use chrono::NaiveDate;

const ROUNDS: usize = 21;

fn meter_year() -> Vec<MeterDay> {
    let first = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 1000) as i32
    };
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|date| {
            let n = usize::from(periods_in_day(date));
            // A factory: 40 kWh a half-hour at night, 120 kWh by day, with noise.
            let active: Vec<i32> = (0..n)
                .map(|p| if (14..40).contains(&p) { 120_000 } else { 40_000 } + next() * 20)
                .collect();
            let reactive = active.iter().map(|w| w / 3).collect();
            MeterDay {
                date,
                run: SettlementRun::R3,
                active_wh: active,
                statuses: vec![b'A'; n],
                reactive_import: reactive,
                reactive_export: Vec::new(),
            }
        })
        .collect()
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[ROUNDS / 2].as_secs_f64() * 1000.0
}

/// The machine line every benchmark prints (as `benches/common`, which needs a database).
fn machine() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.trim()
    )
}

fn main() {
    let days = meter_year();
    let (from, to) = (days[0].date, days[days.len() - 1].date);
    let hh: Vec<HalfHour> = half_hours(&days).collect();
    println!(
        "analysis views: one meter-year in memory, {} days, {} half-hours",
        days.len(),
        hh.len()
    );
    println!("{}", machine());
    let floor = median_ms(|| {
        black_box(half_hours(black_box(&days)).map(|h| h.kwh).sum::<f64>());
    });
    let mut svg_len = 0;
    let heatmap = median_ms(|| {
        let c = carpet(black_box(&days), from, to);
        svg_len = carpet_svg(&c).len();
    });
    let duration = median_ms(|| {
        black_box(load_duration(half_hours(black_box(&days))));
    });
    let profiles = median_ms(|| {
        let hh: Vec<HalfHour> = half_hours(black_box(&days)).collect();
        black_box(day_profiles(&hh));
    });
    let monthly = median_ms(|| {
        black_box(monthly_demand(half_hours(black_box(&days))));
    });
    let row = |name: &str, ms: f64, target: Option<f64>| {
        let verdict = target.map_or(String::new(), |t| {
            format!("  target ≤ {t:.0} ms: {}", if ms <= t { "met" } else { "MISSED" })
        });
        println!("{name:<38} {ms:>8.2} ms  {:>6.1}× the floor{verdict}", ms / floor);
    };
    println!(
        "{:<38} {floor:>8.2} ms",
        "floor: one pass summing every half-hour"
    );
    row(
        &format!("heatmap: carpet + SVG ({} KB)", svg_len / 1024),
        heatmap,
        Some(20.0),
    );
    row("load-duration curve", duration, Some(10.0));
    row("day profiles", profiles, None);
    row("monthly demand and power factor", monthly, None);
}
