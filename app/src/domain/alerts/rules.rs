//! The four rules as measures of settlement days: a day's peak kVA, its base load against the same
//! weekday before, its missing half-hours, a contract's days left; and [`evaluate`], which turns a
//! supply point's days into the alerts to raise and the gap days now complete.
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use super::{
    Rule, Window, NIGHT_END_HOUR, PROFILE_FLOOR_KW, PROFILE_MARGIN, PROFILE_MIN_COVERAGE, PROFILE_MIN_WEEKS,
    PROFILE_WEEKS, RENEWAL_THRESHOLDS,
};
use crate::domain::settlement_time::{all_periods_utc, periods_in_day};

/// The highest half-hourly kVA of a day and its settlement period (1-based): `2·√(kWh² + kVArh²)`
/// per half-hour. `reactive` is the reactive import of the same day, when there is any.
pub fn peak_kva(import_wh: &[i32], reactive_varh: Option<&[i32]>) -> Option<(u8, f64)> {
    import_wh
        .iter()
        .enumerate()
        .map(|(i, wh)| {
            let q = reactive_varh.and_then(|r| r.get(i)).copied().unwrap_or(0);
            let kva = 2.0 * (f64::from(*wh).powi(2) + f64::from(q).powi(2)).sqrt() / 1000.0;
            (u8::try_from(i + 1).unwrap_or(u8::MAX), kva)
        })
        .fold(None, |best: Option<(u8, f64)>, (p, kva)| match best {
            Some((_, b)) if b >= kva => best,
            _ => Some((p, kva)),
        })
}

/// Where the profile rule measures a day's base load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileWindow {
    /// Local 00:00 to 05:00 on a weekday.
    Night,
    /// The whole of a Saturday or Sunday.
    WeekendDay,
}

impl ProfileWindow {
    pub fn of(day: NaiveDate) -> Self {
        match day.weekday() {
            Weekday::Sat | Weekday::Sun => ProfileWindow::WeekendDay,
            _ => ProfileWindow::Night,
        }
    }

    /// The code kept in `alerts.period`.
    pub fn code(self) -> i16 {
        match self {
            ProfileWindow::Night => 1,
            ProfileWindow::WeekendDay => 2,
        }
    }

    pub fn from_code(code: i16) -> Self {
        if code == 2 {
            ProfileWindow::WeekendDay
        } else {
            ProfileWindow::Night
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProfileWindow::Night => "night base load (00:00–05:00)",
            ProfileWindow::WeekendDay => "weekend load",
        }
    }

    /// Whether the half-hour starting at `start` (UTC) is in the window, by local time. The clocks
    /// change on Sundays, so a 46- or 50-period day is measured whole: as mean kW, not kWh, it
    /// compares with the 48-period Sundays before it.
    fn holds(self, start: DateTime<Utc>) -> bool {
        match self {
            ProfileWindow::WeekendDay => true,
            ProfileWindow::Night => start.with_timezone(&London).hour() < NIGHT_END_HOUR,
        }
    }
}

/// Mean import power (kW) over the day's profile window, from its half-hourly Wh and statuses
/// (`M` = missing, not a zero). `None` when under half the window has values.
pub fn mean_kw(day: NaiveDate, vals: &[i32], statuses: &str) -> Option<f64> {
    let window = ProfileWindow::of(day);
    let statuses = statuses.as_bytes();
    let (mut wh, mut have, mut slots) = (0i64, 0u32, 0u32);
    for (p, start) in all_periods_utc(day) {
        if !window.holds(start) {
            continue;
        }
        slots += 1;
        let i = usize::from(p.get() - 1);
        if let (Some(v), Some(s)) = (vals.get(i), statuses.get(i)) {
            if *s != b'M' {
                wh += i64::from(*v);
                have += 1;
            }
        }
    }
    (slots > 0 && f64::from(have) >= PROFILE_MIN_COVERAGE * f64::from(slots))
        // Wh per half-hour → kW: ×2 per hour, ÷1000.
        .then(|| wh as f64 * 2.0 / 1000.0 / f64::from(have))
}

/// The reference load when `kw` is out of profile against `reference` (the same weekday's mean kW
/// in the previous weeks that had data); `None` when it is not, or there is too little history.
pub fn out_of_profile(kw: f64, reference: &[f64]) -> Option<f64> {
    if reference.len() < PROFILE_MIN_WEEKS {
        return None;
    }
    let base = reference.iter().sum::<f64>() / reference.len() as f64;
    (kw > base * (1.0 + PROFILE_MARGIN) && kw - base >= PROFILE_FLOOR_KW).then_some(base)
}

/// The renewal threshold a contract ending on `ends_on` has reached as of `today`: the smallest
/// of 120/60/30 days at or above the days left, so a contract first seen 45 days out raises the
/// 60-day alert (not the 120-day one as well). `None` when it ended or is further away.
pub fn renewal_threshold(ends_on: NaiveDate, today: NaiveDate) -> Option<i64> {
    let left = (ends_on - today).num_days();
    if left < 0 {
        return None;
    }
    RENEWAL_THRESHOLDS.iter().rev().copied().find(|t| left <= *t)
}

/// One settlement day of a supply point, best runs: import Wh with statuses, and reactive import.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Day {
    pub import: Option<(Vec<i32>, String)>,
    pub reactive: Option<Vec<i32>>,
}

/// What the rules need of a supply point: its capacity, when it was energised, and its days from
/// [`Window::reference_from`] to today.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyPointDays {
    pub id: i64,
    pub organisation_id: i64,
    pub site_id: i64,
    pub agreed_capacity_kva: f64,
    pub energised_from: NaiveDate,
    pub energised_to: Option<NaiveDate>,
    pub days: BTreeMap<NaiveDate, Day>,
}

/// An alert to raise (the store keeps it unless one of the same rule, subject and day exists).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub organisation_id: i64,
    pub site_id: Option<i64>,
    pub supply_point_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub rule: Rule,
    pub day: NaiveDate,
    pub measured: f64,
    pub reference: f64,
    pub period: Option<i16>,
}

/// What the rules found for one supply point: alerts to raise, and the gap-window days that now
/// have every half-hour (a data-gap alert on one of them is resolved).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    pub raise: Vec<NewAlert>,
    pub complete_days: Vec<NaiveDate>,
}

impl SupplyPointDays {
    fn energised_on(&self, day: NaiveDate) -> bool {
        day >= self.energised_from && self.energised_to.is_none_or(|to| day <= to)
    }

    fn alert(
        &self,
        rule: Rule,
        day: NaiveDate,
        measured: f64,
        reference: f64,
        period: Option<i16>,
    ) -> NewAlert {
        NewAlert {
            organisation_id: self.organisation_id,
            site_id: Some(self.site_id),
            supply_point_id: Some(self.id),
            contract_id: None,
            rule,
            day,
            measured,
            reference,
            period,
        }
    }

    fn day_kw(&self, day: NaiveDate) -> Option<f64> {
        let (vals, statuses) = self.days.get(&day)?.import.as_ref()?;
        mean_kw(day, vals, statuses)
    }
}

/// Runs the capacity, data-gap and profile rules over the window's days of one supply point.
pub fn evaluate(w: &Window, sp: &SupplyPointDays) -> Evaluation {
    let mut out = Evaluation::default();
    for day in w.from.iter_days().take_while(|d| *d <= w.today) {
        if !sp.energised_on(day) {
            continue;
        }
        let data = sp.days.get(&day);
        let import = data.and_then(|d| d.import.as_ref());
        if day <= w.gaps_to {
            let missing = match import {
                Some((_, statuses)) => statuses.bytes().filter(|s| *s == b'M').count(),
                None => usize::from(periods_in_day(day)),
            };
            if missing > 0 {
                let periods = f64::from(periods_in_day(day));
                out.raise
                    .push(sp.alert(Rule::DataGap, day, missing as f64, periods, None));
            } else {
                out.complete_days.push(day);
            }
        }
        let Some((vals, _)) = import else { continue };
        let reactive = data.and_then(|d| d.reactive.as_deref());
        if let Some((period, kva)) = peak_kva(vals, reactive) {
            if kva > sp.agreed_capacity_kva {
                let p = i16::from(period);
                out.raise
                    .push(sp.alert(Rule::Capacity, day, kva, sp.agreed_capacity_kva, Some(p)));
            }
        }
        if let Some(kw) = sp.day_kw(day) {
            let reference: Vec<f64> = (1..=PROFILE_WEEKS)
                .filter_map(|k| sp.day_kw(day - TimeDelta::days(7 * k)))
                .collect();
            if let Some(base) = out_of_profile(kw, &reference) {
                let window = ProfileWindow::of(day).code();
                out.raise
                    .push(sp.alert(Rule::OutOfProfile, day, kw, base, Some(window)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn peak_kva_combines_import_and_reactive_per_half_hour() {
        // 300 kWh and 400 kVArh in a half-hour: 2 × 500 = 1000 kVA.
        let import = [100_000, 300_000, 200_000];
        let reactive = [0, 400_000, 0];
        assert_eq!(peak_kva(&import, Some(&reactive)), Some((2, 1000.0)));
        assert_eq!(peak_kva(&import, None), Some((2, 600.0)));
        assert_eq!(peak_kva(&[], None), None);
    }

    #[test]
    fn the_night_window_follows_local_time_on_clock_change_days() {
        // A flat 10 kW (5,000 Wh a half-hour) reads 10 kW every night, 46, 48 or 50 periods.
        for (day, periods) in [("2026-03-29", 46), ("2026-10-25", 50), ("2026-11-10", 48)] {
            let vals = vec![5_000; periods];
            let st = "A".repeat(periods);
            let kw = mean_kw(d(day), &vals, &st).unwrap();
            assert!((kw - 10.0).abs() < 1e-9, "{day}: {kw}");
        }
        // A Monday night with extra load only between 05:00 and 06:00: outside the window.
        let mut vals = vec![5_000; 48];
        vals[10] = 50_000;
        vals[11] = 50_000;
        assert!((mean_kw(d("2026-11-09"), &vals, &"A".repeat(48)).unwrap() - 10.0).abs() < 1e-9);
        vals[9] = 50_000; // 04:30 is in the window.
        assert!(mean_kw(d("2026-11-09"), &vals, &"A".repeat(48)).unwrap() > 10.0);
    }

    #[test]
    fn missing_half_hours_are_not_zeros() {
        let vals = vec![5_000; 48];
        let mut st = vec![b'A'; 48];
        for s in st.iter_mut().take(4) {
            *s = b'M';
        }
        let kw = mean_kw(d("2026-11-10"), &vals, std::str::from_utf8(&st).unwrap()).unwrap();
        assert!((kw - 10.0).abs() < 1e-9);
        // Under half the night with values: no measure at all.
        let st = "M".repeat(6) + &"A".repeat(42);
        assert_eq!(mean_kw(d("2026-11-10"), &vals, &st), None);
    }

    #[test]
    fn out_of_profile_needs_both_the_margin_and_the_floor_and_a_history() {
        assert_eq!(out_of_profile(40.0, &[20.0, 20.0, 20.0, 20.0]), Some(20.0));
        // +25 % exactly is not above it.
        assert_eq!(out_of_profile(25.0, &[20.0, 20.0, 20.0]), None);
        // +100 % but only 2 kW: a small load.
        assert_eq!(out_of_profile(4.0, &[2.0, 2.0, 2.0, 2.0]), None);
        // Two weeks of history are not a profile.
        assert_eq!(out_of_profile(400.0, &[20.0, 20.0]), None);
    }

    #[test]
    fn renewal_thresholds_raise_the_nearest_one_only() {
        let today = d("2026-11-29");
        assert_eq!(renewal_threshold(today + TimeDelta::days(121), today), None);
        assert_eq!(renewal_threshold(today + TimeDelta::days(120), today), Some(120));
        assert_eq!(renewal_threshold(today + TimeDelta::days(61), today), Some(120));
        assert_eq!(renewal_threshold(today + TimeDelta::days(45), today), Some(60));
        assert_eq!(renewal_threshold(today + TimeDelta::days(30), today), Some(30));
        assert_eq!(renewal_threshold(today, today), Some(30));
        assert_eq!(renewal_threshold(today - TimeDelta::days(1), today), None);
    }

    fn flat(w: &Window, kw_night: i32, kw_day: i32) -> SupplyPointDays {
        let mut days = BTreeMap::new();
        for day in w.reference_from.iter_days().take_while(|d| *d <= w.today) {
            let vals: Vec<i32> = all_periods_utc(day)
                .map(|(_, t)| {
                    let kw = if t.with_timezone(&London).hour() < 6 {
                        kw_night
                    } else {
                        kw_day
                    };
                    kw * 500 // Wh in a half-hour
                })
                .collect();
            let st = "A".repeat(vals.len());
            let reactive = vec![0; vals.len()];
            days.insert(
                day,
                Day {
                    import: Some((vals, st)),
                    reactive: Some(reactive),
                },
            );
        }
        SupplyPointDays {
            id: 7,
            organisation_id: 1,
            site_id: 3,
            agreed_capacity_kva: 200.0,
            energised_from: d("2020-01-01"),
            energised_to: None,
            days,
        }
    }

    #[test]
    fn normal_data_over_a_clock_change_raises_nothing() {
        // The window (3 Oct to 2 Nov 2026) holds the autumn change (Sun 25 Oct, 50 periods), and the
        // reference weeks of its first days the spring-to-autumn run of 48-period days.
        let w = Window::of(d("2026-11-02"));
        let sp = flat(&w, 40, 150);
        let e = evaluate(&w, &sp);
        assert_eq!(e.raise, vec![]);
        assert_eq!(e.complete_days.len(), 25);
    }

    #[test]
    fn a_breach_a_gap_and_a_night_step_raise_one_alert_each() {
        let w = Window::of(d("2026-11-02"));
        let mut sp = flat(&w, 40, 150);
        // 17:30 on Tue 20 Oct: 120 kWh in the half-hour is 240 kW, with 80 kVArh: 2·√(120²+80²) ≈ 288 kVA.
        let day = sp.days.get_mut(&d("2026-10-20")).unwrap();
        day.import.as_mut().unwrap().0[35] = 120_000;
        day.reactive.as_mut().unwrap()[35] = 80_000;
        // No data at all on Thu 15 Oct; and none on Fri 30 Oct, too recent to count as a gap.
        sp.days.remove(&d("2026-10-15"));
        sp.days.remove(&d("2026-10-30"));
        // Wed 28 Oct: 70 kW through the night against 40 before.
        let day = sp.days.get_mut(&d("2026-10-28")).unwrap();
        for v in day.import.as_mut().unwrap().0.iter_mut().take(10) {
            *v = 35_000;
        }
        let e = evaluate(&w, &sp);
        let got: Vec<(Rule, NaiveDate, i64, i64, Option<i16>)> = e
            .raise
            .iter()
            .map(|a| {
                (
                    a.rule,
                    a.day,
                    a.measured.round() as i64,
                    a.reference.round() as i64,
                    a.period,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Rule::DataGap, d("2026-10-15"), 48, 48, None),
                (Rule::Capacity, d("2026-10-20"), 288, 200, Some(36)),
                (Rule::OutOfProfile, d("2026-10-28"), 70, 40, Some(1)),
            ]
        );
        assert!(!e.complete_days.contains(&d("2026-10-15")));
    }

    #[test]
    fn days_outside_energisation_are_not_gaps() {
        let w = Window::of(d("2026-11-02"));
        let mut sp = flat(&w, 40, 150);
        sp.energised_from = d("2026-10-20");
        sp.days.retain(|day, _| *day >= d("2026-10-20"));
        let e = evaluate(&w, &sp);
        // A new supply point: no gaps before it was energised, no profile without 3 weeks of history.
        assert_eq!(e.raise, vec![]);
    }
}
