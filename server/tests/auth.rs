//! Sign-in, sessions, token tampering, throttling, CSRF and redirects.
mod common;

use axum::http::StatusCode;
use chrono::Utc;
use common::*;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use server::auth::tokens::{Claims, AUDIENCE, ISSUER};
use sqlx::PgPool;
use uuid::Uuid;

const TEST_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-key";

async fn session_id_of(db: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1 ORDER BY s.created_at DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(db)
    .await
    .unwrap()
}

fn claims(user_id: i64, sid: Uuid) -> Claims {
    let now = Utc::now().timestamp();
    Claims {
        sub: user_id.to_string(),
        sid,
        iat: now,
        nbf: now,
        exp: now + 3600,
        aud: AUDIENCE.into(),
        iss: ISSUER.into(),
    }
}

fn token(alg: Algorithm, kid: &str, secret: &[u8], c: &Claims) -> String {
    let mut h = Header::new(alg);
    h.kid = Some(kid.into());
    encode(&h, c, &EncodingKey::from_secret(secret)).unwrap()
}

fn b64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Whether a cookie value is accepted: a protected server fn answers 200 rather than 401.
async fn accepted(app: &axum::Router, token: &str) -> bool {
    let cookie = format!("__Host-portal_session={token}");
    let res = call_as(app, "/api/sites/list", "", Some(&cookie)).await;
    match res.status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        s => panic!("unexpected {s}: {}", res.body),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_sets_a_host_only_secure_http_only_lax_cookie(db: PgPool) {
    let app = seeded_app(db).await;
    let res = try_login(&app, CUSTOMER_ADMIN, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/");
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-portal_session="))
        .unwrap();
    for attr in ["Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=43200"] {
        assert!(
            cookie.split("; ").any(|a| a == attr),
            "{attr} missing from {cookie}"
        );
    }
    assert!(!cookie.contains("Domain="), "a __Host- cookie has no Domain");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(db: PgPool) {
    let app = seeded_app(db).await;
    let wrong = try_login(&app, CUSTOMER_ADMIN, "not-the-password").await;
    let unknown = try_login(&app, "nobody@nowhere.example", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    assert_eq!(wrong.location(), unknown.location());
    assert!(wrong.location().starts_with("/login?error=invalid"));
    assert!(wrong
        .set_cookies()
        .iter()
        .all(|c| !c.starts_with("__Host-portal_session=ey")));
}

#[sqlx::test(migrations = "../migrations")]
async fn repeated_failures_for_one_account_are_throttled(db: PgPool) {
    let app = seeded_app(db).await;
    for _ in 0..5 {
        assert!(try_login(&app, CUSTOMER_USER, "guess")
            .await
            .location()
            .contains("error=invalid"));
    }
    // Even the right password is refused while throttled.
    let res = try_login(&app, CUSTOMER_USER, PASSWORD).await;
    assert!(res.location().contains("error=throttled"), "{}", res.location());
    assert!(res
        .set_cookies()
        .iter()
        .all(|c| !c.starts_with("__Host-portal_session=ey")));
    // Other accounts are unaffected.
    assert_eq!(try_login(&app, CUSTOMER_ADMIN, PASSWORD).await.location(), "/");
}

#[sqlx::test(migrations = "../migrations")]
async fn many_failures_from_one_address_are_throttled(db: PgPool) {
    let app = seeded_app(db).await;
    for i in 0..20 {
        try_login(&app, &format!("spray{i}@example.com"), "guess").await;
    }
    assert!(try_login(&app, OPS, PASSWORD)
        .await
        .location()
        .contains("error=throttled"));
}

#[sqlx::test(migrations = "../migrations")]
async fn tampered_tokens_are_all_rejected(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let good = login(&app, CUSTOMER_ADMIN).await;
    let good_token = good.trim_start_matches("__Host-portal_session=").to_owned();
    assert!(accepted(&app, &good_token).await, "the genuine token works");
    let uid = user_id(&db, CUSTOMER_ADMIN).await;
    let sid = session_id_of(&db, CUSTOMER_ADMIN).await;
    let c = claims(uid, sid);
    assert!(accepted(&app, &token(Algorithm::HS256, "test-2026", TEST_SECRET, &c)).await);
    // A retired key that is still configured verifies (rotation).
    assert!(
        accepted(
            &app,
            &token(
                Algorithm::HS256,
                "old-2025",
                b"fedcba9876543210fedcba9876543210-old-key",
                &c
            )
        )
        .await
    );

    let mut cases: Vec<(&str, String)> = vec![
        (
            "wrong signature",
            token(
                Algorithm::HS256,
                "test-2026",
                b"another-secret-of-enough-length-0000",
                &c,
            ),
        ),
        (
            "alg changed to HS384",
            token(Algorithm::HS384, "test-2026", TEST_SECRET, &c),
        ),
        ("unknown kid", token(Algorithm::HS256, "nope", TEST_SECRET, &c)),
        (
            "expired",
            token(
                Algorithm::HS256,
                "test-2026",
                TEST_SECRET,
                &Claims {
                    exp: Utc::now().timestamp() - 120,
                    ..c.clone()
                },
            ),
        ),
        (
            "not yet valid",
            token(
                Algorithm::HS256,
                "test-2026",
                TEST_SECRET,
                &Claims {
                    nbf: Utc::now().timestamp() + 600,
                    ..c.clone()
                },
            ),
        ),
        (
            "wrong audience",
            token(
                Algorithm::HS256,
                "test-2026",
                TEST_SECRET,
                &Claims {
                    aud: "someone-else".into(),
                    ..c.clone()
                },
            ),
        ),
        (
            "wrong issuer",
            token(
                Algorithm::HS256,
                "test-2026",
                TEST_SECRET,
                &Claims {
                    iss: "https://evil.example".into(),
                    ..c.clone()
                },
            ),
        ),
        (
            "another user's id",
            token(
                Algorithm::HS256,
                "test-2026",
                TEST_SECRET,
                &Claims {
                    sub: (uid + 1).to_string(),
                    ..c.clone()
                },
            ),
        ),
        (
            "unknown session",
            token(
                Algorithm::HS256,
                "test-2026",
                TEST_SECRET,
                &Claims {
                    sid: Uuid::new_v4(),
                    ..c.clone()
                },
            ),
        ),
        ("garbage", "not.a.jwt".into()),
    ];
    let payload = serde_json::to_vec(&c).unwrap();
    cases.push((
        "alg none",
        format!(
            "{}.{}.",
            b64url(br#"{"alg":"none","typ":"JWT","kid":"test-2026"}"#),
            b64url(&payload)
        ),
    ));
    let parts: Vec<&str> = good_token.split('.').collect();
    let mut forged = c.clone();
    forged.sub = "1".into();
    cases.push((
        "payload swapped",
        format!(
            "{}.{}.{}",
            parts[0],
            b64url(&serde_json::to_vec(&forged).unwrap()),
            parts[2]
        ),
    ));
    for (name, t) in cases {
        assert!(!accepted(&app, &t).await, "{name} was accepted");
    }
    // And a revoked session's genuine token.
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE id = $1")
        .bind(sid)
        .execute(&db)
        .await
        .unwrap();
    assert!(!accepted(&app, &good_token).await, "revoked session accepted");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rejected_cookie_is_cleared(db: PgPool) {
    let app = seeded_app(db).await;
    let res = get_as(&app, "/sites", Some("__Host-portal_session=bogus")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-portal_session=;") && c.contains("Max-Age=0")));
}

#[sqlx::test(migrations = "../migrations")]
async fn logout_ends_the_session_at_once(db: PgPool) {
    let app = seeded_app(db).await;
    let me = login(&app, CUSTOMER_ADMIN).await;
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&me)).await.status,
        StatusCode::OK
    );
    let out = call_as(&app, "/auth/logout", "", Some(&me)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login?signed_out=1");
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&me)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_as(&app, "/sites", Some(&me)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn changing_the_password_ends_every_session(db: PgPool) {
    let app = seeded_app(db).await;
    let laptop = login(&app, CUSTOMER_USER).await;
    let phone = login(&app, CUSTOMER_USER).await;
    assert_ne!(laptop, phone, "a new session id at every login");
    let short = call_as(
        &app,
        "/auth/password",
        "current_password=demo-password-2026&new_password=short",
        Some(&laptop),
    )
    .await;
    assert_eq!(short.location(), "/account?error=short");
    let wrong = call_as(
        &app,
        "/auth/password",
        "current_password=nope&new_password=a-much-longer-password",
        Some(&laptop),
    )
    .await;
    assert_eq!(wrong.location(), "/account?error=current");
    let ok = call_as(
        &app,
        "/auth/password",
        "current_password=demo-password-2026&new_password=a-much-longer-password",
        Some(&laptop),
    )
    .await;
    assert_eq!(ok.location(), "/login?changed=1");
    for cookie in [&laptop, &phone] {
        assert_eq!(
            call_as(&app, "/api/sites/list", "", Some(cookie)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert!(try_login(&app, CUSTOMER_USER, PASSWORD)
        .await
        .location()
        .contains("error=invalid"));
    assert_eq!(
        try_login(&app, CUSTOMER_USER, "a-much-longer-password")
            .await
            .location(),
        "/"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_disabled_user_is_out_on_the_next_request(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let user = login(&app, CUSTOMER_USER).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let uid = user_id(&db, CUSTOMER_USER).await;
    let res = call_as(
        &app,
        "/api/admin/user-disabled",
        &format!("user_id={uid}&disabled=true"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&user)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(try_login(&app, CUSTOMER_USER, PASSWORD)
        .await
        .location()
        .contains("error=invalid"));
    let audit: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(audit.contains(&"user.disabled".to_string()), "{audit:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn cross_site_state_changes_are_refused(db: PgPool) {
    use axum::body::Body;
    use axum::http::Request;
    let app = seeded_app(db).await;
    let me = login(&app, CUSTOMER_ADMIN).await;
    let post = |site: Option<&'static str>, origin: Option<&'static str>| {
        let mut r = Request::post("/api/sites/list")
            .header("host", "localhost")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", me.clone());
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.body(Body::empty()).unwrap()
    };
    assert_eq!(
        send(&app, post(Some("cross-site"), Some("https://evil.example")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, post(Some("same-site"), Some("https://sub.localhost")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, post(None, Some("https://evil.example"))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, post(None, Some("null"))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, post(Some("same-origin"), Some("http://localhost")))
            .await
            .status,
        StatusCode::OK
    );
    // A cross-site login form post is refused too (login CSRF).
    let login_csrf = Request::post("/auth/login")
        .header("host", "localhost")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=ops%40northgate.example&password=demo-password-2026",
        ))
        .unwrap();
    assert_eq!(send(&app, login_csrf).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_deep_link_while_signed_out_goes_to_login_and_back(db: PgPool) {
    let app = seeded_app(db).await;
    let res = get(&app, "/sites?site=3").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?next=/sites%3Fsite%3D3");
    let form = format!(
        "email={}&password={PASSWORD}&next=%2Fsites%3Fsite%3D3",
        form_encode(OPS)
    );
    let back = call_as(&app, "/auth/login", &form, None).await;
    let back = pass_second_factor(&app, OPS, back).await;
    assert_eq!(back.location(), "/sites?site=3");
    // Never an open redirect.
    let form = format!(
        "email={}&password={PASSWORD}&next=%2F%2Fevil.example",
        form_encode(OPS)
    );
    let res = call_as(&app, "/auth/login", &form, None).await;
    assert_eq!(pass_second_factor(&app, OPS, res).await.location(), "/");
}

#[sqlx::test(migrations = "../migrations")]
async fn logins_and_failures_are_audited(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    try_login(&app, OPS, "wrong").await;
    let me = login(&app, OPS).await;
    call_as(&app, "/auth/logout", "", Some(&me)).await;
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(
        actions,
        vec![
            "login.failed",
            "login.second_factor_required",
            "mfa.enrolled",
            "login.succeeded",
            "logout"
        ]
    );
    // Append-only, even for the table's owner.
    assert!(sqlx::query("DELETE FROM audit_log").execute(&db).await.is_err());
    assert!(sqlx::query("UPDATE audit_log SET action = 'x'")
        .execute(&db)
        .await
        .is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn the_login_form_carries_its_target_without_javascript(db: PgPool) {
    let app = seeded_app(db).await;
    let page = get(&app, "/login?next=%2Fsites%3Fsite%3D2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"name="next" value="/sites?site=2""#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"action="/auth/login""#));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_admin_adds_a_colleague_who_can_sign_in(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let form =
        "email=Jo%40Castlegate.example&display_name=Jo+Bloggs&role=customer_user&password=first-password-123";
    let res = call_as(&app, "/api/admin/user-create", form, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        try_login(&app, "jo@castlegate.example", "first-password-123")
            .await
            .location(),
        "/"
    );
    // The same email again, a weak password, or a staff role: refused with a reason.
    for (form, why) in [
        (form, "already a user of your organisation"),
        (
            "email=x%40castlegate.example&display_name=X&role=customer_user&password=short",
            "12 characters",
        ),
        (
            "email=y%40castlegate.example&display_name=Y&role=ops_admin&password=long-enough-password",
            "customer user",
        ),
        (
            "email=nope&display_name=Z&role=customer_user&password=long-enough-password",
            "valid email",
        ),
    ] {
        let res = call_as(&app, "/api/admin/user-create", form, Some(&admin)).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{form}");
        assert!(res.body.contains(why), "{form}: {}", res.body);
    }
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'user.%'")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(actions, vec!["user.created"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn idle_and_absolute_timeouts_end_a_session(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let idle = login(&app, CUSTOMER_ADMIN).await;
    let sid = session_id_of(&db, CUSTOMER_ADMIN).await;
    // Idle for longer than the 60-minute limit.
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '61 minutes' WHERE id = $1")
        .bind(sid)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&idle)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let revoked: bool = sqlx::query_scalar("SELECT revoked_at IS NOT NULL FROM sessions WHERE id = $1")
        .bind(sid)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(revoked, "an idle session is ended, not just refused once");

    let old = login(&app, CUSTOMER_ADMIN).await;
    let sid = session_id_of(&db, CUSTOMER_ADMIN).await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(sid)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&old)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Activity within the limits keeps a session alive.
    let fresh = login(&app, CUSTOMER_ADMIN).await;
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&fresh)).await.status,
        StatusCode::OK
    );
}
