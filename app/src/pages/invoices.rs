//! Invoices: every invoice in scope with its status; choosing one shows its lines.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::billing::{get_invoice, list_invoices, InvoiceDetail, InvoiceSummary};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::invoice::InvoiceStatus;
use crate::domain::units::Pence;
use crate::pages::invoice_validation::InvoiceValidation;

fn money(p: i64) -> String {
    Pence(p).to_string()
}

fn status_tag(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Paid => "tag tag--green",
        InvoiceStatus::Overdue => "tag tag--red",
        InvoiceStatus::Queried => "tag tag--amber",
        InvoiceStatus::Issued | InvoiceStatus::Credited => "tag",
    }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("invoice").and_then(|s| s.parse::<i64>().ok()));
    let invoices = Resource::new(|| (), |_| list_invoices());
    let detail = Resource::new(
        move || selected.get(),
        |id| async move {
            match id {
                Some(id) => get_invoice(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Invoices" />
        <div class="page-head">
            <h1>"Invoices"</h1>
            <p class="page-head__lead">"Invoices by billing period, with their lines and status. Amounts in pounds; VAT at 20 %."</p>
        </div>
        <section class="card">
            <Suspense fallback=|| view! { <Loading what="invoices" /> }>
                {move || Suspend::new(async move {
                    match invoices.await {
                        Ok(list) if list.is_empty() => view! { <Empty message="No invoices yet." /> }.into_any(),
                        Ok(list) => view! { <InvoiceTable list selected /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Suspense fallback=|| view! { <Loading what="the invoice" /> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(d)) => view! { <InvoiceLines detail=d /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        {move || selected.get().map(|id| view! { <InvoiceValidation invoice_id=id /> })}
    }
}

#[component]
fn InvoiceTable(list: Vec<InvoiceSummary>, selected: Memo<Option<i64>>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="invoices">
                <thead><tr>
                    <th scope="col">"Invoice"</th><th scope="col">"Customer"</th><th scope="col">"Period"</th>
                    <th scope="col">"Due"</th><th scope="col">"Status"</th>
                    <th scope="col" class="num">"Net"</th><th scope="col" class="num">"VAT"</th><th scope="col" class="num">"Total"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|i| {
                        let id = i.id;
                        view! {
                            <tr class:row--selected=move || selected.get() == Some(id)>
                                <td><A href=format!("/invoices?invoice={id}")>{i.number}</A></td>
                                <td>{i.customer}</td>
                                <td>{format!("{} – {}", i.period_start, i.period_end)}</td>
                                <td>{i.due_on}</td>
                                <td><span class=status_tag(i.status)>{i.status.label()}</span></td>
                                <td class="num">{money(i.net_pence)}</td>
                                <td class="num">{money(i.vat_pence)}</td>
                                <td class="num"><strong>{money(i.total_pence)}</strong></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn InvoiceLines(detail: InvoiceDetail) -> impl IntoView {
    let InvoiceDetail { invoice, lines } = detail;
    let lines_total: i64 = lines.iter().map(|l| l.amount_pence).sum();
    view! {
        <section class="card" data-testid="invoice-detail">
            <div class="card__head">
                <div>
                    <h2>{format!("Invoice {}", invoice.number)}</h2>
                    <p class="muted">{format!("{} · account {} · {} – {}", invoice.customer, invoice.account_number, invoice.period_start, invoice.period_end)}</p>
                </div>
                <dl class="facts">
                    <div><dt>"Net"</dt><dd>{money(invoice.net_pence)}</dd></div>
                    <div><dt>"VAT"</dt><dd>{money(invoice.vat_pence)}</dd></div>
                    <div><dt>"Total"</dt><dd>{money(invoice.total_pence)}</dd></div>
                </dl>
            </div>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th scope="col">"Charge"</th><th scope="col" class="num">"Quantity"</th><th scope="col">"Unit"</th>
                        <th scope="col" class="num">"Rate (p)"</th><th scope="col" class="num">"Amount"</th>
                    </tr></thead>
                    <tbody>
                        {lines.into_iter().map(|l| view! {
                            <tr>
                                <td>{l.description}</td>
                                <td class="num">{l.quantity}</td>
                                <td>{l.unit}</td>
                                <td class="num">{l.rate_pence}</td>
                                <td class="num">{money(l.amount_pence)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot><tr><td colspan="4">"Lines shown"</td><td class="num"><strong>{money(lines_total)}</strong></td></tr></tfoot>
                </table>
            </div>
        </section>
        <crate::pages::invoice_query::InvoiceQueryPanel invoice_id=invoice.id />
    }
}
