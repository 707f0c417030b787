//! API Gateway events (HTTP API v2 and REST v1 proxy, shaped as AWS documents them) fed through
//! the same router via lambda_http's adapter: exactly the path `lambda_http::run` takes on Lambda.
mod common;

use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::Value;
use sqlx::PgPool;

async fn invoke(app: axum::Router, event_file: &str) -> Value {
    invoke_with_session(app, event_file, None).await
}

/// Adds a session cookie where API Gateway puts cookies: `cookies` (v2) or the `Cookie` header (v1).
async fn invoke_with_session(app: axum::Router, event_file: &str, cookie: Option<&str>) -> Value {
    invoke_event(app, event(event_file), cookie).await
}

fn event(event_file: &str) -> Value {
    let path = format!("{}/tests/events/{event_file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn invoke_event(app: axum::Router, mut event: Value, cookie: Option<&str>) -> Value {
    if let Some(cookie) = cookie {
        if event["version"] == "2.0" {
            match event["cookies"].as_array_mut() {
                Some(list) => list.push(Value::from(cookie)),
                None => event["cookies"] = serde_json::json!([cookie]),
            }
        } else {
            let joined = format!("{}; {cookie}", event["headers"]["Cookie"].as_str().unwrap_or(""));
            event["headers"]["Cookie"] = Value::from(joined.clone());
            event["multiValueHeaders"]["Cookie"] = serde_json::json!([joined]);
        }
    }
    let payload: LambdaRequest =
        serde_json::from_value(event).unwrap_or_else(|e| panic!("not an event: {e}"));
    let mut adapter = Adapter::from(app);
    let response = adapter
        .call(LambdaEvent::new(payload, Context::default()))
        .await
        .expect("router is infallible");
    serde_json::to_value(&response).expect("a Lambda response serialises")
}

fn body_text(res: &Value) -> String {
    let body = res["body"].as_str().unwrap_or_default();
    if res["isBase64Encoded"] == Value::Bool(true) {
        use base64_engine::decode;
        String::from_utf8_lossy(&decode(body)).into_owned()
    } else {
        body.to_owned()
    }
}

/// A small base64 codec so the test does not need another crate.
mod base64_engine {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub fn decode(s: &str) -> Vec<u8> {
        let val = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        };
        let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').map(val).collect();
        bytes
            .chunks(4)
            .flat_map(|c| {
                let n = c
                    .iter()
                    .enumerate()
                    .fold(0u32, |n, (i, &v)| n | (u32::from(v) << (18 - 6 * i)));
                let out = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
                out.into_iter().take(c.len().saturating_sub(1))
            })
            .collect()
    }
}

fn header<'a>(res: &'a Value, name: &str) -> Option<&'a str> {
    res["headers"][name]
        .as_str()
        .or_else(|| res["multiValueHeaders"][name][0].as_str())
}

#[sqlx::test(migrations = "../migrations")]
async fn http_api_v2_health_check_with_cookies_and_no_query(db: PgPool) {
    let res = invoke(common::app(db), "apigw_v2_get_healthz.json").await;
    assert_eq!(res["statusCode"], 200, "{res}");
    assert_eq!(res["isBase64Encoded"], false);
    let body: Value = serde_json::from_str(&body_text(&res)).unwrap();
    assert_eq!(body["database"], "ok");
    assert!(header(&res, "content-type")
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
    assert!(header(&res, "x-request-id").is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn http_api_v2_server_fn_post_with_a_base64_body(db: PgPool) {
    let app = common::seeded_app(db.clone()).await;
    let me = common::login(&app, common::OPS).await;
    // The body API Gateway base64-encodes is the form naming the site.
    let felixstowe = common::site_id(&db, "Felixstowe Cold Store").await;
    let mut event = event("apigw_v2_post_server_fn_base64.json");
    event["body"] = Value::from(base64_engine::encode(format!("site_id={felixstowe}").as_bytes()));
    let res = invoke_event(app, event, Some(&me)).await;
    assert_eq!(res["statusCode"], 200, "{res}");
    let body: Value = serde_json::from_str(&body_text(&res)).unwrap();
    assert_eq!(body["site"]["name"], "Felixstowe Cold Store");
    assert_eq!(body["supply_points"][0]["distributor"], "Eastern");
}

#[sqlx::test(migrations = "../migrations")]
async fn http_api_v2_compressed_page_comes_back_base64_encoded(db: PgPool) {
    let app = common::seeded_app(db).await;
    let me = common::login(&app, common::OPS).await;
    let res = invoke_with_session(app, "apigw_v2_get_page_gzip.json", Some(&me)).await;
    assert_eq!(res["statusCode"], 200, "{res}");
    assert_eq!(header(&res, "content-encoding"), Some("gzip"));
    assert_eq!(
        res["isBase64Encoded"], true,
        "binary bodies must be base64 for API Gateway"
    );
    assert!(header(&res, "content-security-policy")
        .unwrap()
        .contains("'nonce-"));
}

#[sqlx::test(migrations = "../migrations")]
async fn rest_api_v1_page_with_null_query_parameters(db: PgPool) {
    let app = common::seeded_app(db).await;
    let me = common::login(&app, common::OPS).await;
    let res = invoke_with_session(app, "apigw_v1_get_sites_no_query.json", Some(&me)).await;
    assert_eq!(res["statusCode"], 200, "{res}");
    assert_eq!(res["isBase64Encoded"], false);
    let html = body_text(&res);
    assert!(html.contains("Felixstowe Cold Store"));
    assert!(header(&res, "content-type").unwrap().starts_with("text/html"));
}

#[sqlx::test(migrations = "../migrations")]
async fn rest_api_v1_health_with_a_query_string(db: PgPool) {
    let res = invoke(common::app(db), "apigw_v1_get_healthz_query.json").await;
    assert_eq!(res["statusCode"], 200, "{res}");
    assert!(body_text(&res).contains("\"database\":\"ok\""));
}

#[sqlx::test(migrations = "../migrations")]
async fn rest_api_v1_page_without_a_session_redirects_to_login(db: PgPool) {
    let res = invoke(common::seeded_app(db).await, "apigw_v1_get_sites_no_query.json").await;
    assert_eq!(res["statusCode"], 303, "{res}");
    assert_eq!(header(&res, "location"), Some("/login?next=/sites"));
}

/// What `main` runs on Lambda (`transport::handle_event`): an event that `lambda_http` cannot turn
/// into a request (it panicked on this one, found by the `lambda_event` fuzz target) is answered
/// 400; a good event still reaches the router.
#[sqlx::test(migrations = "../migrations")]
async fn an_event_that_makes_no_request_is_answered_400_and_a_good_one_reaches_the_router(db: PgPool) {
    let handle = |app: axum::Router, event: Value| async move {
        let payload: LambdaRequest = serde_json::from_value(event).expect("an API Gateway event");
        server::transport::handle_event(app, LambdaEvent::new(payload, Context::default()))
            .await
            .expect("answered")
    };
    let mut bad = event("apigw_v2_get_healthz.json");
    bad["headers"]["x-forwarded-proto"] = Value::from("-ttps");
    let res = handle(common::app(db.clone()), bad).await;
    assert_eq!(res["statusCode"], 400, "{res}");
    assert!(body_text(&res).starts_with("bad request"), "{res}");

    let res = handle(common::app(db), event("apigw_v2_get_healthz.json")).await;
    assert_eq!(res["statusCode"], 200, "{res}");
    assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
}

#[sqlx::test(migrations = "../migrations")]
async fn http_api_v2_hashed_client_file_comes_back_precompressed_and_immutable(db: PgPool) {
    let site = common::FixtureSite::new();
    let app = common::app_with_site(db, site.root());
    let name = format!("ic-portal.{}.wasm", common::WASM_HASH);
    let mut event = event("apigw_v2_get_page_gzip.json");
    event["rawPath"] = Value::from(format!("/pkg/{name}"));
    event["requestContext"]["http"]["path"] = event["rawPath"].clone();
    event["rawQueryString"] = Value::from("");
    event["queryStringParameters"] = Value::Null;
    event["headers"]["accept-encoding"] = Value::from("gzip, deflate, br");
    let res = invoke_event(app, event, None).await;
    assert_eq!(res["statusCode"], 200, "{res}");
    assert_eq!(header(&res, "content-encoding"), Some("br"));
    assert_eq!(header(&res, "content-type"), Some("application/wasm"));
    assert_eq!(header(&res, "cache-control"), Some(server::site::IMMUTABLE));
    assert_eq!(
        res["isBase64Encoded"], true,
        "binary bodies must be base64 for API Gateway"
    );
    // The brotli file written at build time, byte for byte.
    assert_eq!(
        base64_engine::decode(res["body"].as_str().unwrap()),
        std::fs::read(site.root.join("pkg").join(format!("{name}.br"))).unwrap()
    );
}
