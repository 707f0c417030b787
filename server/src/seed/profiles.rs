//! Load shapes of the demo sites: what a cold store, an office, a two-shift factory, a school, a
//! warehouse, a solar depot and a leisure centre draw through the day and the year.
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};

use super::rng::SplitMix64;

/// School holidays (inclusive ranges) for the demo academy.
const SCHOOL_HOLIDAYS: &[(&str, &str)] = &[
    ("2025-07-23", "2025-09-02"),
    ("2025-10-27", "2025-10-31"),
    ("2025-12-20", "2026-01-04"),
    ("2026-02-16", "2026-02-20"),
    ("2026-03-30", "2026-04-10"),
    ("2026-05-25", "2026-05-29"),
    ("2026-07-22", "2026-09-01"),
    ("2026-10-26", "2026-10-30"),
];

fn in_school_holiday(d: NaiveDate) -> bool {
    SCHOOL_HOLIDAYS.iter().any(|(a, b)| {
        let a = NaiveDate::parse_from_str(a, "%Y-%m-%d").unwrap_or(d);
        let b = NaiveDate::parse_from_str(b, "%Y-%m-%d").unwrap_or(d);
        d >= a && d <= b
    })
}

/// 1 in midwinter, -1 in midsummer.
fn winterness(d: NaiveDate) -> f64 {
    ((f64::from(d.ordinal()) - 15.0) / 365.25 * std::f64::consts::TAU).cos()
}

fn hour(t: NaiveDateTime) -> f64 {
    f64::from(t.hour()) + f64::from(t.minute()) / 60.0
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The site's typical power factor (drives reactive energy).
pub fn power_factor(kind: &str) -> f64 {
    match kind {
        "factory" => 0.86,
        "cold_store" => 0.91,
        "warehouse" | "solar_warehouse" => 0.93,
        "leisure" => 0.92,
        _ => 0.96,
    }
}

/// Average active power (kW) over the half-hour starting at local time `t`.
/// `scale` is the peak kW the site is sized for.
pub fn demand_kw(kind: &str, scale: f64, t: NaiveDateTime, rng: &mut SplitMix64) -> f64 {
    let d = t.date();
    let h = hour(t);
    let w = winterness(d);
    let noise = 1.0 + 0.04 * rng.normal();
    let kw = match kind {
        "cold_store" => {
            // Flat compressors all day, a defrost spike every six hours, more work in summer.
            let defrost = if (t.hour() % 6 == 2) && t.minute() == 0 {
                0.25
            } else {
                0.0
            };
            scale * (0.62 - 0.08 * w + defrost + if (8.0..18.0).contains(&h) { 0.05 } else { 0.0 })
        }
        "office" => {
            let occupied = !weekend(d) && (8.0..18.0).contains(&h);
            let ramp = !weekend(d) && ((7.0..8.0).contains(&h) || (18.0..19.5).contains(&h));
            let base = if occupied {
                0.55
            } else if ramp {
                0.32
            } else {
                0.12
            };
            // Heating in winter, cooling in summer: both above spring and autumn.
            scale * base * (1.0 + 0.22 * w.abs())
        }
        "factory" => {
            let shifts = match d.weekday() {
                Weekday::Sun => false,
                Weekday::Sat => (6.0..14.0).contains(&h),
                _ => (6.0..22.0).contains(&h),
            };
            let shift_change = shifts && ((13.5..14.5).contains(&h));
            let base = if shifts { 0.78 } else { 0.16 };
            scale * (base + 0.10 * w.max(0.0) - if shift_change { 0.12 } else { 0.0 })
        }
        "school" => {
            let term_day = !weekend(d) && !in_school_holiday(d);
            let open = term_day && (7.5..16.5).contains(&h);
            let clubs = term_day && (16.5..18.5).contains(&h);
            let base = if open {
                0.62
            } else if clubs {
                0.3
            } else {
                0.08
            };
            scale * base * (1.0 + 0.3 * w.max(0.0))
        }
        "warehouse" | "solar_warehouse" => {
            let working = (6.0..22.0).contains(&h) && d.weekday() != Weekday::Sun;
            let lights = if (16.0..22.0).contains(&h) || (6.0..8.0).contains(&h) {
                0.1 * (1.0 + w)
            } else {
                0.0
            };
            scale * (if working { 0.45 } else { 0.1 } + lights)
        }
        "leisure" => {
            let open = (6.0..22.0).contains(&h);
            scale * (0.35 + if open { 0.35 } else { 0.0 } + 0.1 * w.max(0.0))
        }
        _ => scale * 0.3,
    };
    (kw * noise).max(0.0)
}

/// Solar generation (kW) for the depot's roof array of `peak_kw`.
pub fn solar_kw(peak_kw: f64, t: NaiveDateTime, rng: &mut SplitMix64) -> f64 {
    let d = t.date();
    let w = winterness(d);
    let day_length = 12.0 - 4.2 * w; // ~7.8 h midwinter, ~16.2 h midsummer
    let noon = 12.5 + if (4..=10).contains(&d.month()) { 0.75 } else { 0.0 };
    let x = (hour(t) + 0.25 - noon) / (day_length / 2.0);
    if x.abs() >= 1.0 {
        return 0.0;
    }
    let clouds = (0.65 + 0.35 * rng.next_f64()) * (1.0 - 0.45 * w.max(0.0));
    peak_kw * (x * std::f64::consts::FRAC_PI_2).cos().powi(2) * clouds
}
