//! Settlement runs: the successive publications of the same half-hour, ordered by data quality.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A settlement run. `Ord` follows quality: `II` is the least reliable, `DF` the most, so the
/// best available run of a set is its `max()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SettlementRun {
    /// Interim information, about 5 working days after the day.
    II,
    /// Initial settlement, about 16 working days after.
    SF,
    /// First reconciliation, about 2 months after.
    R1,
    /// Second reconciliation, about 4 months after.
    R2,
    /// Third reconciliation, about 7 months after.
    R3,
    /// Final reconciliation, about 14 months after.
    RF,
    /// Dispute final, rare.
    DF,
}

/// A string that names no settlement run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown settlement run {0:?}; expected one of II, SF, R1, R2, R3, RF, DF")]
pub struct UnknownSettlementRun(pub String);

impl SettlementRun {
    /// Every run, worst first.
    pub const ALL: [SettlementRun; 7] = [
        Self::II,
        Self::SF,
        Self::R1,
        Self::R2,
        Self::R3,
        Self::RF,
        Self::DF,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::II => "II",
            Self::SF => "SF",
            Self::R1 => "R1",
            Self::R2 => "R2",
            Self::R3 => "R3",
            Self::RF => "RF",
            Self::DF => "DF",
        }
    }

    /// The best run among those given, if any.
    pub fn best(runs: impl IntoIterator<Item = SettlementRun>) -> Option<SettlementRun> {
        runs.into_iter().max()
    }
}

impl FromStr for SettlementRun {
    type Err = UnknownSettlementRun;
    /// Case-insensitive, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownSettlementRun(s.to_string()))
    }
}

impl fmt::Display for SettlementRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which settlement run a reading of HH data uses: the best available per day, or exactly one.
/// On the wire and in URLs it is `best` or a run code, so a server fn taking it refuses any
/// other value with a 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum RunChoice {
    /// The best run available for each day.
    #[default]
    Best,
    /// Exactly this run (days without it are absent).
    Exactly(SettlementRun),
}

impl RunChoice {
    /// The choices offered on the consumption page: the best run, then every run in quality order
    /// (DF included: a dispute run is exactly what a customer checking a bill wants to see).
    pub fn offered() -> impl Iterator<Item = RunChoice> {
        std::iter::once(Self::Best).chain(SettlementRun::ALL.into_iter().map(Self::Exactly))
    }

    /// The code used in URLs and server-fn arguments.
    pub fn code(self) -> &'static str {
        match self {
            Self::Best => "best",
            Self::Exactly(r) => r.as_str(),
        }
    }

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Best => "Best run",
            Self::Exactly(r) => r.as_str(),
        }
    }

    /// How the run of a view reads in its caption.
    pub fn description(self) -> &'static str {
        match self {
            Self::Best => "best available",
            Self::Exactly(r) => r.as_str(),
        }
    }
}

impl FromStr for RunChoice {
    type Err = UnknownSettlementRun;
    /// `best` (or nothing) or a run code, case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" => Ok(Self::Best),
            t if t.eq_ignore_ascii_case("best") => Ok(Self::Best),
            t => t.parse().map(Self::Exactly),
        }
    }
}

impl TryFrom<String> for RunChoice {
    type Error = UnknownSettlementRun;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<RunChoice> for String {
    fn from(c: RunChoice) -> String {
        c.code().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_order_from_interim_to_dispute_final() {
        use SettlementRun::*;
        assert!(II < SF && SF < R1 && R1 < R2 && R2 < R3 && R3 < RF && RF < DF);
        let mut shuffled = vec![RF, II, DF, R2, SF, R3, R1];
        shuffled.sort();
        assert_eq!(shuffled, SettlementRun::ALL.to_vec());
    }

    #[test]
    fn the_best_available_run_is_the_highest_quality_one() {
        use SettlementRun::*;
        assert_eq!(SettlementRun::best([SF, R2, II]), Some(R2));
        assert_eq!(SettlementRun::best([]), None);
    }

    #[test]
    fn every_run_round_trips_through_its_code() {
        for run in SettlementRun::ALL {
            assert_eq!(run.as_str().parse::<SettlementRun>(), Ok(run));
            assert_eq!(run.to_string(), run.as_str());
        }
    }

    #[test]
    fn parsing_ignores_case_and_whitespace() {
        assert_eq!(" rf ".parse(), Ok(SettlementRun::RF));
        assert_eq!("r1".parse(), Ok(SettlementRun::R1));
    }

    #[test]
    fn an_unknown_run_is_rejected_with_the_list_of_valid_ones() {
        let err = "R4".parse::<SettlementRun>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown settlement run \"R4\"; expected one of II, SF, R1, R2, R3, RF, DF"
        );
    }

    #[test]
    fn a_run_choice_is_best_or_a_run_code() {
        assert_eq!(
            RunChoice::offered().count(),
            SettlementRun::ALL.len() + 1,
            "every run, DF included"
        );
        for c in RunChoice::offered() {
            assert_eq!(c.code().parse::<RunChoice>(), Ok(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<RunChoice>(&json).unwrap(), c);
        }
        assert_eq!("".parse::<RunChoice>(), Ok(RunChoice::Best));
        assert_eq!(
            "DF".parse::<RunChoice>(),
            Ok(RunChoice::Exactly(SettlementRun::DF))
        );
        assert!(serde_json::from_str::<RunChoice>("\"R4\"").is_err());
        assert_eq!(RunChoice::Best.description(), "best available");
    }
}
