//! The carpet plot: one column per settlement day, one cell per settlement period (46, 48 or 50),
//! coloured by kWh. Waste out of hours shows as colour where the night or weekend should be pale.
use chrono::{Datelike, NaiveDate, Weekday};

use super::{half_hours, percentile};
use crate::domain::billing::MeterDay;
use crate::domain::settlement_time::periods_in_day;

/// The longest span a carpet covers: 13 months of days.
pub const MAX_DAYS: i64 = 397;

#[derive(Debug, Clone, PartialEq)]
pub struct CarpetDay {
    pub date: NaiveDate,
    pub weekend: bool,
    /// 46 or 50 on a clock-change day, else 48.
    pub periods: u8,
    /// kWh per period; `None` where the period is missing or the day has no data.
    pub cells: Vec<Option<f64>>,
}

impl CarpetDay {
    pub fn clock_change(&self) -> bool {
        self.periods != 48
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Carpet {
    /// Every day of the span in order, with or without data.
    pub days: Vec<CarpetDay>,
    /// The top of the colour scale: the 99th percentile of the values, so one spike does not
    /// wash the rest out (values above it take the top colour).
    pub scale_kwh: f64,
    pub max_kwh: f64,
}

/// The carpet of `[from, to]` (settlement dates, inclusive) from the days that have data.
pub fn carpet(days: &[MeterDay], from: NaiveDate, to: NaiveDate) -> Carpet {
    let mut out: Vec<CarpetDay> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|date| {
            let periods = periods_in_day(date);
            CarpetDay {
                date,
                weekend: matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                periods,
                cells: vec![None; usize::from(periods)],
            }
        })
        .collect();
    let mut values = Vec::new();
    for h in half_hours(days) {
        let Ok(i) = usize::try_from((h.date - from).num_days()) else {
            continue;
        };
        if let Some(cell) = out
            .get_mut(i)
            .and_then(|d| d.cells.get_mut(usize::from(h.period - 1)))
        {
            if h.has_value() {
                *cell = Some(h.kwh);
                values.push(h.kwh);
            }
        }
    }
    values.sort_unstable_by(f64::total_cmp);
    Carpet {
        days: out,
        scale_kwh: percentile(&values, 99.0).unwrap_or(0.0),
        max_kwh: values.last().copied().unwrap_or(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{date, day};
    use super::*;

    #[test]
    fn a_week_over_the_autumn_change_has_a_fifty_cell_sunday_and_empty_days_as_gaps() {
        let days = vec![
            day("2026-10-24", |_| 500),
            day("2026-10-25", |p| i32::from(p) * 10),
        ];
        let c = carpet(&days, date("2026-10-23"), date("2026-10-26"));
        assert_eq!(c.days.len(), 4);
        assert_eq!(
            c.days.iter().map(|d| d.periods).collect::<Vec<_>>(),
            vec![48, 48, 50, 48]
        );
        assert!(c.days[0].cells.iter().all(Option::is_none));
        assert!(c.days[2].clock_change() && c.days[2].weekend && !c.days[0].weekend);
        assert_eq!(c.days[2].cells[49], Some(0.5));
        assert_eq!(c.max_kwh, 0.5);
    }

    #[test]
    fn missing_periods_are_empty_cells_and_do_not_set_the_scale() {
        let mut d = day("2026-03-29", |_| 1000);
        d.active_wh[10] = 90_000;
        d.statuses[10] = b'M';
        let c = carpet(&[d], date("2026-03-29"), date("2026-03-29"));
        assert_eq!(c.days[0].cells.len(), 46);
        assert_eq!(c.days[0].cells[10], None);
        assert_eq!((c.scale_kwh, c.max_kwh), (1.0, 1.0));
    }

    #[test]
    fn the_scale_is_the_99th_percentile() {
        // 100 days × 48 periods at 1 kWh, and 10 spikes of 50 kWh: the spikes are above the
        // 99th percentile (4,800 values; 1 % is 48 values), so the scale stays at 1 kWh.
        let mut days: Vec<MeterDay> = (0..100)
            .map(|i| {
                let d = date("2026-01-05") + chrono::TimeDelta::days(i);
                day(&d.to_string(), |_| 1000)
            })
            .collect();
        for d in days.iter_mut().take(10) {
            d.active_wh[20] = 50_000;
        }
        let c = carpet(&days, date("2026-01-05"), date("2026-04-14"));
        assert_eq!(c.scale_kwh, 1.0);
        assert_eq!(c.max_kwh, 50.0);
    }
}
