//! The router in-process: health, server-rendered pages, server fns and response headers.
mod common;

use axum::http::StatusCode;
use common::{call_as, get, get_as, login, seeded_app, CUSTOMER_ADMIN, CUSTOMER_USER, OPS};
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn healthz_is_ok_when_the_database_answers(db: PgPool) {
    let app = common::app(db);
    let res = get(&app, "/healthz").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["database"], "ok");
    assert!(res.headers.contains_key("x-request-id"));
}

#[sqlx::test(migrations = "../migrations")]
async fn healthz_is_unavailable_when_the_database_is_gone(db: PgPool) {
    let _ = db;
    // A pool whose server does not answer (nothing listens on port 9).
    let nowhere = sqlx::postgres::PgConnectOptions::new()
        .host("127.0.0.1")
        .port(9)
        .username("nobody");
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("ic-portal")
        .build();
    let state = app::state::AppState {
        leptos_options,
        db: server::db::app_pool(nowhere, 1, "portal_app"),
    };
    let app = server::router::app(state, &common::config());
    let res = get(&app, "/healthz").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json()["status"], "unavailable");
}

async fn site_names_of(db: &PgPool, organisation: &str) -> Vec<String> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT s.name FROM sites s JOIN organisations o ON o.id = s.organisation_id WHERE o.name = $1",
    )
    .bind(organisation)
    .fetch_all(db)
    .await
    .unwrap();
    assert!(!names.is_empty(), "{organisation} has sites");
    names
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sites_page_shows_the_callers_own_sites_and_no_other_tenants(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let own = site_names_of(&db, "Castlegate Group Ltd").await;
    let other = site_names_of(&db, "Riverside Leisure Ltd").await;
    let me = login(&app, CUSTOMER_ADMIN).await;
    let res = get_as(&app, "/sites", Some(&me)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    for site in &own {
        assert!(res.body.contains(site.as_str()), "page lacks own site {site}");
    }
    for site in &other {
        assert!(
            !res.body.contains(site.as_str()),
            "page shows another tenant's site {site}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_restricted_user_sees_only_the_sites_granted_to_them(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let me = login(&app, CUSTOMER_USER).await;
    let res = get_as(&app, "/sites", Some(&me)).await;
    assert_eq!(res.status, StatusCode::OK);
    let granted = ["Felixstowe Cold Store", "Leicester Works"];
    for site in granted {
        assert!(res.body.contains(site), "page lacks granted site {site}");
    }
    let company = site_names_of(&db, "Castlegate Group Ltd").await;
    for site in company.iter().filter(|s| !granted.contains(&s.as_str())) {
        assert!(
            !res.body.contains(site.as_str()),
            "page shows ungranted site {site}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn operations_see_every_customers_sites(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let me = login(&app, OPS).await;
    let res = get_as(&app, "/sites", Some(&me)).await;
    assert_eq!(res.status, StatusCode::OK);
    for org in ["Castlegate Group Ltd", "Riverside Leisure Ltd"] {
        for site in site_names_of(&db, org).await {
            assert!(res.body.contains(site.as_str()), "page lacks {site}");
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_deep_link_renders_the_chosen_sites_supply_points(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let me = login(&app, OPS).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Leicester Works'")
        .fetch_one(&db)
        .await
        .unwrap();
    let mpans: Vec<String> =
        sqlx::query_scalar("SELECT mpan_core FROM supply_points WHERE site_id = $1 ORDER BY mpan_core")
            .bind(id)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(mpans.len(), 2);
    let res = get_as(&app, &format!("/sites?site={id}"), Some(&me)).await;
    assert_eq!(res.status, StatusCode::OK);
    for mpan in &mpans {
        assert!(res.body.contains(mpan.as_str()), "page lacks MPAN {mpan}");
    }
    assert!(res.body.contains("East Midlands"));
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_carry_a_nonce_csp_and_the_security_headers(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, OPS).await;
    let res = get_as(&app, "/", Some(&me)).await;
    assert_eq!(res.status, StatusCode::OK);
    let csp = res.headers["content-security-policy"].to_str().unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
    // Every inline script carries that nonce, so nothing else inline can run.
    let inline_scripts = res.body.matches("<script").count();
    assert!(inline_scripts > 0);
    assert_eq!(
        res.body.matches(&format!("nonce=\"{nonce}\"")).count(),
        inline_scripts
    );
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
    assert_eq!(res.headers["x-frame-options"], "DENY");
    assert!(res.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    assert_eq!(res.headers["referrer-policy"], "strict-origin-when-cross-origin");
}

#[sqlx::test(migrations = "../migrations")]
async fn each_page_gets_a_fresh_nonce(db: PgPool) {
    let app = seeded_app(db).await;
    let a = get(&app, "/login").await.headers["content-security-policy"].clone();
    let b = get(&app, "/login").await.headers["content-security-policy"].clone();
    assert_ne!(a, b);
}

#[sqlx::test(migrations = "../migrations")]
async fn every_listed_page_renders(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, OPS).await;
    for page in app::routes::PAGES.iter().filter(|p| p.path != "/login") {
        let res = get_as(&app, page.path, Some(&me)).await;
        // The pages of an e-mailed link, opened without one, say the link is not valid (404).
        let want = match page.path {
            "/welcome" | "/reset-password" => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        };
        assert_eq!(res.status, want, "{} answered {}", page.path, res.status);
        // Each page's own title, not the navigation every page prints.
        let title = format!("<title>{} · Northgate Energy</title>", page.label);
        assert!(res.body.contains(&title), "{} lacks {title}", page.path);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_page_is_a_404_inside_the_portal_frame(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, OPS).await;
    let res = get_as(&app, "/no-such-page", Some(&me)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("Page not found"));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sites_server_fn_returns_json_from_postgres(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, OPS).await;
    let res = call_as(&app, "/api/sites/list", "", Some(&me)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let sites = res.json();
    let sites = sites.as_array().expect("an array");
    assert_eq!(sites.len(), 8);
    let leicester = sites
        .iter()
        .find(|s| s["name"] == "Leicester Works")
        .expect("Leicester Works");
    assert_eq!(leicester["supply_points"], 2);
    assert_eq!(leicester["agreed_capacity_kva"], 1400);
    assert_eq!(res.headers["cache-control"], "no-store");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_site_is_a_404_not_an_error(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let me = login(&app, OPS).await;
    let db_max: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM sites")
        .fetch_one(&db)
        .await
        .unwrap();
    let unknown = format!("site_id={}", db_max + 1);
    let res = call_as(&app, "/api/sites/detail", &unknown, Some(&me)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    assert_eq!(res.json(), serde_json::json!("NotFound"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_malformed_server_fn_argument_is_a_400(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, OPS).await;
    let res = call_as(&app, "/api/sites/detail", "site_id=not-a-number", Some(&me)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
}

#[sqlx::test(migrations = "../migrations")]
async fn server_fn_urls_do_not_depend_on_the_build_directory(db: PgPool) {
    // Explicit endpoints plus SERVER_FN_OVERRIDE_KEY (.cargo/config.toml) keep URLs stable, so a
    // page served by one build can call a Lambda running another.
    let _ = db;
    assert_eq!(
        <app::api::sites::ListSites as leptos::server_fn::ServerFn>::PATH,
        "/api/sites/list"
    );
    assert_eq!(
        <app::api::sites::GetSite as leptos::server_fn::ServerFn>::PATH,
        "/api/sites/detail"
    );
}

// ---- The site's files: content-hashed names, cache lifetimes, pre-compressed variants. ----

fn header<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_hashed_pkg_file_is_immutable_with_its_type_and_its_precompressed_variants(db: PgPool) {
    use common::{CSS_HASH, JS_HASH, WASM_HASH};
    let site = common::FixtureSite::new();
    let app = common::app_with_site(db, site.root());
    for (hash, ext, content_type) in [
        (WASM_HASH, "wasm", "application/wasm"),
        (JS_HASH, "js", "text/javascript"),
        (CSS_HASH, "css", "text/css"),
    ] {
        let name = format!("ic-portal.{hash}.{ext}");
        let uri = format!("/pkg/{name}");
        // Not signed in: the client's files are public.
        for (accept, encoding, body) in [
            ("br, gzip", "br", format!("brotli of {name}")),
            ("gzip, deflate", "gzip", format!("gzip of {name}")),
            ("gzip;q=0.5, br;q=0.9", "br", format!("brotli of {name}")),
        ] {
            let (status, headers, bytes) = common::get_with(&app, &uri, &[("accept-encoding", accept)]).await;
            assert_eq!(status, StatusCode::OK, "{uri} ({accept})");
            assert_eq!(
                header(&headers, "cache-control"),
                server::site::IMMUTABLE,
                "{uri}"
            );
            assert_eq!(header(&headers, "content-type"), content_type, "{uri}");
            assert_eq!(header(&headers, "content-encoding"), encoding, "{uri} ({accept})");
            assert_eq!(header(&headers, "vary"), "accept-encoding", "{uri}");
            // The file written at build time, as it is: the compression layer left it alone.
            assert_eq!(String::from_utf8_lossy(&bytes), body, "{uri} ({accept})");
        }
        let (status, headers, bytes) = common::get_with(&app, &uri, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header(&headers, "content-encoding"),
            "",
            "{uri} without Accept-Encoding"
        );
        assert_eq!(bytes, std::fs::read(site.root.join("pkg").join(&name)).unwrap());
        assert_eq!(header(&headers, "cache-control"), server::site::IMMUTABLE);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_or_unhashed_pkg_name_is_not_cached_for_good(db: PgPool) {
    let site = common::FixtureSite::new();
    let app = common::app_with_site(db, site.root());
    for uri in [
        "/pkg/ic-portal.AAAAAAAAAAAAAAAAAAAAAA.wasm",
        "/pkg/ic-portal.wasm",
        "/pkg/ic-portal.js",
        "/pkg/../hash.txt",
        "/pkg/%2e%2e/hash.txt",
    ] {
        let (status, headers, _) = common::get_with(&app, uri, &[("accept-encoding", "br")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(header(&headers, "cache-control"), "no-store", "{uri}");
    }
    // A file without a hash in its name (a snippet as cargo-leptos leaves it) is checked each time.
    let (status, headers, _) = common::get_with(&app, "/pkg/snippets/x-1/inline0.js", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "cache-control"), server::site::REVALIDATE);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_page_is_not_stored_and_names_the_hashed_files(db: PgPool) {
    use common::{CSS_HASH, JS_HASH, WASM_HASH};
    server::seed::seed_people(&db, 2026)
        .await
        .expect("demo people load");
    let site = common::FixtureSite::new();
    let app = common::app_with_site(db, site.root());
    let me = login(&app, CUSTOMER_ADMIN).await;
    for path in ["/login", "/"] {
        let cookie = (path == "/").then_some(me.as_str());
        let res = get_as(&app, path, cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.headers["cache-control"], "no-store", "{path}");
        for name in [
            format!("/pkg/ic-portal.{JS_HASH}.js"),
            format!("/pkg/ic-portal.{WASM_HASH}.wasm"),
            format!("/pkg/ic-portal.{CSS_HASH}.css"),
        ] {
            assert!(
                res.body.contains(&format!("\"{name}\"")),
                "{path} does not name {name}"
            );
            // …and each name it gives is served.
            let (status, headers, _) = common::get_with(&app, &name, &[]).await;
            assert_eq!(status, StatusCode::OK, "{name}");
            assert_eq!(header(&headers, "cache-control"), server::site::IMMUTABLE);
        }
        // The hydration script loads the JS by the hashed name too (its arguments).
        assert!(res.body.contains(&format!("\"ic-portal.{JS_HASH}\"")), "{path}");
        assert!(!res.body.contains("/pkg/ic-portal.css"), "{path}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_hash_file_the_page_names_the_plain_files(db: PgPool) {
    let site = common::FixtureSite::new();
    std::fs::remove_file(site.root.join(server::site::HASH_FILE)).unwrap();
    let app = common::app_with_site(db, site.root());
    let res = get(&app, "/login").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("\"/pkg/ic-portal.css\""), "{}", res.body);
    assert!(res.body.contains("\"/pkg/ic-portal.wasm\""));
    assert!(!res.body.contains(common::CSS_HASH));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_public_file_is_kept_an_hour(db: PgPool) {
    let site = common::FixtureSite::new();
    let app = common::app_with_site(db, site.root());
    let (status, headers, body) = common::get_with(&app, "/favicon.svg", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "cache-control"), server::site::PUBLIC_FILE);
    assert_eq!(header(&headers, "content-type"), "image/svg+xml");
    assert!(String::from_utf8_lossy(&body).starts_with("<svg"));
    // A path that is no file still gets the portal's page (here: to the sign-in, not signed in).
    let (status, headers, _) = common::get_with(&app, "/no-such-file.svg", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, "cache-control"), "no-store");
}
