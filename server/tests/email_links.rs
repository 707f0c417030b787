//! Users by e-mail (issue 11, part 3): invitation and password-reset links (single use, expiry,
//! only a hash stored), the reset answer that says nothing about which addresses exist, invitations
//! that stay within the caller's organisation and role, the link pages' answers for links that do
//! not work, role changes and the last sign-in. The e-mail goes to the real SMTP sink started by
//! `scripts/mail.sh` (scripts/test.sh starts it); the tests read it there and follow its link.
mod common;

use std::time::{Duration, Instant};

use app::domain::email_link::LinkState;
use app::domain::role::Role;
use app::store::invitations::{self, Invited, NewInvitee};
use app::store::scope::Scope;
use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use server::auth::email_links;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

fn pool_as(db: &PgPool, role: &str) -> PgPool {
    server::db::app_pool((*db.connect_options()).clone(), 2, role)
}

async fn org(db: &PgPool, name: &str) -> i64 {
    id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

async fn password_hash_of(db: &PgPool, email: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn actions(db: &PgPool, like: &str) -> Vec<(String, Option<i64>, Value)> {
    sqlx::query_as("SELECT action, organisation_id, detail FROM audit_log WHERE action LIKE $1 ORDER BY id")
        .bind(like)
        .fetch_all(db)
        .await
        .unwrap()
}

/// A fresh address no other test uses (the sink is shared by tests running at once).
fn fresh_email(what: &str) -> String {
    let n: u64 = rand::random();
    format!("{what}-{n:016x}@castlegate.example")
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

fn choose_form(token: &str, new: &str, again: &str) -> String {
    format!(
        "token={}&new_password={}&confirm_password={}",
        form_encode(token),
        form_encode(new),
        form_encode(again)
    )
}

// ---- Store: issue and use ------------------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn a_reset_link_is_stored_as_its_hash_only_and_works_once(db: PgPool) {
    server::seed::seed_people(&db, 2026).await.unwrap();
    let auth = pool_as(&db, "portal_auth");
    let issued = email_links::issue_reset(&auth, CUSTOMER_USER)
        .await
        .unwrap()
        .expect("a link");
    assert_eq!(issued.token.len(), 64);
    // Only the SHA-256 of the token is stored; nothing in the row is the token itself.
    let rows: Vec<(Vec<u8>, String, i64)> = sqlx::query_as(
        "SELECT token_hash, purpose, extract(epoch FROM expires_at - created_at)::bigint FROM email_links",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, Sha256::digest(issued.token.as_bytes()).to_vec());
    assert_eq!(rows[0].1, "password_reset");
    assert_eq!(rows[0].2, 3600, "a reset link lasts an hour");
    let row_text: String = sqlx::query_scalar("SELECT row_to_json(l)::text FROM email_links l")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(!row_text.contains(&issued.token), "{row_text}");

    let link = email_links::find(&auth, &issued.token).await.unwrap().unwrap();
    assert_eq!(link.state, LinkState::Valid);
    assert_eq!(link.email, CUSTOMER_USER);
    let before = password_hash_of(&db, CUSTOMER_USER).await;
    let used = email_links::consume(&auth, &issued.token, "new-hash")
        .await
        .unwrap();
    assert_eq!(used.map(|l| l.user_id).ok(), Some(issued.user_id));
    assert_eq!(password_hash_of(&db, CUSTOMER_USER).await, "new-hash");
    assert_ne!(before, "new-hash");
    // A second use changes nothing.
    assert_eq!(
        email_links::consume(&auth, &issued.token, "another-hash")
            .await
            .unwrap()
            .err(),
        Some(LinkState::Used)
    );
    assert_eq!(password_hash_of(&db, CUSTOMER_USER).await, "new-hash");
    assert_eq!(
        email_links::find(&auth, &issued.token)
            .await
            .unwrap()
            .unwrap()
            .state,
        LinkState::Used
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn expired_replaced_unknown_and_disabled_links_do_not_work(db: PgPool) {
    server::seed::seed_people(&db, 2026).await.unwrap();
    let auth = pool_as(&db, "portal_auth");
    let before = password_hash_of(&db, CUSTOMER_USER).await;

    // Expired: an hour and a second later.
    let old = email_links::issue_reset(&auth, CUSTOMER_USER)
        .await
        .unwrap()
        .unwrap();
    sqlx::query(
        "UPDATE email_links SET created_at = created_at - interval '61 minutes', expires_at = expires_at - interval '61 minutes'",
    )
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(
        email_links::consume(&auth, &old.token, "x").await.unwrap().err(),
        Some(LinkState::Expired)
    );

    // Replaced: a newer reset voids the one before.
    let first = email_links::issue_reset(&auth, CUSTOMER_USER)
        .await
        .unwrap()
        .unwrap();
    let second = email_links::issue_reset(&auth, CUSTOMER_USER)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        email_links::consume(&auth, &first.token, "x")
            .await
            .unwrap()
            .err(),
        Some(LinkState::Used)
    );

    // Unknown: altered by one character, cut short, or not even shaped like a token.
    let mut altered = second.token.clone();
    let last = if altered.ends_with('0') { "1" } else { "0" };
    altered.replace_range(63..64, last);
    for bad in [
        altered.as_str(),
        &second.token[..63],
        "",
        "'; DROP TABLE users; --",
    ] {
        assert_eq!(
            email_links::consume(&auth, bad, "x").await.unwrap().err(),
            Some(LinkState::Unknown),
            "{bad}"
        );
    }

    // Disabled since: the link stops working, and a disabled user gets no new one.
    sqlx::query("UPDATE users SET disabled_at = now() WHERE email = $1")
        .bind(CUSTOMER_USER)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        email_links::consume(&auth, &second.token, "x")
            .await
            .unwrap()
            .err(),
        Some(LinkState::Disabled)
    );
    assert!(email_links::issue_reset(&auth, CUSTOMER_USER)
        .await
        .unwrap()
        .is_none());
    // And no address that is nobody's gets one.
    assert!(email_links::issue_reset(&auth, "nobody@nowhere.example")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        password_hash_of(&db, CUSTOMER_USER).await,
        before,
        "nothing changed the password"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_invitation_creates_the_user_with_role_and_sites_and_a_hashed_link(db: PgPool) {
    server::seed::seed_people(&db, 2026).await.unwrap();
    let app_db = pool_as(&db, "portal_app");
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let felixstowe = site_id(&db, "Felixstowe Cold Store").await;
    let riverside_site = site_id(&db, "Riverside Leisure Centre").await;
    let admin = user_id(&db, CUSTOMER_ADMIN).await;
    let scope = Scope::organisations(vec![castlegate]);
    let token = "ab".repeat(32);
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    fn invitee<'a>(
        organisation_id: i64,
        invited_by: i64,
        email: &'a str,
        sites: &'a [i64],
        token_hash: &'a [u8],
    ) -> NewInvitee<'a> {
        NewInvitee {
            organisation_id,
            email,
            display_name: "New Colleague",
            role: Role::CustomerUser,
            all_sites: false,
            sites,
            unusable_password_hash: "unusable",
            token_hash,
            invited_by,
        }
    }

    let mut tx = scope.begin(&app_db).await.unwrap();
    let sites = [felixstowe];
    let outcome = invitations::invite(
        &mut tx,
        invitee(castlegate, admin, "new@castlegate.example", &sites, &hash),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let Invited::User {
        user_id: new_id,
        expires_at,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let hours = (expires_at - chrono::Utc::now()).num_minutes();
    assert!((71 * 60..=72 * 60).contains(&hours), "{hours} minutes");
    let (role, all_sites, org_id): (String, bool, Option<i64>) =
        sqlx::query_as("SELECT role, all_sites, organisation_id FROM users WHERE id = $1")
            .bind(new_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        (role.as_str(), all_sites, org_id),
        ("customer_user", false, Some(castlegate))
    );
    let granted: Vec<i64> = sqlx::query_scalar("SELECT site_id FROM user_site_access WHERE user_id = $1")
        .bind(new_id)
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(granted, vec![felixstowe]);
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM email_links WHERE user_id = $1")
        .bind(new_id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stored, hash);
    // The app role never reads a token hash back.
    let mut tx = scope.begin(&app_db).await.unwrap();
    let read: Result<Vec<u8>, _> = sqlx::query_scalar("SELECT token_hash FROM email_links")
        .fetch_one(&mut *tx)
        .await;
    assert!(read.is_err(), "portal_app may not read token hashes");
    drop(tx);

    // Another organisation's address: nothing created, and the caller cannot tell from the kind.
    let mut tx = scope.begin(&app_db).await.unwrap();
    let hash2 = Sha256::digest(b"x").to_vec();
    let other = invitations::invite(
        &mut tx,
        invitee(castlegate, admin, "manager@riverside.example", &sites, &hash2),
    )
    .await
    .unwrap();
    assert_eq!(other, Invited::Elsewhere);
    // Another organisation's site: refused, nothing created.
    let theirs = [riverside_site];
    let refused = invitations::invite(
        &mut tx,
        invitee(castlegate, admin, "sneaky@castlegate.example", &theirs, &hash2),
    )
    .await
    .unwrap();
    assert_eq!(refused, Invited::NotTheOrganisationsSite);
    drop(tx);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'sneaky@castlegate.example'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(n, 0);

    // The invitation link works through the authentication side.
    let auth = pool_as(&db, "portal_auth");
    let link = email_links::find(&auth, &token).await.unwrap().unwrap();
    assert_eq!(link.state, LinkState::Valid);
    assert_eq!(link.organisation.as_deref(), Some("Castlegate Group Ltd"));
}

// ---- Router: the reset journey and what it reveals ------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn the_reset_answer_is_the_same_whether_or_not_the_address_exists(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let known = fresh_email("known");
    sqlx::query(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites)
         SELECT $1, 'Known Person', 'customer_user', id, 'x', true FROM organisations WHERE name = 'Castlegate Group Ltd'",
    )
    .bind(&known)
    .execute(&db)
    .await
    .unwrap();
    let unknown = fresh_email("unknown");
    let mut times = Vec::new();
    let mut answers = Vec::new();
    for email in [&known, &unknown, &known, &unknown] {
        let started = Instant::now();
        let res = call(&app, "/auth/forgot", &format!("email={}", form_encode(email))).await;
        times.push(started.elapsed());
        answers.push((res.status, res.location().to_owned(), res.set_cookies(), res.body));
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, StatusCode::SEE_OTHER);
    assert_eq!(answers[0].1, "/login/forgot?sent=1");
    // Nothing slow happens before the answer for either (the lookup and the e-mail come after).
    let (k, u) = (times[0] + times[2], times[1] + times[3]);
    let diff = k.abs_diff(u);
    assert!(diff < Duration::from_millis(500), "known {k:?}, unknown {u:?}");

    // The known address gets its link; the unknown one gets nothing.
    let (mail, link) = wait_for_mail(&known, PUBLIC_BASE_URL, |_| true).await;
    assert!(
        link.starts_with(&format!("{PUBLIC_BASE_URL}/reset-password?token=")),
        "{link}"
    );
    assert!(mail.text.contains("Dear Known Person,"), "{}", mail.text);
    assert!(mail.text.contains("works for 1 hour"), "{}", mail.text);
    assert_eq!(
        mail.header("From").as_deref(),
        Some("\"Northgate Energy\" <portal@northgate.example>")
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(mail_to(&unknown).is_empty());
    // Every request is recorded for operations (once the work after the answer is done).
    let mut recorded = Vec::new();
    for _ in 0..100 {
        recorded = actions(&db, "password_reset.%").await;
        if recorded.len() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let count = |a: &str| recorded.iter().filter(|r| r.0 == a).count();
    assert_eq!(count("password_reset.requested"), 2, "{recorded:?}");
    assert_eq!(count("password_reset.unknown_address"), 2, "{recorded:?}");
    assert!(recorded
        .iter()
        .all(|r| (r.0 == "password_reset.requested") == r.1.is_some()));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_forgotten_password_is_reset_by_email_once_and_other_sessions_end(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let elsewhere = login(&app, CUSTOMER_USER).await;
    let res = call(
        &app,
        "/auth/forgot",
        &format!("email={}", form_encode("  Energy@Castlegate.example ")),
    )
    .await;
    assert_eq!(res.location(), "/login/forgot?sent=1");
    // The sink is shared by tests running at once: take the message whose link is this database's.
    let link = link_of_this_test(&db, CUSTOMER_USER).await;
    let path = link.strip_prefix(PUBLIC_BASE_URL).unwrap().to_owned();
    assert!(path.starts_with("/reset-password?token="), "{path}");
    let token = token_of(&link);

    // The page offers the form, says whose account and until when.
    let page = get(&app, &path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("Choose a new password for energy@castlegate.example"),
        "{}",
        page.body
    );
    assert!(page.body.contains("This link works once, until"));

    // Problems go back to the page and use nothing up.
    let res = call(
        &app,
        "/auth/link",
        &choose_form(&token, "a-long-new-password-1", "a-long-new-password-2"),
    )
    .await;
    assert_eq!(
        res.location(),
        format!("/reset-password?token={token}&error=mismatch")
    );
    let res = call(
        &app,
        "/auth/link",
        &choose_form(&token, "Password2026!", "Password2026!"),
    )
    .await;
    assert_eq!(
        res.location(),
        format!("/reset-password?token={token}&error=common")
    );
    let res = call(&app, "/auth/link", &choose_form(&token, "short", "short")).await;
    assert_eq!(
        res.location(),
        format!("/reset-password?token={token}&error=short")
    );
    let page = get(&app, &format!("/reset-password?token={token}&error=common")).await;
    assert!(page.body.contains("too common"), "the page explains the problem");

    // The new password: signed in at once, every other session ended.
    let new = "plover-quay-harbour-7";
    let res = call(&app, "/auth/link", &choose_form(&token, new, new)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/");
    let session = cookie_of(&res, "__Host-portal_session").expect("signed in");
    let me = call_as(&app, "/api/me", "", Some(&session)).await.json();
    assert_eq!(me["email"], CUSTOMER_USER);
    let old = call_as(&app, "/api/me", "", Some(&elsewhere)).await.json();
    assert_eq!(old, Value::Null, "the session elsewhere ended");
    assert!(try_login(&app, CUSTOMER_USER, PASSWORD)
        .await
        .location()
        .starts_with("/login?error=invalid"));
    login_with(&app, CUSTOMER_USER, new).await;

    // Used: the page says so (410) and a second use changes nothing.
    let page = get(&app, &path).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("already been used"), "{}", page.body);
    assert!(page.body.contains("/login/forgot"), "offers a new link");
    let res = call(
        &app,
        "/auth/link",
        &choose_form(&token, "another-long-password", "another-long-password"),
    )
    .await;
    assert_eq!(
        res.location(),
        format!("/reset-password?token={token}&error=link")
    );
    assert_eq!(session_cookie(&res), None);
    login_with(&app, CUSTOMER_USER, new).await;
    let recorded: Vec<String> = actions(&db, "password.reset")
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(recorded, ["password.reset"]);
}

fn session_cookie(res: &Reply) -> Option<String> {
    cookie_of(res, "__Host-portal_session")
}

#[sqlx::test(migrations = "../migrations")]
async fn links_that_do_not_work_get_a_page_that_says_why(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let auth = pool_as(&db, "portal_auth");
    // Tampered with, cut short, or missing: 404, "not valid".
    let issued = email_links::issue_reset(&auth, CUSTOMER_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let mut tampered = issued.token.clone();
    let last = if tampered.ends_with('a') { "b" } else { "a" };
    tampered.replace_range(63..64, last);
    for uri in [
        format!("/reset-password?token={tampered}"),
        format!("/reset-password?token={}", &issued.token[..40]),
        "/reset-password".to_string(),
        format!("/welcome?token={tampered}"),
        // A reset link opened on the invitation page is not an invitation.
        format!("/welcome?token={}", issued.token),
    ] {
        let page = get(&app, &uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            page.body.contains("This link is not valid"),
            "{uri}: {}",
            page.body
        );
        assert!(!page.body.contains("name=\"new_password\""), "{uri}: no form");
    }
    // Expired: 410, says how long such links work, offers a new one.
    sqlx::query(
        "UPDATE email_links SET created_at = created_at - interval '2 hours', expires_at = expires_at - interval '2 hours'",
    )
    .execute(&db)
    .await
    .unwrap();
    let page = get(&app, &format!("/reset-password?token={}", issued.token)).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        page.body
            .contains("This link has expired: links like it work for 1 hour."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Ask for a new link"));
    let res = call(
        &app,
        "/auth/link",
        &choose_form(&issued.token, "a-long-new-password", "a-long-new-password"),
    )
    .await;
    assert_eq!(
        res.location(),
        format!("/reset-password?token={}&error=link", issued.token)
    );
    login(&app, CUSTOMER_ADMIN).await;
}

// ---- Router: invitations ----------------------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_admin_invites_a_colleague_who_sees_only_the_sites_chosen(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let felixstowe = site_id(&db, "Felixstowe Cold Store").await;
    let leicester = site_id(&db, "Leicester Works").await;
    let email = fresh_email("colleague");
    let form = format!(
        "email={}&display_name=Sam+Patel&role=customer_user&site_ids%5B%5D={felixstowe}&site_ids%5B%5D={leicester}",
        form_encode(&email.to_uppercase())
    );
    let res = call_as(&app, "/api/admin/user-invite", &form, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["email"], email.as_str());

    let (mail, link) = wait_for_mail(&email, PUBLIC_BASE_URL, |_| true).await;
    assert!(mail.text.starts_with("Dear Sam Patel,"), "{}", mail.text);
    assert!(mail.text.contains("Facilities Team has invited you") || mail.text.contains("has invited you"));
    assert!(mail.text.contains("Castlegate Group Ltd"));
    assert!(mail.text.contains("works for 72 hours"));
    let path = link.strip_prefix(PUBLIC_BASE_URL).unwrap().to_owned();
    assert!(path.starts_with("/welcome?token="), "{path}");
    let token = token_of(&link);

    // The admin sees the invitation waiting.
    let overview = call_as(&app, "/api/admin/overview", "", Some(&admin))
        .await
        .json();
    let row = overview["Users"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email.as_str())
        .cloned()
        .expect("the invitee is listed");
    assert_eq!(row["invited"], true);
    assert!(row["invitation_until"].is_string());
    assert_eq!(row["last_sign_in"], Value::Null);
    // Nobody signs in as them before they choose a password.
    assert!(try_login(&app, &email, "")
        .await
        .location()
        .starts_with("/login?error=invalid"));

    let page = get(&app, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Welcome, Sam Patel"), "{}", page.body);
    let password = "kestrel-orchard-lantern";
    let res = call(&app, "/auth/link", &choose_form(&token, password, password)).await;
    assert_eq!(res.location(), "/");
    let session = session_cookie(&res).expect("signed in");
    assert_eq!(
        site_names(&app, &session).await,
        vec!["Felixstowe Cold Store", "Leicester Works"]
    );
    // Listed with their last sign-in; the invitation is used up.
    let overview = call_as(&app, "/api/admin/overview", "", Some(&admin))
        .await
        .json();
    let row = overview["Users"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email.as_str())
        .cloned()
        .unwrap();
    assert!(row["last_sign_in"].is_string(), "{row}");
    assert_eq!(row["invited"], false);
    assert_eq!(get(&app, &path).await.status, StatusCode::GONE);
    let recorded: Vec<String> = actions(&db, "user.invit%")
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(recorded, ["user.invited", "user.invitation_accepted"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn invitations_stay_within_the_callers_organisation_and_role(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let riverside_site = site_id(&db, "Riverside Leisure Centre").await;
    let invite = |role: &str, extra: &str| {
        format!(
            "email={}&display_name=X+Y&role={role}&all_sites=true{extra}",
            form_encode(&fresh_email("refused"))
        )
    };
    // Into another organisation: not there for them.
    let res = call_as(
        &app,
        "/api/admin/user-invite",
        &invite("customer_user", &format!("&organisation_id={riverside}")),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    // Another organisation's site.
    let form = format!(
        "email={}&display_name=X+Y&role=customer_user&site_ids%5B%5D={riverside_site}",
        form_encode(&fresh_email("refused"))
    );
    let res = call_as(&app, "/api/admin/user-invite", &form, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    // Above their own role, or a staff role.
    for role in ["account_manager", "ops_admin"] {
        let res = call_as(&app, "/api/admin/user-invite", &invite(role, ""), Some(&admin)).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{role}: {}", res.body);
    }
    // A role that is not one.
    let res = call_as(&app, "/api/admin/user-invite", &invite("root", ""), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // A customer user with no site chosen, a bad address, no name.
    let res = call_as(
        &app,
        "/api/admin/user-invite",
        "email=a%40b.example&display_name=X&role=customer_user",
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("Choose the sites"), "{}", res.body);
    let res = call_as(
        &app,
        "/api/admin/user-invite",
        "email=not-an-address&display_name=X&role=customer_user&all_sites=true",
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = call_as(
        &app,
        "/api/admin/user-invite",
        "email=a%40b.example&display_name=+&role=customer_user&all_sites=true",
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE email LIKE 'refused-%' OR email = 'a@b.example'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(n, 0, "nothing was created");

    // Customer users and account managers do not invite.
    for who in [CUSTOMER_USER, ACCOUNT_MANAGER] {
        let cookie = login(&app, who).await;
        let res = call_as(
            &app,
            "/api/admin/user-invite",
            &invite("customer_user", ""),
            Some(&cookie),
        )
        .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
    }

    // Roles: never one's own, never above one's own, never another organisation's user.
    let energy = user_id(&db, CUSTOMER_USER).await;
    let me = user_id(&db, CUSTOMER_ADMIN).await;
    let other = user_id(&db, OTHER_ADMIN).await;
    let role = |user: i64, role: &str| format!("user_id={user}&role={role}");
    let res = call_as(
        &app,
        "/api/admin/user-role",
        &role(energy, "ops_admin"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = call_as(
        &app,
        "/api/admin/user-role",
        &role(me, "customer_user"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("your own role"), "{}", res.body);
    let res = call_as(
        &app,
        "/api/admin/user-role",
        &role(other, "customer_user"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ANY($1) ORDER BY id")
        .bind(vec![energy, me, other])
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(roles, ["customer_admin", "customer_user", "customer_admin"]);

    // Within the organisation: promoted, recorded, and the promotion applies at once.
    let user = login(&app, CUSTOMER_USER).await;
    assert_eq!(site_names(&app, &user).await.len(), 2);
    let res = call_as(
        &app,
        "/api/admin/user-role",
        &role(energy, "customer_admin"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(site_names(&app, &user).await.len(), 6, "an admin sees every site");
    let recorded = actions(&db, "user.role_changed").await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].2["from"], "customer_user");
    assert_eq!(recorded[0].2["to"], "customer_admin");
}

#[sqlx::test(migrations = "../migrations")]
async fn operations_invite_into_any_organisation_and_manage_its_users(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let ops = login(&app, OPS).await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let site = site_id(&db, "Riverside Leisure Centre").await;
    let res = call_as(
        &app,
        "/api/admin/users",
        &format!("organisation_id={riverside}"),
        Some(&ops),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["organisation"], "Riverside Leisure Ltd");
    let email = fresh_email("riverside").replace("castlegate", "riverside");
    let form = format!(
        "organisation_id={riverside}&email={}&display_name=Pat+Jones&role=customer_user&site_ids%5B%5D={site}",
        form_encode(&email)
    );
    let res = call_as(&app, "/api/admin/user-invite", &form, Some(&ops)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let (mail, first) = wait_for_mail(&email, PUBLIC_BASE_URL, |_| true).await;
    assert!(
        mail.text.contains("(Northgate Energy) has invited you"),
        "{}",
        mail.text
    );
    // Send it again: the first link stops working, the new one works.
    let new_id = user_id(&db, &email).await;
    let res = call_as(
        &app,
        "/api/admin/user-reinvite",
        &format!("user_id={new_id}"),
        Some(&ops),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let (_, second) = wait_for_mail(&email, PUBLIC_BASE_URL, |l| l != first).await;
    let path = |l: &str| l.strip_prefix(PUBLIC_BASE_URL).unwrap().to_owned();
    assert_eq!(get(&app, &path(&first)).await.status, StatusCode::GONE);
    assert_eq!(get(&app, &path(&second)).await.status, StatusCode::OK);
    // Operations choose the user's sites and role; each change is recorded against Riverside.
    let res = call_as(
        &app,
        "/api/admin/user-sites",
        &format!("user_id={new_id}&all_sites=true"),
        Some(&ops),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = call_as(
        &app,
        "/api/admin/user-role",
        &format!("user_id={new_id}&role=customer_admin"),
        Some(&ops),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let recorded = actions(&db, "user.%").await;
    let kinds: Vec<&str> = recorded.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "user.invited",
            "user.reinvited",
            "user.sites_changed",
            "user.role_changed"
        ]
    );
    assert!(recorded.iter().all(|r| r.1 == Some(riverside)));
    // Staff roles are not given to a customer's user, even by operations.
    let res = call_as(
        &app,
        "/api/admin/user-role",
        &format!("user_id={new_id}&role=ops_admin"),
        Some(&ops),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrations = "../migrations")]
async fn on_lambda_the_reset_is_sent_before_an_answer_that_always_takes_the_same_time(db: PgPool) {
    server::seed::seed_people(&db, 2026).await.unwrap();
    // Lambda may freeze the instance once it has answered: the work is done before the answer.
    let config = server::config::Config {
        on_lambda: true,
        ..config()
    };
    let app = app_with(db.clone(), &config);
    let known = fresh_email("lambda");
    sqlx::query(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites)
         SELECT $1, 'Lambda Person', 'customer_user', id, 'x', true FROM organisations WHERE name = 'Castlegate Group Ltd'",
    )
    .bind(&known)
    .execute(&db)
    .await
    .unwrap();
    for email in [known.clone(), fresh_email("nobody")] {
        let started = Instant::now();
        let res = call(&app, "/auth/forgot", &format!("email={}", form_encode(&email))).await;
        let took = started.elapsed();
        assert_eq!(res.location(), "/login/forgot?sent=1");
        assert!(took >= email_links::LAMBDA_RESET_BUDGET, "{email}: {took:?}");
    }
    // Already delivered when the answer came: no waiting here.
    assert_eq!(mail_to(&known).len(), 1);
}
