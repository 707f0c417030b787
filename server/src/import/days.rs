//! Assembles parsed values into whole settlement days, finding duplicates and incomplete days.
use std::collections::HashMap;

use app::domain::channel::{Channel, ValueStatus};
use app::domain::settlement_run::SettlementRun;
use chrono::NaiveDate;

use super::format::HhValue;

/// A whole settlement day of one channel and run, ready for `hh_day`.
#[derive(Debug, Clone)]
pub struct DayRow {
    pub supply_point_id: i64,
    pub organisation_id: i64,
    pub channel: Channel,
    pub run: SettlementRun,
    pub date: NaiveDate,
    pub vals: Vec<i32>,
    pub statuses: String,
    /// The first line of the file that contributed to this day.
    pub first_line: u64,
}

type Key = (i64, Channel, SettlementRun, NaiveDate);

struct OpenDay {
    organisation_id: i64,
    periods: u8,
    vals: [i32; 50],
    statuses: [u8; 50],
    lines: [u64; 50],
    filled: u8,
}

/// Open days are held until complete; memory is bounded by how many days are interleaved in the
/// file (a handful for files ordered by meter and day, as flows are), not by the file's size.
#[derive(Default)]
pub struct DayAssembler {
    open: HashMap<Key, OpenDay>,
    /// Days already complete and sent, with the first line of each (for duplicate reports).
    done: HashMap<Key, u64>,
}

impl DayAssembler {
    /// Adds a value; returns the finished day when this value completes it.
    pub fn push(&mut self, v: HhValue, line: u64) -> Result<Option<DayRow>, String> {
        let key = (v.supply.id, v.channel, v.run, v.date);
        if let Some(first) = self.done.get(&key) {
            return Err(format!(
                "duplicate: {} {} {} run {} period {} — that day was already complete (from line {first})",
                v.channel.code(),
                v.date,
                v.supply.id,
                v.run,
                v.period
            ));
        }
        let day = self.open.entry(key).or_insert_with(|| OpenDay {
            organisation_id: v.supply.organisation_id,
            periods: v.periods_in_day,
            vals: [0; 50],
            statuses: [0; 50],
            lines: [0; 50],
            filled: 0,
        });
        let i = usize::from(v.period - 1);
        if day.statuses[i] != 0 {
            return Err(format!(
                "duplicate: period {} of {} for this MPAN, channel {} and run {} is also on line {}",
                v.period,
                v.date,
                v.channel.code(),
                v.run,
                day.lines[i]
            ));
        }
        day.vals[i] = v.value_milli;
        day.statuses[i] = status_byte(v.status);
        day.lines[i] = line;
        day.filled += 1;
        if day.filled < day.periods {
            return Ok(None);
        }
        let day = self.open.remove(&key).expect("present");
        let first_line = day.lines[..usize::from(day.periods)]
            .iter()
            .copied()
            .min()
            .unwrap_or(line);
        self.done.insert(key, first_line);
        Ok(Some(finish(key, day, first_line)))
    }

    /// Days still open at the end of the file: each is an error naming the missing periods.
    pub fn incomplete(self) -> Vec<(u64, String)> {
        let mut out: Vec<(u64, String)> = self
            .open
            .into_iter()
            .map(|((_, channel, run, date), day)| {
                let missing: Vec<String> = (0..usize::from(day.periods))
                    .filter(|&i| day.statuses[i] == 0)
                    .map(|i| (i + 1).to_string())
                    .collect();
                let first = day.lines.iter().copied().filter(|&l| l > 0).min().unwrap_or(0);
                (
                    first,
                    format!(
                        "incomplete day: {date} channel {} run {run} has {} of {} periods (missing {}); \
                         a file must carry whole settlement days — send missing values with status M",
                        channel.code(),
                        day.filled,
                        day.periods,
                        missing.join(",")
                    ),
                )
            })
            .collect();
        out.sort();
        out
    }
}

fn status_byte(s: ValueStatus) -> u8 {
    s.code() as u8
}

fn finish(key: Key, day: OpenDay, first_line: u64) -> DayRow {
    let n = usize::from(day.periods);
    DayRow {
        supply_point_id: key.0,
        organisation_id: day.organisation_id,
        channel: key.1,
        run: key.2,
        date: key.3,
        vals: day.vals[..n].to_vec(),
        statuses: String::from_utf8_lossy(&day.statuses[..n]).into_owned(),
        first_line,
    }
}
