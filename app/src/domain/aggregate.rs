//! Grouping half-hourly values into half-hours, hours and London-local days, weeks, months, quarters.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeDelta, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use crate::domain::settlement_time::local_day_start_utc;

/// Size of an aggregation bucket; days and longer follow the London calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    HalfHour,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
}

/// A string that names no granularity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown granularity {0:?}; expected half_hour, hour, day, week, month or quarter")]
pub struct UnknownGranularity(pub String);

impl Granularity {
    pub const ALL: [Granularity; 6] = [
        Self::HalfHour,
        Self::Hour,
        Self::Day,
        Self::Week,
        Self::Month,
        Self::Quarter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HalfHour => "half_hour",
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
        }
    }
}

impl FromStr for Granularity {
    type Err = UnknownGranularity;
    /// The names of `as_str` in any case, plus "halfhour", "half-hour" and "hh".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = s.trim().to_ascii_lowercase();
        match n.as_str() {
            "halfhour" | "half-hour" | "hh" => Ok(Self::HalfHour),
            _ => Self::ALL
                .into_iter()
                .find(|g| g.as_str() == n)
                .ok_or_else(|| UnknownGranularity(s.to_string())),
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn floor_secs(instant: DateTime<Utc>, step: i64) -> DateTime<Utc> {
    let ts = instant.timestamp();
    DateTime::from_timestamp(ts - ts.rem_euclid(step), 0).unwrap_or(instant)
}

/// First local date of the bucket holding local date `date`.
fn first_local_date(date: NaiveDate, g: Granularity) -> NaiveDate {
    let first = match g {
        Granularity::HalfHour | Granularity::Hour | Granularity::Day => Some(date),
        Granularity::Week => {
            date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        }
        Granularity::Month => date.with_day(1),
        Granularity::Quarter => NaiveDate::from_ymd_opt(date.year(), date.month0() / 3 * 3 + 1, 1),
    };
    first.unwrap_or(date)
}

/// Start of the bucket holding `instant`. Half-hours and hours are cut on UTC, which matches
/// London wall clocks (whole-hour offsets) and keeps the repeated autumn hour as two buckets;
/// longer buckets start at London local midnight, so a day holds 46, 48 or 50 half-hours.
pub fn bucket_start(instant: DateTime<Utc>, granularity: Granularity) -> DateTime<Utc> {
    match granularity {
        Granularity::HalfHour => floor_secs(instant, 1800),
        Granularity::Hour => floor_secs(instant, 3600),
        g => {
            let date = instant.with_timezone(&London).date_naive();
            local_day_start_utc(first_local_date(date, g)).unwrap_or(instant)
        }
    }
}

/// End (exclusive) of the bucket holding `instant`: the start of the next one.
pub fn bucket_end(instant: DateTime<Utc>, granularity: Granularity) -> DateTime<Utc> {
    let start = bucket_start(instant, granularity);
    let next_date = |first: NaiveDate| match granularity {
        Granularity::Week => first.checked_add_days(Days::new(7)),
        Granularity::Month => first.checked_add_months(Months::new(1)),
        Granularity::Quarter => first.checked_add_months(Months::new(3)),
        _ => first.succ_opt(),
    };
    let end = match granularity {
        Granularity::HalfHour => start.checked_add_signed(TimeDelta::minutes(30)),
        Granularity::Hour => start.checked_add_signed(TimeDelta::hours(1)),
        g => {
            let first = first_local_date(instant.with_timezone(&London).date_naive(), g);
            next_date(first).and_then(local_day_start_utc)
        }
    };
    end.unwrap_or(start)
}

/// Sums values by bucket, returned in time order; input order does not matter.
pub fn aggregate(points: &[(DateTime<Utc>, f64)], granularity: Granularity) -> Vec<(DateTime<Utc>, f64)> {
    let mut sums: BTreeMap<DateTime<Utc>, f64> = BTreeMap::new();
    for &(t, v) in points {
        *sums.entry(bucket_start(t, granularity)).or_insert(0.0) += v;
    }
    sums.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settlement_time::all_periods_utc;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ones_for_days(first: &str, days: u64) -> Vec<(DateTime<Utc>, f64)> {
        (0..days)
            .flat_map(|k| all_periods_utc(d(first) + Days::new(k)))
            .map(|(_, t)| (t, 1.0))
            .collect()
    }

    #[test]
    fn granularities_parse_from_their_names() {
        assert_eq!("hour".parse(), Ok(Granularity::Hour));
        assert_eq!(" Day ".parse(), Ok(Granularity::Day));
        assert_eq!("week".parse(), Ok(Granularity::Week));
        assert_eq!("month".parse(), Ok(Granularity::Month));
        assert_eq!("QUARTER".parse(), Ok(Granularity::Quarter));
        assert_eq!("half_hour".parse(), Ok(Granularity::HalfHour));
        assert_eq!("hh".parse(), Ok(Granularity::HalfHour));
        assert!("fortnight".parse::<Granularity>().is_err());
        for g in Granularity::ALL {
            assert_eq!(g.to_string().parse(), Ok(g));
        }
    }

    #[test]
    fn half_hour_and_hour_buckets_floor_the_instant() {
        let t = utc("2025-01-15T10:47:12Z");
        assert_eq!(
            bucket_start(t, Granularity::HalfHour),
            utc("2025-01-15T10:30:00Z")
        );
        assert_eq!(bucket_start(t, Granularity::Hour), utc("2025-01-15T10:00:00Z"));
        assert_eq!(bucket_end(t, Granularity::Hour), utc("2025-01-15T11:00:00Z"));
    }

    #[test]
    fn the_two_autumn_one_oclock_hours_are_separate_hour_buckets() {
        // 00:30Z is 01:30 BST and 01:30Z is 01:30 GMT on 2025-10-26.
        assert_eq!(
            bucket_start(utc("2025-10-26T00:30:00Z"), Granularity::Hour),
            utc("2025-10-26T00:00:00Z")
        );
        assert_eq!(
            bucket_start(utc("2025-10-26T01:30:00Z"), Granularity::Hour),
            utc("2025-10-26T01:00:00Z")
        );
    }

    #[test]
    fn a_day_bucket_starts_at_london_midnight() {
        assert_eq!(
            bucket_start(utc("2025-07-01T22:30:00Z"), Granularity::Day),
            utc("2025-06-30T23:00:00Z")
        );
        // 23:00Z on 1 July is midnight BST opening 2 July.
        assert_eq!(
            bucket_start(utc("2025-07-01T23:00:00Z"), Granularity::Day),
            utc("2025-07-01T23:00:00Z")
        );
        assert_eq!(
            bucket_end(utc("2025-10-26T12:00:00Z"), Granularity::Day),
            utc("2025-10-27T00:00:00Z")
        );
    }

    #[test]
    fn clock_change_days_sum_46_and_50_half_hours_into_one_bucket() {
        assert_eq!(
            aggregate(&ones_for_days("2025-10-26", 1), Granularity::Day),
            vec![(utc("2025-10-25T23:00:00Z"), 50.0)]
        );
        assert_eq!(
            aggregate(&ones_for_days("2025-03-30", 1), Granularity::Day),
            vec![(utc("2025-03-30T00:00:00Z"), 46.0)]
        );
    }

    #[test]
    fn weeks_start_on_monday_local_midnight() {
        // Wednesday 2025-07-16 → Monday 14 July, 00:00 BST.
        assert_eq!(
            bucket_start(utc("2025-07-16T12:00:00Z"), Granularity::Week),
            utc("2025-07-13T23:00:00Z")
        );
        // 22:30Z on Sunday 13 July is still Sunday locally: the week of Monday 7 July.
        assert_eq!(
            bucket_start(utc("2025-07-13T22:30:00Z"), Granularity::Week),
            utc("2025-07-06T23:00:00Z")
        );
        assert_eq!(
            bucket_end(utc("2025-07-16T12:00:00Z"), Granularity::Week),
            utc("2025-07-20T23:00:00Z")
        );
    }

    #[test]
    fn months_and_quarters_start_on_local_first_days() {
        assert_eq!(
            bucket_start(utc("2025-07-16T12:00:00Z"), Granularity::Month),
            utc("2025-06-30T23:00:00Z")
        );
        // 23:30Z on 31 March is 00:30 BST on 1 April.
        assert_eq!(
            bucket_start(utc("2025-03-31T23:30:00Z"), Granularity::Month),
            utc("2025-03-31T23:00:00Z")
        );
        assert_eq!(
            bucket_start(utc("2025-05-20T12:00:00Z"), Granularity::Quarter),
            utc("2025-03-31T23:00:00Z")
        );
        assert_eq!(
            bucket_start(utc("2025-12-31T23:30:00Z"), Granularity::Quarter),
            utc("2025-09-30T23:00:00Z")
        );
        assert_eq!(
            bucket_end(utc("2025-02-10T00:00:00Z"), Granularity::Quarter),
            utc("2025-03-31T23:00:00Z")
        );
        assert_eq!(
            bucket_end(utc("2025-10-10T00:00:00Z"), Granularity::Month),
            utc("2025-11-01T00:00:00Z")
        );
    }

    #[test]
    fn a_march_and_an_october_month_hold_1486_and_1490_half_hours() {
        // 31 × 48 − 2 and 31 × 48 + 2.
        assert_eq!(
            aggregate(&ones_for_days("2025-03-01", 31), Granularity::Month),
            vec![(utc("2025-03-01T00:00:00Z"), 1486.0)]
        );
        assert_eq!(
            aggregate(&ones_for_days("2025-10-01", 31), Granularity::Month),
            vec![(utc("2025-09-30T23:00:00Z"), 1490.0)]
        );
    }

    #[test]
    fn aggregation_sums_per_bucket_in_time_order_whatever_the_input_order() {
        let points = [
            (utc("2025-01-15T11:00:00Z"), 4.0),
            (utc("2025-01-15T10:00:00Z"), 1.5),
            (utc("2025-01-15T10:30:00Z"), 2.0),
        ];
        assert_eq!(
            aggregate(&points, Granularity::Hour),
            vec![
                (utc("2025-01-15T10:00:00Z"), 3.5),
                (utc("2025-01-15T11:00:00Z"), 4.0)
            ]
        );
        assert!(aggregate(&[], Granularity::Day).is_empty());
    }
}
