//! An account manager's view of a customer at a glance: the figures that say whether they need a
//! call this week, the windows those figures cover, what counts as needing attention, and how
//! the list sorts. Pure: the store fills `CustomerHealth`, the page shows and sorts it.
use chrono::{Datelike, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::settlement_time::periods_in_day;

/// Consumption is compared over this many settlement days (and the same number before).
pub const CONSUMPTION_DAYS: i64 = 30;
/// Data gaps are counted over this many days…
pub const GAP_WINDOW_DAYS: i64 = 30;
/// …ending this many days ago: the interim settlement run (II) comes about 5 working days after
/// the day, so a half-hour younger than a week may simply not be published yet.
pub const FIRST_RUN_DAYS: i64 = 7;
/// Contracts ending within this many days (and with no contract following them) are listed.
pub const RENEWAL_HORIZON_DAYS: i64 = 120;

/// The date ranges the figures of `today` cover (all inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub today: NaiveDate,
    /// The calendar month to date, for maximum demand against agreed capacity.
    pub month_from: NaiveDate,
    pub gaps_from: NaiveDate,
    pub gaps_to: NaiveDate,
    pub renewals_to: NaiveDate,
}

impl Windows {
    pub fn of(today: NaiveDate) -> Self {
        let gaps_to = today - TimeDelta::days(FIRST_RUN_DAYS);
        Windows {
            today,
            month_from: today.with_day(1).unwrap_or(today),
            gaps_from: gaps_to - TimeDelta::days(GAP_WINDOW_DAYS - 1),
            gaps_to,
            renewals_to: today + TimeDelta::days(RENEWAL_HORIZON_DAYS),
        }
    }

    /// Each day of the gap window with its number of settlement periods (46, 48 or 50), so the
    /// store counts a day without any data as that many missing half-hours.
    pub fn gap_days(&self) -> (Vec<NaiveDate>, Vec<i32>) {
        self.gaps_from
            .iter_days()
            .take_while(|d| *d <= self.gaps_to)
            .map(|d| (d, i32::from(periods_in_day(d))))
            .unzip()
    }
}

/// One customer's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerHealth {
    pub organisation_id: i64,
    pub name: String,
    pub account_number: String,
    /// Display names of the account managers assigned (shown to operations).
    pub account_managers: Vec<String>,
    /// The last settlement day of the consumption window: the latest day with import data.
    pub consumption_to: Option<NaiveDate>,
    pub kwh_last: f64,
    pub kwh_previous: f64,
    pub overdue_invoices: i64,
    pub overdue_pence: i64,
    pub open_queries: i64,
    /// Supply points whose highest half-hourly kVA this month is above their agreed capacity.
    pub over_capacity_points: i64,
    /// Supply points with missing half-hours in the gap window, and how many half-hours.
    pub gap_points: i64,
    pub missing_periods: i64,
    pub contracts_ending: i64,
    pub next_contract_end: Option<NaiveDate>,
}

impl CustomerHealth {
    /// Consumption change against the previous window, in %, when both windows have data.
    pub fn consumption_change_percent(&self) -> Option<f64> {
        (self.kwh_previous > 0.0).then(|| 100.0 * (self.kwh_last - self.kwh_previous) / self.kwh_previous)
    }

    /// How many of the figures call for action: overdue money, open queries, a capacity breach,
    /// missing data, a contract to renew.
    pub fn attention(&self) -> u8 {
        [
            self.overdue_invoices > 0,
            self.open_queries > 0,
            self.over_capacity_points > 0,
            self.missing_periods > 0,
            self.contracts_ending > 0,
        ]
        .into_iter()
        .map(u8::from)
        .sum()
    }
}

/// The columns the list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    Attention,
    Name,
    Consumption,
    Change,
    Overdue,
    Queries,
    Capacity,
    Gaps,
    Renewal,
}

impl SortBy {
    pub const ALL: [SortBy; 9] = [
        SortBy::Attention,
        SortBy::Name,
        SortBy::Consumption,
        SortBy::Change,
        SortBy::Overdue,
        SortBy::Queries,
        SortBy::Capacity,
        SortBy::Gaps,
        SortBy::Renewal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Attention => "attention",
            SortBy::Name => "name",
            SortBy::Consumption => "consumption",
            SortBy::Change => "change",
            SortBy::Overdue => "overdue",
            SortBy::Queries => "queries",
            SortBy::Capacity => "capacity",
            SortBy::Gaps => "gaps",
            SortBy::Renewal => "renewal",
        }
    }

    /// An unknown name sorts by attention (the list's default), never fails the page.
    pub fn parse(s: &str) -> SortBy {
        SortBy::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(SortBy::Attention)
    }

    /// Whether the column first sorts high to low (numbers that call for action) or A to Z
    /// (names) / soonest first (renewal dates).
    pub fn descending_by_default(self) -> bool {
        !matches!(self, SortBy::Name | SortBy::Renewal)
    }
}

/// Sorts `rows` by `by` (`descending` flips the natural order); ties by name, so the order is
/// stable whatever the database returned. Missing values (no data, no renewal) go last.
pub fn sort(rows: &mut [CustomerHealth], by: SortBy, descending: bool) {
    use std::cmp::Ordering;
    fn opt<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => {
                let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
                if descending {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    rows.sort_by(|a, b| {
        let key = match by {
            SortBy::Attention => opt(
                Some((a.attention(), a.overdue_pence)),
                Some((b.attention(), b.overdue_pence)),
                descending,
            ),
            SortBy::Name => {
                let o = a.name.to_lowercase().cmp(&b.name.to_lowercase());
                if descending {
                    o.reverse()
                } else {
                    o
                }
            }
            SortBy::Consumption => opt(
                a.consumption_to.map(|_| a.kwh_last),
                b.consumption_to.map(|_| b.kwh_last),
                descending,
            ),
            SortBy::Change => opt(
                a.consumption_change_percent(),
                b.consumption_change_percent(),
                descending,
            ),
            SortBy::Overdue => opt(Some(a.overdue_pence), Some(b.overdue_pence), descending),
            SortBy::Queries => opt(Some(a.open_queries), Some(b.open_queries), descending),
            SortBy::Capacity => opt(
                Some(a.over_capacity_points),
                Some(b.over_capacity_points),
                descending,
            ),
            SortBy::Gaps => opt(Some(a.missing_periods), Some(b.missing_periods), descending),
            SortBy::Renewal => opt(a.next_contract_end, b.next_contract_end, descending),
        };
        key.then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(crate) fn health(name: &str) -> CustomerHealth {
        CustomerHealth {
            organisation_id: 1,
            name: name.into(),
            account_number: "A1".into(),
            account_managers: vec![],
            consumption_to: Some(d(2026, 11, 23)),
            kwh_last: 1000.0,
            kwh_previous: 800.0,
            overdue_invoices: 0,
            overdue_pence: 0,
            open_queries: 0,
            over_capacity_points: 0,
            gap_points: 0,
            missing_periods: 0,
            contracts_ending: 0,
            next_contract_end: None,
        }
    }

    #[test]
    fn the_windows_follow_today() {
        let w = Windows::of(d(2026, 11, 29));
        assert_eq!(w.month_from, d(2026, 11, 1));
        assert_eq!(w.gaps_to, d(2026, 11, 22));
        assert_eq!(w.gaps_from, d(2026, 10, 24));
        assert_eq!(w.renewals_to, d(2027, 3, 29));
        let (days, periods) = w.gap_days();
        assert_eq!(days.len(), 30);
        assert_eq!(days.first(), Some(&d(2026, 10, 24)));
        // The autumn clock change falls in this window: 25 October 2026 has 50 half-hours.
        let i = days.iter().position(|x| *x == d(2026, 10, 25)).unwrap();
        assert_eq!(periods[i], 50);
        assert_eq!(periods.iter().map(|p| i64::from(*p)).sum::<i64>(), 30 * 48 + 2);
    }

    #[test]
    fn attention_counts_each_kind_of_trouble_once() {
        let mut h = health("A");
        assert_eq!(h.attention(), 0);
        h.overdue_invoices = 3;
        h.overdue_pence = 120_000;
        h.open_queries = 1;
        h.missing_periods = 48;
        assert_eq!(h.attention(), 3);
        h.over_capacity_points = 2;
        h.contracts_ending = 1;
        assert_eq!(h.attention(), 5);
    }

    #[test]
    fn change_needs_a_previous_window() {
        let mut h = health("A");
        assert_eq!(h.consumption_change_percent(), Some(25.0));
        h.kwh_previous = 0.0;
        assert_eq!(h.consumption_change_percent(), None);
    }

    #[test]
    fn sorting_puts_trouble_first_and_missing_values_last() {
        let mut quiet = health("Quiet Ltd");
        quiet.next_contract_end = None;
        let mut owing = health("Owing plc");
        owing.overdue_invoices = 1;
        owing.overdue_pence = 50_000;
        owing.next_contract_end = Some(d(2027, 1, 31));
        let mut busy = health("Busy Ltd");
        busy.overdue_invoices = 1;
        busy.overdue_pence = 10_000;
        busy.open_queries = 2;
        busy.next_contract_end = Some(d(2026, 12, 31));
        let mut rows = vec![quiet.clone(), owing.clone(), busy.clone()];

        sort(&mut rows, SortBy::Attention, true);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Busy Ltd", "Owing plc", "Quiet Ltd"]);

        sort(&mut rows, SortBy::Overdue, true);
        assert_eq!(rows[0].name, "Owing plc");

        sort(&mut rows, SortBy::Renewal, false);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["Busy Ltd", "Owing plc", "Quiet Ltd"],
            "soonest first, none last"
        );

        sort(&mut rows, SortBy::Name, false);
        assert_eq!(rows[0].name, "Busy Ltd");
        assert_eq!(SortBy::parse("nonsense"), SortBy::Attention);
        for k in SortBy::ALL {
            assert_eq!(SortBy::parse(k.as_str()), k);
        }
    }
}
