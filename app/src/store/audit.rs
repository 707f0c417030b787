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
    sqlx::query!(
        "INSERT INTO audit_log (actor_user_id, actor_email, action, organisation_id, detail, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6)",
        e.actor_user_id,
        e.actor_email,
        e.action,
        e.organisation_id,
        e.detail,
        e.client_ip
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records an entry on its own (sign-in events, before any scope exists).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = e.actor_user_id, action = e.action))]
pub async fn record(db: &PgPool, e: Entry<'_>) -> Result<(), sqlx::Error> {
    insert(&mut *db.acquire().await?, e).await
}

/// The signed-in user an action is recorded against (built from the caller's identity).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: i64,
    pub email: &'a str,
    pub organisation_id: Option<i64>,
    pub client_ip: &'a str,
}

/// Records an action of the signed-in caller inside their scoped transaction, against their own
/// organisation.
pub async fn record_in(
    tx: &mut super::scope::ScopedTx<'_>,
    who: Actor<'_>,
    action: &str,
    detail: Value,
) -> Result<(), sqlx::Error> {
    record_against(tx, who, who.organisation_id, action, detail).await
}

/// Records an action of the signed-in caller against `organisation_id` (`None`: no organisation,
/// so only operations admins see it).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = who.user_id, organisation_id = organisation_id, action = action))]
pub async fn record_against(
    tx: &mut super::scope::ScopedTx<'_>,
    who: Actor<'_>,
    organisation_id: Option<i64>,
    action: &str,
    detail: Value,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor_user_id: Some(who.user_id),
        actor_email: Some(who.email),
        action,
        organisation_id,
        detail,
        client_ip: who.client_ip,
    };
    insert(tx, entry).await
}

/// Records that staff read customers' data: one entry per request, against the organisation
/// when one was read (the customer sees it), with every organisation read in the detail.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = who.user_id, action = action, organisations = organisations.len()))]
pub async fn record_read(
    tx: &mut super::scope::ScopedTx<'_>,
    who: Actor<'_>,
    organisations: &[i64],
    action: &str,
    mut detail: Value,
) -> Result<(), sqlx::Error> {
    let organisation_id = match organisations {
        [one] => Some(*one),
        _ => None,
    };
    if let Value::Object(map) = &mut detail {
        map.insert("organisations".into(), organisations.into());
    }
    record_against(tx, who, organisation_id, action, detail).await
}
