//! Queries: for account managers and operations admins, the queue of open invoice queries of their
//! customers (oldest first, with age, customer, invoice and £ at stake); for customers, every query
//! of theirs. Choosing one shows its thread, where staff reply and resolve it.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::queries::{get_query, list_queries, QueriesView, ReplyToQuery, ResolveQuery};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::units::Pence;
use crate::pages::invoice_query::{query_tag, Thread};

#[component]
pub fn QueriesPage() -> impl IntoView {
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("query").and_then(|s| s.parse::<i64>().ok()));
    let reply = ServerAction::<ReplyToQuery>::new();
    let resolve = ServerAction::<ResolveQuery>::new();
    let list = Resource::new(
        move || (reply.version().get(), resolve.version().get()),
        |_| list_queries(),
    );
    let thread = Resource::new(
        move || (selected.get(), reply.version().get(), resolve.version().get()),
        |(id, ..)| async move {
            match id {
                Some(id) => get_query(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Queries" />
        <Suspense fallback=|| view! { <Loading what="queries" /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(data) => view! { <Queue data selected /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <Loading what="the query" /> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(Some(t)) => view! { <section class="card"><Thread t reply resolve /></section> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Queue(data: QueriesView, selected: Memo<Option<i64>>) -> impl IntoView {
    let QueriesView { staff, queries } = data;
    let (title, lead, empty) = if staff {
        (
            "Open queries",
            "Invoice queries your customers raised and that are still open, oldest first.",
            "No open queries.",
        )
    } else {
        (
            "Your queries",
            "Queries you raised on invoices, and how they were resolved. Raise a query from an invoice's page.",
            "No queries yet.",
        )
    };
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            <p class="page-head__lead">{lead}</p>
        </div>
        <section class="card">
            {if queries.is_empty() {
                view! { <Empty message=empty /> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                        <table class="table" data-testid="queries">
                            <thead><tr>
                                <th scope="col">"Age"</th><th scope="col">"Customer"</th><th scope="col">"Invoice"</th>
                                <th scope="col">"About"</th><th scope="col" class="num">"Amount"</th>
                                <th scope="col">"Raised by"</th><th scope="col" class="num">"Messages"</th>
                                <th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Open"</span></th>
                            </tr></thead>
                            <tbody>
                                {queries.into_iter().map(|q| {
                                    let id = q.id;
                                    view! {
                                        <tr class:row--selected=move || selected.get() == Some(id)>
                                            <td>{q.age}</td>
                                            <td>{q.customer}</td>
                                            <td><a href=format!("/invoices?invoice={}", q.invoice_id)>{q.invoice_number}</a></td>
                                            <td>{q.about}</td>
                                            <td class="num">{Pence(q.amount_pence).to_string()}</td>
                                            <td>{q.raised_by}</td>
                                            <td class="num">{q.messages}</td>
                                            <td><span class=query_tag(q.status)>{q.status.label()}</span></td>
                                            <td><a href=format!("/queries?query={id}")>"Open thread"</a></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
