//! `app(state)`: the one router both transports serve (local `axum::serve` and Lambda).
use app::api::imports::UploadLimit;
use app::auth::Identity;
use app::shell::{shell, App};
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, Uri};
use axum::routing::{on, MethodFilter};
use axum::{Extension, Router};
use leptos::nonce::provide_nonce;
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};

use crate::auth::middleware::{authenticate, AuthState};
use crate::auth::{email_links, handlers, mfa};
use crate::config::Config;
use crate::{auth, export, health, layers, site, upload};

/// A route outside Leptos (pages and server fns come from `app`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainRoute {
    Healthz,
    Login,
    Logout,
    ChangePassword,
    ForgotPassword,
    LinkPassword,
    MfaVerify,
    MfaEnrol,
    MfaContinue,
    MfaSetup,
    MfaRemove,
    InvoicePdf,
    InvoicesCsv,
    InvoiceLinesCsv,
    HhCsv,
    AnalysisChart,
    AnalysisTable,
    ViewAs,
    ViewAsEnd,
    ImportUpload,
}

/// Every plain route: `app()` mounts exactly these (the match below has an arm for each), and the
/// authorisation matrix compares its rows with this list, so neither can drift from the router.
pub const PLAIN_ROUTES: [PlainRoute; 20] = [
    PlainRoute::Healthz,
    PlainRoute::Login,
    PlainRoute::Logout,
    PlainRoute::ChangePassword,
    PlainRoute::ForgotPassword,
    PlainRoute::LinkPassword,
    PlainRoute::MfaVerify,
    PlainRoute::MfaEnrol,
    PlainRoute::MfaContinue,
    PlainRoute::MfaSetup,
    PlainRoute::MfaRemove,
    PlainRoute::InvoicePdf,
    PlainRoute::InvoicesCsv,
    PlainRoute::InvoiceLinesCsv,
    PlainRoute::HhCsv,
    PlainRoute::AnalysisChart,
    PlainRoute::AnalysisTable,
    PlainRoute::ViewAs,
    PlainRoute::ViewAsEnd,
    PlainRoute::ImportUpload,
];

impl PlainRoute {
    pub const fn path(self) -> &'static str {
        match self {
            PlainRoute::Healthz => "/healthz",
            PlainRoute::Login => "/auth/login",
            PlainRoute::Logout => "/auth/logout",
            PlainRoute::ChangePassword => "/auth/password",
            PlainRoute::ForgotPassword => "/auth/forgot",
            PlainRoute::LinkPassword => "/auth/link",
            PlainRoute::MfaVerify => "/auth/mfa",
            PlainRoute::MfaEnrol => "/auth/mfa/enrol",
            PlainRoute::MfaContinue => "/auth/mfa/continue",
            PlainRoute::MfaSetup => "/auth/mfa/setup",
            PlainRoute::MfaRemove => "/auth/mfa/remove",
            PlainRoute::InvoicePdf => "/invoices/{id}/pdf",
            PlainRoute::InvoicesCsv => "/invoices/export.csv",
            PlainRoute::InvoiceLinesCsv => "/invoices/lines.csv",
            PlainRoute::HhCsv => "/consumption/export.csv",
            PlainRoute::AnalysisChart => "/analysis/chart.svg",
            PlainRoute::AnalysisTable => "/analysis/table.csv",
            PlainRoute::ViewAs => auth::view_as::START,
            PlainRoute::ViewAsEnd => auth::view_as::END,
            PlainRoute::ImportUpload => app::api::imports::UPLOAD_PATH,
        }
    }

    pub const fn method(self) -> Method {
        match self {
            PlainRoute::Healthz
            | PlainRoute::InvoicePdf
            | PlainRoute::InvoicesCsv
            | PlainRoute::InvoiceLinesCsv
            | PlainRoute::HhCsv
            | PlainRoute::AnalysisChart
            | PlainRoute::AnalysisTable => Method::GET,
            PlainRoute::Login
            | PlainRoute::Logout
            | PlainRoute::ChangePassword
            | PlainRoute::ForgotPassword
            | PlainRoute::LinkPassword
            | PlainRoute::MfaVerify
            | PlainRoute::MfaEnrol
            | PlainRoute::MfaContinue
            | PlainRoute::MfaSetup
            | PlainRoute::MfaRemove
            | PlainRoute::ViewAs
            | PlainRoute::ViewAsEnd
            | PlainRoute::ImportUpload => Method::POST,
        }
    }

    fn filter(self) -> MethodFilter {
        MethodFilter::try_from(self.method()).expect("a plain route uses a standard method")
    }
}

pub fn app(state: AppState, config: &Config) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    // Authentication has its own pool on the same server, as `portal_auth`: the only role that
    // reads password hashes and sessions. The app's pool (`portal_app`) cannot. With
    // `AUTH_DATABASE_URL`, a login of its own that is `portal_auth` (no `SET ROLE`: see db.rs).
    let auth_db = match &config.auth_database_url {
        Some(url) => {
            let options = url
                .parse::<sqlx::postgres::PgConnectOptions>()
                .expect("AUTH_DATABASE_URL was checked at start-up");
            crate::db::login_pool(
                crate::db::log_slow_statements(options, config.slow_query),
                config.pool_size,
            )
        }
        None => crate::db::app_pool(
            state.db.connect_options().as_ref().clone(),
            config.pool_size,
            &config.auth_role,
        ),
    };
    if let Some(credentials) = &config.db_credentials {
        credentials.track(crate::secrets::Login::Auth, &auth_db);
    }
    let auth_state = AuthState {
        db: auth_db,
        cfg: config.auth.clone(),
        on_lambda: config.on_lambda,
        site: state.leptos_options.clone(),
    };
    // Every request carries the mailer (server fns and the `/auth/*` handlers send through it).
    let mailer = config
        .mail
        .mailer()
        .expect("the mail configuration was checked when it was read");
    let mut plain: Router<AppState> = Router::new();
    let mut auth_routes: Router<AuthState> = Router::new();
    for route in PLAIN_ROUTES {
        let (path, filter) = (route.path(), route.filter());
        match route {
            PlainRoute::Healthz => plain = plain.route(path, on(filter, health::healthz)),
            PlainRoute::Login => auth_routes = auth_routes.route(path, on(filter, handlers::login)),
            PlainRoute::Logout => auth_routes = auth_routes.route(path, on(filter, handlers::logout)),
            PlainRoute::ChangePassword => {
                auth_routes = auth_routes.route(path, on(filter, handlers::change_password))
            }
            PlainRoute::ForgotPassword => {
                auth_routes = auth_routes.route(path, on(filter, email_links::forgot))
            }
            PlainRoute::LinkPassword => {
                auth_routes = auth_routes.route(path, on(filter, email_links::choose_password))
            }
            PlainRoute::MfaVerify => auth_routes = auth_routes.route(path, on(filter, mfa::verify)),
            PlainRoute::MfaEnrol => auth_routes = auth_routes.route(path, on(filter, mfa::confirm_enrolment)),
            PlainRoute::MfaContinue => {
                auth_routes = auth_routes.route(path, on(filter, mfa::continue_after_codes))
            }
            PlainRoute::MfaSetup => auth_routes = auth_routes.route(path, on(filter, mfa::setup)),
            PlainRoute::MfaRemove => auth_routes = auth_routes.route(path, on(filter, mfa::remove)),
            PlainRoute::ViewAs => auth_routes = auth_routes.route(path, on(filter, auth::view_as::start)),
            PlainRoute::ViewAsEnd => auth_routes = auth_routes.route(path, on(filter, auth::view_as::end)),
            PlainRoute::InvoicePdf => plain = plain.route(path, on(filter, export::invoice_pdf)),
            PlainRoute::InvoicesCsv => plain = plain.route(path, on(filter, export::invoices_csv)),
            PlainRoute::InvoiceLinesCsv => plain = plain.route(path, on(filter, export::invoice_lines_csv)),
            PlainRoute::HhCsv => {
                // On Lambda the file goes through S3 (export::offload) when a bucket is configured.
                let route = on(filter, export::hh::hh_csv);
                plain = match &config.export_offload {
                    Some(offload) => plain.route(path, route.layer(Extension(offload.clone()))),
                    None => plain.route(path, route),
                }
            }
            PlainRoute::AnalysisChart => plain = plain.route(path, on(filter, export::analysis::chart_svg)),
            PlainRoute::AnalysisTable => plain = plain.route(path, on(filter, export::analysis::table_csv)),
            PlainRoute::ImportUpload => {
                let limit = config.upload_max_bytes;
                let handler =
                    move |state: State<AppState>, identity: Option<Extension<Identity>>, req: Request| {
                        upload::upload(state, identity, limit, req)
                    };
                // The body limit the multipart reader enforces (the upload's own, not axum's 2 MB).
                let body_limit = DefaultBodyLimit::max(usize::try_from(limit).unwrap_or(usize::MAX));
                plain = plain.route(path, on(filter, handler).layer(body_limit))
            }
        }
    }
    // Pages and server fns: the CSP nonce, and the upload limit for the Imports page.
    let upload_limit = UploadLimit(config.upload_max_bytes);
    let context = move || {
        provide_nonce();
        provide_context(upload_limit);
    };
    // `/pkg` is served before authentication (see `site::pkg_routes`); files of `public/` and the
    // not-found page come from the fallback, behind it.
    let pkg = site::pkg_routes(&options);
    let not_found = file_and_error_handler_with_context::<AppState, _>(provide_nonce, shell);
    let fallback = move |uri: Uri, State(state): State<AppState>, req: Request| {
        let not_found = not_found.clone();
        async move {
            match site::public_file(&state.leptos_options, req.method(), req.uri(), req.headers()).await {
                Some(file) => file,
                None => not_found(uri, State(state), req).await,
            }
        }
    };
    let router = plain
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback(fallback)
        .with_state(state)
        .merge(auth_routes.with_state(auth_state.clone()))
        .layer(axum::middleware::from_fn_with_state(auth_state, authenticate))
        .layer(axum::Extension(mailer))
        .layer(axum::middleware::from_fn(layers::server_fn_error_status))
        .layer(axum::middleware::from_fn(layers::server_fn_body_guard))
        .layer(axum::middleware::from_fn(auth::csrf::reject_cross_site));
    layers::apply(pkg.merge(router), config)
}
