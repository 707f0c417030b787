//! The query panel of an invoice (raise a query on it or one of its lines, see its threads) and
//! the thread of one query (messages, reply, and for staff: resolve), shared with the queries page.
use leptos::prelude::*;

use crate::api::queries::{
    invoice_queries, DocRef, InvoiceQueriesView, QueryThread, RaiseQuery, ReplyToQuery, ResolveQuery,
};
use crate::api::ApiError;
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::invoice::InvoiceStatus;
use crate::domain::invoice_query::{QueryStatus, MAX_MESSAGE_CHARS};
use crate::domain::units::Pence;

/// The tag class of a query's status.
pub fn query_tag(status: QueryStatus) -> &'static str {
    match status {
        QueryStatus::Open => "tag tag--amber",
        QueryStatus::Explained => "tag tag--green",
        QueryStatus::Credited => "tag",
    }
}

fn invoice_link(doc: DocRef) -> impl IntoView {
    view! { <a href=format!("/invoices?invoice={}", doc.id)>{doc.number}</a> }
}

/// Shown under an invoice's lines: its queries and, for customers, a form to raise one.
#[component]
pub fn InvoiceQueryPanel(invoice_id: i64) -> impl IntoView {
    let raise = ServerAction::<RaiseQuery>::new();
    let reply = ServerAction::<ReplyToQuery>::new();
    let resolve = ServerAction::<ResolveQuery>::new();
    let panel = Resource::new(
        move || {
            (
                invoice_id,
                raise.version().get(),
                reply.version().get(),
                resolve.version().get(),
            )
        },
        |(id, ..)| invoice_queries(id),
    );
    view! {
        <Suspense fallback=|| view! { <Loading what="queries" /> }>
            {move || Suspend::new(async move {
                match panel.await {
                    Ok(p) => view! { <Panel p raise reply resolve /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Panel(
    p: InvoiceQueriesView,
    raise: ServerAction<RaiseQuery>,
    reply: ServerAction<ReplyToQuery>,
    resolve: ServerAction<ResolveQuery>,
) -> impl IntoView {
    let status = p.status;
    let none = p.threads.is_empty();
    view! {
        <section class="card" data-testid="invoice-queries" aria-labelledby="invoice-queries-title">
            <div class="card__head">
                <h2 id="invoice-queries-title">"Queries"</h2>
                <span class="muted small">
                    "Invoice status: "
                    <span class=invoice_tag(status) data-testid="invoice-status">{status.label()}</span>
                </span>
            </div>
            {p.credits.map(|doc| view! { <p data-testid="credits">"Credit note for invoice " {invoice_link(doc)} "."</p> })}
            {p.rebills.map(|doc| view! { <p data-testid="rebills">"Re-bill of invoice " {invoice_link(doc)} ", which was credited."</p> })}
            {none.then(|| view! { <p class="muted">"No queries on this invoice."</p> })}
            {p.threads.into_iter().map(|t| view! { <Thread t reply resolve /> }).collect_view()}
            {p.can_raise.then(|| view! { <RaiseForm invoice_id=p.invoice_id lines=p.lines raise /> })}
        </section>
    }
}

fn invoice_tag(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Paid => "tag tag--green",
        InvoiceStatus::Overdue => "tag tag--red",
        InvoiceStatus::Queried => "tag tag--amber",
        InvoiceStatus::Issued | InvoiceStatus::Credited => "tag",
    }
}

#[component]
fn RaiseForm(
    invoice_id: i64,
    lines: Vec<crate::api::queries::LineChoice>,
    raise: ServerAction<RaiseQuery>,
) -> impl IntoView {
    view! {
        <ActionForm action=raise attr:class="form" attr:data-testid="raise-query">
            <h3>"Query this invoice"</h3>
            <input type="hidden" name="invoice_id" value=invoice_id.to_string() />
            <label class="field"><span>"What is it about?"</span>
                <select class="input" name="line_id">
                    <option value="">"The whole invoice"</option>
                    {lines.into_iter().map(|l| view! { <option value=l.id.to_string()>{l.label}</option> }).collect_view()}
                </select>
            </label>
            <label class="field"><span>{format!("Your message (at most {MAX_MESSAGE_CHARS} characters)")}</span>
                <textarea class="input" name="message" rows="4" required></textarea>
            </label>
            <div><button class="button" type="submit">"Raise query"</button></div>
            {action_error(raise.value())}
        </ActionForm>
    }
}

/// The error of the last submission of a form, if it failed.
fn action_error<T: Clone + Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, ApiError>>>,
) -> impl IntoView {
    move || {
        value
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorNotice error /> })
    }
}

/// One query: what it is about, its messages, and the forms the caller may use.
#[component]
pub fn Thread(
    t: QueryThread,
    reply: ServerAction<ReplyToQuery>,
    resolve: ServerAction<ResolveQuery>,
) -> impl IntoView {
    let q = t.query;
    let id = q.id;
    let credited = q.credit_note.zip(q.rebill);
    view! {
        <article class="thread" data-testid="query-thread">
            <header class="thread__head">
                <div>
                    <h3>{format!("Query on {}", q.about)}</h3>
                    <p class="muted small">
                        {format!(
                            "Invoice {} · {} · {} · raised by {} on {}",
                            q.invoice_number,
                            q.customer,
                            Pence(q.amount_pence),
                            q.raised_by,
                            q.raised_at,
                        )}
                    </p>
                </div>
                <span class=query_tag(q.status) data-testid="query-status">{q.status.label()}</span>
            </header>
            {credited.map(|(cn, rb)| view! {
                <p class="state state--ok" data-testid="credit-documents">
                    "Credit note " {invoice_link(cn)} " reverses the invoice; re-bill " {invoice_link(rb)} " replaces it."
                </p>
            })}
            <ol class="thread__messages">
                {t.messages.into_iter().map(|m| view! {
                    <li class="message" class:message--staff=m.staff>
                        <p class="message__meta small">
                            <strong>{m.author}</strong>
                            {format!(" · {} · {} · {}", m.role_label, m.kind.label(), m.at)}
                        </p>
                        <p class="message__body">{m.body}</p>
                    </li>
                }).collect_view()}
            </ol>
            {t.can_reply.then(|| view! {
                <ActionForm action=reply attr:class="form" attr:data-testid="reply-form">
                    <input type="hidden" name="query_id" value=id.to_string() />
                    <label class="field"><span>"Reply"</span>
                        <textarea class="input" name="message" rows="3" required></textarea>
                    </label>
                    <div><button class="button button--ghost" type="submit">"Send reply"</button></div>
                    {action_error(reply.value())}
                </ActionForm>
            })}
            {t.can_resolve.then(|| view! {
                <ActionForm action=resolve attr:class="form" attr:data-testid="resolve-form">
                    <input type="hidden" name="query_id" value=id.to_string() />
                    <label class="field"><span>"Resolution"</span>
                        <select class="input" name="resolution">
                            <option value="explained">"Explained: the invoice stands"</option>
                            <option value="credited">"Credit and re-bill from the half-hourly data"</option>
                        </select>
                    </label>
                    <label class="field"><span>"Message to the customer"</span>
                        <textarea class="input" name="message" rows="3" required></textarea>
                    </label>
                    <div><button class="button" type="submit">"Resolve query"</button></div>
                    {action_error(resolve.value())}
                </ActionForm>
            })}
        </article>
    }
}
