//! The Validation section of an invoice: its verdict, the data check and every line against the
//! shadow bill, with the reason for each difference.
use leptos::prelude::*;

use crate::api::validation::{get_validation, InvoiceValidationView, LineCheckView};
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::billing::{Outcome, Verdict};
use crate::domain::units::Pence;
use crate::pages::bill_validation::verdict_tag;

fn money(p: Option<i64>) -> String {
    p.map(|p| Pence(p).to_string()).unwrap_or_else(|| "—".into())
}

fn outcome_tag(o: Outcome) -> &'static str {
    match o {
        Outcome::Matched => "tag tag--green",
        Outcome::OverBilled | Outcome::NotExpected => "tag tag--red",
        Outcome::UnderBilled | Outcome::MissingFromInvoice => "tag tag--amber",
    }
}

#[component]
pub fn InvoiceValidation(invoice_id: i64) -> impl IntoView {
    let check = Resource::new(move || invoice_id, get_validation);
    view! {
        <Suspense fallback=|| view! { <Loading what="the bill check" /> }>
            {move || Suspend::new(async move {
                match check.await {
                    Ok(v) => view! { <Checked v /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Checked(v: InvoiceValidationView) -> impl IntoView {
    let InvoiceValidationView {
        summary,
        lines,
        data,
        billed_kwh,
        hh_kwh,
        volume_within_tolerance,
        vat,
        runs_used,
        tolerance,
        shadow_net_pence,
        shadow_total_pence,
    } = v;
    let flagged: Vec<LineCheckView> = lines.iter().filter(|l| l.outcome.is_flagged()).cloned().collect();
    let matched = lines.len() - flagged.len();
    let checked = summary.verdict != Verdict::CannotValidate || !lines.is_empty();
    view! {
        <section class="card" id="validation" data-testid="invoice-validation" aria-labelledby="validation-title">
            <div class="card__head">
                <div>
                    <h2 id="validation-title">"Validation " <span class=verdict_tag(summary.verdict) data-testid="verdict">{summary.verdict.label()}</span></h2>
                    <p data-testid="validation-summary">{summary.summary.clone()}</p>
                    <p class="muted">{format!("Checked against the half-hourly data at the best settlement run per day: {runs_used}.")}</p>
                    {(!summary.whole_invoice).then(|| view! { <p class="muted">"Only the lines of the sites you have access to were checked."</p> })}
                </div>
                {checked.then(|| view! {
                    <dl class="facts">
                        <div><dt>"Shadow bill net"</dt><dd>{Pence(shadow_net_pence).to_string()}</dd></div>
                        <div><dt>"Shadow bill total"</dt><dd>{Pence(shadow_total_pence).to_string()}</dd></div>
                        <div><dt>"At stake"</dt><dd data-testid="at-stake">{Pence(summary.at_stake_pence).to_string()}</dd></div>
                    </dl>
                })}
            </div>
            {checked.then(|| view! {
                <h3>"Data check"</h3>
                <ul class="checklist">
                    <li class:check--bad=!volume_within_tolerance>{format!("Energy billed: {billed_kwh} kWh; half-hourly data: {hh_kwh} kWh{}.", if volume_within_tolerance { " — within tolerance" } else { " — they differ" })}</li>
                    {vat.map(|(billed, on_net)| {
                        let bad = (billed - on_net).abs() > 100;
                        view! {
                        <li class:check--bad=bad>{format!("VAT billed {}; VAT on the billed net {}.", Pence(billed), Pence(on_net))}</li>
                    }})}
                </ul>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                    <table class="table table--compact">
                        <caption class="visually-hidden">"Half-hourly data per supply point in the billing period"</caption>
                        <thead><tr>
                            <th scope="col">"MPAN"</th><th scope="col" class="num">"Half-hours"</th><th scope="col" class="num">"Actual"</th>
                            <th scope="col" class="num">"Estimated"</th><th scope="col" class="num">"Missing"</th><th scope="col">"Runs (days)"</th><th scope="col" class="num">"kWh"</th>
                        </tr></thead>
                        <tbody>
                            {data.into_iter().map(|d| view! {
                                <tr>
                                    <td>{d.mpan_core}</td><td class="num">{d.expected_periods}</td><td class="num">{d.actual_periods}</td>
                                    <td class="num">{d.estimated_periods}</td>
                                    <td class="num" class:check--bad=d.missing_periods != 0>{d.missing_periods}</td>
                                    <td>{d.runs}</td><td class="num">{d.hh_kwh}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <h3>{format!("Lines: {} flagged, {matched} match", flagged.len())}</h3>
                {(!flagged.is_empty()).then(|| view! { <LineTable lines=flagged testid="validation-lines" /> })}
                {(matched > 0).then(|| view! {
                    <details class="matched-lines">
                        <summary>{format!("Show the {matched} lines that match")}</summary>
                        <LineTable lines=lines.into_iter().filter(|l| !l.outcome.is_flagged()).collect() testid="validation-matched" />
                    </details>
                })}
                <p class="muted small">{tolerance}</p>
            })}
        </section>
    }
}

#[component]
fn LineTable(lines: Vec<LineCheckView>, testid: &'static str) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table table--stack" data-testid=testid>
                <thead><tr>
                    <th scope="col">"Line"</th><th scope="col">"Result"</th><th scope="col">"Why"</th>
                    <th scope="col" class="num">"Billed"</th><th scope="col" class="num">"Shadow bill"</th><th scope="col" class="num">"Difference"</th>
                </tr></thead>
                <tbody>
                    {lines.into_iter().map(|l| {
                        let flagged = l.outcome.is_flagged();
                        let detail = format!(
                            "{} {} at {} p",
                            l.billed_quantity.clone().or(l.expected_quantity.clone()).unwrap_or_default(),
                            l.unit,
                            l.billed_rate.clone().or(l.expected_rate.clone()).unwrap_or_default()
                        );
                        view! {
                            <tr class:row--flagged=flagged data-outcome=format!("{:?}", l.outcome).to_lowercase()>
                                <td>{l.charge}<div class="muted small">{detail}</div></td>
                                <td><span class=outcome_tag(l.outcome)>{l.outcome.label()}</span></td>
                                <td>{l.reason}{l.basis.filter(|_| flagged).map(|b| view! { <div class="muted small">{format!("Shadow bill: {b}.")}</div> })}</td>
                                <td class="num" data-label="Billed">{money(l.billed_pence)}</td>
                                <td class="num" data-label="Shadow bill">{money(l.expected_pence)}</td>
                                <td class="num" data-label="Difference">{if l.difference_pence == 0 { "—".to_string() } else { Pence(l.difference_pence).to_string() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
