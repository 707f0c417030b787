//! Fixed-point money for bills: rates in 1/100,000 of a penny, quantities in thousandths of a unit,
//! amounts in whole pence. No floats anywhere in a bill.
//!
//! Rounding rules (stated once, tested below):
//! - a line's amount is `quantity × rate`, rounded to the penny half away from zero;
//! - the net is the sum of the rounded lines;
//! - VAT is `net × VAT rate`, rounded to the penny half away from zero, once per invoice;
//! - quantities are kept to 0.001 of a unit (Wh for kWh), as `invoice_lines.quantity` holds them.
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::units::{group_thousands, Pence};

/// A rate in 1/100,000 of a penny per unit (p/kWh, p/day, p/kVA/day, p/kVArh):
/// `Rate(3_841_200)` is 38.412 p/kWh. Five decimals hold both contract rates (four decimals) and
/// 8 % of a levy rate (0.801 × 8 % = 0.06408 p/kWh).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rate(pub i64);

const RATE_SCALE: i64 = 100_000;

/// A decimal that could not be read as a rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a rate in pence with at most 5 decimals: {0:?}")]
pub struct BadRate(pub String);

impl Rate {
    /// Parses a decimal as Postgres prints a `numeric` (`"38.4120"`, `"185"`, `"-0.5"`).
    pub fn parse(text: &str) -> Result<Self, BadRate> {
        let bad = || BadRate(text.to_string());
        let t = text.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        // Trailing zeros beyond five decimals are harmless; other digits would be lost.
        let frac = frac.trim_end_matches('0');
        if frac.len() > 5 {
            return Err(bad());
        }
        let int: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let frac: i64 = format!("{frac:0<5}").parse().map_err(|_| bad())?;
        let v = int
            .checked_mul(RATE_SCALE)
            .and_then(|v| v.checked_add(frac))
            .ok_or_else(bad)?;
        Ok(Rate(if neg { -v } else { v }))
    }

    /// `percent` of this rate (e.g. 8 % of the levy's main rate), rounded half away from zero.
    pub fn percent(self, percent: i64) -> Rate {
        Rate(div_round(i128::from(self.0) * i128::from(percent), 100) as i64)
    }

    /// As a `numeric` literal with five decimals (`"38.41200"`).
    pub fn to_decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:05}", a / RATE_SCALE as u64, a % RATE_SCALE as u64)
    }
}

impl fmt::Display for Rate {
    /// Pence with the decimals that matter, at least two: `38.412`, `185.00`, `0.06408`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.to_decimal();
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let frac = frac.trim_end_matches('0');
        write!(f, "{int}.{frac:0<2}")
    }
}

/// Divides, rounding half away from zero.
fn div_round(x: i128, d: i128) -> i128 {
    let q = x / d;
    let r = x % d;
    if 2 * r.abs() >= d {
        q + x.signum()
    } else {
        q
    }
}

/// The amount of a line: `quantity_milli` thousandths of a unit at `rate`, to the penny.
pub fn line_amount(quantity_milli: i64, rate: Rate) -> Pence {
    let x = i128::from(quantity_milli) * i128::from(rate.0);
    Pence(div_round(x, 1_000 * i128::from(RATE_SCALE)) as i64)
}

/// A VAT rate in hundredths of a percent (`VatRate(2000)` is 20 %), as `numeric(5,2)` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VatRate(pub i64);

impl VatRate {
    pub const STANDARD: VatRate = VatRate(2000);

    pub fn parse(text: &str) -> Result<Self, BadRate> {
        let r = Rate::parse(text)?;
        if r.0 % 1_000 != 0 || r.0 < 0 {
            return Err(BadRate(text.to_string()));
        }
        Ok(VatRate(r.0 / 1_000))
    }

    /// VAT on a net amount, to the penny.
    pub fn on(self, net: Pence) -> Pence {
        Pence(div_round(i128::from(net.0) * i128::from(self.0), 10_000) as i64)
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&percent_e2_text(self.0))
    }
}

/// A percentage held in hundredths: `2000` → `20 %`, `1750` → `17.50 %`, `50` → `0.50 %`.
pub fn percent_e2_text(e2: i64) -> String {
    if e2 % 100 == 0 {
        format!("{} %", e2 / 100)
    } else {
        format!("{}.{:02} %", e2 / 100, e2 % 100)
    }
}

/// A quantity in thousandths, printed with three decimals and thousands separators: `12,345.678`.
pub fn quantity_text(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let a = milli.unsigned_abs();
    format!("{sign}{}.{:03}", group_thousands(a / 1000), a % 1000)
}

/// A quantity as `invoice_lines.quantity` is written (`12345.678`).
pub fn quantity_decimal(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let a = milli.unsigned_abs();
    format!("{sign}{}.{:03}", a / 1000, a % 1000)
}

/// Reads a `numeric` quantity with at most three decimals into thousandths.
pub fn parse_quantity(text: &str) -> Result<i64, BadRate> {
    let r = Rate::parse(text)?;
    if r.0 % 100 != 0 {
        return Err(BadRate(text.to_string()));
    }
    Ok(r.0 / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_exactly() {
        assert_eq!(Rate::parse("38.4120"), Ok(Rate(3_841_200)));
        assert_eq!(Rate::parse("0.775"), Ok(Rate(77_500)));
        assert_eq!(Rate::parse("185"), Ok(Rate(18_500_000)));
        assert_eq!(Rate::parse("0.06408"), Ok(Rate(6_408)));
        assert_eq!(Rate::parse("-1.5"), Ok(Rate(-150_000)));
        assert_eq!(Rate::parse("1.500000"), Ok(Rate(150_000)));
        for bad in ["", ".", "1.000001", "1,5", "abc", "1e3", "--1"] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Rate(3_841_200).to_decimal(), "38.41200");
        assert_eq!(Rate(3_841_200).to_string(), "38.412");
        assert_eq!(Rate(18_500_000).to_string(), "185.00");
    }

    #[test]
    fn eight_percent_of_the_levy_keeps_five_decimals() {
        assert_eq!(Rate::parse("0.801").unwrap().percent(8), Rate(6_408));
        assert_eq!(Rate::parse("0.775").unwrap().percent(8), Rate(6_200));
    }

    #[test]
    fn a_line_rounds_half_away_from_zero_to_the_penny() {
        // 1,234.567 kWh at 21.3380 p/kWh = 26,343.39… p
        assert_eq!(
            line_amount(1_234_567, Rate::parse("21.338").unwrap()),
            Pence(26_343)
        );
        // exactly half a penny rounds up, and down for a credit
        assert_eq!(line_amount(1_000, Rate(50_000)), Pence(1));
        assert_eq!(line_amount(-1_000, Rate(50_000)), Pence(-1));
        assert_eq!(line_amount(1_000, Rate(49_999)), Pence(0));
        // 28 days of 185 p/day is £51.80
        assert_eq!(line_amount(28_000, Rate::parse("185").unwrap()), Pence(5_180));
        // a year of a large meter does not overflow
        assert_eq!(
            line_amount(10_000_000_000, Rate::parse("38.412").unwrap()),
            Pence(384_120_000)
        );
    }

    #[test]
    fn vat_is_rounded_once_on_the_net() {
        assert_eq!(VatRate::STANDARD.on(Pence(1_234_567)), Pence(246_913));
        assert_eq!(VatRate::STANDARD.on(Pence(-1_234_567)), Pence(-246_913));
        assert_eq!(VatRate::parse("5.00").unwrap().on(Pence(10)), Pence(1)); // 0.5 p rounds up
        assert_eq!(VatRate::parse("20.00"), Ok(VatRate(2000)));
        assert!(VatRate::parse("20.001").is_err());
        assert_eq!(VatRate(2000).to_string(), "20 %");
        assert_eq!(VatRate(1750).to_string(), "17.50 %");
    }

    #[test]
    fn quantities_print_and_parse_in_thousandths() {
        assert_eq!(quantity_text(12_345_678), "12,345.678");
        assert_eq!(quantity_text(-5), "-0.005");
        assert_eq!(quantity_decimal(12_345_678), "12345.678");
        assert_eq!(parse_quantity("12345.678"), Ok(12_345_678));
        assert_eq!(parse_quantity("28.000"), Ok(28_000));
        assert!(parse_quantity("1.0001").is_err());
    }
}
