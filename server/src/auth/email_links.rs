//! Links sent by e-mail, on the authentication side (`portal_auth`): asking for a password reset,
//! opening a link (invitation or reset), and choosing a password with it.
//!
//! ```text
//! /login/forgot ─ POST /auth/forgot (email) ─► the same answer whether or not the address is a
//!     user's (/login/forgot?sent=1), at the same speed: the lookup and the e-mail happen after
//!     the answer; throttled per address + e-mail like password checks (`throttle`)
//! e-mail ─► /reset-password?token=… or /welcome?token=… (page; `authenticate` looks the token
//!     up and puts a `LinkView` in the request) ─ POST /auth/link (token, password twice)
//!     ─► password set, link used (and every other open link of the user voided), every session
//!     of the user ended ─► signed in (or the second factor first, as at sign-in)
//! ```
//! Tokens: 32 random bytes as 64 hex characters; only their SHA-256 is stored
//! (`app::auth::link_token`). Invitations last 72 hours, resets 1 hour.
use app::api::email_link::LinkView;
use app::auth::link_token;
use app::auth::policy::check_new_password;
use app::domain::email_link::{LinkPurpose, LinkState};
use app::mail::{messages, Mailer};
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgPool;

use super::middleware::{client_ip, session_cookie, url_encode, AuthState};
use super::throttle::Verdict;
use super::{audit, mfa, password, sessions, throttle};

pub const FORGOT_PAGE: &str = "/login/forgot";

/// The pages links open (public: whoever holds the link).
pub fn is_link_page(path: &str) -> bool {
    path == LinkPurpose::Invitation.page() || path == LinkPurpose::PasswordReset.page()
}

/// A link as stored, found by its token.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub user_id: i64,
    pub purpose: LinkPurpose,
    pub email: String,
    pub display_name: String,
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub state: LinkState,
}

/// Looks a token up by its hash; `None` when it is not one of ours (or not even shaped like one).
pub async fn find(db: &PgPool, token: &str) -> Result<Option<Link>, sqlx::Error> {
    if !link_token::well_formed(token) {
        return Ok(None);
    }
    let row = sqlx::query!(
        r#"SELECT l.user_id, l.purpose, l.expires_at, l.used_at IS NOT NULL AS "used!",
                  l.expires_at <= now() AS "expired!", u.disabled_at IS NOT NULL AS "disabled!",
                  u.email, u.display_name, u.organisation_id,
                  app_organisation_name(u.organisation_id) AS "organisation?"
           FROM email_links l JOIN users u ON u.id = l.user_id
           WHERE l.token_hash = $1"#,
        link_token::hash(token)
    )
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|r| {
        let state = LinkState::of(r.used, r.expired, r.disabled);
        Some(Link {
            user_id: r.user_id,
            purpose: LinkPurpose::parse(&r.purpose)?,
            email: r.email,
            display_name: r.display_name,
            organisation_id: r.organisation_id,
            organisation: r.organisation,
            expires_at: r.expires_at,
            state,
        })
    }))
}

/// What the link page at `page` shows, for `authenticate` to put into the request's extensions.
/// A link opened on the other kind's page (a reset link on the invitation page) is not this
/// page's link.
pub async fn view(db: &PgPool, page: &str, token: Option<&str>) -> Result<LinkView, sqlx::Error> {
    let link = match token {
        Some(t) => find(db, t).await?.filter(|l| l.purpose.page() == page),
        None => None,
    };
    Ok(match link {
        None => LinkView {
            purpose: None,
            state: LinkState::Unknown,
            email: None,
            display_name: None,
            organisation: None,
            expires: None,
        },
        Some(l) => {
            let valid = l.state == LinkState::Valid;
            LinkView {
                purpose: Some(l.purpose),
                state: l.state,
                email: valid.then_some(l.email),
                display_name: valid.then_some(l.display_name),
                organisation: if valid { l.organisation } else { None },
                expires: valid.then(|| messages::uk_time(l.expires_at)),
            }
        }
    })
}

/// The `token` parameter of a query string.
pub fn token_in_query(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_owned())
}

/// Uses a link: when it still works, sets the user's password to `password_hash`, marks the link
/// and every other open link of the user used, and ends every session of the user — all in one
/// transaction, with the link row locked, so a link works once even when used twice at once.
/// Otherwise says why not (and changes nothing).
pub async fn consume(
    db: &PgPool,
    token: &str,
    password_hash: &str,
) -> Result<Result<Link, LinkState>, sqlx::Error> {
    if !link_token::well_formed(token) {
        return Ok(Err(LinkState::Unknown));
    }
    let mut tx = db.begin().await?;
    let locked = sqlx::query_scalar!(
        "SELECT user_id FROM email_links WHERE token_hash = $1 FOR UPDATE",
        link_token::hash(token)
    )
    .fetch_optional(&mut *tx)
    .await?;
    if locked.is_none() {
        return Ok(Err(LinkState::Unknown));
    }
    // Read after the lock: a use that committed meanwhile shows as used.
    let Some(link) = find_in(&mut tx, token).await? else {
        return Ok(Err(LinkState::Unknown));
    };
    if link.state != LinkState::Valid {
        return Ok(Err(link.state));
    }
    sqlx::query!(
        "UPDATE email_links SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        link.user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1",
        link.user_id,
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        link.user_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(link))
}

async fn find_in(tx: &mut sqlx::PgConnection, token: &str) -> Result<Option<Link>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT l.user_id, l.purpose, l.expires_at, l.used_at IS NOT NULL AS "used!",
                  l.expires_at <= now() AS "expired!", u.disabled_at IS NOT NULL AS "disabled!",
                  u.email, u.display_name, u.organisation_id
           FROM email_links l JOIN users u ON u.id = l.user_id
           WHERE l.token_hash = $1"#,
        link_token::hash(token)
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.and_then(|r| {
        let state = LinkState::of(r.used, r.expired, r.disabled);
        Some(Link {
            user_id: r.user_id,
            purpose: LinkPurpose::parse(&r.purpose)?,
            email: r.email,
            display_name: r.display_name,
            organisation_id: r.organisation_id,
            organisation: None,
            expires_at: r.expires_at,
            state,
        })
    }))
}

/// A reset link for an active user with this address: the token to e-mail, with whom it goes to
/// and until when it works; `None` when no active user has the address. Earlier reset links of the
/// user stop working.
pub struct IssuedReset {
    pub token: String,
    pub user_id: i64,
    pub display_name: String,
    pub organisation_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
}

pub async fn issue_reset(db: &PgPool, email: &str) -> Result<Option<IssuedReset>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(user) = sqlx::query!(
        "SELECT id, display_name, organisation_id FROM users WHERE email = $1 AND disabled_at IS NULL FOR UPDATE",
        email
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE email_links SET used_at = now() WHERE user_id = $1 AND purpose = 'password_reset' AND used_at IS NULL",
        user.id
    )
    .execute(&mut *tx)
    .await?;
    let (token, hash) = link_token::new_token();
    let expires_at = sqlx::query_scalar!(
        "INSERT INTO email_links (token_hash, user_id, purpose, expires_at)
         VALUES ($1, $2, 'password_reset', now() + make_interval(mins => $3)) RETURNING expires_at",
        hash,
        user.id,
        LinkPurpose::PasswordReset.lifetime_minutes() as i32
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(IssuedReset {
        token,
        user_id: user.id,
        display_name: user.display_name,
        organisation_id: user.organisation_id,
        expires_at,
    }))
}

/// On Lambda, how long every reset request takes (the lookup and the e-mail happen within it).
pub const LAMBDA_RESET_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);

/// The longest e-mail address looked at (RFC 5321's limit).
const MAX_EMAIL: usize = 254;

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    pub email: String,
}

/// `POST /auth/forgot`: answers at once, the same for every address; the reset (if the address is
/// an active user's) is issued and e-mailed after the answer, so neither the answer nor its timing
/// says whether the address exists (on Lambda: before the answer, which always takes
/// [`LAMBDA_RESET_BUDGET`]). Throttled like password checks (per e-mail + client address,
/// per client address, per e-mail: `throttle`), under keys of its own (`password-reset:…`), so
/// asking for resets never delays anyone's sign-in.
pub async fn forgot(
    State(st): State<AuthState>,
    mailer: Option<Extension<Mailer>>,
    req: Request,
) -> Response {
    let ip = client_ip(&req, st.on_lambda);
    let Ok(Form(form)) = Form::<ForgotForm>::from_request(req, &()).await else {
        return Redirect::to(&format!("{FORGOT_PAGE}?error=invalid")).into_response();
    };
    let email = form.email.trim().to_lowercase();
    if email.is_empty() || email.len() > MAX_EMAIL || !email.contains('@') {
        return Redirect::to(&format!("{FORGOT_PAGE}?error=invalid")).into_response();
    }
    // The password throttle's counters under keys of their own: resets never delay sign-in.
    match throttle::reserve(
        &st.db,
        &format!("password-reset:{email}"),
        &format!("password-reset:{ip}"),
    )
    .await
    {
        Ok(Verdict::Proceed(_)) => {}
        Ok(Verdict::Wait(wait)) => {
            return Redirect::to(&format!(
                "{FORGOT_PAGE}?error=throttled&wait={}",
                wait.as_secs().max(1)
            ))
            .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "password reset: throttle");
            return Redirect::to(&format!("{FORGOT_PAGE}?error=unavailable")).into_response();
        }
    }
    let Some(Extension(mailer)) = mailer else {
        tracing::error!("password reset: no mailer");
        return Redirect::to(&format!("{FORGOT_PAGE}?error=unavailable")).into_response();
    };
    let db = st.db.clone();
    let work = async move {
        if let Err(e) = send_reset(&db, &mailer, &email, &ip).await {
            tracing::error!(error = %e, "password reset: could not issue or send");
        }
    };
    if st.on_lambda {
        // Lambda may freeze the instance as soon as the response is sent, so the work is done
        // first, and the answer goes out after the same fixed time whatever it took (work that
        // takes longer is given up and logged): the timing still says nothing.
        let started = tokio::time::Instant::now();
        if tokio::time::timeout(LAMBDA_RESET_BUDGET, work).await.is_err() {
            tracing::error!("password reset: not done within the time budget");
        }
        tokio::time::sleep_until(started + LAMBDA_RESET_BUDGET).await;
    } else {
        tokio::spawn(work);
    }
    Redirect::to(&format!("{FORGOT_PAGE}?sent=1")).into_response()
}

/// Issues and e-mails a reset for `email` when it is an active user's; records the request either
/// way (against the user's organisation when there is one: operations see the rest).
pub async fn send_reset(db: &PgPool, mailer: &Mailer, email: &str, ip: &str) -> anyhow::Result<()> {
    let issued = issue_reset(db, email).await?;
    let email_for_log: String = email.chars().take(200).collect();
    audit::record(
        db,
        audit::Entry {
            actor_user_id: issued.as_ref().map(|i| i.user_id),
            actor_email: Some(&email_for_log),
            action: if issued.is_some() {
                "password_reset.requested"
            } else {
                "password_reset.unknown_address"
            },
            organisation_id: issued.as_ref().and_then(|i| i.organisation_id),
            detail: json!({}),
            client_ip: ip,
        },
    )
    .await?;
    let Some(issued) = issued else { return Ok(()) };
    let link = mailer.link(LinkPurpose::PasswordReset, &issued.token);
    mailer
        .send(messages::password_reset(
            email,
            &issued.display_name,
            &link,
            issued.expires_at,
        ))
        .await
}

#[derive(Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// `POST /auth/link`: chooses a password with a link from an e-mail. Problems go back to the
/// link's page (which explains a link that no longer works); success signs the user in, through
/// the second factor when they have one, and ends every other session.
pub async fn choose_password(State(st): State<AuthState>, req: Request) -> Response {
    let ip = client_ip(&req, st.on_lambda);
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let Ok(Form(form)) = Form::<ChooseForm>::from_request(req, &()).await else {
        return Redirect::to(&format!("{}?error=invalid", LinkPurpose::PasswordReset.page())).into_response();
    };
    match try_choose(&st, form, &ip, &agent).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "choosing a password from a link failed");
            Redirect::to(&format!("{FORGOT_PAGE}?error=unavailable")).into_response()
        }
    }
}

async fn try_choose(st: &AuthState, form: ChooseForm, ip: &str, agent: &str) -> anyhow::Result<Response> {
    let token = form.token.trim();
    // Back to the page of the link (its purpose known only for a link we sent).
    let page = match find(&st.db, token).await? {
        Some(l) => l.purpose.page(),
        None => LinkPurpose::PasswordReset.page(),
    };
    let back = |error: &str| {
        Redirect::to(&format!("{page}?token={}&error={error}", url_encode(token))).into_response()
    };
    if form.new_password != form.confirm_password {
        return Ok(back("mismatch"));
    }
    if let Err(problem) = check_new_password(&form.new_password) {
        return Ok(back(problem.code()));
    }
    let hash = password::hash(form.new_password).await?;
    let link = match consume(&st.db, token, &hash.0).await? {
        Ok(link) => link,
        // The page says why the link no longer works.
        Err(_) => return Ok(back("link")),
    };
    audit::record(
        &st.db,
        audit::Entry {
            actor_user_id: Some(link.user_id),
            actor_email: Some(&link.email),
            action: match link.purpose {
                LinkPurpose::Invitation => "user.invitation_accepted",
                LinkPurpose::PasswordReset => "password.reset",
            },
            organisation_id: link.organisation_id,
            detail: json!({}),
            client_ip: ip,
        },
    )
    .await?;
    if let Some(res) = mfa::after_password(st, link.user_id, &link.email, "/", ip).await? {
        return Ok(res);
    }
    let (token, sid) = sessions::start(&st.db, &st.cfg, link.user_id, ip, agent).await?;
    audit::record(
        &st.db,
        audit::Entry {
            actor_user_id: Some(link.user_id),
            actor_email: Some(&link.email),
            action: "login.succeeded",
            organisation_id: link.organisation_id,
            detail: json!({ "session": sid, "via": link.purpose.as_str() }),
            client_ip: ip,
        },
    )
    .await?;
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&token, st.cfg.absolute_timeout.as_secs()),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_the_query() {
        assert_eq!(token_in_query(Some("token=abc&x=1")).as_deref(), Some("abc"));
        assert_eq!(token_in_query(Some("x=1&token=")).as_deref(), Some(""));
        assert_eq!(token_in_query(Some("tokens=abc")), None);
        assert_eq!(token_in_query(None), None);
    }

    #[test]
    fn link_pages_are_the_purposes_pages() {
        assert!(is_link_page("/welcome") && is_link_page("/reset-password"));
        assert!(!is_link_page("/login/forgot"));
    }
}
