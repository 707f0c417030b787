//! API Gateway events (REST v1 proxy and HTTP API v2) as the Lambda runtime hands them over: JSON
//! decoded into `lambda_http`'s event type, then into the request the router sees
//! (`server::lambda_event`, used by `server::transport::handle_event`). Either a request or a
//! refusal; never a panic.
#![no_main]

use lambda_http::request::LambdaRequest;
use libfuzzer_sys::fuzz_target;
use portal_fuzz::lambda_event::into_request;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = serde_json::from_slice::<LambdaRequest>(data) else {
        return;
    };
    if let Ok(request) = into_request(event) {
        assert!(request.uri().path().starts_with('/'), "{}", request.uri());
    }
});
