//! The analysis views on real Postgres: each view computed for a supply point from imported data
//! (two settlement runs, the autumn clock change, reactive energy, a banded contract), the scope
//! (another tenant's supply point is not found, a restricted user sees only their sites), and the
//! chart and table routes with their errors.
mod common;

use app::api::analysis::ssr::compute;
use app::api::analysis::{AnalysisView, Cell};
use app::api::ApiError;
use app::domain::analysis::view::{AnalysisKind, AnalysisQuery};
use app::domain::settlement_run::{RunChoice, SettlementRun};
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use app::store::scope::Scope;
use axum::http::StatusCode;
use chrono::{NaiveDate, TimeDelta};
use sqlx::PgPool;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct Fixture {
    castlegate: i64,
    point: i64,
    other_point: i64,
}

/// Castlegate House (London, distributor 12, 250 kVA agreed), 19–26 October 2026 at run SF:
/// 1 kWh and 0.75 kVArh every half-hour, with one half-hour of 150 kWh + 100 kVArh (360.6 kVA) on
/// Tuesday 20 October at 17:00; run R1 for 24 and 25 October at 1.1 kWh. A banded contract for
/// October 2026 – September 2027 prices red at 30 p, amber at 20 p and green at 10 p.
async fn fixture(db: &PgPool) -> Fixture {
    server::seed::seed_people(db, 1).await.unwrap();
    let castlegate = common::id_of(
        db,
        "SELECT id FROM organisations WHERE name = $1",
        "Castlegate Group Ltd",
    )
    .await;
    let (point, mpan): (i64, String) = sqlx::query_as(
        "SELECT sp.id, sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = 'Castlegate House'",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let other_point: i64 = sqlx::query_scalar(
        "SELECT sp.id FROM supply_points sp WHERE sp.organisation_id <> $1 ORDER BY sp.id LIMIT 1",
    )
    .bind(castlegate)
    .fetch_one(db)
    .await
    .unwrap();
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    let mut d = day(2026, 10, 19);
    while d <= day(2026, 10, 26) {
        for (p, t) in all_periods_utc(SettlementDate(d)) {
            let spike = d == day(2026, 10, 20) && p.get() == 35;
            let (kwh, kvarh) = if spike { (150.0, 100.0) } else { (1.0, 0.75) };
            let t = t.to_rfc3339();
            text += &format!("{mpan},AI,{t},{kwh:.3},A,SF\n{mpan},RI,{t},{kvarh:.3},A,SF\n");
            if d == day(2026, 10, 24) || d == day(2026, 10, 25) {
                text += &format!("{mpan},AI,{t},1.100,A,R1\n");
            }
        }
        d += TimeDelta::days(1);
    }
    server::import::import_hh(db, "analysis.csv", std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap();
    let contract: i64 = sqlx::query_scalar(
        "INSERT INTO contracts (organisation_id, reference, starts_on, ends_on, rate_structure,
             standing_charge_p_per_day, capacity_charge_p_per_kva_day, excess_capacity_p_per_kva_day,
             reactive_p_per_kvarh, vat_rate_percent, annual_volume_kwh, volume_tolerance_percent,
             third_party_costs)
         VALUES ($1, 'T-BANDED', '2026-10-01', '2027-09-30', 'banded', 100, 5, 10, 0.5, 20, 100000, 10,
                 'pass_through')
         RETURNING id",
    )
    .bind(castlegate)
    .fetch_one(db)
    .await
    .unwrap();
    for (name, p) in [("red", 30), ("amber", 20), ("green", 10)] {
        sqlx::query(
            "INSERT INTO contract_rates (contract_id, organisation_id, rate_name, p_per_kwh) VALUES ($1, $2, $3, $4)",
        )
        .bind(contract)
        .bind(castlegate)
        .bind(name)
        .bind(p)
        .execute(db)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO contract_supply_points (contract_id, supply_point_id, organisation_id) VALUES ($1, $2, $3)",
    )
    .bind(contract)
    .bind(point)
    .bind(castlegate)
    .execute(db)
    .await
    .unwrap();
    Fixture {
        castlegate,
        point,
        other_point,
    }
}

fn query(view: AnalysisKind, sp: i64, from: NaiveDate, to: NaiveDate) -> AnalysisQuery {
    AnalysisQuery {
        view,
        sp,
        from: Some(from),
        to: Some(to),
        ..Default::default()
    }
}

async fn view_of(db: &PgPool, scope: &Scope, q: &AnalysisQuery) -> Result<(AnalysisView, String), ApiError> {
    let mut tx = scope.begin(db).await.unwrap();
    let c = compute(&mut tx, q, true).await?;
    Ok((c.view, c.svg.unwrap_or_default()))
}

fn num(c: &Cell) -> f64 {
    match c {
        Cell::Num { value, .. } => *value,
        other => panic!("not a number: {other:?}"),
    }
}

fn figure<'a>(v: &'a AnalysisView, label: &str) -> &'a str {
    &v.figures
        .iter()
        .find(|f| f.label == label)
        .unwrap_or_else(|| panic!("no figure {label}"))
        .value
}

#[sqlx::test(migrations = "../migrations")]
async fn each_view_is_computed_from_the_imported_data(db: PgPool) {
    let f = fixture(&db).await;
    let scope = Scope::organisations(vec![f.castlegate]);
    let (from, to) = (day(2026, 10, 19), day(2026, 10, 26));

    // Heatmap: 8 days, the 50-period Sunday named; the SVG has a cell per period.
    let (v, svg) = view_of(&db, &scope, &query(AnalysisKind::Heatmap, f.point, from, to))
        .await
        .unwrap();
    assert_eq!(figure(&v, "Days with data"), "8 of 8");
    assert!(
        v.notes.iter().any(|n| n.contains("25 Oct 2026 (50 periods)")),
        "{:?}",
        v.notes
    );
    assert_eq!(v.runs_used, "R1 (2 days), SF (6 days)");
    // One path per colour step: the steady 1 kWh half-hours, the 150 kWh one, the 1.1 kWh days.
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.matches("<path fill=\"#").count() >= 2, "{svg}");
    assert!(svg.len() < 60_000, "{} bytes", svg.len());
    assert_eq!(v.table.rows.len(), 1, "one month");
    // 386 half-hours (7 × 48 + 50) − 1 at 1 kWh (SF) or 1.1 kWh (R1 on 98 of them), + 150 kWh.
    let kwh = 288.0 - 1.0 + 150.0 + 98.0 * 1.1;
    assert!(
        (num(&v.table.rows[0][1]) - kwh).abs() < 0.5,
        "{:?}",
        v.table.rows[0]
    );

    // Load duration: base 2 kW (1 kWh a half-hour), peak 300 kW.
    let (v, svg) = view_of(&db, &scope, &query(AnalysisKind::Duration, f.point, from, to))
        .await
        .unwrap();
    assert_eq!(figure(&v, "Base load"), "2.0 kW");
    assert_eq!(figure(&v, "Peak"), "300.0 kW");
    assert!(svg.contains("Base load 2.0 kW"));

    // Monthly demand: √(300² + 200²) = 360.6 kVA above 250 kVA; PF of the month's energy.
    let (v, _) = view_of(&db, &scope, &query(AnalysisKind::Demand, f.point, from, to))
        .await
        .unwrap();
    assert_eq!(figure(&v, "Months above capacity"), "1");
    let oct = &v.table.rows[0];
    assert!((num(&oct[2]) - 360.555).abs() < 0.01, "{oct:?}");
    assert!(
        matches!(&oct[3], Cell::Text(t) if t == "Tue 20 Oct 17:00"),
        "{oct:?}"
    );
    assert!((num(&oct[6]) - 110.555).abs() < 0.01);

    // Cost by band over the clock-change weekend and the Monday after, at the best run: Saturday
    // and Sunday green (48 + 50 half-hours at 1.1 kWh); Monday in London red 11:00–14:00 and
    // 16:00–19:00 (12), amber 07:00–11:00, 14:00–16:00, 19:00–23:00 (20), green 16, at 1 kWh.
    let (v, _) = view_of(
        &db,
        &scope,
        &query(AnalysisKind::Bands, f.point, day(2026, 10, 24), day(2026, 10, 26)),
    )
    .await
    .unwrap();
    let rows = &v.table.rows;
    assert_eq!((num(&rows[0][1]), num(&rows[1][1])), (12.0, 20.0));
    assert!((num(&rows[2][1]) - (16.0 + 98.0 * 1.1)).abs() < 1e-6);
    // Red 12 × 30 p, amber 20 × 20 p, green (16 + 107.8) × 10 p.
    assert_eq!(num(&rows[0][3]), 3.60);
    assert_eq!(num(&rows[1][3]), 4.00);
    assert_eq!(num(&rows[2][3]), 12.38);
    assert_eq!(figure(&v, "Energy cost in the span"), "£19.98");
    let sites = v.sites.expect("the site ranking");
    assert!(matches!(&sites.rows[0][0], Cell::Text(s) if s == "Castlegate House"));

    // Revisions: SF over 8 days against the best run; the latest day with two runs overlaid.
    let (v, svg) = view_of(&db, &scope, &query(AnalysisKind::Revisions, f.point, from, to))
        .await
        .unwrap();
    let sf = &v.table.rows[0];
    assert!(matches!(&sf[0], Cell::Text(r) if r == "SF"));
    assert_eq!(num(&sf[1]), 8.0);
    assert!(
        (num(&sf[5]) - (-9.8)).abs() < 1e-6,
        "98 half-hours 0.1 kWh lower at SF: {sf:?}"
    );
    let r = v.revisions.expect("a day to overlay");
    assert_eq!(
        (r.day, r.a, r.b),
        (day(2026, 10, 25), SettlementRun::SF, SettlementRun::R1)
    );
    assert!(svg.contains("SF run") && svg.contains("R1 run"));

    // Comparison: nothing a week or a year earlier.
    let (v, _) = view_of(&db, &scope, &query(AnalysisKind::Compare, f.point, from, to))
        .await
        .unwrap();
    assert_eq!(v.table.rows.len(), 3);
    assert_eq!(num(&v.table.rows[1][3]), 0.0);

    // Profiles at run SF only: Sunday's 01:00 slot averages its two half-hours.
    let mut q = query(AnalysisKind::Profiles, f.point, from, to);
    q.run = RunChoice::Exactly(SettlementRun::SF);
    let (v, _) = view_of(&db, &scope, &q).await.unwrap();
    assert_eq!(v.runs_used, "SF (8 days)");
    assert!(matches!(&v.table.rows[2][3], Cell::Num { value, .. } if (*value - 1.0).abs() < 1e-9));
}

#[sqlx::test(migrations = "../migrations")]
async fn another_tenants_point_is_not_found_and_a_bad_span_says_why(db: PgPool) {
    let f = fixture(&db).await;
    let scope = Scope::organisations(vec![f.castlegate]);
    let q = query(
        AnalysisKind::Heatmap,
        f.other_point,
        day(2026, 10, 19),
        day(2026, 10, 26),
    );
    assert_eq!(view_of(&db, &scope, &q).await.unwrap_err(), ApiError::NotFound);
    // A user limited to Felixstowe does not see Castlegate House.
    let felixstowe = common::site_id(&db, "Felixstowe Cold Store").await;
    let limited = Scope::organisations(vec![f.castlegate]).with_sites(vec![felixstowe]);
    let q = query(
        AnalysisKind::Heatmap,
        f.point,
        day(2026, 10, 19),
        day(2026, 10, 26),
    );
    assert_eq!(view_of(&db, &limited, &q).await.unwrap_err(), ApiError::NotFound);
    let backwards = query(
        AnalysisKind::Heatmap,
        f.point,
        day(2026, 10, 26),
        day(2026, 10, 19),
    );
    match view_of(&db, &scope, &backwards).await.unwrap_err() {
        ApiError::BadRequest(m) => assert!(m.contains("after it ends"), "{m}"),
        e => panic!("{e:?}"),
    }
    // A span with no data: no chart, and the page says so instead of showing zeros.
    let empty = query(AnalysisKind::Duration, f.point, day(2025, 1, 1), day(2025, 1, 31));
    let (v, svg) = view_of(&db, &scope, &empty).await.unwrap();
    assert!(!v.has_chart && svg.is_empty());
    assert!(
        v.notes[0].starts_with("No data at the best available run"),
        "{:?}",
        v.notes
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_chart_and_table_routes_answer_with_the_page_s_figures(db: PgPool) {
    let f = fixture(&db).await;
    let app = common::app(db.clone());
    let cookie = common::login(&app, "facilities@castlegate.example").await;
    let qs = format!("view=demand&sp={}&from=2026-10-19&to=2026-10-26", f.point);
    let chart = common::get_as(&app, &format!("/analysis/chart.svg?{qs}"), Some(&cookie)).await;
    assert_eq!(chart.status, StatusCode::OK);
    assert_eq!(chart.headers["content-type"], "image/svg+xml");
    assert!(chart.body.contains("Agreed capacity 250 kVA"));
    let table = common::get_as(&app, &format!("/analysis/table.csv?{qs}"), Some(&cookie)).await;
    assert_eq!(table.status, StatusCode::OK);
    let body = table.body.clone();
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("Month,kWh,Maximum demand (kVA),When,kW at maximum,Power factor,Above capacity (kVA)")
    );
    assert!(lines.next().unwrap().starts_with("Oct 2026,"), "{body}");
    let bad = common::get_as(
        &app,
        &format!("/analysis/table.csv?view=pie&sp={}", f.point),
        Some(&cookie),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("could not be read"), "{}", bad.body);
    let other = common::get_as(
        &app,
        &format!("/analysis/chart.svg?view=demand&sp={}", f.other_point),
        Some(&cookie),
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
