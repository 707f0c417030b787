//! HH store queries on real Postgres: best run vs a chosen run, daily totals, completeness,
//! maximum demand, DUoS band totals, portfolio totals, all through a tenant scope.
mod common;

use app::domain::channel::Channel;
use app::domain::settlement_run::RunChoice;
use app::domain::settlement_run::SettlementRun;
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use app::store::analytics;
use app::store::hh;
use app::store::scope::Scope;
use chrono::NaiveDate;
use sqlx::PgPool;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn csv_day(mpan: &str, ch: &str, date: NaiveDate, run: &str, f: impl Fn(u8) -> f64) -> String {
    all_periods_utc(SettlementDate(date))
        .map(|(p, t)| format!("{mpan},{ch},{},{:.3},A,{run}\n", t.to_rfc3339(), f(p.get())))
        .collect()
}

struct Fixture {
    db: PgPool,
    castlegate: Scope,
    riverside: Scope,
    office: hh::SupplyPointRef,
}

async fn fixture(db: PgPool) -> Fixture {
    server::seed::seed_people(&db, 1).await.unwrap();
    let org = |n: &'static str| {
        let db = db.clone();
        async move { common::id_of(&db, "SELECT id FROM organisations WHERE name = $1", n).await }
    };
    let castlegate = Scope::organisations(vec![org("Castlegate Group Ltd").await]);
    let riverside = Scope::organisations(vec![org("Riverside Leisure Ltd").await]);
    let mut tx = castlegate.begin(&db).await.unwrap();
    let office = hh::supply_points_in_scope(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.site_name == "Castlegate House")
        .unwrap();
    drop(tx);
    let m = office.mpan_core.clone();
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    // January 2026, 1–10: SF everywhere, R1 on the 1st–5th (+10 %), a big half-hour on the 7th.
    for d in 1..=10 {
        let date = day(2026, 1, d);
        text += &csv_day(
            &m,
            "AI",
            date,
            "SF",
            |p| if d == 7 && p == 36 { 200.0 } else { 10.0 },
        );
        text += &csv_day(&m, "RI", date, "SF", |_| 3.0);
        if d <= 5 {
            text += &csv_day(&m, "AI", date, "R1", |_| 11.0);
        }
    }
    server::import::import_hh(&db, "fixture.csv", std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap();
    Fixture {
        db,
        castlegate,
        riverside,
        office,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_best_run_is_chosen_per_day_and_a_specific_run_on_request(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    let best = hh::series(
        &mut tx,
        f.office.id,
        Channel::ActiveImport,
        day(2026, 1, 1),
        day(2026, 1, 11),
        RunChoice::Best,
    )
    .await
    .unwrap();
    assert_eq!(best.len(), 10);
    assert!(best[..5]
        .iter()
        .all(|d| d.run == SettlementRun::R1 && d.vals[0] == 11_000));
    assert!(best[5..]
        .iter()
        .all(|d| d.run == SettlementRun::SF && d.vals[0] == 10_000));
    let sf = hh::series(
        &mut tx,
        f.office.id,
        Channel::ActiveImport,
        day(2026, 1, 1),
        day(2026, 1, 11),
        RunChoice::Exactly(SettlementRun::SF),
    )
    .await
    .unwrap();
    assert!(sf
        .iter()
        .all(|d| d.run == SettlementRun::SF && d.vals[0] == 10_000));
    let r3 = hh::series(
        &mut tx,
        f.office.id,
        Channel::ActiveImport,
        day(2026, 1, 1),
        day(2026, 1, 11),
        RunChoice::Exactly(SettlementRun::R3),
    )
    .await
    .unwrap();
    assert!(r3.is_empty());
}

/// Castlegate House's daily totals from the roll-up, as (date, Wh, periods with a value).
async fn office_days(
    f: &Fixture,
    tx: &mut app::store::scope::ScopedTx<'_>,
    to: NaiveDate,
) -> Vec<(NaiveDate, i64, i64)> {
    hh::site_daily_totals(tx, &[f.office.id], Channel::ActiveImport, day(2026, 1, 1), to)
        .await
        .unwrap()
        .into_iter()
        .map(|t| {
            assert_eq!(t.site_id, f.office.site_id);
            (t.date, t.total, t.periods_present)
        })
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn daily_totals_use_the_best_run(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    let totals = office_days(&f, &mut tx, day(2026, 1, 11)).await;
    assert_eq!(totals.len(), 10);
    assert_eq!(totals[0], (day(2026, 1, 1), 48 * 11_000, 48), "R1 beats SF");
    assert_eq!(totals[6].1, 47 * 10_000 + 200_000);
    let site_days = hh::site_daily_totals(
        &mut tx,
        &[f.office.id],
        Channel::ActiveImport,
        day(2026, 1, 1),
        day(2026, 1, 3),
    )
    .await
    .unwrap();
    assert_eq!(
        analytics::portfolio_daily_kwh(&site_days),
        vec![(day(2026, 1, 1), 528.0), (day(2026, 1, 2), 528.0)]
    );
    assert_eq!(
        hh::latest_day(&mut tx, &[f.office.id], Channel::ActiveImport)
            .await
            .unwrap(),
        Some(day(2026, 1, 10))
    );
    assert_eq!(
        hh::latest_day(&mut tx, &[], Channel::ActiveImport).await.unwrap(),
        None
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn another_tenants_scope_sees_none_of_it(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.riverside.begin(&f.db).await.unwrap();
    let s = hh::series(
        &mut tx,
        f.office.id,
        Channel::ActiveImport,
        day(2026, 1, 1),
        day(2026, 1, 11),
        RunChoice::Best,
    )
    .await
    .unwrap();
    assert!(s.is_empty());
    assert!(hh::supply_point(&mut tx, f.office.id).await.unwrap().is_none());
    // The roll-up too: row-level security and the scope filter both hide it.
    let t = hh::site_daily_totals(
        &mut tx,
        &[f.office.id],
        Channel::ActiveImport,
        day(2026, 1, 1),
        day(2026, 1, 11),
    )
    .await
    .unwrap();
    assert!(t.is_empty());
    assert_eq!(
        hh::latest_day(&mut tx, &[f.office.id], Channel::ActiveImport)
            .await
            .unwrap(),
        None
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn maximum_demand_is_the_highest_kva_half_hour_with_its_time(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    let md = analytics::monthly_max_demand(&mut tx, f.office.id, day(2026, 1, 1))
        .await
        .unwrap()
        .unwrap();
    // 200 kWh in a half-hour = 400 kW; 3 kVArh = 6 kVAr; kVA = √(400² + 6²).
    assert!((md.kw - 400.0).abs() < 1e-9);
    assert!((md.kva - (400f64.powi(2) + 36.0).sqrt()).abs() < 1e-9);
    // Period 36 of 7 Jan (GMT) starts at 17:30 UTC.
    assert_eq!(md.at.to_rfc3339(), "2026-01-07T17:30:00+00:00");
}

#[sqlx::test(migrations = "../migrations")]
async fn band_totals_split_by_the_distributors_time_bands(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    let table = app::domain::duos::BandTable::example_2025();
    // One weekday (Fri 9 Jan, London: red 11–14 and 16–19) at a flat 10 kWh per half-hour.
    let t = analytics::band_totals(&mut tx, &f.office, &table, day(2026, 1, 9), day(2026, 1, 10))
        .await
        .unwrap();
    assert_eq!(t.red_kwh + t.amber_kwh + t.green_kwh, 480.0);
    assert_eq!(t.red_kwh, 12.0 * 10.0, "six red hours");
    // Saturday: all green.
    let sat = analytics::band_totals(&mut tx, &f.office, &table, day(2026, 1, 10), day(2026, 1, 11))
        .await
        .unwrap();
    assert_eq!(sat.red_kwh + sat.amber_kwh, 0.0);
}

#[sqlx::test(migrations = "../migrations")]
async fn completeness_counts_missing_days_and_periods(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    let c = analytics::completeness(
        &mut tx,
        &f.office,
        day(2026, 1, 1),
        day(2026, 2, 1),
        day(2026, 1, 21),
    )
    .await
    .unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].expected, 20 * 48, "1–20 January");
    assert_eq!(c[0].actual, 10 * 48);
    assert_eq!(c[0].missing, 10 * 48);
}

#[sqlx::test(migrations = "../migrations")]
async fn site_totals_count_days_without_data_as_missing(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    let points = hh::supply_points_in_scope(&mut tx).await.unwrap();
    let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
    let site_days = hh::site_daily_totals(
        &mut tx,
        &ids,
        Channel::ActiveImport,
        day(2026, 1, 1),
        day(2026, 1, 21),
    )
    .await
    .unwrap();
    let sites = analytics::site_totals(&points, &site_days, day(2026, 1, 1), day(2026, 1, 21));
    let office = sites.iter().find(|s| s.site_name == "Castlegate House").unwrap();
    assert_eq!(office.missing_periods, 10 * 48, "ten days with data, ten without");
    assert!((office.kwh - (5.0 * 48.0 * 11.0 + 4.0 * 48.0 * 10.0 + 47.0 * 10.0 + 200.0)).abs() < 1e-6);
    let leicester = sites.iter().find(|s| s.site_name == "Leicester Works").unwrap();
    assert_eq!(
        leicester.missing_periods,
        2 * 20 * 48,
        "two supply points, no data"
    );
    assert_eq!(sites[0].site_name, "Castlegate House", "largest first");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_revised_run_changes_the_roll_up_and_the_dashboard_a_worse_one_does_not(db: PgPool) {
    let f = fixture(db).await;
    let dashboard = |db: PgPool, scope: Scope| async move {
        let mut tx = scope.begin(&db).await.unwrap();
        let p = app::store::consumption::portfolio(&mut tx).await.unwrap();
        let total: f64 = p.daily.iter().map(|(_, kwh)| kwh).sum();
        (total, p)
    };
    let (before, _) = dashboard(f.db.clone(), f.castlegate.clone()).await;
    // 1–5 Jan at R1 (11 kWh), 6–10 Jan at SF (10 kWh, with one 200 kWh half-hour on the 7th).
    let sf_days = 4.0 * 48.0 * 10.0 + 47.0 * 10.0 + 200.0;
    assert!((before - (5.0 * 48.0 * 11.0 + sf_days)).abs() < 1e-6);

    // A final reconciliation run (RF) revises 1–2 Jan to 12 kWh; an initial run (II, worse than
    // R1) for 3 Jan must change nothing.
    let m = &f.office.mpan_core;
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    for d in 1..=2 {
        text += &csv_day(m, "AI", day(2026, 1, d), "RF", |_| 12.0);
    }
    text += &csv_day(m, "AI", day(2026, 1, 3), "II", |_| 99.0);
    server::import::import_hh(&f.db, "revision.csv", std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap();

    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    let totals = office_days(&f, &mut tx, day(2026, 1, 4)).await;
    assert_eq!(
        totals.iter().map(|t| t.1).collect::<Vec<_>>(),
        vec![48 * 12_000, 48 * 12_000, 48 * 11_000],
        "RF replaced R1 on 1–2 Jan; II did not replace R1 on 3 Jan"
    );
    drop(tx);
    let (after, view) = dashboard(f.db.clone(), f.castlegate.clone()).await;
    assert!((after - (2.0 * 48.0 * 12.0 + 3.0 * 48.0 * 11.0 + sf_days)).abs() < 1e-6);
    let office = view
        .sites
        .iter()
        .find(|s| s.site_name == "Castlegate House")
        .unwrap();
    assert!((office.kwh - after).abs() < 1e-6, "the only site with data");
    // Another tenant's dashboard shows none of it.
    assert_eq!(dashboard(f.db.clone(), f.riverside.clone()).await.0, 0.0);
}

#[sqlx::test(migrations = "../migrations")]
async fn chart_buckets_cover_the_whole_span_with_gaps_where_there_is_no_data(db: PgPool) {
    use app::domain::consumption_buckets::{ChartUnit, RunDays};
    use app::domain::date_span::DateSpan;
    let f = fixture(db).await;
    let mut tx = f.castlegate.begin(&f.db).await.unwrap();
    // 1–14 January: data on the 1st–10th only.
    let span = DateSpan::new(day(2026, 1, 1), day(2026, 1, 14)).unwrap();
    let u = app::store::consumption::point_use(&mut tx, f.office.id, span, RunChoice::Best)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.buckets.len(), 14, "one bucket per day, gaps included");
    assert_eq!(u.buckets[0].value(ChartUnit::Kwh), Some(48.0 * 11.0));
    assert_eq!(u.buckets[0].runs_label(), "R1");
    assert_eq!(u.buckets[9].runs_label(), "SF");
    for gap in &u.buckets[10..] {
        assert_eq!(gap.value(ChartUnit::Kwh), None);
        assert_eq!(gap.missing, 48);
        assert_eq!(gap.status_label(), "missing");
    }
    assert_eq!(u.buckets[13].first_day, day(2026, 1, 14));
    assert_eq!(
        u.runs_seen,
        vec![
            RunDays {
                run: SettlementRun::R1,
                days: 5
            },
            RunDays {
                run: SettlementRun::SF,
                days: 5
            }
        ]
    );
    assert_eq!(
        (u.actual_periods, u.estimated_periods, u.missing_periods),
        (480, 0, 4 * 48)
    );
    assert!((u.total_kwh - (5.0 * 48.0 * 11.0 + 5.0 * 48.0 * 10.0 + 190.0)).abs() < 1e-6);
    assert_eq!(u.export_kwh, None);

    // kW and kVA: the 7th's biggest half-hour is 200 kWh (400 kW) with 3 kVArh (6 kVAr).
    let seventh = &u.buckets[6];
    assert_eq!(seventh.value(ChartUnit::Kw), Some(400.0));
    let kva = seventh.value(ChartUnit::Kva).unwrap();
    assert!((kva - 400f64.hypot(6.0)).abs() < 1e-9, "{kva}");
    assert!((u.buckets[0].value(ChartUnit::Kva).unwrap() - 22f64.hypot(6.0)).abs() < 1e-9);
    let md = u.max_demand.unwrap();
    assert!((md.kva - kva).abs() < 1e-9);

    // A day is half-hourly: 48 buckets, period 36 the big one.
    let hh = app::store::consumption::point_use(
        &mut tx,
        f.office.id,
        DateSpan::day(day(2026, 1, 7)),
        RunChoice::Best,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(hh.buckets.len(), 48);
    assert_eq!(hh.buckets[35].period, Some((36, 48)));
    assert_eq!(hh.buckets[35].value(ChartUnit::Kwh), Some(200.0));
    assert_eq!(hh.buckets[35].value(ChartUnit::Kw), Some(400.0));

    // A run with no data in the span: no runs, no energy, everything missing.
    let r3 =
        app::store::consumption::point_use(&mut tx, f.office.id, span, RunChoice::Exactly(SettlementRun::R3))
            .await
            .unwrap()
            .unwrap();
    assert!(r3.runs_seen.is_empty());
    assert_eq!(r3.total_kwh, 0.0);
    assert!(r3.buckets.iter().all(|b| b.value(ChartUnit::Kwh).is_none()));

    // Another tenant's supply point is not there.
    let mut other = f.riverside.begin(&f.db).await.unwrap();
    assert!(
        app::store::consumption::point_use(&mut other, f.office.id, span, RunChoice::Best)
            .await
            .unwrap()
            .is_none()
    );
}
