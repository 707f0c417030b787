//! The portal's UI (pages, components), API surface (server fns, wire types) and domain logic.
//! Compiled twice: with `ssr` into the server, with `hydrate` into the WASM client.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod pages;
pub mod routes;
pub mod shell;

/// Server-only code: application state and the sqlx store. Never reaches the WASM bundle.
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

/// WASM entry point: hydrates the page's islands (the only components compiled into the client);
/// everything else stays the HTML the server rendered.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A marker that the islands are live (event handlers attached): end-to-end tests wait for it
    // instead of guessing from network activity.
    if let Some(root) = leptos::web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
