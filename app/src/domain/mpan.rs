//! MPANs: the 13-digit core with its check digit, and the distributor areas.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Weights applied to the first 12 digits of an MPAN core to compute its check digit.
const CHECK_WEIGHTS: [u32; 12] = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43];

/// Why a string is not a valid MPAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MpanError {
    #[error("MPAN is empty")]
    Empty,
    #[error("character {found:?} at position {position} is not a digit")]
    NotADigit { found: char, position: usize },
    #[error("an MPAN core has 13 digits, this has {0}")]
    CoreLength(usize),
    #[error("check digit is {found}, expected {expected}")]
    CheckDigit { found: u8, expected: u8 },
    #[error("{0} is not a GB distributor id (10 to 23)")]
    UnknownDistributor(u8),
}

/// Check digit of an MPAN core from its first 12 digits: `(Σ dᵢ·wᵢ mod 11) mod 10`.
pub fn check_digit(first_twelve: [u8; 12]) -> u8 {
    let sum: u32 = first_twelve
        .iter()
        .zip(CHECK_WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    // Both moduli are below 11, so the cast cannot truncate.
    ((sum % 11) % 10) as u8
}

/// The digits of `s`, ignoring whitespace anywhere; positions in errors count from 1.
fn digits(s: &str) -> Result<Vec<u8>, MpanError> {
    let mut out = Vec::with_capacity(13);
    for (i, c) in s.chars().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        match c.to_digit(10) {
            Some(d) => out.push(d as u8),
            None => {
                return Err(MpanError::NotADigit {
                    found: c,
                    position: i + 1,
                })
            }
        }
    }
    if out.is_empty() {
        return Err(MpanError::Empty);
    }
    Ok(out)
}

fn number(digits: &[u8]) -> u64 {
    digits.iter().fold(0, |n, &d| n * 10 + u64::from(d))
}

/// A 13-digit MPAN core whose check digit has been verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MpanCore(u64);

impl MpanCore {
    /// Parses 13 digits; whitespace anywhere (e.g. `"10 1234 5678 903"`) is ignored.
    pub fn parse(s: &str) -> Result<Self, MpanError> {
        let d = digits(s)?;
        Self::from_digits(&d)
    }

    fn from_digits(d: &[u8]) -> Result<Self, MpanError> {
        let Ok(all) = <[u8; 13]>::try_from(d) else {
            return Err(MpanError::CoreLength(d.len()));
        };
        let mut first = [0u8; 12];
        first.copy_from_slice(&all[..12]);
        let expected = check_digit(first);
        if all[12] != expected {
            return Err(MpanError::CheckDigit {
                found: all[12],
                expected,
            });
        }
        Ok(Self(number(&all)))
    }

    /// The first two digits: 10–23 for the GB areas, other values for IDNOs.
    pub fn distributor_id(&self) -> u8 {
        // A 13-digit number divided by 10^11 is below 100.
        (self.0 / 100_000_000_000) as u8
    }

    /// The GB distribution area, or `None` for ids outside 10–23 (e.g. IDNOs).
    pub fn distributor(&self) -> Option<Distributor> {
        Distributor::from_id(self.distributor_id()).ok()
    }

    /// The 10 digits between the distributor id and the check digit.
    pub fn unique_id(&self) -> u64 {
        (self.0 / 10) % 10_000_000_000
    }

    pub fn check_digit(&self) -> u8 {
        (self.0 % 10) as u8
    }
}

impl fmt::Display for MpanCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}", self.0)
    }
}

impl FromStr for MpanCore {
    type Err = MpanError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for MpanCore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MpanCore {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The 14 original GB distribution areas, numbered by their MPAN distributor id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Distributor {
    Eastern = 10,
    EastMidlands = 11,
    London = 12,
    MerseysideNorthWales = 13,
    Midlands = 14,
    Northern = 15,
    NorthWestern = 16,
    NorthScotland = 17,
    SouthScotland = 18,
    SouthEastern = 19,
    Southern = 20,
    SouthWales = 21,
    SouthWestern = 22,
    Yorkshire = 23,
}

impl Distributor {
    pub const ALL: [Distributor; 14] = [
        Self::Eastern,
        Self::EastMidlands,
        Self::London,
        Self::MerseysideNorthWales,
        Self::Midlands,
        Self::Northern,
        Self::NorthWestern,
        Self::NorthScotland,
        Self::SouthScotland,
        Self::SouthEastern,
        Self::Southern,
        Self::SouthWales,
        Self::SouthWestern,
        Self::Yorkshire,
    ];

    pub fn from_id(id: u8) -> Result<Self, MpanError> {
        Self::ALL
            .into_iter()
            .find(|d| d.id() == id)
            .ok_or(MpanError::UnknownDistributor(id))
    }

    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn area_name(self) -> &'static str {
        match self {
            Self::Eastern => "Eastern",
            Self::EastMidlands => "East Midlands",
            Self::London => "London",
            Self::MerseysideNorthWales => "Merseyside & N Wales",
            Self::Midlands => "Midlands",
            Self::Northern => "Northern",
            Self::NorthWestern => "North Western",
            Self::NorthScotland => "North Scotland",
            Self::SouthScotland => "South Scotland",
            Self::SouthEastern => "South Eastern",
            Self::Southern => "Southern",
            Self::SouthWales => "South Wales",
            Self::SouthWestern => "South Western",
            Self::Yorkshire => "Yorkshire",
        }
    }
}

impl TryFrom<u8> for Distributor {
    type Error = MpanError;
    fn try_from(id: u8) -> Result<Self, Self::Error> {
        Self::from_id(id)
    }
}

impl fmt::Display for Distributor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.area_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    fn from_json_like_str<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, DeError> {
        let d: StrDeserializer<DeError> = s.into_deserializer();
        T::deserialize(d)
    }

    #[test]
    fn the_worked_example_sums_to_1334_and_has_check_digit_3() {
        // 1·3 + 0·5 + 1·7 + 2·13 + 3·17 + 4·19 + 5·23 + 6·29 + 7·31 + 8·37 + 9·41 + 0·43 = 1334
        // 1334 = 121·11 + 3, so the check digit is 3.
        assert_eq!(check_digit([1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]), 3);
        let core = MpanCore::parse("1012345678903").unwrap();
        assert_eq!(core.to_string(), "1012345678903");
    }

    #[test]
    fn a_sum_of_ten_mod_eleven_gives_check_digit_zero() {
        // 1·3 + 8·5 = 43 = 3·11 + 10, and 10 mod 10 = 0.
        assert_eq!(check_digit([1, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
        assert!(MpanCore::parse("1800000000000").is_ok());
    }

    #[test]
    fn a_wrong_check_digit_is_rejected_with_both_digits_named() {
        let err = MpanCore::parse("1012345678904").unwrap_err();
        assert_eq!(err.to_string(), "check digit is 4, expected 3");
    }

    #[test]
    fn spaces_around_and_inside_an_mpan_core_are_ignored() {
        let a = MpanCore::parse("  1012345678903 ").unwrap();
        let b = MpanCore::parse("10 1234 5678 903").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_core_of_the_wrong_length_says_how_many_digits_it_has() {
        assert_eq!(
            MpanCore::parse("101234567890").unwrap_err().to_string(),
            "an MPAN core has 13 digits, this has 12"
        );
        assert_eq!(MpanCore::parse("   ").unwrap_err(), MpanError::Empty);
    }

    #[test]
    fn a_letter_in_a_core_is_reported_with_its_position() {
        assert_eq!(
            MpanCore::parse("10123456789O3").unwrap_err().to_string(),
            "character 'O' at position 12 is not a digit"
        );
    }

    #[test]
    fn a_core_exposes_its_parts() {
        let core = MpanCore::parse("1012345678903").unwrap();
        assert_eq!(core.distributor_id(), 10);
        assert_eq!(core.unique_id(), 1_234_567_890);
        assert_eq!(core.check_digit(), 3);
        assert_eq!(core.distributor(), Some(Distributor::Eastern));
    }

    #[test]
    fn an_idno_core_parses_but_has_no_gb_area() {
        // 2·3 + 4·5 = 26 = 2·11 + 4, check digit 4.
        let core = MpanCore::parse("2400000000004").unwrap();
        assert_eq!(core.distributor_id(), 24);
        assert_eq!(core.distributor(), None);
    }

    #[test]
    fn distributor_ids_map_to_the_fourteen_area_names() {
        assert_eq!(Distributor::from_id(10).unwrap().area_name(), "Eastern");
        assert_eq!(
            Distributor::from_id(13).unwrap().to_string(),
            "Merseyside & N Wales"
        );
        assert_eq!(Distributor::from_id(23).unwrap(), Distributor::Yorkshire);
        assert_eq!(
            Distributor::from_id(9).unwrap_err().to_string(),
            "9 is not a GB distributor id (10 to 23)"
        );
        assert!(Distributor::try_from(24).is_err());
        let ids: Vec<u8> = Distributor::ALL.iter().map(|d| d.id()).collect();
        assert_eq!(ids, (10..=23).collect::<Vec<u8>>());
    }

    #[test]
    fn a_core_deserializes_from_a_string_through_parse() {
        let core: MpanCore = from_json_like_str("1012345678903").unwrap();
        assert_eq!(core.distributor_id(), 10);
        let err = from_json_like_str::<MpanCore>("1012345678904").unwrap_err();
        assert!(err.to_string().contains("check digit is 4, expected 3"));
    }
}
