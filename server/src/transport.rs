//! The two ways the same router is served: the Lambda runtime with `lambda_http`'s adapter inside
//! AWS Lambda (`handle_event`), `axum::serve` everywhere else. The choice comes from the environment, never from the build profile.
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::serve::ListenerExt;
use axum::Router;
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, LambdaEvent, Service};

use crate::lambda_event;
use crate::secrets::DbCredentials;

static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Records when the process started (the first thing `main` does), for the init time logged on
/// Lambda.
pub fn mark_process_start() {
    PROCESS_START.get_or_init(Instant::now);
}

/// Milliseconds since [`mark_process_start`].
pub fn since_process_start_ms() -> f64 {
    PROCESS_START
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0)
}

pub async fn serve(
    app: Router,
    on_lambda: bool,
    addr: SocketAddr,
    credentials: Option<Arc<DbCredentials>>,
) -> anyhow::Result<()> {
    if on_lambda {
        // The end of this function's init: the runtime asks for its first event next. Measured
        // by scripts/cold-start.sh (target: 50 ms).
        tracing::info!(
            init_ms = since_process_start_ms(),
            "serving through the Lambda runtime API"
        );
        // As `lambda_http::run(app)`, with events that make no request refused first.
        lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event| {
            let app = app.clone();
            let credentials = credentials.clone();
            async move {
                if let Some(c) = credentials {
                    c.refresh_if_due().await;
                }
                handle_event(app, event).await
            }
        }))
        .await
        .map_err(|e| anyhow::anyhow!("lambda runtime: {e}"))
    } else {
        // Pages are streamed (the shell first, then each resolved Suspense): with Nagle's algorithm
        // on, the second write waits for the client's delayed ACK, ~40 ms on Linux, per response.
        let listener = tokio::net::TcpListener::bind(addr).await?.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        tracing::info!("listening on http://{addr}");
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
}

/// One Lambda invocation: a 400 for an event that makes no HTTP request (where `lambda_http` would
/// panic, see `lambda_event`), otherwise the router's response as `lambda_http::run` gives it.
pub async fn handle_event(
    app: Router,
    event: LambdaEvent<LambdaRequest>,
) -> Result<serde_json::Value, lambda_http::Error> {
    if let Err(why) = lambda_event::check(&event.payload) {
        tracing::warn!(error = %why, "refusing an API Gateway event");
        return Ok(lambda_event::bad_request(&why));
    }
    let response = Adapter::from(app).call(event).await?;
    Ok(serde_json::to_value(response)?)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
