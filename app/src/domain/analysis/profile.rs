//! Average day profiles: the mean kWh of each half-hour of the UK clock day, for weekdays,
//! Saturdays and Sundays separately. On an autumn clock-change day the repeated hour counts twice
//! into its clock slots; on a spring day the skipped hour adds nothing.
use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use super::HalfHour;

/// Half-hour slots of a clock day, 00:00 to 23:30.
pub const SLOTS: usize = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday (bank holidays are not known here and count as weekdays).
    Weekday,
    Saturday,
    Sunday,
}

impl DayKind {
    pub const ALL: [DayKind; 3] = [Self::Weekday, Self::Saturday, Self::Sunday];

    pub fn of(date: NaiveDate) -> Self {
        match date.weekday() {
            Weekday::Sat => Self::Saturday,
            Weekday::Sun => Self::Sunday,
            _ => Self::Weekday,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Weekday => "Weekdays",
            Self::Saturday => "Saturdays",
            Self::Sunday => "Sundays",
        }
    }
}

/// The clock slot (0–47) a half-hour starts in.
pub fn slot(h: &HalfHour) -> usize {
    let t = h.local_time();
    (t.hour() * 2 + t.minute() / 30) as usize
}

#[derive(Debug, Clone, PartialEq)]
pub struct DayProfile {
    pub kind: DayKind,
    /// Days of this kind with at least one value.
    pub days: usize,
    /// Mean kWh per clock slot; `None` where no day of this kind had a value.
    pub slots: Vec<Option<f64>>,
}

impl DayProfile {
    /// The mean kWh of the whole profiled day (sum of the slot means).
    pub fn day_kwh(&self) -> f64 {
        self.slots.iter().flatten().sum()
    }
}

/// The mean profile of the half-hours given, whatever their day.
pub fn mean_profile(half_hours: impl IntoIterator<Item = HalfHour>) -> (usize, Vec<Option<f64>>) {
    let mut sum = vec![0.0; SLOTS];
    let mut count = vec![0u32; SLOTS];
    let mut days = BTreeSet::new();
    for h in half_hours.into_iter().filter(HalfHour::has_value) {
        let s = slot(&h);
        sum[s] += h.kwh;
        count[s] += 1;
        days.insert(h.date);
    }
    let slots = sum
        .iter()
        .zip(&count)
        .map(|(s, c)| (*c > 0).then(|| s / f64::from(*c)))
        .collect();
    (days.len(), slots)
}

/// Weekday, Saturday and Sunday profiles, in that order (a kind with no data has no values).
pub fn day_profiles(half_hours: &[HalfHour]) -> Vec<DayProfile> {
    DayKind::ALL
        .into_iter()
        .map(|kind| {
            let (days, slots) =
                mean_profile(half_hours.iter().copied().filter(|h| DayKind::of(h.date) == kind));
            DayProfile { kind, days, slots }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::half_hours;
    use super::super::testing::day;
    use super::*;

    #[test]
    fn weekdays_and_weekends_average_separately() {
        // Mon 12 and Tue 13 Jan 2026 at 1 and 3 kWh a period; Sat 17 at 0.5 kWh.
        let days = vec![
            day("2026-01-12", |_| 1000),
            day("2026-01-13", |_| 3000),
            day("2026-01-17", |_| 500),
        ];
        let hh: Vec<HalfHour> = half_hours(&days).collect();
        let p = day_profiles(&hh);
        assert_eq!(p[0].kind, DayKind::Weekday);
        assert_eq!(p[0].days, 2);
        assert_eq!(p[0].slots[0], Some(2.0));
        assert_eq!(p[1].slots[47], Some(0.5));
        assert_eq!((p[2].days, p[2].slots[0]), (0, None));
        assert_eq!(p[0].day_kwh(), 96.0);
    }

    #[test]
    fn the_repeated_autumn_hour_is_averaged_into_its_clock_slots() {
        // Sun 25 Oct 2026 has 50 periods: 01:00 is periods 3 and 5. Values = period × 1 kWh.
        let hh: Vec<HalfHour> = half_hours(&[day("2026-10-25", |p| i32::from(p) * 1000)]).collect();
        let p = day_profiles(&hh);
        let sunday = &p[2];
        assert_eq!(sunday.slots[2], Some(4.0)); // (3 + 5) / 2
        assert_eq!(sunday.slots[3], Some(5.0)); // (4 + 6) / 2
        assert_eq!(sunday.slots[4], Some(7.0)); // 02:00 is period 7
        assert_eq!(sunday.slots[47], Some(50.0));
    }

    #[test]
    fn the_skipped_spring_hour_has_no_value() {
        // Sun 29 Mar 2026 has 46 periods: 01:00–02:00 does not exist.
        let hh: Vec<HalfHour> = half_hours(&[day("2026-03-29", |_| 1000)]).collect();
        let sunday = &day_profiles(&hh)[2];
        assert_eq!((sunday.slots[2], sunday.slots[3]), (None, None));
        assert_eq!(sunday.slots[4], Some(1.0));
        assert_eq!(sunday.day_kwh(), 46.0);
    }
}
