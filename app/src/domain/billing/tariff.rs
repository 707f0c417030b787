//! What a contract charges: unit rates (flat, day/night or by DUoS band), standing and capacity
//! charges, excess capacity, reactive power, VAT and the customer's climate change levy treatment.
use std::fmt;

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use super::money::{Rate, VatRate};
use crate::domain::duos::{Band, BandTable};

/// The name of a unit rate, as `contract_rates.rate_name` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateName {
    All,
    Day,
    Night,
    Red,
    Amber,
    Green,
}

impl RateName {
    pub const ALL: [RateName; 6] = [
        Self::All,
        Self::Day,
        Self::Night,
        Self::Red,
        Self::Amber,
        Self::Green,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Day => "day",
            Self::Night => "night",
            Self::Red => "red",
            Self::Amber => "amber",
            Self::Green => "green",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// How the rate reads in a sentence: "red-band", "night", "single".
    pub fn label(self) -> &'static str {
        match self {
            Self::All => "single-rate",
            Self::Day => "day",
            Self::Night => "night",
            Self::Red => "red-band",
            Self::Amber => "amber-band",
            Self::Green => "green-band",
        }
    }

    pub fn of_band(band: Band) -> Self {
        match band {
            Band::Red => Self::Red,
            Band::Amber => Self::Amber,
            Band::Green => Self::Green,
        }
    }
}

impl fmt::Display for RateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How unit rates apply to half-hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateStructure {
    /// One rate for every half-hour.
    Flat,
    /// A night rate for half-hours starting inside the night window (UK clock time), a day rate
    /// otherwise.
    DayNight,
    /// A rate per DUoS time band of the supply's distributor.
    Banded,
}

impl RateStructure {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "flat" => Some(Self::Flat),
            "day_night" => Some(Self::DayNight),
            "banded" => Some(Self::Banded),
            _ => None,
        }
    }

    /// The rate names a contract of this structure must price.
    pub fn rate_names(self) -> &'static [RateName] {
        match self {
            Self::Flat => &[RateName::All],
            Self::DayNight => &[RateName::Day, RateName::Night],
            Self::Banded => &[RateName::Red, RateName::Amber, RateName::Green],
        }
    }
}

/// The night window of a day/night contract, in UK clock time: `[start, end)`, wrapping past
/// midnight when `start > end` (e.g. 23:00–06:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NightHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl NightHours {
    pub fn contains(self, local: NaiveTime) -> bool {
        if self.start <= self.end {
            local >= self.start && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

impl Default for NightHours {
    /// 00:00–07:00, the common I&C night window.
    fn default() -> Self {
        NightHours {
            start: NaiveTime::MIN,
            end: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// How the climate change levy applies to the supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevyTreatment {
    /// The main rate.
    Main,
    /// A climate change agreement holder: a stated percentage of the main rate (8 % since 2019).
    ClimateChangeAgreement { percent_of_main: i64 },
    /// Exempt (e.g. certified renewable supply under an old exemption, or domestic use).
    Exempt,
}

/// The charges of a contract, read from `contracts` and `contract_rates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tariff {
    pub structure: RateStructure,
    pub unit_rates: Vec<(RateName, Rate)>,
    pub night: NightHours,
    /// p per supply point per day.
    pub standing_per_day: Rate,
    /// p per kVA of agreed capacity per day.
    pub capacity_per_kva_day: Rate,
    /// p per kVA above agreed capacity per day of the billing period.
    pub excess_per_kva_day: Rate,
    /// p per chargeable kVArh.
    pub reactive_per_kvarh: Rate,
    pub vat: VatRate,
    pub levy: LevyTreatment,
}

impl Tariff {
    pub fn unit_rate(&self, name: RateName) -> Option<Rate> {
        self.unit_rates.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
    }

    /// The rate that prices the half-hour starting at `start` on a supply of `distributor_id`:
    /// the one rate, day or night by UK clock time, or the DUoS band's rate.
    pub fn rate_name_at(&self, bands: &BandTable, distributor_id: u8, start: DateTime<Utc>) -> RateName {
        match self.structure {
            RateStructure::Flat => RateName::All,
            RateStructure::DayNight => {
                if self.night.contains(start.with_timezone(&London).time()) {
                    RateName::Night
                } else {
                    RateName::Day
                }
            }
            RateStructure::Banded => RateName::of_band(bands.classify(distributor_id, start)),
        }
    }

    /// The rate names the structure needs and the contract does not price.
    pub fn unpriced(&self) -> Vec<RateName> {
        self.structure
            .rate_names()
            .iter()
            .copied()
            .filter(|n| self.unit_rate(*n).is_none())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn night_windows_may_wrap_midnight() {
        let n = NightHours::default();
        assert!(n.contains(t(0, 0)) && n.contains(t(6, 30)));
        assert!(!n.contains(t(7, 0)) && !n.contains(t(23, 30)));
        let wrap = NightHours {
            start: t(23, 0),
            end: t(6, 0),
        };
        assert!(wrap.contains(t(23, 30)) && wrap.contains(t(5, 30)) && !wrap.contains(t(6, 0)));
    }

    #[test]
    fn a_structure_names_the_rates_it_needs() {
        let tariff = Tariff {
            structure: RateStructure::Banded,
            unit_rates: vec![(RateName::Red, Rate(1)), (RateName::Green, Rate(1))],
            night: NightHours::default(),
            standing_per_day: Rate(0),
            capacity_per_kva_day: Rate(0),
            excess_per_kva_day: Rate(0),
            reactive_per_kvarh: Rate(0),
            vat: VatRate::STANDARD,
            levy: LevyTreatment::Main,
        };
        assert_eq!(tariff.unpriced(), vec![RateName::Amber]);
        assert_eq!(RateName::parse("night"), Some(RateName::Night));
        assert_eq!(RateName::parse("peak"), None);
        assert_eq!(RateStructure::parse("day_night"), Some(RateStructure::DayNight));
    }
}
