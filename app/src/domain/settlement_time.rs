//! Settlement days and periods: half-hours counted on the Europe/London local day (46, 48 or 50).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

const HALF_HOUR_SECS: i64 = 1800;

/// Why a date, period or instant does not make a settlement period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettlementTimeError {
    #[error("settlement period must be 1 to 50, got {0}")]
    PeriodOutOfRange(u8),
    #[error("period {period} does not exist on {date}, which has {periods} periods")]
    NoSuchPeriod {
        date: NaiveDate,
        period: u8,
        periods: u8,
    },
    #[error("{0:?} is not on a half-hour boundary")]
    NotOnHalfHour(DateTime<Utc>),
    #[error("{0} is outside the supported range of dates")]
    DateOutOfRange(NaiveDate),
}

/// A settlement day: a local (Europe/London) calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SettlementDate(pub NaiveDate);

impl SettlementDate {
    pub fn date(self) -> NaiveDate {
        self.0
    }

    pub fn periods(self) -> u8 {
        periods_in_day(self)
    }

    /// The UTC instant of local midnight that opens this day.
    pub fn start_utc(self) -> Result<DateTime<Utc>, SettlementTimeError> {
        local_day_start_utc(self.0).ok_or(SettlementTimeError::DateOutOfRange(self.0))
    }
}

impl From<NaiveDate> for SettlementDate {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

impl fmt::Display for SettlementDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for SettlementDate {
    type Err = chrono::ParseError;
    /// ISO 8601 calendar date, e.g. `2025-03-30`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(Self)
    }
}

/// A settlement period number, 1 to 50; whether it exists on a given day is checked against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct SettlementPeriod(u8);

impl SettlementPeriod {
    pub const MAX: u8 = 50;

    pub fn new(period: u8) -> Result<Self, SettlementTimeError> {
        if (1..=Self::MAX).contains(&period) {
            Ok(Self(period))
        } else {
            Err(SettlementTimeError::PeriodOutOfRange(period))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for SettlementPeriod {
    type Error = SettlementTimeError;
    fn try_from(period: u8) -> Result<Self, Self::Error> {
        Self::new(period)
    }
}

impl From<SettlementPeriod> for u8 {
    fn from(period: SettlementPeriod) -> u8 {
        period.0
    }
}

impl fmt::Display for SettlementPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// UTC instant of local midnight opening `date` in London; `None` only at chrono's date limits.
pub(crate) fn local_day_start_utc(date: NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = date.and_time(NaiveTime::MIN);
    match London.from_local_datetime(&midnight) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        // London has never skipped midnight, but if tz data ever did, the day would open
        // at the first local half-hour that exists.
        LocalResult::None => (1..=6).find_map(|k| {
            let later = midnight.checked_add_signed(TimeDelta::minutes(30 * k))?;
            London
                .from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        }),
    }
}

/// Number of settlement periods on a local day: 46 in spring, 50 in autumn, else 48.
pub fn periods_in_day(date: impl Into<SettlementDate>) -> u8 {
    let date = date.into().0;
    let span = date
        .succ_opt()
        .and_then(|next| Some(local_day_start_utc(next)? - local_day_start_utc(date)?));
    match span {
        Some(span) => u8::try_from(span.num_seconds() / HALF_HOUR_SECS).unwrap_or(48),
        None => 48,
    }
}

/// Settlement periods in the days `[from, to)`: 48 a day, 46 and 50 on clock-change days.
pub fn periods_between(from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days()
        .take_while(|d| *d < to)
        .map(|d| i64::from(periods_in_day(d)))
        .sum()
}

/// UTC start of `period` on `date`; an error if the day has fewer periods.
pub fn period_start_utc(
    date: impl Into<SettlementDate>,
    period: SettlementPeriod,
) -> Result<DateTime<Utc>, SettlementTimeError> {
    let date = date.into();
    let periods = periods_in_day(date);
    if period.0 > periods {
        return Err(SettlementTimeError::NoSuchPeriod {
            date: date.0,
            period: period.0,
            periods,
        });
    }
    let offset = TimeDelta::seconds(HALF_HOUR_SECS * i64::from(period.0 - 1));
    date.start_utc()?
        .checked_add_signed(offset)
        .ok_or(SettlementTimeError::DateOutOfRange(date.0))
}

/// The settlement day and period that a half-hour starting at `instant` belongs to.
pub fn from_utc(instant: DateTime<Utc>) -> Result<(SettlementDate, SettlementPeriod), SettlementTimeError> {
    if instant.timestamp().rem_euclid(HALF_HOUR_SECS) != 0 || instant.timestamp_subsec_nanos() != 0 {
        return Err(SettlementTimeError::NotOnHalfHour(instant));
    }
    let date = SettlementDate(instant.with_timezone(&London).date_naive());
    let index = (instant - date.start_utc()?).num_seconds() / HALF_HOUR_SECS;
    let period = u8::try_from(index + 1).map_err(|_| SettlementTimeError::NotOnHalfHour(instant))?;
    Ok((date, SettlementPeriod::new(period)?))
}

/// Every period of `date` with its UTC start, in order: 46, 48 or 50 of them.
pub fn all_periods_utc(
    date: impl Into<SettlementDate>,
) -> impl Iterator<Item = (SettlementPeriod, DateTime<Utc>)> {
    let date = date.into();
    let start = date.start_utc().ok();
    let periods = if start.is_some() { periods_in_day(date) } else { 0 };
    (1..=periods).filter_map(move |p| {
        let t = start?.checked_add_signed(TimeDelta::seconds(HALF_HOUR_SECS * i64::from(p - 1)))?;
        Some((SettlementPeriod(p), t))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Offset, Timelike};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn p(n: u8) -> SettlementPeriod {
        SettlementPeriod::new(n).unwrap()
    }

    const SPRING: [&str; 3] = ["2024-03-31", "2025-03-30", "2026-03-29"];
    const AUTUMN: [&str; 3] = ["2024-10-27", "2025-10-26", "2026-10-25"];

    #[test]
    fn spring_clock_change_days_have_46_periods() {
        for day in SPRING {
            assert_eq!(periods_in_day(d(day)), 46, "{day}");
        }
    }

    #[test]
    fn autumn_clock_change_days_have_50_periods() {
        for day in AUTUMN {
            assert_eq!(periods_in_day(d(day)), 50, "{day}");
        }
    }

    #[test]
    fn ordinary_days_either_side_of_a_clock_change_have_48_periods() {
        for day in [
            "2025-03-29",
            "2025-03-31",
            "2025-10-25",
            "2025-10-27",
            "2025-07-01",
        ] {
            assert_eq!(periods_in_day(d(day)), 48, "{day}");
        }
    }

    #[test]
    fn a_winter_day_starts_at_midnight_utc_and_a_summer_day_an_hour_before() {
        assert_eq!(
            period_start_utc(d("2025-01-15"), p(1)),
            Ok(utc("2025-01-15T00:00:00Z"))
        );
        assert_eq!(
            period_start_utc(d("2025-07-01"), p(1)),
            Ok(utc("2025-06-30T23:00:00Z"))
        );
        assert_eq!(
            period_start_utc(d("2025-07-01"), p(48)),
            Ok(utc("2025-07-01T22:30:00Z"))
        );
    }

    #[test]
    fn on_a_spring_day_period_3_starts_at_two_oclock_local() {
        let day = d("2025-03-30");
        assert_eq!(period_start_utc(day, p(2)), Ok(utc("2025-03-30T00:30:00Z")));
        let third = period_start_utc(day, p(3)).unwrap();
        assert_eq!(third, utc("2025-03-30T01:00:00Z"));
        assert_eq!(third.with_timezone(&London).hour(), 2);
        assert_eq!(period_start_utc(day, p(46)), Ok(utc("2025-03-30T22:30:00Z")));
    }

    #[test]
    fn a_period_beyond_the_end_of_a_short_day_is_an_error_that_says_why() {
        let err = period_start_utc(d("2025-03-30"), p(49)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "period 49 does not exist on 2025-03-30, which has 46 periods"
        );
        assert!(period_start_utc(d("2025-03-30"), p(47)).is_err());
        assert!(period_start_utc(d("2025-01-15"), p(49)).is_err());
        assert!(period_start_utc(d("2025-10-26"), p(50)).is_ok());
    }

    #[test]
    fn the_repeated_autumn_hour_maps_to_periods_3_to_6() {
        for (day, prev) in [
            ("2024-10-27", "2024-10-26"),
            ("2025-10-26", "2025-10-25"),
            ("2026-10-25", "2026-10-24"),
        ] {
            let expected = [
                (1, format!("{prev}T23:00:00Z"), 0, 1),
                (2, format!("{prev}T23:30:00Z"), 30, 1),
                (3, format!("{day}T00:00:00Z"), 60, 1),
                (4, format!("{day}T00:30:00Z"), 90, 1),
                (5, format!("{day}T01:00:00Z"), 60, 0),
                (6, format!("{day}T01:30:00Z"), 90, 0),
                (7, format!("{day}T02:00:00Z"), 120, 0),
            ];
            for (n, instant, local_minutes, offset_hours) in expected {
                let t = utc(&instant);
                assert_eq!(period_start_utc(d(day), p(n)), Ok(t), "{day} period {n}");
                assert_eq!(from_utc(t), Ok((SettlementDate(d(day)), p(n))), "{instant}");
                let local = t.with_timezone(&London);
                assert_eq!(local.hour() * 60 + local.minute(), local_minutes, "{instant}");
                assert_eq!(local.offset().fix().local_minus_utc(), offset_hours * 3600);
            }
            let last = utc(&format!("{day}T23:30:00Z"));
            assert_eq!(period_start_utc(d(day), p(50)), Ok(last));
        }
    }

    #[test]
    fn every_period_of_every_clock_change_day_round_trips() {
        for day in SPRING.iter().chain(AUTUMN.iter()) {
            let date = d(day);
            let all: Vec<_> = all_periods_utc(date).collect();
            assert_eq!(all.len(), usize::from(periods_in_day(date)), "{day}");
            for (i, (period, start)) in all.iter().enumerate() {
                assert_eq!(usize::from(period.get()), i + 1);
                assert_eq!(period_start_utc(date, *period), Ok(*start));
                assert_eq!(from_utc(*start), Ok((SettlementDate(date), *period)));
            }
            for pair in all.windows(2) {
                assert_eq!(pair[1].1 - pair[0].1, TimeDelta::minutes(30), "{day}");
            }
            let next_day_start = SettlementDate(date.succ_opt().unwrap()).start_utc().unwrap();
            assert_eq!(all[all.len() - 1].1 + TimeDelta::minutes(30), next_day_start);
        }
    }

    #[test]
    fn an_instant_off_the_half_hour_is_rejected() {
        let err = from_utc(utc("2025-01-15T00:15:00Z")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2025-01-15T00:15:00Z is not on a half-hour boundary"
        );
        assert!(from_utc(utc("2025-01-15T00:30:01Z")).is_err());
        assert!(from_utc(utc("2025-01-15T00:30:00.5Z")).is_err());
    }

    #[test]
    fn the_first_half_hour_after_autumn_midnight_belongs_to_the_next_day() {
        assert_eq!(
            from_utc(utc("2024-10-28T00:00:00Z")),
            Ok((SettlementDate(d("2024-10-28")), p(1)))
        );
        assert_eq!(
            from_utc(utc("2025-06-30T23:00:00Z")),
            Ok((SettlementDate(d("2025-07-01")), p(1)))
        );
    }

    #[test]
    fn settlement_periods_outside_1_to_50_cannot_be_built() {
        assert_eq!(
            SettlementPeriod::new(0),
            Err(SettlementTimeError::PeriodOutOfRange(0))
        );
        assert_eq!(
            SettlementPeriod::new(51).unwrap_err().to_string(),
            "settlement period must be 1 to 50, got 51"
        );
        let de: serde::de::value::U8Deserializer<serde::de::value::Error> =
            serde::de::IntoDeserializer::into_deserializer(51u8);
        assert!(SettlementPeriod::deserialize(de).is_err());
    }

    #[test]
    fn dates_at_the_limits_of_chrono_do_not_panic() {
        assert_eq!(periods_in_day(NaiveDate::MAX), 48);
        let _ = periods_in_day(NaiveDate::MIN);
        let _ = all_periods_utc(NaiveDate::MAX).count();
        let _ = period_start_utc(NaiveDate::MIN, p(1));
    }

    #[test]
    fn periods_between_counts_clock_change_days() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(periods_between(d(3, 1), d(4, 1)), 31 * 48 - 2);
        assert_eq!(periods_between(d(10, 1), d(11, 1)), 31 * 48 + 2);
        assert_eq!(periods_between(d(1, 5), d(1, 5)), 0);
        assert_eq!(periods_between(d(1, 6), d(1, 5)), 0);
    }
}
