//! Receives an upload's files: the multipart body is read chunk by chunk into one temporary file
//! per file, never into memory, within the size limit and with an idle timeout. The temporary
//! files are unlinked as soon as they are created, so they vanish when closed, even after a crash.
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::time::Duration;

use app::domain::import_upload::{clean_file_name, human_bytes, MAX_FILES};
use axum::extract::multipart::{Multipart, MultipartError};
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;

/// The form field that carries the files.
pub const FILES_FIELD: &str = "files";

/// How long the upload may send nothing before it is given up.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// One uploaded file, on disk.
#[derive(Debug)]
pub struct SpooledFile {
    pub name: String,
    pub bytes: u64,
    file: std::fs::File,
}

impl SpooledFile {
    /// A reader from the start of the file, for the importer's blocking thread.
    pub fn reader(&self) -> std::io::Result<impl Read + Send + 'static> {
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(0))?;
        Ok(BufReader::with_capacity(1 << 20, f))
    }
}

/// Why an upload was not received; each says what to do, with its HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error(
        "The upload is larger than {limit}, the most the portal takes at once; nothing was imported. \
         Upload fewer files at a time, or split a large file (by month, say): each file is imported on its own."
    )]
    TooLarge { limit: String },
    #[error("Choose at least one CSV file to upload.")]
    NoFiles,
    #[error("Upload at most {MAX_FILES} files at once; nothing was imported.")]
    TooManyFiles,
    #[error("The upload stopped sending for {} seconds and was given up; nothing was imported. Please try again.", IDLE_TIMEOUT.as_secs())]
    Stalled,
    #[error("The upload could not be read ({0}); nothing was imported. Please try again.")]
    Malformed(String),
    #[error("The upload could not be stored on the server; nothing was imported. It has been logged; please try again.")]
    Storage(#[source] std::io::Error),
}

impl SpoolError {
    pub fn too_large(limit: u64) -> Self {
        SpoolError::TooLarge {
            limit: human_bytes(limit),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            SpoolError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            SpoolError::NoFiles | SpoolError::TooManyFiles | SpoolError::Malformed(_) => {
                StatusCode::BAD_REQUEST
            }
            SpoolError::Stalled => StatusCode::REQUEST_TIMEOUT,
            SpoolError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn from_multipart(e: MultipartError, limit: u64) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            SpoolError::too_large(limit)
        } else {
            SpoolError::Malformed(e.body_text())
        }
    }
}

/// A new temporary file, already unlinked (only this process holds it, readable by it alone).
async fn temp_file() -> std::io::Result<std::fs::File> {
    tokio::task::spawn_blocking(|| {
        let path = std::env::temp_dir().join(format!("portal-upload-{}.csv", uuid::Uuid::new_v4()));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        std::fs::remove_file(&path)?;
        Ok(file)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Reads every file of the upload to disk. `limit` is the whole body's (the route's
/// `DefaultBodyLimit`, which the multipart reader enforces; it is given here for the message).
pub async fn receive(mut multipart: Multipart, limit: u64) -> Result<Vec<SpooledFile>, SpoolError> {
    let mut files = Vec::new();
    loop {
        let field = match tokio::time::timeout(IDLE_TIMEOUT, multipart.next_field()).await {
            Err(_) => return Err(SpoolError::Stalled),
            Ok(Err(e)) => return Err(SpoolError::from_multipart(e, limit)),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(field))) => field,
        };
        if field.name() != Some(FILES_FIELD) {
            continue;
        }
        // A file input left empty still sends a part, with no name and no content.
        let Some(name) = field.file_name().and_then(clean_file_name) else {
            continue;
        };
        if files.len() == MAX_FILES {
            return Err(SpoolError::TooManyFiles);
        }
        let std_file = temp_file().await.map_err(SpoolError::Storage)?;
        let mut out = tokio::fs::File::from_std(std_file.try_clone().map_err(SpoolError::Storage)?);
        let mut field = field;
        let mut bytes = 0u64;
        loop {
            match tokio::time::timeout(IDLE_TIMEOUT, field.chunk()).await {
                Err(_) => return Err(SpoolError::Stalled),
                Ok(Err(e)) => return Err(SpoolError::from_multipart(e, limit)),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    bytes += chunk.len() as u64;
                    out.write_all(&chunk).await.map_err(SpoolError::Storage)?;
                }
            }
        }
        out.flush().await.map_err(SpoolError::Storage)?;
        files.push(SpooledFile {
            name,
            bytes,
            file: std_file,
        });
    }
    if files.is_empty() {
        return Err(SpoolError::NoFiles);
    }
    Ok(files)
}
