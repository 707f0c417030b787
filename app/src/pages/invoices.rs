//! Invoices: every invoice in scope with its status, filtered by status, billing period and site
//! (a GET form, so it works without JavaScript), with CSV downloads of the list and its lines;
//! choosing one shows its lines grouped by supply point, with a PDF download. A user limited to
//! some sites sees their sites' lines and subtotal beside the account's total, labelled as such.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::billing::{get_invoice, list_invoices, InvoiceDetail, InvoiceList, LineGroup};
use crate::api::sites::{list_sites, SiteSummary};
use crate::api::validation::{list_validations, ValidationSummary};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::billing::Verdict;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::invoice_filter::InvoiceFilterInput;
use crate::domain::units::Pence;
use crate::pages::bill_validation::verdict_tag;
use crate::pages::invoice_validation::InvoiceValidation;
use std::collections::HashMap;

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

/// `?query` for a link, or nothing.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("invoice").and_then(|s| s.parse::<i64>().ok()));
    let input = Memo::new(move |_| {
        let q = query.read();
        InvoiceFilterInput {
            status: q.get("status"),
            from: q.get("from"),
            to: q.get("to"),
            site: q.get("site"),
        }
    });
    let invoices = Resource::new(
        move || input.get(),
        |f| list_invoices(f.status, f.from, f.to, f.site),
    );
    let sites = Resource::new(|| (), |_| list_sites());
    let checks = Resource::new(|| (), |_| list_validations());
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
            <Suspense fallback=|| view! { <Loading what="the filters" /> }>
                {move || Suspend::new(async move {
                    let sites = sites.await.unwrap_or_default();
                    view! { <FilterForm input=input.get_untracked() sites /> }
                })}
            </Suspense>
            <Suspense fallback=|| view! { <Loading what="invoices" /> }>
                {move || Suspend::new(async move {
                    // The bill check's verdict per invoice, for the badge; the list shows without it
                    // if the check fails.
                    let verdicts: HashMap<i64, Badge> = checks
                        .await
                        .map(|c| c.into_iter().map(|v| (v.invoice_id, Badge::of(&v))).collect())
                        .unwrap_or_default();
                    match invoices.await {
                        Ok(list) => view! { <InvoiceTable list selected verdicts /> }.into_any(),
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

/// The filters as a plain GET form: submitting it loads `/invoices?status=…&from=…&to=…&site=…`.
#[component]
fn FilterForm(input: InvoiceFilterInput, sites: Vec<SiteSummary>) -> impl IntoView {
    let status = input.status.unwrap_or_default();
    let site = input.site.unwrap_or_default();
    view! {
        <form class="form form--inline filters" method="get" action="/invoices" data-testid="invoice-filters">
            <label class="field">"Status"
                <select class="select" name="status">
                    <option value="" selected=status.is_empty()>"Any status"</option>
                    {InvoiceStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">"Period from"
                <input class="input" type="date" name="from" value=input.from.unwrap_or_default() />
            </label>
            <label class="field">"Period to"
                <input class="input" type="date" name="to" value=input.to.unwrap_or_default() />
            </label>
            <label class="field">"Site"
                <select class="select" name="site">
                    <option value="" selected=site.is_empty()>"All your sites"</option>
                    {sites.into_iter().map(|s| {
                        let id = s.id.to_string();
                        let on = site == id;
                        view! { <option value=id selected=on>{s.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="filters__actions">
                <button class="button" type="submit">"Apply"</button>
                <a class="button button--ghost" href="/invoices">"Clear"</a>
            </div>
        </form>
    }
}

/// An invoice's bill-check badge: the verdict, or, once the invoice is credited, that the check
/// found a difference that has been put right.
#[derive(Clone)]
struct Badge {
    label: &'static str,
    class: &'static str,
    why: String,
}

impl Badge {
    fn of(v: &ValidationSummary) -> Self {
        if v.status == InvoiceStatus::Credited && v.verdict == Verdict::Query {
            return Badge {
                label: "Credited",
                class: "tag",
                why: format!("Credited and re-billed. {}", v.summary),
            };
        }
        Badge {
            label: v.verdict.label(),
            class: verdict_tag(v.verdict),
            why: v.summary.clone(),
        }
    }
}

#[component]
fn InvoiceTable(
    list: InvoiceList,
    selected: Memo<Option<i64>>,
    verdicts: HashMap<i64, Badge>,
) -> impl IntoView {
    let InvoiceList {
        invoices,
        filter,
        limited_to_sites,
    } = list;
    let q = filter.to_query();
    let link_query = q.clone();
    let limited = limited_to_sites || filter.site_id.is_some();
    let (net, vat, total) = if limited_to_sites {
        (
            "Account net (all sites)",
            "Account VAT (all sites)",
            "Account total (all sites)",
        )
    } else {
        ("Net", "VAT", "Total")
    };
    let sites_head = if limited_to_sites {
        "Your sites' subtotal"
    } else {
        "Chosen site's subtotal"
    };
    let count = invoices.len();
    view! {
        <div class="downloads" data-testid="invoice-downloads">
            <span class="muted small">{format!("{count} invoice{} · download:", if count == 1 { "" } else { "s" })}</span>
            <a class="button button--ghost button--small" rel="external" download="invoices.csv" href=with_query("/invoices/export.csv", &q)>"Invoices (CSV)"</a>
            <a class="button button--ghost button--small" rel="external" download="invoice-lines.csv" href=with_query("/invoices/lines.csv", &q)>"Lines (CSV)"</a>
        </div>
        {if limited_to_sites {
            Some(view! {
                <p class="note" data-testid="limited-note">"You see your sites only. Totals marked “all sites” are the whole account's; “Your sites' subtotal” is the net of the lines at your sites."</p>
            })
        } else {
            None
        }}
        {if invoices.is_empty() {
            view! { <Empty message="No invoices match these filters." /> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                    <table class="table table--stack" data-testid="invoices">
                        <thead><tr>
                            <th scope="col">"Invoice"</th><th scope="col">"Customer"</th><th scope="col">"Period"</th>
                            <th scope="col">"Due"</th><th scope="col">"Status"</th><th scope="col">"Bill check"</th>
                            {limited.then(|| view! { <th scope="col" class="num">{sites_head}</th> })}
                            <th scope="col" class="num">{net}</th><th scope="col" class="num">{vat}</th><th scope="col" class="num">{total}</th>
                        </tr></thead>
                        <tbody>
                            {invoices.into_iter().map(|i| {
                                let id = i.id;
                                let href = if link_query.is_empty() {
                                    format!("/invoices?invoice={id}")
                                } else {
                                    format!("/invoices?{link_query}&invoice={id}")
                                };
                                view! {
                                    <tr class:row--selected=move || selected.get() == Some(id)>
                                        <td data-label="Invoice" class="nowrap"><a href=href>{i.number}</a></td>
                                        <td data-label="Customer">{i.customer}</td>
                                        <td data-label="Period">{format!("{} – {}", i.period_start, i.period_end)}</td>
                                        <td data-label="Due">{i.due_on}</td>
                                        <td data-label="Status"><span class=status_tag(i.status)>{i.status.label()}</span></td>
                                        <td data-label="Bill check">{verdicts.get(&id).cloned().map(|b| view! {
                                            <a href=format!("/invoices?invoice={id}#validation") class=b.class title=b.why data-testid="bill-check">{b.label}</a>
                                        })}</td>
                                        {limited.then(|| view! { <td class="num" data-label="Your sites (net)">{money(i.sites_net_pence)}</td> })}
                                        <td class="num" data-label="Net">{money(i.net_pence)}</td>
                                        <td class="num" data-label="VAT">{money(i.vat_pence)}</td>
                                        <td class="num" data-label="Total"><strong>{money(i.total_pence)}</strong></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn LineGroupRows(group: LineGroup) -> impl IntoView {
    let head = match (&group.mpan_core, &group.site_name) {
        (Some(mpan), Some(site)) => format!("MPAN {mpan} · {site}"),
        (Some(mpan), None) => format!("MPAN {mpan}"),
        (None, _) => "Account-level charges".to_owned(),
    };
    let subtotal = match &group.mpan_core {
        Some(mpan) => format!("Subtotal MPAN {mpan}"),
        None => "Subtotal, account-level charges".to_owned(),
    };
    view! {
        <tbody class="line-group">
            <tr class="line-group__head"><th scope="rowgroup" colspan="5">{head}</th></tr>
            {group.lines.iter().map(|l| view! {
                <tr>
                    <td>{group.label(l).to_owned()}</td>
                    <td class="num">
                        {l.quantity.clone()}
                        // On a phone the unit and rate columns fold into the quantity.
                        <span class="fold">{format!(" {} @ {}p", l.unit, l.rate_pence)}</span>
                    </td>
                    <td class="col-wide">{l.unit.clone()}</td>
                    <td class="num col-wide">{l.rate_pence.clone()}</td>
                    <td class="num">{money(l.amount_pence)}</td>
                </tr>
            }).collect_view()}
            <tr class="line-group__subtotal"><td colspan="2">{subtotal}</td><td class="col-wide"></td><td class="col-wide"></td><td class="num">{money(group.subtotal_pence)}</td></tr>
        </tbody>
    }
}

#[component]
fn InvoiceLines(detail: InvoiceDetail) -> impl IntoView {
    let groups = detail.groups();
    let sites_net = detail.sites_net_pence();
    let account_level = detail.account_level_pence();
    let lines_total: i64 = detail.lines.iter().map(|l| l.amount_pence).sum();
    let InvoiceDetail {
        invoice,
        limited_to_sites: limited,
        ..
    } = detail;
    let pdf_href = format!("/invoices/{}/pdf", invoice.id);
    let pdf_name = format!("{}.pdf", invoice.number);
    let (net, vat, total) = if limited {
        (
            "Account net (all sites)",
            "Account VAT (all sites)",
            "Account total (all sites)",
        )
    } else {
        ("Net", "VAT", "Total")
    };
    view! {
        <section class="card" data-testid="invoice-detail">
            <div class="card__head">
                <div>
                    <h2>{format!("Invoice {}", invoice.number)}</h2>
                    <p class="muted">{format!("{} · account {} · {} – {}", invoice.customer, invoice.account_number, invoice.period_start, invoice.period_end)}</p>
                    <p class="muted">
                        {format!("Issued {} · due {} · ", invoice.issued_on, invoice.due_on)}
                        <span class=status_tag(invoice.status)>{invoice.status.label()}</span>
                    </p>
                    <p><a class="button button--ghost button--small" rel="external" download=pdf_name href=pdf_href data-testid="invoice-pdf">"Download PDF"</a></p>
                </div>
                <dl class="facts">
                    {limited.then(|| view! { <div><dt>"Your sites' subtotal"</dt><dd data-testid="sites-subtotal">{money(sites_net)}</dd></div> })}
                    <div><dt>{net}</dt><dd>{money(invoice.net_pence)}</dd></div>
                    <div><dt>{vat}</dt><dd>{money(invoice.vat_pence)}</dd></div>
                    <div><dt>{total}</dt><dd data-testid="account-total">{money(invoice.total_pence)}</dd></div>
                </dl>
            </div>
            {limited.then(|| view! {
                <p class="note">"The lines below are your sites' only. The account's net, VAT and total cover every site on the account."</p>
            })}
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                <table class="table table--lines">
                    <thead><tr>
                        <th scope="col">"Charge"</th><th scope="col" class="num">"Quantity"</th><th scope="col" class="col-wide">"Unit"</th>
                        <th scope="col" class="num col-wide">"Rate (p)"</th><th scope="col" class="num">"Amount"</th>
                    </tr></thead>
                    {groups.into_iter().map(|group| view! { <LineGroupRows group /> }).collect_view()}
                    <tfoot>
                        {if limited {
                            view! {
                                <tr><td colspan="2">"Your sites' subtotal (net)"</td><td class="col-wide"></td><td class="col-wide"></td><td class="num"><strong>{money(sites_net)}</strong></td></tr>
                                {(account_level != 0).then(|| view! {
                                    <tr><td colspan="2">"Account-level charges (net)"</td><td class="col-wide"></td><td class="col-wide"></td><td class="num">{money(account_level)}</td></tr>
                                })}
                                <tr><td colspan="2">"Account total (all sites), incl. VAT"</td><td class="col-wide"></td><td class="col-wide"></td><td class="num">{money(invoice.total_pence)}</td></tr>
                            }.into_any()
                        } else {
                            view! {
                                <tr><td colspan="2">"Lines shown"</td><td class="col-wide"></td><td class="col-wide"></td><td class="num"><strong>{money(lines_total)}</strong></td></tr>
                            }.into_any()
                        }}
                    </tfoot>
                </table>
            </div>
        </section>
        <crate::pages::invoice_query::InvoiceQueryPanel invoice_id=invoice.id />
    }
}
