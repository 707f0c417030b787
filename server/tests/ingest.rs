//! The S3 ingest (feature `aws`) against a real S3 API: an S3-compatible server on loopback
//! (moto's server mode, started by scripts/s3.sh for scripts/test.sh), the objects read through
//! the AWS SDK as in production, events shaped as S3 and SQS deliver them
//! (tests/events/s3_put_incoming.json, tests/events/sqs_s3_notifications.json).
//!
//! `AWS_ENDPOINT_URL_S3` must point at that server (with `AWS_REGION` and any access key): run
//! these through `scripts/ingest-test.sh`, or `source scripts/s3.sh; s3_start` first.
mod common;

use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use aws_sdk_s3::primitives::ByteStream;
use chrono::NaiveDate;
use serde_json::Value;
use server::ingest::{decode_key, Ingest, Outcome};
use sqlx::PgPool;

fn s3() -> aws_sdk_s3::Client {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_S3").is_some(),
        "AWS_ENDPOINT_URL_S3 is not set: start the local S3 server (scripts/s3.sh, or run scripts/ingest-test.sh)"
    );
    server::ingest::s3_client_from_env().expect("an S3 client")
}

/// A bucket of this test's own (the server is shared by the tests running at once).
async fn bucket(s3: &aws_sdk_s3::Client) -> String {
    let name = format!("hh-ingest-test-{:08x}", rand::random::<u32>());
    s3.create_bucket()
        .bucket(&name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest2)
                .build(),
        )
        .send()
        .await
        .expect("bucket created");
    name
}

async fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, body: String) {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.into_bytes()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {}", aws_sdk_s3::error::DisplayErrorContext(&e)));
}

async fn keys(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    let out = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    let mut keys: Vec<String> = out
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

async fn text_of(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> String {
    let o = s3.get_object().bucket(bucket).key(key).send().await.unwrap();
    String::from_utf8(o.body.collect().await.unwrap().into_bytes().to_vec()).unwrap()
}

fn event_file(name: &str) -> Value {
    let path = format!("{}/tests/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The S3 event of the fixture, for `bucket`, with only the records numbered in `records`.
fn s3_event(bucket: &str, records: &[usize]) -> Value {
    let mut e = event_file("s3_put_incoming.json");
    let all = e["Records"].as_array().unwrap().clone();
    e["Records"] = Value::Array(
        records
            .iter()
            .map(|&i| {
                let mut r = all[i].clone();
                r["s3"]["bucket"]["name"] = Value::from(bucket);
                r["s3"]["bucket"]["arn"] = Value::from(format!("arn:aws:s3:::{bucket}"));
                r
            })
            .collect(),
    );
    e
}

/// An SQS batch as the event source mapping delivers it: one message per body.
fn sqs_batch(bodies: &[(&str, String)]) -> aws_lambda_events::event::sqs::SqsEvent {
    let template = event_file("sqs_s3_notifications.json")["Records"][0].clone();
    let records: Vec<Value> = bodies
        .iter()
        .map(|(id, body)| {
            let mut m = template.clone();
            m["messageId"] = Value::from(*id);
            m["body"] = Value::from(body.clone());
            m
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
}

async fn mpan(db: &PgPool, site: &str) -> String {
    sqlx::query_scalar("SELECT sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1 LIMIT 1")
        .bind(site)
        .fetch_one(db)
        .await
        .unwrap()
}

/// `days` whole days of active import from 2026-03-01 for `mpan`, run SF.
fn hh_file(mpan: &str, days: u32, k: f64) -> String {
    let mut s = String::from("mpan_core,channel,interval_start,value,status,run\n");
    for d in 0..days {
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(u64::from(d));
        for (p, start) in all_periods_utc(SettlementDate(date)) {
            s.push_str(&format!(
                "{mpan},AI,{},{:.3},A,SF\n",
                start.to_rfc3339(),
                f64::from(p.get()) * k
            ));
        }
    }
    s
}

async fn day_rows(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM hh_day")
        .fetch_one(db)
        .await
        .unwrap()
}

#[test]
fn keys_decode_as_s3_encodes_them() {
    assert_eq!(
        decode_key("incoming/Castlegate+March+2026.csv").unwrap(),
        "incoming/Castlegate March 2026.csv"
    );
    assert_eq!(
        decode_key("incoming/HH+export+a%2Bb.csv").unwrap(),
        "incoming/HH export a+b.csv"
    );
    assert_eq!(
        decode_key("incoming/Caf%C3%A9+Gr%C3%BCn+%E2%82%AC+%C2%A3.csv").unwrap(),
        "incoming/Café Grün € £.csv"
    );
    assert_eq!(decode_key("incoming/100%25.csv").unwrap(), "incoming/100%.csv");
    assert!(decode_key("incoming/bad%2").is_err());
    assert!(decode_key("incoming/bad%zz.csv").is_err());
    assert!(decode_key("incoming/%FF.csv").unwrap_err().contains("UTF-8"));
    assert_eq!(
        server::ingest::copy_source("b", "incoming/a b+c £.csv"),
        "b/incoming/a%20b%2Bc%20%C2%A3.csv"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn files_with_spaces_plus_signs_and_non_ascii_names_import_and_move(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let s3 = s3();
    let bucket = bucket(&s3).await;
    let (a, b, c) = (
        mpan(&db, "Castlegate House").await,
        mpan(&db, "Leicester Works").await,
        mpan(&db, "Felixstowe Cold Store").await,
    );
    // Stored under the real (decoded) keys; the event carries them encoded, as S3 sends them.
    put(
        &s3,
        &bucket,
        "incoming/Castlegate March 2026.csv",
        hh_file(&a, 3, 1.0),
    )
    .await;
    put(&s3, &bucket, "incoming/HH export a+b.csv", hh_file(&b, 2, 2.0)).await;
    put(&s3, &bucket, "incoming/Café Grün € £.csv", hh_file(&c, 1, 3.0)).await;
    let ingest = Ingest {
        db: db.clone(),
        s3: s3.clone(),
    };
    let outcomes = ingest
        .notification(&s3_event(&bucket, &[0, 1, 2]).to_string())
        .await
        .unwrap();
    let imported: Vec<(String, u64)> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Imported {
                key, day_rows_new, ..
            } => (key.clone(), *day_rows_new),
            other => panic!("not imported: {other:?}"),
        })
        .collect();
    assert_eq!(
        imported,
        vec![
            ("incoming/Castlegate March 2026.csv".into(), 3),
            ("incoming/HH export a+b.csv".into(), 2),
            ("incoming/Café Grün € £.csv".into(), 1),
        ]
    );
    assert_eq!(day_rows(&db).await, 6);
    assert_eq!(
        keys(&s3, &bucket).await,
        vec![
            "imported/Café Grün € £.csv",
            "imported/Castlegate March 2026.csv",
            "imported/HH export a+b.csv",
        ]
    );
    // The batch names the file as it was called, decoded.
    let names: Vec<String> = sqlx::query_scalar("SELECT file_name FROM import_batches ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(
        names,
        vec![
            "Castlegate March 2026.csv",
            "HH export a+b.csv",
            "Café Grün € £.csv"
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_same_object_delivered_twice_imports_once(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let s3 = s3();
    let bucket = bucket(&s3).await;
    let m = mpan(&db, "Castlegate House").await;
    let file = hh_file(&m, 30, 1.25);
    put(&s3, &bucket, "incoming/Castlegate March 2026.csv", file.clone()).await;
    let ingest = Ingest {
        db: db.clone(),
        s3: s3.clone(),
    };
    let event = s3_event(&bucket, &[0]).to_string();

    // Two deliveries at the same time: one imports, the other waits on the object's lock and
    // finds every row there (or the object already moved).
    let (first, second) = tokio::join!(ingest.notification(&event), ingest.notification(&event));
    let mut outcomes = vec![first.unwrap().remove(0), second.unwrap().remove(0)];
    outcomes.sort_by_key(|o| !matches!(o, Outcome::Imported { .. }));
    assert!(
        matches!(outcomes[0], Outcome::Imported { day_rows_new: 30, .. }),
        "{outcomes:?}"
    );
    assert!(
        matches!(
            outcomes[1],
            Outcome::NothingNew { .. } | Outcome::AlreadyHandled { .. }
        ),
        "{outcomes:?}"
    );
    // A third delivery, later: the object is gone from incoming/.
    let third = ingest.notification(&event).await.unwrap();
    assert!(matches!(third[0], Outcome::AlreadyHandled { .. }), "{third:?}");
    assert_eq!(day_rows(&db).await, 30);
    let batches: i64 = sqlx::query_scalar("SELECT count(*) FROM import_batches")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(batches, 1, "one import, not two");
    // The same file sent again under the same name: read, nothing new, moved again.
    put(&s3, &bucket, "incoming/Castlegate March 2026.csv", file).await;
    let again = ingest.notification(&event).await.unwrap();
    assert!(matches!(again[0], Outcome::NothingNew { .. }), "{again:?}");
    assert_eq!(
        keys(&s3, &bucket).await,
        vec!["imported/Castlegate March 2026.csv"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bad_file_goes_to_rejected_with_its_line_errors_beside_it(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let s3 = s3();
    let bucket = bucket(&s3).await;
    let m = mpan(&db, "Castlegate House").await;
    let mut file = hh_file(&m, 2, 1.0);
    file.push_str(&format!("{m},AI,not-a-time,1.000,A,SF\n"));
    file.push_str("1234567890123,AI,2026-03-05T00:00:00+00:00,1.000,A,SF\n");
    put(&s3, &bucket, "incoming/HH export a+b.csv", file).await;
    let ingest = Ingest {
        db: db.clone(),
        s3: s3.clone(),
    };
    let outcomes = ingest
        .notification(&s3_event(&bucket, &[1]).to_string())
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![Outcome::Rejected {
            key: "incoming/HH export a+b.csv".into(),
            errors_key: "rejected/HH export a+b.csv.errors.txt".into()
        }]
    );
    assert_eq!(day_rows(&db).await, 0, "all or nothing");
    assert_eq!(
        keys(&s3, &bucket).await,
        vec![
            "rejected/HH export a+b.csv",
            "rejected/HH export a+b.csv.errors.txt"
        ]
    );
    let errors = text_of(&s3, &bucket, "rejected/HH export a+b.csv.errors.txt").await;
    assert!(
        errors.contains("rejected, nothing imported: 2 bad line(s)"),
        "{errors}"
    );
    assert!(errors.contains("line 98: "), "{errors}");
    assert!(errors.contains("line 99: "), "{errors}");
    // An empty file is a bad file too.
    put(&s3, &bucket, "incoming/Castlegate March 2026.csv", String::new()).await;
    let outcomes = ingest
        .notification(&s3_event(&bucket, &[0]).to_string())
        .await
        .unwrap();
    assert!(matches!(&outcomes[0], Outcome::Rejected { .. }), "{outcomes:?}");
    let errors = text_of(&s3, &bucket, "rejected/Castlegate March 2026.csv.errors.txt").await;
    assert!(errors.contains("empty"), "{errors}");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_sqs_batch_reports_only_the_messages_to_deliver_again(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let s3 = s3();
    let bucket = bucket(&s3).await;
    let m = mpan(&db, "Castlegate House").await;
    put(
        &s3,
        &bucket,
        "incoming/Castlegate March 2026.csv",
        hh_file(&m, 1, 1.0),
    )
    .await;
    let ingest = Ingest {
        db: db.clone(),
        s3: s3.clone(),
    };
    let batch = sqs_batch(&[
        ("good", s3_event(&bucket, &[0]).to_string()),
        // S3 cannot be read for it (the bucket is not there): worth trying again.
        ("no-bucket", s3_event("hh-ingest-no-such-bucket", &[1]).to_string()),
        // Sent once when the notification is set up.
        (
            "test-event",
            r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-29T06:00:00.000Z","Bucket":"b","RequestId":"r","HostId":"h"}"#.into(),
        ),
        ("not-json", "{".into()),
    ]);
    let response = ingest.sqs_batch(batch).await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, vec!["no-bucket", "not-json"]);
    assert_eq!(day_rows(&db).await, 1, "the good message's one day");
    // What the Lambda answers SQS, in its JSON.
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json["batchItemFailures"][0]["itemIdentifier"], "no-bucket");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_year_of_half_hours_is_read_as_a_stream(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let s3 = s3();
    let bucket = bucket(&s3).await;
    let m = mpan(&db, "Castlegate House").await;
    // 17,520 lines, about 1 MB: many reads of the SDK's body through the blocking bridge.
    let file = hh_file(&m, 365, 0.5);
    assert!(file.len() > 900_000);
    put(&s3, &bucket, "incoming/Castlegate March 2026.csv", file).await;
    let ingest = Ingest {
        db: db.clone(),
        s3: s3.clone(),
    };
    let outcomes = ingest
        .notification(&s3_event(&bucket, &[0]).to_string())
        .await
        .unwrap();
    assert!(
        matches!(
            outcomes[0],
            Outcome::Imported {
                day_rows_new: 365,
                ..
            }
        ),
        "{outcomes:?}"
    );
    let values: i64 = sqlx::query_scalar("SELECT sum(periods)::bigint FROM hh_day")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(values, 17_520);
}

/// A plain GET of `url` (the presigned link a browser follows), as the browser would send it.
async fn http_get(url: &str) -> (u16, http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    let uri: http::Uri = url.parse().unwrap();
    let authority = uri.authority().unwrap().clone();
    let tcp = tokio::net::TcpStream::connect(authority.as_str()).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let request = http::Request::get(uri.path_and_query().unwrap().as_str())
        .header("host", authority.as_str())
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

/// HH exports on Lambda (`server/src/export/offload`): with an export bucket, the file goes to S3
/// as a multipart upload (here of two parts), and the answer is a 303 to a presigned link, which
/// serves exactly the file the portal streams without a bucket, under the same name. Nothing is
/// left in the bucket but that object.
#[sqlx::test(migrations = "../migrations")]
async fn a_large_hh_export_goes_to_s3_and_the_browser_follows_a_presigned_link(db: PgPool) {
    use server::export::offload::{s3::Bucket, Offload, PART_BYTES};
    server::seed::seed_people(&db, 1).await.unwrap();
    let s3 = s3();
    let bucket = bucket(&s3).await;
    // Every channel for 400 days on three of Castlegate's supply points: more than one part.
    let mut text = String::from("mpan_core,channel,interval_start,value,status,run\n");
    let from = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    for site in ["Castlegate House", "Leicester Works", "Felixstowe Cold Store"] {
        let mpan = mpan(&db, site).await;
        for d in 0..400u64 {
            for (p, start) in all_periods_utc(SettlementDate(from + chrono::Days::new(d))) {
                let start = start.to_rfc3339();
                for channel in ["AI", "AE", "RI", "RE"] {
                    text.push_str(&format!(
                        "{mpan},{channel},{start},{}.{:03},A,RF\n",
                        d % 97,
                        p.get()
                    ));
                }
            }
        }
    }
    server::import::import_hh(&db, "year.csv", std::io::Cursor::new(text.into_bytes()), ())
        .await
        .unwrap();
    let url = "/consumption/export.csv?from=2025-10-01&to=2026-11-04";

    // Without a bucket the portal streams the file itself: the reference.
    let direct = common::app(db.clone());
    let cookie = common::login(&direct, "facilities@castlegate.example").await;
    let (status, headers, expected) = common::get_with(&direct, url, &[("cookie", &cookie)]).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let disposition = headers["content-disposition"].to_str().unwrap().to_string();
    assert!(expected.len() > PART_BYTES, "{} bytes", expected.len());

    let endpoint = std::env::var("AWS_ENDPOINT_URL_S3").unwrap();
    let mut config = common::config();
    config.export_offload = Some(std::sync::Arc::new(Offload {
        bucket: Bucket::new(&bucket, "eu-west-2", Some(&endpoint)).unwrap(),
    }));
    let offloaded = common::app_with(db.clone(), &config);
    let cookie = common::login(&offloaded, "facilities@castlegate.example").await;
    let (status, headers, body) = common::get_with(&offloaded, url, &[("cookie", &cookie)]).await;
    assert_eq!(
        status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(headers["cache-control"], "private, no-store");
    let link = headers["location"].to_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!("{endpoint}/{bucket}/exports/")),
        "{link}"
    );
    for part in [
        "X-Amz-Expires=300",
        "X-Amz-Signature=",
        "response-content-disposition=",
    ] {
        assert!(link.contains(part), "{part} not in {link}");
    }

    let (status, headers, file) = http_get(&link).await;
    assert_eq!(
        status,
        200,
        "{}",
        String::from_utf8_lossy(&file[..file.len().min(500)])
    );
    assert!(
        file == expected,
        "the stored file differs from the streamed one ({} vs {} bytes)",
        file.len(),
        expected.len()
    );
    assert_eq!(headers["content-disposition"].to_str().unwrap(), disposition);
    let stored = keys(&s3, &bucket).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(
        stored[0].ends_with(disposition.split('"').nth(1).unwrap()),
        "{stored:?}"
    );

    // A request the checks refuse never reaches S3.
    let (status, _, _) = common::get_with(
        &offloaded,
        "/consumption/export.csv?from=2026-01-01",
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
    assert_eq!(keys(&s3, &bucket).await.len(), 1);
}

/// An export bucket that cannot be written (here: none of that name) is a clear 503, not a
/// broken download, and leaves nothing behind.
#[sqlx::test(migrations = "../migrations")]
async fn an_export_bucket_that_fails_is_a_clear_error(db: PgPool) {
    use server::export::offload::{s3::Bucket, Offload};
    server::seed::seed_people(&db, 1).await.unwrap();
    let endpoint = std::env::var("AWS_ENDPOINT_URL_S3").expect("the local S3 server");
    let mut config = common::config();
    config.export_offload = Some(std::sync::Arc::new(Offload {
        bucket: Bucket::new("no-such-export-bucket", "eu-west-2", Some(&endpoint)).unwrap(),
    }));
    let app = common::app_with(db, &config);
    let cookie = common::login(&app, "facilities@castlegate.example").await;
    let (status, _, body) = common::get_with(
        &app,
        "/consumption/export.csv?from=2026-01-01&to=2026-01-31",
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        String::from_utf8_lossy(&body).contains("could not be prepared for download"),
        "{}",
        String::from_utf8_lossy(&body)
    );
}
