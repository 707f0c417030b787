//! Alerts on real Postgres: each rule raises one alert for what breaches it and nothing for normal
//! data (across the autumn clock change), at most one per rule per supply point per day however
//! often the rules run; a gap filled later is resolved; renewals at 120/60/30 days; who sees and
//! acknowledges which alerts; the e-mail digest through the SMTP sink; and an import raising them.
mod common;

use app::domain::alerts::{AlertStatus, Rule};
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use app::store::alert_rules::evaluate;
use app::store::alerts::{acknowledge, list, set_subscriptions, Acknowledged, Filter};
use app::store::scope::Scope;
use axum::http::StatusCode;
use chrono::{NaiveDate, TimeDelta, Timelike};
use chrono_tz::Europe::London;
use common::*;
use sqlx::PgPool;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn org(db: &PgPool, name: &str) -> i64 {
    id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

async fn point(db: &PgPool, site: &str) -> (i64, String) {
    sqlx::query_as(
        "SELECT sp.id, sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id
         WHERE s.name = $1 ORDER BY sp.mpan_core LIMIT 1",
    )
    .bind(site)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A CSV of import and reactive import for `mpan` over `from..=to` at run `run`: 40 kW at night
/// (before 06:00 local), 150 kW by day, 0.4 of that as kVArh; `tweak` may change a half-hour's
/// kWh (`None`: missing) by day and settlement period.
fn csv(
    mpan: &str,
    from: NaiveDate,
    to: NaiveDate,
    run: &str,
    tweak: impl Fn(NaiveDate, u8, f64) -> Option<f64>,
) -> String {
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    for d in from.iter_days().take_while(|d| *d <= to) {
        for (p, t) in all_periods_utc(SettlementDate(d)) {
            let kw = if t.with_timezone(&London).hour() < 6 {
                40.0
            } else {
                150.0
            };
            let start = t.to_rfc3339();
            match tweak(d, p.get(), kw / 2.0) {
                Some(kwh) => {
                    text += &format!(
                        "{mpan},AI,{start},{kwh:.3},A,{run}\n{mpan},RI,{start},{:.3},A,{run}\n",
                        kwh * 0.4
                    )
                }
                None => text += &format!("{mpan},AI,{start},,M,{run}\n{mpan},RI,{start},,M,{run}\n"),
            }
        }
    }
    text
}

async fn import(db: &PgPool, name: &str, text: String) -> server::import::ImportSummary {
    server::import::import_hh(db, name, std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap_or_else(|e| panic!("{}", e.report()))
}

/// Castlegate with one supply point in service (Castlegate House, 250 kVA agreed), the rest
/// de-energised before the data starts, so only the data imported here is judged.
async fn castlegate_house(db: &PgPool) -> (i64, i64, String) {
    server::seed::seed_people(db, 1).await.unwrap();
    let castlegate = org(db, "Castlegate Group Ltd").await;
    let (sp, mpan) = point(db, "Castlegate House").await;
    sqlx::query(
        "UPDATE supply_points SET energised_from = '2024-01-01',
             energised_to = CASE WHEN id = $1 THEN NULL ELSE DATE '2025-01-01' END",
    )
    .bind(sp)
    .execute(db)
    .await
    .unwrap();
    (castlegate, sp, mpan)
}

/// (rule, day, measured rounded, reference rounded) of every alert, in order.
async fn alerts_held(db: &PgPool) -> Vec<(String, NaiveDate, i64, i64)> {
    sqlx::query_as(
        "SELECT rule, day, round(measured)::bigint, round(reference)::bigint FROM alerts ORDER BY day, rule",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

// Today 9 Nov 2026: capacity and profile look at 9 Oct – 9 Nov, which holds the autumn clock
// change (Sunday 25 October, 50 periods); gaps at 9 Oct – 2 Nov.
const TODAY: &str = "2026-11-09";

#[sqlx::test(migrations = "../migrations")]
async fn normal_data_across_the_clock_change_raises_nothing(db: PgPool) {
    let (castlegate, _, mpan) = castlegate_house(&db).await;
    import(
        &db,
        "normal.csv",
        csv(&mpan, day("2026-09-01"), day(TODAY), "SF", |_, _, kwh| Some(kwh)),
    )
    .await;
    let mut conn = db.acquire().await.unwrap();
    let raised = evaluate(&mut conn, &[castlegate], day(TODAY)).await.unwrap();
    assert_eq!(raised.total(), 0, "{raised}");
    assert_eq!(alerts_held(&db).await, vec![]);
}

#[sqlx::test(migrations = "../migrations")]
async fn each_rule_raises_one_alert_a_day_and_only_once(db: PgPool) {
    let (castlegate, sp, mpan) = castlegate_house(&db).await;
    let text = csv(&mpan, day("2026-09-01"), day(TODAY), "SF", |d, p, kwh| {
        match (d.to_string().as_str(), p) {
            // 17:00 on Tue 20 Oct: 140 kWh + 56 kVArh in the half-hour, 2·√(140²+56²) = 301.6 kVA.
            ("2026-10-20", 35) => Some(140.0),
            // Three half-hours missing on Mon 2 Nov (7 days ago: the first run should be in)…
            ("2026-11-02", 1..=3) => None,
            // …and on Wed 4 Nov, too recent to count.
            ("2026-11-04", 1..=3) => None,
            // The whole night of Wed 28 Oct at 70 kW (35 kWh a half-hour) instead of 40.
            ("2026-10-28", 1..=10) => Some(35.0),
            // On Sun 25 Oct (50 periods) the same weekend load as the Sundays before: nothing.
            _ => Some(kwh),
        }
    });
    import(&db, "breaches.csv", text).await;
    let mut conn = db.acquire().await.unwrap();
    let raised = evaluate(&mut conn, &[castlegate], day(TODAY)).await.unwrap();
    assert_eq!(
        raised.to_string(),
        "alerts: 3 raised (capacity breach 1, data gap 1, out of profile 1), 0 data gap(s) resolved"
    );
    assert_eq!(
        alerts_held(&db).await,
        vec![
            ("capacity".into(), day("2026-10-20"), 302, 250),
            ("out_of_profile".into(), day("2026-10-28"), 70, 40),
            ("data_gap".into(), day("2026-11-02"), 3, 48),
        ]
    );
    // The capacity alert names the period of the peak.
    let period: Option<i16> = sqlx::query_scalar("SELECT period FROM alerts WHERE rule = 'capacity'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(period, Some(35));

    // Running again (the daily job after an import) raises nothing new.
    let again = evaluate(&mut conn, &[castlegate], day(TODAY)).await.unwrap();
    assert_eq!(again.total(), 0);
    // A day later, Wed 4 Nov is old enough: its gap is raised now, and only it.
    let later = evaluate(&mut conn, &[castlegate], day("2026-11-11"))
        .await
        .unwrap();
    assert_eq!(later.new.get(&Rule::DataGap), Some(&1), "{later}");
    assert_eq!(later.total(), 1, "{later}");

    // The missing half-hours of 2 Nov arrive in a later run (R1): the gap is resolved.
    import(
        &db,
        "r1.csv",
        csv(&mpan, day("2026-11-02"), day("2026-11-02"), "R1", |_, _, kwh| {
            Some(kwh)
        }),
    )
    .await;
    let filled = evaluate(&mut conn, &[castlegate], day("2026-11-11"))
        .await
        .unwrap();
    assert_eq!(filled.gaps_resolved, 1, "{filled}");
    let scope = Scope::organisations(vec![castlegate]);
    let mut tx = scope.begin(&db).await.unwrap();
    let open = list(&mut tx, &Filter::default(), 100).await.unwrap();
    let open_rules: Vec<(Rule, NaiveDate)> = open.iter().map(|a| (a.rule, a.day)).collect();
    assert_eq!(
        open_rules,
        vec![
            (Rule::DataGap, day("2026-11-04")),
            (Rule::OutOfProfile, day("2026-10-28")),
            (Rule::Capacity, day("2026-10-20"))
        ]
    );
    let done = list(
        &mut tx,
        &Filter {
            status: AlertStatus::Acknowledged,
            ..Filter::default()
        },
        100,
    )
    .await
    .unwrap();
    assert_eq!(done.len(), 1);
    assert!(done[0].cleared_at.is_some() && done[0].supply_point_id == Some(sp));
}

#[sqlx::test(migrations = "../migrations")]
async fn backfilled_history_raises_nothing(db: PgPool) {
    // Last winter's data with breaches, imported now: older than the look-back, so no alerts.
    let (castlegate, _, mpan) = castlegate_house(&db).await;
    import(
        &db,
        "old.csv",
        csv(&mpan, day("2025-12-01"), day("2026-01-31"), "SF", |_, p, kwh| {
            Some(if p == 35 { 400.0 } else { kwh })
        }),
    )
    .await;
    let mut conn = db.acquire().await.unwrap();
    let raised = evaluate(&mut conn, &[castlegate], day(TODAY)).await.unwrap();
    // Only gaps: Castlegate House has no data in the last month, which is itself worth knowing.
    assert_eq!(
        raised.new.keys().copied().collect::<Vec<_>>(),
        vec![Rule::DataGap]
    );
    assert_eq!(raised.total(), 25, "{raised}");
}

async fn contract(db: &PgPool, org: i64, reference: &str, from: &str, to: &str, sp: i64) {
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
    .bind(org)
    .bind(reference)
    .bind(from)
    .bind(to)
    .bind(sp)
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn renewals_alert_at_120_60_and_30_days_unless_a_contract_follows(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let (house, _) = point(&db, "Castlegate House").await;
    let (felixstowe, _) = point(&db, "Felixstowe Cold Store").await;
    // Data everywhere is beside the point here: de-energise all, so only renewals are judged.
    sqlx::query("UPDATE supply_points SET energised_to = energised_from")
        .execute(&db)
        .await
        .unwrap();
    contract(&db, castlegate, "R-HOUSE", "2026-04-01", "2027-03-31", house).await;
    contract(&db, castlegate, "R-FELIX", "2026-04-01", "2027-03-31", felixstowe).await;
    contract(
        &db,
        castlegate,
        "R-FELIX-2",
        "2027-04-01",
        "2029-03-31",
        felixstowe,
    )
    .await;
    let end = day("2027-03-31");
    let mut conn = db.acquire().await.unwrap();
    let mut seen = Vec::new();
    // Daily from 130 days before the end to the end: three alerts in all, one per threshold.
    for before in (0..=130).rev() {
        let raised = evaluate(&mut conn, &[castlegate], end - TimeDelta::days(before))
            .await
            .unwrap();
        if raised.total() > 0 {
            seen.push((before, raised.total()));
        }
    }
    assert_eq!(seen, vec![(120, 1), (60, 1), (30, 1)]);
    let held: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT c.reference, round(a.measured)::bigint, round(a.reference)::bigint FROM alerts a
         JOIN contracts c ON c.id = a.contract_id ORDER BY a.reference DESC",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        held,
        vec![
            ("R-HOUSE".into(), 120, 120),
            ("R-HOUSE".into(), 60, 60),
            ("R-HOUSE".into(), 30, 30)
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn who_sees_and_acknowledges_which_alerts(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let mut ids = Vec::new();
    for site in [
        "Felixstowe Cold Store",
        "Castlegate House",
        "Riverside Leisure Centre",
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO alerts (organisation_id, site_id, supply_point_id, rule, day, measured, reference, period)
             SELECT sp.organisation_id, sp.site_id, sp.id, 'capacity', '2026-11-10', 900, 800, 35
             FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1 LIMIT 1 RETURNING id",
        )
        .bind(site)
        .fetch_one(&db)
        .await
        .unwrap();
        ids.push(id);
    }
    let [felixstowe, house, river] = ids[..] else {
        unreachable!()
    };
    let felixstowe_site = site_id(&db, "Felixstowe Cold Store").await;
    let restricted = Scope::organisations(vec![castlegate]).with_sites(vec![felixstowe_site]);
    let seen = |scope: Scope| {
        let db = db.clone();
        async move {
            let mut tx = scope.begin(&db).await.unwrap();
            list(&mut tx, &Filter::default(), 10)
                .await
                .unwrap()
                .iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        }
    };
    let mut castlegate_ids = seen(Scope::organisations(vec![castlegate])).await;
    castlegate_ids.sort();
    assert_eq!(castlegate_ids, vec![felixstowe, house]);
    assert_eq!(seen(restricted.clone()).await, vec![felixstowe]);
    assert_eq!(seen(Scope::organisations(vec![riverside])).await, vec![river]);

    // Acknowledging: another customer's alert, or a site not granted, is not there.
    let user = user_id(&db, CUSTOMER_USER).await;
    let mut tx = restricted.begin(&db).await.unwrap();
    assert_eq!(
        acknowledge(&mut tx, user, "Energy Manager", &[river])
            .await
            .unwrap(),
        Acknowledged::NotFound
    );
    assert_eq!(
        acknowledge(&mut tx, user, "Energy Manager", &[house])
            .await
            .unwrap(),
        Acknowledged::NotFound
    );
    assert_eq!(
        acknowledge(&mut tx, user, "Energy Manager", &[felixstowe, house, river])
            .await
            .unwrap(),
        Acknowledged::Done(vec![castlegate])
    );
    tx.commit().await.unwrap();
    let state: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, acknowledged_by_name FROM alerts ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        state,
        vec![
            (felixstowe, Some("Energy Manager".into())),
            (house, None),
            (river, None)
        ]
    );
    // Again: nothing more to do, and no error.
    let mut tx = restricted.begin(&db).await.unwrap();
    assert_eq!(
        acknowledge(&mut tx, user, "Energy Manager", &[felixstowe])
            .await
            .unwrap(),
        Acknowledged::Done(vec![])
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_page_lists_and_acknowledges_and_a_viewing_account_manager_cannot(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let (felixstowe_sp, _) = point(&db, "Felixstowe Cold Store").await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO alerts (organisation_id, site_id, supply_point_id, rule, day, measured, reference, period)
         SELECT organisation_id, site_id, id, 'capacity', '2026-11-10', 918.4, 800, 35 FROM supply_points
         WHERE id = $1 RETURNING id",
    )
    .bind(felixstowe_sp)
    .fetch_one(&db)
    .await
    .unwrap();
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let page = get_as(&app, "/alerts", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("1 open alert: capacity breach 1."),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("Peak 918 kVA at 17:00 (period 35), above the agreed 800 kVA (+15 %)"));
    assert!(page.body.contains("Felixstowe Cold Store · MPAN"));

    // The account manager viewing Castlegate's portal reads it, but cannot acknowledge.
    let am = login(&app, ACCOUNT_MANAGER).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let start = call_as(
        &app,
        "/auth/view-as",
        &format!("organisation_id={castlegate}&next=/alerts"),
        Some(&am),
    )
    .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let viewing = call_as(&app, "/api/alerts/view", "", Some(&am)).await;
    assert_eq!(viewing.status, StatusCode::OK, "{}", viewing.body);
    let refused = call_as(&app, "/api/alerts/acknowledge", &format!("ids={id}"), Some(&am)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Bad input: no ids, not ids, another tenant's id.
    for (form, status) in [
        ("ids=", StatusCode::BAD_REQUEST),
        ("ids=1%2Cx", StatusCode::BAD_REQUEST),
        ("ids=999999", StatusCode::NOT_FOUND),
    ] {
        let res = call_as(&app, "/api/alerts/acknowledge", form, Some(&admin)).await;
        assert_eq!(res.status, status, "{form}: {}", res.body);
    }
    let res = call_as(&app, "/api/alerts/view", "status=everything", Some(&admin)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    let done = call_as(
        &app,
        "/api/alerts/acknowledge",
        &format!("ids={id}"),
        Some(&admin),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let page = get_as(&app, "/alerts?status=acknowledged", Some(&admin)).await;
    assert!(page.body.contains("Acknowledged by"), "{}", page.body);
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'alert.acknowledged' AND organisation_id = $1",
    )
    .bind(castlegate)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audit, 1);
}

/// A customer user of Castlegate with an address of this test's own (the sink is shared).
async fn subscriber(db: &PgPool, email: &str, sites: Option<&[&str]>) -> i64 {
    let user: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites)
         SELECT $1, 'Site Engineer', 'customer_user', id, 'not-a-hash', $2 FROM organisations
         WHERE name = 'Castlegate Group Ltd' RETURNING id",
    )
    .bind(email)
    .bind(sites.is_none())
    .fetch_one(db)
    .await
    .unwrap();
    for site in sites.unwrap_or_default() {
        sqlx::query(
            "INSERT INTO user_site_access (user_id, site_id) SELECT $1, id FROM sites WHERE name = $2",
        )
        .bind(user)
        .bind(site)
        .execute(db)
        .await
        .unwrap();
    }
    user
}

#[sqlx::test(migrations = "../migrations")]
async fn the_digest_sends_what_is_new_of_the_rules_chosen_in_scope_once(db: PgPool) {
    let (castlegate, _, mpan) = castlegate_house(&db).await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let everywhere = format!("all-{tag}@castlegate.example");
    let felixstowe_only = format!("felix-{tag}@castlegate.example");
    let all_user = subscriber(&db, &everywhere, None).await;
    let felix_user = subscriber(&db, &felixstowe_only, Some(&["Felixstowe Cold Store"])).await;
    for (user, rules) in [
        (all_user, vec![Rule::Capacity, Rule::DataGap]),
        (felix_user, vec![Rule::Capacity]),
    ] {
        let mut tx = Scope::organisations(vec![castlegate]).begin(&db).await.unwrap();
        set_subscriptions(&mut tx, user, &rules).await.unwrap();
        tx.commit().await.unwrap();
    }
    // Subscribed before the breaches arrive: a breach at Castlegate House and a gap.
    import(
        &db,
        "digest.csv",
        csv(&mpan, day("2026-09-01"), day(TODAY), "SF", |d, p, kwh| {
            match (d.to_string().as_str(), p) {
                ("2026-10-20", 35) => Some(140.0),
                ("2026-10-27" | "2026-10-28", _) => None,
                _ => Some(kwh),
            }
        }),
    )
    .await;
    let mut conn = db.acquire().await.unwrap();
    evaluate(&mut conn, &[castlegate], day(TODAY)).await.unwrap();
    let mailer = mail_config().mailer().unwrap();
    let run = server::alerts::send_digests(&db, &mailer).await.unwrap();
    // Other tests' subscribers may share the run only in their own databases: this one has two.
    assert_eq!((run.emails_sent, run.nothing_new), (1, 1), "{run}");
    assert_eq!(run.alerts_emailed, 3);
    let (mail, link) = wait_for_mail(&everywhere, "http://portal.test/alerts", |_| true).await;
    assert_eq!(link, "http://portal.test/alerts");
    assert!(
        mail.text.contains("3 new alerts since our last e-mail:"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("Capacity breach — Castlegate House · MPAN"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("Data gap — Castlegate House · MPAN"),
        "{}",
        mail.text
    );
    assert!(
        mail.text
            .contains("Tue 27 Oct 2026 to Wed 28 Oct 2026 (2 days): 96 of 96 half-hours missing"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("capacity breach, data gap"), "{}", mail.text);
    assert!(
        mail_to(&felixstowe_only).is_empty(),
        "Felixstowe has no alert: no e-mail"
    );
    // The next run has nothing new for anyone.
    let next = server::alerts::send_digests(&db, &mailer).await.unwrap();
    assert_eq!((next.emails_sent, next.nothing_new), (0, 2), "{next}");
    assert_eq!(mail_to(&everywhere).len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_upload_that_breaches_capacity_raises_its_alert_at_once(db: PgPool) {
    use axum::body::Body;
    use axum::http::{header, Request};
    let app = seeded_app(db.clone()).await;
    let (sp, mpan) = point(&db, "Castlegate House").await;
    // Two days ago (UK): inside the look-back whatever the date the test runs on.
    let when = app::api::billing::ssr::today() - TimeDelta::days(2);
    let csv = csv(&mpan, when, when, "II", |_, p, kwh| {
        Some(if p == 30 { 200.0 } else { kwh })
    });
    let boundary = "alerts-boundary-5d1e";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"breach.csv\"\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let ops = login(&app, OPS).await;
    let req = Request::post("/admin/imports/upload")
        .header("host", "localhost")
        .header("origin", "http://localhost")
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/x-ndjson")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, &ops)
        .body(Body::from(body))
        .unwrap();
    let res = send(&app, req).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("\"outcome\":\"imported\""), "{}", res.body);
    let held: Vec<(String, NaiveDate, i64)> =
        sqlx::query_as("SELECT rule, day, round(measured)::bigint FROM alerts WHERE supply_point_id = $1 AND rule = 'capacity'")
            .bind(sp)
            .fetch_all(&db)
            .await
            .unwrap();
    // 200 kWh + 80 kVArh in a half-hour: 2·√(200²+80²) = 430.8 kVA against 250 agreed.
    assert_eq!(held, vec![("capacity".to_string(), when, 431)]);
    // The customer sees it on their Alerts page.
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let page = get_as(&app, "/alerts?rule=capacity", Some(&admin)).await;
    assert!(page.body.contains("Peak 431 kVA"), "{}", page.body);
}
