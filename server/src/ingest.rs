//! S3 ingest (feature `aws`, run by the `jobs` binary as the `ingest` Lambda handler): HH files
//! land in the ingest bucket under `incoming/`; S3 sends an event for each new object to an SQS
//! queue, and the queue invokes this handler with batches of those events. Each object is read
//! from S3 as a stream (never whole in memory) and imported by the CLI's own importer
//! ([`crate::import::import_hh_once`]): all or nothing, idempotent.
//!
//! - **Keys** in S3 events are URL-encoded as HTML forms are (`+` is a space, `%2B` a plus, UTF-8
//!   bytes as `%XX`): [`decode_key`].
//! - **Imported** objects move to `imported/`, **rejected** ones to `rejected/` with the line
//!   errors beside them (`rejected/<name>.errors.txt`), so `incoming/` holds only what is waiting.
//! - **Delivered twice** (S3 and SQS deliver at least once): a delivery that finds the object gone
//!   from `incoming/` was handled already; two at the same time are serialised by an advisory lock
//!   and the second finds every row present. Either way the file is imported once.
//! - **Failures** that may pass (the database or S3 unreachable) fail that message only
//!   (`batchItemFailures`): SQS delivers it again, and after `maxReceiveCount` deliveries moves it
//!   to the dead-letter queue. A bad file is not a failure: it is rejected and moved.
//! - After an import that wrote new data, the alert rules run for its customers, as after
//!   `server import hh`.
use std::time::Instant;

use aws_lambda_events::event::s3::S3Event;
use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_s3::primitives::ByteStream;
use serde::Serialize;
use sqlx::PgPool;

use crate::import::{import_hh_once, raise_alerts_after, ImportError, ImportSummary};

/// Where objects wait, and where they go once handled.
pub const INCOMING: &str = "incoming/";
pub const IMPORTED: &str = "imported/";
pub const REJECTED: &str = "rejected/";

/// An S3 event's object key, decoded: `+` is a space, `%XX` a byte, and the bytes UTF-8.
pub fn decode_key(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("the key {raw:?} has a % not followed by two hex digits"))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| format!("the key {raw:?} does not decode to UTF-8"))
}

/// What happened to one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// New data imported; the object is now under `imported/`.
    Imported {
        key: String,
        day_rows_new: u64,
        alerts: Option<String>,
    },
    /// Every row was there already (a second delivery, or the same file sent again).
    NothingNew { key: String },
    /// A bad file: moved to `rejected/`, its errors in `errors_key`.
    Rejected { key: String, errors_key: String },
    /// Not in `incoming/` any more: an earlier delivery handled it.
    AlreadyHandled { key: String },
    /// Not a file to import (outside `incoming/`, a folder marker, a test event).
    Ignored { key: String, why: String },
}

/// Why an object could not be handled now (worth trying again).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("s3://{bucket}/{key}: {reason}")]
    S3 {
        bucket: String,
        key: String,
        reason: String,
    },
    #[error("s3://{bucket}/{key}: the database failed: {source}")]
    Db {
        bucket: String,
        key: String,
        source: sqlx::Error,
    },
    #[error("the event is not an S3 event notification: {0}")]
    Event(String),
}

/// The ingest handler's state: one per Lambda instance.
#[derive(Clone)]
pub struct Ingest {
    pub db: PgPool,
    pub s3: aws_sdk_s3::Client,
}

/// SQS's partial batch answer (`ReportBatchItemFailures`): the messages to deliver again.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl Ingest {
    /// A batch from the SQS queue: each message's body is an S3 event notification.
    pub async fn sqs_batch(&self, event: SqsEvent) -> BatchResponse {
        let mut response = BatchResponse::default();
        for message in event.records {
            let id = message.message_id.clone().unwrap_or_default();
            let result = match message.body.as_deref() {
                Some(body) => self.notification(body).await.map(drop),
                None => Err(IngestError::Event("an SQS message without a body".into())),
            };
            if let Err(e) = result {
                tracing::error!(message_id = %id, error = %e, "S3 ingest failed; SQS delivers the message again");
                response
                    .batch_item_failures
                    .push(ItemFailure { item_identifier: id });
            }
        }
        response
    }

    /// One S3 event notification (the JSON S3 sends): every object in it, in order; the first
    /// failure stops (the whole notification is delivered again, and what was done is not redone).
    pub async fn notification(&self, body: &str) -> Result<Vec<Outcome>, IngestError> {
        let value: serde_json::Value =
            serde_json::from_str(body).map_err(|e| IngestError::Event(e.to_string()))?;
        // Sent once when the notification is configured; nothing to import.
        if value.get("Event").and_then(|e| e.as_str()) == Some("s3:TestEvent") {
            return Ok(vec![Outcome::Ignored {
                key: String::new(),
                why: "s3:TestEvent".into(),
            }]);
        }
        let event: S3Event = serde_json::from_value(value).map_err(|e| IngestError::Event(e.to_string()))?;
        self.s3_event(&event).await
    }

    pub async fn s3_event(&self, event: &S3Event) -> Result<Vec<Outcome>, IngestError> {
        let mut outcomes = Vec::with_capacity(event.records.len());
        for record in &event.records {
            let bucket = record.s3.bucket.name.clone().unwrap_or_default();
            let raw = record.s3.object.key.clone().unwrap_or_default();
            let key = decode_key(&raw).map_err(IngestError::Event)?;
            let outcome = self
                .object(&bucket, &key, record.s3.object.version_id.as_deref())
                .await?;
            tracing::info!(bucket = %bucket, key = %key, outcome = ?outcome, "S3 ingest");
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Imports `s3://bucket/key` (the key decoded) and moves it out of `incoming/`.
    pub async fn object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
    ) -> Result<Outcome, IngestError> {
        let Some(name) = key.strip_prefix(INCOMING) else {
            return Ok(Outcome::Ignored {
                key: key.into(),
                why: format!("not under {INCOMING}"),
            });
        };
        if name.is_empty() || key.ends_with('/') {
            return Ok(Outcome::Ignored {
                key: key.into(),
                why: "a folder".into(),
            });
        }
        let s3_error = |reason: String| IngestError::S3 {
            bucket: bucket.into(),
            key: key.into(),
            reason,
        };
        let object = match self.s3.get_object().bucket(bucket).key(key).send().await {
            Ok(o) => o,
            Err(e) => {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    return Ok(Outcome::AlreadyHandled { key: key.into() });
                }
                return Err(s3_error(format!(
                    "cannot be read: {}",
                    aws_sdk_s3::error::DisplayErrorContext(&e)
                )));
            }
        };
        // The object's identity for the import lock: a new upload under the same key is a new
        // version (ETag) and imports on its own.
        let identity = format!(
            "s3://{bucket}/{key}#{}",
            version
                .map(str::to_owned)
                .or_else(|| object.e_tag.clone())
                .unwrap_or_default()
        );
        // Streamed: the importer reads on a blocking thread, a chunk at a time, from the body.
        let reader = tokio_util::io::SyncIoBridge::new(object.body.into_async_read());
        let started = Instant::now();
        match import_hh_once(
            &self.db,
            &identity,
            name,
            std::io::BufReader::with_capacity(1 << 20, reader),
            (),
        )
        .await
        {
            Ok(summary) => self.imported(bucket, key, name, summary, started).await,
            Err(e @ (ImportError::Rejected { .. } | ImportError::BadFile { .. })) => {
                let errors_key = format!("{REJECTED}{name}.errors.txt");
                let report = format!("{}\n", e.report());
                self.s3
                    .put_object()
                    .bucket(bucket)
                    .key(&errors_key)
                    .content_type("text/plain; charset=utf-8")
                    .body(ByteStream::from(report.into_bytes()))
                    .send()
                    .await
                    .map_err(|e| {
                        s3_error(format!(
                            "the errors could not be written: {}",
                            aws_sdk_s3::error::DisplayErrorContext(&e)
                        ))
                    })?;
                self.move_to(bucket, key, &format!("{REJECTED}{name}")).await?;
                tracing::warn!(bucket, key, errors = %errors_key, "HH file rejected: {e}");
                Ok(Outcome::Rejected {
                    key: key.into(),
                    errors_key,
                })
            }
            // A read that broke off (S3) is worth trying again, as is the database.
            Err(ImportError::Io { source, .. }) => Err(s3_error(format!("reading broke off: {source}"))),
            Err(ImportError::Db(source)) => Err(IngestError::Db {
                bucket: bucket.into(),
                key: key.into(),
                source,
            }),
        }
    }

    async fn imported(
        &self,
        bucket: &str,
        key: &str,
        name: &str,
        summary: ImportSummary,
        started: Instant,
    ) -> Result<Outcome, IngestError> {
        tracing::info!(
            bucket,
            key,
            seconds = started.elapsed().as_secs_f64(),
            "{summary}"
        );
        // New data may breach a rule: raise its alerts now (a failure leaves them to the daily
        // run; the import itself stands).
        let alerts = match raise_alerts_after(&self.db, &summary).await {
            Ok(raised) => raised.map(|r| r.to_string()),
            Err(e) => {
                tracing::warn!(bucket, key, error = %e, "imported, but the alert rules failed; the daily run will raise them");
                None
            }
        };
        self.move_to(bucket, key, &format!("{IMPORTED}{name}")).await?;
        Ok(match summary.batch_id {
            Some(_) => Outcome::Imported {
                key: key.into(),
                day_rows_new: summary.day_rows_new,
                alerts,
            },
            None => Outcome::NothingNew { key: key.into() },
        })
    }

    /// Copies `key` to `to` and deletes it (S3 has no rename).
    async fn move_to(&self, bucket: &str, key: &str, to: &str) -> Result<(), IngestError> {
        let s3_error = |what: &str, e: String| IngestError::S3 {
            bucket: bucket.into(),
            key: key.into(),
            reason: format!("could not be {what}: {e}"),
        };
        let copied = self
            .s3
            .copy_object()
            .bucket(bucket)
            .key(to)
            .copy_source(copy_source(bucket, key))
            .send()
            .await;
        match copied {
            Ok(_) => {}
            // A delivery of the same object at the same time moved it first.
            Err(e) if is_no_such_key(&e) => return Ok(()),
            Err(e) => {
                return Err(s3_error(
                    "copied",
                    aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
                ))
            }
        }
        self.s3
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| s3_error("deleted", aws_sdk_s3::error::DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}

/// Whether S3 answered that the object is not there (CopyObject reports it as an error code,
/// not as a modelled error).
fn is_no_such_key<E: aws_sdk_s3::error::ProvideErrorMetadata>(e: &aws_sdk_s3::error::SdkError<E>) -> bool {
    e.as_service_error().and_then(|s| s.code()) == Some("NoSuchKey")
}

/// `x-amz-copy-source`: bucket and key, URL-encoded (the SDK sends it as given). Only unreserved
/// characters and `/` stay as they are; a space is `%20` (a `+` would be read as a plus).
pub fn copy_source(bucket: &str, key: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    format!("{bucket}/{}", utf8_percent_encode(key, KEEP))
}

/// An S3 client from the Lambda environment: the region and the function's credentials (read from
/// the environment at each signing, as the SDK's own environment provider does), HTTPS through
/// rustls with ring. `AWS_ENDPOINT_URL_S3` points it at another S3 (the tests' local server),
/// with path-style addressing.
pub fn s3_client_from_env() -> anyhow::Result<aws_sdk_s3::Client> {
    use aws_sdk_s3::config::{BehaviorVersion, Region};
    use aws_smithy_http_client::tls;
    let region = std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .map_err(|_| anyhow::anyhow!("AWS_REGION is not set"))?;
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let mut config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(EnvCredentials)
        .http_client(http);
    if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL_S3") {
        config = config.endpoint_url(endpoint).force_path_style(true);
    }
    Ok(aws_sdk_s3::Client::from_conf(config.build()))
}

/// The function's credentials, as Lambda gives them: in the environment.
#[derive(Debug)]
struct EnvCredentials;

impl aws_credential_types::provider::ProvideCredentials for EnvCredentials {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        use aws_credential_types::provider::error::CredentialsError;
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let result = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Ok(aws_credential_types::Credentials::new(
                id,
                secret,
                var("AWS_SESSION_TOKEN"),
                None,
                "lambda-environment",
            )),
            _ => Err(CredentialsError::not_loaded(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
            )),
        };
        aws_credential_types::provider::future::ProvideCredentials::ready(result)
    }
}
