//! The steps between the password and the session: the second-factor code, setting up an
//! authenticator app (QR code and key), and the recovery codes shown once. Plain forms posted to
//! `/auth/mfa…` (works before or without the WASM), like the login page. And the page a user
//! whose password was set by an admin must use before anything else.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::mfa::{current_pending_sign_in, PendingSignIn, PendingStep};
use crate::domain::password::{PasswordProblem, MIN_PASSWORD_LEN};

fn code_error() -> impl Fn() -> Option<&'static str> {
    let query = use_query_map();
    move || {
        query
            .read()
            .get("error")
            .map(|_| "That code is not right, or was already used. Please try again.")
    }
}

/// No pending sign-in (never started, expired, or finished).
#[component]
fn NothingPending() -> impl IntoView {
    view! {
        <p class="state state--error" role="alert" data-testid="mfa-expired">
            "This sign-in has expired or is already complete. "
            <a href="/login">"Sign in again"</a>
        </p>
    }
}

/// Loads the pending sign-in and renders `f` with it (or the expired notice).
fn with_pending<V: IntoView + 'static>(
    f: impl Fn(PendingSignIn) -> Option<V> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let pending = Resource::new_blocking(|| (), |_| current_pending_sign_in());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match pending.await.ok().flatten().and_then(f) {
                    Some(v) => v.into_any(),
                    None => view! { <NothingPending /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let error = code_error();
    view! {
        <Title text="Confirm it is you" />
        <div class="auth">
            <section class="card auth__card" aria-labelledby="mfa-title">
                <h1 id="mfa-title">"Confirm it is you"</h1>
                {move || error().map(|e| view! { <p class="state state--error" role="alert" data-testid="mfa-error">{e}</p> })}
                {with_pending(|p| matches!(p.step, PendingStep::Verify).then(|| view! {
                    <p class="muted">{format!("Signing in as {}. Enter the 6-digit code from your authenticator app, or one of your recovery codes.", p.email)}</p>
                    <form method="post" action="/auth/mfa" class="form">
                        <label class="field">
                            <span>"Code"</span>
                            <input class="input" name="code" autocomplete="one-time-code" inputmode="text" maxlength="20" required autofocus />
                        </label>
                        <button class="button button--wide" type="submit">"Continue"</button>
                    </form>
                    <p class="muted small">{format!("{} attempts left.", p.attempts_left)}</p>
                }))}
            </section>
        </div>
    }
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let error = code_error();
    view! {
        <Title text="Set up your authenticator app" />
        <div class="auth">
            <section class="card auth__card" aria-labelledby="enrol-title">
                <h1 id="enrol-title">"Set up your authenticator app"</h1>
                {move || error().map(|e| view! { <p class="state state--error" role="alert" data-testid="mfa-error">{e}</p> })}
                {with_pending(|p| match p.step {
                    PendingStep::Enrol { secret, otpauth_uri, qr_code } => Some(view! {
                        <p class="muted">{format!("Signing in as {}. Your account needs a second step at sign-in: a code from an authenticator app (for example Microsoft Authenticator, Google Authenticator or 1Password).", p.email)}</p>
                        <ol class="steps">
                            <li>"Scan this QR code with the app:"</li>
                        </ol>
                        <img class="qr" src=qr_code alt="QR code for your authenticator app" width="200" height="200" data-testid="totp-qr" />
                        <p class="muted small">"Or enter this key by hand (time-based, 6 digits):"</p>
                        <p><code class="totp-secret" data-testid="totp-secret">{secret}</code></p>
                        <p class="muted small"><a href=otpauth_uri>"Open in an authenticator app on this device"</a></p>
                        <form method="post" action="/auth/mfa/enrol" class="form">
                            <label class="field">
                                <span>"Code the app shows now"</span>
                                <input class="input" name="code" autocomplete="one-time-code" inputmode="numeric" maxlength="8" required />
                            </label>
                            <button class="button button--wide" type="submit">"Confirm"</button>
                        </form>
                    }),
                    _ => None,
                })}
            </section>
        </div>
    }
}

#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    view! {
        <Title text="Your recovery codes" />
        <div class="auth">
            <section class="card auth__card" aria-labelledby="codes-title">
                <h1 id="codes-title">"Your recovery codes"</h1>
                {with_pending(|p| match p.step {
                    PendingStep::RecoveryCodes { codes } => Some(view! {
                        <p class="state state--ok" role="status">"Your authenticator app is set up."</p>
                        {if codes.is_empty() {
                            view! { <p class="muted">"The recovery codes were shown once already. If you did not keep them, sign in and set up the app again from Your account."</p> }.into_any()
                        } else {
                            view! {
                                <p class="muted">"If you lose your phone, each of these codes signs you in once instead of an app code. Keep them somewhere safe: they are shown only now."</p>
                                <ul class="recovery-codes" data-testid="recovery-codes">
                                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <form method="post" action="/auth/mfa/continue" class="form">
                            <button class="button button--wide" type="submit">"I have saved them — continue"</button>
                        </form>
                    }),
                    _ => None,
                })}
            </section>
        </div>
    }
}

/// The one page a user whose password an admin set can open until they choose their own.
#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .read()
            .get("error")
            .map(|e| match PasswordProblem::from_code(&e) {
                Some(p) => p.message(),
                None if e == "current" => "Your current password is not right.".to_string(),
                None => "We could not change your password just now. Please try again.".to_string(),
            })
    };
    view! {
        <Title text="Choose your password" />
        <div class="auth">
            <section class="card auth__card" aria-labelledby="newpw-title">
                <h1 id="newpw-title">"Choose your password"</h1>
                <p class="muted">"Your password was set by someone else. Choose your own to continue; you will then sign in with it."</p>
                {move || error().map(|e| view! { <p class="state state--error" role="alert" data-testid="password-error">{e}</p> })}
                <form method="post" action="/auth/password" class="form">
                    <label class="field"><span>"Current password"</span>
                        <input class="input" type="password" name="current_password" autocomplete="current-password" required />
                    </label>
                    <label class="field"><span>{format!("New password (at least {MIN_PASSWORD_LEN} characters, not a common one)")}</span>
                        <input class="input" type="password" name="new_password" autocomplete="new-password" minlength=MIN_PASSWORD_LEN.to_string() required />
                    </label>
                    <button class="button button--wide" type="submit">"Change password"</button>
                </form>
                <form method="post" action="/auth/logout" class="form">
                    <button class="button button--ghost button--wide" type="submit">"Sign out"</button>
                </form>
            </section>
        </div>
    }
}
