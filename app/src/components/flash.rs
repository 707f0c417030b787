//! The one-time message a form's server fn left for the next page (`api::flash`).
use leptos::prelude::*;

#[component]
pub fn Flash() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let message = crate::api::flash::take();
    #[cfg(not(feature = "ssr"))]
    let message: Option<String> = None;
    message.map(|m| view! { <p class="state state--ok flash" role="status" data-testid="flash">{m}</p> })
}
