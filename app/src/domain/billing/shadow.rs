//! The shadow bill: an invoice rebuilt from the contract in force, the dated regulated rates, the
//! DUoS band table and the half-hourly data of the billing period at the run chosen (normally the
//! best available per day). Pure: the store reads the inputs, this computes.
//!
//! Per supply point and billing period (days are settlement days, so a clock-change day counts
//! its 46 or 50 half-hours):
//! - energy: kWh per unit rate (flat, day/night by UK clock time, or by the distributor's DUoS band
//!   for the date) × the contract's p/kWh;
//! - standing charge: days energised in the period × p/day;
//! - capacity: agreed kVA × days × p/kVA/day;
//! - excess capacity: (maximum demand − agreed capacity) in kVA, rounded up to a whole kVA, × days
//!   × p/kVA/day, where maximum demand is the highest half-hourly kVA = √(kW² + kVAr²),
//!   kW = 2 × kWh and kVAr = 2 × max(reactive import, reactive export) kVArh;
//! - reactive power: Σ over half-hours of max(kVArh − allowance × kWh, 0), the allowance (0.3287
//!   for a 0.95 power factor) being the dated value for the distributor, × p/kVArh;
//! - climate change levy: kWh of each date range with one main rate × that rate (× 8 % for a
//!   climate change agreement), so a period spanning 1 April uses each rate for its own days;
//! - VAT once on the net.
//!
//! Half-hours flagged missing are not billed; the data check reports them.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use super::money::{line_amount, quantity_text, Rate, VatRate};
use super::regulated::{RegulatedKind, RegulatedRates};
use super::tariff::{LevyTreatment, RateName, Tariff};
use crate::domain::duos::BandTable;
use crate::domain::settlement_run::SettlementRun;
use crate::domain::settlement_time::{all_periods_utc, periods_in_day, SettlementDate};
use crate::domain::units::Pence;

/// The kind of an invoice line, as `invoice_lines.charge_type` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeType {
    Energy,
    StandingCharge,
    Capacity,
    ExcessCapacity,
    ReactivePower,
    #[serde(rename = "ccl")]
    ClimateChangeLevy,
}

impl ChargeType {
    pub const ALL: [ChargeType; 6] = [
        Self::Energy,
        Self::StandingCharge,
        Self::Capacity,
        Self::ExcessCapacity,
        Self::ReactivePower,
        Self::ClimateChangeLevy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Energy => "energy",
            Self::StandingCharge => "standing_charge",
            Self::Capacity => "capacity",
            Self::ExcessCapacity => "excess_capacity",
            Self::ReactivePower => "reactive_power",
            Self::ClimateChangeLevy => "ccl",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Energy => "Energy",
            Self::StandingCharge => "Standing charge",
            Self::Capacity => "Capacity charge",
            Self::ExcessCapacity => "Excess capacity",
            Self::ReactivePower => "Reactive power",
            Self::ClimateChangeLevy => "Climate change levy",
        }
    }
}

/// The billing period: settlement dates `first_day ..= last_day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingPeriod {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl BillingPeriod {
    pub fn days(self) -> i64 {
        (self.last_day - self.first_day).num_days() + 1
    }
}

/// One settlement day of a supply point at the run used: values per period (46, 48 or 50).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterDay {
    pub date: NaiveDate,
    pub run: SettlementRun,
    /// Active import, Wh per period.
    pub active_wh: Vec<i32>,
    /// `A` actual, `E` estimated, `M` missing, per period.
    pub statuses: Vec<u8>,
    /// Reactive import and export, VArh per period; empty when the channel has no data.
    pub reactive_import: Vec<i32>,
    pub reactive_export: Vec<i32>,
}

/// A supply point on the contract with its data for the billing period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyData {
    pub supply_point_id: i64,
    pub mpan_core: String,
    pub distributor_id: u8,
    pub agreed_kva: i64,
    pub energised_from: NaiveDate,
    pub days: Vec<MeterDay>,
}

/// A line of the shadow bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowLine {
    pub supply_point_id: Option<i64>,
    pub mpan_core: Option<String>,
    pub charge_type: ChargeType,
    /// What distinguishes lines of one type on one supply point: the rate name of an energy line
    /// (`red`, `night`, `all`), the first date of a levy rate (`2026-04-01`); empty otherwise.
    pub component: String,
    pub description: String,
    /// How the quantity was worked out, in words.
    pub basis: String,
    pub quantity_milli: i64,
    pub unit: String,
    pub rate: Rate,
    pub amount: Pence,
}

/// What the data of one supply point over the period is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCheck {
    pub supply_point_id: i64,
    pub mpan_core: String,
    /// Settlement periods while energised in the billing period (46/50 on clock-change days).
    pub expected_periods: i64,
    pub actual_periods: i64,
    pub estimated_periods: i64,
    /// Expected periods with no value: flagged missing, or on days with no data at all.
    pub missing_periods: i64,
    /// Days by the settlement run used, best run first.
    pub runs: Vec<(SettlementRun, i64)>,
    /// Active import over the period, Wh.
    pub hh_wh: i64,
}

/// The maximum demand of a supply point over the billing period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodMaximumDemand {
    /// Volt-amperes (kVA × 1000), rounded down.
    pub va: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowBill {
    pub period: BillingPeriod,
    pub lines: Vec<ShadowLine>,
    pub net: Pence,
    pub vat_rate: VatRate,
    pub vat: Pence,
    pub total: Pence,
    pub checks: Vec<DataCheck>,
    /// Why the shadow bill cannot be complete (a rate the contract does not price, no levy rate
    /// known for a date); empty when it is.
    pub problems: Vec<String>,
}

impl ShadowBill {
    /// The settlement runs the check used, e.g. "RF (28 days)" or "R3 (20 days), R2 (8 days)".
    pub fn runs_used(&self) -> String {
        let mut by_run: BTreeMap<SettlementRun, i64> = BTreeMap::new();
        for c in &self.checks {
            for (r, n) in &c.runs {
                *by_run.entry(*r).or_default() += n;
            }
        }
        if by_run.is_empty() {
            return "no data".into();
        }
        by_run
            .into_iter()
            .rev()
            .map(|(r, n)| format!("{} ({n} meter-day{})", r.as_str(), if n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn date_text(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// Rebuilds the invoice of `period` for `supplies` under `tariff`.
pub fn shadow_bill(
    period: BillingPeriod,
    tariff: &Tariff,
    supplies: &[SupplyData],
    bands: &BandTable,
    regulated: &RegulatedRates,
) -> ShadowBill {
    let mut problems: Vec<String> = tariff
        .unpriced()
        .into_iter()
        .map(|n| format!("The contract has no {} rate.", n.label()))
        .collect();
    let mut lines = Vec::new();
    let mut checks = Vec::new();
    for s in supplies {
        supply_lines(
            period,
            tariff,
            s,
            bands,
            regulated,
            &mut lines,
            &mut checks,
            &mut problems,
        );
    }
    // Every supply point reports the same missing rate: keep each problem once.
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    let net: Pence = lines.iter().map(|l| l.amount).sum();
    let vat = tariff.vat.on(net);
    ShadowBill {
        period,
        lines,
        net,
        vat_rate: tariff.vat,
        vat,
        total: net + vat,
        checks,
        problems,
    }
}

/// Sums of one supply point's half-hours over the period.
#[derive(Default)]
struct Sums {
    wh_by_rate: BTreeMap<RateName, i64>,
    /// Wh per levy rate in force, keyed by the rate's first date.
    wh_by_levy: BTreeMap<NaiveDate, (Rate, i64)>,
    wh_without_levy: Vec<NaiveDate>,
    /// Chargeable reactive energy in VArh × 100,000.
    reactive_e5: i128,
    md: Option<PeriodMaximumDemand>,
    without_allowance: bool,
}

#[allow(clippy::too_many_arguments)]
fn supply_lines(
    period: BillingPeriod,
    tariff: &Tariff,
    s: &SupplyData,
    bands: &BandTable,
    regulated: &RegulatedRates,
    lines: &mut Vec<ShadowLine>,
    checks: &mut Vec<DataCheck>,
    problems: &mut Vec<String>,
) {
    let first = period.first_day.max(s.energised_from);
    if first > period.last_day {
        return;
    }
    let days = (period.last_day - first).num_days() + 1;
    let mut check = DataCheck {
        supply_point_id: s.supply_point_id,
        mpan_core: s.mpan_core.clone(),
        expected_periods: 0,
        actual_periods: 0,
        estimated_periods: 0,
        missing_periods: 0,
        runs: Vec::new(),
        hh_wh: 0,
    };
    let mut d = first;
    while d <= period.last_day {
        check.expected_periods += i64::from(periods_in_day(d));
        d += TimeDelta::days(1);
    }
    let mut sums = Sums::default();
    let mut runs: BTreeMap<SettlementRun, i64> = BTreeMap::new();
    for day in s
        .days
        .iter()
        .filter(|d| d.date >= first && d.date <= period.last_day)
    {
        *runs.entry(day.run).or_default() += 1;
        add_day(tariff, s, day, bands, regulated, &mut sums, &mut check);
    }
    check.runs = runs.into_iter().rev().collect();
    check.missing_periods = check.expected_periods - check.actual_periods - check.estimated_periods;
    check.hh_wh = sums.wh_by_rate.values().sum();
    if sums.without_allowance {
        problems.push(format!(
            "No reactive power allowance is known for distributor {} in the period.",
            s.distributor_id
        ));
    }
    if let Some(first_gap) = sums.wh_without_levy.first() {
        problems.push(format!(
            "No climate change levy rate is known for {}.",
            date_text(*first_gap)
        ));
    }

    let mpan = &s.mpan_core;
    let line = |charge_type: ChargeType,
                component: String,
                description: String,
                basis: String,
                q: i64,
                unit: &str,
                rate: Rate| {
        ShadowLine {
            supply_point_id: Some(s.supply_point_id),
            mpan_core: Some(mpan.clone()),
            charge_type,
            component,
            description,
            basis,
            quantity_milli: q,
            unit: unit.to_string(),
            rate,
            amount: line_amount(q, rate),
        }
    };
    for name in tariff.structure.rate_names() {
        let Some(rate) = tariff.unit_rate(*name) else {
            continue;
        };
        let wh = sums.wh_by_rate.get(name).copied().unwrap_or(0);
        let what = match name {
            RateName::All => "single".to_string(),
            n => n.as_str().to_string(),
        };
        lines.push(line(
            ChargeType::Energy,
            name.as_str().into(),
            format!("Energy, {what} rate — MPAN {mpan}"),
            format!("{} kWh of {} half-hourly data", quantity_text(wh), name.label()),
            wh,
            "kWh",
            rate,
        ));
    }
    lines.push(line(
        ChargeType::StandingCharge,
        String::new(),
        format!("Standing charge, {days} days — MPAN {mpan}"),
        format!(
            "{days} days from {} to {}",
            date_text(first),
            date_text(period.last_day)
        ),
        days * 1000,
        "day",
        tariff.standing_per_day,
    ));
    lines.push(line(
        ChargeType::Capacity,
        String::new(),
        format!(
            "Capacity charge, {} kVA × {days} days — MPAN {mpan}",
            s.agreed_kva
        ),
        format!("{} kVA agreed × {days} days", s.agreed_kva),
        s.agreed_kva * days * 1000,
        "kVA·day",
        tariff.capacity_per_kva_day,
    ));
    if let Some(md) = sums.md {
        let over_va = md.va - s.agreed_kva * 1000;
        if over_va > 0 {
            let excess_kva = (over_va + 999) / 1000;
            let when = md.at.with_timezone(&London).format("%-d %b %H:%M");
            lines.push(line(
                ChargeType::ExcessCapacity,
                String::new(),
                format!(
                    "Excess capacity: maximum demand {} kVA on {when} over {} kVA agreed — MPAN {mpan}",
                    md.va / 1000,
                    s.agreed_kva
                ),
                format!(
                    "maximum demand {}.{} kVA on {when} is {excess_kva} kVA (rounded up) over {} kVA agreed, × {days} days",
                    md.va / 1000,
                    (md.va % 1000) / 100,
                    s.agreed_kva
                ),
                excess_kva * days * 1000,
                "kVA·day",
                tariff.excess_per_kva_day,
            ));
        }
    }
    let reactive_milli = ((sums.reactive_e5 + 50_000) / 100_000) as i64;
    if reactive_milli > 0 {
        lines.push(line(
            ChargeType::ReactivePower,
            String::new(),
            format!("Reactive power above 0.95 power factor — MPAN {mpan}"),
            format!(
                "{} kVArh above the allowance per kWh, summed over half-hours",
                quantity_text(reactive_milli)
            ),
            reactive_milli,
            "kVArh",
            tariff.reactive_per_kvarh,
        ));
    }
    for (from, (main, wh)) in &sums.wh_by_levy {
        let (rate, how) = match tariff.levy {
            LevyTreatment::Main => (*main, format!("main rate from {}", date_text(*from))),
            LevyTreatment::ClimateChangeAgreement { percent_of_main } => (
                main.percent(percent_of_main),
                format!(
                    "{percent_of_main} % of the main rate from {} (climate change agreement)",
                    date_text(*from)
                ),
            ),
            LevyTreatment::Exempt => continue,
        };
        lines.push(line(
            ChargeType::ClimateChangeLevy,
            from.to_string(),
            format!("Climate Change Levy at {rate} p/kWh — MPAN {mpan}"),
            format!("{} kWh at {rate} p/kWh, the {how}", quantity_text(*wh)),
            *wh,
            "kWh",
            rate,
        ));
    }
    checks.push(check);
}

fn add_day(
    tariff: &Tariff,
    s: &SupplyData,
    day: &MeterDay,
    bands: &BandTable,
    regulated: &RegulatedRates,
    sums: &mut Sums,
    check: &mut DataCheck,
) {
    let allowance = regulated
        .at(RegulatedKind::ReactiveAllowance, s.distributor_id, day.date)
        .map(|r| r.value);
    if allowance.is_none() {
        sums.without_allowance = true;
    }
    let levy = regulated.at(RegulatedKind::ClimateChangeLevy, s.distributor_id, day.date);
    let mut day_wh = 0i64;
    for (i, (_, start)) in all_periods_utc(SettlementDate(day.date)).enumerate() {
        match day.statuses.get(i) {
            Some(b'A') => check.actual_periods += 1,
            Some(b'E') => check.estimated_periods += 1,
            _ => continue,
        }
        let Some(wh) = day.active_wh.get(i).map(|v| i64::from(*v)) else {
            continue;
        };
        let name = tariff.rate_name_at(bands, s.distributor_id, start);
        *sums.wh_by_rate.entry(name).or_default() += wh;
        day_wh += wh;
        let ri = day.reactive_import.get(i).map_or(0, |v| i64::from(*v));
        let re = day.reactive_export.get(i).map_or(0, |v| i64::from(*v));
        let varh = ri.max(re);
        if let Some(a) = allowance {
            let chargeable = i128::from(varh) * 100_000 - i128::from(a.0) * i128::from(wh);
            sums.reactive_e5 += chargeable.max(0);
        }
        // VA of the half-hour: √((2·Wh)² + (2·VArh)²), in whole volt-amperes (rounded down).
        let (w, var) = (
            u128::from((2 * wh).unsigned_abs()),
            u128::from((2 * varh).unsigned_abs()),
        );
        let va = (w * w + var * var).isqrt() as i64;
        if sums.md.is_none_or(|m| va > m.va) {
            sums.md = Some(PeriodMaximumDemand { va, at: start });
        }
    }
    match levy {
        Some(l) => sums.wh_by_levy.entry(l.valid_from).or_insert((l.value, 0)).1 += day_wh,
        None => sums.wh_without_levy.push(day.date),
    }
}
