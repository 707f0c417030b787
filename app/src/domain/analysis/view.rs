//! Which analysis view a page or download shows, and for what: the supply point, the span of
//! settlement days, the run, and (for revisions) a day and two runs to overlay. The same query
//! string drives the page, its chart (SVG) and its table (CSV), so a link reproduces the view.
use std::str::FromStr;

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::carpet::MAX_DAYS;
use super::comparison::Span;
use crate::domain::settlement_run::{RunChoice, SettlementRun};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisKind {
    #[default]
    Heatmap,
    Duration,
    Profiles,
    Compare,
    Demand,
    Bands,
    Revisions,
}

/// A string that names no view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown view {0:?}; use heatmap, duration, profiles, compare, demand, bands or revisions")]
pub struct UnknownView(pub String);

impl AnalysisKind {
    pub const ALL: [AnalysisKind; 7] = [
        Self::Heatmap,
        Self::Duration,
        Self::Profiles,
        Self::Compare,
        Self::Demand,
        Self::Bands,
        Self::Revisions,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Heatmap => "heatmap",
            Self::Duration => "duration",
            Self::Profiles => "profiles",
            Self::Compare => "compare",
            Self::Demand => "demand",
            Self::Bands => "bands",
            Self::Revisions => "revisions",
        }
    }

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Heatmap => "Heatmap",
            Self::Duration => "Load duration",
            Self::Profiles => "Day profiles",
            Self::Compare => "Compare periods",
            Self::Demand => "Demand & power factor",
            Self::Bands => "Cost by time band",
            Self::Revisions => "Run revisions",
        }
    }

    /// What the view answers, in one line under its title.
    pub fn question(self) -> &'static str {
        match self {
            Self::Heatmap => "Every half-hour of every day, coloured by kWh: waste out of hours shows as colour where nights and weekends should be pale.",
            Self::Duration => "Every half-hour's demand sorted from highest to lowest: the base load that never switches off, the peak, and how evenly capacity is used.",
            Self::Profiles => "The average weekday, Saturday and Sunday, half-hour by half-hour (UK clock time).",
            Self::Compare => "This span against the span just before it and the same dates a year earlier.",
            Self::Demand => "Maximum demand (kVA) each month against the agreed capacity, and the power factor of each month's energy.",
            Self::Bands => "kWh and cost in the distributor's red, amber and green time bands, at the unit rates of the contract in force each day.",
            Self::Revisions => "How the figures moved between settlement runs (II → SF → R1 … DF) as estimates were replaced by reads.",
        }
    }

    /// The span a view shows when none is asked for, in days ending at the latest data.
    pub fn default_days(self) -> i64 {
        match self {
            Self::Heatmap | Self::Demand => 365,
            Self::Duration | Self::Bands => 90,
            Self::Profiles | Self::Compare | Self::Revisions => 30,
        }
    }
}

impl FromStr for AnalysisKind {
    type Err = UnknownView;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| UnknownView(s.to_string()))
    }
}

/// A view's query, as the URL carries it (`?view=heatmap&sp=12&from=2026-01-01&to=2026-12-31`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AnalysisQuery {
    #[serde(default)]
    pub view: AnalysisKind,
    pub sp: i64,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub run: RunChoice,
    /// Revisions: the day to overlay and the two runs (default: the latest day with two runs,
    /// its worst and best).
    #[serde(default)]
    pub day: Option<NaiveDate>,
    #[serde(default)]
    pub a: Option<SettlementRun>,
    #[serde(default)]
    pub b: Option<SettlementRun>,
}

impl AnalysisQuery {
    /// The query string of this view (the page's, its chart's and its table's).
    pub fn to_query(&self) -> String {
        let mut q = format!("view={}&sp={}", self.view.code(), self.sp);
        if let Some(f) = self.from {
            q.push_str(&format!("&from={f}"));
        }
        if let Some(t) = self.to {
            q.push_str(&format!("&to={t}"));
        }
        if self.run != RunChoice::Best {
            q.push_str(&format!("&run={}", self.run.code()));
        }
        if let Some(d) = self.day {
            q.push_str(&format!("&day={d}"));
        }
        for (k, r) in [("a", self.a), ("b", self.b)] {
            if let Some(r) = r {
                q.push_str(&format!("&{k}={}", r.as_str()));
            }
        }
        q
    }

    /// The span to show: the asked dates, or the view's default ending at `latest` (the last day
    /// with data, or yesterday without any). Refuses a span that ends before it starts or is
    /// longer than 13 months, with a message the page can show.
    pub fn span(&self, latest: Option<NaiveDate>, today: NaiveDate) -> Result<Span, String> {
        let to = self.to.or(latest).unwrap_or(today - TimeDelta::days(1));
        let from = self
            .from
            .unwrap_or(to - TimeDelta::days(self.view.default_days() - 1));
        if from > to {
            return Err(format!("The span starts ({from}) after it ends ({to})."));
        }
        let span = Span { from, to };
        if span.days() > MAX_DAYS {
            return Err(format!(
                "The span is {} days; a view covers at most {MAX_DAYS} days (13 months).",
                span.days()
            ));
        }
        Ok(span)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::date;
    use super::*;

    #[test]
    fn views_round_trip_through_their_codes() {
        for k in AnalysisKind::ALL {
            assert_eq!(k.code().parse::<AnalysisKind>(), Ok(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.code()));
        }
        assert!("pie".parse::<AnalysisKind>().is_err());
    }

    #[test]
    fn a_span_defaults_to_the_view_s_length_ending_at_the_latest_data() {
        let q = AnalysisQuery {
            view: AnalysisKind::Heatmap,
            sp: 1,
            ..Default::default()
        };
        let s = q.span(Some(date("2026-11-20")), date("2026-11-29")).unwrap();
        assert_eq!((s.from, s.to), (date("2025-11-21"), date("2026-11-20")));
        let none = q.span(None, date("2026-11-29")).unwrap();
        assert_eq!(none.to, date("2026-11-28"));
    }

    #[test]
    fn a_backwards_or_too_long_span_is_refused_with_a_reason() {
        let mut q = AnalysisQuery {
            sp: 1,
            from: Some(date("2026-02-01")),
            to: Some(date("2026-01-01")),
            ..Default::default()
        };
        assert!(q
            .span(None, date("2026-11-29"))
            .unwrap_err()
            .contains("after it ends"));
        q.from = Some(date("2024-01-01"));
        q.to = Some(date("2026-01-01"));
        assert!(q
            .span(None, date("2026-11-29"))
            .unwrap_err()
            .contains("at most 397 days"));
    }

    #[test]
    fn the_query_string_round_trips() {
        let q = AnalysisQuery {
            view: AnalysisKind::Revisions,
            sp: 7,
            from: Some(date("2026-10-01")),
            to: Some(date("2026-10-31")),
            run: RunChoice::Best,
            day: Some(date("2026-10-25")),
            a: Some(SettlementRun::SF),
            b: Some(SettlementRun::R3),
        };
        let s = q.to_query();
        assert_eq!(
            s,
            "view=revisions&sp=7&from=2026-10-01&to=2026-10-31&day=2026-10-25&a=SF&b=R3"
        );
        let back: AnalysisQuery = serde_urlencoded::from_str(&s).unwrap();
        assert_eq!(back, q);
    }
}
