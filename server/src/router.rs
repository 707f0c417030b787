//! `app(state)`: the one router both transports serve (local `axum::serve` and Lambda).
use app::shell::{shell, App};
use app::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use leptos::nonce::provide_nonce;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};

use crate::auth::handlers;
use crate::auth::middleware::{authenticate, AuthState};
use crate::config::Config;
use crate::{auth, health, layers};

pub fn app(state: AppState, config: &Config) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let auth_state = AuthState {
        db: state.db.clone(),
        cfg: config.auth.clone(),
        on_lambda: config.on_lambda,
    };
    let auth_routes = Router::new()
        .route("/auth/login", post(handlers::login))
        .route("/auth/logout", post(handlers::logout))
        .route("/auth/password", post(handlers::change_password))
        .with_state(auth_state.clone());
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .leptos_routes_with_context(&state, routes, provide_nonce, move || shell(options.clone()))
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            provide_nonce,
            shell,
        ))
        .with_state(state)
        .merge(auth_routes)
        .layer(axum::middleware::from_fn_with_state(auth_state, authenticate))
        .layer(axum::middleware::from_fn(layers::server_fn_error_status))
        .layer(axum::middleware::from_fn(auth::csrf::reject_cross_site));
    layers::apply(router, config)
}
