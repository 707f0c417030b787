//! Alerts as users see them: one sentence of what was measured against what, where to look, and
//! runs of consecutive days folded into one line.
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use super::{ProfileWindow, Rule, PROFILE_WEEKS};
use crate::domain::settlement_time::all_periods_utc;

/// An alert as users see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub rule: Rule,
    pub day: NaiveDate,
    pub site_id: Option<i64>,
    pub site: Option<String>,
    pub supply_point_id: Option<i64>,
    pub mpan_core: Option<String>,
    pub contract_id: Option<i64>,
    pub contract: Option<String>,
    pub measured: f64,
    pub reference: f64,
    pub period: Option<i16>,
    pub raised_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
}

/// "Mon 9 Nov 2026".
pub fn day_label(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// "28 Nov 2026 06:00" in UK time.
pub fn uk_day_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%-d %b %Y %H:%M").to_string()
}

/// The local start time ("17:30") of settlement period `p` on `day`.
fn period_time(day: NaiveDate, p: i16) -> Option<String> {
    all_periods_utc(day)
        .nth(usize::try_from(p).ok()?.checked_sub(1)?)
        .map(|(_, t)| t.with_timezone(&London).format("%H:%M").to_string())
}

impl Alert {
    /// What was measured against what, in one sentence.
    pub fn headline(&self) -> String {
        match self.rule {
            Rule::Capacity => {
                let at = self
                    .period
                    .and_then(|p| period_time(self.day, p).map(|t| format!(" at {t} (period {p})")))
                    .unwrap_or_default();
                format!(
                    "Peak {:.0} kVA{at}, above the agreed {:.0} kVA ({:+.0} %)",
                    self.measured,
                    self.reference,
                    100.0 * (self.measured - self.reference) / self.reference.max(1.0)
                )
            }
            Rule::DataGap => format!(
                "{:.0} of {:.0} half-hours missing",
                self.measured, self.reference
            ),
            Rule::OutOfProfile => format!(
                "{} {:.1} kW against {:.1} kW on the same weekday over the previous {PROFILE_WEEKS} weeks ({:+.0} %)",
                capitalise(ProfileWindow::from_code(self.period.unwrap_or(1)).label()),
                self.measured,
                self.reference,
                100.0 * (self.measured - self.reference) / self.reference.max(0.1)
            ),
            Rule::Renewal => format!(
                "{} ends on {} with no contract after it: {:.0} days left",
                self.contract.as_deref().unwrap_or("A contract"),
                day_label(self.day),
                self.measured
            ),
        }
    }

    /// What it is about: the site and MPAN, or the contract.
    pub fn subject(&self) -> String {
        match (&self.site, &self.mpan_core) {
            (Some(site), Some(mpan)) => format!("{site} · MPAN {mpan}"),
            _ => self.contract.clone().unwrap_or_default(),
        }
    }

    /// Where to look into it in the portal.
    pub fn link(&self) -> String {
        match (self.rule, self.supply_point_id) {
            (Rule::Renewal, _) | (_, None) => "/contracts".into(),
            (Rule::Capacity, Some(sp)) => {
                format!("/consumption?sp={sp}&from={}&to={}&unit=kva", self.day, self.day)
            }
            (_, Some(sp)) => format!("/consumption?sp={sp}&from={}&to={}", self.day, self.day),
        }
    }

    pub fn is_open(&self) -> bool {
        self.acknowledged_at.is_none() && self.cleared_at.is_none()
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Alerts of one rule about one supply point (or contract) on consecutive days, in the same state:
/// shown as one line ("Data gap, Tue 10 to Mon 16 Nov: 336 of 336 half-hours missing").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertGroup {
    pub alerts: Vec<Alert>,
}

impl AlertGroup {
    pub fn first(&self) -> &Alert {
        &self.alerts[0]
    }

    pub fn ids(&self) -> Vec<i64> {
        self.alerts.iter().map(|a| a.id).collect()
    }

    pub fn days(&self) -> String {
        let first = self.alerts.iter().map(|a| a.day).min();
        let last = self.alerts.iter().map(|a| a.day).max();
        match (first, last) {
            (Some(a), Some(b)) if a == b => day_label(a),
            (Some(a), Some(b)) => format!(
                "{} to {} ({} days)",
                day_label(a),
                day_label(b),
                (b - a).num_days() + 1
            ),
            _ => String::new(),
        }
    }

    /// One alert's headline, or the run's: the worst day for capacity and profile, the sum for gaps.
    pub fn headline(&self) -> String {
        if self.alerts.len() == 1 {
            return self.first().headline();
        }
        match self.first().rule {
            Rule::DataGap => {
                let missing: f64 = self.alerts.iter().map(|a| a.measured).sum();
                let of: f64 = self.alerts.iter().map(|a| a.reference).sum();
                format!("{missing:.0} of {of:.0} half-hours missing")
            }
            _ => {
                let worst = self
                    .alerts
                    .iter()
                    .max_by(|a, b| (a.measured - a.reference).total_cmp(&(b.measured - b.reference)))
                    .unwrap_or(self.first());
                format!("Worst on {}: {}", day_label(worst.day), worst.headline())
            }
        }
    }
}

/// Folds alerts into groups: same rule, same supply point (or contract), same state (open,
/// acknowledged, resolved), consecutive days. Keeps the order of the first alert of each group
/// as given (the store gives newest days first, or oldest first; both work).
pub fn group(alerts: Vec<Alert>) -> Vec<AlertGroup> {
    let mut groups: Vec<AlertGroup> = Vec::new();
    for a in alerts {
        let joins = groups.iter_mut().rev().find(|g| {
            let f = g.first();
            f.rule == a.rule
                && f.rule != Rule::Renewal
                && f.supply_point_id == a.supply_point_id
                && state(f) == state(&a)
                && g.alerts.iter().any(|x| (x.day - a.day).num_days().abs() == 1)
        });
        match joins {
            Some(g) => {
                g.alerts.push(a);
                g.alerts.sort_by_key(|x| x.day);
            }
            None => groups.push(AlertGroup { alerts: vec![a] }),
        }
    }
    groups
}

fn state(a: &Alert) -> u8 {
    match (a.acknowledged_at.is_some(), a.cleared_at.is_some()) {
        (false, false) => 0,
        (true, _) => 1,
        (false, true) => 2,
    }
}

/// Which alerts a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Neither acknowledged nor resolved.
    #[default]
    Open,
    Acknowledged,
    All,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 3] = [AlertStatus::Open, AlertStatus::Acknowledged, AlertStatus::All];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Acknowledged => "acknowledged",
            AlertStatus::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        AlertStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertStatus::Open => "Open",
            AlertStatus::Acknowledged => "Acknowledged or resolved",
            AlertStatus::All => "All",
        }
    }
}

/// Parses "12,13,14" (the ids of a group, as the acknowledge form sends them). At most 400, no
/// duplicates; `None` on anything else.
pub fn parse_ids(s: &str) -> Option<Vec<i64>> {
    let mut ids: Vec<i64> = s
        .split(',')
        .map(|x| x.trim().parse::<i64>().ok().filter(|n| *n > 0))
        .collect::<Option<_>>()?;
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty() && ids.len() <= 400).then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn alert(id: i64, rule: Rule, sp: i64, day: &str, measured: f64, reference: f64) -> Alert {
        Alert {
            id,
            organisation_id: 1,
            organisation: "Castlegate Group Ltd".into(),
            rule,
            day: d(day),
            site_id: Some(1),
            site: Some("Castlegate House".into()),
            supply_point_id: Some(sp),
            mpan_core: Some("1200023305963".into()),
            contract_id: None,
            contract: None,
            measured,
            reference,
            period: Some(35),
            raised_at: "2026-11-28T06:00:00Z".parse().unwrap(),
            cleared_at: None,
            acknowledged_at: None,
            acknowledged_by: None,
        }
    }

    #[test]
    fn headlines_say_what_was_measured_against_what() {
        let a = alert(1, Rule::Capacity, 1, "2026-11-10", 1_080.0, 1_000.0);
        assert_eq!(
            a.headline(),
            "Peak 1080 kVA at 17:00 (period 35), above the agreed 1000 kVA (+8 %)"
        );
        // Period 35 on the autumn change day starts an hour earlier by the clock.
        let a = alert(1, Rule::Capacity, 1, "2026-10-25", 1_080.0, 1_000.0);
        assert!(a.headline().contains("at 16:00 (period 35)"), "{}", a.headline());
        let mut p = alert(2, Rule::OutOfProfile, 1, "2026-11-10", 42.0, 20.0);
        p.period = Some(1);
        assert_eq!(
            p.headline(),
            "Night base load (00:00–05:00) 42.0 kW against 20.0 kW on the same weekday over the previous 4 weeks (+110 %)"
        );
        assert_eq!(
            alert(3, Rule::DataGap, 1, "2026-11-10", 48.0, 48.0).headline(),
            "48 of 48 half-hours missing"
        );
    }

    #[test]
    fn consecutive_days_fold_into_one_group_per_supply_point_and_state() {
        let mut alerts: Vec<Alert> = (10..=16)
            .map(|day| alert(day, Rule::DataGap, 7, &format!("2026-11-{day}"), 48.0, 48.0))
            .collect();
        alerts.push(alert(30, Rule::DataGap, 8, "2026-11-12", 3.0, 48.0));
        alerts.push(alert(31, Rule::DataGap, 7, "2026-11-20", 2.0, 48.0));
        alerts[3].acknowledged_at = Some("2026-11-28T09:00:00Z".parse().unwrap());
        let groups = group(alerts);
        let shape: Vec<(Vec<i64>, String)> = groups.iter().map(|g| (g.ids(), g.days())).collect();
        assert_eq!(
            shape,
            vec![
                (
                    vec![10, 11, 12],
                    "Tue 10 Nov 2026 to Thu 12 Nov 2026 (3 days)".to_string()
                ),
                (vec![13], "Fri 13 Nov 2026".to_string()),
                (
                    vec![14, 15, 16],
                    "Sat 14 Nov 2026 to Mon 16 Nov 2026 (3 days)".to_string()
                ),
                (vec![30], "Thu 12 Nov 2026".to_string()),
                (vec![31], "Fri 20 Nov 2026".to_string()),
            ]
        );
        assert_eq!(groups[0].headline(), "144 of 144 half-hours missing");
    }

    #[test]
    fn ids_from_a_form() {
        assert_eq!(parse_ids("3, 1,3"), Some(vec![1, 3]));
        assert_eq!(parse_ids(""), None);
        assert_eq!(parse_ids("1,x"), None);
        assert_eq!(parse_ids("-1"), None);
        assert_eq!(parse_ids(&vec!["1"; 401].join(",")), Some(vec![1]));
        let many: Vec<String> = (1..=401).map(|i| i.to_string()).collect();
        assert_eq!(parse_ids(&many.join(",")), None);
    }
}
