//! The frame around every page: header with brand, navigation and the signed-in user; footer.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::auth::{current_user, Me};
use crate::api::imports::IMPORTS_PAGE;
use crate::routes::PAGES;

#[component]
pub fn Header() -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let me = Resource::new(|| (), |_| current_user());
    // Read the location here, outside the Suspense, where the router's context is certain.
    let location = use_location();
    view! {
        <header class="header">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <div class="header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">"N"</span>
                    <span class="brand__name">"Northgate Energy"</span>
                    <span class="brand__product">"Business Portal"</span>
                </A>
                <Suspense fallback=|| ()>
                    {move || {
                        let location = location.clone();
                        Suspend::new(async move {
                            // Navigation only for a signed-in user; the login page stays plain.
                            me.await.ok().flatten().map(|me| view! { <Nav me location menu_open set_menu_open /> })
                        })
                    }}
                </Suspense>
            </div>
        </header>
    }
}

#[component]
fn Nav(
    me: Me,
    location: leptos_router::location::Location,
    menu_open: ReadSignal<bool>,
    set_menu_open: WriteSignal<bool>,
) -> impl IntoView {
    let admin = me.role.sees_admin();
    let staff = me.role.is_staff();
    view! {
        <button
            class="nav-toggle"
            aria-controls="primary-nav"
            aria-expanded=move || menu_open.get().to_string()
            on:click=move |_| set_menu_open.update(|o| *o = !*o)
        >
            "Menu"
        </button>
        <nav id="primary-nav" class="nav" class:nav--open=menu_open aria-label="Primary">
            {PAGES
                .iter()
                .filter(|p| p.in_nav && (p.path != "/admin" || admin) && (p.path != IMPORTS_PAGE || staff))
                .map(|p| {
                    let path = p.path;
                    let current = move || is_current(path, &location.pathname.get());
                    view! {
                        <A
                            href=path
                            attr:class=move || if current() { "nav__link nav__link--current" } else { "nav__link" }
                            on:click=move |_| set_menu_open.set(false)
                        >
                            {p.label}
                        </A>
                    }
                })
                .collect_view()}
            <UserMenu me />
        </nav>
    }
}

/// Whether the nav link to `path` is the current page at `here`: its own path or one below it,
/// unless a more specific link matches (`/admin/imports` is Imports, not Admin).
fn is_current(path: &str, here: &str) -> bool {
    let within = |p: &str| {
        if p == "/" {
            here == "/"
        } else {
            here == p || here.starts_with(&format!("{p}/"))
        }
    };
    within(path)
        && !PAGES
            .iter()
            .any(|other| other.in_nav && other.path.len() > path.len() && within(other.path))
}

#[component]
fn UserMenu(me: Me) -> impl IntoView {
    view! {
        <div class="user" data-testid="user-menu">
            <A href="/account" attr:class="user__name">
                <span>{me.display_name}</span>
                <span class="user__org">{me.organisation.unwrap_or_else(|| me.role.label().to_string())}</span>
            </A>
            <form method="post" action="/auth/logout" class="user__logout">
                <button type="submit" class="button button--ghost button--small">"Sign out"</button>
            </form>
        </div>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="footer">
            <div class="footer__inner">
                <span>"Northgate Energy Supply Ltd · Business customers"</span>
                <span>"Times are UK local time (Europe/London). Half-hourly data by settlement period."</span>
                <span>"Help: 0800 000 0000 · Mon–Fri 08:00–18:00"</span>
            </div>
        </footer>
    }
}
