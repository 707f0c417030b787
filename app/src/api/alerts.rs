//! Alerts in the portal: the list in the caller's scope (grouped into runs of days), acknowledging,
//! and the caller's own choice of rules for the daily e-mail digest. Raising them is not here: the
//! importer and the daily job do it (`store::alert_rules`).
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::alerts::{AlertGroup, AlertStatus, Rule};

/// At most this many alerts are read for one list (grouped, they are far fewer lines).
pub const LIST_LIMIT: i64 = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    /// The UK date the rules last looked at, for the explanation.
    pub as_of: NaiveDate,
    pub status: AlertStatus,
    pub rule: Option<Rule>,
    pub groups: Vec<AlertGroup>,
    /// The list hit [`LIST_LIMIT`]: older alerts are not shown.
    pub truncated: bool,
    /// Open alerts in scope by rule (whatever the filter).
    pub open: Vec<(Rule, i64)>,
    /// Staff see several customers: the list names the customer.
    pub names_customer: bool,
    /// The caller's digest choices, and when their last digest went.
    pub subscriptions: Vec<Rule>,
    pub last_digest: Option<DateTime<Utc>>,
}

#[server(prefix = "/api", endpoint = "alerts/view")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "load_alerts", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn load_alerts(status: Option<String>, rule: Option<String>) -> Result<AlertsView, ApiError> {
    use crate::store::alerts as store;
    super::respond(
        async {
            let (state, id) = super::guard::require()?;
            let status = match status.as_deref().filter(|s| !s.is_empty()) {
                None => AlertStatus::Open,
                Some(s) => AlertStatus::parse(s)
                    .ok_or_else(|| ApiError::BadRequest(format!("\"{s}\" is not a status.")))?,
            };
            let rule = match rule.as_deref().filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => Some(
                    Rule::parse(s)
                        .ok_or_else(|| ApiError::BadRequest(format!("\"{s}\" is not an alert rule.")))?,
                ),
            };
            let mut tx = id.scope.begin(&state.db).await?;
            let filter = store::Filter {
                status,
                rules: rule.map(|r| vec![r]),
                ..store::Filter::default()
            };
            let alerts = store::list(&mut tx, &filter, LIST_LIMIT).await?;
            let open = store::open_counts(&mut tx).await?;
            let (subscriptions, last_digest) = store::subscriptions(&mut tx, id.user_id).await?;
            let truncated = alerts.len() as i64 >= LIST_LIMIT;
            let mut orgs: Vec<i64> = alerts.iter().map(|a| a.organisation_id).collect();
            orgs.sort_unstable();
            orgs.dedup();
            super::guard::finish_read(
                tx,
                &id,
                "staff.read.alerts",
                &orgs,
                serde_json::json!({ "status": status.as_str() }),
            )
            .await?;
            Ok(AlertsView {
                as_of: super::billing::ssr::today(),
                status,
                rule,
                groups: crate::domain::alerts::group(alerts),
                truncated,
                open,
                names_customer: id.role.is_staff(),
                subscriptions,
                last_digest,
            })
        }
        .await,
    )
}

/// Acknowledges alerts: `ids` is a comma-separated list (a group's alerts, from a plain form).
#[server(prefix = "/api", endpoint = "alerts/acknowledge")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "acknowledge_alerts", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn acknowledge_alerts(ids: String) -> Result<u64, ApiError> {
    use crate::store::alerts::{self as store, Acknowledged};
    super::respond(
        async {
            let (state, id) = super::guard::require()?;
            let ids = crate::domain::alerts::parse_ids(&ids)
                .ok_or_else(|| ApiError::BadRequest("Choose the alerts to acknowledge.".into()))?;
            let mut tx = id.scope.begin(&state.db).await?;
            let mut orgs = match store::acknowledge(&mut tx, id.user_id, &id.display_name, &ids).await? {
                Acknowledged::Done(orgs) => orgs,
                Acknowledged::NotFound => return Err(ApiError::NotFound),
            };
            let done = orgs.len() as u64;
            orgs.sort_unstable();
            orgs.dedup();
            // Against each customer whose alerts these were, so the customer sees who did it.
            for org in orgs {
                crate::store::audit::record_against(
                    &mut tx,
                    id.actor(),
                    Some(org),
                    "alert.acknowledged",
                    serde_json::json!({ "ids": ids, "acknowledged": done }),
                )
                .await?;
            }
            tx.commit().await?;
            super::flash::set(&match done {
                0 => "Already acknowledged.".to_string(),
                1 => "Alert acknowledged.".to_string(),
                n => format!("{n} alerts acknowledged."),
            });
            Ok(done)
        }
        .await,
    )
}

/// The caller's daily e-mail digest: one checkbox per rule (a checked box sends "on").
#[server(prefix = "/api", endpoint = "alerts/subscriptions")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "alert_subscriptions", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn set_alert_subscriptions(
    capacity: Option<String>,
    data_gap: Option<String>,
    out_of_profile: Option<String>,
    renewal: Option<String>,
) -> Result<Vec<Rule>, ApiError> {
    use crate::store::alerts as store;
    super::respond(
        async {
            let (state, id) = super::guard::require()?;
            let rules: Vec<Rule> = [
                (Rule::Capacity, capacity),
                (Rule::DataGap, data_gap),
                (Rule::OutOfProfile, out_of_profile),
                (Rule::Renewal, renewal),
            ]
            .into_iter()
            .filter(|(_, v)| v.as_deref().is_some_and(|v| !v.is_empty()))
            .map(|(r, _)| r)
            .collect();
            let mut tx = id.scope.begin(&state.db).await?;
            store::set_subscriptions(&mut tx, id.user_id, &rules).await?;
            let names: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
            crate::store::audit::record_in(
                &mut tx,
                id.actor(),
                "alert.subscriptions",
                serde_json::json!({ "rules": names }),
            )
            .await?;
            tx.commit().await?;
            super::flash::set(if rules.is_empty() {
                "You will not get alert e-mails."
            } else {
                "Saved: you will get a daily e-mail of new alerts of the kinds you chose."
            });
            Ok(rules)
        }
        .await,
    )
}
