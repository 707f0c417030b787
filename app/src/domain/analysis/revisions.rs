//! Revisions between settlement runs: the same days read at each run (II, SF, R1 … DF), so a
//! customer sees how much the figures moved as estimates were replaced by actual reads.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::half_hours;
use crate::domain::billing::MeterDay;
use crate::domain::settlement_run::SettlementRun;

/// One run's figures over the days it covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunTotal {
    pub run: SettlementRun,
    pub days: usize,
    pub kwh: f64,
    /// Periods estimated at this run.
    pub estimated_periods: usize,
    /// The best run's kWh over the same days (each day at its best run).
    pub best_kwh_same_days: f64,
}

impl RunTotal {
    /// kWh this run differs from the best figures of the same days.
    pub fn delta_kwh(&self) -> f64 {
        self.kwh - self.best_kwh_same_days
    }

    pub fn delta_percent(&self) -> Option<f64> {
        (self.best_kwh_same_days != 0.0).then(|| 100.0 * self.delta_kwh() / self.best_kwh_same_days)
    }
}

fn day_kwh(d: &MeterDay) -> f64 {
    half_hours(std::slice::from_ref(d))
        .filter(|h| h.has_value())
        .map(|h| h.kwh)
        .sum()
}

/// Totals per run, worst run first, from every run's days (several per date).
pub fn run_totals(days_all_runs: &[MeterDay]) -> Vec<RunTotal> {
    let mut best: BTreeMap<NaiveDate, (SettlementRun, f64)> = BTreeMap::new();
    let mut by_run: BTreeMap<SettlementRun, Vec<(NaiveDate, f64, usize)>> = BTreeMap::new();
    for d in days_all_runs {
        let kwh = day_kwh(d);
        let estimated = d.statuses.iter().filter(|s| **s == b'E').count();
        by_run.entry(d.run).or_default().push((d.date, kwh, estimated));
        let e = best.entry(d.date).or_insert((d.run, kwh));
        if d.run > e.0 {
            *e = (d.run, kwh);
        }
    }
    by_run
        .into_iter()
        .map(|(run, days)| RunTotal {
            run,
            days: days.len(),
            kwh: days.iter().map(|(_, k, _)| k).sum(),
            estimated_periods: days.iter().map(|(_, _, e)| e).sum(),
            best_kwh_same_days: days
                .iter()
                .filter_map(|(date, _, _)| best.get(date).map(|b| b.1))
                .sum(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::day;
    use super::*;

    fn at(run: SettlementRun, mut d: MeterDay) -> MeterDay {
        d.run = run;
        d
    }

    #[test]
    fn each_run_is_compared_with_the_best_run_of_the_same_days() {
        // SF covers 1–3 Oct at 1 kWh a period (estimated); R1 covers 1–2 Oct at 1.1 kWh; R3
        // covers 1 Oct (a 48-period day) at 1.2 kWh.
        let mut sf: Vec<MeterDay> = ["2026-10-01", "2026-10-02", "2026-10-03"]
            .iter()
            .map(|d| at(SettlementRun::SF, day(d, |_| 1000)))
            .collect();
        for d in &mut sf {
            d.statuses.fill(b'E');
        }
        let r1: Vec<MeterDay> = ["2026-10-01", "2026-10-02"]
            .iter()
            .map(|d| at(SettlementRun::R1, day(d, |_| 1100)))
            .collect();
        let r3 = vec![at(SettlementRun::R3, day("2026-10-01", |_| 1200))];
        let all: Vec<MeterDay> = sf.into_iter().chain(r1).chain(r3).collect();
        let t = run_totals(&all);
        assert_eq!(
            t.iter().map(|r| r.run).collect::<Vec<_>>(),
            vec![SettlementRun::SF, SettlementRun::R1, SettlementRun::R3]
        );
        // SF: 144 kWh; best of the same days: 57.6 (R3) + 52.8 (R1) + 48 (SF) = 158.4.
        assert!((t[0].kwh - 144.0).abs() < 1e-9);
        assert!((t[0].best_kwh_same_days - 158.4).abs() < 1e-9);
        assert!((t[0].delta_percent().unwrap() - (-14.4 / 158.4 * 100.0)).abs() < 1e-9);
        assert_eq!(t[0].estimated_periods, 144);
        // R1: 105.6 against 57.6 + 52.8 = 110.4.
        assert!((t[1].delta_kwh() - (-4.8)).abs() < 1e-9);
        // R3 is the best of its only day.
        assert!(t[2].delta_kwh().abs() < 1e-12);
        assert_eq!(t[2].days, 1);
    }
}
