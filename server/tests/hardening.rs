//! Issue 8's attacker findings, each replayed against the router: redirects after sign-in,
//! password-guessing throttles, and malformed server-fn bodies.
mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::*;
use sqlx::PgPool;

/// The login form posted from a given client address.
async fn login_from(app: &axum::Router, ip: &str, email: &str, password: &str, next: &str) -> Reply {
    let form = format!(
        "email={}&password={}&next={}",
        form_encode(email),
        form_encode(password),
        form_encode(next)
    );
    let mut req = Request::post("/auth/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://localhost")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form))
        .unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    send(app, req).await
}

fn has_session(r: &Reply) -> bool {
    r.set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-portal_session=ey"))
}

async fn failures(db: &PgPool, email: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM login_attempts WHERE email = $1 AND NOT succeeded")
        .bind(email)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_never_redirects_off_the_portal(db: PgPool) {
    let app = seeded_app(db).await;
    for (i, next) in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/sites\r\nSet-Cookie: stolen=1",
        "/\\evil.example",
        "//evil.example",
        "/%09/evil.example",
        "/%2F%2Fevil.example",
        "https://evil.example",
        "/api/sites/list",
    ]
    .into_iter()
    .enumerate()
    {
        // A fresh address each time, so the throttle stays out of it.
        let res = login_from(&app, &format!("10.1.0.{}", i + 1), CUSTOMER_ADMIN, PASSWORD, next).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next:?}: {}", res.body);
        assert_eq!(res.location(), "/", "{next:?}");
        assert!(has_session(&res), "{next:?}: signed in all the same");
    }
    let deep = login_from(&app, "10.1.1.1", CUSTOMER_ADMIN, PASSWORD, "/sites?site=3").await;
    assert_eq!(deep.location(), "/sites?site=3");
    // A failed sign-in keeps a safe target only.
    let failed = login_from(&app, "10.1.1.2", CUSTOMER_ADMIN, "wrong", "/\t/evil.example").await;
    assert_eq!(failed.location(), "/login?error=invalid&next=/");
}

#[sqlx::test(migrations = "../migrations")]
async fn parallel_guesses_cannot_all_slip_under_the_limit(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let guesses: Vec<_> = (0..8)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                login_from(&app, "10.2.0.1", CUSTOMER_USER, &format!("guess-{i}"), "/").await
            })
        })
        .collect();
    let (mut evaluated, mut throttled) = (0, 0);
    for g in guesses {
        let res = g.await.unwrap();
        if res.location().contains("error=invalid") {
            evaluated += 1;
        } else if res.location().contains("error=throttled") {
            throttled += 1;
        } else {
            panic!("unexpected answer {}", res.location());
        }
    }
    assert_eq!(
        (evaluated, throttled),
        (5, 3),
        "only the free allowance is evaluated"
    );
    assert_eq!(failures(&db, CUSTOMER_USER).await, 5);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guesser_cannot_lock_the_owner_out(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    // The attacker fails five times, then keeps trying while throttled.
    for i in 0..5 {
        let res = login_from(&app, "10.3.0.1", CUSTOMER_ADMIN, &format!("guess-{i}"), "/").await;
        assert!(res.location().contains("error=invalid"));
    }
    for _ in 0..20 {
        let res = login_from(&app, "10.3.0.1", CUSTOMER_ADMIN, "guess", "/").await;
        assert!(
            res.location().starts_with("/login?error=throttled&wait="),
            "{}",
            res.location()
        );
        // Even the right password from the throttled pair is not evaluated.
        assert!(!has_session(&res));
    }
    let refused = login_from(&app, "10.3.0.1", CUSTOMER_ADMIN, PASSWORD, "/").await;
    assert!(!has_session(&refused));
    // Throttled attempts were not counted as failures.
    assert_eq!(failures(&db, CUSTOMER_ADMIN).await, 5);
    // The owner, from their own address, signs in at once.
    let owner = login_from(&app, "10.3.0.2", CUSTOMER_ADMIN, PASSWORD, "/").await;
    assert_eq!(owner.location(), "/");
    assert!(has_session(&owner));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_delay_grows_with_each_failure_and_then_lets_one_attempt_through(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    for i in 0..5 {
        login_from(&app, "10.4.0.1", CUSTOMER_USER, &format!("guess-{i}"), "/").await;
    }
    let first = login_from(&app, "10.4.0.1", CUSTOMER_USER, "guess", "/").await;
    assert!(
        first.location().starts_with("/login?error=throttled&wait=1&"),
        "{}",
        first.location()
    );
    // Let the 1 s delay pass (move the failures back in time rather than sleeping).
    sqlx::query("UPDATE login_attempts SET at = at - interval '2 seconds'")
        .execute(&db)
        .await
        .unwrap();
    let sixth = login_from(&app, "10.4.0.1", CUSTOMER_USER, "guess-5", "/").await;
    assert!(
        sixth.location().contains("error=invalid"),
        "evaluated: {}",
        sixth.location()
    );
    let next = login_from(&app, "10.4.0.1", CUSTOMER_USER, "guess", "/").await;
    assert!(
        next.location().starts_with("/login?error=throttled&wait=2&"),
        "{}",
        next.location()
    );
    // After the delay, the right password works and resets the pair.
    sqlx::query("UPDATE login_attempts SET at = at - interval '3 seconds'")
        .execute(&db)
        .await
        .unwrap();
    let ok = login_from(&app, "10.4.0.1", CUSTOMER_USER, PASSWORD, "/").await;
    assert_eq!(ok.location(), "/");
    let after = login_from(&app, "10.4.0.1", CUSTOMER_USER, "typo", "/").await;
    assert!(after.location().contains("error=invalid"), "{}", after.location());
}

#[sqlx::test(migrations = "../migrations")]
async fn many_addresses_guessing_one_account_only_slow_it_down(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    for i in 0..10 {
        login_from(&app, &format!("10.5.0.{}", i + 1), CUSTOMER_ADMIN, "guess", "/").await;
    }
    let slowed = login_from(&app, "10.5.1.1", CUSTOMER_ADMIN, PASSWORD, "/").await;
    assert!(
        slowed.location().starts_with("/login?error=throttled&wait=1&"),
        "{}",
        slowed.location()
    );
    // However many addresses join in, the account-wide wait stays short (30 s at most).
    for i in 0..30 {
        sqlx::query("UPDATE login_attempts SET at = at - interval '31 seconds'")
            .execute(&db)
            .await
            .unwrap();
        login_from(&app, &format!("10.5.2.{}", i + 1), CUSTOMER_ADMIN, "guess", "/").await;
    }
    let capped = login_from(&app, "10.5.1.1", CUSTOMER_ADMIN, PASSWORD, "/").await;
    let wait: u64 = capped
        .location()
        .split("wait=")
        .nth(1)
        .and_then(|w| w.split('&').next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{}", capped.location()));
    assert!((1..=30).contains(&wait), "{wait}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_current_password_on_a_change_is_throttled_too(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, CUSTOMER_USER).await;
    for _ in 0..5 {
        let wrong = call_as(
            &app,
            "/auth/password",
            "current_password=nope&new_password=a-much-longer-password-2026",
            Some(&me),
        )
        .await;
        assert_eq!(wrong.location(), "/account?error=current");
    }
    let held = call_as(
        &app,
        "/auth/password",
        "current_password=demo-password-2026&new_password=a-much-longer-password-2026",
        Some(&me),
    )
    .await;
    assert!(
        held.location().starts_with("/account?error=throttled&wait="),
        "{}",
        held.location()
    );
}

async fn post_raw(app: &axum::Router, cookie: &str, content_type: Option<&str>, body: Vec<u8>) -> Reply {
    let mut req = Request::post("/api/sites/list")
        .header("origin", "http://localhost")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    send(app, req.body(Body::from(body)).unwrap()).await
}

#[sqlx::test(migrations = "../migrations")]
async fn malformed_server_fn_bodies_get_a_clear_4xx(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, CUSTOMER_ADMIN).await;
    const FORM: &str = "application/x-www-form-urlencoded";
    let ok = post_raw(&app, &me, Some(FORM), b"".to_vec()).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    let not_utf8 = post_raw(&app, &me, Some(FORM), vec![b'a', b'=', 0xff, 0xfe]).await;
    assert_eq!(not_utf8.status, StatusCode::BAD_REQUEST, "{}", not_utf8.body);
    assert!(not_utf8.body.contains("UTF-8"));

    let big = post_raw(&app, &me, Some(FORM), vec![b'a'; 100 * 1024]).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", big.body);

    // Without a Content-Length (streamed), the limit holds all the same.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..100).map(|_| Ok(vec![b'a'; 1024])).collect();
    let streamed = Request::post("/api/sites/list")
        .header("origin", "http://localhost")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &me)
        .header(header::CONTENT_TYPE, FORM)
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .unwrap();
    assert_eq!(send(&app, streamed).await.status, StatusCode::PAYLOAD_TOO_LARGE);

    for ct in [
        None,
        Some("application/json"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let res = post_raw(&app, &me, ct, b"{}".to_vec()).await;
        assert_eq!(
            res.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{ct:?}: {}",
            res.body
        );
    }
    // The charset parameter is fine.
    let with_charset = post_raw(
        &app,
        &me,
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        vec![],
    )
    .await;
    assert_eq!(with_charset.status, StatusCode::OK);
}
