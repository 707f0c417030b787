//! Who may call a server fn or render a page: the request's state and the caller's identity, or
//! the `ApiError` that says why not. Records the caller on the current tracing span.
use super::ApiError;
use crate::auth::Identity;
use crate::domain::role::Role;
use crate::state::AppState;

/// The state of the request being served.
pub fn state() -> Result<AppState, ApiError> {
    AppState::current().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        ApiError::Internal
    })
}

/// State and identity for a server fn or page that needs a signed-in caller (401 otherwise).
pub fn require() -> Result<(AppState, Identity), ApiError> {
    let identity = crate::auth::identity().ok_or(ApiError::Unauthenticated)?;
    let span = tracing::Span::current();
    span.record("user_id", identity.user_id);
    span.record("role", identity.role.as_str());
    Ok((state()?, identity))
}

/// As `require`, and the caller must have one of `roles` (403 otherwise).
pub fn require_role(roles: &[Role]) -> Result<(AppState, Identity), ApiError> {
    let (state, identity) = require()?;
    if identity.has_role(roles) {
        Ok((state, identity))
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Ends a read-only request's scoped transaction. When the caller is staff (an account manager or
/// an operations admin) reading customers' data, first records one audit entry for the request,
/// with the organisations read (`organisations`) and what (`action`, `detail`), and commits it;
/// customers' reads of their own data are not recorded (the transaction is dropped).
pub async fn finish_read(
    tx: crate::store::scope::ScopedTx<'_>,
    who: &Identity,
    action: &str,
    organisations: &[i64],
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    if !who.reads_are_audited() {
        return Ok(());
    }
    let mut tx = tx;
    crate::store::audit::record_read(&mut tx, who.actor(), organisations, action, detail).await?;
    tx.commit().await?;
    Ok(())
}
