//! The ranges the consumption view offers, each with its bucket size and labels.
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::aggregate::Granularity;

/// A range ending at the latest data. On the wire and in URLs: `7d`, `30d`, `90d` or `12m`, so a
/// server fn taking it refuses any other value with a 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ConsumptionRange {
    #[serde(rename = "7d")]
    Days7,
    #[default]
    #[serde(rename = "30d")]
    Days30,
    #[serde(rename = "90d")]
    Days90,
    #[serde(rename = "12m")]
    Months12,
}

/// A string that names no range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown range {0:?}; use 7d, 30d, 90d or 12m")]
pub struct UnknownRange(pub String);

impl ConsumptionRange {
    pub const ALL: [ConsumptionRange; 4] = [Self::Days7, Self::Days30, Self::Days90, Self::Months12];

    /// The code used in URLs and server-fn arguments.
    pub fn code(self) -> &'static str {
        match self {
            Self::Days7 => "7d",
            Self::Days30 => "30d",
            Self::Days90 => "90d",
            Self::Months12 => "12m",
        }
    }

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Days7 => "7 days",
            Self::Days30 => "30 days",
            Self::Days90 => "90 days",
            Self::Months12 => "12 months",
        }
    }

    /// How a view over this range is captioned.
    pub fn description(self) -> &'static str {
        match self {
            Self::Days7 => "Last 7 days, half-hourly",
            Self::Days30 => "Last 30 days, daily",
            Self::Days90 => "Last 90 days, daily",
            Self::Months12 => "Last 12 months, monthly",
        }
    }

    pub fn granularity(self) -> Granularity {
        match self {
            Self::Days7 => Granularity::HalfHour,
            Self::Days30 | Self::Days90 => Granularity::Day,
            Self::Months12 => Granularity::Month,
        }
    }

    /// The first settlement date of the range that ends (exclusively) at `to`; 12 months start
    /// on the first of a month.
    pub fn start(self, to: NaiveDate) -> NaiveDate {
        match self {
            Self::Days7 => to - TimeDelta::days(7),
            Self::Days30 => to - TimeDelta::days(30),
            Self::Days90 => to - TimeDelta::days(90),
            Self::Months12 => NaiveDate::from_ymd_opt(to.year() - 1, to.month(), 1).unwrap_or(to),
        }
    }
}

impl FromStr for ConsumptionRange {
    type Err = UnknownRange;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| UnknownRange(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ranges_round_trip_through_their_codes() {
        for r in ConsumptionRange::ALL {
            assert_eq!(r.code().parse::<ConsumptionRange>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.code()));
        }
        assert!("1y".parse::<ConsumptionRange>().is_err());
        assert!(serde_json::from_str::<ConsumptionRange>("\"1y\"").is_err());
    }

    #[test]
    fn twelve_months_start_on_the_first_of_the_month_a_year_back() {
        let to = date(2026, 11, 17);
        assert_eq!(ConsumptionRange::Months12.start(to), date(2025, 11, 1));
        assert_eq!(ConsumptionRange::Days7.start(to), date(2026, 11, 10));
        assert_eq!(ConsumptionRange::Days90.granularity(), Granularity::Day);
    }
}
