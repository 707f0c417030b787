//! The account manager's home: every customer in the caller's scope with the figures that say
//! who needs a call (`domain::customer_health`), and, for operations, who looks after whom.
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::customer_health::CustomerHealth;

/// An account manager operations can assign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountManagerOption {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomersView {
    /// The UK date the figures are for.
    pub as_of: NaiveDate,
    pub gaps_from: NaiveDate,
    pub gaps_to: NaiveDate,
    pub customers: Vec<CustomerHealth>,
    /// Operations only: they assign account managers (empty for account managers).
    pub account_managers: Vec<AccountManagerOption>,
    pub can_assign: bool,
}

#[server(prefix = "/api", endpoint = "customers/overview")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "customers_overview", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn customers_overview() -> Result<CustomersView, ApiError> {
    use crate::domain::customer_health::Windows;
    use crate::domain::role::Role;
    use crate::store::customer_health as store;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::AccountManager, Role::OpsAdmin])?;
            let windows = Windows::of(super::billing::ssr::today());
            let mut tx = id.scope.begin(&state.db).await?;
            let customers = store::customer_health(&mut tx, &windows).await?;
            let can_assign = id.role == Role::OpsAdmin;
            let account_managers = if can_assign {
                store::account_managers(&mut tx)
                    .await?
                    .into_iter()
                    .map(|a| AccountManagerOption {
                        id: a.id,
                        name: a.display_name,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let orgs: Vec<i64> = customers.iter().map(|c| c.organisation_id).collect();
            super::guard::finish_read(tx, &id, "staff.read.customers", &orgs, serde_json::json!({})).await?;
            Ok(CustomersView {
                as_of: windows.today,
                gaps_from: windows.gaps_from,
                gaps_to: windows.gaps_to,
                customers,
                account_managers,
                can_assign,
            })
        }
        .await,
    )
}

/// Operations: makes `account_manager` (a user id, or empty for nobody) the account manager of
/// the customer `organisation_id`. Sent by a plain form, so both arrive as text.
#[server(prefix = "/api", endpoint = "customers/account-manager")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "set_account_manager", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, organisation_id = organisation_id)))]
pub async fn set_account_manager(organisation_id: i64, account_manager: String) -> Result<(), ApiError> {
    use crate::domain::role::Role;
    use crate::store::customer_health::{self as store, Assignment};
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::OpsAdmin])?;
            let account_manager = match account_manager.trim() {
                "" => None,
                s => Some(
                    s.parse::<i64>()
                        .map_err(|_| ApiError::BadRequest(format!("\"{s}\" is not an account manager.")))?,
                ),
            };
            let mut tx = id.scope.begin(&state.db).await?;
            match store::set_account_manager(&mut tx, organisation_id, account_manager).await? {
                Assignment::Changed => {}
                Assignment::NotFound => return Err(ApiError::NotFound),
            }
            crate::store::audit::record_against(
                &mut tx,
                id.actor(),
                Some(organisation_id),
                "customer.account_manager",
                serde_json::json!({ "account_manager": account_manager }),
            )
            .await?;
            tx.commit().await?;
            super::flash::set(match account_manager {
                Some(_) => "Account manager saved.",
                None => "This customer now has no account manager.",
            });
            Ok(())
        }
        .await,
    )
}
