//! The HTML document and the app's router: header, navigation, page routes, footer.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::flash::Flash;
use crate::components::layout::{Footer, Header};
use crate::pages;

/// The document the server renders around the app. The inline hydration script carries the
/// per-request nonce that the Content-Security-Policy header allows, and nothing else inline runs.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_csp_header();
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The stylesheet, the client's JS and its WASM by their content-hashed names
                // (the hash file: server/src/site.rs), so browsers may keep them for good.
                <HashedStylesheet options=options.clone() id="leptos" root=asset_origin() />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true root=asset_origin() />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn set_csp_header() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(opts) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    // In `cargo leptos watch` the live-reload socket is on its own port.
    let connect = match std::env::var("LEPTOS_WATCH") {
        Ok(_) => "'self' ws://127.0.0.1:3001 ws://localhost:3001",
        Err(_) => "'self'",
    };
    // The /pkg files' origin when they are served from elsewhere (ASSET_ORIGIN: CloudFront).
    let assets = match asset_origin() {
        "" => String::new(),
        origin => format!(" {origin}"),
    };
    // Where an export form's answer may send the browser: the S3 bucket of large downloads on
    // AWS (EXPORT_DOWNLOAD_ORIGIN; server/src/export/offload), else nowhere but here.
    let downloads = match download_origin() {
        "" => String::new(),
        origin => format!(" {origin}"),
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'{assets} 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'{assets}; \
         img-src 'self' data:; connect-src {connect}{assets}; object-src 'none'; base-uri 'none'; \
         form-action 'self'{downloads}; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        opts.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Where the page loads its `/pkg` files (client, stylesheet) from: `ASSET_ORIGIN` on AWS (the
/// static files' CloudFront address, e.g. `https://static.portal.example`, so a page always
/// names files its own build made: infra/README.md), or the portal itself (`""`). Read once; a
/// value that is not a bare `http(s)://host[:port]` origin is ignored with a warning.
pub fn asset_origin() -> &'static str {
    #[cfg(feature = "ssr")]
    {
        static ORIGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        ORIGIN.get_or_init(|| match std::env::var("ASSET_ORIGIN") {
            Ok(v) if v.is_empty() => String::new(),
            Ok(v) => match parse_origin(&v) {
                Some(origin) => origin,
                None => {
                    tracing::warn!(value = %v, "ASSET_ORIGIN is not an origin (https://host[:port]); serving /pkg from the portal");
                    String::new()
                }
            },
            Err(_) => String::new(),
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        ""
    }
}

/// The origin of the presigned links large exports redirect to (`EXPORT_DOWNLOAD_ORIGIN`, the
/// export bucket's; the server checks it names the bucket), or `""`. Read once, as
/// [`asset_origin`].
#[cfg(feature = "ssr")]
fn download_origin() -> &'static str {
    static ORIGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ORIGIN.get_or_init(|| match std::env::var("EXPORT_DOWNLOAD_ORIGIN") {
        Ok(v) if !v.is_empty() => parse_origin(&v).unwrap_or_else(|| {
            tracing::warn!(value = %v, "EXPORT_DOWNLOAD_ORIGIN is not an origin (https://host[:port]); ignored");
            String::new()
        }),
        _ => String::new(),
    })
}

/// `https://host[:port]` (or http), without a trailing slash; nothing else (no path, query,
/// spaces or quotes, which would break out of the CSP or the page).
#[cfg(feature = "ssr")]
fn parse_origin(v: &str) -> Option<String> {
    let v = v.trim_end_matches('/');
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"))?;
    let ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    ok.then(|| v.to_owned())
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|t: String| if t.is_empty() { "Portal · Northgate Energy".to_string() } else { format!("{t} · Northgate Energy") } />
        <Router>
            <div class="app">
                <Header />
                <main class="main" id="main">
                    <Flash />
                    // Pages whose status depends on the caller's rights to a record (404 for
                    // another tenant's id, 403 for admin) render once their data is in: streamed,
                    // the status would go out before the lookup and be 200 or 404 by chance.
                    <Routes fallback=pages::not_found::NotFound>
                        <Route path=path!("/") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                        <Route path=path!("/sites") view=pages::sites::SitesPage ssr=SsrMode::Async />
                        <Route path=path!("/consumption") view=pages::consumption::ConsumptionPage ssr=SsrMode::Async />
                        <Route path=path!("/analysis") view=pages::analysis::AnalysisPage ssr=SsrMode::Async />
                        <Route path=path!("/export") view=pages::data_export::DataExportPage ssr=SsrMode::Async />
                        <Route path=path!("/invoices") view=pages::invoices::InvoicesPage ssr=SsrMode::Async />
                        <Route path=path!("/queries") view=pages::queries::QueriesPage ssr=SsrMode::Async />
                        <Route path=path!("/bill-validation") view=pages::bill_validation::BillValidationPage ssr=SsrMode::Async />
                        <Route path=path!("/contracts") view=pages::contracts::ContractsPage ssr=SsrMode::Async />
                        <Route path=path!("/alerts") view=pages::alerts::AlertsPage ssr=SsrMode::Async />
                        <Route path=path!("/customers") view=pages::customers::CustomersPage ssr=SsrMode::Async />
                        <Route path=path!("/admin") view=pages::admin::AdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/imports") view=pages::imports::ImportsPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/login") view=pages::login::LoginPage />
                        <Route path=path!("/login/mfa") view=pages::second_factor::SecondFactorPage ssr=SsrMode::Async />
                        <Route path=path!("/login/enrol") view=pages::second_factor::EnrolPage ssr=SsrMode::Async />
                        <Route path=path!("/login/recovery-codes") view=pages::second_factor::RecoveryCodesPage ssr=SsrMode::Async />
                        <Route path=path!("/password") view=pages::second_factor::NewPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("/login/forgot") view=pages::email_link::ForgotPasswordPage />
                        <Route path=path!("/welcome") view=pages::email_link::WelcomePage ssr=SsrMode::Async />
                        <Route path=path!("/reset-password") view=pages::email_link::ResetPasswordPage ssr=SsrMode::Async />
                    </Routes>
                </main>
                <Footer />
            </div>
        </Router>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::parse_origin;

    #[test]
    fn an_asset_origin_is_a_bare_origin() {
        assert_eq!(
            parse_origin("https://static.portal.example/").as_deref(),
            Some("https://static.portal.example")
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:9000").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        for bad in [
            "static.portal.example",
            "https://",
            "https://a.example/pkg",
            "https://a.example 'unsafe-inline'",
            "https://a.example;script-src *",
            "javascript:alert(1)",
        ] {
            assert_eq!(parse_origin(bad), None, "{bad}");
        }
    }
}
