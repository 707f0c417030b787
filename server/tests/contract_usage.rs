//! A contract's usage on real Postgres: volume this contract year from the daily roll-up, the
//! projection (same dates last year, else run rate) against the tolerance band, monthly maximum
//! demand against agreed capacity, a user limited to some sites, and the contracts page.
mod common;

use app::api::billing::ssr::contract_view;
use app::domain::contract_year::{Projection, VolumeVerdict};
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use app::store::scope::Scope;
use chrono::{NaiveDate, TimeDelta};
use sqlx::PgPool;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct Fixture {
    castlegate: i64,
    contract: i64,
    felixstowe: i64,
    leicester: i64,
}

/// Castlegate House's supply point (250 kVA agreed): 10 kWh every half-hour from 1 April 2025 to
/// 31 October 2026, one 300 kWh half-hour (600 kVA) on 15 January 2026; a contract for all of
/// Castlegate's supply points, 1 April 2025 – 31 March 2027, 100 MWh ± 10 %.
async fn fixture(db: &PgPool) -> Fixture {
    server::seed::seed_people(db, 1).await.unwrap();
    let castlegate = common::id_of(
        db,
        "SELECT id FROM organisations WHERE name = $1",
        "Castlegate Group Ltd",
    )
    .await;
    let mpan: String = sqlx::query_scalar(
        "SELECT sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = 'Castlegate House'",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    let mut d = day(2025, 4, 1);
    while d <= day(2026, 10, 31) {
        for (p, t) in all_periods_utc(SettlementDate(d)) {
            let kwh = if d == day(2026, 1, 15) && p.get() == 35 {
                300.0
            } else {
                10.0
            };
            text += &format!("{mpan},AI,{},{kwh:.3},A,SF\n", t.to_rfc3339());
        }
        d += TimeDelta::days(1);
    }
    server::import::import_hh(db, "usage.csv", std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap();
    let contract: i64 = sqlx::query_scalar(
        "INSERT INTO contracts (organisation_id, reference, starts_on, ends_on, rate_structure,
             standing_charge_p_per_day, capacity_charge_p_per_kva_day, excess_capacity_p_per_kva_day,
             reactive_p_per_kvarh, vat_rate_percent, annual_volume_kwh, volume_tolerance_percent,
             third_party_costs)
         VALUES ($1, 'T-CONTRACT', '2025-04-01', '2027-03-31', 'flat', 100, 5, 10, 0.5, 20, 100000, 10,
                 'pass_through')
         RETURNING id",
    )
    .bind(castlegate)
    .fetch_one(db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO contract_rates (contract_id, organisation_id, rate_name, p_per_kwh) VALUES ($1, $2, 'all', 21.5)",
    )
    .bind(contract)
    .bind(castlegate)
    .execute(db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO contract_supply_points (contract_id, supply_point_id, organisation_id)
         SELECT $1, id, organisation_id FROM supply_points WHERE organisation_id = $2",
    )
    .bind(contract)
    .bind(castlegate)
    .execute(db)
    .await
    .unwrap();
    Fixture {
        castlegate,
        contract,
        felixstowe: common::site_id(db, "Felixstowe Cold Store").await,
        leicester: common::site_id(db, "Leicester Works").await,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn volume_projection_and_demand_for_the_whole_contract(db: PgPool) {
    let f = fixture(&db).await;
    let scope = Scope::organisations(vec![f.castlegate]);
    let mut tx = scope.begin(&db).await.unwrap();
    let today = day(2026, 11, 29);
    let contracts = app::store::billing::contracts(&mut tx).await.unwrap();
    assert_eq!(contracts.len(), 1);
    let c = contracts.into_iter().next().unwrap();
    assert_eq!(c.supply_points_total, 7);
    assert_eq!(c.supply_points.len(), 7);
    let u = app::store::contract_usage::usage(&mut tx, f.contract, c.starts_on, c.ends_on, today)
        .await
        .unwrap();
    assert_eq!(u.year, (day(2026, 4, 1), day(2027, 4, 1)));
    assert_eq!(u.data_until, Some(day(2026, 10, 31)));
    // 1 April – 31 October 2026: 214 days × 480 kWh, and 25 October's two extra half-hours.
    assert_eq!(u.to_date.consumed_wh, (214 * 480 + 20) * 1000);
    assert_eq!(u.to_date.days_elapsed, 214);
    assert_eq!(u.to_date.days_left, 151);
    // 1 November 2025 – 31 March 2026: 151 days, less 29 March's two missing half-hours, and the
    // January half-hour's extra 290 kWh.
    assert_eq!(
        u.to_date.same_dates_last_year_wh,
        Some((151 * 480 - 20 + 290) * 1000)
    );
    // The 12 months to 31 October 2026, including the January half-hour's extra 290 kWh.
    assert_eq!(u.last_12_months_wh, (365 * 480 + 290) * 1000);
    let office = u
        .demand
        .iter()
        .find(|p| p.point.site_name == "Castlegate House")
        .expect("the office's demand");
    assert_eq!(office.months.len(), 12, "November 2025 to October 2026");
    assert_eq!(office.months[0].0, day(2025, 11, 1));
    let january = office.months.iter().find(|(m, _)| *m == day(2026, 1, 1)).unwrap();
    assert!((january.1.kva - 600.0).abs() < 1e-9);
    assert!(
        u.demand.iter().filter(|p| p.months.is_empty()).count() == 6,
        "no data elsewhere"
    );

    let view = contract_view(c, u, today);
    assert_eq!(view.days_to_renewal, 122);
    assert_eq!(view.usage.consumed_kwh, 102_740);
    assert_eq!(view.usage.projected_kwh, 102_740 + 72_750);
    assert_eq!(view.usage.projection, Projection::SamePeriodLastYear);
    assert_eq!(view.usage.band_kwh, Some((90_000, 110_000)));
    assert_eq!(view.usage.verdict, Some(VolumeVerdict::Above));
    assert_eq!(view.usage.last_12_months_kwh, 175_490);
    assert_eq!(view.rates_valid, "01 Apr 2025 to 31 Mar 2027 (the contract term)");
    let office = view
        .usage
        .demand
        .iter()
        .find(|p| p.site_name == "Castlegate House")
        .unwrap();
    assert_eq!(office.agreed_kva, 250);
    let peak = office.peak().unwrap();
    assert_eq!((peak.month.as_str(), peak.kva), ("Jan 2026", 600));
    assert!(peak.at.starts_with("15 Jan "), "{}", peak.at);
    assert_eq!(office.months_over(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn without_last_years_dates_the_projection_is_the_run_rate(db: PgPool) {
    let f = fixture(&db).await;
    let scope = Scope::organisations(vec![f.castlegate]);
    let mut tx = scope.begin(&db).await.unwrap();
    // On 1 December 2025, in the first contract year: the same dates a year earlier have no data.
    let today = day(2025, 12, 1);
    let c = app::store::billing::contracts(&mut tx).await.unwrap().remove(0);
    let u = app::store::contract_usage::usage(&mut tx, f.contract, c.starts_on, c.ends_on, today)
        .await
        .unwrap();
    assert_eq!(u.year, (day(2025, 4, 1), day(2026, 4, 1)));
    // Data counts up to today, not beyond (the fixture's data runs on to October 2026).
    assert_eq!(u.data_until, Some(today));
    assert_eq!(u.to_date.days_elapsed, 245);
    assert_eq!(u.to_date.days_left, 120);
    assert_eq!(u.to_date.same_dates_last_year_wh, None);
    // 245 days × 480 kWh and 26 October 2025's two extra half-hours.
    let consumed_wh = (245 * 480 + 20) * 1000;
    assert_eq!(u.to_date.consumed_wh, consumed_wh);
    let view = contract_view(c, u, today);
    assert_eq!(view.usage.projection, Projection::RunRate);
    assert_eq!(view.usage.consumed_kwh, 245 * 480 + 20);
    let projected_wh = consumed_wh + consumed_wh * 120 / 245;
    assert_eq!(view.usage.projected_kwh, (projected_wh + 500) / 1000);
    assert_eq!(view.usage.verdict, Some(VolumeVerdict::Above));
    assert_eq!(view.days_to_renewal, 485);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_limited_to_some_sites_sees_their_points_without_a_tolerance_verdict(db: PgPool) {
    let f = fixture(&db).await;
    let scope = Scope::organisations(vec![f.castlegate]).with_sites(vec![f.felixstowe, f.leicester]);
    let mut tx = scope.begin(&db).await.unwrap();
    let today = day(2026, 11, 29);
    let c = app::store::billing::contracts(&mut tx).await.unwrap().remove(0);
    assert_eq!(c.supply_points.len(), 3, "Felixstowe's one and Leicester's two");
    assert_eq!(c.supply_points_total, 7);
    let u = app::store::contract_usage::usage(&mut tx, f.contract, c.starts_on, c.ends_on, today)
        .await
        .unwrap();
    assert_eq!(u.points_in_view, 3);
    assert_eq!(u.data_until, None, "the office's data is not theirs");
    let view = contract_view(c, u, today);
    assert_eq!(view.usage.band_kwh, None);
    assert_eq!(view.usage.verdict, None);
}
