//! The audit log (append-only): who did what, when, from where. Written by the server (logins)
//! and by server fns (user management, account-manager access, exports).
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

pub struct Entry<'a> {
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<&'a str>,
    pub action: &'a str,
    pub organisation_id: Option<i64>,
    pub detail: Value,
    pub client_ip: &'a str,
}

async fn insert(conn: &mut PgConnection, e: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (actor_user_id, actor_email, action, organisation_id, detail, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.actor_user_id)
    .bind(e.actor_email)
    .bind(e.action)
    .bind(e.organisation_id)
    .bind(e.detail)
    .bind(e.client_ip)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records an entry on its own (sign-in events, before any scope exists).
pub async fn record(db: &PgPool, e: Entry<'_>) -> Result<(), sqlx::Error> {
    insert(&mut *db.acquire().await?, e).await
}

/// Records an action of the signed-in caller inside their scoped transaction.
pub async fn record_in(
    tx: &mut super::scope::ScopedTx<'_>,
    who: &crate::auth::Identity,
    action: &str,
    detail: Value,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor_user_id: Some(who.user_id),
        actor_email: Some(&who.email),
        action,
        organisation_id: who.organisation_id,
        detail,
        client_ip: &who.client_ip,
    };
    insert(tx, entry).await
}

/// Records that a staff member read a customer's data (against the customer's organisation).
pub async fn record_access(
    tx: &mut super::scope::ScopedTx<'_>,
    who: &crate::auth::Identity,
    organisation_id: i64,
    action: &str,
    object_id: i64,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor_user_id: Some(who.user_id),
        actor_email: Some(&who.email),
        action,
        organisation_id: Some(organisation_id),
        detail: serde_json::json!({ "id": object_id }),
        client_ip: &who.client_ip,
    };
    insert(tx, entry).await
}
