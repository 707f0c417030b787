//! Sign in: a plain HTML form posted to `/auth/login`, so it works before the WASM loads.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn message(error: &str) -> &'static str {
    match error {
        "throttled" => "Too many attempts. Please wait 15 minutes and try again.",
        "unavailable" => "We could not sign you in just now. Please try again shortly.",
        "expired" => "That sign-in took too long or is already complete. Please sign in again.",
        "mfa_failed" => "Too many wrong codes. Please sign in again.",
        // One message for a wrong email and a wrong password: no hint which accounts exist.
        _ => "The email address or password is not right.",
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    let error = move || query.read().get("error");
    let notice = move || {
        let q = query.read();
        if q.get("signed_out").is_some() {
            Some("You have signed out.")
        } else if q.get("changed").is_some() {
            Some("Your password has changed. Please sign in again.")
        } else {
            None
        }
    };
    view! {
        <Title text="Sign in" />
        <div class="auth">
            <section class="card auth__card" aria-labelledby="signin-title">
                <h1 id="signin-title">"Sign in"</h1>
                <p class="muted">"Business customers of Northgate Energy: your sites, half-hourly data, invoices and contracts."</p>
                {move || notice().map(|n| view! { <p class="state state--ok" role="status">{n}</p> })}
                {move || error().map(|e| view! { <p class="state state--error" role="alert" data-testid="login-error">{message(&e)}</p> })}
                <form method="post" action="/auth/login" class="form">
                    <input type="hidden" name="next" value=next />
                    <label class="field">
                        <span>"Email address"</span>
                        <input class="input" type="email" name="email" autocomplete="username" required autofocus />
                    </label>
                    <label class="field">
                        <span>"Password"</span>
                        <input class="input" type="password" name="password" autocomplete="current-password" required />
                    </label>
                    <button class="button button--wide" type="submit">"Sign in"</button>
                </form>
                <p class="muted small">"Forgotten your password or need access? Contact your account manager."</p>
            </section>
        </div>
    }
}
