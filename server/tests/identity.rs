//! Issue 8, findings 4–6: site restrictions that fail closed, the identity tables under row-level
//! security and least privilege, definer functions' search_path, the start-up check of the
//! database login, user creation that reveals nothing about other organisations, a staff disable
//! that a customer admin cannot undo, and audit entries for staff reads of customers' data.
mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use sqlx::PgPool;

fn app_pool(db: &PgPool) -> PgPool {
    server::db::app_pool((*db.connect_options()).clone(), 1, "portal_app")
}

async fn org(db: &PgPool, name: &str) -> i64 {
    id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

async fn site_names(app: &axum::Router, cookie: &str) -> Vec<String> {
    let res = call_as(app, "/api/sites/list", "", Some(cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn point_count(app: &axum::Router, cookie: &str) -> usize {
    let res = call_as(app, "/api/consumption/points", "", Some(cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json().as_array().unwrap().len()
}

async fn actions(db: &PgPool, like: &str) -> Vec<(String, Option<i64>, Value)> {
    sqlx::query_as("SELECT action, organisation_id, detail FROM audit_log WHERE action LIKE $1 ORDER BY id")
        .bind(like)
        .fetch_all(db)
        .await
        .unwrap()
}

// ---- Finding 4: the site restriction fails closed ----------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn deleting_a_granted_site_never_widens_access(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let annexe: i64 = sqlx::query_scalar(
        "INSERT INTO sites (organisation_id, name, kind, address_line, town, postcode)
         VALUES ($1, 'Annexe', 'office', '1 Annexe Road', 'Leicester', 'LE1 1AA') RETURNING id",
    )
    .bind(castlegate)
    .fetch_one(&db)
    .await
    .unwrap();
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let uid = user_id(&db, CUSTOMER_USER).await;
    // The customer user is limited to the annexe alone.
    let res = call_as(
        &app,
        "/api/admin/user-sites",
        &format!("user_id={uid}&site_ids%5B0%5D={annexe}"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let user = login(&app, CUSTOMER_USER).await;
    assert_eq!(site_names(&app, &user).await, vec!["Annexe"]);

    // The site goes (its grant cascades away): the user now sees no site, not all six.
    sqlx::query("DELETE FROM sites WHERE id = $1")
        .bind(annexe)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(site_names(&app, &user).await, Vec::<String>::new());
    assert_eq!(point_count(&app, &user).await, 0);
    let portfolio = call_as(&app, "/api/consumption/portfolio", "", Some(&user)).await;
    assert_eq!(portfolio.status, StatusCode::OK, "{}", portfolio.body);
    assert_eq!(portfolio.json()["sites"].as_array().unwrap().len(), 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn every_site_is_an_explicit_choice_not_an_empty_list(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let uid = user_id(&db, CUSTOMER_USER).await;
    let user = login(&app, CUSTOMER_USER).await;
    assert_eq!(site_names(&app, &user).await.len(), 2, "seeded with two sites");

    // An empty list: no sites at all.
    let res = call_as(
        &app,
        "/api/admin/user-sites",
        &format!("user_id={uid}"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(site_names(&app, &user).await.is_empty());

    // "Every site", said explicitly: the whole organisation.
    let res = call_as(
        &app,
        "/api/admin/user-sites",
        &format!("user_id={uid}&all_sites=true"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(site_names(&app, &user).await.len(), 6);
    let all: bool = sqlx::query_scalar("SELECT all_sites FROM users WHERE id = $1")
        .bind(uid)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(all);

    // Both at once is a contradiction.
    let felixstowe = site_id(&db, "Felixstowe Cold Store").await;
    let res = call_as(
        &app,
        "/api/admin/user-sites",
        &format!("user_id={uid}&all_sites=true&site_ids%5B0%5D={felixstowe}"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);

    // The admin page's data says which is which.
    let overview = call_as(&app, "/api/admin/overview", "", Some(&admin))
        .await
        .json();
    let users = overview["Users"]["users"].as_array().unwrap();
    let row = users.iter().find(|u| u["email"] == CUSTOMER_USER).unwrap();
    assert_eq!(row["all_sites"], true);
}

// ---- Finding 5: identity tables under RLS and least privilege ----------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn the_app_role_reads_no_hashes_sessions_or_other_tenants_users(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    // A session and a login attempt exist.
    let _ = login(&app, CUSTOMER_ADMIN).await;
    let pool = app_pool(&db);
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let scope = app::store::scope::Scope::organisations(vec![castlegate]);

    for forbidden in [
        "SELECT password_hash FROM users",
        "SELECT client_ip FROM sessions",
        "SELECT count(*) FROM login_attempts",
        "SELECT count(*) FROM user_totp",
        "SELECT count(*) FROM user_recovery_codes",
        "UPDATE users SET role = 'ops_admin'",
        "UPDATE users SET password_hash = 'x'",
        "UPDATE users SET organisation_id = NULL",
        "DELETE FROM sessions",
        "SELECT app_all_organisation_ids()",
    ] {
        let mut tx = scope.begin(&pool).await.unwrap();
        let res = sqlx::query(forbidden).execute(&mut *tx).await;
        assert!(res.is_err(), "the app role may run: {forbidden}");
    }
    // Who looks after whom is for operations only (they assign account managers): a customer's
    // scope sees no assignment, not even its own organisation's.
    let mut tx = scope.begin(&pool).await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM account_manager_assignments")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0, "a customer scope reads no account manager assignment");
    drop(tx);
    let mut tx = scope.begin(&pool).await.unwrap();
    let orgs: Vec<Option<i64>> = sqlx::query_scalar("SELECT DISTINCT organisation_id FROM users")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        orgs,
        vec![Some(castlegate)],
        "users of the scope only, never staff"
    );
    // Moving a user into another organisation is refused by the policy.
    let moved = sqlx::query("INSERT INTO users (email, display_name, role, organisation_id, password_hash) VALUES ('x@y.example', 'X', 'customer_user', $1, 'h')")
        .bind(riverside)
        .execute(&mut *tx)
        .await;
    assert!(moved.is_err(), "inserted a user into another organisation");
    drop(tx);

    // The audit log: the scope's organisations only; operations (every organisation) see all,
    // including entries of no organisation (staff sign-ins).
    let _ops = login(&app, OPS).await;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&db)
        .await
        .unwrap();
    let mine: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE organisation_id = $1")
        .bind(castlegate)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(total > mine && mine > 0, "{total} {mine}");
    let count = |scope: app::store::scope::Scope| {
        let pool = pool.clone();
        async move {
            let mut tx = scope.begin(&pool).await.unwrap();
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_log")
                .fetch_one(&mut *tx)
                .await
                .unwrap()
        }
    };
    assert_eq!(count(scope.clone()).await, mine);
    assert_eq!(
        count(app::store::scope::Scope::organisations(vec![
            castlegate, riverside
        ]))
        .await,
        mine,
        "an account manager's scope does not show entries of no organisation"
    );
    assert_eq!(
        count(app::store::scope::Scope::all_organisations(vec![
            castlegate, riverside
        ]))
        .await,
        total
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn identity_and_tenant_tables_force_row_level_security(db: PgPool) {
    let tables = [
        "users",
        "user_site_access",
        "account_manager_assignments",
        "sessions",
        "login_attempts",
        "user_totp",
        "user_recovery_codes",
        "audit_log",
        "organisations",
        "sites",
        "supply_points",
        "meters",
        "hh_day",
        "hh_daily_best",
        "contracts",
        "contract_rates",
        "contract_supply_points",
        "invoices",
        "invoice_lines",
        "import_history",
    ];
    let rows: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT relname::text, relrowsecurity, relforcerowsecurity FROM pg_class
         WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1) ORDER BY relname",
    )
    .bind(&tables[..])
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(rows.len(), tables.len());
    for (table, enabled, forced) in rows {
        assert!(enabled && forced, "{table}: enabled {enabled}, forced {forced}");
    }
}

/// The jobs that work across customers (importer, daily alerts) run as the tables' owner, which
/// on Amazon RDS cannot have BYPASSRLS: they see rows through `portal_jobs`'s policy, so every
/// table under row-level security must have it (migration 15; a later table adds its own).
#[sqlx::test(migrations = "../migrations")]
async fn every_table_under_row_level_security_lets_the_jobs_role_see_every_row(db: PgPool) {
    let missing: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND c.relrowsecurity
           AND NOT EXISTS (SELECT 1 FROM pg_policy p
                           WHERE p.polrelid = c.oid AND p.polcmd = '*' AND p.polpermissive
                             AND p.polroles = ARRAY['portal_jobs'::regrole::oid]
                             AND pg_get_expr(p.polqual, p.polrelid) = 'true'
                             AND pg_get_expr(p.polwithcheck, p.polrelid) = 'true')
         ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "tables without the portal_jobs policy"
    );
    let (login, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolcanlogin, rolbypassrls FROM pg_roles WHERE rolname = 'portal_jobs'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(!login && !bypass);
}

#[sqlx::test(migrations = "../migrations")]
async fn definer_functions_put_pg_temp_last_in_their_search_path(db: PgPool) {
    let definers: Vec<(String, Option<Vec<String>>)> = sqlx::query_as(
        "SELECT p.oid::regprocedure::text, p.proconfig FROM pg_proc p
         WHERE p.prosecdef AND p.pronamespace = 'public'::regnamespace ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(definers.len() >= 2, "{definers:?}");
    for (function, config) in definers {
        let config = config.unwrap_or_default();
        assert!(
            config.iter().any(|c| c == "search_path=public, pg_temp"),
            "{function}: {config:?}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_over_privileged_database_login_is_refused(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    // The test database runs as a superuser.
    let problems = server::db::login_privilege_problems(&mut conn).await.unwrap();
    assert!(problems.iter().any(|p| p.contains("superuser")), "{problems:?}");
    assert!(server::db::refuse_over_privileged_login(&db.connect_options())
        .await
        .is_err());

    // A role with neither: fit to serve.
    sqlx::query("SET ROLE portal_app")
        .execute(&mut *conn)
        .await
        .unwrap();
    let problems = server::db::login_privilege_problems(&mut conn).await.unwrap();
    assert_eq!(problems, Vec::<String>::new());
    sqlx::query("RESET ROLE").execute(&mut *conn).await.unwrap();

    // The same role once it owns a table of the portal (in this test's database only).
    sqlx::query("ALTER TABLE duos_band_rules OWNER TO portal_app")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("SET ROLE portal_app")
        .execute(&mut *conn)
        .await
        .unwrap();
    let problems = server::db::login_privilege_problems(&mut conn).await.unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("owns") && p.contains("duos_band_rules")),
        "{problems:?}"
    );
    sqlx::query("RESET ROLE").execute(&mut *conn).await.unwrap();
    sqlx::query("ALTER TABLE duos_band_rules OWNER TO CURRENT_USER")
        .execute(&mut *conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

// ---- Finding 6 -----------------------------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn user_creation_does_not_reveal_other_organisations_addresses(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let form = |email: &str| {
        format!(
            "email={}&display_name=Someone&role=customer_user&password=a-long-first-password",
            form_encode(email)
        )
    };
    let fresh = call_as(
        &app,
        "/api/admin/user-create",
        &form("new@castlegate.example"),
        Some(&admin),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    // Another customer's user, and a member of staff: the same answer as success.
    for elsewhere in [OTHER_ADMIN, OPS] {
        let res = call_as(&app, "/api/admin/user-create", &form(elsewhere), Some(&admin)).await;
        assert_eq!(res.status, fresh.status, "{elsewhere}");
        assert_eq!(res.body, fresh.body, "{elsewhere}");
        let org_of: Option<i64> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE email = $1")
            .bind(elsewhere)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_ne!(org_of, Some(castlegate), "{elsewhere} was not moved or copied");
    }
    // Recorded for operations (against no organisation, so the customer does not see it).
    let conflicts = actions(&db, "user.create_conflict").await;
    assert_eq!(conflicts.len(), 2, "{conflicts:?}");
    assert!(conflicts
        .iter()
        .all(|(_, o, d)| o.is_none() && d["organisation_id"] == castlegate));
    // An address of the caller's own organisation may be named as such.
    let own = call_as(&app, "/api/admin/user-create", &form(CUSTOMER_USER), Some(&admin)).await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    assert!(
        own.body.contains("already a user of your organisation"),
        "{}",
        own.body
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_admin_cannot_undo_a_staff_disable(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let am = login(&app, ACCOUNT_MANAGER).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let user = login(&app, CUSTOMER_USER).await;
    let uid = user_id(&db, CUSTOMER_USER).await;
    let staff = |disabled: bool| format!("user_id={uid}&disabled={disabled}");

    let res = call_as(&app, "/api/admin/customer-user-disabled", &staff(true), Some(&am)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&user)).await.status,
        StatusCode::UNAUTHORIZED,
        "disabling ends the user's sessions"
    );

    let undo = call_as(&app, "/api/admin/user-disabled", &staff(false), Some(&admin)).await;
    assert_eq!(undo.status, StatusCode::BAD_REQUEST, "{}", undo.body);
    assert!(undo.body.contains("only they can enable"), "{}", undo.body);
    assert!(try_login(&app, CUSTOMER_USER, PASSWORD)
        .await
        .location()
        .contains("error=invalid"));
    let overview = call_as(&app, "/api/admin/overview", "", Some(&admin))
        .await
        .json();
    let row = overview["Users"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == CUSTOMER_USER)
        .cloned()
        .unwrap();
    assert_eq!(row["disabled_by_staff"], true);

    // Staff can enable them again; then the customer admin manages them as before.
    let res = call_as(
        &app,
        "/api/admin/customer-user-disabled",
        &staff(false),
        Some(&am),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let _signs_in_again = login(&app, CUSTOMER_USER).await;
    let res = call_as(&app, "/api/admin/user-disabled", &staff(true), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = call_as(&app, "/api/admin/user-disabled", &staff(false), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    // An account manager cannot reach a customer they do not look after.
    let other = user_id(&db, OTHER_ADMIN).await;
    let res = call_as(
        &app,
        "/api/admin/customer-user-disabled",
        &format!("user_id={other}&disabled=true"),
        Some(&am),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let staff_actions: Vec<String> = actions(&db, "user.%_by_staff")
        .await
        .into_iter()
        .map(|(a, _, _)| a)
        .collect();
    assert_eq!(
        staff_actions,
        vec!["user.disabled_by_staff", "user.enabled_by_staff"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_reads_of_customer_data_are_audited_and_customer_reads_are_not(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let reads = [
        "/api/sites/list",
        "/api/invoices/list",
        "/api/contracts/list",
        "/api/consumption/points",
        "/api/consumption/portfolio",
    ];
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let user = login(&app, CUSTOMER_USER).await;
    for path in reads {
        for cookie in [&admin, &user] {
            let res = call_as(&app, path, "", Some(cookie)).await;
            assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        }
    }
    assert_eq!(actions(&db, "staff.read.%").await, vec![], "customers' own reads");

    let am = login(&app, ACCOUNT_MANAGER).await;
    for path in reads {
        let res = call_as(&app, path, "", Some(&am)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
    }
    let felixstowe = site_id(&db, "Felixstowe Cold Store").await;
    let res = call_as(
        &app,
        "/api/sites/detail",
        &format!("site_id={felixstowe}"),
        Some(&am),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let recorded = actions(&db, "staff.read.%").await;
    let names: Vec<&str> = recorded.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "staff.read.sites",
            "staff.read.invoices",
            "staff.read.contracts",
            "staff.read.supply_points",
            "staff.read.portfolio",
            "staff.read.site",
        ],
        "one entry per request"
    );
    for (action, organisation, detail) in &recorded {
        assert_eq!(*organisation, Some(castlegate), "{action}");
        assert_eq!(
            detail["organisations"],
            serde_json::json!([castlegate]),
            "{action}"
        );
    }
    assert_eq!(recorded[5].2["id"], felixstowe);

    // Operations admins' reads are recorded too, with every organisation they read.
    let ops = login(&app, OPS).await;
    let res = call_as(&app, "/api/invoices/list", "", Some(&ops)).await;
    assert_eq!(res.status, StatusCode::OK);
    let (_, organisation, detail) = actions(&db, "staff.read.%").await.pop().unwrap();
    assert_eq!(organisation, None);
    let every: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(detail["organisations"].as_array().unwrap().len() as i64, every);
}
