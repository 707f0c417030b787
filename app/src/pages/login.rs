//! Sign in: a plain HTML form posted to `/auth/login`, so it works before the WASM loads.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn message(error: &str, wait: Option<&str>) -> String {
    match error {
        "throttled" => wait_message(wait),
        "unavailable" => "We could not sign you in just now. Please try again shortly.".into(),
        "expired" => "That sign-in took too long or is already complete. Please sign in again.".into(),
        "mfa_failed" => "Too many wrong codes. Please sign in again.".into(),
        // One message for a wrong email and a wrong password: no hint which accounts exist.
        _ => "The email address or password is not right.".into(),
    }
}

/// What to tell someone the throttle held back: how long to wait, from the `wait` parameter
/// (whole seconds), in words.
pub fn wait_message(wait: Option<&str>) -> String {
    let secs = wait
        .and_then(|w| w.parse::<u64>().ok())
        .unwrap_or(60)
        .clamp(1, 3600);
    let when = if secs < 60 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        let mins = secs.div_ceil(60);
        format!("{mins} minute{}", if mins == 1 { "" } else { "s" })
    };
    format!("Too many attempts. Please wait {when} and try again.")
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    let error = move || {
        let q = query.read();
        q.get("error").map(|e| message(&e, q.get("wait").as_deref()))
    };
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
                {move || error().map(|e| view! { <p class="state state--error" role="alert" data-testid="login-error">{e}</p> })}
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
                <p class="small"><a href="/login/forgot" data-testid="forgot-link">"Forgot your password?"</a></p>
                <p class="muted small">"Need access? Ask your organisation's administrator, or your account manager."</p>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_said_in_words() {
        assert_eq!(
            wait_message(Some("1")),
            "Too many attempts. Please wait 1 second and try again."
        );
        assert_eq!(
            wait_message(Some("8")),
            "Too many attempts. Please wait 8 seconds and try again."
        );
        assert_eq!(
            wait_message(Some("61")),
            "Too many attempts. Please wait 2 minutes and try again."
        );
        assert_eq!(
            wait_message(Some("junk")),
            "Too many attempts. Please wait 1 minute and try again."
        );
    }
}
