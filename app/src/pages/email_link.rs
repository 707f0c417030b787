//! Users by e-mail, the pages anyone can reach: asking for a password reset ("Forgot your
//! password?"), and the pages an e-mailed link opens — accepting an invitation and choosing a new
//! password. Plain forms posted to `/auth/forgot` and `/auth/link` (server/src/auth/email_links.rs),
//! so they work without the WASM client. A link that no longer works gets a page that says why
//! and what to do (404 for a link we never sent, 410 for one expired or used).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::email_link::{current_email_link, LinkView};
use crate::domain::email_link::{LinkPurpose, LinkState};
use crate::domain::password::{PasswordProblem, MIN_PASSWORD_LEN};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let error = move || {
        let q = query.read();
        q.get("error").map(|e| match e.as_str() {
            "throttled" => crate::pages::login::wait_message(q.get("wait").as_deref()),
            "invalid" => "Enter the e-mail address you sign in with.".to_string(),
            _ => "We could not do that just now. Please try again shortly.".to_string(),
        })
    };
    view! {
        <Title text="Forgot your password?" />
        <div class="auth">
            <section class="card auth__card" aria-labelledby="forgot-title">
                <h1 id="forgot-title">"Forgot your password?"</h1>
                {move || if sent() {
                    view! {
                        <p class="state state--ok" role="status" data-testid="reset-sent">
                            "If that address belongs to an account, we have sent it a link to choose a new password. "
                            "The link works once, for "{LinkPurpose::PasswordReset.lifetime_words()}". "
                            "If nothing arrives within a few minutes, check your junk folder, or ask your administrator."
                        </p>
                        <p><a href="/login">"Back to sign in"</a></p>
                    }.into_any()
                } else {
                    view! {
                        <p class="muted">
                            "Enter the e-mail address you sign in with. We will send you a link to choose a new password; "
                            "it works once, for "{LinkPurpose::PasswordReset.lifetime_words()}"."
                        </p>
                        {move || error().map(|e| view! { <p class="state state--error" role="alert">{e}</p> })}
                        <form method="post" action="/auth/forgot" class="form">
                            <label class="field">
                                <span>"Email address"</span>
                                <input class="input" type="email" name="email" autocomplete="username" required autofocus />
                            </label>
                            <button class="button button--wide" type="submit">"Send me a link"</button>
                        </form>
                        <p class="muted small"><a href="/login">"Back to sign in"</a></p>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

/// `/welcome?token=…`: accepting an invitation.
#[component]
pub fn WelcomePage() -> impl IntoView {
    view! { <LinkPage purpose=LinkPurpose::Invitation /> }
}

/// `/reset-password?token=…`: choosing a new password after asking for a reset.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    view! { <LinkPage purpose=LinkPurpose::PasswordReset /> }
}

fn form_error(code: &str) -> String {
    match code {
        "mismatch" => "The two passwords are not the same.".to_string(),
        "link" => "This link no longer works.".to_string(),
        other => PasswordProblem::from_code(other)
            .map(PasswordProblem::message)
            .unwrap_or_else(|| "Please try again.".to_string()),
    }
}

#[component]
fn LinkPage(purpose: LinkPurpose) -> impl IntoView {
    let link = Resource::new_blocking(|| (), |_| current_email_link());
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = move || query.read().get("error").map(|e| form_error(&e));
    let title = match purpose {
        LinkPurpose::Invitation => "Accept your invitation",
        LinkPurpose::PasswordReset => "Choose a new password",
    };
    view! {
        <Title text=title />
        <div class="auth">
            <section class="card auth__card" aria-labelledby="link-title">
                <h1 id="link-title">{title}</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let view = link.await.ok().flatten().unwrap_or(LinkView {
                            purpose: None,
                            state: LinkState::Unknown,
                            email: None,
                            display_name: None,
                            organisation: None,
                            expires: None,
                        });
                        // A link opened on the other kind's page is not this page's link.
                        let state = if view.purpose.is_some_and(|p| p != purpose) { LinkState::Unknown } else { view.state };
                        match state.problem(view.purpose.or(Some(purpose))) {
                            Some(problem) => view! {
                                <p class="state state--error" role="alert" data-testid="link-problem">{problem}</p>
                                {(purpose == LinkPurpose::PasswordReset).then(|| view! {
                                    <p><a class="button" href="/login/forgot">"Ask for a new link"</a></p>
                                })}
                                <p class="muted small"><a href="/login">"Go to sign in"</a></p>
                            }.into_any(),
                            None => view! {
                                <LinkForm purpose view token=token() error=error() />
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
fn LinkForm(purpose: LinkPurpose, view: LinkView, token: String, error: Option<String>) -> impl IntoView {
    let who = view.email.clone().unwrap_or_default();
    let lead = match purpose {
        LinkPurpose::Invitation => format!(
            "Welcome, {}. You have been invited to the portal for {} as {}. Choose your password to finish setting up your account.",
            view.display_name.clone().unwrap_or_default(),
            view.organisation.clone().unwrap_or_else(|| "your organisation".into()),
            who
        ),
        LinkPurpose::PasswordReset => format!(
            "Choose a new password for {who}. This signs you out on every other device."
        ),
    };
    view! {
        <p class="muted" data-testid="link-lead">{lead}</p>
        <p class="muted small">{format!(
            "This link works once, until {} (UK time).",
            view.expires.clone().unwrap_or_default()
        )}</p>
        {error.map(|e| view! { <p class="state state--error" role="alert" data-testid="link-error">{e}</p> })}
        <form method="post" action="/auth/link" class="form">
            <input type="hidden" name="token" value=token />
            // The address, for password managers.
            <input type="hidden" name="username" autocomplete="username" value=who />
            <label class="field">
                <span>{format!("New password (at least {MIN_PASSWORD_LEN} characters, not a common one)")}</span>
                <input class="input" type="password" name="new_password" autocomplete="new-password" minlength=MIN_PASSWORD_LEN.to_string() required autofocus />
            </label>
            <label class="field">
                <span>"The same password again"</span>
                <input class="input" type="password" name="confirm_password" autocomplete="new-password" minlength=MIN_PASSWORD_LEN.to_string() required />
            </label>
            <button class="button button--wide" type="submit">"Set my password and sign in"</button>
        </form>
    }
}
