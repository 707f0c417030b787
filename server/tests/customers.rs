//! The account manager's home and "view as customer", on real Postgres: the figures of each
//! customer (overdue money, open queries, a capacity breach, data gaps across the autumn clock
//! change, consumption against the window before, renewals), who sees which customers, and a
//! read-only view of a customer's portal that refuses every change and is recorded.
mod common;

use app::domain::customer_health::{CustomerHealth, Windows};
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use app::store::customer_health::{customer_health, set_account_manager, Assignment};
use app::store::scope::Scope;
use axum::http::StatusCode;
use chrono::{NaiveDate, TimeDelta};
use common::*;
use sqlx::PgPool;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const TODAY: (i32, u32, u32) = (2026, 11, 29);

async fn org(db: &PgPool, name: &str) -> i64 {
    id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

/// Castlegate House (250 kVA agreed): 1 kWh + 0.75 kVArh every half-hour from 25 September to
/// 22 November 2026, except no data at all on 25 October (the 50-period clock-change day), three
/// half-hours missing on 2 November, and one half-hour of 150 kWh + 100 kVArh (360.6 kVA) on
/// 10 November. Invoices, a query and contracts around 29 November 2026.
async fn fixture(db: &PgPool) -> i64 {
    server::seed::seed_people(db, 1).await.unwrap();
    let castlegate = org(db, "Castlegate Group Ltd").await;
    let mpan: String = sqlx::query_scalar(
        "SELECT sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = 'Castlegate House'",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    let mut d = day(2026, 9, 25);
    while d <= day(2026, 11, 22) {
        if d != day(2026, 10, 25) {
            for (p, t) in all_periods_utc(SettlementDate(d)) {
                let t = t.to_rfc3339();
                let (kwh, kvarh) = if d == day(2026, 11, 10) && p.get() == 35 {
                    (150.0, 100.0)
                } else {
                    (1.0, 0.75)
                };
                if d == day(2026, 11, 2) && p.get() <= 3 {
                    text += &format!("{mpan},AI,{t},,M,SF\n{mpan},RI,{t},,M,SF\n");
                } else {
                    text += &format!("{mpan},AI,{t},{kwh:.3},A,SF\n{mpan},RI,{t},{kvarh:.3},A,SF\n");
                }
            }
        }
        d += TimeDelta::days(1);
    }
    server::import::import_hh(db, "customers.csv", std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap();
    // Overdue: one marked so, one issued and past due; not: issued and not yet due, paid.
    for (number, status, due, pence) in [
        ("C-1", "overdue", "2026-10-15", 1200),
        ("C-2", "issued", "2026-11-01", 3000),
        ("C-3", "issued", "2026-12-10", 5000),
        ("C-4", "paid", "2026-10-01", 7000),
    ] {
        sqlx::query(
            "INSERT INTO invoices (organisation_id, invoice_number, account_number, period_start, period_end, issued_on,
                 due_on, status, net_pence, vat_pence, total_pence)
             SELECT id, $2, account_number, '2026-09-01', '2026-09-30', '2026-10-01', $3::date, $4, $5, 0, $5
             FROM organisations WHERE id = $1",
        )
        .bind(castlegate)
        .bind(number)
        .bind(due)
        .bind(status)
        .bind(pence as i64)
        .execute(db)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO invoice_queries (organisation_id, invoice_id, raised_by)
         SELECT i.organisation_id, i.id, u.id FROM invoices i
         JOIN users u ON u.organisation_id = i.organisation_id AND u.role = 'customer_admin'
         WHERE i.invoice_number = 'C-2' ORDER BY u.id LIMIT 1",
    )
    .execute(db)
    .await
    .unwrap();
    // Renewals: T-1 (Castlegate House) ends within 120 days with nothing after it; T-2 (another
    // supply point) ends too, but T-3 supplies that point from the day after.
    let points: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM supply_points WHERE organisation_id = $1 ORDER BY id")
            .bind(castlegate)
            .fetch_all(db)
            .await
            .unwrap();
    let house: i64 = sqlx::query_scalar("SELECT id FROM supply_points WHERE mpan_core = $1")
        .bind(&mpan)
        .fetch_one(db)
        .await
        .unwrap();
    let other = *points.iter().find(|p| **p != house).unwrap();
    for (reference, from, to, point) in [
        ("T-1", "2026-02-01", "2027-01-31", house),
        ("T-2", "2026-03-01", "2027-02-28", other),
        ("T-3", "2027-03-01", "2028-02-29", other),
    ] {
        sqlx::query(
            "WITH c AS (
                 INSERT INTO contracts (organisation_id, reference, starts_on, ends_on, rate_structure,
                     standing_charge_p_per_day, capacity_charge_p_per_kva_day, excess_capacity_p_per_kva_day,
                     reactive_p_per_kvarh, vat_rate_percent, annual_volume_kwh, volume_tolerance_percent,
                     third_party_costs)
                 VALUES ($1, $2, $3::date, $4::date, 'flat', 100, 5, 10, 0.5, 20, 100000, 10, 'pass_through')
                 RETURNING id)
             INSERT INTO contract_supply_points (contract_id, supply_point_id, organisation_id)
             SELECT id, $5, $1 FROM c",
        )
        .bind(castlegate)
        .bind(reference)
        .bind(from)
        .bind(to)
        .bind(point)
        .execute(db)
        .await
        .unwrap();
    }
    castlegate
}

async fn figures(db: &PgPool, scope: &Scope) -> Vec<CustomerHealth> {
    let (y, m, d) = TODAY;
    let mut tx = scope.begin(db).await.unwrap();
    customer_health(&mut tx, &Windows::of(day(y, m, d)))
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn each_figure_counts_what_it_says(db: PgPool) {
    let castlegate = fixture(&db).await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let rows = figures(&db, &Scope::all_organisations(vec![castlegate, riverside])).await;
    let c = rows.iter().find(|r| r.organisation_id == castlegate).unwrap();

    assert_eq!(c.overdue_invoices, 2);
    assert_eq!(c.overdue_pence, 4200);
    assert_eq!(c.open_queries, 1);
    assert_eq!(
        (c.contracts_ending, c.next_contract_end),
        (1, Some(day(2027, 1, 31)))
    );
    // The 360.6 kVA half-hour on 10 November is above Castlegate House's 250 kVA.
    assert_eq!(c.over_capacity_points, 1);
    // Consumption: the 30 days to 22 November (the latest data) against the 30 before. The last
    // window lacks 25 October and three half-hours of 2 November, and has the 149 kWh extra.
    assert_eq!(c.consumption_to, Some(day(2026, 11, 22)));
    assert!(
        (c.kwh_last - (29.0 * 48.0 - 3.0 + 149.0)).abs() < 1e-9,
        "{}",
        c.kwh_last
    );
    assert!((c.kwh_previous - 29.0 * 48.0).abs() < 1e-9, "{}", c.kwh_previous);
    // Gaps, 24 October – 22 November: Castlegate House misses the 50 half-hours of the clock-change
    // day and three on 2 November; every other supply point (no data at all) misses all 1,442.
    let points: i64 = sqlx::query_scalar("SELECT count(*) FROM supply_points WHERE organisation_id = $1")
        .bind(castlegate)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(c.gap_points, points);
    assert_eq!(c.missing_periods, (points - 1) * (30 * 48 + 2) + 50 + 3);
    assert_eq!(c.attention(), 5);

    let r = rows.iter().find(|r| r.organisation_id == riverside).unwrap();
    assert_eq!(
        (
            r.overdue_invoices,
            r.open_queries,
            r.over_capacity_points,
            r.contracts_ending,
            r.consumption_to
        ),
        (0, 0, 0, 0, None)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_complete_month_of_normal_data_raises_nothing(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    // Every supply point of Castlegate, every half-hour of the gap window and this month, well
    // under capacity: no gap, no breach, nothing owed.
    let mpans: Vec<String> =
        sqlx::query_scalar("SELECT mpan_core FROM supply_points WHERE organisation_id = $1")
            .bind(castlegate)
            .fetch_all(&db)
            .await
            .unwrap();
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    let mut d = day(2026, 10, 20);
    while d <= day(2026, 11, 28) {
        for (_, t) in all_periods_utc(SettlementDate(d)) {
            let t = t.to_rfc3339();
            for mpan in &mpans {
                text += &format!("{mpan},AI,{t},10.000,A,II\n");
            }
        }
        d += TimeDelta::days(1);
    }
    server::import::import_hh(&db, "normal.csv", std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap();
    let rows = figures(&db, &Scope::organisations(vec![castlegate])).await;
    assert_eq!(rows.len(), 1);
    let c = &rows[0];
    assert_eq!(
        (c.missing_periods, c.gap_points, c.over_capacity_points),
        (0, 0, 0)
    );
    assert_eq!(c.attention(), 0);
    assert_eq!(c.consumption_to, Some(day(2026, 11, 28)));
}

#[sqlx::test(migrations = "../migrations")]
async fn only_operations_assign_account_managers(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let am = user_id(&db, ACCOUNT_MANAGER).await;

    // The account manager sees only Castlegate, and cannot assign.
    let am_session = login(&app, ACCOUNT_MANAGER).await;
    let view = call_as(&app, "/api/customers/overview", "", Some(&am_session)).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let names: Vec<String> = view.json()["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Castlegate Group Ltd"]);
    assert_eq!(view.json()["can_assign"], false);
    let form = format!("organisation_id={riverside}&account_manager={am}");
    let res = call_as(&app, "/api/customers/account-manager", &form, Some(&am_session)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Operations assign the account manager to Riverside: it appears on their list at once.
    let ops = login(&app, OPS).await;
    let view = call_as(&app, "/api/customers/overview", "", Some(&ops))
        .await
        .json();
    assert_eq!(view["account_managers"][0]["name"], "James Whitfield", "{view}");
    let res = call_as(&app, "/api/customers/account-manager", &form, Some(&ops)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let view = call_as(&app, "/api/customers/overview", "", Some(&am_session))
        .await
        .json();
    assert_eq!(view["customers"].as_array().unwrap().len(), 2);
    // Not an account manager, or an unknown customer: not found, nothing changed.
    let ops_id = user_id(&db, OPS).await;
    for form in [
        format!("organisation_id={castlegate}&account_manager={ops_id}"),
        format!("organisation_id=999999&account_manager={am}"),
    ] {
        let res = call_as(&app, "/api/customers/account-manager", &form, Some(&ops)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{form}");
    }
    let res = call_as(
        &app,
        "/api/customers/account-manager",
        &format!("organisation_id={castlegate}&account_manager=abc"),
        Some(&ops),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // Row-level security holds even if the server fn's check were gone: an account manager's
    // scope cannot add an assignment.
    let mut tx = Scope::organisations(vec![castlegate]).begin(&db).await.unwrap();
    sqlx::query("SET LOCAL ROLE portal_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = set_account_manager(&mut tx, castlegate, Some(am)).await;
    assert!(err.is_err() || err.unwrap() == Assignment::NotFound);
}

/// Starts viewing `organisation_id` as the customer with `session`; the reply.
async fn view_as(app: &axum::Router, session: &str, organisation_id: i64, next: &str) -> Reply {
    call_as(
        app,
        "/auth/view-as",
        &format!("organisation_id={organisation_id}&next={}", form_encode(next)),
        Some(session),
    )
    .await
}

#[sqlx::test(migrations = "../migrations")]
async fn viewing_as_a_customer_shows_their_portal_and_changes_nothing(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let am = login(&app, ACCOUNT_MANAGER).await;

    // Another customer's (or an unknown) id is not found; a customer cannot do this at all.
    assert_eq!(
        view_as(&app, &am, riverside, "/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        view_as(&app, &am, 999_999, "/").await.status,
        StatusCode::NOT_FOUND
    );
    let customer = login(&app, CUSTOMER_ADMIN).await;
    assert_eq!(
        view_as(&app, &customer, castlegate, "/").await.status,
        StatusCode::FORBIDDEN
    );

    let res = view_as(&app, &am, castlegate, "/invoices?status=overdue").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/invoices?status=overdue");
    let me = call_as(&app, "/api/me", "", Some(&am)).await.json();
    assert_eq!(me["viewing_as"], true);
    assert_eq!(me["role"], "customer_admin");
    assert_eq!(me["organisation"], "Castlegate Group Ltd");
    assert_eq!(
        me["email"], ACCOUNT_MANAGER,
        "the staff member is still who is signed in"
    );

    // The pages are the customer's, with the banner; the staff pages are not there.
    let page = get_as(&app, "/", Some(&am)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-testid=\"view-as-banner\""));
    assert!(page.body.contains("You are viewing Castlegate Group Ltd"));
    assert!(!page.body.contains("href=\"/customers\""), "no staff navigation");
    assert_eq!(
        get_as(&app, "/customers", Some(&am)).await.status,
        StatusCode::FORBIDDEN
    );
    let sites = call_as(&app, "/api/sites/list", "", Some(&am)).await;
    assert_eq!(sites.status, StatusCode::OK);
    assert_eq!(sites.json().as_array().unwrap().len(), 6);

    // Every server fn that is not a read, and every form, is refused before it runs.
    let _ = server::router::app(
        app::state::AppState {
            leptos_options: leptos::config::LeptosOptions::builder()
                .output_name("ic-portal")
                .build(),
            db: db.clone(),
        },
        &config(),
    );
    let writes: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_owned())
        .filter(|p| !app::api::READ_ONLY_FNS.contains(&p.as_str()))
        .collect();
    assert!(writes.iter().any(|p| p == "/api/queries/raise"), "{writes:?}");
    for path in writes.iter().map(String::as_str).chain([
        "/auth/password",
        "/auth/mfa/setup",
        "/auth/mfa/remove",
        "/auth/view-as",
    ]) {
        let res = call_as(&app, path, "", Some(&am)).await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{path} while viewing as: {}",
            res.body
        );
        assert!(res.body.contains("Nothing can be changed here"), "{path}");
    }
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM invoice_queries")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(before, 0);

    // Ending the view goes back to the staff member's own portal.
    let res = call_as(&app, "/auth/view-as/end", "", Some(&am)).await;
    assert_eq!(
        (res.status, res.location()),
        (StatusCode::SEE_OTHER, "/customers")
    );
    let me = call_as(&app, "/api/me", "", Some(&am)).await.json();
    assert_eq!(
        (me["viewing_as"].as_bool(), me["role"].as_str()),
        (Some(false), Some("account_manager"))
    );
    assert_eq!(get_as(&app, "/customers", Some(&am)).await.status, StatusCode::OK);

    // The audit log has the start, the reads while viewing (as the staff member, against the
    // customer) and the end.
    let actions: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT action, organisation_id FROM audit_log
         WHERE actor_email = $1 AND (action LIKE 'view_as.%' OR action LIKE 'staff.read.%') ORDER BY id",
    )
    .bind(ACCOUNT_MANAGER)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        actions.first().map(|a| a.0.as_str()),
        Some("view_as.start"),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|(a, o)| a == "staff.read.sites" && *o == Some(castlegate)),
        "the read while viewing is recorded against the customer: {actions:?}"
    );
    assert!(actions.iter().any(|(a, _)| a == "view_as.end"), "{actions:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_view_ends_when_the_customer_is_no_longer_assigned(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let am = login(&app, ACCOUNT_MANAGER).await;
    assert_eq!(
        view_as(&app, &am, castlegate, "/").await.status,
        StatusCode::SEE_OTHER
    );
    sqlx::query("DELETE FROM account_manager_assignments")
        .execute(&db)
        .await
        .unwrap();
    let me = call_as(&app, "/api/me", "", Some(&am)).await.json();
    assert_eq!(me["viewing_as"], false);
    assert_eq!(me["role"], "account_manager");
    let sites = call_as(&app, "/api/sites/list", "", Some(&am)).await.json();
    assert_eq!(
        sites.as_array().unwrap().len(),
        0,
        "nothing of Castlegate any more"
    );
}
