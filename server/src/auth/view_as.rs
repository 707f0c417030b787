//! "View as customer": an account manager or operations admin opens a customer's portal exactly
//! as the customer sees it, read-only. The choice is a column of the session row
//! (`sessions.viewing_as_organisation_id`), so it is checked on every request like the session
//! itself (`sessions::viewing_as`), ends with the session, and cannot be forged from the client.
//! While it is set, every request that could change something is refused here, before any
//! handler runs: only reads pass (pages, downloads, the server fns in `app::api::READ_ONLY_FNS`),
//! plus ending the view and signing out. Starting and ending are in the audit log, and every read
//! in between is recorded as staff reads are (`Identity::reads_are_audited`).
use app::auth::Identity;
use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::json;

use super::audit;
use super::middleware::AuthState;
use super::redirect::safe_next;

pub const START: &str = "/auth/view-as";
pub const END: &str = "/auth/view-as/end";
/// Where "Back to my customers" leads.
pub const HOME: &str = "/customers";

#[derive(Deserialize)]
pub struct StartForm {
    pub organisation_id: i64,
    /// The customer's page to open (one of the portal's pages, checked like a sign-in's `next`).
    #[serde(default)]
    pub next: Option<String>,
}

/// Whether a request may pass while the session views a customer's portal.
pub fn permits(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        || path == END
        || path == "/auth/logout"
        || app::api::READ_ONLY_FNS.contains(&path)
}

/// The answer to anything that would change something while viewing as a customer.
pub fn refused(site: &leptos::config::LeptosOptions) -> Response {
    let stylesheet = crate::site::stylesheet_link(site);
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Read-only view</title>\
         {stylesheet}</head><body><main class=\"main\">\
         <h1>Nothing can be changed here</h1>\
         <p>You are viewing this customer's portal as they see it, read-only. \
         To act for the customer, go back to your customers first.</p>\
         <form method=\"post\" action=\"/auth/view-as/end\">\
         <button class=\"button\" type=\"submit\">Back to my customers</button></form>\
         </main></body></html>"
        ),
    )
        .into_response()
}

/// Starts viewing `organisation_id` as the customer: staff only, and only a customer in the
/// caller's scope (another one, or an unknown id, answers 404 as elsewhere).
pub async fn start(
    State(st): State<AuthState>,
    identity: Option<Extension<Identity>>,
    Form(form): Form<StartForm>,
) -> Response {
    let Some(Extension(id)) = identity else {
        return Redirect::to("/login").into_response();
    };
    if id.viewing_as.is_some() {
        return (
            StatusCode::CONFLICT,
            "You are already viewing a customer's portal: go back to your customers first.",
        )
            .into_response();
    }
    if !id.role.is_staff() {
        return (
            StatusCode::FORBIDDEN,
            "Only account managers and operations can do this.",
        )
            .into_response();
    }
    if !id.scope.includes_organisation(form.organisation_id) {
        return (StatusCode::NOT_FOUND, "No such customer.").into_response();
    }
    let updated = sqlx::query!(
        "UPDATE sessions SET viewing_as_organisation_id = $2 WHERE id = $1 AND revoked_at IS NULL",
        id.session_id,
        form.organisation_id
    )
    .execute(&st.db)
    .await;
    if let Err(e) = updated {
        tracing::error!(error = %e, "view as: could not update the session");
        return (StatusCode::SERVICE_UNAVAILABLE, "Please try again shortly.").into_response();
    }
    let next = safe_next(form.next.as_deref().unwrap_or("/"));
    let _ = audit::record(
        &st.db,
        audit::Entry {
            actor_user_id: Some(id.user_id),
            actor_email: Some(&id.email),
            action: "view_as.start",
            organisation_id: Some(form.organisation_id),
            detail: json!({ "session": id.session_id, "role": id.role.as_str(), "opened": next }),
            client_ip: &id.client_ip,
        },
    )
    .await;
    Redirect::to(&next).into_response()
}

/// Ends the view and goes back to the staff member's customers.
pub async fn end(State(st): State<AuthState>, identity: Option<Extension<Identity>>) -> Response {
    let Some(Extension(id)) = identity else {
        return Redirect::to("/login").into_response();
    };
    if id.viewing_as.is_some() {
        let cleared = sqlx::query!(
            "UPDATE sessions SET viewing_as_organisation_id = NULL WHERE id = $1",
            id.session_id
        )
        .execute(&st.db)
        .await;
        if let Err(e) = cleared {
            tracing::error!(error = %e, "view as: could not end the view");
            return (StatusCode::SERVICE_UNAVAILABLE, "Please try again shortly.").into_response();
        }
        let _ = audit::record(
            &st.db,
            audit::Entry {
                actor_user_id: Some(id.user_id),
                actor_email: Some(&id.email),
                action: "view_as.end",
                organisation_id: id.organisation_id,
                detail: json!({ "session": id.session_id }),
                client_ip: &id.client_ip,
            },
        )
        .await;
    }
    Redirect::to(HOME).into_response()
}
