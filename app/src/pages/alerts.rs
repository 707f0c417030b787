//! Alerts: capacity breaches, data gaps, usage out of profile and contract renewals in the caller's
//! scope, open ones first; runs of consecutive days shown as one line; acknowledging (a plain
//! form: it works without JavaScript); filters as a GET form (`?status=…&rule=…`); and the caller's
//! own choice of rules for the daily e-mail digest.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::alerts::{load_alerts, AcknowledgeAlerts, AlertsView, SetAlertSubscriptions, LIST_LIMIT};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::alerts::{uk_day_time, AlertGroup, AlertStatus, Rule, LOOKBACK_DAYS};

#[component]
pub fn AlertsPage() -> impl IntoView {
    let query = use_query_map();
    let (status, rule) = {
        let q = query.read_untracked();
        (q.get("status"), q.get("rule"))
    };
    let data = Resource::new(move || (status.clone(), rule.clone()), |(s, r)| load_alerts(s, r));
    view! {
        <Title text="Alerts" />
        <div class="page-head">
            <h1>"Alerts"</h1>
            <p class="page-head__lead">"Capacity breaches, missing data, usage out of its usual pattern and contracts coming to an end, as the data arrives. Acknowledge an alert once it is in hand; choose below which ones you also want by e-mail."</p>
        </div>
        <Suspense fallback=|| view! { <Loading what="alerts" /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <AlertsBody v /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AlertsBody(v: AlertsView) -> impl IntoView {
    let AlertsView {
        as_of,
        status,
        rule,
        groups,
        truncated,
        open,
        names_customer,
        subscriptions,
        last_digest,
    } = v;
    let open_total: i64 = open.iter().map(|(_, n)| n).sum();
    let summary = if open_total == 0 {
        "No open alerts.".to_string()
    } else {
        let parts: Vec<String> = open
            .iter()
            .map(|(r, n)| format!("{} {n}", r.label().to_lowercase()))
            .collect();
        format!(
            "{open_total} open alert{}: {}.",
            if open_total == 1 { "" } else { "s" },
            parts.join(", ")
        )
    };
    let empty = match status {
        AlertStatus::Open => "Nothing needs attention: no open alerts match.",
        _ => "No alerts match.",
    };
    view! {
        <section class="card">
            <p data-testid="alerts-summary"><strong>{summary}</strong></p>
            <p class="muted small">
                {format!(
                    "Alerts look back {LOOKBACK_DAYS} days from {} (UK): data imported for older days raises none. Several days in a row of the same alert show as one line.",
                    as_of.format("%-d %b %Y")
                )}
            </p>
            <form method="get" action="/alerts" class="alert-filters">
                <label class="field">
                    "Show"
                    <select name="status" class="input">
                        {AlertStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected={s == status}>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    "Kind"
                    <select name="rule" class="input">
                        <option value="" selected=rule.is_none()>"All kinds"</option>
                        {Rule::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str() selected={Some(r) == rule}>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button">"Show"</button>
            </form>
        </section>
        {if groups.is_empty() {
            view! { <Empty message=empty /> }.into_any()
        } else {
            view! {
                <div class="table-wrap card" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                    <table class="table table--stack alerts" data-testid="alerts">
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                {names_customer.then(|| view! { <th scope="col">"Customer"</th> })}
                                <th scope="col">"Alert"</th>
                                <th scope="col">"What was measured"</th>
                                <th scope="col">"State"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {groups.into_iter().map(|g| view! { <AlertRow g names_customer /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {truncated.then(|| view! {
            <p class="muted small">{format!("Showing the latest {LIST_LIMIT} alerts; filter by kind to see older ones.")}</p>
        })}
        <DigestForm subscriptions last_digest />
    }
}

#[component]
fn AlertRow(g: AlertGroup, names_customer: bool) -> impl IntoView {
    let first = g.first().clone();
    let ids = g.ids().iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let state = if let Some(at) = first.acknowledged_at {
        view! {
            <span class="muted small">
                {format!("Acknowledged by {} · {}", first.acknowledged_by.clone().unwrap_or_default(), uk_day_time(at))}
            </span>
        }
        .into_any()
    } else if let Some(at) = first.cleared_at {
        view! { <span class="tag tag--green">{format!("Resolved: the data arrived {}", uk_day_time(at))}</span> }
            .into_any()
    } else {
        let action = ServerAction::<AcknowledgeAlerts>::new();
        let label = format!("Acknowledge: {} · {}", first.rule.label(), g.days());
        view! {
            <ActionForm action attr:class="inline-form">
                <input type="hidden" name="ids" value=ids />
                <button type="submit" class="button button--small" aria-label=label>"Acknowledge"</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <tr data-testid=format!("alert-{}", first.id) data-rule=first.rule.as_str()>
            <td data-label="When">{g.days()}</td>
            {names_customer.then(|| view! { <td data-label="Customer">{first.organisation.clone()}</td> })}
            <td data-label="Alert">
                <strong class=format!("alert-rule alert-rule--{}", first.rule.as_str())>{first.rule.label()}</strong>
                <br />
                <span class="small">{first.subject()}</span>
            </td>
            <td data-label="Measured">
                {g.headline()}
                <br />
                <a href=first.link() class="small">"Look into it"</a>
            </td>
            <td data-label="State">{state}</td>
        </tr>
    }
}

/// The caller's daily e-mail of new alerts, by rule.
#[component]
fn DigestForm(subscriptions: Vec<Rule>, last_digest: Option<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    let action = ServerAction::<SetAlertSubscriptions>::new();
    view! {
        <section class="card" aria-labelledby="digest-head">
            <h2 id="digest-head">"Alerts by e-mail"</h2>
            <p class="muted small">"One e-mail a day, early in the morning, listing the new alerts of the kinds you tick (only when there are any). It covers the sites you can see."</p>
            <ActionForm action attr:class="digest-form">
                <fieldset>
                    <legend>"E-mail me about"</legend>
                    {Rule::ALL.into_iter().map(|r| {
                        let checked = subscriptions.contains(&r);
                        view! {
                            <label class="check">
                                <input type="checkbox" name=r.as_str() value="on" checked=checked />
                                <span><strong>{r.label()}</strong><br /><span class="muted small">{r.explanation()}</span></span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button">"Save e-mail choices"</button>
            </ActionForm>
            <p class="muted small" data-testid="last-digest">
                {match last_digest {
                    Some(at) => format!("Your last alert e-mail covered alerts up to {}.", uk_day_time(at)),
                    None => "No alert e-mail has been sent to you yet.".to_string(),
                }}
            </p>
        </section>
    }
}
