//! API Gateway events (REST API v1 proxy, HTTP API v2) into the request the router sees.
//!
//! `lambda_http` converts an event with `unwrap`/`expect`: an event whose host, path,
//! `x-forwarded-proto` or query does not make a URI, or whose "base64" body is not base64, panics
//! inside the runtime, which then answers with an error (a 502 from API Gateway) instead of a 400.
//! The `lambda_event` fuzz target (fuzz/) found these. [`check`] repeats the fallible steps of
//! `lambda_http`'s conversion (request.rs, 1.3) and refuses such events first, so the conversion
//! in [`into_request`] cannot panic; the fuzz target holds it to that.
use std::fmt;

use base64::Engine as _;
use lambda_http::http::{header::HOST, HeaderMap, Uri};
use lambda_http::request::LambdaRequest;
use url::Url;

/// Why an event cannot become a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEvent(pub &'static str);

impl fmt::Display for BadEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the event makes no HTTP request: {}", self.0)
    }
}

impl std::error::Error for BadEvent {}

/// The request for `event`, or why there is none; never panics.
pub fn into_request(event: LambdaRequest) -> Result<lambda_http::Request, BadEvent> {
    check(&event)?;
    Ok(event.into())
}

/// Whether `lambda_http` can turn `event` into a request without panicking.
pub fn check(event: &LambdaRequest) -> Result<(), BadEvent> {
    match event {
        LambdaRequest::ApiGatewayV1(ag) => {
            let host = host(&ag.headers, ag.request_context.domain_name.as_deref());
            let path = with_stage(
                ag.request_context.stage.as_deref(),
                ag.path.as_deref().unwrap_or_default(),
            );
            let mut uri = request_uri(&path, &ag.headers, host)?;
            let (mv, sv) = (
                &ag.multi_value_query_string_parameters,
                &ag.query_string_parameters,
            );
            // `QueryMap::to_query_string` indexes each key's first value: a key with an empty
            // list (`"multiValueQueryStringParameters": {"a": []}`) panics there (query_map 0.7).
            if has_empty_value_list(mv) || has_empty_value_list(sv) {
                return Err(BadEvent("a query parameter has an empty list of values"));
            }
            if !mv.is_empty() {
                uri.push('?');
                uri.push_str(&mv.to_query_string());
            } else if !sv.is_empty() {
                uri.push('?');
                uri.push_str(&sv.to_query_string());
            }
            valid_uri(uri)?;
            body(ag.body.as_deref(), ag.is_base64_encoded)
        }
        LambdaRequest::ApiGatewayV2(ag) => {
            let host = host(&ag.headers, ag.request_context.domain_name.as_deref());
            let path = with_stage(
                ag.request_context.stage.as_deref(),
                ag.raw_path.as_deref().unwrap_or_default(),
            );
            let mut uri = request_uri(&path, &ag.headers, host)?;
            if let Some(query) = ag.raw_query_string.as_deref().filter(|q| !q.is_empty()) {
                uri.push('?');
                uri.push_str(query);
            }
            valid_uri(uri)?;
            body(ag.body.as_deref(), ag.is_base64_encoded)
        }
        // `LambdaRequest` is non-exhaustive; the portal enables only the two API Gateway kinds.
        _ => Err(BadEvent("not an API Gateway event")),
    }
}

/// Whether a key of `query` has no value at all (`QueryMap` keeps its map private; its serde
/// form is the map itself).
fn has_empty_value_list(query: &lambda_http::aws_lambda_events::query_map::QueryMap) -> bool {
    match serde_json::to_value(query) {
        Ok(serde_json::Value::Object(map)) => map.values().any(|v| v.as_array().is_some_and(Vec::is_empty)),
        Ok(_) => false,
        Err(_) => true,
    }
}

fn host<'a>(headers: &'a HeaderMap, domain_name: Option<&'a str>) -> Option<&'a str> {
    headers.get(HOST).and_then(|h| h.to_str().ok()).or(domain_name)
}

/// As `lambda_http`'s `apigw_path_with_stage`.
fn with_stage(stage: Option<&str>, path: &str) -> String {
    if std::env::var("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH").is_ok() {
        return path.into();
    }
    match stage {
        None | Some("$default") => path.into(),
        Some(stage) if path.starts_with(&format!("/{stage}/")) => path.into(),
        Some(stage) => format!("/{stage}{path}"),
    }
}

/// As `lambda_http`'s `build_request_uri` up to the query, where it unwraps `Url::parse`.
fn request_uri(path: &str, headers: &HeaderMap, host: Option<&str>) -> Result<String, BadEvent> {
    match host {
        None => Url::parse(&format!("http://localhost{path}"))
            .map(|u| u.path().to_string())
            .map_err(|_| BadEvent("the path does not make a URL")),
        Some(host) => {
            let scheme = headers
                .get("x-forwarded-proto")
                .and_then(|s| s.to_str().ok())
                .unwrap_or("https");
            Url::parse(&format!("{scheme}://{host}{path}"))
                .map(|u| u.to_string())
                .map_err(|_| BadEvent("the scheme, host and path do not make a URL"))
        }
    }
}

/// Where `lambda_http` expects the request builder to accept the URI.
fn valid_uri(uri: String) -> Result<(), BadEvent> {
    Uri::try_from(uri)
        .map(drop)
        .map_err(|_| BadEvent("the URL and query do not make a request URI"))
}

/// Where `Body::from_maybe_encoded` expects base64.
fn body(body: Option<&str>, base64: bool) -> Result<(), BadEvent> {
    match body {
        Some(b) if base64 => base64::engine::general_purpose::STANDARD
            .decode(b)
            .map(drop)
            .map_err(|_| BadEvent("the body is marked base64 but is not")),
        _ => Ok(()),
    }
}

/// The answer to an event that makes no request, in the shape both payload versions accept.
pub fn bad_request(why: &BadEvent) -> serde_json::Value {
    serde_json::json!({
        "statusCode": 400,
        "headers": {
            "content-type": "text/plain; charset=utf-8",
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        },
        "body": format!("bad request: {}", why.0),
        "isBase64Encoded": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn event(file: &str) -> Value {
        let path = format!("{}/tests/events/{file}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    fn decode(v: &Value) -> LambdaRequest {
        serde_json::from_value(v.clone()).expect("an API Gateway event")
    }

    /// `lambda_http` alone panics on `v`; `into_request` refuses it.
    fn refused(v: Value) -> BadEvent {
        let raw = decode(&v);
        let convert = std::panic::AssertUnwindSafe(move || drop(lambda_http::Request::from(raw)));
        let panicked = std::panic::catch_unwind(convert).is_err();
        assert!(
            panicked,
            "lambda_http converts this event now; is the check still needed? {v}"
        );
        into_request(decode(&v)).unwrap_err()
    }

    #[test]
    fn the_sample_events_become_requests() {
        for file in [
            "apigw_v1_get_healthz_query.json",
            "apigw_v1_get_sites_no_query.json",
            "apigw_v2_get_healthz.json",
            "apigw_v2_get_page_gzip.json",
            "apigw_v2_post_server_fn_base64.json",
        ] {
            let req = into_request(decode(&event(file))).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(req.uri().path().starts_with('/'), "{file}");
        }
    }

    #[test]
    fn a_forwarded_proto_that_is_no_scheme_is_refused_not_a_panic() {
        // The first crash the fuzz target found (x-forwarded-proto "-ttps").
        let mut v = event("apigw_v2_get_healthz.json");
        v["headers"]["x-forwarded-proto"] = Value::from("-ttps");
        assert_eq!(refused(v).0, "the scheme, host and path do not make a URL");
    }

    #[test]
    fn a_host_that_is_no_host_is_refused_not_a_panic() {
        let mut v = event("apigw_v1_get_healthz_query.json");
        v["headers"]["Host"] = Value::from("portal example");
        v["multiValueHeaders"]["Host"] = serde_json::json!(["portal example"]);
        refused(v);
    }

    #[test]
    fn a_raw_query_with_a_space_is_refused_not_a_panic() {
        let mut v = event("apigw_v2_get_healthz.json");
        v["rawQueryString"] = Value::from("a=b c");
        assert_eq!(refused(v).0, "the URL and query do not make a request URI");
    }

    #[test]
    fn a_body_marked_base64_that_is_not_is_refused_not_a_panic() {
        let mut v = event("apigw_v2_post_server_fn_base64.json");
        v["body"] = Value::from("site_id=1");
        assert_eq!(refused(v).0, "the body is marked base64 but is not");
    }

    #[test]
    fn a_query_parameter_with_no_values_is_refused_not_a_panic() {
        // Found by the fuzz target: query_map indexes the first value of each key.
        let mut v = event("apigw_v1_get_healthz_query.json");
        v["multiValueQueryStringParameters"] = serde_json::json!({ "verbose": [] });
        assert_eq!(refused(v).0, "a query parameter has an empty list of values");
    }

    #[test]
    fn the_refusal_is_a_400_in_the_shape_api_gateway_reads() {
        let res = bad_request(&BadEvent("x"));
        assert_eq!(res["statusCode"], 400);
        assert_eq!(res["isBase64Encoded"], false);
        assert_eq!(res["headers"]["x-content-type-options"], "nosniff");
    }
}
