//! Invoice queries, scoped: raising one on an invoice or a line, the thread of messages, and
//! resolving it with an explanation (crediting is in `credit`). A customer user restricted to
//! some sites sees and raises queries on whole invoices and on the lines of their sites only.
//! Every step is written to the audit log in the same transaction.
use serde_json::json;

use super::audit::{self, Actor};
use super::scope::ScopedTx;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::invoice_query::{MessageKind, QueryStatus, Refusal};
use crate::domain::role::Role;

/// Who writes to a thread: the audit log's actor, and the name and role the thread shows.
#[derive(Debug, Clone, Copy)]
pub struct Participant<'a> {
    pub actor: Actor<'a>,
    pub name: &'a str,
    pub role: Role,
}

/// What came of a step on a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    Done(T),
    /// Not in the caller's scope (or no such record): the caller says 404.
    NotFound,
    /// In scope, but the step is not possible (nothing changed).
    Refused(Refusal),
}

/// A query with what it is about; times formatted in UK local time by Postgres.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub customer: String,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub invoice_status: InvoiceStatus,
    pub line_id: Option<i64>,
    pub line_description: Option<String>,
    pub mpan_core: Option<String>,
    /// The line's amount, or the invoice's total for a query on the whole invoice.
    pub amount_pence: i64,
    pub status: QueryStatus,
    pub raised_by: String,
    pub raised_at: String,
    /// Seconds from raising to now (open) or to its resolution.
    pub age_seconds: i64,
    pub messages: i64,
    pub credit_note_id: Option<i64>,
    pub credit_note_number: Option<String>,
    pub rebill_id: Option<i64>,
    pub rebill_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    pub query_id: i64,
    pub author_name: String,
    pub author_role: Role,
    pub kind: MessageKind,
    pub at: String,
    pub body: String,
}

/// A line of an invoice the caller may raise a query on.
#[derive(Debug, Clone, PartialEq)]
pub struct LineOption {
    pub id: i64,
    pub mpan_core: Option<String>,
    pub description: String,
    pub amount_pence: i64,
}

/// An invoice as the query panel shows it: status, and what it credits or re-bills.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceHead {
    pub id: i64,
    pub organisation_id: i64,
    pub invoice_number: String,
    pub status: InvoiceStatus,
    pub credits_invoice_id: Option<i64>,
    pub credits_number: Option<String>,
    pub rebills_invoice_id: Option<i64>,
    pub rebills_number: Option<String>,
}

/// Which queries `find` returns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub open_only: bool,
    pub query_id: Option<i64>,
    pub invoice_id: Option<i64>,
}

/// Queries in scope: open ones first, oldest first (the queue's order), then resolved ones,
/// most recently resolved first.
#[tracing::instrument(level = "debug", skip_all, fields(filter = ?filter))]
pub async fn find(tx: &mut ScopedTx<'_>, filter: Filter) -> Result<Vec<QueryRecord>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        QueryRecord,
        r#"SELECT q.id, q.organisation_id, o.name AS customer, q.invoice_id, i.invoice_number,
                  i.status AS "invoice_status: InvoiceStatus",
                  q.invoice_line_id AS line_id, l.description AS "line_description?", sp.mpan_core AS "mpan_core?",
                  coalesce(l.amount_pence, i.total_pence) AS "amount_pence!",
                  q.status AS "status: QueryStatus",
                  coalesce((SELECT m.author_name FROM invoice_query_messages m
                            WHERE m.query_id = q.id AND m.kind = 'raised' ORDER BY m.id LIMIT 1), '') AS "raised_by!",
                  to_char(q.raised_at AT TIME ZONE 'Europe/London', 'DD Mon YYYY HH24:MI') AS "raised_at!",
                  extract(epoch FROM coalesce(q.resolved_at, now()) - q.raised_at)::bigint AS "age_seconds!",
                  (SELECT count(*) FROM invoice_query_messages m WHERE m.query_id = q.id) AS "messages!",
                  q.credit_note_id, cn.invoice_number AS "credit_note_number?",
                  q.rebill_id, rb.invoice_number AS "rebill_number?"
           FROM invoice_queries q
           JOIN invoices i ON i.id = q.invoice_id
           JOIN organisations o ON o.id = q.organisation_id
           LEFT JOIN invoice_lines l ON l.id = q.invoice_line_id
           LEFT JOIN supply_points sp ON sp.id = q.supply_point_id
           LEFT JOIN invoices cn ON cn.id = q.credit_note_id
           LEFT JOIN invoices rb ON rb.id = q.rebill_id
           WHERE q.organisation_id = ANY($1)
             AND ($2::bigint[] IS NULL OR q.supply_point_id IS NULL OR sp.site_id = ANY($2))
             AND (NOT $3 OR q.status = 'open')
             AND ($4::bigint IS NULL OR q.id = $4)
             AND ($5::bigint IS NULL OR q.invoice_id = $5)
           ORDER BY q.status <> 'open', CASE WHEN q.status = 'open' THEN q.raised_at END,
                    q.resolved_at DESC, q.id"#,
        &orgs,
        sites.as_deref(),
        filter.open_only,
        filter.query_id,
        filter.invoice_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// The messages of these queries (in scope), oldest first per query.
#[tracing::instrument(level = "debug", skip_all, fields(queries = query_ids.len()))]
pub async fn messages(tx: &mut ScopedTx<'_>, query_ids: &[i64]) -> Result<Vec<MessageRecord>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        MessageRecord,
        r#"SELECT m.query_id, m.author_name, m.author_role AS "author_role: Role", m.kind AS "kind: MessageKind",
                  to_char(m.at AT TIME ZONE 'Europe/London', 'DD Mon YYYY HH24:MI') AS "at!", m.body
           FROM invoice_query_messages m
           WHERE m.query_id = ANY($1) AND m.organisation_id = ANY($2)
           ORDER BY m.query_id, m.at, m.id"#,
        query_ids,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await
}

/// An invoice in scope, with what it credits or re-bills; `None` when it is not in scope.
#[tracing::instrument(level = "debug", skip_all, fields(invoice_id = invoice_id))]
pub async fn invoice_head(
    tx: &mut ScopedTx<'_>,
    invoice_id: i64,
) -> Result<Option<InvoiceHead>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        InvoiceHead,
        r#"SELECT i.id, i.organisation_id, i.invoice_number, i.status AS "status: InvoiceStatus",
                  i.credits_invoice_id, c.invoice_number AS "credits_number?",
                  i.rebills_invoice_id, r.invoice_number AS "rebills_number?"
           FROM invoices i
           LEFT JOIN invoices c ON c.id = i.credits_invoice_id
           LEFT JOIN invoices r ON r.id = i.rebills_invoice_id
           WHERE i.id = $1 AND i.organisation_id = ANY($2)"#,
        invoice_id,
        &orgs
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The lines of an invoice the caller may raise a query on (those the scope shows).
#[tracing::instrument(level = "debug", skip_all, fields(invoice_id = invoice_id))]
pub async fn line_options(tx: &mut ScopedTx<'_>, invoice_id: i64) -> Result<Vec<LineOption>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        LineOption,
        r#"SELECT l.id, sp.mpan_core AS "mpan_core?", l.description, l.amount_pence
           FROM invoice_lines l LEFT JOIN supply_points sp ON sp.id = l.supply_point_id
           WHERE l.invoice_id = $1 AND l.organisation_id = ANY($2)
             AND ($3::bigint[] IS NULL OR l.supply_point_id IS NULL OR sp.site_id = ANY($3))
           ORDER BY sp.mpan_core NULLS LAST, l.id"#,
        invoice_id,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await
}

/// An invoice locked for a change of status.
pub(super) struct LockedInvoice {
    pub id: i64,
    pub organisation_id: i64,
    pub invoice_number: String,
    pub status: InvoiceStatus,
    pub credits_invoice_id: Option<i64>,
}

pub(super) async fn lock_invoice(
    tx: &mut ScopedTx<'_>,
    invoice_id: i64,
) -> Result<Option<LockedInvoice>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        LockedInvoice,
        r#"SELECT id, organisation_id, invoice_number, status AS "status: InvoiceStatus", credits_invoice_id
           FROM invoices WHERE id = $1 AND organisation_id = ANY($2) FOR UPDATE"#,
        invoice_id,
        &orgs
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A query locked for a step: what it is on and whether it is open.
pub(super) struct LockedQuery {
    pub id: i64,
    pub organisation_id: i64,
    pub invoice_id: i64,
    pub status: QueryStatus,
}

/// The query if the scope shows it (the site restriction as in `find`), locked.
pub(super) async fn lock_query(
    tx: &mut ScopedTx<'_>,
    query_id: i64,
) -> Result<Option<LockedQuery>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        LockedQuery,
        r#"SELECT q.id, q.organisation_id, q.invoice_id, q.status AS "status: QueryStatus"
           FROM invoice_queries q
           WHERE q.id = $1 AND q.organisation_id = ANY($2)
             AND ($3::bigint[] IS NULL OR q.supply_point_id IS NULL
                  OR q.supply_point_id IN (SELECT sp.id FROM supply_points sp WHERE sp.site_id = ANY($3)))
           FOR UPDATE OF q"#,
        query_id,
        &orgs,
        sites.as_deref()
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(super) async fn add_message(
    tx: &mut ScopedTx<'_>,
    by: Participant<'_>,
    query_id: i64,
    organisation_id: i64,
    kind: MessageKind,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO invoice_query_messages (query_id, organisation_id, author_user_id, author_name, author_role, kind, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        query_id,
        organisation_id,
        by.actor.user_id,
        by.name,
        by.role.as_str(),
        kind.as_str(),
        body
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Marks the query resolved by `by`.
pub(super) async fn close(
    tx: &mut ScopedTx<'_>,
    by: Participant<'_>,
    query_id: i64,
    status: QueryStatus,
    credit_note_id: Option<i64>,
    rebill_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE invoice_queries SET status = $2, resolved_by = $3, resolved_at = now(),
                credit_note_id = $4, rebill_id = $5
         WHERE id = $1",
        query_id,
        status.as_str(),
        by.actor.user_id,
        credit_note_id,
        rebill_id
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Raises a query on an invoice (`line_id: None`) or on one of its lines, with its first message
/// (already checked: `domain::invoice_query::check_message`). The invoice shows "queried" and
/// keeps the status it had, to go back to when its queries are explained. Returns the query's id.
#[tracing::instrument(level = "debug", skip_all, fields(invoice_id = invoice_id, line_id = line_id))]
pub async fn raise(
    tx: &mut ScopedTx<'_>,
    by: Participant<'_>,
    invoice_id: i64,
    line_id: Option<i64>,
    message: &str,
) -> Result<Outcome<i64>, sqlx::Error> {
    let Some(invoice) = lock_invoice(tx, invoice_id).await? else {
        return Ok(Outcome::NotFound);
    };
    let supply_point_id = match line_id {
        None => None,
        Some(line_id) => {
            let orgs = tx.scope().organisation_ids().to_vec();
            let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
            let line = sqlx::query!(
                "SELECT l.supply_point_id FROM invoice_lines l LEFT JOIN supply_points sp ON sp.id = l.supply_point_id
                 WHERE l.id = $1 AND l.invoice_id = $2 AND l.organisation_id = ANY($3)
                   AND ($4::bigint[] IS NULL OR l.supply_point_id IS NULL OR sp.site_id = ANY($4))",
                line_id,
                invoice_id,
                &orgs,
                sites.as_deref()
            )
            .fetch_optional(&mut **tx)
            .await?;
            match line {
                Some(l) => l.supply_point_id,
                None => return Ok(Outcome::NotFound),
            }
        }
    };
    if invoice.credits_invoice_id.is_some() {
        return Ok(Outcome::Refused(Refusal::CreditNote));
    }
    if invoice.status == InvoiceStatus::Credited {
        return Ok(Outcome::Refused(Refusal::AlreadyCredited));
    }
    let query_id = sqlx::query_scalar!(
        "INSERT INTO invoice_queries (organisation_id, invoice_id, invoice_line_id, supply_point_id, raised_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        invoice.organisation_id,
        invoice.id,
        line_id,
        supply_point_id,
        by.actor.user_id
    )
    .fetch_one(&mut **tx)
    .await?;
    add_message(
        tx,
        by,
        query_id,
        invoice.organisation_id,
        MessageKind::Raised,
        message,
    )
    .await?;
    if invoice.status != InvoiceStatus::Queried {
        sqlx::query!(
            "UPDATE invoices SET status_before_query = status, status = 'queried' WHERE id = $1",
            invoice.id
        )
        .execute(&mut **tx)
        .await?;
    }
    audit::record_against(
        tx,
        by.actor,
        Some(invoice.organisation_id),
        "invoice_query.raised",
        json!({ "query_id": query_id, "invoice_id": invoice.id, "invoice": invoice.invoice_number, "line_id": line_id }),
    )
    .await?;
    Ok(Outcome::Done(query_id))
}

/// Adds a reply to an open query.
#[tracing::instrument(level = "debug", skip_all, fields(query_id = query_id))]
pub async fn reply(
    tx: &mut ScopedTx<'_>,
    by: Participant<'_>,
    query_id: i64,
    message: &str,
) -> Result<Outcome<()>, sqlx::Error> {
    let Some(q) = lock_query(tx, query_id).await? else {
        return Ok(Outcome::NotFound);
    };
    if !q.status.is_open() {
        return Ok(Outcome::Refused(Refusal::Closed));
    }
    add_message(tx, by, q.id, q.organisation_id, MessageKind::Reply, message).await?;
    audit::record_against(
        tx,
        by.actor,
        Some(q.organisation_id),
        "invoice_query.replied",
        json!({ "query_id": q.id, "invoice_id": q.invoice_id }),
    )
    .await?;
    Ok(Outcome::Done(()))
}

/// Resolves an open query with an explanation. When no other query on the invoice is open, the
/// invoice goes back to the status it had before it was queried.
#[tracing::instrument(level = "debug", skip_all, fields(query_id = query_id))]
pub async fn explain(
    tx: &mut ScopedTx<'_>,
    by: Participant<'_>,
    query_id: i64,
    message: &str,
) -> Result<Outcome<()>, sqlx::Error> {
    let Some(q) = lock_query(tx, query_id).await? else {
        return Ok(Outcome::NotFound);
    };
    if !q.status.is_open() {
        return Ok(Outcome::Refused(Refusal::Closed));
    }
    close(tx, by, q.id, QueryStatus::Explained, None, None).await?;
    add_message(tx, by, q.id, q.organisation_id, MessageKind::Explained, message).await?;
    // Locked after the query, as crediting does; the count then sees every other resolution
    // committed before this one.
    lock_invoice(tx, q.invoice_id).await?;
    sqlx::query!(
        "UPDATE invoices SET status = status_before_query, status_before_query = NULL
         WHERE id = $1 AND status = 'queried' AND status_before_query IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM invoice_queries WHERE invoice_id = $1 AND status = 'open')",
        q.invoice_id
    )
    .execute(&mut **tx)
    .await?;
    audit::record_against(
        tx,
        by.actor,
        Some(q.organisation_id),
        "invoice_query.resolved",
        json!({ "query_id": q.id, "invoice_id": q.invoice_id, "resolution": "explained" }),
    )
    .await?;
    Ok(Outcome::Done(()))
}
