//! Meter data channels (active/reactive, import/export) and the status of each half-hourly value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string that names no channel or status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelParseError {
    #[error("unknown channel {0:?}; expected AI, AE, RI, RE or a name like active_import")]
    Channel(String),
    #[error("unknown value status {0:?}; expected A (actual), E (estimated) or M (missing)")]
    Status(String),
}

/// Lower-cases and turns spaces and hyphens into underscores, so "Active Import" matches.
fn normalise(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// One measured quantity of a supply point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    ActiveImport,
    ActiveExport,
    ReactiveImport,
    ReactiveExport,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Self::ActiveImport,
        Self::ActiveExport,
        Self::ReactiveImport,
        Self::ReactiveExport,
    ];

    /// The two-letter code used in files and on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Self::ActiveImport => "AI",
            Self::ActiveExport => "AE",
            Self::ReactiveImport => "RI",
            Self::ReactiveExport => "RE",
        }
    }

    /// The readable snake_case name, e.g. `active_import`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ActiveImport => "active_import",
            Self::ActiveExport => "active_export",
            Self::ReactiveImport => "reactive_import",
            Self::ReactiveExport => "reactive_export",
        }
    }

    /// Unit of the half-hourly values: `kWh` or `kVArh`.
    pub fn unit(self) -> &'static str {
        if self.is_reactive() {
            "kVArh"
        } else {
            "kWh"
        }
    }

    pub fn is_reactive(self) -> bool {
        matches!(self, Self::ReactiveImport | Self::ReactiveExport)
    }
}

impl FromStr for Channel {
    type Err = ChannelParseError;
    /// Accepts the code (any case) or the readable name (`active_import`, "Active Import").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = normalise(s);
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(&n) || c.name() == n)
            .ok_or_else(|| ChannelParseError::Channel(s.to_string()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a half-hourly value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueStatus {
    Actual,
    Estimated,
    /// Missing data, possibly padded with a placeholder value.
    Missing,
}

impl ValueStatus {
    pub const ALL: [ValueStatus; 3] = [Self::Actual, Self::Estimated, Self::Missing];

    pub fn code(self) -> char {
        match self {
            Self::Actual => 'A',
            Self::Estimated => 'E',
            Self::Missing => 'M',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Actual => "actual",
            Self::Estimated => "estimated",
            Self::Missing => "missing",
        }
    }

    pub fn from_code(code: char) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.to_ascii_uppercase())
    }
}

impl FromStr for ValueStatus {
    type Err = ChannelParseError;
    /// Accepts the letter or the word, in any case; "estimate" and "padding" too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = normalise(s);
        let mut chars = n.chars();
        let single = match (chars.next(), chars.next()) {
            (Some(c), None) => Self::from_code(c),
            _ => None,
        };
        single
            .or(match n.as_str() {
                "actual" => Some(Self::Actual),
                "estimated" | "estimate" => Some(Self::Estimated),
                "missing" | "padding" => Some(Self::Missing),
                _ => None,
            })
            .ok_or_else(|| ChannelParseError::Status(s.to_string()))
    }
}

impl fmt::Display for ValueStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl Serialize for ValueStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ValueStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_parse_from_codes_and_readable_names() {
        assert_eq!("AI".parse(), Ok(Channel::ActiveImport));
        assert_eq!("ae".parse(), Ok(Channel::ActiveExport));
        assert_eq!("reactive_import".parse(), Ok(Channel::ReactiveImport));
        assert_eq!(" Reactive Export ".parse(), Ok(Channel::ReactiveExport));
        assert_eq!("active-import".parse(), Ok(Channel::ActiveImport));
    }

    #[test]
    fn an_unknown_channel_is_rejected_with_the_valid_forms() {
        assert_eq!(
            "XX".parse::<Channel>().unwrap_err().to_string(),
            "unknown channel \"XX\"; expected AI, AE, RI, RE or a name like active_import"
        );
    }

    #[test]
    fn active_channels_are_in_kwh_and_reactive_ones_in_kvarh() {
        assert_eq!(Channel::ActiveImport.unit(), "kWh");
        assert_eq!(Channel::ActiveExport.unit(), "kWh");
        assert_eq!(Channel::ReactiveImport.unit(), "kVArh");
        assert_eq!(Channel::ReactiveExport.unit(), "kVArh");
    }

    #[test]
    fn every_channel_displays_as_its_code_and_parses_back() {
        let codes: Vec<String> = Channel::ALL.iter().map(|c| c.to_string()).collect();
        assert_eq!(codes, ["AI", "AE", "RI", "RE"]);
        for c in Channel::ALL {
            assert_eq!(c.name().parse(), Ok(c));
        }
    }

    #[test]
    fn statuses_parse_from_letters_and_words() {
        assert_eq!("A".parse(), Ok(ValueStatus::Actual));
        assert_eq!("a".parse(), Ok(ValueStatus::Actual));
        assert_eq!("actual".parse(), Ok(ValueStatus::Actual));
        assert_eq!("E".parse(), Ok(ValueStatus::Estimated));
        assert_eq!("Estimated".parse(), Ok(ValueStatus::Estimated));
        assert_eq!("M".parse(), Ok(ValueStatus::Missing));
        assert_eq!("padding".parse(), Ok(ValueStatus::Missing));
        assert!("X".parse::<ValueStatus>().is_err());
        assert!("".parse::<ValueStatus>().is_err());
        assert!("actually".parse::<ValueStatus>().is_err());
    }

    #[test]
    fn statuses_display_as_their_single_letter() {
        assert_eq!(ValueStatus::Actual.to_string(), "A");
        assert_eq!(ValueStatus::Estimated.code(), 'E');
        assert_eq!(ValueStatus::from_code('m'), Some(ValueStatus::Missing));
    }

    #[test]
    fn channel_and_status_deserialize_from_strings() {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        let d: StrDeserializer<Error> = "active_export".into_deserializer();
        assert_eq!(Channel::deserialize(d), Ok(Channel::ActiveExport));
        let d: StrDeserializer<Error> = "E".into_deserializer();
        assert_eq!(ValueStatus::deserialize(d), Ok(ValueStatus::Estimated));
    }
}
