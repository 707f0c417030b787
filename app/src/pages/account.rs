//! Your account: who you are signed in as, changing your password (which signs you out
//! everywhere), and the second factor (an authenticator app: required for staff, optional for
//! customers, who can set it up and remove it here).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::current_user;
use crate::api::auth::Me;
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::password::{PasswordProblem, MIN_PASSWORD_LEN};

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let query = use_query_map();
    let error = move || {
        query
            .read()
            .get("error")
            .map(|e| match PasswordProblem::from_code(&e) {
                Some(p) => p.message(),
                None if e == "current" => "Your current password is not right.".to_string(),
                None if e == "throttled" => {
                    crate::pages::login::wait_message(query.read().get("wait").as_deref())
                }
                None => "We could not change your password just now. Please try again.".to_string(),
            })
    };
    view! {
        <Title text="Your account" />
        <div class="page-head"><h1>"Your account"</h1></div>
        <Suspense fallback=|| view! { <Loading what="your account" /> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => { let me_again = me.clone(); view! {
                        <section class="card">
                            <dl class="facts">
                                <div><dt>"Name"</dt><dd>{me.display_name}</dd></div>
                                <div><dt>"Email"</dt><dd>{me.email}</dd></div>
                                <div><dt>"Role"</dt><dd>{me.role.label()}</dd></div>
                                <div><dt>"Organisation"</dt><dd>{me.organisation.unwrap_or_else(|| "Northgate Energy".into())}</dd></div>
                            </dl>
                        </section>
                        <SecondFactor me=me_again />
                    }.into_any() }
                    Ok(None) => view! { <ErrorNotice error=crate::api::ApiError::Unauthenticated /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card" aria-labelledby="pw-title">
            <h2 id="pw-title">"Change password"</h2>
            <p class="muted">"Changing your password signs you out on every device."</p>
            {move || error().map(|e| view! { <p class="state state--error" role="alert">{e}</p> })}
            <form method="post" action="/auth/password" class="form form--narrow">
                <label class="field"><span>"Current password"</span>
                    <input class="input" type="password" name="current_password" autocomplete="current-password" required />
                </label>
                <label class="field"><span>{format!("New password (at least {MIN_PASSWORD_LEN} characters, not a common one)")}</span>
                    <input class="input" type="password" name="new_password" autocomplete="new-password" minlength=MIN_PASSWORD_LEN.to_string() required />
                </label>
                <button class="button" type="submit">"Change password"</button>
            </form>
        </section>
    }
}

/// The authenticator app: its state, and setting it up or (customers only) removing it.
#[component]
fn SecondFactor(me: Me) -> impl IntoView {
    let query = use_query_map();
    let notice = move || {
        let q = query.read();
        match (q.get("mfa").as_deref(), q.get("mfa_error").as_deref()) {
            (Some("on"), _) => Some((true, "Your authenticator app is set up.")),
            (Some("off"), _) => Some((true, "The authenticator app is removed from your account.")),
            (_, Some("password")) => Some((false, "Your password is not right.")),
            (_, Some("required")) => Some((false, "Staff accounts must keep an authenticator app.")),
            (_, Some("already")) => Some((false, "An authenticator app is already set up.")),
            (_, Some(_)) => Some((false, "We could not do that just now. Please try again.")),
            _ => None,
        }
    };
    let required = !me.role.is_customer();
    view! {
        <section class="card" aria-labelledby="mfa-title" data-testid="second-factor">
            <h2 id="mfa-title">"Sign-in with an authenticator app"</h2>
            {move || notice().map(|(ok, n)| view! { <p class={if ok { "state state--ok" } else { "state state--error" }} role="status">{n}</p> })}
            {if me.second_factor {
                view! {
                    <p class="muted">"On: signing in asks for a code from your authenticator app after your password."</p>
                    {(!required).then(|| view! {
                        <form method="post" action="/auth/mfa/remove" class="form form--narrow">
                            <label class="field"><span>"Your password, to remove it"</span>
                                <input class="input" type="password" name="password" autocomplete="current-password" required />
                            </label>
                            <button class="button button--ghost" type="submit">"Remove the authenticator app"</button>
                        </form>
                    })}
                }.into_any()
            } else {
                view! {
                    <p class="muted">"Off. A code from an authenticator app on your phone after your password keeps your account safe even if the password leaks."</p>
                    <form method="post" action="/auth/mfa/setup" class="form form--narrow">
                        <button class="button" type="submit">"Set up an authenticator app"</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}
