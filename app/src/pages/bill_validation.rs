//! Bill validation: every invoice in scope checked against its shadow bill, with the money at
//! stake; sortable by links (so it sorts without JavaScript too).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::validation::{list_validations, ValidationSummary};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::billing::Verdict;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::units::Pence;

pub fn verdict_tag(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "tag tag--green",
        Verdict::Query => "tag tag--red",
        Verdict::CannotValidate => "tag tag--amber",
    }
}

/// The orders the overview offers: (query value, label).
const SORTS: [(&str, &str); 4] = [
    ("stake", "£ at stake"),
    ("period", "Period"),
    ("verdict", "Verdict"),
    ("customer", "Customer"),
];

fn sort(list: &mut [ValidationSummary], by: &str) {
    let rank = |v: Verdict| match v {
        Verdict::Query => 0,
        Verdict::CannotValidate => 1,
        Verdict::Ok => 2,
    };
    match by {
        "period" => list.sort_by(|a, b| b.period_key.cmp(&a.period_key).then(a.customer.cmp(&b.customer))),
        "verdict" => list.sort_by(|a, b| {
            rank(a.verdict)
                .cmp(&rank(b.verdict))
                .then(b.period_key.cmp(&a.period_key))
        }),
        "customer" => list.sort_by(|a, b| a.customer.cmp(&b.customer).then(b.period_key.cmp(&a.period_key))),
        _ => list.sort_by(|a, b| {
            b.at_stake_pence
                .abs()
                .cmp(&a.at_stake_pence.abs())
                .then(rank(a.verdict).cmp(&rank(b.verdict)))
                .then(b.period_key.cmp(&a.period_key))
        }),
    }
}

#[component]
pub fn BillValidationPage() -> impl IntoView {
    let query = use_query_map();
    let by = Memo::new(move |_| query.read().get("sort").unwrap_or_else(|| "stake".into()));
    let checks = Resource::new(|| (), |_| list_validations());
    view! {
        <Title text="Bill validation" />
        <div class="page-head">
            <h1>"Bill validation"</h1>
            <p class="page-head__lead">
                "Every invoice rebuilt from your contract, the published rates in force and your half-hourly data at the best settlement run, then compared line by line. Query a line from the invoice it belongs to."
            </p>
        </div>
        <Suspense fallback=|| view! { <Loading what="bill validation" /> }>
            {move || Suspend::new(async move {
                match checks.await {
                    Ok(list) if list.is_empty() => view! { <section class="card"><Empty message="No invoices to check yet." /></section> }.into_any(),
                    Ok(mut list) => {
                        let by = by.get();
                        sort(&mut list, &by);
                        view! { <Overview list by /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(list: Vec<ValidationSummary>, by: String) -> impl IntoView {
    // A credited invoice's difference has been put right: it is not counted as to query or at stake.
    let open = |s: &&ValidationSummary| s.status != InvoiceStatus::Credited;
    let count = |v: Verdict| list.iter().filter(open).filter(|s| s.verdict == v).count();
    let (ok, query, cannot) = (
        count(Verdict::Ok),
        count(Verdict::Query),
        count(Verdict::CannotValidate),
    );
    let credited = list.iter().filter(|s| !open(s)).count();
    let over: i64 = list
        .iter()
        .filter(open)
        .map(|s| s.at_stake_pence)
        .filter(|p| *p > 0)
        .sum();
    let under: i64 = list
        .iter()
        .filter(open)
        .map(|s| s.at_stake_pence)
        .filter(|p| *p < 0)
        .sum();
    let partial = list.iter().any(|s| !s.whole_invoice);
    // One customer (a customer's own view): the customer column would say the same on every row.
    let many = list.iter().any(|s| s.customer != list[0].customer);
    view! {
        <section class="card" data-testid="validation-overview">
            <dl class="facts facts--wide">
                <div><dt>"Invoices checked"</dt><dd>{list.len()}</dd></div>
                <div><dt>"OK"</dt><dd>{ok}</dd></div>
                <div><dt>"To query"</dt><dd data-testid="to-query">{query}</dd></div>
                <div><dt>"Cannot validate"</dt><dd>{cannot}</dd></div>
                {(credited > 0).then(|| view! { <div><dt>"Credited"</dt><dd>{credited}</dd></div> })}
                <div><dt>"Over-billed (inc. VAT)"</dt><dd>{Pence(over).to_string()}</dd></div>
                <div><dt>"Under-billed (inc. VAT)"</dt><dd>{Pence(-under).to_string()}</dd></div>
            </dl>
            {partial.then(|| view! {
                <p class="muted">"You see the sites you have access to: each check covers those sites' lines only."</p>
            })}
            <p class="sort-links">"Sort by: "
                {SORTS.iter().map(|(key, label)| {
                    let current = *key == by;
                    view! {
                        <a href=format!("/bill-validation?sort={key}") aria-current=current.then_some("true") class=if current { "sort-link sort-link--current" } else { "sort-link" }>{*label}</a>
                        " "
                    }
                }).collect_view()}
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                <table class="table" data-testid="validations">
                    <thead><tr>
                        <th scope="col">"Invoice"</th>{many.then(|| view! { <th scope="col">"Customer"</th> })}<th scope="col">"Period"</th>
                        <th scope="col">"Verdict"</th><th scope="col" class="hide-narrow">"Why"</th>
                        <th scope="col" class="num hide-narrow">"Lines flagged"</th><th scope="col" class="num">"£ at stake"</th><th scope="col" class="num hide-narrow">"Invoice total"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|s| view! {
                            <tr data-verdict=format!("{:?}", s.verdict).to_lowercase()>
                                <td class="nowrap"><a href=format!("/invoices?invoice={}#validation", s.invoice_id)>{s.number}</a></td>
                                {many.then(|| view! { <td>{s.customer.clone()}</td> })}
                                <td>{format!("{} – {}", s.period_start, s.period_end)}</td>
                                <td><span class=verdict_tag(s.verdict)>{s.verdict.label()}</span>
                                    {(s.status != InvoiceStatus::Paid && s.status != InvoiceStatus::Issued).then(|| view! { <span class="muted small">{format!(" · {}", s.status.label())}</span> })}
                                </td>
                                <td class="hide-narrow">{s.summary}</td>
                                <td class="num hide-narrow">{s.flagged_lines}</td>
                                <td class="num"><strong>{if s.at_stake_pence == 0 { "—".to_string() } else { Pence(s.at_stake_pence).to_string() }}</strong></td>
                                <td class="num hide-narrow">{Pence(s.total_pence).to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
