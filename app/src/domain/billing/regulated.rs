//! Rates set by government or distributors, kept as dated data: the climate change levy's main
//! rate and the reactive power allowance. Each value holds for a range of settlement dates.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::money::Rate;

/// What a dated rate is, as `regulated_rates.kind` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegulatedKind {
    /// Climate change levy main rate for electricity, p/kWh.
    ClimateChangeLevy,
    /// The share of the main rate a climate change agreement holder pays, percent (8 since 2019).
    ClimateChangeAgreementPercent,
    /// Reactive energy allowed free per kWh (0.3287 for the 0.95 power-factor rule), kept as a
    /// "rate" with five decimals.
    ReactiveAllowance,
}

impl RegulatedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClimateChangeLevy => "ccl_main",
            Self::ClimateChangeAgreementPercent => "ccl_cca_percent",
            Self::ReactiveAllowance => "reactive_allowance",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ccl_main" => Some(Self::ClimateChangeLevy),
            "ccl_cca_percent" => Some(Self::ClimateChangeAgreementPercent),
            "reactive_allowance" => Some(Self::ReactiveAllowance),
            _ => None,
        }
    }
}

/// One value with its validity: settlement dates `valid_from ..= valid_to` (open-ended when
/// `valid_to` is `None`), for every distributor or only one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedRate {
    pub kind: RegulatedKind,
    pub distributor_id: Option<u8>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub value: Rate,
}

impl DatedRate {
    fn applies(&self, kind: RegulatedKind, distributor_id: u8, date: NaiveDate) -> bool {
        self.kind == kind
            && self.distributor_id.is_none_or(|d| d == distributor_id)
            && self.valid_from <= date
            && self.valid_to.is_none_or(|to| date <= to)
    }
}

/// Every dated rate known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulatedRates {
    pub rates: Vec<DatedRate>,
}

impl RegulatedRates {
    /// The value in force on `date` for the distributor; a distributor's own value wins over a
    /// national one. `None` when nothing is known for that date.
    pub fn at(&self, kind: RegulatedKind, distributor_id: u8, date: NaiveDate) -> Option<&DatedRate> {
        self.rates
            .iter()
            .filter(|r| r.applies(kind, distributor_id, date))
            .max_by_key(|r| (r.distributor_id.is_some(), r.valid_from))
    }

    /// The published figures this portal started with (gov.uk "Climate Change Levy rates";
    /// the 0.95 power-factor allowance of the DNO charging statements), as migration
    /// 20261129000009 loads them; tests use this.
    pub fn published() -> Self {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        let ccl = |from: &str, to: Option<&str>, p: i64| DatedRate {
            kind: RegulatedKind::ClimateChangeLevy,
            distributor_id: None,
            valid_from: d(from).unwrap_or_default(),
            valid_to: to.and_then(d),
            value: Rate(p),
        };
        RegulatedRates {
            rates: vec![
                ccl("2021-04-01", Some("2026-03-31"), 77_500),
                ccl("2026-04-01", None, 80_100),
                DatedRate {
                    kind: RegulatedKind::ClimateChangeAgreementPercent,
                    distributor_id: None,
                    valid_from: d("2019-04-01").unwrap_or_default(),
                    valid_to: None,
                    value: Rate(800_000),
                },
                DatedRate {
                    kind: RegulatedKind::ReactiveAllowance,
                    distributor_id: None,
                    valid_from: d("2010-04-01").unwrap_or_default(),
                    valid_to: None,
                    value: Rate(32_870),
                },
            ],
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
    fn the_levy_changes_on_the_first_of_april_2026() {
        let r = RegulatedRates::published();
        let at = |s| r.at(RegulatedKind::ClimateChangeLevy, 10, d(s)).map(|x| x.value);
        assert_eq!(at("2026-03-31"), Some(Rate(77_500)));
        assert_eq!(at("2026-04-01"), Some(Rate(80_100)));
        assert_eq!(at("2021-03-31"), None);
    }

    #[test]
    fn a_distributors_own_value_wins() {
        let mut r = RegulatedRates::published();
        r.rates.push(DatedRate {
            kind: RegulatedKind::ReactiveAllowance,
            distributor_id: Some(14),
            valid_from: d("2025-04-01"),
            valid_to: None,
            value: Rate(33_000),
        });
        let at = |dist, s| {
            r.at(RegulatedKind::ReactiveAllowance, dist, d(s))
                .map(|x| x.value)
        };
        assert_eq!(at(14, "2025-05-01"), Some(Rate(33_000)));
        assert_eq!(at(14, "2025-03-31"), Some(Rate(32_870)));
        assert_eq!(at(10, "2025-05-01"), Some(Rate(32_870)));
    }
}
