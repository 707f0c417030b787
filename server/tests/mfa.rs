//! The second factor (TOTP) at sign-in and its enrolment, the password policy, and the forced
//! change of a password an admin set. Codes are computed here from the key the enrolment page
//! shows, as an authenticator app would.
mod common;

use axum::http::StatusCode;
use common::*;
use server::auth::totp;
use sqlx::PgPool;

async fn audit_actions(db: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(db)
        .await
        .unwrap()
}

fn has_session(res: &Reply) -> bool {
    cookie_of(res, "__Host-portal_session").is_some()
}

async fn signed_in_as(app: &axum::Router, cookie: &str) -> Option<String> {
    call_as(app, "/api/me", "", Some(cookie)).await.json()["email"]
        .as_str()
        .map(str::to_owned)
}

/// Enrols `email` (staff enrol at their first sign-in) and signs out again.
async fn enrolled(app: &axum::Router, email: &str) {
    let session = login(app, email).await;
    call_as(app, "/auth/logout", "", Some(&session)).await;
    assert!(authenticator(email).is_some());
}

/// The password step: the reply and its pending sign-in cookie.
async fn password_step(app: &axum::Router, email: &str) -> (Reply, String) {
    let res = try_login(app, email, PASSWORD).await;
    let cookie =
        cookie_of(&res, PENDING_COOKIE).unwrap_or_else(|| panic!("no pending sign-in: {}", res.location()));
    (res, cookie)
}

async fn send_code(app: &axum::Router, pending_cookie: &str, code: &str) -> Reply {
    call_as(
        app,
        "/auth/mfa",
        &format!("code={}", form_encode(code)),
        Some(pending_cookie),
    )
    .await
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_enrol_an_authenticator_before_any_session(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let (res, pending_cookie) = password_step(&app, ACCOUNT_MANAGER).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login/enrol");
    assert!(!has_session(&res), "no session before the second factor");
    assert!(res
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-portal_mfa=") && c.contains("HttpOnly") && c.contains("Max-Age=300")));
    // The pending sign-in is not a session, whichever cookie name it is sent under.
    let token = pending_cookie.split_once('=').unwrap().1;
    for cookie in [pending_cookie.clone(), format!("__Host-portal_session={token}")] {
        assert_eq!(
            call_as(&app, "/api/sites/list", "", Some(&cookie)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            get_as(&app, "/sites", Some(&cookie)).await.status,
            StatusCode::SEE_OTHER
        );
    }
    // The enrolment page shows a QR code and the key, without JavaScript.
    let page = get_as(&app, "/login/enrol", Some(&pending_cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("src=\"data:image/svg+xml;base64,"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-testid=\"totp-secret\""));
    assert!(page.body.contains("action=\"/auth/mfa/enrol\""));
    // Another browser without the cookie sees nothing of it.
    assert_eq!(
        call_as(&app, "/api/login/pending", "", None).await.json(),
        serde_json::Value::Null
    );

    let done = enrol(&app, ACCOUNT_MANAGER, &res).await;
    assert_eq!(done.location(), "/");
    let session = cookie_of(&done, "__Host-portal_session").expect("a session after enrolling");
    assert_eq!(
        signed_in_as(&app, &session).await.as_deref(),
        Some(ACCOUNT_MANAGER)
    );
    assert_eq!(
        call_as(&app, "/api/me", "", Some(&session)).await.json()["second_factor"],
        true
    );
    // The pending sign-in is used up.
    assert_eq!(
        call_as(&app, "/auth/mfa/continue", "", Some(&pending_cookie))
            .await
            .location(),
        "/login?error=expired"
    );

    // At rest: the secret sealed (not the key in any form), the recovery codes hashed.
    let uid = user_id(&db, ACCOUNT_MANAGER).await;
    let a = authenticator(ACCOUNT_MANAGER).unwrap();
    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT secret FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL")
            .bind(uid)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(!sealed.windows(a.secret.len()).any(|w| w == a.secret.as_slice()));
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT code_hash FROM user_recovery_codes WHERE user_id = $1")
            .bind(uid)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(hashes.len(), 10);
    for code in &a.recovery_codes {
        assert!(!hashes
            .iter()
            .any(|h| h.contains(code.as_str()) || h.contains(&code.replace('-', ""))));
        assert!(hashes.contains(&totp::recovery_code_hash(code)));
    }
    let actions = audit_actions(&db).await;
    assert!(actions.contains(&"mfa.enrolled".to_string()), "{actions:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_recovery_codes_are_shown_once(db: PgPool) {
    let app = seeded_app(db).await;
    let (_, cookie) = password_step(&app, OPS).await;
    let key = pending(&app, &cookie).await["step"]["Enrol"]["secret"]
        .as_str()
        .unwrap()
        .replace(' ', "");
    let secret = data_encoding::BASE32_NOPAD.decode(key.as_bytes()).unwrap();
    // A wrong first code does not confirm anything.
    let not_now = totp::code_at(&secret, unix_now() + 600);
    let wrong = call_as(&app, "/auth/mfa/enrol", &format!("code={not_now}"), Some(&cookie)).await;
    assert_eq!(wrong.location(), "/login/enrol?error=code");
    let code = totp::code_at(&secret, unix_now());
    let ok = call_as(&app, "/auth/mfa/enrol", &format!("code={code}"), Some(&cookie)).await;
    assert_eq!(ok.location(), "/login/recovery-codes");
    let first = get_as(&app, "/login/recovery-codes", Some(&cookie)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.body.contains("data-testid=\"recovery-codes\""),
        "{}",
        first.body
    );
    let again = pending(&app, &cookie).await;
    assert_eq!(
        again["step"]["RecoveryCodes"]["codes"],
        serde_json::json!([]),
        "{again}"
    );
    let done = call_as(&app, "/auth/mfa/continue", "", Some(&cookie)).await;
    assert!(has_session(&done));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_code_is_refused_and_five_end_the_pending_sign_in(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    enrolled(&app, OPS).await;
    let (res, cookie) = password_step(&app, OPS).await;
    assert_eq!(res.location(), "/login/mfa");
    assert!(!has_session(&res));
    let secret = authenticator(OPS).unwrap().secret;
    // A code that is not the current one (nor one step either side).
    let wrong = totp::code_at(&secret, unix_now() + 600);
    for attempt in 1..=4 {
        let res = send_code(&app, &cookie, &wrong).await;
        assert_eq!(res.location(), "/login/mfa?error=code", "attempt {attempt}");
        assert!(!has_session(&res));
    }
    assert_eq!(pending(&app, &cookie).await["attempts_left"], 1);
    let fifth = send_code(&app, &cookie, "not-a-recovery-code").await;
    assert_eq!(fifth.location(), "/login?error=mfa_failed");
    assert!(fifth
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-portal_mfa=;") && c.contains("Max-Age=0")));
    // Over: even the right code no longer helps; the password comes first again.
    let right = send_code(&app, &cookie, &next_code(OPS)).await;
    assert_eq!(right.location(), "/login?error=expired");
    assert!(!has_session(&right));
    let failures = audit_actions(&db)
        .await
        .iter()
        .filter(|a| *a == "mfa.failed")
        .count();
    assert_eq!(failures, 5);
    // The wrong codes count for the password throttle too: starting over does not buy fresh
    // guesses at once, the next password step waits.
    let held = try_login(&app, OPS, PASSWORD).await;
    assert!(
        held.location().starts_with("/login?error=throttled&wait=1&"),
        "{}",
        held.location()
    );
    sqlx::query("UPDATE login_attempts SET at = at - interval '2 seconds'")
        .execute(&db)
        .await
        .unwrap();
    // After the delay, a new sign-in with the password works.
    let (res, _) = password_step(&app, OPS).await;
    assert!(has_session(&pass_second_factor(&app, OPS, res).await));
}

#[sqlx::test(migrations = "../migrations")]
async fn parallel_codes_cannot_all_be_checked(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    enrolled(&app, OPS).await;
    let (_, cookie) = password_step(&app, OPS).await;
    let secret = authenticator(OPS).unwrap().secret;
    let guesses: Vec<_> = (0..12)
        .map(|i| {
            let (app, cookie) = (app.clone(), cookie.clone());
            let wrong = totp::code_at(&secret, unix_now() + 600 + 30 * i);
            tokio::spawn(async move { send_code(&app, &cookie, &wrong).await })
        })
        .collect();
    for g in guesses {
        let res = g.await.unwrap();
        assert!(!has_session(&res));
    }
    let checked = audit_actions(&db)
        .await
        .iter()
        .filter(|a| *a == "mfa.failed")
        .count();
    assert_eq!(checked, 5, "only the allowed number of codes is checked");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_is_accepted_once(db: PgPool) {
    let app = seeded_app(db).await;
    enrolled(&app, ACCOUNT_MANAGER).await;
    let secret = authenticator(ACCOUNT_MANAGER).unwrap().secret;
    let enrolled_at = authenticator(ACCOUNT_MANAGER).unwrap().last_step;
    // The code used to enrol is spent already.
    let (_, cookie) = password_step(&app, ACCOUNT_MANAGER).await;
    let replay = send_code(&app, &cookie, &totp::code_for_step(&secret, enrolled_at)).await;
    assert_eq!(replay.location(), "/login/mfa?error=code");
    // A later step within the drift window signs in once...
    let code = totp::code_for_step(&secret, enrolled_at + 1);
    let ok = send_code(&app, &cookie, &code).await;
    assert!(has_session(&ok), "{}", ok.location());
    // ...and not again, nor does the earlier one.
    let (_, cookie) = password_step(&app, ACCOUNT_MANAGER).await;
    for again in [code, totp::code_for_step(&secret, enrolled_at)] {
        let res = send_code(&app, &cookie, &again).await;
        assert_eq!(res.location(), "/login/mfa?error=code");
        assert!(!has_session(&res));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_pending_sign_in_is_refused(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    enrolled(&app, OPS).await;
    let (_, cookie) = password_step(&app, OPS).await;
    sqlx::query("UPDATE mfa_challenges SET expires_at = now() - interval '1 second'")
        .execute(&db)
        .await
        .unwrap();
    let res = send_code(&app, &cookie, &next_code(OPS)).await;
    assert_eq!(res.location(), "/login?error=expired");
    assert!(!has_session(&res));
    let page = get_as(&app, "/login/mfa", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-testid=\"mfa-expired\""));
    // Five minutes is the limit the row is given.
    let (_, _) = password_step(&app, OPS).await;
    let minutes: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM expires_at - created_at)::float8 / 60 FROM mfa_challenges WHERE expires_at > now()",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!((4.9..=5.0).contains(&minutes), "{minutes}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_recovery_code_signs_in_once(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    enrolled(&app, OPS).await;
    let code = authenticator(OPS).unwrap().recovery_codes[0].clone();
    let (_, cookie) = password_step(&app, OPS).await;
    // Typed loosely: upper case, a space for the dash.
    let ok = send_code(&app, &cookie, &code.to_uppercase().replace('-', " ")).await;
    assert!(has_session(&ok), "{}", ok.location());
    let (_, cookie) = password_step(&app, OPS).await;
    let again = send_code(&app, &cookie, &code).await;
    assert_eq!(again.location(), "/login/mfa?error=code");
    assert!(!has_session(&again));
    let used: i64 = sqlx::query_scalar("SELECT count(*) FROM user_recovery_codes WHERE used_at IS NOT NULL")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(used, 1);
    let factor: String = sqlx::query_scalar(
        "SELECT detail->>'second_factor' FROM audit_log WHERE action = 'login.succeeded' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(factor, "recovery_code");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_staff_session_without_a_second_factor_is_refused(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let session = login(&app, ACCOUNT_MANAGER).await;
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&session)).await.status,
        StatusCode::OK
    );
    sqlx::query("DELETE FROM user_totp").execute(&db).await.unwrap();
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&session)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn customers_may_set_up_and_remove_an_authenticator(db: PgPool) {
    let app = seeded_app(db).await;
    // Without one, a customer signs in with the password alone.
    let session = login(&app, CUSTOMER_ADMIN).await;
    assert!(authenticator(CUSTOMER_ADMIN).is_none());
    let start = call_as(&app, "/auth/mfa/setup", "", Some(&session)).await;
    assert_eq!(start.location(), "/login/enrol");
    let done = enrol_in(&app, CUSTOMER_ADMIN, &start, Some(&session)).await;
    assert_eq!(done.location(), "/account?mfa=on");
    assert!(!has_session(&done), "the same session carries on");
    assert_eq!(
        call_as(&app, "/api/me", "", Some(&session)).await.json()["second_factor"],
        true
    );
    // From now on the code is asked for.
    let (res, _) = password_step(&app, CUSTOMER_ADMIN).await;
    assert_eq!(res.location(), "/login/mfa");
    assert!(has_session(&pass_second_factor(&app, CUSTOMER_ADMIN, res).await));
    // Removing it needs the password.
    let wrong = call_as(&app, "/auth/mfa/remove", "password=nope", Some(&session)).await;
    assert_eq!(wrong.location(), "/account?mfa_error=password");
    let form = format!("password={}", form_encode(PASSWORD));
    let off = call_as(&app, "/auth/mfa/remove", &form, Some(&session)).await;
    assert_eq!(off.location(), "/account?mfa=off");
    assert_eq!(try_login(&app, CUSTOMER_ADMIN, PASSWORD).await.location(), "/");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_set_by_an_admin_must_be_changed_before_anything_else(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let form =
        "email=jo%40castlegate.example&display_name=Jo+Bloggs&role=customer_user&password=first-password-123";
    assert_eq!(
        call_as(&app, "/api/admin/user-create", form, Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
    let jo = login_with(&app, "jo@castlegate.example", "first-password-123").await;
    // Every page leads to the change-password page; server fns are refused; that page works.
    for page in ["/", "/sites", "/account", "/admin"] {
        let res = get_as(&app, page, Some(&jo)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(res.location(), "/password", "{page}");
    }
    for api in ["/api/sites/list", "/api/invoices/list", "/api/consumption/points"] {
        assert_eq!(
            call_as(&app, api, "", Some(&jo)).await.status,
            StatusCode::FORBIDDEN,
            "{api}"
        );
    }
    let page = get_as(&app, "/password", Some(&jo)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("action=\"/auth/password\""));
    assert_eq!(
        call_as(&app, "/api/me", "", Some(&jo)).await.json()["must_change_password"],
        true
    );
    // The same password again, or a common one, is refused, back on the same page.
    let change = |new: &str| {
        format!(
            "current_password=first-password-123&new_password={}",
            form_encode(new)
        )
    };
    for (new, why) in [
        ("first-password-123", "unchanged"),
        ("Password2026!", "common"),
        ("short", "short"),
    ] {
        let res = call_as(&app, "/auth/password", &change(new), Some(&jo)).await;
        assert_eq!(res.location(), format!("/password?error={why}"), "{new}");
    }
    let res = call_as(
        &app,
        "/auth/password",
        &change("jo-chose-this-one-2026"),
        Some(&jo),
    )
    .await;
    assert_eq!(res.location(), "/login?changed=1");
    let jo = login_with(&app, "jo@castlegate.example", "jo-chose-this-one-2026").await;
    assert_eq!(get_as(&app, "/sites", Some(&jo)).await.status, StatusCode::OK);
    assert_eq!(
        call_as(&app, "/api/sites/list", "", Some(&jo)).await.status,
        StatusCode::OK
    );
    let flag: bool =
        sqlx::query_scalar("SELECT must_change_password FROM users WHERE email = 'jo@castlegate.example'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(!flag);
    // Demo users (not created by an admin) are not asked.
    assert_eq!(get_as(&app, "/", Some(&admin)).await.status, StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn common_passwords_are_refused_for_a_change_and_for_a_new_user(db: PgPool) {
    let app = seeded_app(db).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let res = call_as(
        &app,
        "/api/admin/user-create",
        "email=kim%40castlegate.example&display_name=Kim&role=customer_user&password=Password12345",
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("too common"), "{}", res.body);
    for common in ["qwertyuiop123", "1qaz2wsx3edc", "Letmein-2026!"] {
        let form = format!(
            "current_password={}&new_password={}",
            form_encode(PASSWORD),
            form_encode(common)
        );
        let res = call_as(&app, "/auth/password", &form, Some(&admin)).await;
        assert_eq!(res.location(), "/account?error=common", "{common}");
    }
    // Still signed in with the old password: nothing changed.
    assert_eq!(signed_in_as(&app, &admin).await.as_deref(), Some(CUSTOMER_ADMIN));
}
