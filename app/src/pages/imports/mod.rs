//! Imports (account managers and operations admins): upload half-hourly data as CSV files (the
//! import format, docs/import-format.md), see each file's summary or bad lines as the importer
//! reports them, and the history of uploads. The form works without JavaScript; its progress bar
//! is the island in `upload_form`.
#[cfg(feature = "hydrate")]
mod client;
pub mod upload_form;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::imports::{import_history, ImportEntry, ImportsView, IMPORTS_PAGE};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::import_upload::{human_bytes, ImportOutcome};
use upload_form::{UploadForm, UploadLimitNote};

#[component]
pub fn ImportsPage() -> impl IntoView {
    let query = use_query_map();
    let entries = Memo::new(move |_| {
        query
            .read()
            .get_all("entry")
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.trim().parse::<i64>().ok())
            .collect::<Vec<_>>()
    });
    let data = Resource::new(move || entries.get(), import_history);
    view! {
        <Title text="Imports" />
        <div class="page-head">
            <h1>"Imports"</h1>
            <p class="page-head__lead">
                "Load half-hourly data from CSV files: a header line naming mpan_core, channel, interval_start "
                "(or settlement_date and settlement_period), value, status and run, and whole settlement days. "
                "The same importer as the command line: all or nothing per file, and a file imported twice changes nothing."
            </p>
        </div>
        <Suspense fallback=|| view! { <Loading what="imports" /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Imports view /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Imports(view: ImportsView) -> impl IntoView {
    let ImportsView {
        max_upload_bytes,
        sees_every_upload,
        results,
        history,
    } = view;
    let has_results = !results.is_empty();
    view! {
        <Show when=move || has_results>
            <section class="card" data-testid="import-results" aria-labelledby="results-title">
                <h2 id="results-title">"Results"</h2>
                {results.clone().into_iter().map(|entry| view! { <EntryResult entry /> }).collect_view()}
            </section>
        </Show>
        <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">"Upload half-hourly data"</h2>
            <p class="muted small">
                {if sees_every_upload {
                    "MPANs may belong to any customer."
                } else {
                    "MPANs must belong to the customers you look after; any other reads as unknown."
                }}
            </p>
            <UploadForm>
                <UploadLimitNote max_bytes=max_upload_bytes />
            </UploadForm>
        </section>
        <History history sees_every_upload />
    }
}

/// One file's result: what came of it and the importer's report (summary or bad lines).
#[component]
pub fn EntryResult(entry: ImportEntry) -> impl IntoView {
    let summary = summary_line(&entry);
    view! {
        <article class="import-result" data-testid="import-result">
            <h3>
                {entry.file_name.clone()} " "
                <span class={entry.outcome.tag_class()}>{entry.outcome.label()}</span>
            </h3>
            <p class="small muted">{summary}</p>
            {entry.report.map(|report| view! { <pre class="import-report" data-testid="import-report">{report}</pre> })}
        </article>
    }
}

fn summary_line(e: &ImportEntry) -> String {
    let dates = match (&e.first_date, &e.last_date) {
        (Some(a), Some(b)) if a == b => format!(", {a}"),
        (Some(a), Some(b)) => format!(", {a} to {b}"),
        _ => String::new(),
    };
    let mut s = format!(
        "{} · {} · {} rows · {} supply point(s) · {} day(s){dates}",
        e.uploaded_at,
        human_bytes(e.bytes),
        e.rows,
        e.supply_points,
        e.days
    );
    if !e.runs.is_empty() {
        s.push_str(&format!(" · runs {}", e.runs.join(", ")));
    }
    match e.outcome {
        ImportOutcome::Imported => s.push_str(&format!(
            " · {} new day-rows, {} already held",
            e.day_rows_new, e.day_rows_known
        )),
        ImportOutcome::Rejected => s.push_str(&format!(" · {} error(s)", e.error_count)),
        ImportOutcome::Unchanged | ImportOutcome::Failed => {}
    }
    s
}

#[component]
fn History(history: Vec<ImportEntry>, sees_every_upload: bool) -> impl IntoView {
    let lead = if sees_every_upload {
        "Every upload, newest first."
    } else {
        "Your uploads and those for the customers you look after, newest first."
    };
    view! {
        <section class="card" data-testid="import-history" aria-labelledby="history-title">
            <div class="card__head">
                <h2 id="history-title">"Import history"</h2>
                <span class="muted small">{lead}</span>
            </div>
            {if history.is_empty() {
                view! { <Empty message="No files uploaded yet." /> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                        <table class="table table--stack">
                            <thead><tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"File"</th>
                                <th scope="col">"Customers"</th>
                                <th scope="col" class="num">"Rows"</th>
                                <th scope="col" class="num">"Supply points"</th>
                                <th scope="col" class="num">"Days"</th>
                                <th scope="col">"Runs"</th>
                                <th scope="col">"Outcome"</th>
                                <th scope="col" class="num">"Errors"</th>
                            </tr></thead>
                            <tbody>
                                {history.into_iter().map(|e| view! {
                                    <tr>
                                        <td class="nowrap" data-label="When">{e.uploaded_at}</td>
                                        <td data-label="Who">{e.uploaded_by}</td>
                                        <td data-label="File"><a href={format!("{IMPORTS_PAGE}?entry={}", e.id)}>{e.file_name}</a></td>
                                        <td data-label="Customers">{if e.customers.is_empty() { "—".to_string() } else { e.customers.join(", ") }}</td>
                                        <td class="num" data-label="Rows">{e.rows}</td>
                                        <td class="num" data-label="Supply points">{e.supply_points}</td>
                                        <td class="num" data-label="Days">{e.days}</td>
                                        <td data-label="Runs">{e.runs.join(", ")}</td>
                                        <td><span class={e.outcome.tag_class()}>{e.outcome.label()}</span></td>
                                        <td class="num" data-label="Errors">{e.error_count}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
