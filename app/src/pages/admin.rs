//! Admin: what each role administers. Customer admins manage their organisation's users; account
//! managers see the customers they look after; operations admins see every customer, manage any
//! customer's users (`/admin?org=ID`) and read the audit log.
//!
//! Managing users: invite a colleague by e-mail (role and sites chosen up front), send an
//! invitation again, change a user's role within the organisation, restrict a customer user to
//! chosen sites, disable and enable; each user's last sign-in (or invitation) is shown. Every
//! control is an `ActionForm`, so it works without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::admin::{
    admin_overview, AdminView, AuditRow, CustomerRow, SetUserDisabled, SetUserSites, SiteOption,
    StaffSetUserDisabled, UserRow,
};
use crate::api::users::{
    organisation_users, InviteUser, OrganisationUserList, ResendInvitation, SetUserRole,
};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::email_link::LinkPurpose;
use crate::domain::role::Role;

/// The user-management actions of the page; any of them done reloads the data.
#[derive(Clone, Copy)]
struct UserActions {
    disable: ServerAction<SetUserDisabled>,
    staff_disable: ServerAction<StaffSetUserDisabled>,
    sites: ServerAction<SetUserSites>,
    role: ServerAction<SetUserRole>,
    invite: ServerAction<InviteUser>,
    reinvite: ServerAction<ResendInvitation>,
}

impl UserActions {
    fn new() -> Self {
        UserActions {
            disable: ServerAction::new(),
            staff_disable: ServerAction::new(),
            sites: ServerAction::new(),
            role: ServerAction::new(),
            invite: ServerAction::new(),
            reinvite: ServerAction::new(),
        }
    }

    fn version(self) -> usize {
        self.disable.version().get()
            + self.staff_disable.version().get()
            + self.sites.version().get()
            + self.role.version().get()
            + self.invite.version().get()
            + self.reinvite.version().get()
    }

    /// The error of the last change that failed, if the last change of its kind failed.
    fn error(self) -> Option<crate::api::ApiError> {
        let err = |r: Option<Result<(), crate::api::ApiError>>| r.and_then(Result::err);
        err(self.disable.value().get())
            .or_else(|| err(self.staff_disable.value().get()))
            .or_else(|| err(self.sites.value().get()))
            .or_else(|| err(self.role.value().get()))
            .or_else(|| self.reinvite.value().get().and_then(Result::err))
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let actions = UserActions::new();
    let query = use_query_map();
    let org = move || query.read().get("org").and_then(|v| v.parse::<i64>().ok());
    let view_data = Resource::new(move || actions.version(), |_| admin_overview());
    let chosen = Resource::new(
        move || (org(), actions.version()),
        |(org, _)| async move {
            match org {
                Some(o) => organisation_users(o).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Admin" />
        <div class="page-head">
            <h1>"Admin"</h1>
        </div>
        <Suspense fallback=|| view! { <Loading what="admin" /> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(AdminView::Users { organisation_id, you, organisation, users, sites }) => {
                        let data = OrganisationUserList { organisation_id, you, organisation, users, sites };
                        view! { <ManageUsers data actions staff=false /> }.into_any()
                    }
                    Ok(AdminView::Customers { customers }) => view! {
                        <p class="page-head__lead">"The customers you look after."</p>
                        <Customers customers manage=false />
                    }.into_any(),
                    Ok(AdminView::Operations { customers, audit }) => view! {
                        <Suspense fallback=|| view! { <Loading what="users" /> }>
                            {move || Suspend::new(async move {
                                match chosen.await {
                                    Ok(Some(data)) => view! {
                                        <p><a href="/admin">"← All customers"</a></p>
                                        <ManageUsers data actions staff=true />
                                    }.into_any(),
                                    Ok(None) => ().into_any(),
                                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                                }
                            })}
                        </Suspense>
                        <Customers customers manage=true />
                        <Audit rows=audit />
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An organisation's users with their controls, and the invitation form.
#[component]
fn ManageUsers(data: OrganisationUserList, actions: UserActions, staff: bool) -> impl IntoView {
    let OrganisationUserList {
        organisation_id,
        you,
        organisation,
        users,
        sites,
    } = data;
    let site_count = sites.len();
    let sites_for_rows = sites.clone();
    view! {
        <section class="card" data-testid="users">
            <div class="card__head">
                <h2>{format!("Users of {organisation}")}</h2>
                <span class="muted small">{format!("{} users · {site_count} sites", users.len())}</span>
            </div>
            {move || actions.error().map(|error| view! { <ErrorNotice error /> })}
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                <table class="table table--stack users-table">
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Role"</th>
                        <th scope="col">"Sites"</th><th scope="col">"Last sign-in"</th><th scope="col">"Status"</th>
                    </tr></thead>
                    <tbody>
                        {users.into_iter().map(|u| view! {
                            <UserLine is_you={u.id == you} user=u sites=sites_for_rows.clone() actions staff />
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <Invite organisation_id=staff.then_some(organisation_id) sites invite=actions.invite />
    }
}

#[component]
fn UserLine(
    user: UserRow,
    is_you: bool,
    sites: Vec<SiteOption>,
    actions: UserActions,
    staff: bool,
) -> impl IntoView {
    let id = user.id;
    let email = user.email.clone();
    let email_shown = user.email.clone();
    let role_label = format!("Role of {}", user.email);
    let name = user.display_name.clone();
    let disabled = user.disabled;
    let restricted = user.role == Role::CustomerUser;
    let label = sites_label(user.role, user.all_sites, &user.sites);
    let signed_in = match (&user.last_sign_in, &user.invitation_until, user.invited) {
        (Some(at), _, _) => view! { <span class="mono">{at.clone()}</span> }.into_any(),
        (None, Some(until), _) => view! {
            <span class="tag">"Invited"</span>
            <span class="muted small">{format!(" link works until {until}")}</span>
        }
        .into_any(),
        (None, None, true) => view! { <span class="tag tag--red">"Invitation expired"</span> }.into_any(),
        (None, None, false) => view! { <span class="muted">"Never"</span> }.into_any(),
    };
    let can_reinvite = user.invited && !disabled;
    let checked_sites = user.site_ids.clone();
    let all_sites = user.all_sites;
    let role_now = user.role;
    view! {
        <tr data-testid="user-row" data-email=email>
            <td>
                <strong>{name}</strong><br />
                <span class="muted small">{email_shown}</span>
            </td>
            <td data-label="Role">
                {if is_you { view! { <span>{role_now.label()}</span> <span class="muted small">" (you)"</span> }.into_any() } else { view! {
                <ActionForm action=actions.role attr:class="form form--row">
                    <input type="hidden" name="user_id" value=id.to_string() />
                    <label class="visually-hidden" for=format!("role-{id}")>{role_label}</label>
                    <select class="input input--small" name="role" id=format!("role-{id}")>
                        {[Role::CustomerUser, Role::CustomerAdmin].into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == role_now>{r.label()}</option>
                        }).collect_view()}
                    </select>
                    <button class="button button--ghost button--small" type="submit">"Change role"</button>
                </ActionForm>
                }.into_any() }}
            </td>
            <td data-label="Sites">
                <span data-testid="user-sites">{label}</span>
                {restricted.then(|| view! {
                    <details class="site-picker">
                        <summary>"Choose sites"</summary>
                        <ActionForm action=actions.sites attr:class="form">
                            <input type="hidden" name="user_id" value=id.to_string() />
                            <label class="check"><input type="checkbox" name="all_sites" value="true" checked=all_sites />"Every site, including sites added later"</label>
                            <fieldset class="checks">
                                <legend class="small muted">"Or only these sites:"</legend>
                                {sites.iter().map(|s| {
                                    let on = !all_sites && checked_sites.contains(&s.id);
                                    view! {
                                        <label class="check"><input type="checkbox" name="site_ids[]" value=s.id.to_string() checked=on />{s.name.clone()}</label>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <button class="button button--small" type="submit">"Save sites"</button>
                        </ActionForm>
                    </details>
                })}
            </td>
            <td data-label="Last sign-in">{signed_in}</td>
            <td data-label="Status">
                {match (disabled, user.disabled_by_staff) {
                    (true, true) => view! { <span class="tag tag--red">"Disabled by Northgate"</span> }.into_any(),
                    (true, false) => view! { <span class="tag tag--red">"Disabled"</span> }.into_any(),
                    _ => view! { <span class="tag tag--green">"Active"</span> }.into_any(),
                }}
                {if is_you {
                    ().into_any()
                } else if staff {
                    view! {
                        <ActionForm action=actions.staff_disable>
                            <input type="hidden" name="user_id" value=id.to_string() />
                            <input type="hidden" name="disabled" value=(!disabled).to_string() />
                            <button class="button button--ghost button--small" type="submit">{if disabled { "Enable" } else { "Disable" }}</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! {
                        <ActionForm action=actions.disable>
                            <input type="hidden" name="user_id" value=id.to_string() />
                            <input type="hidden" name="disabled" value=(!disabled).to_string() />
                            <button class="button button--ghost button--small" type="submit">{if disabled { "Enable" } else { "Disable" }}</button>
                        </ActionForm>
                    }.into_any()
                }}
                {can_reinvite.then(|| view! {
                    <ActionForm action=actions.reinvite>
                        <input type="hidden" name="user_id" value=id.to_string() />
                        <button class="button button--ghost button--small" type="submit">"Send the invitation again"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
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
fn Invite(
    organisation_id: Option<i64>,
    sites: Vec<SiteOption>,
    invite: ServerAction<InviteUser>,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="invite-title" data-testid="invite">
            <h2 id="invite-title">"Invite a colleague"</h2>
            <p class="muted">{format!(
                "We e-mail them a link to choose their own password. The link works once, for {}; you can send a new one from the list above.",
                LinkPurpose::Invitation.lifetime_words()
            )}</p>
            <ActionForm action=invite attr:class="form">
                {organisation_id.map(|o| view! { <input type="hidden" name="organisation_id" value=o.to_string() /> })}
                <div class="form form--inline">
                    <label class="field"><span>"Name"</span><input class="input" name="display_name" required maxlength="120" /></label>
                    <label class="field"><span>"Email"</span><input class="input" type="email" name="email" required /></label>
                    <label class="field"><span>"Role"</span>
                        <select class="input" name="role">
                            {[Role::CustomerUser, Role::CustomerAdmin].into_iter().map(|r| view! {
                                <option value=r.as_str()>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <fieldset class="checks">
                    <legend>"Sites they may see (customer admins see every site)"</legend>
                    <label class="check"><input type="checkbox" name="all_sites" value="true" />"Every site, including sites added later"</label>
                    {sites.into_iter().map(|s| view! {
                        <label class="check"><input type="checkbox" name="site_ids[]" value=s.id.to_string() />{s.name}</label>
                    }).collect_view()}
                </fieldset>
                <button class="button" type="submit">"Send invitation"</button>
            </ActionForm>
            // A success comes back as the page's one-time message (`api::flash`) after the
            // form's redirect; an error, through the form's own error path.
            {move || invite.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        </section>
    }
}

#[component]
fn Customers(customers: Vec<CustomerRow>, manage: bool) -> impl IntoView {
    if customers.is_empty() {
        return view! { <section class="card"><Empty message="No customers assigned." /></section> }
            .into_any();
    }
    view! {
        <section class="card" data-testid="customers">
            <div class="card__head"><h2>"Customers"</h2></div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table">
                <thead><tr>
                    <th scope="col">"Customer"</th><th scope="col">"Account"</th>
                    <th scope="col" class="num">"Sites"</th><th scope="col" class="num">"MPANs"</th>
                    {manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Users"</span></th> })}
                </tr></thead>
                <tbody>
                    {customers.into_iter().map(|c| view! {
                        <tr>
                            <td>{c.name.clone()}</td><td class="mono">{c.account_number}</td>
                            <td class="num">{c.sites}</td><td class="num">{c.supply_points}</td>
                            {manage.then(|| view! {
                                <td><a href=format!("/admin?org={}", c.id)>{format!("Manage users of {}", c.name)}</a></td>
                            })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Audit(rows: Vec<AuditRow>) -> impl IntoView {
    view! {
        <section class="card" data-testid="audit">
            <div class="card__head"><h2>"Audit log"</h2><span class="muted small">"Most recent first · UK time"</span></div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
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
