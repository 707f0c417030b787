//! Large downloads on AWS Lambda (docs/exports.md, "On AWS"). Behind API Gateway's HTTP API a
//! Lambda response is buffered and capped at 6 MB, and a year of a portfolio's HH data is tens of
//! megabytes. So on Lambda the HH export, after the same checks and audit entry, writes the same
//! streamed file into a private S3 object (a multipart upload in parts of [`PART_BYTES`], so memory
//! stays bounded) and answers `303 See Other` to a presigned GET of it, valid [`LINK_SECS`], which
//! names the file as the direct download would. The bucket expires the objects after a day
//! (infra/template.yaml). Configured by `EXPORT_BUCKET` (and `AWS_REGION`; `EXPORT_S3_ENDPOINT` for
//! an S3-compatible server in tests); without it the file streams from the portal as before.
pub mod s3;
pub mod sigv4;

use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;

use self::s3::{Bucket, S3Error};
use self::sigv4::Credentials;

/// The size of each uploaded part but the last (S3's minimum is 5 MiB).
pub const PART_BYTES: usize = 8 * 1024 * 1024;
/// How long the download link lasts: enough to start the download, short because it carries no
/// session.
pub const LINK_SECS: u32 = 300;

#[derive(Debug)]
pub struct Offload {
    pub bucket: Bucket,
}

#[derive(Debug, thiserror::Error)]
pub enum OffloadError {
    #[error(transparent)]
    S3(#[from] S3Error),
    #[error("the export failed part-way: {0}")]
    Export(String),
}

impl Offload {
    /// From `EXPORT_BUCKET`, `AWS_REGION` and `EXPORT_S3_ENDPOINT`; `Ok(None)` without a bucket.
    /// The pages' Content-Security-Policy must let the export form go to the bucket, so
    /// `EXPORT_DOWNLOAD_ORIGIN` must name the bucket's origin (checked here, read by the app).
    pub fn from_env() -> Result<Option<Self>, String> {
        let Some(name) = std::env::var("EXPORT_BUCKET").ok().filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let region = std::env::var("AWS_REGION")
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or("EXPORT_BUCKET is set but AWS_REGION is not")?;
        let endpoint = std::env::var("EXPORT_S3_ENDPOINT").ok().filter(|s| !s.is_empty());
        let bucket = Bucket::new(&name, &region, endpoint.as_deref()).map_err(|e| e.to_string())?;
        let origin = bucket.origin();
        match std::env::var("EXPORT_DOWNLOAD_ORIGIN") {
            Ok(v) if v.trim_end_matches('/') == origin => {}
            _ => {
                return Err(format!(
                    "EXPORT_BUCKET is set, so EXPORT_DOWNLOAD_ORIGIN must be {origin} (the pages' \
                     form-action allows the export form's redirect to it)"
                ))
            }
        }
        Ok(Some(Self { bucket }))
    }

    /// Writes the chunks of one export into `exports/<random>/<file_name>` and returns a
    /// presigned link to it. A failed chunk (the export broke off) or a failed S3 call aborts the
    /// upload, so no partial file is ever offered.
    pub async fn upload(
        &self,
        file_name: &str,
        content_type: &str,
        mut chunks: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    ) -> Result<String, OffloadError> {
        let key = format!("exports/{}/{file_name}", uuid::Uuid::new_v4().simple());
        let upload_id = self.bucket.create_multipart(&key, content_type).await?;
        let result = async {
            let mut etags = Vec::new();
            let mut part = BytesMut::with_capacity(PART_BYTES);
            while let Some(chunk) = chunks.recv().await {
                let chunk = chunk.map_err(|e| OffloadError::Export(e.to_string()))?;
                part.extend_from_slice(&chunk);
                if part.len() >= PART_BYTES {
                    let full = part.split().freeze();
                    let number = etags.len() as u32 + 1;
                    etags.push(self.bucket.upload_part(&key, &upload_id, number, full).await?);
                }
            }
            // The last part (any size; the only one of a small file).
            let number = etags.len() as u32 + 1;
            etags.push(
                self.bucket
                    .upload_part(&key, &upload_id, number, part.freeze())
                    .await?,
            );
            self.bucket.complete_multipart(&key, &upload_id, &etags).await?;
            Ok::<_, OffloadError>(etags.len())
        }
        .await;
        match result {
            Ok(parts) => {
                let credentials = Credentials::from_env().ok_or(S3Error::NoCredentials)?;
                tracing::info!(key = %key, parts, "HH export offloaded to S3");
                let disposition = format!("attachment; filename=\"{file_name}\"");
                Ok(self
                    .bucket
                    .presigned_get(&credentials, &key, &disposition, LINK_SECS))
            }
            Err(e) => {
                if let Err(abort) = self.bucket.abort_multipart(&key, &upload_id).await {
                    tracing::warn!(key = %key, error = %abort, "aborting the export's upload failed; the bucket's lifecycle rule removes it");
                }
                Err(e)
            }
        }
    }
}
