//! Logging: human-readable locally, JSON on Lambda (CloudWatch parses it). Every request runs in a
//! `request` span carrying its `request_id` (server/src/layers.rs); events inside it, including
//! sqlx's slow-statement warnings, print the fields of every enclosing span.
use tracing_subscriber::EnvFilter;

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            // Every enclosing span's fields, so each line carries the request's `request_id`
            // even inside a server fn's or store call's own span.
            .with_span_list(true)
            .without_time()
            .try_init()
    } else {
        builder.compact().try_init()
    };
}
