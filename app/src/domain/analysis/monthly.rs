//! Per calendar month: consumption, maximum demand (highest half-hourly kVA) against the agreed
//! capacity, and the power factor of the month's energy.
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::HalfHour;

#[derive(Debug, Clone, PartialEq)]
pub struct MonthDemand {
    /// The first of the month.
    pub month: NaiveDate,
    pub kwh: f64,
    /// Highest half-hourly kVA and when that half-hour began; `None` without values.
    pub max_kva: Option<f64>,
    pub max_at: Option<DateTime<Utc>>,
    /// kW of the half-hour of maximum kVA.
    pub kw_at_max: Option<f64>,
    /// kWh / √(kWh² + kVArh²) over the month (the larger reactive channel per half-hour);
    /// `None` when the month has no reactive data.
    pub power_factor: Option<f64>,
}

impl MonthDemand {
    /// kVA above the agreed capacity (0 when within it).
    pub fn excess_kva(&self, agreed_kva: f64) -> f64 {
        self.max_kva.map_or(0.0, |m| (m - agreed_kva).max(0.0))
    }
}

/// One entry per month that has at least one half-hour with a value, in order.
pub fn monthly_demand(half_hours: impl IntoIterator<Item = HalfHour>) -> Vec<MonthDemand> {
    struct Acc {
        kwh: f64,
        kvarh: f64,
        reactive: bool,
        max: Option<(f64, DateTime<Utc>, f64)>,
    }
    let mut by_month: BTreeMap<NaiveDate, Acc> = BTreeMap::new();
    for h in half_hours.into_iter().filter(HalfHour::has_value) {
        let month = h.date.with_day(1).unwrap_or(h.date);
        let a = by_month.entry(month).or_insert(Acc {
            kwh: 0.0,
            kvarh: 0.0,
            reactive: false,
            max: None,
        });
        a.kwh += h.kwh;
        a.kvarh += h.kvarh_import.max(h.kvarh_export);
        a.reactive |= h.kvarh_import != 0.0 || h.kvarh_export != 0.0;
        let kva = h.kva();
        if a.max.is_none_or(|(m, _, _)| kva > m) {
            a.max = Some((kva, h.start, h.kw()));
        }
    }
    by_month
        .into_iter()
        .map(|(month, a)| MonthDemand {
            month,
            kwh: a.kwh,
            max_kva: a.max.map(|m| m.0),
            max_at: a.max.map(|m| m.1),
            kw_at_max: a.max.map(|m| m.2),
            power_factor: (a.reactive && a.kwh > 0.0).then(|| a.kwh / a.kwh.hypot(a.kvarh)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::half_hours;
    use super::super::testing::day;
    use super::*;

    #[test]
    fn maximum_demand_and_power_factor_per_month() {
        // January: 100 kWh and 75 kVArh in every period, one at 150 kWh + 200 kVArh (500 kVA).
        let mut jan = day("2026-01-30", |_| 100_000);
        jan.reactive_import = vec![75_000; 48];
        jan.active_wh[33] = 150_000;
        jan.reactive_import[33] = 200_000;
        // February: no reactive data.
        let feb = day("2026-02-02", |_| 10_000);
        let m = monthly_demand(half_hours(&[jan, feb]));
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].max_kva, Some(500.0));
        assert_eq!(m[0].kw_at_max, Some(300.0));
        assert_eq!(m[0].kwh, 47.0 * 100.0 + 150.0);
        // PF = 4850 / √(4850² + (47×75 + 200)²) = 4850 / √(4850² + 3725²)
        let pf = 4850.0 / (4850.0f64.powi(2) + 3725.0f64.powi(2)).sqrt();
        assert!((m[0].power_factor.unwrap() - pf).abs() < 1e-12);
        assert_eq!(m[0].excess_kva(450.0), 50.0);
        assert_eq!(m[0].excess_kva(600.0), 0.0);
        assert_eq!(m[1].power_factor, None);
        assert_eq!(m[1].month.to_string(), "2026-02-01");
    }
}
