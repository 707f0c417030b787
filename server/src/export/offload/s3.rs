//! The few S3 calls the export offload makes (a multipart upload, then a presigned GET), over
//! hyper's HTTP/1.1 client with rustls and the webpki roots (both already in the server), signed
//! by [`super::sigv4`]. One connection per call: an export makes a handful of them.
use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use super::sigv4::{amz_date, sha256_hex, uri_encode, Credentials, Signer};

/// Where the bucket is reached: `https://<bucket>.s3.<region>.amazonaws.com` on AWS (virtual-hosted
/// style), or an endpoint given by `EXPORT_S3_ENDPOINT` (`http://127.0.0.1:9000`: path style, as
/// S3-compatible servers are addressed in tests).
#[derive(Debug, Clone)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    tls: bool,
    host: String,
    port: u16,
    path_style: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("S3 endpoint {0:?} is not http(s)://host[:port]")]
    Endpoint(String),
    #[error("no AWS credentials in the environment")]
    NoCredentials,
    #[error("connecting to S3: {0}")]
    Connect(String),
    #[error("S3 answered {status} to {call}: {body}")]
    Status {
        call: &'static str,
        status: StatusCode,
        body: String,
    },
    #[error("S3's answer to {0} lacks {1}")]
    Answer(&'static str, &'static str),
}

impl Bucket {
    /// `endpoint`: `None` for AWS itself.
    pub fn new(name: &str, region: &str, endpoint: Option<&str>) -> Result<Self, S3Error> {
        match endpoint {
            None => Ok(Self {
                name: name.into(),
                region: region.into(),
                tls: true,
                host: format!("{name}.s3.{region}.amazonaws.com"),
                port: 443,
                path_style: false,
            }),
            Some(e) => {
                let bad = || S3Error::Endpoint(e.to_string());
                let (tls, rest) = match (e.strip_prefix("https://"), e.strip_prefix("http://")) {
                    (Some(r), _) => (true, r),
                    (_, Some(r)) => (false, r),
                    _ => return Err(bad()),
                };
                let rest = rest.trim_end_matches('/');
                let (host, port) = match rest.rsplit_once(':') {
                    Some((h, p)) => (h.to_string(), p.parse().map_err(|_| bad())?),
                    None => (rest.to_string(), if tls { 443 } else { 80 }),
                };
                if host.is_empty() || host.contains('/') {
                    return Err(bad());
                }
                Ok(Self {
                    name: name.into(),
                    region: region.into(),
                    tls,
                    host,
                    port,
                    path_style: true,
                })
            }
        }
    }

    /// The `Host` header value.
    fn authority(&self) -> String {
        match (self.tls, self.port) {
            (true, 443) | (false, 80) => self.host.clone(),
            _ => format!("{}:{}", self.host, self.port),
        }
    }

    /// The request path of `key` (unencoded; encoded when sent and signed).
    fn path(&self, key: &str) -> String {
        if self.path_style {
            format!("/{}/{key}", self.name)
        } else {
            format!("/{key}")
        }
    }

    /// The origin browsers fetch presigned URLs from (for the pages' Content-Security-Policy).
    pub fn origin(&self) -> String {
        format!(
            "{}://{}",
            if self.tls { "https" } else { "http" },
            self.authority()
        )
    }

    /// A URL that lets its holder GET `key` for `expires_secs`, answered with `disposition` as its
    /// `Content-Disposition`.
    pub fn presigned_get(
        &self,
        credentials: &Credentials,
        key: &str,
        disposition: &str,
        expires_secs: u32,
    ) -> String {
        let signer = Signer {
            credentials,
            region: &self.region,
            service: "s3",
        };
        let path = self.path(key);
        let query = signer.presign(
            "GET",
            &self.authority(),
            &path,
            &[("response-content-disposition".into(), disposition.into())],
            expires_secs,
            Utc::now(),
        );
        format!("{}{}?{query}", self.origin(), uri_encode(&path, true))
    }

    /// One signed call: `query` as pairs (a bare flag such as `uploads` has an empty value).
    async fn call(
        &self,
        call: &'static str,
        method: Method,
        key: &str,
        query: &[(String, String)],
        extra_headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<(http::HeaderMap, Bytes), S3Error> {
        let credentials = Credentials::from_env().ok_or(S3Error::NoCredentials)?;
        let now = Utc::now();
        let payload = sha256_hex(&body);
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), self.authority()),
            ("x-amz-content-sha256".into(), payload.clone()),
            ("x-amz-date".into(), amz_date(now)),
        ];
        if let Some(token) = &credentials.session_token {
            headers.push(("x-amz-security-token".into(), token.clone()));
        }
        for (k, v) in extra_headers {
            headers.push(((*k).to_string(), (*v).to_string()));
        }
        let path = self.path(key);
        let signer = Signer {
            credentials: &credentials,
            region: &self.region,
            service: "s3",
        };
        let authorization = signer.authorization(method.as_str(), &path, query, &headers, &payload, now);
        let query_string = query
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    uri_encode(k, false)
                } else {
                    format!("{}={}", uri_encode(k, false), uri_encode(v, false))
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        let uri = if query_string.is_empty() {
            uri_encode(&path, true)
        } else {
            format!("{}?{query_string}", uri_encode(&path, true))
        };
        let mut request = Request::builder().method(method).uri(uri);
        for (k, v) in &headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let request = request
            .header("authorization", authorization)
            .header("content-length", body.len())
            .body(Full::new(body))
            .map_err(|e| S3Error::Connect(e.to_string()))?;
        let response = self.send(request).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| S3Error::Connect(e.to_string()))?
            .to_bytes();
        if !status.is_success() {
            return Err(S3Error::Status {
                call,
                status,
                body: String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned(),
            });
        }
        Ok((headers, bytes))
    }

    async fn send(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<http::Response<hyper::body::Incoming>, S3Error> {
        let connect = |e: &dyn std::fmt::Display| S3Error::Connect(e.to_string());
        let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| connect(&e))?;
        if self.tls {
            let name = rustls::pki_types::ServerName::try_from(self.host.clone()).map_err(|e| connect(&e))?;
            let stream = tokio_rustls::TlsConnector::from(tls_config())
                .connect(name, tcp)
                .await
                .map_err(|e| connect(&e))?;
            exchange(TokioIo::new(stream), request).await
        } else {
            exchange(TokioIo::new(tcp), request).await
        }
    }

    /// Starts a multipart upload of `key`; returns its upload id.
    pub async fn create_multipart(&self, key: &str, content_type: &str) -> Result<String, S3Error> {
        let (_, body) = self
            .call(
                "CreateMultipartUpload",
                Method::POST,
                key,
                &[("uploads".into(), String::new())],
                &[("content-type", content_type)],
                Bytes::new(),
            )
            .await?;
        xml_element(&body, "UploadId").ok_or(S3Error::Answer("CreateMultipartUpload", "UploadId"))
    }

    /// Uploads part `number` (from 1); returns its ETag.
    pub async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        part: Bytes,
    ) -> Result<String, S3Error> {
        let (headers, _) = self
            .call(
                "UploadPart",
                Method::PUT,
                key,
                &[
                    ("partNumber".into(), number.to_string()),
                    ("uploadId".into(), upload_id.into()),
                ],
                &[],
                part,
            )
            .await?;
        headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or(S3Error::Answer("UploadPart", "ETag"))
    }

    pub async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), S3Error> {
        let mut xml = String::from("<CompleteMultipartUpload>");
        for (i, etag) in etags.iter().enumerate() {
            let etag = etag.replace('&', "&amp;").replace('<', "&lt;");
            xml += &format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{etag}</ETag></Part>",
                i + 1
            );
        }
        xml += "</CompleteMultipartUpload>";
        let (_, body) = self
            .call(
                "CompleteMultipartUpload",
                Method::POST,
                key,
                &[("uploadId".into(), upload_id.into())],
                &[("content-type", "application/xml")],
                Bytes::from(xml),
            )
            .await?;
        // S3 may answer 200 with an error in the body when the completion fails late.
        if xml_element(&body, "Code").is_some() {
            return Err(S3Error::Status {
                call: "CompleteMultipartUpload",
                status: StatusCode::OK,
                body: String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned(),
            });
        }
        Ok(())
    }

    pub async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), S3Error> {
        self.call(
            "AbortMultipartUpload",
            Method::DELETE,
            key,
            &[("uploadId".into(), upload_id.into())],
            &[],
            Bytes::new(),
        )
        .await
        .map(|_| ())
    }
}

async fn exchange<I>(
    io: I,
    request: Request<Full<Bytes>>,
) -> Result<http::Response<hyper::body::Incoming>, S3Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| S3Error::Connect(e.to_string()))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "S3 connection ended");
        }
    });
    sender
        .send_request(request)
        .await
        .map_err(|e| S3Error::Connect(e.to_string()))
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// The text of the first `<name>…</name>` in an S3 XML answer (no entities in what we read:
/// upload ids and error codes).
fn xml_element(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{name}>"))? + start;
    Some(text[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_buckets_are_virtual_hosted_and_endpoints_path_style() {
        let aws = Bucket::new("portal-prod-exports", "eu-west-2", None).unwrap();
        assert_eq!(
            aws.origin(),
            "https://portal-prod-exports.s3.eu-west-2.amazonaws.com"
        );
        assert_eq!(aws.path("exports/a.csv"), "/exports/a.csv");
        let local = Bucket::new("b", "eu-west-2", Some("http://127.0.0.1:9000/")).unwrap();
        assert_eq!(local.origin(), "http://127.0.0.1:9000");
        assert_eq!(local.path("exports/a.csv"), "/b/exports/a.csv");
        assert!(Bucket::new("b", "r", Some("ftp://x")).is_err());
        assert!(Bucket::new("b", "r", Some("http://x:port")).is_err());
    }

    #[test]
    fn a_presigned_url_names_its_file_and_expiry() {
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token/with+chars".into()),
        };
        let bucket = Bucket::new("exports", "eu-west-2", None).unwrap();
        let url = bucket.presigned_get(
            &credentials,
            "exports/x y.csv",
            "attachment; filename=\"a.csv\"",
            300,
        );
        assert!(
            url.starts_with("https://exports.s3.eu-west-2.amazonaws.com/exports/x%20y.csv?X-Amz-Algorithm="),
            "{url}"
        );
        assert!(url.contains("X-Amz-Expires=300"), "{url}");
        assert!(url.contains("X-Amz-Security-Token=token%2Fwith%2Bchars"), "{url}");
        assert!(
            url.contains("response-content-disposition=attachment%3B%20filename%3D%22a.csv%22"),
            "{url}"
        );
        assert!(url.contains("&X-Amz-Signature="), "{url}");
    }

    #[test]
    fn xml_elements_are_read_from_s3_answers() {
        let body = b"<?xml version=\"1.0\"?><InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId>abc-123</UploadId></InitiateMultipartUploadResult>";
        assert_eq!(xml_element(body, "UploadId").as_deref(), Some("abc-123"));
        assert_eq!(xml_element(body, "Code"), None);
    }
}
