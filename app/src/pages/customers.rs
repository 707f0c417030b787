//! Your customers (account managers and operations): every customer in scope with the figures
//! that say who needs a call this week, sortable by any of them (`?sort=…&dir=asc|desc`, links,
//! so it works without JavaScript). Each figure opens that customer's own page in "view as
//! customer" (a POST form: starting the view is recorded in the audit log), and so does the
//! customer's name. Operations also assign account managers here.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::customers::{customers_overview, AccountManagerOption, CustomersView, SetAccountManager};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::consumption_buckets::format_quantity;
use crate::domain::customer_health::{sort, CustomerHealth, SortBy, CONSUMPTION_DAYS, RENEWAL_HORIZON_DAYS};
use crate::domain::units::Pence;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let query = use_query_map();
    let (by, descending) = {
        let q = query.read_untracked();
        let by = SortBy::parse(&q.get("sort").unwrap_or_default());
        let descending = match q.get("dir").as_deref() {
            Some("asc") => false,
            Some("desc") => true,
            _ => by.descending_by_default(),
        };
        (by, descending)
    };
    let data = Resource::new(|| (), |_| customers_overview());
    view! {
        <Title text="Customers" />
        <div class="page-head">
            <h1>"Your customers"</h1>
            <p class="page-head__lead">"Who needs a call this week: money owed, open queries, capacity breaches, missing data and contracts to renew. Choose a figure to open that customer's portal as they see it, read-only."</p>
        </div>
        <Suspense fallback=|| view! { <Loading what="customers" /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) if v.customers.is_empty() => view! { <Empty message="No customers are assigned to you yet. Operations assign them." /> }.into_any(),
                    Ok(v) => view! { <CustomersTable v by descending /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomersTable(v: CustomersView, by: SortBy, descending: bool) -> impl IntoView {
    let CustomersView {
        as_of,
        gaps_from,
        gaps_to,
        mut customers,
        account_managers,
        can_assign,
    } = v;
    sort(&mut customers, by, descending);
    let header = move |key: SortBy, label: &'static str, numeric: bool| {
        let current = key == by;
        let next_desc = if current {
            !descending
        } else {
            key.descending_by_default()
        };
        let href = format!(
            "/customers?sort={}&dir={}",
            key.as_str(),
            if next_desc { "desc" } else { "asc" }
        );
        let aria = current.then_some(if descending { "descending" } else { "ascending" });
        let arrow = if current {
            if descending {
                " ▼"
            } else {
                " ▲"
            }
        } else {
            ""
        };
        view! {
            <th scope="col" class:num=numeric aria-sort=aria>
                <a href=href class="sort-link">{label}{arrow}</a>
            </th>
        }
    };
    let ams = StoredValue::new(account_managers);
    view! {
        <p class="muted small" data-testid="customers-as-of">
            {format!(
                "Figures for {} (UK). Consumption: the latest {CONSUMPTION_DAYS} days with data against the {CONSUMPTION_DAYS} before. Data gaps: import half-hours missing from {} to {} (younger data may not be settled yet). Renewals: contracts ending within {RENEWAL_HORIZON_DAYS} days with no contract after them.",
                as_of.format("%-d %b %Y"), gaps_from.format("%-d %b"), gaps_to.format("%-d %b %Y")
            )}
        </p>
        <div class="table-wrap card" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table customers" data-testid="customers">
                <thead>
                    <tr>
                        {header(SortBy::Attention, "Needs", true)}
                        {header(SortBy::Name, "Customer", false)}
                        {header(SortBy::Consumption, "Import", true)}
                        {header(SortBy::Change, "Change", true)}
                        {header(SortBy::Overdue, "Overdue", true)}
                        {header(SortBy::Queries, "Open queries", true)}
                        {header(SortBy::Capacity, "Over capacity", true)}
                        {header(SortBy::Gaps, "Data gaps", true)}
                        {header(SortBy::Renewal, "Renewal", false)}
                    </tr>
                </thead>
                <tbody>
                    {customers.into_iter().map(|c| view! { <CustomerRow c can_assign ams=ams.get_value() /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A figure that opens the customer's portal at `next`, read-only.
#[component]
fn ViewAs(
    organisation_id: i64,
    next: &'static str,
    #[prop(into)] text: String,
    #[prop(optional)] alert: bool,
) -> impl IntoView {
    view! {
        <form method="post" action="/auth/view-as" class="inline-form">
            <input type="hidden" name="organisation_id" value=organisation_id />
            <input type="hidden" name="next" value=next />
            <button type="submit" class="link-button" class:link-button--alert=alert>{text}</button>
        </form>
    }
}

#[component]
fn CustomerRow(c: CustomerHealth, can_assign: bool, ams: Vec<AccountManagerOption>) -> impl IntoView {
    let id = c.organisation_id;
    let attention = c.attention();
    let change = c.consumption_change_percent();
    let import = match c.consumption_to {
        Some(to) => format!(
            "{} to {}",
            format_quantity(c.kwh_last, "kWh"),
            to.format("%-d %b")
        ),
        None => "No data".to_string(),
    };
    let change_text = change.map_or("—".to_string(), |p| {
        format!("{}{:.0} %", if p > 0.0 { "+" } else { "" }, p)
    });
    let overdue = if c.overdue_invoices > 0 {
        format!("{} · {}", c.overdue_invoices, Pence(c.overdue_pence))
    } else {
        "None".into()
    };
    let capacity = match c.over_capacity_points {
        0 => "None".to_string(),
        1 => "1 supply point".to_string(),
        n => format!("{n} supply points"),
    };
    let gaps = if c.missing_periods > 0 {
        format!(
            "{} HH at {} MPAN{}",
            c.missing_periods,
            c.gap_points,
            if c.gap_points == 1 { "" } else { "s" }
        )
    } else {
        "None".into()
    };
    let renewal = match c.next_contract_end {
        Some(d) if c.contracts_ending > 1 => {
            format!("{} ending, first {}", c.contracts_ending, d.format("%-d %b %Y"))
        }
        Some(d) => format!("Ends {}", d.format("%-d %b %Y")),
        None => "None due".into(),
    };
    let current_am = c.account_managers.join(", ");
    view! {
        <tr data-testid=format!("customer-{id}")>
            <td class="num"><span class="attention" class:attention--on={attention > 0}>{attention}</span></td>
            <td>
                <ViewAs organisation_id=id next="/" text=c.name.clone() />
                <span class="muted small">{format!(" {}", c.account_number)}</span>
                {can_assign.then(|| view! { <AssignForm organisation_id=id ams current=current_am /> })}
            </td>
            <td class="num"><ViewAs organisation_id=id next="/consumption" text=import /></td>
            <td class="num" class:up=change.is_some_and(|p| p >= 10.0) class:down=change.is_some_and(|p| p <= -10.0)>{change_text}</td>
            <td class="num"><ViewAs organisation_id=id next="/invoices" text=overdue alert={c.overdue_invoices > 0} /></td>
            <td class="num"><ViewAs organisation_id=id next="/queries" text=c.open_queries.to_string() alert={c.open_queries > 0} /></td>
            <td class="num"><ViewAs organisation_id=id next="/consumption" text=capacity alert={c.over_capacity_points > 0} /></td>
            <td class="num"><ViewAs organisation_id=id next="/consumption" text=gaps alert={c.missing_periods > 0} /></td>
            <td><ViewAs organisation_id=id next="/contracts" text=renewal alert={c.contracts_ending > 0} /></td>
        </tr>
    }
}

/// Operations: who looks after this customer (a plain form to the server fn, which redirects
/// back to this page).
#[component]
fn AssignForm(organisation_id: i64, ams: Vec<AccountManagerOption>, current: String) -> impl IntoView {
    let action = ServerAction::<SetAccountManager>::new();
    let label = format!("Account manager of customer {organisation_id}");
    view! {
        <ActionForm action attr:class="assign-form">
            <input type="hidden" name="organisation_id" value=organisation_id />
            <select name="account_manager" aria-label=label class="input input--small">
                <option value="" selected=current.is_empty()>"No account manager"</option>
                {ams.into_iter().map(|a| {
                    let selected = current.split(", ").any(|n| n == a.name);
                    view! { <option value=a.id selected=selected>{a.name}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="button button--small">"Assign"</button>
        </ActionForm>
    }
}
