//! Login, logout and password change: plain HTML form posts, so they work before (or without)
//! the WASM client, and answer with redirects.
use app::auth::policy::check_new_password;
use app::auth::Identity;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::json;

use super::middleware::{client_ip, expired_cookie, session_cookie, url_encode, AuthState};
use super::redirect::safe_next;
use super::throttle::Verdict;
use super::{audit, mfa, password, sessions, throttle};

#[derive(Deserialize)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub next: String,
}

fn back_to_login(error: &str, next: &str) -> Response {
    Redirect::to(&format!(
        "/login?error={error}&next={}",
        url_encode(&safe_next(next))
    ))
    .into_response()
}

/// Sent back to the form because of the throttle: says how long to wait (whole seconds).
fn throttled(next: &str, wait: std::time::Duration) -> Response {
    Redirect::to(&format!(
        "/login?error=throttled&wait={}&next={}",
        wait.as_secs().max(1),
        url_encode(&safe_next(next))
    ))
    .into_response()
}

struct LoginUser {
    id: i64,
    password_hash: String,
    organisation_id: Option<i64>,
}

pub async fn login(State(st): State<AuthState>, req: Request) -> Response {
    let ip = client_ip(&req, st.on_lambda);
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &()).await else {
        return back_to_login("invalid", "/");
    };
    match try_login(&st, form, &ip, &agent).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "login failed with an internal error");
            back_to_login("unavailable", "/")
        }
    }
}

use axum::extract::FromRequest;

async fn try_login(st: &AuthState, form: LoginForm, ip: &str, agent: &str) -> anyhow::Result<Response> {
    let email = form.email.trim().to_lowercase();
    let email_for_log: String = email.chars().take(200).collect();
    let attempt = match throttle::reserve(&st.db, &email, ip).await? {
        Verdict::Proceed(attempt) => attempt,
        Verdict::Wait(wait) => {
            audit::record(
                &st.db,
                audit::Entry {
                    actor_user_id: None,
                    actor_email: Some(&email_for_log),
                    action: "login.throttled",
                    organisation_id: None,
                    detail: json!({ "wait_secs": wait.as_secs() }),
                    client_ip: ip,
                },
            )
            .await?;
            return Ok(throttled(&form.next, wait));
        }
    };
    let user = sqlx::query_as!(
        LoginUser,
        "SELECT id, password_hash, organisation_id FROM users WHERE email = $1 AND disabled_at IS NULL",
        email
    )
    .fetch_optional(&st.db)
    .await?;
    let ok = password::verify(form.password, user.as_ref().map(|u| u.password_hash.clone())).await;
    if ok {
        throttle::succeeded(&st.db, attempt).await?;
    }
    let (Some(user), true) = (user, ok) else {
        audit::record(
            &st.db,
            audit::Entry {
                actor_user_id: None,
                actor_email: Some(&email_for_log),
                action: "login.failed",
                organisation_id: None,
                detail: json!({}),
                client_ip: ip,
            },
        )
        .await?;
        return Ok(back_to_login("invalid", &form.next));
    };
    // A second factor (or its enrolment) comes before any session.
    if let Some(res) = mfa::after_password(st, user.id, &email_for_log, &safe_next(&form.next), ip).await? {
        return Ok(res);
    }
    let (token, sid) = sessions::start(&st.db, &st.cfg, user.id, ip, agent).await?;
    audit::record(
        &st.db,
        audit::Entry {
            actor_user_id: Some(user.id),
            actor_email: Some(&email_for_log),
            action: "login.succeeded",
            organisation_id: user.organisation_id,
            detail: json!({ "session": sid }),
            client_ip: ip,
        },
    )
    .await?;
    let mut res = Redirect::to(&safe_next(&form.next)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&token, st.cfg.absolute_timeout.as_secs()),
    );
    Ok(res)
}

pub async fn logout(State(st): State<AuthState>, identity: Option<Extension<Identity>>) -> Response {
    if let Some(Extension(id)) = identity {
        if let Err(e) = sessions::revoke(&st.db, id.session_id).await {
            tracing::error!(error = %e, "logout: could not revoke the session");
        }
        let _ = audit::record(
            &st.db,
            audit::Entry {
                actor_user_id: Some(id.user_id),
                actor_email: Some(&id.email),
                action: "logout",
                organisation_id: id.organisation_id,
                detail: json!({ "session": id.session_id }),
                client_ip: &id.client_ip,
            },
        )
        .await;
    }
    let mut res = Redirect::to("/login?signed_out=1").into_response();
    res.headers_mut().append(header::SET_COOKIE, expired_cookie());
    res
}

#[derive(Deserialize)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the password and ends every session of the user, this one included. The new one must
/// meet the policy (length, not a common password, not the current one); changing it also ends
/// the obligation to change a password an admin set.
pub async fn change_password(
    State(st): State<AuthState>,
    identity: Option<Extension<Identity>>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(Extension(id)) = identity else {
        return Redirect::to("/login").into_response();
    };
    // Errors go back to the page the form was on.
    let page = if id.must_change_password {
        "/password"
    } else {
        "/account"
    };
    if let Err(problem) = check_new_password(&form.new_password) {
        return Redirect::to(&format!("{page}?error={}", problem.code())).into_response();
    }
    if form.new_password == form.current_password {
        let problem = app::domain::password::PasswordProblem::Unchanged;
        return Redirect::to(&format!("{page}?error={}", problem.code())).into_response();
    }
    let result: anyhow::Result<Response> = async {
        // The current password is a password check like sign-in: throttled the same way, so a
        // stolen session cannot be used to guess it.
        let attempt = match throttle::reserve(&st.db, &id.email, &id.client_ip).await? {
            Verdict::Proceed(attempt) => attempt,
            Verdict::Wait(wait) => {
                return Ok(
                    Redirect::to(&format!("{page}?error=throttled&wait={}", wait.as_secs().max(1)))
                        .into_response(),
                )
            }
        };
        let stored = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", id.user_id)
            .fetch_one(&st.db)
            .await?;
        if !password::verify(form.current_password, Some(stored)).await {
            return Ok(Redirect::to(&format!("{page}?error=current")).into_response());
        }
        throttle::succeeded(&st.db, attempt).await?;
        let hash = password::hash(form.new_password).await?;
        sqlx::query!(
            "UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1",
            id.user_id,
            hash.0
        )
        .execute(&st.db)
        .await?;
        sessions::revoke_all(&st.db, id.user_id).await?;
        audit::record(
            &st.db,
            audit::Entry {
                actor_user_id: Some(id.user_id),
                actor_email: Some(&id.email),
                action: "password.changed",
                organisation_id: id.organisation_id,
                detail: json!({}),
                client_ip: &id.client_ip,
            },
        )
        .await?;
        let mut res = Redirect::to("/login?changed=1").into_response();
        res.headers_mut().append(header::SET_COOKIE, expired_cookie());
        Ok(res)
    }
    .await;
    result.unwrap_or_else(|e| {
        tracing::error!(error = %e, "password change failed");
        Redirect::to(&format!("{page}?error=unavailable")).into_response()
    })
}
