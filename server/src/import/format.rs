//! The CSV line format: header, fields, and what is wrong with a bad line.
use std::collections::HashMap;
use std::fmt;

use app::domain::channel::{Channel, ValueStatus};
use app::domain::mpan::MpanCore;
use app::domain::settlement_run::SettlementRun;
use app::domain::settlement_time::{periods_in_day, SettlementDate};
use chrono::{DateTime, NaiveDate, Utc};

use super::KnownSupply;

/// Bad lines beyond this many are counted, not listed.
pub const MAX_REPORTED_ERRORS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Where the columns are, from the header (any order; names case-insensitive).
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    mpan: usize,
    channel: usize,
    time: TimeColumns,
    value: usize,
    status: usize,
    run: usize,
}

#[derive(Debug, Clone, Copy)]
enum TimeColumns {
    IntervalStart(usize),
    DatePeriod { date: usize, period: usize },
}

impl Columns {
    pub fn from_header(header: &csv::ByteRecord) -> Result<Self, String> {
        let names: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (String::from_utf8_lossy(h).trim().to_ascii_lowercase(), i))
            .collect();
        let col = |n: &str| names.get(n).copied();
        let need = |n: &str| col(n).ok_or_else(|| format!("the header has no `{n}` column"));
        let time = match (
            col("interval_start"),
            col("settlement_date"),
            col("settlement_period"),
        ) {
            (Some(i), None, None) => TimeColumns::IntervalStart(i),
            (None, Some(date), Some(period)) => TimeColumns::DatePeriod { date, period },
            (Some(_), _, _) => {
                return Err(
                    "give either `interval_start` or `settlement_date` + `settlement_period`, not both"
                        .into(),
                )
            }
            _ => {
                return Err(
                    "the header needs `interval_start`, or `settlement_date` and `settlement_period`".into(),
                )
            }
        };
        Ok(Columns {
            mpan: need("mpan_core")?,
            channel: need("channel")?,
            time,
            value: need("value")?,
            status: need("status")?,
            run: need("run")?,
        })
    }
}

/// One parsed value, resolved to its supply point and settlement day/period.
#[derive(Debug, Clone, Copy)]
pub struct HhValue {
    pub supply: KnownSupply,
    pub channel: Channel,
    pub run: SettlementRun,
    pub date: NaiveDate,
    /// 1-based settlement period.
    pub period: u8,
    pub periods_in_day: u8,
    /// Wh or VArh: the value in kWh/kVArh × 1000, exact.
    pub value_milli: i32,
    pub status: ValueStatus,
}

/// Caches the last settlement day seen: files come day by day, and the London-time arithmetic
/// then runs once per day instead of once per line.
#[derive(Default)]
pub struct DayCache {
    day: Option<(NaiveDate, DateTime<Utc>, DateTime<Utc>, u8)>,
}

impl DayCache {
    fn locate(&mut self, instant: DateTime<Utc>) -> Result<(NaiveDate, u8, u8), String> {
        if let Some((date, start, end, n)) = self.day {
            if instant >= start && instant < end {
                let secs = (instant - start).num_seconds();
                if secs % 1800 != 0 {
                    return Err(format!("{} is not on a half-hour boundary", instant.to_rfc3339()));
                }
                return Ok((date, (secs / 1800 + 1) as u8, n));
            }
        }
        let (date, period) = app::domain::settlement_time::from_utc(instant).map_err(|e| e.to_string())?;
        let start = date.start_utc().map_err(|e| e.to_string())?;
        let n = date.periods();
        let end = day_end(date.date(), start, n)?;
        self.day = Some((date.date(), start, end, n));
        Ok((date.date(), period.get(), n))
    }

    fn periods(&mut self, date: NaiveDate) -> Result<u8, String> {
        if let Some((d, _, _, n)) = self.day {
            if d == date {
                return Ok(n);
            }
        }
        let n = periods_in_day(SettlementDate(date));
        let start = SettlementDate(date).start_utc().map_err(|e| e.to_string())?;
        self.day = Some((date, start, day_end(date, start, n)?, n));
        Ok(n)
    }
}

/// The end of a settlement day; an error, not an overflow, at the end of chrono's calendar
/// (`settlement_date` accepts signed years up to +262142: found by the `import_csv` fuzz target).
fn day_end(date: NaiveDate, start: DateTime<Utc>, periods: u8) -> Result<DateTime<Utc>, String> {
    start
        .checked_add_signed(chrono::TimeDelta::seconds(1800 * i64::from(periods)))
        .ok_or_else(|| format!("{date} is outside the supported range of dates"))
}

fn field<'r>(rec: &'r csv::ByteRecord, i: usize, name: &str) -> Result<&'r str, String> {
    let raw = rec.get(i).ok_or_else(|| format!("missing `{name}` field"))?;
    std::str::from_utf8(raw)
        .map(str::trim)
        .map_err(|_| format!("`{name}` is not valid UTF-8"))
}

/// A decimal kWh/kVArh value to thousandths, exactly: no float rounding.
pub fn parse_milli(s: &str) -> Result<i32, String> {
    let bad = || format!("value {s:?} is not a number");
    if s.starts_with('-') {
        return Err(format!(
            "value {s} is negative; import and export are separate channels"
        ));
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > 3 {
        return Err(format!("value {s} has more than 3 decimal places"));
    }
    let too_large = || format!("value {s} is implausibly large for a half-hour");
    // Digits only by now, so a failed parse is an overflow.
    let int: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| too_large())?
    };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    for _ in frac.len()..3 {
        f *= 10;
    }
    // Checked: unchecked, a release build wrapped e.g. 18446744073709552 kWh round to 384 Wh
    // (found by the `import_csv` fuzz target, where overflow checks are on).
    int.checked_mul(1000)
        .and_then(|wh| wh.checked_add(f))
        .and_then(|wh| i32::try_from(wh).ok())
        .ok_or_else(too_large)
}

pub fn parse_line(
    rec: &csv::ByteRecord,
    cols: &Columns,
    known: &HashMap<u64, KnownSupply>,
    days: &mut DayCache,
) -> Result<HhValue, String> {
    let mpan_text = field(rec, cols.mpan, "mpan_core")?;
    let mpan = MpanCore::parse(mpan_text).map_err(|e| format!("MPAN {mpan_text:?}: {e}"))?;
    let supply = *known
        .get(&mpan_text.parse::<u64>().unwrap_or_default())
        .ok_or_else(|| format!("unknown MPAN {mpan}: not a supply point in the portal"))?;
    let channel: Channel = field(rec, cols.channel, "channel")?
        .parse()
        .map_err(|e| format!("{e}"))?;
    let run: SettlementRun = field(rec, cols.run, "run")?.parse().map_err(|e| format!("{e}"))?;
    let status: ValueStatus = field(rec, cols.status, "status")?
        .parse()
        .map_err(|e| format!("{e}"))?;
    let (date, period, periods_in_day) = match cols.time {
        TimeColumns::IntervalStart(i) => {
            let t = field(rec, i, "interval_start")?;
            let instant = DateTime::parse_from_rfc3339(t)
                .map_err(|_| format!("interval_start {t:?} is not an ISO 8601 time with an offset"))?
                .with_timezone(&Utc);
            days.locate(instant)?
        }
        TimeColumns::DatePeriod { date, period } => {
            let d = field(rec, date, "settlement_date")?;
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| format!("settlement_date {d:?} is not a date (YYYY-MM-DD)"))?;
            let p = field(rec, period, "settlement_period")?;
            let period: u8 = p
                .parse()
                .map_err(|_| format!("settlement_period {p:?} is not a number"))?;
            let n = days.periods(date)?;
            if period == 0 || period > n {
                return Err(format!(
                    "period {period} does not exist on {date}, which has {n} periods"
                ));
            }
            (date, period, n)
        }
    };
    let value_text = field(rec, cols.value, "value")?;
    let value_milli = if value_text.is_empty() && status == ValueStatus::Missing {
        0
    } else {
        parse_milli(value_text)?
    };
    Ok(HhValue {
        supply,
        channel,
        run,
        date,
        period,
        periods_in_day,
        value_milli,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_exactly_to_the_watt_hour() {
        assert_eq!(parse_milli("12.345"), Ok(12345));
        assert_eq!(parse_milli("0.1"), Ok(100));
        assert_eq!(parse_milli("7"), Ok(7000));
        assert_eq!(parse_milli(".5"), Ok(500));
        assert_eq!(parse_milli("0"), Ok(0));
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        assert!(parse_milli("abc").unwrap_err().contains("not a number"));
        assert!(parse_milli("1.2345")
            .unwrap_err()
            .contains("more than 3 decimal places"));
        assert!(parse_milli("-1").unwrap_err().contains("negative"));
        assert!(parse_milli("").unwrap_err().contains("not a number"));
        assert!(parse_milli("1e3").unwrap_err().contains("not a number"));
        assert!(parse_milli("99999999").unwrap_err().contains("implausibly large"));
    }

    #[test]
    fn a_value_too_large_for_the_arithmetic_is_refused_not_wrapped() {
        // × 1000 overflows i64: wrapped, it read as 0.384 kWh; with overflow checks it panicked.
        for huge in [
            "18446744073709552",
            "9223372036854775.807",
            "99999999999999999999",
            "2147483.648",
        ] {
            let err = parse_milli(huge).unwrap_err();
            assert!(err.contains("implausibly large"), "{huge}: {err}");
        }
        assert_eq!(parse_milli("2147483.647"), Ok(i32::MAX));
    }

    fn parse_one(header: &str, line: &str) -> Result<HhValue, String> {
        let record = |s: &str| csv::ByteRecord::from(s.split(',').collect::<Vec<_>>());
        let cols = Columns::from_header(&record(header)).unwrap();
        let known = HashMap::from([(
            1012345678903,
            KnownSupply {
                id: 1,
                organisation_id: 1,
            },
        )]);
        parse_line(&record(line), &cols, &known, &mut DayCache::default())
    }

    #[test]
    fn a_settlement_date_at_the_end_of_the_calendar_is_a_line_error_not_a_panic() {
        let header = "mpan_core,channel,settlement_date,settlement_period,value,status,run";
        // Chrono's last date: the day's end overflowed `DateTime + TimeDelta`.
        let err = parse_one(header, "1012345678903,AI,+262142-12-31,1,1,A,SF").unwrap_err();
        assert!(err.contains("outside the supported range"), "{err}");
        let ok = parse_one(header, "1012345678903,AI,2026-03-29,46,1,A,SF").unwrap();
        assert_eq!((ok.period, ok.periods_in_day), (46, 46));
    }
}
