//! Bill validation: the invoice's lines compared with the shadow bill, line by line, after a check
//! of the data the shadow bill stands on; a verdict per invoice with the money at stake.
//!
//! Tolerance: a line matches when its amount is within `Tolerance::per_line` (£1.00) of the shadow
//! bill's; billed kWh must be within `Tolerance::volume_percent_e2` (0.5 %) of the half-hourly
//! total. An invoice cannot be validated when more than `Tolerance::missing_percent_e2` (1 %) of
//! a supply point's half-hours are missing, or a supply point has no data at all.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::money::{percent_e2_text, quantity_text, Rate, VatRate};
use super::shadow::{ChargeType, DataCheck, ShadowBill, ShadowLine};
use crate::domain::units::Pence;

/// A line as the invoice has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilledLine {
    pub id: i64,
    pub supply_point_id: Option<i64>,
    pub mpan_core: Option<String>,
    pub charge_type: String,
    pub component: Option<String>,
    pub description: String,
    pub quantity_milli: i64,
    pub unit: String,
    pub rate: Rate,
    pub amount: Pence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tolerance {
    pub per_line: Pence,
    /// Hundredths of a percent.
    pub volume_percent_e2: i64,
    pub missing_percent_e2: i64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            per_line: Pence(100),
            volume_percent_e2: 50,
            missing_percent_e2: 100,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Matched,
    OverBilled,
    UnderBilled,
    MissingFromInvoice,
    NotExpected,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Self::Matched => "matches",
            Self::OverBilled => "over-billed",
            Self::UnderBilled => "under-billed",
            Self::MissingFromInvoice => "missing from the invoice",
            Self::NotExpected => "not expected",
        }
    }

    pub fn is_flagged(self) -> bool {
        self != Self::Matched
    }
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCheck {
    pub outcome: Outcome,
    pub billed: Option<BilledLine>,
    pub expected: Option<ShadowLine>,
    /// Billed minus expected (positive: over-billed).
    pub difference: Pence,
    /// Billed minus expected quantity, thousandths of the unit, when both exist.
    pub quantity_difference_milli: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    Query,
    CannotValidate,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Query => "Query",
            Self::CannotValidate => "Cannot validate",
        }
    }
}

/// Billed energy against the half-hourly total: overall, and for each supply point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeCheck {
    pub billed_wh: i64,
    pub hh_wh: i64,
    /// Whether the total and every supply point's billed kWh are within tolerance of the data.
    pub within_tolerance: bool,
}

/// The invoice's VAT against its own net.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatCheck {
    pub billed: Pence,
    pub on_billed_net: Pence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    pub verdict: Verdict,
    /// One sentence: why this verdict.
    pub summary: String,
    pub lines: Vec<LineCheck>,
    pub data: Vec<DataCheck>,
    pub volume: VolumeCheck,
    /// `None` when only part of the invoice was checked (a user restricted to some sites).
    pub vat: Option<VatCheck>,
    /// Billed minus expected over the flagged lines, VAT included; positive when over-billed.
    pub at_stake: Pence,
    pub runs_used: String,
    pub tolerance: Tolerance,
    pub shadow_net: Pence,
    pub shadow_total: Pence,
}

/// What the invoice says beside its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BilledTotals {
    pub net: Pence,
    pub vat: Pence,
    pub vat_rate: VatRate,
    /// Whether the lines are all of the invoice's (false for a user restricted to some sites).
    pub whole_invoice: bool,
}

fn pct_e2(part: i64, whole: i64) -> i64 {
    if whole == 0 {
        return if part == 0 { 0 } else { i64::MAX };
    }
    (i128::from(part) * 10_000 / i128::from(whole)) as i64
}

/// Compares `billed` with `shadow`.
pub fn validate(
    shadow: &ShadowBill,
    billed: &[BilledLine],
    totals: BilledTotals,
    tolerance: Tolerance,
) -> Validation {
    let lines = compare_lines(shadow, billed, tolerance);
    let energy = |sp: Option<i64>| -> i64 {
        billed
            .iter()
            .filter(|l| {
                l.charge_type == ChargeType::Energy.as_str() && (sp.is_none() || l.supply_point_id == sp)
            })
            .map(|l| l.quantity_milli)
            .sum()
    };
    let billed_wh = energy(None);
    let hh_wh: i64 = shadow.checks.iter().map(|c| c.hh_wh).sum();
    // Each supply point's billed kWh against its own half-hourly total.
    let within = |b: i64, h: i64| pct_e2((b - h).abs(), h) <= tolerance.volume_percent_e2;
    let volume = VolumeCheck {
        billed_wh,
        hh_wh,
        within_tolerance: within(billed_wh, hh_wh)
            && shadow
                .checks
                .iter()
                .all(|c| within(energy(Some(c.supply_point_id)), c.hh_wh)),
    };
    let vat = totals.whole_invoice.then(|| VatCheck {
        billed: totals.vat,
        on_billed_net: totals.vat_rate.on(totals.net),
    });
    let flagged: Vec<&LineCheck> = lines.iter().filter(|l| l.outcome.is_flagged()).collect();
    let flagged_net: Pence = flagged.iter().map(|l| l.difference).sum();
    let at_stake = flagged_net + totals.vat_rate.on(flagged_net);

    let no_data: Vec<&DataCheck> = shadow.checks.iter().filter(|c| c.runs.is_empty()).collect();
    let gappy: Vec<&DataCheck> = shadow
        .checks
        .iter()
        .filter(|c| {
            !c.runs.is_empty() && pct_e2(c.missing_periods, c.expected_periods) > tolerance.missing_percent_e2
        })
        .collect();
    let (verdict, summary) = if let Some(p) = shadow.problems.first() {
        (Verdict::CannotValidate, p.clone())
    } else if let Some(c) = no_data.first() {
        (
            Verdict::CannotValidate,
            format!(
                "There is no half-hourly data for MPAN {} in the billing period.",
                c.mpan_core
            ),
        )
    } else if let Some(c) = gappy.first() {
        (
            Verdict::CannotValidate,
            format!(
                "{} of {} half-hours are missing for MPAN {} (more than {}), so the shadow bill would be incomplete.",
                c.missing_periods,
                c.expected_periods,
                c.mpan_core,
                percent_e2_text(tolerance.missing_percent_e2)
            ),
        )
    } else if !flagged.is_empty() {
        let over = flagged
            .iter()
            .filter(|l| l.outcome == Outcome::OverBilled)
            .count();
        (
            Verdict::Query,
            format!(
                "{} line{} differ{} from the shadow bill ({} over-billed); {} at stake including VAT.",
                flagged.len(),
                if flagged.len() == 1 { "" } else { "s" },
                if flagged.len() == 1 { "s" } else { "" },
                over,
                at_stake
            ),
        )
    } else if let Some(v) = vat.filter(|v| (v.billed.0 - v.on_billed_net.0).abs() > tolerance.per_line.0) {
        (
            Verdict::Query,
            format!(
                "VAT billed is {}; {} of the net is {}.",
                v.billed, totals.vat_rate, v.on_billed_net
            ),
        )
    } else if !volume.within_tolerance {
        (
            Verdict::Query,
            format!(
                "Billed energy is {} kWh; the half-hourly data totals {} kWh.",
                quantity_text(billed_wh),
                quantity_text(hh_wh)
            ),
        )
    } else {
        (
            Verdict::Ok,
            format!(
                "Every line matches the shadow bill within {} a line.",
                tolerance.per_line
            ),
        )
    };
    Validation {
        verdict,
        summary,
        lines,
        data: shadow.checks.clone(),
        volume,
        vat,
        at_stake: if verdict == Verdict::Query {
            at_stake
        } else {
            Pence(0)
        },
        runs_used: shadow.runs_used(),
        tolerance,
        shadow_net: shadow.net,
        shadow_total: shadow.total,
    }
}

impl Validation {
    /// The verdict for an invoice no shadow bill can be made for, saying why.
    pub fn cannot(why: String, tolerance: Tolerance) -> Self {
        Validation {
            verdict: Verdict::CannotValidate,
            summary: why,
            lines: Vec::new(),
            data: Vec::new(),
            volume: VolumeCheck {
                billed_wh: 0,
                hh_wh: 0,
                within_tolerance: true,
            },
            vat: None,
            at_stake: Pence(0),
            runs_used: "none".into(),
            tolerance,
            shadow_net: Pence(0),
            shadow_total: Pence(0),
        }
    }
}

/// Pairs billed lines with expected ones: same supply point, charge type and component; a billed
/// line without a component pairs with the only expected line of its supply point and type.
fn compare_lines(shadow: &ShadowBill, billed: &[BilledLine], tolerance: Tolerance) -> Vec<LineCheck> {
    let mut unmatched: BTreeMap<usize, &ShadowLine> = shadow.lines.iter().enumerate().collect();
    let mut out = Vec::new();
    for b in billed {
        let same_kind = |e: &&ShadowLine| {
            e.supply_point_id == b.supply_point_id && e.charge_type.as_str() == b.charge_type
        };
        let found = match &b.component {
            Some(c) => unmatched
                .iter()
                .find(|(_, e)| same_kind(e) && e.component == *c)
                .map(|(i, _)| *i),
            None => {
                let candidates: Vec<usize> = unmatched
                    .iter()
                    .filter(|(_, e)| same_kind(e))
                    .map(|(i, _)| *i)
                    .collect();
                match candidates.as_slice() {
                    [one] => Some(*one),
                    many => many.iter().copied().find(|i| shadow.lines[*i].rate == b.rate),
                }
            }
        };
        match found.and_then(|i| unmatched.remove(&i)) {
            Some(e) => out.push(pair(b, e, tolerance)),
            None => out.push(LineCheck {
                outcome: Outcome::NotExpected,
                billed: Some(b.clone()),
                expected: None,
                difference: b.amount,
                quantity_difference_milli: None,
                reason: format!(
                    "Nothing in the contract or the half-hourly data gives this charge ({}).",
                    b.amount
                ),
            }),
        }
    }
    for e in unmatched.into_values() {
        if e.amount.0.abs() <= tolerance.per_line.0 {
            continue; // a zero line left off the invoice costs nothing
        }
        out.push(LineCheck {
            outcome: Outcome::MissingFromInvoice,
            billed: None,
            expected: Some(e.clone()),
            difference: Pence(-e.amount.0),
            quantity_difference_milli: None,
            reason: format!(
                "Expected but not on the invoice: {} ({}), from {}.",
                e.description, e.amount, e.basis
            ),
        });
    }
    out
}

fn pair(b: &BilledLine, e: &ShadowLine, tolerance: Tolerance) -> LineCheck {
    let difference = Pence(b.amount.0 - e.amount.0);
    let dq = b.quantity_milli - e.quantity_milli;
    let outcome = if difference.0.abs() <= tolerance.per_line.0 {
        Outcome::Matched
    } else if difference.0 > 0 {
        Outcome::OverBilled
    } else {
        Outcome::UnderBilled
    };
    let reason = if outcome == Outcome::Matched {
        if difference.0 == 0 {
            "Matches the shadow bill.".to_string()
        } else {
            format!(
                "Within the {} tolerance ({} difference).",
                tolerance.per_line, difference
            )
        }
    } else {
        reason(b, e)
    };
    LineCheck {
        outcome,
        billed: Some(b.clone()),
        expected: Some(e.clone()),
        difference,
        quantity_difference_milli: Some(dq),
        reason,
    }
}

/// One sentence a customer understands, saying what differs.
fn reason(b: &BilledLine, e: &ShadowLine) -> String {
    let unit = &e.unit;
    let q = |m: i64| quantity_text(m).trim_end_matches(".000").to_string();
    let what = match e.charge_type {
        ChargeType::Energy => {
            let name = super::tariff::RateName::parse(&e.component).map_or("", |n| n.label());
            let mut s = format!("{name} energy");
            if let Some(first) = s.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            s
        }
        t => t.label().to_string(),
    };
    let same_quantity = b.quantity_milli == e.quantity_milli;
    let same_rate = b.rate == e.rate;
    match (same_quantity, same_rate) {
        (false, true) => match e.charge_type {
            ChargeType::StandingCharge => format!(
                "Standing charge billed for {} days; the period has {}.",
                q(b.quantity_milli),
                q(e.quantity_milli)
            ),
            ChargeType::Energy | ChargeType::ClimateChangeLevy => {
                let pct =
                    (b.quantity_milli - e.quantity_milli) as f64 * 100.0 / e.quantity_milli.max(1) as f64;
                format!(
                    "{what} billed on {} kWh; the half-hourly data gives {} kWh ({pct:+.1} %).",
                    quantity_text(b.quantity_milli),
                    quantity_text(e.quantity_milli)
                )
            }
            _ => format!(
                "{what} billed on {} {unit}; {} gives {} {unit}.",
                q(b.quantity_milli),
                e.basis,
                q(e.quantity_milli)
            ),
        },
        (true, false) => {
            let source = if e.charge_type == ChargeType::ClimateChangeLevy {
                format!(
                    "the rate in force is {} p/{unit} ({})",
                    e.rate,
                    e.basis.split(", the ").nth(1).unwrap_or("published rate")
                )
            } else {
                format!("the contract rate is {} p/{unit}", e.rate)
            };
            format!("{what} billed at {} p/{unit}; {source}.", b.rate)
        }
        (false, false) => format!(
            "{what} billed as {} {unit} at {} p; the shadow bill has {} {unit} at {} p.",
            q(b.quantity_milli),
            b.rate,
            q(e.quantity_milli),
            e.rate
        ),
        (true, true) => format!(
            "The amount is not quantity × rate: billed {}, {} {unit} at {} p is {}.",
            b.amount,
            q(b.quantity_milli),
            b.rate,
            e.amount
        ),
    }
}
