//! The page for an unknown address; answered with HTTP 404.
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <div class="page-head">
            <h1>"Page not found"</h1>
            <p class="page-head__lead">"The page you asked for does not exist or you do not have access to it."</p>
        </div>
        <a href="/" class="button">"Back to the dashboard"</a>
    }
}
