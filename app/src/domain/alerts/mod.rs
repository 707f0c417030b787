//! Alerts that are not noisy: the four rules, what each measures and when it fires, and how an
//! alert reads. Pure: the store feeds it settlement days and contracts and keeps what it raises
//! (at most one alert per rule per supply point per settlement day, one per contract per renewal
//! threshold); the page and the e-mail digest show them through [`Alert::headline`] and
//! [`group`], which folds a run of days (a week-long data gap) into one line.
pub mod rules;
pub mod view;

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::customer_health::FIRST_RUN_DAYS;
pub use rules::{
    evaluate, mean_kw, out_of_profile, peak_kva, renewal_threshold, Day, Evaluation, NewAlert, ProfileWindow,
    SupplyPointDays,
};
pub use view::{group, parse_ids, uk_day_time, Alert, AlertGroup, AlertStatus};

/// Days are evaluated back this far from today: a backfill of last year's data raises nothing,
/// a late first settlement run of last week still does.
pub const LOOKBACK_DAYS: i64 = 31;
/// Out of profile compares a day with the same weekday over this many weeks before it…
pub const PROFILE_WEEKS: i64 = 4;
/// …of which at least this many must have data (a new supply point has no profile yet).
pub const PROFILE_MIN_WEEKS: usize = 3;
/// …and fires when the day's mean load is above their mean by this share…
pub const PROFILE_MARGIN: f64 = 0.25;
/// …and by at least this many kW (a small load doubling from 1 to 2 kW is not news).
pub const PROFILE_FLOOR_KW: f64 = 5.0;
/// A measuring window needs at least this share of its half-hours with a value.
pub(crate) const PROFILE_MIN_COVERAGE: f64 = 0.5;
/// The base-load window on a weekday: local 00:00 to 05:00.
pub(crate) const NIGHT_END_HOUR: u32 = 5;
/// Renewal alerts as the end of a contract (with nothing after it) comes closer.
pub const RENEWAL_THRESHOLDS: [i64; 3] = [120, 60, 30];

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Capacity,
    DataGap,
    OutOfProfile,
    Renewal,
}

impl Rule {
    pub const ALL: [Rule; 4] = [Rule::Capacity, Rule::DataGap, Rule::OutOfProfile, Rule::Renewal];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Capacity => "capacity",
            Rule::DataGap => "data_gap",
            Rule::OutOfProfile => "out_of_profile",
            Rule::Renewal => "renewal",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Rule::Capacity => "Capacity breach",
            Rule::DataGap => "Data gap",
            Rule::OutOfProfile => "Out of profile",
            Rule::Renewal => "Contract renewal",
        }
    }

    /// When the rule fires, as the preferences list says it.
    pub fn explanation(self) -> String {
        match self {
            Rule::Capacity => {
                "A half-hour's apparent power (kVA, from import and reactive energy) went above the \
                 supply point's agreed capacity: excess capacity charges may follow."
                    .into()
            }
            Rule::DataGap => format!(
                "Half-hours still missing {FIRST_RUN_DAYS} days after the day, when the first \
                 settlement run (II) should have brought them."
            ),
            Rule::OutOfProfile => format!(
                "Night base load (00:00–05:00) on a weekday, or the whole day's load at a weekend, \
                 more than {:.0} % and {PROFILE_FLOOR_KW:.0} kW above the same weekday's over the \
                 previous {PROFILE_WEEKS} weeks: plant left running, a fault, a new load.",
                PROFILE_MARGIN * 100.0
            ),
            Rule::Renewal => format!(
                "A contract ends within {} days and nothing follows it (alerts at {}, {} and {} days).",
                RENEWAL_THRESHOLDS[0], RENEWAL_THRESHOLDS[0], RENEWAL_THRESHOLDS[1], RENEWAL_THRESHOLDS[2]
            ),
        }
    }
}

/// The days each rule looks at as of `today` (inclusive ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub today: NaiveDate,
    /// Capacity and profile: `from..=today`.
    pub from: NaiveDate,
    /// Data gaps: `from..=gaps_to`, days old enough for the first settlement run.
    pub gaps_to: NaiveDate,
    /// The earliest day the profile rule reads (the reference weeks of `from`).
    pub reference_from: NaiveDate,
    /// Contracts ending `today..=renewals_to`.
    pub renewals_to: NaiveDate,
}

impl Window {
    pub fn of(today: NaiveDate) -> Self {
        let from = today - TimeDelta::days(LOOKBACK_DAYS);
        Window {
            today,
            from,
            gaps_to: today - TimeDelta::days(FIRST_RUN_DAYS),
            reference_from: from - TimeDelta::days(7 * PROFILE_WEEKS),
            renewals_to: today + TimeDelta::days(RENEWAL_THRESHOLDS[0]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn windows_of_a_day() {
        let w = Window::of(d("2026-11-28"));
        assert_eq!(w.from, d("2026-10-28"));
        assert_eq!(w.gaps_to, d("2026-11-21"));
        assert_eq!(w.reference_from, d("2026-09-30"));
        assert_eq!(w.renewals_to, d("2027-03-28"));
    }
}
