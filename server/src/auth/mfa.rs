//! The second factor at sign-in (TOTP, see `totp`), and its enrolment.
//!
//! After a right password, a user with a confirmed authenticator, and any account manager or
//! operations admin (who must have one), gets a *pending sign-in* instead of a session: a random
//! token in its own cookie (`__Host-portal_mfa`, 5 minutes), whose SHA-256 keys an
//! `mfa_challenges` row bound to the user. It is no session: the session middleware never reads
//! it, and it opens only the steps below. Five wrong codes end it (back to the password), each
//! one recorded in the audit log.
//!
//! ```text
//! POST /auth/login ─ right password ─► confirmed TOTP?  ── yes ─► /login/mfa (code or recovery code)
//!                                        │ no, staff            POST /auth/mfa ─► session
//!                                        ▼
//!                                      /login/enrol (QR, key) ─ POST /auth/mfa/enrol (first code)
//!                                        ─► /login/recovery-codes (shown once)
//!                                        ─► POST /auth/mfa/continue ─► session
//! /account (signed in) ─ POST /auth/mfa/setup ─► /login/enrol ─► … ─► back to /account
//!                      ─ POST /auth/mfa/remove (password; customers only)
//! ```
//!
//! All plain form posts answered with redirects, like the login form, so they work without the
//! WASM client. The pages read the pending step through `app::api::mfa::current_pending_sign_in`, from the
//! request extension `authenticate` puts there (`pending_view`).
use app::api::mfa::{PendingSignIn, PendingStep};
use app::auth::Identity;
use app::domain::role::Role;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use data_encoding::BASE64URL_NOPAD;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::middleware::{client_ip, cookie_value, session_cookie, AuthState};
use super::{audit, password, sessions, throttle, totp};

pub const PENDING_COOKIE: &str = "__Host-portal_mfa";
/// How long a pending sign-in lasts, at each step.
pub const PENDING_MINUTES: i32 = 5;
/// Wrong codes a pending sign-in survives; the next ends it.
pub const MAX_FAILURES: i32 = 5;

/// The pages of the pending steps (public: no session exists yet).
pub const VERIFY_PAGE: &str = "/login/mfa";
pub const ENROL_PAGE: &str = "/login/enrol";
pub const CODES_PAGE: &str = "/login/recovery-codes";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Verify,
    Enrol,
    Codes,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Step::Verify => "verify",
            Step::Enrol => "enrol",
            Step::Codes => "codes",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Step::Verify, Step::Enrol, Step::Codes]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    fn page(self) -> &'static str {
        match self {
            Step::Verify => VERIFY_PAGE,
            Step::Enrol => ENROL_PAGE,
            Step::Codes => CODES_PAGE,
        }
    }
}

fn pending_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{PENDING_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
        PENDING_MINUTES * 60
    ))
    .unwrap_or_else(|_| expired_pending_cookie())
}

fn expired_pending_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-portal_mfa=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("no randomness"))?;
    Ok(BASE64URL_NOPAD.encode(&bytes))
}

fn codes_context(user_id: i64) -> String {
    format!("mfa_challenges.codes:{user_id}")
}

fn redirect_with(to: &str, cookie: HeaderValue) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie);
    res
}

/// Back to the password: the pending sign-in is over (expired, too many wrong codes, finished).
fn restart(error: &str) -> Response {
    redirect_with(&format!("/login?error={error}"), expired_pending_cookie())
}

/// Account managers and operations admins reach other organisations' data: a second factor is
/// required for them.
pub fn required_for(role: Role) -> bool {
    !role.is_customer()
}

/// Starts a pending sign-in at `step` for `user_id` (replacing any other of that user, and
/// clearing expired ones of anyone) and returns the response that sends the browser to it.
async fn begin(
    st: &AuthState,
    user_id: i64,
    step: Step,
    next: &str,
    from_session: Option<uuid::Uuid>,
) -> anyhow::Result<Response> {
    let token = new_token()?;
    sqlx::query!(
        "DELETE FROM mfa_challenges WHERE user_id = $1 OR expires_at < now()",
        user_id
    )
    .execute(&st.db)
    .await?;
    sqlx::query!(
        "INSERT INTO mfa_challenges (token_hash, user_id, step, next_path, from_session, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6))",
        token_hash(&token),
        user_id,
        step.as_str(),
        next,
        from_session,
        PENDING_MINUTES
    )
    .execute(&st.db)
    .await?;
    Ok(redirect_with(step.page(), pending_cookie(&token)))
}

/// A fresh, unconfirmed secret for the user (replacing an unconfirmed one; a confirmed one is
/// never replaced here). False when the user already has a confirmed authenticator.
async fn new_enrolment(st: &AuthState, user_id: i64) -> anyhow::Result<bool> {
    let secret = totp::new_secret()?;
    let sealed = st.cfg.sealing_key.seal(&totp::secret_context(user_id), &secret)?;
    let n = sqlx::query!(
        "INSERT INTO user_totp (user_id, secret) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, last_used_step = NULL, created_at = now()
         WHERE user_totp.confirmed_at IS NULL",
        user_id,
        sealed
    )
    .execute(&st.db)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The sign-in hook after a right password (`handlers::try_login`): `Some(response)` when a
/// second step comes first (no session yet), `None` when the session may start now. `next` is
/// the already-vetted local path to go to in the end.
pub async fn after_password(
    st: &AuthState,
    user_id: i64,
    email: &str,
    next: &str,
    ip: &str,
) -> anyhow::Result<Option<Response>> {
    let row = sqlx::query!(
        r#"SELECT u.role AS "role: Role", u.organisation_id,
                  EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS "confirmed!"
           FROM users u WHERE u.id = $1"#,
        user_id
    )
    .fetch_one(&st.db)
    .await?;
    let step = if row.confirmed {
        Step::Verify
    } else if required_for(row.role) {
        new_enrolment(st, user_id).await?;
        Step::Enrol
    } else {
        return Ok(None);
    };
    audit::record(
        &st.db,
        audit::Entry {
            actor_user_id: Some(user_id),
            actor_email: Some(email),
            action: "login.second_factor_required",
            organisation_id: row.organisation_id,
            detail: json!({ "step": step.as_str() }),
            client_ip: ip,
        },
    )
    .await?;
    begin(st, user_id, step, next, None).await.map(Some)
}

/// A live pending sign-in, from the request's cookie.
struct Pending {
    token_hash: Vec<u8>,
    user_id: i64,
    email: String,
    organisation_id: Option<i64>,
    step: Step,
    next_path: String,
    failures: i32,
    from_session: Option<uuid::Uuid>,
}

async fn pending(st: &AuthState, cookie: Option<&str>) -> anyhow::Result<Option<Pending>> {
    let Some(token) = cookie.filter(|t| !t.is_empty() && t.len() <= 100) else {
        return Ok(None);
    };
    let row = sqlx::query!(
        r#"SELECT c.token_hash, c.user_id, u.email, u.organisation_id, c.step, c.next_path, c.failures, c.from_session
           FROM mfa_challenges c JOIN users u ON u.id = c.user_id
           WHERE c.token_hash = $1 AND c.expires_at > now() AND u.disabled_at IS NULL"#,
        token_hash(token)
    )
    .fetch_optional(&st.db)
    .await?;
    Ok(row.and_then(|r| {
        Some(Pending {
            token_hash: r.token_hash,
            user_id: r.user_id,
            email: r.email,
            organisation_id: r.organisation_id,
            step: Step::parse(&r.step)?,
            next_path: r.next_path,
            failures: r.failures,
            from_session: r.from_session,
        })
    }))
}

pub fn pending_token(req: &Request) -> Option<String> {
    cookie_value(req, PENDING_COOKIE).map(str::to_owned)
}

/// What the pending-step pages show, for `authenticate` to put in the request's extensions (read
/// by `app::api::mfa::current_pending_sign_in`). Recovery codes are handed over once: reading them
/// clears them from the row.
pub async fn pending_view(
    st: &AuthState,
    pending_cookie: Option<&str>,
) -> anyhow::Result<Option<PendingSignIn>> {
    let Some(p) = pending(st, pending_cookie).await? else {
        return Ok(None);
    };
    let step = match p.step {
        Step::Verify => PendingStep::Verify,
        Step::Enrol => {
            let sealed = sqlx::query_scalar!(
                "SELECT secret FROM user_totp WHERE user_id = $1 AND confirmed_at IS NULL",
                p.user_id
            )
            .fetch_optional(&st.db)
            .await?;
            let Some(sealed) = sealed else {
                return Ok(None);
            };
            let secret = st
                .cfg
                .sealing_key
                .open(&totp::secret_context(p.user_id), &sealed)?;
            let uri = totp::otpauth_uri(&secret, &p.email);
            PendingStep::Enrol {
                secret: totp::secret_for_display(&secret),
                qr_code: totp::qr_data_uri(&uri)?,
                otpauth_uri: uri,
            }
        }
        Step::Codes => {
            let sealed = sqlx::query_scalar!(
                r#"UPDATE mfa_challenges n SET codes = NULL
                   FROM mfa_challenges o WHERE n.token_hash = o.token_hash AND n.token_hash = $1
                   RETURNING o.codes"#,
                p.token_hash
            )
            .fetch_optional(&st.db)
            .await?
            .flatten();
            let codes = match sealed {
                Some(s) => String::from_utf8(st.cfg.sealing_key.open(&codes_context(p.user_id), &s)?)?
                    .lines()
                    .map(str::to_owned)
                    .collect(),
                None => Vec::new(),
            };
            PendingStep::RecoveryCodes { codes }
        }
    };
    Ok(Some(PendingSignIn {
        email: p.email,
        step,
        attempts_left: (MAX_FAILURES - p.failures).max(0) as u32,
    }))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

/// Which factor a code proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Factor {
    Totp,
    RecoveryCode,
}

impl Factor {
    fn as_str(self) -> &'static str {
        match self {
            Factor::Totp => "totp",
            Factor::RecoveryCode => "recovery_code",
        }
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Checks `code` against the user's confirmed authenticator (a step later than the last one
/// used: each code counts once) or, failing that, their unused recovery codes (each used once).
/// The state changes in single conditional UPDATEs, so two requests with one code cannot both
/// pass.
async fn check_code(st: &AuthState, user_id: i64, code: &str) -> anyhow::Result<Option<Factor>> {
    let code = code.trim();
    if code.is_empty() || code.len() > 64 {
        return Ok(None);
    }
    if code
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| c.is_ascii_digit())
    {
        let sealed = sqlx::query_scalar!(
            "SELECT secret FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL",
            user_id
        )
        .fetch_optional(&st.db)
        .await?;
        let Some(sealed) = sealed else { return Ok(None) };
        let secret = st.cfg.sealing_key.open(&totp::secret_context(user_id), &sealed)?;
        let Some(step) = totp::matching_step(&secret, code, unix_now()) else {
            return Ok(None);
        };
        let n = sqlx::query!(
            "UPDATE user_totp SET last_used_step = $2
             WHERE user_id = $1 AND confirmed_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < $2)",
            user_id,
            step
        )
        .execute(&st.db)
        .await?
        .rows_affected();
        return Ok((n == 1).then_some(Factor::Totp));
    }
    let used = sqlx::query_scalar!(
        "UPDATE user_recovery_codes SET used_at = now()
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id",
        user_id,
        totp::recovery_code_hash(code)
    )
    .fetch_optional(&st.db)
    .await?;
    Ok(used.map(|_| Factor::RecoveryCode))
}

/// Counts a code attempt on the pending sign-in *before* the code is checked, in one conditional
/// UPDATE: parallel guesses on one pending sign-in are counted one by one and only the allowed
/// number is ever checked (checking first and counting after let a burst of parallel requests all
/// be checked). `None`: no attempts left; the pending sign-in is ended.
async fn reserve_code_attempt(st: &AuthState, p: &Pending) -> Result<Option<i32>, sqlx::Error> {
    let failures = sqlx::query_scalar!(
        "UPDATE mfa_challenges SET failures = failures + 1
         WHERE token_hash = $1 AND failures < $2 AND expires_at > now() RETURNING failures",
        p.token_hash,
        MAX_FAILURES
    )
    .fetch_optional(&st.db)
    .await?;
    if failures.is_none() {
        end(st, p).await?;
    }
    Ok(failures)
}

/// A wrong code (already counted by [`reserve_code_attempt`]): in the audit log, and a failed
/// sign-in attempt for the password throttle too, so starting over with the password again and
/// again does not buy unlimited code guesses (the throttle's delays apply to the next password
/// step). The last allowed one ends the pending sign-in.
async fn wrong_code(st: &AuthState, p: &Pending, ip: &str, failures: i32) -> anyhow::Result<Response> {
    throttle::record_failure(&st.db, &p.email, ip).await?;
    audit::record(
        &st.db,
        audit::Entry {
            actor_user_id: Some(p.user_id),
            actor_email: Some(&p.email),
            action: "mfa.failed",
            organisation_id: p.organisation_id,
            detail: json!({ "step": p.step.as_str(), "failures": failures }),
            client_ip: ip,
        },
    )
    .await?;
    if failures >= MAX_FAILURES {
        end(st, p).await?;
        return Ok(restart("mfa_failed"));
    }
    Ok(Redirect::to(&format!("{}?error=code", p.step.page())).into_response())
}

async fn end(st: &AuthState, p: &Pending) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM mfa_challenges WHERE token_hash = $1", p.token_hash)
        .execute(&st.db)
        .await
        .map(|_| ())
}

/// The pending sign-in is complete: the session starts (or, for an enrolment started from a
/// signed-in session, that session carries on).
async fn finish(
    st: &AuthState,
    p: &Pending,
    factor: &str,
    current: Option<&Identity>,
    ip: &str,
    agent: &str,
) -> anyhow::Result<Response> {
    end(st, p).await?;
    if let Some(from) = p.from_session {
        // Started from a signed-in session: only that session finishes it, and it carries on.
        return Ok(match current {
            Some(id) if id.session_id == from && id.user_id == p.user_id => {
                redirect_with(&p.next_path, expired_pending_cookie())
            }
            _ => restart("expired"),
        });
    }
    let (token, sid) = sessions::start(&st.db, &st.cfg, p.user_id, ip, agent).await?;
    audit::record(
        &st.db,
        audit::Entry {
            actor_user_id: Some(p.user_id),
            actor_email: Some(&p.email),
            action: "login.succeeded",
            organisation_id: p.organisation_id,
            detail: json!({ "session": sid, "second_factor": factor }),
            client_ip: ip,
        },
    )
    .await?;
    let mut res = redirect_with(&p.next_path, expired_pending_cookie());
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&token, st.cfg.absolute_timeout.as_secs()),
    );
    Ok(res)
}

fn user_agent(req: &Request) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The parts of a request the handlers below need, and its form.
async fn read<T: serde::de::DeserializeOwned>(
    st: &AuthState,
    req: Request,
) -> (String, String, Option<String>, Option<Identity>, Option<T>) {
    use axum::extract::FromRequest;
    let ip = client_ip(&req, st.on_lambda);
    let agent = user_agent(&req);
    let token = pending_token(&req);
    let identity = req.extensions().get::<Identity>().cloned();
    let form = Form::<T>::from_request(req, &()).await.ok().map(|Form(f)| f);
    (ip, agent, token, identity, form)
}

fn failed(what: &str, e: anyhow::Error) -> Response {
    tracing::error!(error = %e, "{what} failed with an internal error");
    restart("unavailable")
}

/// `POST /auth/mfa`: the code (or a recovery code) of a user with an authenticator.
pub async fn verify(State(st): State<AuthState>, req: Request) -> Response {
    let (ip, agent, token, identity, form) = read::<CodeForm>(&st, req).await;
    let result: anyhow::Result<Response> = async {
        let Some(p) = pending(&st, token.as_deref())
            .await?
            .filter(|p| p.step == Step::Verify)
        else {
            return Ok(restart("expired"));
        };
        let code = form.map(|f| f.code).unwrap_or_default();
        let Some(failures) = reserve_code_attempt(&st, &p).await? else {
            return Ok(restart("mfa_failed"));
        };
        match check_code(&st, p.user_id, &code).await? {
            Some(factor) => finish(&st, &p, factor.as_str(), identity.as_ref(), &ip, &agent).await,
            None => wrong_code(&st, &p, &ip, failures).await,
        }
    }
    .await;
    result.unwrap_or_else(|e| failed("second-factor check", e))
}

/// `POST /auth/mfa/enrol`: the first code from a newly set-up authenticator confirms it; then ten
/// recovery codes are made (replacing any old ones) and shown once.
pub async fn confirm_enrolment(State(st): State<AuthState>, req: Request) -> Response {
    let (ip, _agent, token, _identity, form) = read::<CodeForm>(&st, req).await;
    let result: anyhow::Result<Response> = async {
        let Some(p) = pending(&st, token.as_deref())
            .await?
            .filter(|p| p.step == Step::Enrol)
        else {
            return Ok(restart("expired"));
        };
        let code = form.map(|f| f.code).unwrap_or_default();
        let Some(failures) = reserve_code_attempt(&st, &p).await? else {
            return Ok(restart("mfa_failed"));
        };
        let sealed = sqlx::query_scalar!(
            "SELECT secret FROM user_totp WHERE user_id = $1 AND confirmed_at IS NULL",
            p.user_id
        )
        .fetch_optional(&st.db)
        .await?;
        let Some(sealed) = sealed else {
            end(&st, &p).await?;
            return Ok(restart("expired"));
        };
        let secret = st
            .cfg
            .sealing_key
            .open(&totp::secret_context(p.user_id), &sealed)?;
        let Some(step) = totp::matching_step(&secret, &code, unix_now()) else {
            return wrong_code(&st, &p, &ip, failures).await;
        };
        let codes = totp::new_recovery_codes()?;
        let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
        let sealed_codes = st
            .cfg
            .sealing_key
            .seal(&codes_context(p.user_id), codes.join("\n").as_bytes())?;
        let mut tx = st.db.begin().await?;
        let confirmed = sqlx::query!(
            "UPDATE user_totp SET confirmed_at = now(), last_used_step = $2
             WHERE user_id = $1 AND confirmed_at IS NULL",
            p.user_id,
            step
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if confirmed != 1 {
            return Ok(restart("expired"));
        }
        sqlx::query!("DELETE FROM user_recovery_codes WHERE user_id = $1", p.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO user_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])",
            p.user_id,
            &hashes
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE mfa_challenges SET step = 'codes', codes = $2, failures = 0,
                    expires_at = now() + make_interval(mins => $3)
             WHERE token_hash = $1",
            p.token_hash,
            sealed_codes,
            PENDING_MINUTES
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        audit::record(
            &st.db,
            audit::Entry {
                actor_user_id: Some(p.user_id),
                actor_email: Some(&p.email),
                action: "mfa.enrolled",
                organisation_id: p.organisation_id,
                detail: json!({}),
                client_ip: &ip,
            },
        )
        .await?;
        Ok(Redirect::to(CODES_PAGE).into_response())
    }
    .await;
    result.unwrap_or_else(|e| failed("second-factor enrolment", e))
}

/// `POST /auth/mfa/continue`: the recovery codes were shown; the sign-in completes.
pub async fn continue_after_codes(State(st): State<AuthState>, req: Request) -> Response {
    let (ip, agent, token, identity, _) = read::<CodeForm>(&st, req).await;
    let result: anyhow::Result<Response> = async {
        let Some(p) = pending(&st, token.as_deref())
            .await?
            .filter(|p| p.step == Step::Codes)
        else {
            return Ok(restart("expired"));
        };
        finish(&st, &p, "totp_enrolled", identity.as_ref(), &ip, &agent).await
    }
    .await;
    result.unwrap_or_else(|e| failed("second-factor enrolment", e))
}

/// `POST /auth/mfa/setup`: a signed-in user without an authenticator sets one up (optional for
/// customers); it comes back to the Account page.
pub async fn setup(State(st): State<AuthState>, identity: Option<Extension<Identity>>) -> Response {
    let Some(Extension(id)) = identity else {
        return Redirect::to("/login").into_response();
    };
    let result: anyhow::Result<Response> = async {
        if !new_enrolment(&st, id.user_id).await? {
            return Ok(Redirect::to("/account?mfa_error=already").into_response());
        }
        begin(
            &st,
            id.user_id,
            Step::Enrol,
            "/account?mfa=on",
            Some(id.session_id),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| {
        tracing::error!(error = %e, "starting a second-factor enrolment failed");
        Redirect::to("/account?mfa_error=unavailable").into_response()
    })
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    pub password: String,
}

/// `POST /auth/mfa/remove`: a customer turns the second factor off, with their password. Staff
/// cannot (it is required for them).
pub async fn remove(
    State(st): State<AuthState>,
    identity: Option<Extension<Identity>>,
    Form(form): Form<RemoveForm>,
) -> Response {
    let Some(Extension(id)) = identity else {
        return Redirect::to("/login").into_response();
    };
    if required_for(id.role) {
        return Redirect::to("/account?mfa_error=required").into_response();
    }
    let result: anyhow::Result<Response> = async {
        let stored = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", id.user_id)
            .fetch_one(&st.db)
            .await?;
        if !password::verify(form.password, Some(stored)).await {
            return Ok(Redirect::to("/account?mfa_error=password").into_response());
        }
        let mut tx = st.db.begin().await?;
        sqlx::query!("DELETE FROM user_totp WHERE user_id = $1", id.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!("DELETE FROM user_recovery_codes WHERE user_id = $1", id.user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        audit::record(
            &st.db,
            audit::Entry {
                actor_user_id: Some(id.user_id),
                actor_email: Some(&id.email),
                action: "mfa.removed",
                organisation_id: id.organisation_id,
                detail: json!({}),
                client_ip: &id.client_ip,
            },
        )
        .await?;
        Ok(Redirect::to("/account?mfa=off").into_response())
    }
    .await;
    result.unwrap_or_else(|e| {
        tracing::error!(error = %e, "removing the second factor failed");
        Redirect::to("/account?mfa_error=unavailable").into_response()
    })
}
