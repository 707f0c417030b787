//! Money in pence and the demand arithmetic of half-hourly data: kW, kVAr, kVA, power factor, MD.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Reactive energy allowed free per kWh: tan(acos(0.95)), the 0.95 power-factor rule.
/// It varies by distributor and date, so callers pass the threshold in force.
pub const DEFAULT_REACTIVE_THRESHOLD: f64 = 0.3287;

/// An amount of money in whole pence; negative for credits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pence(pub i64);

impl Pence {
    pub const ZERO: Pence = Pence(0);

    /// Rounds a computed amount of pence (e.g. kWh × p/kWh) half away from zero;
    /// `None` if it is not finite or does not fit.
    pub fn from_f64_rounded(pence: f64) -> Option<Self> {
        let r = pence.round();
        // i64::MAX as f64 rounds up to 2^63, which is itself out of range.
        (r.is_finite() && r >= i64::MIN as f64 && r < i64::MAX as f64).then_some(Pence(r as i64))
    }

    pub fn pence(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Pence {
    /// `£1,234.56`, or `-£1,234.56` for a credit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}£{}.{:02}", group_thousands(abs / 100), abs % 100)
    }
}

/// A whole number with thousands separators: `1234567` → `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

impl Add for Pence {
    type Output = Pence;
    fn add(self, rhs: Pence) -> Pence {
        Pence(self.0 + rhs.0)
    }
}

impl AddAssign for Pence {
    fn add_assign(&mut self, rhs: Pence) {
        self.0 += rhs.0;
    }
}

impl Sub for Pence {
    type Output = Pence;
    fn sub(self, rhs: Pence) -> Pence {
        Pence(self.0 - rhs.0)
    }
}

impl Neg for Pence {
    type Output = Pence;
    fn neg(self) -> Pence {
        Pence(-self.0)
    }
}

impl Sum for Pence {
    fn sum<I: Iterator<Item = Pence>>(iter: I) -> Pence {
        iter.fold(Pence::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Pence> for Pence {
    fn sum<I: Iterator<Item = &'a Pence>>(iter: I) -> Pence {
        iter.copied().sum()
    }
}

/// Average kW over a half-hour from the kWh in it.
pub fn kw_from_kwh(kwh: f64) -> f64 {
    2.0 * kwh
}

/// Apparent power: √(kW² + kVAr²).
pub fn kva(kw: f64, kvar: f64) -> f64 {
    kw.hypot(kvar)
}

/// Average kVAr over a half-hour: twice the larger of reactive import and export kVArh.
pub fn kvar_from_kvarh(import_kvarh: f64, export_kvarh: f64) -> f64 {
    2.0 * import_kvarh.max(export_kvarh)
}

/// kW / kVA; 1.0 when there is no apparent power, so an idle half-hour is not penalised.
pub fn power_factor(kw: f64, kva: f64) -> f64 {
    if kva == 0.0 {
        1.0
    } else {
        kw / kva
    }
}

/// Reactive energy charged in a half-hour: max(kVArh − threshold × kWh, 0).
pub fn chargeable_reactive_kvarh(kvarh: f64, kwh: f64, threshold: f64) -> f64 {
    (kvarh - threshold * kwh).max(0.0)
}

/// Demand above the agreed supply capacity, or 0.
pub fn excess_capacity_kva(md_kva: f64, agreed_kva: f64) -> f64 {
    (md_kva - agreed_kva).max(0.0)
}

/// The energy of one half-hour of a supply, as needed for demand figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HalfHourEnergy {
    pub start: DateTime<Utc>,
    pub kwh: f64,
    pub kvarh_import: f64,
    pub kvarh_export: f64,
}

impl HalfHourEnergy {
    pub fn kw(&self) -> f64 {
        kw_from_kwh(self.kwh)
    }

    pub fn kvar(&self) -> f64 {
        kvar_from_kvarh(self.kvarh_import, self.kvarh_export)
    }

    pub fn kva(&self) -> f64 {
        kva(self.kw(), self.kvar())
    }
}

/// The highest half-hourly kVA of a period, with the kW of that half-hour and when it began.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MaximumDemand {
    pub kva: f64,
    pub kw: f64,
    pub at: DateTime<Utc>,
}

impl MaximumDemand {
    /// The half-hour of highest kVA (the earliest on a tie); `None` if there is none.
    /// Half-hours whose kVA is not a number are skipped.
    pub fn from_half_hours(half_hours: impl IntoIterator<Item = HalfHourEnergy>) -> Option<Self> {
        half_hours
            .into_iter()
            .map(|h| MaximumDemand {
                kva: h.kva(),
                kw: h.kw(),
                at: h.start,
            })
            .filter(|md| !md.kva.is_nan())
            .fold(None, |best: Option<MaximumDemand>, md| match best {
                Some(b) if b.kva >= md.kva => Some(b),
                _ => Some(md),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn pence_display_as_pounds_with_thousands_separators() {
        assert_eq!(Pence(0).to_string(), "£0.00");
        assert_eq!(Pence(5).to_string(), "£0.05");
        assert_eq!(Pence(123_456).to_string(), "£1,234.56");
        assert_eq!(Pence(100_000_000).to_string(), "£1,000,000.00");
        assert_eq!(Pence(-123_456).to_string(), "-£1,234.56");
        assert_eq!(Pence(-7).to_string(), "-£0.07");
        assert_eq!(Pence(i64::MIN).to_string(), "-£92,233,720,368,547,758.08");
    }

    #[test]
    fn pence_add_subtract_negate_and_sum() {
        assert_eq!(Pence(150) + Pence(275), Pence(425));
        assert_eq!(Pence(150) - Pence(275), Pence(-125));
        assert_eq!(-Pence(150), Pence(-150));
        let lines = [Pence(1000), Pence(-250), Pence(33)];
        assert_eq!(lines.iter().sum::<Pence>(), Pence(783));
        assert_eq!(lines.into_iter().sum::<Pence>(), Pence(783));
        let mut total = Pence::ZERO;
        total += Pence(5);
        assert_eq!(total, Pence(5));
    }

    #[test]
    fn computed_pence_round_half_away_from_zero() {
        assert_eq!(Pence::from_f64_rounded(1234.5), Some(Pence(1235)));
        assert_eq!(Pence::from_f64_rounded(-1234.5), Some(Pence(-1235)));
        assert_eq!(Pence::from_f64_rounded(0.49), Some(Pence(0)));
        assert_eq!(Pence::from_f64_rounded(f64::NAN), None);
        assert_eq!(Pence::from_f64_rounded(1e30), None);
    }

    #[test]
    fn kw_is_twice_the_half_hourly_kwh() {
        assert_eq!(kw_from_kwh(12.5), 25.0);
    }

    #[test]
    fn kva_is_the_hypotenuse_of_kw_and_kvar() {
        assert!(close(kva(30.0, 40.0), 50.0));
        assert!(close(kva(30.0, 0.0), 30.0));
    }

    #[test]
    fn kvar_takes_twice_the_larger_reactive_register() {
        assert_eq!(kvar_from_kvarh(10.0, 15.0), 30.0);
        assert_eq!(kvar_from_kvarh(7.0, 0.0), 14.0);
    }

    #[test]
    fn power_factor_is_kw_over_kva_and_one_when_idle() {
        assert!(close(power_factor(40.0, 50.0), 0.8));
        assert_eq!(power_factor(0.0, 0.0), 1.0);
    }

    #[test]
    fn reactive_energy_above_the_threshold_is_chargeable() {
        // 50 − 0.3287 × 100 = 17.13
        assert!(close(
            chargeable_reactive_kvarh(50.0, 100.0, DEFAULT_REACTIVE_THRESHOLD),
            17.13
        ));
        assert_eq!(
            chargeable_reactive_kvarh(30.0, 100.0, DEFAULT_REACTIVE_THRESHOLD),
            0.0
        );
    }

    #[test]
    fn the_default_threshold_is_the_095_power_factor_rule() {
        let exact = 0.95_f64.acos().tan();
        assert!((DEFAULT_REACTIVE_THRESHOLD - exact).abs() < 1e-4, "{exact}");
    }

    #[test]
    fn excess_capacity_is_demand_above_agreed_capacity_or_zero() {
        assert_eq!(excess_capacity_kva(520.0, 500.0), 20.0);
        assert_eq!(excess_capacity_kva(480.0, 500.0), 0.0);
    }

    #[test]
    fn maximum_demand_picks_the_highest_kva_not_the_highest_kw() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let hh = |start: &str, kwh, ri, re| HalfHourEnergy {
            start: t(start),
            kwh,
            kvarh_import: ri,
            kvarh_export: re,
        };
        let md = MaximumDemand::from_half_hours([
            hh("2025-01-15T00:00:00Z", 100.0, 0.0, 0.0),  // 200 kW, 200 kVA
            hh("2025-01-15T00:30:00Z", 90.0, 60.0, 10.0), // 180 kW, 120 kVAr, √46800 kVA
            hh("2025-01-15T01:00:00Z", 105.0, 0.0, 0.0),  // 210 kW, 210 kVA
        ])
        .unwrap();
        assert!(close(md.kva, 46_800f64.sqrt()));
        assert!((md.kva - 216.33).abs() < 0.01);
        assert_eq!(md.kw, 180.0);
        assert_eq!(md.at, t("2025-01-15T00:30:00Z"));
    }

    #[test]
    fn maximum_demand_of_nothing_is_none_and_ties_keep_the_earliest() {
        assert_eq!(MaximumDemand::from_half_hours([]), None);
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let flat = ["2025-01-15T00:00:00Z", "2025-01-15T00:30:00Z"].map(|s| HalfHourEnergy {
            start: t(s),
            kwh: 10.0,
            kvarh_import: 0.0,
            kvarh_export: 0.0,
        });
        let md = MaximumDemand::from_half_hours(flat).unwrap();
        assert_eq!(md.at, t("2025-01-15T00:00:00Z"));
    }
}
