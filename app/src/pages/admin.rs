//! Admin: what each role administers (users, customers, audit log).
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{
    admin_overview, AdminView, AuditRow, CreateUser, CustomerRow, SetUserDisabled, SiteOption, UserRow,
};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::password::MIN_PASSWORD_LEN;
use crate::domain::role::Role;

#[component]
pub fn AdminPage() -> impl IntoView {
    let disable = ServerAction::<SetUserDisabled>::new();
    let create = ServerAction::<CreateUser>::new();
    let view_data = Resource::new(
        move || (disable.version().get(), create.version().get()),
        |_| admin_overview(),
    );
    view! {
        <Title text="Admin" />
        <div class="page-head">
            <h1>"Admin"</h1>
        </div>
        <Suspense fallback=|| view! { <Loading what="admin" /> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(AdminView::Users { organisation, users, sites }) => {
                        view! {
                            <UsersAdmin organisation users sites disable />
                            <NewUser create />
                        }.into_any()
                    }
                    Ok(AdminView::Customers { customers }) => view! {
                        <p class="page-head__lead">"The customers you look after."</p>
                        <Customers customers />
                    }.into_any(),
                    Ok(AdminView::Operations { customers, audit }) => view! {
                        <Customers customers />
                        <Audit rows=audit />
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UsersAdmin(
    organisation: String,
    users: Vec<UserRow>,
    sites: Vec<SiteOption>,
    disable: ServerAction<SetUserDisabled>,
) -> impl IntoView {
    let site_count = sites.len();
    view! {
        <section class="card" data-testid="users">
            <div class="card__head">
                <h2>{format!("Users of {organisation}")}</h2>
                <span class="muted small">{format!("{} users · {site_count} sites", users.len())}</span>
            </div>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                        <th scope="col">"Sites"</th><th scope="col">"Status"</th><th scope="col"></th>
                    </tr></thead>
                    <tbody>
                        {users.into_iter().map(|u| {
                            let id = u.id;
                            let disabled = u.disabled;
                            view! {
                                <tr>
                                    <td>{u.display_name}</td>
                                    <td>{u.email}</td>
                                    <td>{u.role.label()}</td>
                                    <td>{sites_label(u.role, u.all_sites, &u.sites)}</td>
                                    <td>{match (disabled, u.disabled_by_staff) {
                                        (true, true) => view! { <span class="tag tag--red">"Disabled by Northgate"</span> }.into_any(),
                                        (true, false) => view! { <span class="tag tag--red">"Disabled"</span> }.into_any(),
                                        _ => view! { <span class="tag tag--green">"Active"</span> }.into_any(),
                                    }}</td>
                                    <td>
                                        <ActionForm action=disable>
                                            <input type="hidden" name="user_id" value=id.to_string() />
                                            <input type="hidden" name="disabled" value=(!disabled).to_string() />
                                            <button class="button button--ghost button--small" type="submit">
                                                {if disabled { "Enable" } else { "Disable" }}
                                            </button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || disable.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        </section>
    }
}

/// What a user's sites cell says: admins and unrestricted users see every site; a restricted
/// user exactly the sites listed, and none when the list is empty.
fn sites_label(role: Role, all_sites: bool, sites: &[String]) -> String {
    if role == Role::CustomerAdmin || all_sites {
        "All sites".to_string()
    } else if sites.is_empty() {
        "No sites".to_string()
    } else {
        sites.join(", ")
    }
}

#[component]
fn NewUser(create: ServerAction<CreateUser>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="new-user-title">
            <h2 id="new-user-title">"Add a colleague"</h2>
            <p class="muted">"They sign in with this first password once, and must then choose their own."</p>
            <ActionForm action=create attr:class="form form--inline">
                <label class="field"><span>"Name"</span><input class="input" name="display_name" required /></label>
                <label class="field"><span>"Email"</span><input class="input" type="email" name="email" required /></label>
                <label class="field"><span>"Role"</span>
                    <select class="input" name="role">
                        {[Role::CustomerUser, Role::CustomerAdmin].into_iter().map(|r| view! {
                            <option value=r.as_str()>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>{format!("First password (at least {MIN_PASSWORD_LEN} characters)")}</span>
                    <input class="input" type="password" name="password" minlength=MIN_PASSWORD_LEN.to_string() autocomplete="new-password" required />
                </label>
                <button class="button" type="submit">"Add user"</button>
            </ActionForm>
            {move || create.value().get().map(|r| match r {
                Ok(_) => view! { <p class="state state--ok" role="status">"User added."</p> }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn Customers(customers: Vec<CustomerRow>) -> impl IntoView {
    if customers.is_empty() {
        return view! { <section class="card"><Empty message="No customers assigned." /></section> }
            .into_any();
    }
    view! {
        <section class="card" data-testid="customers">
            <div class="card__head"><h2>"Customers"</h2></div>
            <table class="table">
                <thead><tr>
                    <th scope="col">"Customer"</th><th scope="col">"Account"</th>
                    <th scope="col" class="num">"Sites"</th><th scope="col" class="num">"MPANs"</th>
                </tr></thead>
                <tbody>
                    {customers.into_iter().map(|c| view! {
                        <tr>
                            <td>{c.name}</td><td class="mono">{c.account_number}</td>
                            <td class="num">{c.sites}</td><td class="num">{c.supply_points}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn Audit(rows: Vec<AuditRow>) -> impl IntoView {
    view! {
        <section class="card" data-testid="audit">
            <div class="card__head"><h2>"Audit log"</h2><span class="muted small">"Most recent first · UK time"</span></div>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th>
                        <th scope="col">"Customer"</th><th scope="col">"From"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr>
                                <td class="mono">{r.at}</td><td>{r.actor}</td><td><span class="tag">{r.action}</span></td>
                                <td>{r.organisation.unwrap_or_default()}</td><td class="mono">{r.client_ip}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
