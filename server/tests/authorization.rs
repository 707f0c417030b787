//! The authorisation matrix: every page route and every server fn / API route, for every role,
//! against the caller's own tenant and another tenant. Anonymous callers are redirected (pages)
//! or get 401 (API); another tenant's ids are 404 — never 403, never data. Adding a route or a
//! server fn without a row here fails `the_matrix_covers_every_route`.
mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    CustomerUser,
    CustomerAdmin,
    AccountManager,
    Ops,
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::CustomerUser,
    Caller::CustomerAdmin,
    Caller::AccountManager,
    Caller::Ops,
];

impl Caller {
    fn email(self) -> Option<&'static str> {
        match self {
            Caller::Anonymous => None,
            Caller::CustomerUser => Some(CUSTOMER_USER),
            Caller::CustomerAdmin => Some(CUSTOMER_ADMIN),
            Caller::AccountManager => Some(ACCOUNT_MANAGER),
            Caller::Ops => Some(OPS),
        }
    }
}

/// Ids the requests use: the caller's own tenant is Castlegate (the account manager looks after
/// it, the customer user may see Felixstowe and Leicester); the other tenant is Riverside.
struct Ids {
    own_site: i64,
    own_site_2: i64,
    own_site_not_granted: i64,
    other_site: i64,
    own_user: i64,
    other_user: i64,
    own_invoice: i64,
    other_invoice: i64,
    own_point: i64,
    other_point: i64,
}

async fn invoice_for(db: &PgPool, org: &str, number: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO invoices (organisation_id, invoice_number, account_number, period_start, period_end, issued_on,
             due_on, status, net_pence, vat_pence, total_pence)
         SELECT id, $2, account_number, '2026-01-01', '2026-01-31', '2026-02-07', '2026-03-09', 'issued', 1000, 200, 1200
         FROM organisations WHERE name = $1 RETURNING id",
    )
    .bind(org)
    .bind(number)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn point_at(db: &PgPool, site: &str) -> i64 {
    id_of(
        db,
        "SELECT sp.id FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1 LIMIT 1",
        site,
    )
    .await
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tenant {
    Own,
    Other,
}

/// Server fns (path → request body for the tenant) and routes outside Leptos.
fn server_fn_body(path: &str, t: Tenant, ids: &Ids) -> String {
    let site = if t == Tenant::Own {
        ids.own_site
    } else {
        ids.other_site
    };
    let user = if t == Tenant::Own {
        ids.own_user
    } else {
        ids.other_user
    };
    // Granting the customer user the sites they already have keeps the later checks meaningful.
    let granted = if t == Tenant::Own {
        format!("{},{}", ids.own_site, ids.own_site_2)
    } else {
        ids.other_site.to_string()
    };
    let invoice = if t == Tenant::Own {
        ids.own_invoice
    } else {
        ids.other_invoice
    };
    let point = if t == Tenant::Own {
        ids.own_point
    } else {
        ids.other_point
    };
    match path {
        "/api/sites/list"
        | "/api/me"
        | "/api/admin/overview"
        | "/api/invoices/list"
        | "/api/contracts/list"
        | "/api/consumption/points"
        | "/api/consumption/portfolio" => String::new(),
        "/api/invoices/detail" => format!("invoice_id={invoice}"),
        "/api/consumption/view" => format!("supply_point_id={point}&range=30d&run=best"),
        "/api/sites/detail" => format!("site_id={site}"),
        "/api/admin/user-disabled" => format!("user_id={user}&disabled=false"),
        "/api/admin/user-sites" => {
            // A list argument travels as indexed keys (serde_qs): site_ids[0]=…&site_ids[1]=…
            let sites: String = granted
                .split(',')
                .enumerate()
                .map(|(i, s)| format!("&site_ids%5B{i}%5D={s}"))
                .collect();
            format!("user_id={user}{sites}")
        }
        // No tenant in the request: a customer admin always adds to their own organisation.
        "/api/admin/user-create" => format!(
            "email=new-{}%40castlegate.example&display_name=New+Colleague&role=customer_user&password=a-long-first-password",
            NEXT_EMAIL.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
        other => panic!("no request for server fn {other}: add it to the matrix"),
    }
}

static NEXT_EMAIL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

fn expected_server_fn(path: &str, c: Caller, t: Tenant) -> StatusCode {
    use Caller::*;
    use StatusCode as S;
    if c == Anonymous {
        return if path == "/api/me" { S::OK } else { S::UNAUTHORIZED };
    }
    // Operations admins see every customer: there is no "other tenant" for them.
    let other = t == Tenant::Other && c != Ops;
    match path {
        "/api/me"
        | "/api/sites/list"
        | "/api/invoices/list"
        | "/api/contracts/list"
        | "/api/consumption/points"
        | "/api/consumption/portfolio" => S::OK,
        "/api/sites/detail" | "/api/invoices/detail" | "/api/consumption/view" => {
            if other {
                S::NOT_FOUND
            } else {
                S::OK
            }
        }
        "/api/admin/overview" => {
            if c == CustomerUser {
                S::FORBIDDEN
            } else {
                S::OK
            }
        }
        "/api/admin/user-create" => {
            if c == CustomerAdmin {
                S::OK
            } else {
                S::FORBIDDEN
            }
        }
        "/api/admin/user-disabled" | "/api/admin/user-sites" => match c {
            CustomerAdmin => {
                if t == Tenant::Other {
                    S::NOT_FOUND
                } else {
                    S::OK
                }
            }
            _ => S::FORBIDDEN,
        },
        other => panic!("no expectation for {other}"),
    }
}

fn expected_page(path: &str, c: Caller) -> StatusCode {
    match (path, c) {
        ("/login", _) => StatusCode::OK,
        (_, Caller::Anonymous) => StatusCode::SEE_OTHER,
        ("/admin", Caller::CustomerUser) => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    }
}

/// Routes that are neither Leptos pages nor server fns, with what each caller gets.
const OTHER_ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("POST", "/auth/login"),
    ("POST", "/auth/logout"),
    ("POST", "/auth/password"),
];

const MATRIX_SERVER_FNS: &[&str] = &[
    "/api/me",
    "/api/invoices/list",
    "/api/invoices/detail",
    "/api/contracts/list",
    "/api/consumption/points",
    "/api/consumption/view",
    "/api/consumption/portfolio",
    "/api/sites/list",
    "/api/sites/detail",
    "/api/admin/overview",
    "/api/admin/user-disabled",
    "/api/admin/user-sites",
    "/api/admin/user-create",
];

#[tokio::test]
async fn the_matrix_covers_every_route() {
    // Assembling the router sets up Leptos's executor, which listing the routes needs.
    let nowhere = sqlx::postgres::PgConnectOptions::new().host("127.0.0.1").port(9);
    let state = app::state::AppState {
        leptos_options: leptos::config::LeptosOptions::builder()
            .output_name("ic-portal")
            .build(),
        db: server::db::app_pool(nowhere, 1, "portal_app"),
    };
    let _ = server::router::app(state, &config());
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let in_matrix: BTreeSet<String> = MATRIX_SERVER_FNS.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        registered, in_matrix,
        "every server fn must be in the authorisation matrix"
    );

    let pages: BTreeSet<String> = leptos_axum::generate_route_list(app::shell::App)
        .into_iter()
        .map(|r| r.path().to_string())
        .collect();
    let listed: BTreeSet<String> = app::routes::PAGES.iter().map(|p| p.path.to_string()).collect();
    assert_eq!(
        pages, listed,
        "every page route must be in app::routes::PAGES (and so in the matrix)"
    );
    assert_eq!(OTHER_ROUTES.len(), 4);
}

#[sqlx::test(migrations = "../migrations")]
async fn every_role_against_own_and_other_tenant(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let ids = Ids {
        own_site: site_id(&db, "Felixstowe Cold Store").await,
        own_site_2: site_id(&db, "Leicester Works").await,
        own_site_not_granted: site_id(&db, "Castlegate House").await,
        other_site: site_id(&db, "Riverside Leisure Centre").await,
        own_user: user_id(&db, CUSTOMER_USER).await,
        other_user: user_id(&db, OTHER_ADMIN).await,
        own_invoice: invoice_for(&db, "Castlegate Group Ltd", "T-1").await,
        other_invoice: invoice_for(&db, "Riverside Leisure Ltd", "T-2").await,
        own_point: point_at(&db, "Felixstowe Cold Store").await,
        other_point: point_at(&db, "Riverside Leisure Centre").await,
    };
    let mut checked = 0;
    for caller in CALLERS {
        let cookie = match caller.email() {
            Some(e) => Some(login(&app, e).await),
            None => None,
        };
        for page in app::routes::PAGES {
            let res = get_as(&app, page.path, cookie.as_deref()).await;
            assert_eq!(
                res.status,
                expected_page(page.path, caller),
                "{caller:?} GET {}",
                page.path
            );
            if res.status == StatusCode::SEE_OTHER {
                assert!(
                    res.location().starts_with("/login?next="),
                    "{caller:?} {}",
                    page.path
                );
            }
            checked += 1;
        }
        for path in MATRIX_SERVER_FNS {
            for tenant in [Tenant::Own, Tenant::Other] {
                let res = call_as(&app, path, &server_fn_body(path, tenant, &ids), cookie.as_deref()).await;
                let want = expected_server_fn(path, caller, tenant);
                assert_eq!(res.status, want, "{caller:?} {path} {tenant:?}: {}", res.body);
                if res.status == StatusCode::OK {
                    // No other tenant's data in any successful answer (ops excepted: all tenants).
                    if caller != Caller::Ops && caller != Caller::Anonymous {
                        assert!(
                            !res.body.contains("Riverside"),
                            "{caller:?} {path} leaked Riverside data"
                        );
                    }
                }
                checked += 1;
            }
        }
        for (method, path) in OTHER_ROUTES {
            let res = if *method == "GET" {
                get_as(&app, path, cookie.as_deref()).await
            } else {
                call_as(&app, path, "", cookie.as_deref()).await
            };
            let ok = match *path {
                "/healthz" => res.status == StatusCode::OK,
                // Form posts answer with redirects; a missing session goes to the login page.
                _ => res.status == StatusCode::SEE_OTHER || res.status == StatusCode::UNPROCESSABLE_ENTITY,
            };
            assert!(ok, "{caller:?} {method} {path} answered {}", res.status);
            checked += 1;
        }
    }
    // The restricted customer user cannot open a site of their own company they were not given.
    let user = login(&app, CUSTOMER_USER).await;
    let res = call_as(
        &app,
        "/api/sites/detail",
        &format!("site_id={}", ids.own_site_not_granted),
        Some(&user),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let list = call_as(&app, "/api/sites/list", "", Some(&user)).await.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Felixstowe Cold Store", "Leicester Works"]);
    // The account manager sees exactly the assigned customer.
    let am = login(&app, ACCOUNT_MANAGER).await;
    let list = call_as(&app, "/api/sites/list", "", Some(&am)).await.json();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["organisation"] == "Castlegate Group Ltd"));
    assert_eq!(list.as_array().unwrap().len(), 6);
    // The users the customer admin added belong to Castlegate.
    let added: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT email, organisation_id FROM users WHERE email LIKE 'new-%' ORDER BY email")
            .fetch_all(&db)
            .await
            .unwrap();
    let castlegate = id_of(
        &db,
        "SELECT id FROM organisations WHERE name = $1",
        "Castlegate Group Ltd",
    )
    .await;
    assert_eq!(added.len(), 2, "one per tenant column for the customer admin");
    assert!(added.iter().all(|(_, org)| *org == Some(castlegate)));
    println!("authorisation matrix: {checked} checks");
    assert_eq!(
        checked,
        CALLERS.len() * (app::routes::PAGES.len() + MATRIX_SERVER_FNS.len() * 2 + OTHER_ROUTES.len())
    );
}
