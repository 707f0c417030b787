//! DUoS time bands (red/amber/green) held as data: rules keyed by distributor, validity and day type.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

/// A DUoS time band; `Ord` runs from cheapest (green) to dearest (red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Green,
    Amber,
    Red,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Amber => "amber",
            Self::Red => "red",
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Monday to Friday, or Saturday and Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayType {
    Weekday,
    Weekend,
}

impl DayType {
    /// Bank holidays are not known here: they count as weekdays.
    pub fn of(date: NaiveDate) -> Self {
        match date.weekday() {
            Weekday::Sat | Weekday::Sun => Self::Weekend,
            _ => Self::Weekday,
        }
    }
}

/// One band interval of one distributor, for one day type, over a range of dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandRule {
    pub distributor_id: u8,
    pub valid_from: NaiveDate,
    /// Last local date the rule applies on (inclusive); `None` while it is current.
    pub valid_to: Option<NaiveDate>,
    pub day_type: DayType,
    pub band: Band,
    /// Local (Europe/London) wall-clock start, inclusive.
    pub start: NaiveTime,
    /// Local wall-clock end, exclusive. An end at or before the start wraps past midnight,
    /// so 00:00 means "until midnight" and start == end covers the whole day.
    pub end: NaiveTime,
}

impl BandRule {
    fn applies(&self, distributor_id: u8, date: NaiveDate, time: NaiveTime) -> bool {
        self.distributor_id == distributor_id
            && self.valid_from <= date
            && self.valid_to.is_none_or(|to| date <= to)
            && self.day_type == DayType::of(date)
            && if self.start < self.end {
                self.start <= time && time < self.end
            } else {
                time >= self.start || time < self.end
            }
    }
}

/// The band rules of every distributor; what is not covered is green.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandTable {
    pub rules: Vec<BandRule>,
}

impl BandTable {
    /// Band of the half-hour starting at `instant`, judged on its London local date and time.
    /// Green when no rule matches; if rules overlap, the dearest band wins.
    pub fn classify(&self, distributor_id: u8, instant: DateTime<Utc>) -> Band {
        let local = instant.with_timezone(&London);
        let (date, time) = (local.date_naive(), local.time());
        self.rules
            .iter()
            .filter(|r| r.applies(distributor_id, date, time))
            .map(|r| r.band)
            .max()
            .unwrap_or(Band::Green)
    }

    /// Weekday bands from 2024-04-01, weekends green. Eastern, East Midlands, Midlands, London
    /// and Northern follow the documented examples (London's and Northern's amber hours from
    /// their charging statements); the other areas are placeholders (red 16:00–19:00, amber
    /// 07:30–16:00 and 19:00–21:00) until their statements are loaded.
    pub fn example_2025() -> Self {
        type Spans = &'static [(Band, (u32, u32), (u32, u32))];
        const GENERIC: Spans = &[
            (Band::Red, (16, 0), (19, 0)),
            (Band::Amber, (7, 30), (16, 0)),
            (Band::Amber, (19, 0), (21, 0)),
        ];
        const EASTERN: Spans = &[
            (Band::Red, (16, 0), (19, 0)),
            (Band::Amber, (7, 0), (16, 0)),
            (Band::Amber, (19, 0), (23, 0)),
        ];
        const LONDON: Spans = &[
            (Band::Red, (11, 0), (14, 0)),
            (Band::Red, (16, 0), (19, 0)),
            (Band::Amber, (7, 0), (11, 0)),
            (Band::Amber, (14, 0), (16, 0)),
            (Band::Amber, (19, 0), (23, 0)),
        ];
        const NORTHERN: Spans = &[
            (Band::Red, (16, 0), (19, 30)),
            (Band::Amber, (8, 0), (16, 0)),
            (Band::Amber, (19, 30), (22, 0)),
        ];
        let valid_from = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or(NaiveDate::MIN);
        let rules = (10..=23u8)
            .flat_map(|id| {
                let spans = match id {
                    10 => EASTERN,
                    12 => LONDON,
                    15 => NORTHERN,
                    _ => GENERIC,
                };
                spans.iter().map(move |&(band, (sh, sm), (eh, em))| BandRule {
                    distributor_id: id,
                    valid_from,
                    valid_to: None,
                    day_type: DayType::Weekday,
                    band,
                    start: hm(sh, sm),
                    end: hm(eh, em),
                })
            })
            .collect();
        Self { rules }
    }
}

/// A wall-clock time from the literals of the example table.
fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn band(id: u8, instant: &str) -> Band {
        BandTable::example_2025().classify(id, utc(instant))
    }

    #[test]
    fn london_at_noon_on_a_winter_weekday_is_red() {
        // 2025-01-15 is a Wednesday; GMT, so local time equals UTC.
        assert_eq!(band(12, "2025-01-15T12:00:00Z"), Band::Red);
    }

    #[test]
    fn london_weekday_bands_change_at_the_interval_edges() {
        assert_eq!(band(12, "2025-01-15T06:30:00Z"), Band::Green);
        assert_eq!(band(12, "2025-01-15T07:00:00Z"), Band::Amber);
        assert_eq!(band(12, "2025-01-15T10:30:00Z"), Band::Amber);
        assert_eq!(band(12, "2025-01-15T11:00:00Z"), Band::Red);
        assert_eq!(band(12, "2025-01-15T13:30:00Z"), Band::Red);
        assert_eq!(band(12, "2025-01-15T14:00:00Z"), Band::Amber);
        assert_eq!(band(12, "2025-01-15T18:30:00Z"), Band::Red);
        assert_eq!(band(12, "2025-01-15T22:30:00Z"), Band::Amber);
        assert_eq!(band(12, "2025-01-15T23:00:00Z"), Band::Green);
    }

    #[test]
    fn a_saturday_evening_peak_is_green() {
        assert_eq!(utc("2025-01-18T17:00:00Z").weekday(), Weekday::Sat);
        for id in 10..=23 {
            assert_eq!(band(id, "2025-01-18T17:00:00Z"), Band::Green, "{id}");
        }
    }

    #[test]
    fn a_bst_afternoon_is_banded_on_local_time() {
        // 2025-07-16 is a Wednesday in BST: 15:00Z is 16:00 local.
        assert_eq!(band(10, "2025-07-16T14:30:00Z"), Band::Amber);
        assert_eq!(band(10, "2025-07-16T15:00:00Z"), Band::Red);
        assert_eq!(band(10, "2025-07-16T17:30:00Z"), Band::Red);
        assert_eq!(band(10, "2025-07-16T18:00:00Z"), Band::Amber);
        // Northern's red runs to 19:30 local, i.e. 18:30Z in summer.
        assert_eq!(band(15, "2025-07-16T18:00:00Z"), Band::Red);
        assert_eq!(band(15, "2025-07-16T18:30:00Z"), Band::Amber);
    }

    #[test]
    fn an_early_summer_morning_uses_the_local_hour_not_the_utc_one() {
        // 06:30Z on Monday 2025-07-14 is 07:30 BST: amber in East Midlands, green by UTC.
        assert_eq!(band(11, "2025-07-14T06:30:00Z"), Band::Amber);
        assert_eq!(band(11, "2025-01-13T06:30:00Z"), Band::Green);
    }

    #[test]
    fn the_local_date_decides_weekday_or_weekend() {
        // 23:30Z on Friday 2025-07-18 is already Saturday 00:30 BST; use a rule that
        // covers the whole weekend to see it.
        let weekend_amber = BandTable {
            rules: vec![BandRule {
                distributor_id: 20,
                valid_from: utc("2025-01-01T00:00:00Z").date_naive(),
                valid_to: None,
                day_type: DayType::Weekend,
                band: Band::Amber,
                start: hm(0, 0),
                end: hm(0, 0),
            }],
        };
        assert_eq!(
            weekend_amber.classify(20, utc("2025-07-18T23:30:00Z")),
            Band::Amber
        );
        assert_eq!(
            weekend_amber.classify(20, utc("2025-07-18T22:30:00Z")),
            Band::Green
        );
    }

    #[test]
    fn every_area_has_a_red_band_at_five_on_a_weekday() {
        for id in 10..=23 {
            assert_eq!(band(id, "2025-01-15T17:00:00Z"), Band::Red, "{id}");
        }
    }

    #[test]
    fn dates_before_the_table_and_unknown_areas_are_green() {
        // Friday 2024-03-29 precedes the 2024-04-01 start of the example rules.
        assert_eq!(band(12, "2024-03-29T17:00:00Z"), Band::Green);
        assert_eq!(band(12, "2024-04-01T16:00:00Z"), Band::Red);
        assert_eq!(band(30, "2025-01-15T17:00:00Z"), Band::Green);
    }

    #[test]
    fn a_rule_applies_through_its_inclusive_last_day_and_a_successor_takes_over() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let rule = |from: &str, to: Option<&str>, band: Band| BandRule {
            distributor_id: 14,
            valid_from: d(from),
            valid_to: to.map(d),
            day_type: DayType::Weekday,
            band,
            start: hm(16, 0),
            end: hm(19, 0),
        };
        let table = BandTable {
            rules: vec![
                rule("2024-04-01", Some("2025-03-31"), Band::Red),
                rule("2025-04-01", None, Band::Amber),
            ],
        };
        assert_eq!(table.classify(14, utc("2025-03-31T16:00:00Z")), Band::Red);
        assert_eq!(table.classify(14, utc("2025-04-01T15:00:00Z")), Band::Amber);
    }

    #[test]
    fn a_rule_ending_before_it_starts_wraps_past_midnight() {
        let table = BandTable {
            rules: vec![BandRule {
                distributor_id: 21,
                valid_from: NaiveDate::MIN,
                valid_to: None,
                day_type: DayType::Weekday,
                band: Band::Amber,
                start: hm(22, 0),
                end: hm(2, 0),
            }],
        };
        assert_eq!(table.classify(21, utc("2025-01-15T23:30:00Z")), Band::Amber);
        assert_eq!(table.classify(21, utc("2025-01-15T01:00:00Z")), Band::Amber);
        assert_eq!(table.classify(21, utc("2025-01-15T03:00:00Z")), Band::Green);
    }

    #[test]
    fn overlapping_rules_resolve_to_the_dearest_band() {
        let mut table = BandTable::example_2025();
        table.rules.push(BandRule {
            distributor_id: 12,
            valid_from: NaiveDate::MIN,
            valid_to: None,
            day_type: DayType::Weekday,
            band: Band::Green,
            start: hm(0, 0),
            end: hm(0, 0),
        });
        assert_eq!(table.classify(12, utc("2025-01-15T12:00:00Z")), Band::Red);
    }
}
