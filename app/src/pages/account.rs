//! Your account: who you are signed in as, and changing your password (which signs you out
//! everywhere).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::current_user;
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::password::MIN_PASSWORD_LEN;

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let query = use_query_map();
    let error = move || {
        query.read().get("error").map(|e| match e.as_str() {
            "short" => format!("The new password must have at least {MIN_PASSWORD_LEN} characters."),
            "current" => "Your current password is not right.".to_string(),
            "throttled" => crate::pages::login::wait_message(query.read().get("wait").as_deref()),
            _ => "We could not change your password just now. Please try again.".to_string(),
        })
    };
    view! {
        <Title text="Your account" />
        <div class="page-head"><h1>"Your account"</h1></div>
        <Suspense fallback=|| view! { <Loading what="your account" /> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! {
                        <section class="card">
                            <dl class="facts">
                                <div><dt>"Name"</dt><dd>{me.display_name}</dd></div>
                                <div><dt>"Email"</dt><dd>{me.email}</dd></div>
                                <div><dt>"Role"</dt><dd>{me.role.label()}</dd></div>
                                <div><dt>"Organisation"</dt><dd>{me.organisation.unwrap_or_else(|| "Northgate Energy".into())}</dd></div>
                            </dl>
                        </section>
                    }.into_any(),
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
                <label class="field"><span>{format!("New password (at least {MIN_PASSWORD_LEN} characters)")}</span>
                    <input class="input" type="password" name="new_password" autocomplete="new-password" minlength=MIN_PASSWORD_LEN.to_string() required />
                </label>
                <button class="button" type="submit">"Change password"</button>
            </form>
        </section>
    }
}
