//! Invoice queries: wire types and server fns. Customers raise a query on an invoice or a line and
//! reply; account managers and operations admins reply and resolve it, explained or credited
//! (credit note + re-bill from the shadow bill). Another tenant's query or invoice is 404.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::invoice_query::{MessageKind, QueryStatus, Resolution};

/// An invoice a query points to (a credit note, a re-bill, the invoice credited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocRef {
    pub id: i64,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuerySummary {
    pub id: i64,
    pub customer: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub invoice_status: InvoiceStatus,
    /// The line queried ("Whole invoice" when none).
    pub about: String,
    pub mpan_core: Option<String>,
    /// The line's amount, or the invoice's total.
    pub amount_pence: i64,
    pub status: QueryStatus,
    pub raised_by: String,
    pub raised_at: String,
    /// How long it has been open, or was open ("3 days").
    pub age: String,
    pub messages: i64,
    pub credit_note: Option<DocRef>,
    pub rebill: Option<DocRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub author: String,
    pub role_label: String,
    /// Written by Northgate staff (shown on the other side of the thread).
    pub staff: bool,
    pub kind: MessageKind,
    pub at: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryThread {
    pub query: QuerySummary,
    pub messages: Vec<ThreadMessage>,
    /// The caller may add a message (the query is open).
    pub can_reply: bool,
    /// The caller may resolve it (staff, open).
    pub can_resolve: bool,
}

/// A line the caller may query: its id and how the choice reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChoice {
    pub id: i64,
    pub label: String,
}

/// What the query panel of an invoice shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceQueriesView {
    pub invoice_id: i64,
    pub invoice_number: String,
    pub status: InvoiceStatus,
    /// This is a credit note of that invoice.
    pub credits: Option<DocRef>,
    /// This is a re-bill of that invoice.
    pub rebills: Option<DocRef>,
    /// The caller may raise a query on it (a customer; not a credit note or a credited invoice).
    pub can_raise: bool,
    pub lines: Vec<LineChoice>,
    pub threads: Vec<QueryThread>,
}

/// The queries page: staff see the open queries of their customers (the queue), customers every
/// query of theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueriesView {
    pub staff: bool,
    pub queries: Vec<QuerySummary>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::auth::Identity;
    use crate::domain::invoice_query::{age_label, check_message, Refusal};
    use crate::domain::units::Pence;
    use crate::store::queries::{self, MessageRecord, Outcome, Participant, QueryRecord};
    use crate::store::scope::ScopedTx;

    impl From<QueryRecord> for QuerySummary {
        fn from(q: QueryRecord) -> Self {
            let doc = |id: Option<i64>, number: Option<String>| {
                id.zip(number).map(|(id, number)| DocRef { id, number })
            };
            QuerySummary {
                id: q.id,
                customer: q.customer,
                invoice_id: q.invoice_id,
                invoice_number: q.invoice_number,
                invoice_status: q.invoice_status,
                about: q.line_description.unwrap_or_else(|| "Whole invoice".to_string()),
                mpan_core: q.mpan_core,
                amount_pence: q.amount_pence,
                status: q.status,
                raised_by: q.raised_by,
                raised_at: q.raised_at,
                age: age_label(q.age_seconds),
                messages: q.messages,
                credit_note: doc(q.credit_note_id, q.credit_note_number),
                rebill: doc(q.rebill_id, q.rebill_number),
            }
        }
    }

    impl From<MessageRecord> for ThreadMessage {
        fn from(m: MessageRecord) -> Self {
            ThreadMessage {
                author: m.author_name,
                role_label: m.author_role.label().to_string(),
                staff: m.author_role.is_staff(),
                kind: m.kind,
                at: m.at,
                body: m.body,
            }
        }
    }

    pub fn participant(who: &Identity) -> Participant<'_> {
        Participant {
            actor: who.actor(),
            name: &who.display_name,
            role: who.role,
        }
    }

    /// The message as kept, or a 400 that says what is wrong with it.
    pub fn message(text: &str) -> Result<&str, ApiError> {
        check_message(text).map_err(|p| ApiError::BadRequest(p.message()))
    }

    pub fn outcome<T>(o: Outcome<T>) -> Result<T, ApiError> {
        match o {
            Outcome::Done(t) => Ok(t),
            Outcome::NotFound => Err(ApiError::NotFound),
            Outcome::Refused(r) => Err(refused(r)),
        }
    }

    pub fn refused(r: Refusal) -> ApiError {
        ApiError::BadRequest(r.message().to_string())
    }

    /// `""`: the whole invoice; otherwise a line's id.
    pub fn line_choice(line_id: &str) -> Result<Option<i64>, ApiError> {
        match line_id.trim() {
            "" => Ok(None),
            s => s
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Some)
                .ok_or_else(|| ApiError::BadRequest("Choose the whole invoice or one of its lines.".into())),
        }
    }

    /// These queries, each with its thread.
    pub async fn threads(
        tx: &mut ScopedTx<'_>,
        who: &Identity,
        found: Vec<QueryRecord>,
    ) -> Result<Vec<QueryThread>, ApiError> {
        let ids: Vec<i64> = found.iter().map(|q| q.id).collect();
        let mut messages = queries::messages(tx, &ids).await?;
        Ok(found
            .into_iter()
            .map(|q| {
                let (mine, rest): (Vec<_>, Vec<_>) = messages.drain(..).partition(|m| m.query_id == q.id);
                messages = rest;
                let open = q.status.is_open();
                QueryThread {
                    query: q.into(),
                    messages: mine.into_iter().map(ThreadMessage::from).collect(),
                    can_reply: open,
                    can_resolve: open && who.role.is_staff(),
                }
            })
            .collect())
    }

    /// The re-bill of an invoice: the shadow bill's lines and VAT; `None` when no contract covers
    /// the invoice, a 400 saying why when its shadow bill is incomplete.
    pub async fn corrected_lines(
        tx: &mut ScopedTx<'_>,
        invoice_id: i64,
    ) -> Result<Option<(Vec<crate::store::credit::CorrectedLine>, Pence)>, ApiError> {
        use crate::store::credit::CorrectedLine;
        let Some(shadow) = crate::store::validation::shadow_bill(tx, invoice_id).await? else {
            return Ok(None);
        };
        // An incomplete shadow bill (a rate the contract does not price, no levy rate for a date)
        // is no basis for a re-bill: say why instead.
        if !shadow.problems.is_empty() {
            return Err(ApiError::BadRequest(format!(
                "The invoice cannot be re-billed from the half-hourly data: {}. Explain it, or correct it in billing.",
                shadow.problems.join("; ")
            )));
        }
        let lines: Vec<CorrectedLine> = shadow
            .lines
            .into_iter()
            .map(|l| CorrectedLine {
                supply_point_id: l.supply_point_id,
                charge_type: l.charge_type.as_str().to_string(),
                component: l.component,
                description: l.description,
                quantity_milli: l.quantity_milli,
                unit: l.unit,
                rate_e5: l.rate.0,
                amount: l.amount,
            })
            .collect();
        let net: Pence = lines.iter().map(|l| l.amount).sum();
        if net != shadow.net || shadow.net + shadow.vat != shadow.total {
            tracing::error!(
                invoice_id,
                net = net.pence(),
                shadow_net = shadow.net.pence(),
                "shadow bill does not add up"
            );
            return Err(ApiError::Internal);
        }
        Ok(Some((lines, shadow.vat)))
    }
}

/// The queries page's list.
#[server(prefix = "/api", endpoint = "queries/list")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "list_queries", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn list_queries() -> Result<QueriesView, ApiError> {
    use crate::store::queries::{self, Filter};
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let staff = who.role.is_staff();
            let mut tx = who.scope.begin(&state.db).await?;
            let found = queries::find(
                &mut tx,
                Filter {
                    open_only: staff,
                    ..Filter::default()
                },
            )
            .await?;
            let mut orgs: Vec<i64> = found.iter().map(|q| q.organisation_id).collect();
            orgs.sort_unstable();
            orgs.dedup();
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.invoice_queries",
                &orgs,
                serde_json::json!({}),
            )
            .await?;
            Ok(QueriesView {
                staff,
                queries: found.into_iter().map(QuerySummary::from).collect(),
            })
        }
        .await,
    )
}

/// One query and its thread.
#[server(prefix = "/api", endpoint = "queries/detail")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "get_query", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, query_id = query_id)))]
pub async fn get_query(query_id: i64) -> Result<QueryThread, ApiError> {
    use crate::store::queries::Filter;
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let filter = Filter {
                query_id: Some(query_id),
                ..Filter::default()
            };
            let found = crate::store::queries::find(&mut tx, filter).await?;
            let org = found
                .first()
                .map(|q| q.organisation_id)
                .ok_or(ApiError::NotFound)?;
            let thread = ssr::threads(&mut tx, &who, found)
                .await?
                .pop()
                .ok_or(ApiError::NotFound)?;
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.invoice_query",
                &[org],
                serde_json::json!({ "query_id": query_id }),
            )
            .await?;
            Ok(thread)
        }
        .await,
    )
}

/// The query panel of an invoice: its status, the lines the caller may query, and its queries.
#[server(prefix = "/api", endpoint = "queries/invoice")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "invoice_queries", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, invoice_id = invoice_id)))]
pub async fn invoice_queries(invoice_id: i64) -> Result<InvoiceQueriesView, ApiError> {
    use crate::store::queries::{self, Filter};
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let head = queries::invoice_head(&mut tx, invoice_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let lines = queries::line_options(&mut tx, invoice_id).await?;
            let filter = Filter {
                invoice_id: Some(invoice_id),
                ..Filter::default()
            };
            let found = queries::find(&mut tx, filter).await?;
            let threads = ssr::threads(&mut tx, &who, found).await?;
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.invoice_queries",
                &[head.organisation_id],
                serde_json::json!({ "invoice_id": invoice_id }),
            )
            .await?;
            let doc = |id: Option<i64>, number: Option<String>| {
                id.zip(number).map(|(id, number)| DocRef { id, number })
            };
            let can_raise = who.role.is_customer()
                && head.credits_invoice_id.is_none()
                && head.status != InvoiceStatus::Credited;
            Ok(InvoiceQueriesView {
                invoice_id,
                invoice_number: head.invoice_number,
                status: head.status,
                credits: doc(head.credits_invoice_id, head.credits_number),
                rebills: doc(head.rebills_invoice_id, head.rebills_number),
                can_raise,
                lines: lines
                    .into_iter()
                    .map(|l| LineChoice {
                        id: l.id,
                        label: format!(
                            "{} · {}",
                            l.description,
                            crate::domain::units::Pence(l.amount_pence)
                        ),
                    })
                    .collect(),
                threads,
            })
        }
        .await,
    )
}

/// A customer raises a query on an invoice (`line_id` empty) or on one of its lines. Returns the
/// query's id.
#[server(prefix = "/api", endpoint = "queries/raise")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "raise_query", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, invoice_id = invoice_id)))]
pub async fn raise_query(
    invoice_id: i64,
    #[server(default)] line_id: String,
    message: String,
) -> Result<i64, ApiError> {
    use crate::domain::role::Role;
    super::respond(
        async {
            let (state, who) = super::guard::require_role(&[Role::CustomerAdmin, Role::CustomerUser])?;
            let line_id = ssr::line_choice(&line_id)?;
            let text = ssr::message(&message)?;
            let mut tx = who.scope.begin(&state.db).await?;
            let id = ssr::outcome(
                crate::store::queries::raise(&mut tx, ssr::participant(&who), invoice_id, line_id, text)
                    .await?,
            )?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// The customer or their account manager adds a message to an open query.
#[server(prefix = "/api", endpoint = "queries/reply")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "reply_to_query", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, query_id = query_id)))]
pub async fn reply_to_query(query_id: i64, message: String) -> Result<(), ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let text = ssr::message(&message)?;
            let mut tx = who.scope.begin(&state.db).await?;
            ssr::outcome(
                crate::store::queries::reply(&mut tx, ssr::participant(&who), query_id, text).await?,
            )?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Staff resolve an open query: explained (the invoice goes back to its status before the query)
/// or credited (a credit note reverses the invoice and a re-bill replaces it with the lines the
/// shadow bill computes from the contract and HH data).
#[server(prefix = "/api", endpoint = "queries/resolve")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "resolve_query", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, query_id = query_id, resolution = ?resolution)))]
pub async fn resolve_query(query_id: i64, resolution: Resolution, message: String) -> Result<(), ApiError> {
    use crate::domain::role::Role;
    use crate::store::{credit, queries};
    super::respond(
        async {
            let (state, who) = super::guard::require_role(&[Role::AccountManager, Role::OpsAdmin])?;
            let text = ssr::message(&message)?;
            let mut tx = who.scope.begin(&state.db).await?;
            let by = ssr::participant(&who);
            match resolution {
                Resolution::Explained => ssr::outcome(queries::explain(&mut tx, by, query_id, text).await?)?,
                Resolution::Credited => {
                    let filter = queries::Filter {
                        query_id: Some(query_id),
                        ..queries::Filter::default()
                    };
                    let q = queries::find(&mut tx, filter)
                        .await?
                        .pop()
                        .ok_or(ApiError::NotFound)?;
                    if !q.status.is_open() {
                        return Err(ssr::refused(crate::domain::invoice_query::Refusal::Closed));
                    }
                    let (lines, vat) = ssr::corrected_lines(&mut tx, q.invoice_id).await?.ok_or_else(|| {
                        ApiError::BadRequest(
                            "This invoice cannot be rebuilt from its contract and half-hourly data, so it cannot be \
                             credited and re-billed here: explain it, or correct it in billing."
                                .into(),
                        )
                    })?;
                    let rebill = credit::Rebill { lines: &lines, vat };
                    ssr::outcome(credit::credit_and_rebill(&mut tx, by, query_id, text, rebill).await?)?;
                }
            }
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
