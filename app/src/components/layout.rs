//! The frame around every page: header with brand, navigation and the signed-in user; footer.
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::auth::{current_user, Me};
use crate::api::imports::IMPORTS_PAGE;
use crate::routes::PAGES;

#[component]
pub fn Header() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    // Read the location here, outside the Suspense, where the router's context is certain.
    let location = use_location();
    view! {
        <header class="header">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <div class="header__inner">
                <a href="/" class="brand">
                    <span class="brand__mark" aria-hidden="true">"N"</span>
                    <span class="brand__name">"Northgate Energy"</span>
                    <span class="brand__product">"Business Portal"</span>
                </a>
                <Suspense fallback=|| ()>
                    {move || {
                        let location = location.clone();
                        Suspend::new(async move {
                            // Navigation only for a signed-in user; the login page stays plain.
                            me.await.ok().flatten().map(|me| view! {
                                <UserMenu me=me.clone() />
                                <Nav me=me.clone() location />
                                {me.viewing_as.then(|| view! { <ViewAsBanner organisation=me.organisation.clone().unwrap_or_default() /> })}
                            })
                        })
                    }}
                </Suspense>
            </div>
        </header>
    }
}

/// The navigation, rendered on the server (the current page marked there); only the menu button
/// that opens it on a phone runs in the browser.
#[component]
fn Nav(me: Me, location: leptos_router::location::Location) -> impl IntoView {
    let admin = me.role.sees_admin();
    let staff = me.role.is_staff();
    let here = location.pathname.get_untracked();
    view! {
        <MenuButton>
            {PAGES
                .iter()
                .filter(|p| {
                    p.in_nav
                        && (p.path != "/admin" || admin)
                        && (p.path != "/customers" || staff)
                        && (p.path != IMPORTS_PAGE || staff)
                })
                .map(|p| {
                    let current = is_current(p.path, &here);
                    view! {
                        <a
                            href=p.path
                            class=if current { "nav__link nav__link--current" } else { "nav__link" }
                            aria-current=current.then_some("page")
                        >
                            {p.label}
                        </a>
                    }
                })
                .collect_view()}
        </MenuButton>
    }
}

/// The phone-width menu: a button that opens and closes the navigation it wraps. Without the
/// client the navigation is simply shown (see `.nav` in style/main.css).
#[island]
fn MenuButton(children: Children) -> impl IntoView {
    let (open, set_open) = signal(false);
    view! {
        <button
            class="nav-toggle"
            aria-controls="primary-nav"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| set_open.update(|o| *o = !*o)
        >
            "Menu"
        </button>
        <nav id="primary-nav" class="nav" class:nav--open=open aria-label="Primary">
            {children()}
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
            <a href="/account" class="user__name">
                <span>{me.display_name}</span>
                <span class="user__org">{me.organisation.unwrap_or_else(|| me.role.label().to_string())}</span>
            </a>
            <form method="post" action="/auth/logout" class="user__logout">
                <button type="submit" class="button button--ghost button--small">"Sign out"</button>
            </form>
        </div>
    }
}

/// Shown on every page while a staff member views a customer's portal as the customer sees it.
#[component]
fn ViewAsBanner(organisation: String) -> impl IntoView {
    view! {
        <div class="view-as-banner" role="status" data-testid="view-as-banner">
            <span>
                <strong>{format!("You are viewing {organisation}'s portal as they see it.")}</strong>
                " Read-only: nothing can be changed, and this view is recorded in the audit log."
            </span>
            <form method="post" action="/auth/view-as/end" class="inline-form">
                <button type="submit" class="button button--small">"Back to my customers"</button>
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
