//! Loading, error and empty states shared by pages.
use leptos::prelude::*;

use crate::api::ApiError;

#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! { <p class="state state--loading" role="status">{format!("Loading {what}…")}</p> }
}

#[component]
pub fn ErrorNotice(error: ApiError) -> impl IntoView {
    view! { <div class="state state--error" role="alert">{error.to_string()}</div> }
}

#[component]
pub fn Empty(#[prop(into)] message: String) -> impl IntoView {
    view! { <p class="state state--empty">{message}</p> }
}
