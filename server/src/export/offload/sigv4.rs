//! AWS Signature Version 4 for S3, as the S3 API reference describes it: a request signed in its
//! headers (`Authorization`), and a presigned URL (the signature in the query string). Only what
//! the export offload needs: HMAC-SHA256 and SHA-256 from `ring`, which the server already has,
//! rather than the AWS SDK, which the portal's Lambda package has no room for.
use chrono::{DateTime, Utc};
use ring::{digest, hmac};

/// The credentials a Lambda function gets in its environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), read at each use: they are the execution
/// role's temporary credentials.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    pub fn from_env() -> Option<Self> {
        let access_key_id = std::env::var("AWS_ACCESS_KEY_ID")
            .ok()
            .filter(|s| !s.is_empty())?;
        let secret_access_key = std::env::var("AWS_SECRET_ACCESS_KEY")
            .ok()
            .filter(|s| !s.is_empty())?;
        let session_token = std::env::var("AWS_SESSION_TOKEN").ok().filter(|s| !s.is_empty());
        Some(Self {
            access_key_id,
            secret_access_key,
            session_token,
        })
    }
}

/// SHA-256 of `data`, lower-case hex (the `x-amz-content-sha256` value).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// URI-encoding as SigV4 wants it: every byte but `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case),
/// and `/` too unless `keep_slash` (an object key's path).
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The canonical query string: names and values encoded, sorted by name then value.
fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// One signing scope: a region and service on a day.
pub struct Signer<'a> {
    pub credentials: &'a Credentials,
    pub region: &'a str,
    pub service: &'a str,
}

impl Signer<'_> {
    fn scope(&self, now: DateTime<Utc>) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            now.format("%Y%m%d"),
            self.region,
            self.service
        )
    }

    fn signature(&self, now: DateTime<Utc>, canonical_request: &str) -> String {
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{}\n{}\n{}",
            amz_date(now),
            self.scope(now),
            sha256_hex(canonical_request.as_bytes())
        );
        let secret = format!("AWS4{}", self.credentials.secret_access_key);
        let k_date = hmac_sha256(secret.as_bytes(), &now.format("%Y%m%d").to_string());
        let k_region = hmac_sha256(&k_date, self.region);
        let k_service = hmac_sha256(&k_region, self.service);
        let k_signing = hmac_sha256(&k_service, "aws4_request");
        hex(&hmac_sha256(&k_signing, &string_to_sign))
    }

    /// Signs a request in its headers. `headers` must hold `host`, `x-amz-date` (= `now`) and
    /// `x-amz-content-sha256` (= `payload_sha256`), and the session token when there is one;
    /// every header given is signed. Returns the `Authorization` value.
    pub fn authorization(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        payload_sha256: &str,
        now: DateTime<Utc>,
    ) -> String {
        let mut headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        headers.sort();
        let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
        let signed_headers = headers
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let canonical_request = format!(
            "{method}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_sha256}",
            uri_encode(path, true),
            canonical_query(query)
        );
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={signed_headers}, Signature={}",
            self.credentials.access_key_id,
            self.scope(now),
            self.signature(now, &canonical_request)
        )
    }

    /// A presigned URL's query string for `method` on `host` + `path`, valid `expires_secs` from
    /// `now`, with `extra` parameters (such as `response-content-disposition`) signed with it.
    /// Only the `host` header is signed, and the payload is not (`UNSIGNED-PAYLOAD`).
    pub fn presign(
        &self,
        method: &str,
        host: &str,
        path: &str,
        extra: &[(String, String)],
        expires_secs: u32,
        now: DateTime<Utc>,
    ) -> String {
        let mut query: Vec<(String, String)> = vec![
            ("X-Amz-Algorithm".into(), "AWS4-HMAC-SHA256".into()),
            (
                "X-Amz-Credential".into(),
                format!("{}/{}", self.credentials.access_key_id, self.scope(now)),
            ),
            ("X-Amz-Date".into(), amz_date(now)),
            ("X-Amz-Expires".into(), expires_secs.to_string()),
            ("X-Amz-SignedHeaders".into(), "host".into()),
        ];
        if let Some(token) = &self.credentials.session_token {
            query.push(("X-Amz-Security-Token".into(), token.clone()));
        }
        query.extend(extra.iter().cloned());
        let canonical_request = format!(
            "{method}\n{}\n{}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD",
            uri_encode(path, true),
            canonical_query(&query)
        );
        let signature = self.signature(now, &canonical_request);
        format!("{}&X-Amz-Signature={signature}", canonical_query(&query))
    }
}

/// `YYYYMMDDTHHMMSSZ`.
pub fn amz_date(now: DateTime<Utc>) -> String {
    now.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    // The examples of the S3 API reference ("Authenticating Requests: AWS Signature Version 4"),
    // with the documentation's example credentials.
    fn example() -> Credentials {
        Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    fn may_24_2013() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2013, 5, 24, 0, 0, 0).unwrap()
    }

    #[test]
    fn a_presigned_get_matches_the_s3_reference_example() {
        let credentials = example();
        let signer = Signer {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
        };
        let query = signer.presign(
            "GET",
            "examplebucket.s3.amazonaws.com",
            "/test.txt",
            &[],
            86400,
            may_24_2013(),
        );
        assert!(
            query.ends_with(
                "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
            ),
            "{query}"
        );
        assert!(query.starts_with(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        ));
    }

    #[test]
    fn a_header_signed_get_matches_the_s3_reference_example() {
        let credentials = example();
        let signer = Signer {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
        };
        let empty = sha256_hex(b"");
        assert_eq!(
            empty,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let headers = [
            ("Host".to_string(), "examplebucket.s3.amazonaws.com".to_string()),
            ("Range".to_string(), "bytes=0-9".to_string()),
            ("x-amz-content-sha256".to_string(), empty.clone()),
            ("x-amz-date".to_string(), "20130524T000000Z".to_string()),
        ];
        let auth = signer.authorization("GET", "/test.txt", &[], &headers, &empty, may_24_2013());
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn keys_and_values_are_encoded_as_sigv4_wants() {
        assert_eq!(
            uri_encode("exports/a b/ü+%.csv", true),
            "exports/a%20b/%C3%BC%2B%25.csv"
        );
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
        assert_eq!(
            canonical_query(&[
                ("b".into(), "2".into()),
                ("a".into(), "x y".into()),
                ("uploads".into(), String::new())
            ]),
            "a=x%20y&b=2&uploads="
        );
    }

    #[test]
    fn credentials_never_print_their_secret() {
        let shown = format!("{:?}", example());
        assert!(!shown.contains("EXAMPLEKEY"), "{shown}");
    }
}
