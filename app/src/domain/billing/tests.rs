//! Hand-computed shadow bills for every charge type, a clock-change day, a day/night contract and
//! a levy change, and the comparison with invoices that are right, wrong and incomplete.
use chrono::NaiveDate;

use super::*;
use crate::domain::duos::BandTable;
use crate::domain::settlement_run::SettlementRun;
use crate::domain::settlement_time::periods_in_day;
use crate::domain::units::Pence;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn rate(s: &str) -> Rate {
    Rate::parse(s).unwrap()
}

fn tariff(structure: RateStructure, rates: &[(RateName, &str)]) -> Tariff {
    Tariff {
        structure,
        unit_rates: rates.iter().map(|(n, r)| (*n, rate(r))).collect(),
        night: NightHours::default(),
        standing_per_day: rate("100"),
        capacity_per_kva_day: rate("5"),
        excess_per_kva_day: rate("10"),
        reactive_per_kvarh: rate("0.3"),
        vat: VatRate::STANDARD,
        levy: LevyTreatment::Main,
    }
}

/// A day with the same Wh and VArh (import) in every period, all actual.
fn day(date: &str, wh: i32, varh: i32) -> MeterDay {
    let n = usize::from(periods_in_day(d(date)));
    MeterDay {
        date: d(date),
        run: SettlementRun::RF,
        active_wh: vec![wh; n],
        statuses: vec![b'A'; n],
        reactive_import: vec![varh; n],
        reactive_export: vec![0; n],
    }
}

fn supply(days: Vec<MeterDay>) -> SupplyData {
    SupplyData {
        supply_point_id: 7,
        mpan_core: "1012345678903".into(),
        distributor_id: 10,
        agreed_kva: 100,
        energised_from: d("2020-01-01"),
        days,
    }
}

fn period(a: &str, b: &str) -> BillingPeriod {
    BillingPeriod {
        first_day: d(a),
        last_day: d(b),
    }
}

fn bill(p: BillingPeriod, t: &Tariff, s: &[SupplyData]) -> ShadowBill {
    shadow_bill(p, t, s, &BandTable::example_2025(), &RegulatedRates::published())
}

fn line<'a>(b: &'a ShadowBill, t: ChargeType, component: &str) -> &'a ShadowLine {
    b.lines
        .iter()
        .find(|l| l.charge_type == t && l.component == component)
        .unwrap_or_else(|| panic!("no {t:?} {component} line in {:#?}", b.lines))
}

fn billed_copy(b: &ShadowBill) -> Vec<BilledLine> {
    b.lines
        .iter()
        .enumerate()
        .map(|(i, l)| BilledLine {
            id: i as i64,
            supply_point_id: l.supply_point_id,
            mpan_core: l.mpan_core.clone(),
            charge_type: l.charge_type.as_str().into(),
            component: Some(l.component.clone()),
            description: l.description.clone(),
            quantity_milli: l.quantity_milli,
            unit: l.unit.clone(),
            rate: l.rate,
            amount: l.amount,
        })
        .collect()
}

fn totals(b: &[BilledLine]) -> BilledTotals {
    let net: Pence = b.iter().map(|l| l.amount).sum();
    BilledTotals {
        net,
        vat: VatRate::STANDARD.on(net),
        vat_rate: VatRate::STANDARD,
        whole_invoice: true,
    }
}

/// One weekday, 60 kWh and 30 kVArh every half-hour, 100 kVA agreed, flat 20 p/kWh.
#[test]
fn every_charge_type_on_one_day_by_hand() {
    let t = tariff(RateStructure::Flat, &[(RateName::All, "20")]);
    let b = bill(
        period("2026-02-10", "2026-02-10"),
        &t,
        &[supply(vec![day("2026-02-10", 60_000, 30_000)])],
    );
    // Energy: 48 × 60 kWh = 2,880 kWh × 20 p = £576.00
    let e = line(&b, ChargeType::Energy, "all");
    assert_eq!((e.quantity_milli, e.amount), (2_880_000, Pence(57_600)));
    // Standing: 1 day × 100 p; capacity: 100 kVA × 1 day × 5 p
    assert_eq!(line(&b, ChargeType::StandingCharge, "").amount, Pence(100));
    assert_eq!(line(&b, ChargeType::Capacity, "").quantity_milli, 100_000);
    assert_eq!(line(&b, ChargeType::Capacity, "").amount, Pence(500));
    // MD: kW = 120, kVAr = 60, kVA = √(120² + 60²) = 134.16 → 35 kVA over (rounded up) × 10 p
    let x = line(&b, ChargeType::ExcessCapacity, "");
    assert_eq!((x.quantity_milli, x.amount), (35_000, Pence(350)));
    assert!(x.description.contains("134 kVA"), "{}", x.description);
    // Reactive: (30 − 0.3287 × 60) = 10.278 kVArh × 48 = 493.344 kVArh × 0.3 p = 148.0 p
    let r = line(&b, ChargeType::ReactivePower, "");
    assert_eq!((r.quantity_milli, r.amount), (493_344, Pence(148)));
    // Levy: 2,880 kWh × 0.775 p (February 2026) = 2,232 p
    let l = line(&b, ChargeType::ClimateChangeLevy, "2021-04-01");
    assert_eq!(
        (l.quantity_milli, l.rate, l.amount),
        (2_880_000, rate("0.775"), Pence(2_232))
    );
    assert_eq!(b.net, Pence(57_600 + 100 + 500 + 350 + 148 + 2_232));
    assert_eq!(b.vat, Pence(12_186));
    assert_eq!(b.total, Pence(73_116));
    assert_eq!(b.lines.len(), 6);
    assert!(b.problems.is_empty());
}

/// Within the allowance there is no reactive line, and below capacity no excess line.
#[test]
fn no_reactive_or_excess_line_when_within_limits() {
    let t = tariff(RateStructure::Flat, &[(RateName::All, "20")]);
    // 20 kWh → 40 kW; 6 kVArh < 0.3287 × 20 = 6.574 kVArh; kVA = √(40² + 12²) = 41.8 < 100
    let b = bill(
        period("2026-02-10", "2026-02-10"),
        &t,
        &[supply(vec![day("2026-02-10", 20_000, 6_000)])],
    );
    assert!(b.lines.iter().all(|l| l.charge_type != ChargeType::ReactivePower));
    assert!(b
        .lines
        .iter()
        .all(|l| l.charge_type != ChargeType::ExcessCapacity));
}

/// Friday 27 to Sunday 29 March 2026 (spring clock change on the Sunday: 46 periods), Eastern
/// bands, 1 kWh a half-hour. Friday: red 16:00–19:00 = 6, amber 07:00–16:00 and 19:00–23:00 =
/// 26, green 16; the weekend is green: 48 + 46.
#[test]
fn banded_energy_over_a_clock_change_weekend() {
    let t = tariff(
        RateStructure::Banded,
        &[
            (RateName::Red, "38.412"),
            (RateName::Amber, "26.905"),
            (RateName::Green, "21.338"),
        ],
    );
    let days = vec![
        day("2026-03-27", 1_000, 0),
        day("2026-03-28", 1_000, 0),
        day("2026-03-29", 1_000, 0),
    ];
    let b = bill(period("2026-03-27", "2026-03-29"), &t, &[supply(days)]);
    assert_eq!(line(&b, ChargeType::Energy, "red").quantity_milli, 6_000);
    assert_eq!(line(&b, ChargeType::Energy, "amber").quantity_milli, 26_000);
    assert_eq!(
        line(&b, ChargeType::Energy, "green").quantity_milli,
        16_000 + 48_000 + 46_000
    );
    // 6 × 38.412 = 230.472 → 230 p; 26 × 26.905 = 699.53 → 700 p; 110 × 21.338 = 2,347.18 → 2,347 p
    assert_eq!(line(&b, ChargeType::Energy, "red").amount, Pence(230));
    assert_eq!(line(&b, ChargeType::Energy, "amber").amount, Pence(700));
    assert_eq!(line(&b, ChargeType::Energy, "green").amount, Pence(2_347));
    assert_eq!(line(&b, ChargeType::StandingCharge, "").quantity_milli, 3_000);
    let c = &b.checks[0];
    assert_eq!(
        (c.expected_periods, c.actual_periods, c.missing_periods),
        (142, 142, 0)
    );
    assert_eq!(c.hh_wh, 142_000);
}

/// Sunday 25 October 2026 has 50 periods; a 00:00–07:00 night window holds 16 of them (the hour
/// 01:00–02:00 happens twice), the day rate the other 34.
#[test]
fn day_night_on_the_autumn_clock_change() {
    let t = tariff(
        RateStructure::DayNight,
        &[(RateName::Day, "25"), (RateName::Night, "15.5")],
    );
    let b = bill(
        period("2026-10-25", "2026-10-25"),
        &t,
        &[supply(vec![day("2026-10-25", 1_000, 0)])],
    );
    let night = line(&b, ChargeType::Energy, "night");
    let dayl = line(&b, ChargeType::Energy, "day");
    assert_eq!((night.quantity_milli, night.amount), (16_000, Pence(248)));
    assert_eq!((dayl.quantity_milli, dayl.amount), (34_000, Pence(850)));
    assert_eq!(b.checks[0].expected_periods, 50);
}

/// 30 March – 2 April 2026: two days at the old levy rate, two at the new one.
#[test]
fn a_period_spanning_the_first_of_april_uses_each_levy_rate_for_its_own_days() {
    let t = tariff(RateStructure::Flat, &[(RateName::All, "20")]);
    let days = ["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]
        .map(|s| day(s, 1_000, 0))
        .to_vec();
    let b = bill(period("2026-03-30", "2026-04-02"), &t, &[supply(days.clone())]);
    let old = line(&b, ChargeType::ClimateChangeLevy, "2021-04-01");
    let new = line(&b, ChargeType::ClimateChangeLevy, "2026-04-01");
    // 96 kWh × 0.775 = 74.4 p; 96 kWh × 0.801 = 76.896 p
    assert_eq!((old.quantity_milli, old.amount), (96_000, Pence(74)));
    assert_eq!((new.quantity_milli, new.amount), (96_000, Pence(77)));
    assert!(new.description.contains("0.801"), "{}", new.description);

    let cca = Tariff {
        levy: LevyTreatment::ClimateChangeAgreement { percent_of_main: 8 },
        ..t.clone()
    };
    let b = bill(period("2026-03-30", "2026-04-02"), &cca, &[supply(days.clone())]);
    // 8 %: 0.062 p and 0.06408 p; 96 × 0.06408 = 6.15 p
    assert_eq!(
        line(&b, ChargeType::ClimateChangeLevy, "2026-04-01").rate,
        Rate(6_408)
    );
    assert_eq!(
        line(&b, ChargeType::ClimateChangeLevy, "2026-04-01").amount,
        Pence(6)
    );

    let exempt = Tariff {
        levy: LevyTreatment::Exempt,
        ..t
    };
    let b = bill(period("2026-03-30", "2026-04-02"), &exempt, &[supply(days)]);
    assert!(b
        .lines
        .iter()
        .all(|l| l.charge_type != ChargeType::ClimateChangeLevy));
}

#[test]
fn missing_periods_are_not_billed_and_are_reported() {
    let t = tariff(RateStructure::Flat, &[(RateName::All, "20")]);
    let mut gappy = day("2026-02-10", 1_000, 0);
    gappy.statuses[10] = b'M';
    gappy.statuses[11] = b'M';
    gappy.statuses[12] = b'E';
    // 11 February has no data at all.
    let b = bill(period("2026-02-10", "2026-02-11"), &t, &[supply(vec![gappy])]);
    let c = &b.checks[0];
    assert_eq!(
        (
            c.expected_periods,
            c.actual_periods,
            c.estimated_periods,
            c.missing_periods
        ),
        (96, 45, 1, 50)
    );
    assert_eq!(line(&b, ChargeType::Energy, "all").quantity_milli, 46_000);
    assert_eq!(c.runs, vec![(SettlementRun::RF, 1)]);
    let v = validate(
        &b,
        &billed_copy(&b),
        totals(&billed_copy(&b)),
        Tolerance::default(),
    );
    assert_eq!(v.verdict, Verdict::CannotValidate);
    assert!(
        v.summary.contains("50 of 96 half-hours are missing"),
        "{}",
        v.summary
    );
}

#[test]
fn a_supply_energised_mid_period_pays_from_that_day() {
    let t = tariff(RateStructure::Flat, &[(RateName::All, "20")]);
    let mut s = supply(vec![day("2026-02-27", 1_000, 0), day("2026-02-28", 1_000, 0)]);
    s.energised_from = d("2026-02-27");
    let b = bill(period("2026-02-01", "2026-02-28"), &t, &[s]);
    assert_eq!(line(&b, ChargeType::StandingCharge, "").quantity_milli, 2_000);
    assert_eq!(b.checks[0].expected_periods, 96);
}

#[test]
fn a_contract_without_a_rate_for_a_band_cannot_be_validated() {
    let t = tariff(RateStructure::Banded, &[(RateName::Red, "38")]);
    let b = bill(
        period("2026-02-10", "2026-02-10"),
        &t,
        &[supply(vec![day("2026-02-10", 1_000, 0)])],
    );
    assert!(
        b.problems.iter().any(|p| p.contains("amber-band")),
        "{:?}",
        b.problems
    );
    let v = validate(
        &b,
        &billed_copy(&b),
        totals(&billed_copy(&b)),
        Tolerance::default(),
    );
    assert_eq!(v.verdict, Verdict::CannotValidate);
}

/// February 2026 (28 days) at a cold store: the invoice of the demo data's mistake.
fn february() -> (ShadowBill, Vec<BilledLine>) {
    let t = tariff(
        RateStructure::Banded,
        &[
            (RateName::Red, "38.412"),
            (RateName::Amber, "26.905"),
            (RateName::Green, "21.338"),
        ],
    );
    let days = (1..=28)
        .map(|n| day(&format!("2026-02-{n:02}"), 50_000, 5_000))
        .collect();
    let b = bill(period("2026-02-01", "2026-02-28"), &t, &[supply(days)]);
    let billed = billed_copy(&b);
    (b, billed)
}

#[test]
fn a_correct_invoice_is_ok() {
    let (b, billed) = february();
    let v = validate(&b, &billed, totals(&billed), Tolerance::default());
    assert_eq!(v.verdict, Verdict::Ok, "{}", v.summary);
    assert!(v.lines.iter().all(|l| l.outcome == Outcome::Matched));
    assert_eq!(v.at_stake, Pence(0));
    assert!(v.volume.within_tolerance);
    assert_eq!(v.runs_used, "RF (28 meter-days)");
}

#[test]
fn the_two_demo_mistakes_are_found_with_reasons() {
    let (b, mut billed) = february();
    let standing = billed
        .iter_mut()
        .find(|l| l.charge_type == "standing_charge")
        .unwrap();
    standing.quantity_milli = 31_000;
    standing.amount = line_amount(31_000, standing.rate);
    let red = billed
        .iter_mut()
        .find(|l| l.component.as_deref() == Some("red"))
        .unwrap();
    let red_expected = red.quantity_milli;
    red.quantity_milli = red.quantity_milli * 112 / 100;
    red.amount = line_amount(red.quantity_milli, red.rate);
    let v = validate(&b, &billed, totals(&billed), Tolerance::default());
    assert_eq!(v.verdict, Verdict::Query);
    let flagged: Vec<&LineCheck> = v.lines.iter().filter(|l| l.outcome.is_flagged()).collect();
    assert_eq!(flagged.len(), 2);
    let s = flagged
        .iter()
        .find(|l| l.billed.as_ref().unwrap().charge_type == "standing_charge")
        .unwrap();
    assert_eq!(s.outcome, Outcome::OverBilled);
    assert_eq!(s.reason, "Standing charge billed for 31 days; the period has 28.");
    assert_eq!(s.difference, Pence(300)); // 3 days × 100 p
    let r = flagged
        .iter()
        .find(|l| l.billed.as_ref().unwrap().component.as_deref() == Some("red"))
        .unwrap();
    assert!(r.reason.starts_with("Red-band energy billed on"), "{}", r.reason);
    assert!(r.reason.ends_with("(+12.0 %)."), "{}", r.reason);
    // 20 weekdays × 6 red periods × 50 kWh = 6,000 kWh; 12 % more = 720 kWh × 38.412 p = £276.57
    assert_eq!(red_expected, 6_000_000);
    assert_eq!(r.difference, Pence(27_657));
    // at stake: (300 + 27,657) p + 20 % VAT
    assert_eq!(v.at_stake, Pence(27_957 + 5_591));
    assert!(!v.volume.within_tolerance);
}

#[test]
fn an_old_levy_rate_after_april_is_explained() {
    let t = tariff(RateStructure::Flat, &[(RateName::All, "20")]);
    let b = bill(
        period("2026-04-01", "2026-04-01"),
        &t,
        &[supply(vec![day("2026-04-01", 100_000, 0)])],
    );
    let mut billed = billed_copy(&b);
    let ccl = billed.iter_mut().find(|l| l.charge_type == "ccl").unwrap();
    ccl.rate = rate("0.775");
    ccl.amount = line_amount(ccl.quantity_milli, ccl.rate);
    let v = validate(&b, &billed, totals(&billed), Tolerance::default());
    let c = v.lines.iter().find(|l| l.outcome.is_flagged()).unwrap();
    assert_eq!(c.outcome, Outcome::UnderBilled);
    assert_eq!(
        c.reason,
        "Climate change levy billed at 0.775 p/kWh; the rate in force is 0.801 p/kWh (main rate from 1 Apr 2026)."
    );
    // 4,800 kWh × 0.026 p = 124.8 p: under-billed by £1.25 (3,720 vs 3,845 p)
    assert_eq!(c.difference, Pence(3_720 - 3_845));
}

#[test]
fn missing_and_unexpected_lines_are_named() {
    let (b, mut billed) = february();
    billed.retain(|l| l.charge_type != "capacity");
    billed.push(BilledLine {
        id: 99,
        supply_point_id: Some(7),
        mpan_core: None,
        charge_type: "meter_operation".into(),
        component: None,
        description: "Meter operation".into(),
        quantity_milli: 1_000,
        unit: "month".into(),
        rate: rate("2500"),
        amount: Pence(2_500),
    });
    let v = validate(&b, &billed, totals(&billed), Tolerance::default());
    assert_eq!(v.verdict, Verdict::Query);
    let missing = v
        .lines
        .iter()
        .find(|l| l.outcome == Outcome::MissingFromInvoice)
        .unwrap();
    assert!(
        missing
            .reason
            .starts_with("Expected but not on the invoice: Capacity charge"),
        "{}",
        missing.reason
    );
    assert_eq!(missing.difference, Pence(-(100 * 28 * 5)));
    let extra = v
        .lines
        .iter()
        .find(|l| l.outcome == Outcome::NotExpected)
        .unwrap();
    assert_eq!(extra.difference, Pence(2_500));
}

#[test]
fn lines_without_a_component_pair_by_type_and_small_differences_are_tolerated() {
    let (b, mut billed) = february();
    for l in &mut billed {
        if l.charge_type != "energy" {
            l.component = None;
        }
    }
    let standing = billed
        .iter_mut()
        .find(|l| l.charge_type == "standing_charge")
        .unwrap();
    standing.amount = Pence(standing.amount.0 + 100); // £1.00: within tolerance
    let v = validate(&b, &billed, totals(&billed), Tolerance::default());
    assert_eq!(v.verdict, Verdict::Ok, "{}", v.summary);
    assert!(v
        .lines
        .iter()
        .any(|l| l.reason.starts_with("Within the £1.00 tolerance")));
}

#[test]
fn vat_that_does_not_follow_the_net_is_a_query() {
    let (b, billed) = february();
    let mut t = totals(&billed);
    t.vat = Pence(t.vat.0 + 500);
    let v = validate(&b, &billed, t, Tolerance::default());
    assert_eq!(v.verdict, Verdict::Query);
    assert!(v.summary.starts_with("VAT billed is"), "{}", v.summary);
}

#[test]
fn a_supply_without_data_cannot_be_validated() {
    let t = tariff(RateStructure::Flat, &[(RateName::All, "20")]);
    let b = bill(period("2026-02-01", "2026-02-28"), &t, &[supply(vec![])]);
    let v = validate(
        &b,
        &billed_copy(&b),
        totals(&billed_copy(&b)),
        Tolerance::default(),
    );
    assert_eq!(v.verdict, Verdict::CannotValidate);
    assert_eq!(
        v.summary,
        "There is no half-hourly data for MPAN 1012345678903 in the billing period."
    );
}
