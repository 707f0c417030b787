//! Secrets read at run time on AWS Lambda, never from the function's configuration.
//!
//! The functions carry only secret ARNs (`*_SECRET_ARN`). The values come from AWS Secrets Manager
//! through the **AWS Parameters and Secrets Lambda Extension**, a layer that answers on loopback
//! (`http://127.0.0.1:2773`, the token being the function's own session token) and caches each
//! secret for `SECRETS_MANAGER_TTL` seconds; so a secret is fetched from Secrets Manager at most
//! once per TTL per instance, and the portal needs no AWS SDK and no TLS client of its own for it.
//!
//! At start-up, before the configuration is read (and before any other thread runs), the values
//! are put where the configuration reads them:
//!
//! | variable holding an ARN | secret | becomes |
//! |---|---|---|
//! | `SESSION_KEYS_SECRET_ARN` | plain string | `SESSION_KEYS` |
//! | `MFA_SECRET_SECRET_ARN` | plain string | `MFA_SECRET` |
//! | `SMTP_SECRET_ARN` | JSON `{"username", "password"}` | `SMTP_USERNAME`, `SMTP_PASSWORD` |
//! | `DB_APP_SECRET_ARN` | RDS JSON (below) | `DATABASE_URL` |
//! | `DB_AUTH_SECRET_ARN` | RDS JSON | `AUTH_DATABASE_URL` |
//! | `DB_SECRET_ARN` (the jobs: owner) | RDS JSON | `DATABASE_URL` |
//!
//! Database secrets are in the JSON format RDS and Secrets Manager's rotation functions write:
//! `username` and `password` always; `host`, `port`, `dbname` when the secret is attached to a
//! database (RDS's own managed master-user secret has only the first two). `DB_HOST` (the RDS
//! Proxy endpoint), `DB_PORT`, `DB_NAME` and `DB_SSLMODE` override or complete them.
//!
//! Database passwords rotate (RDS rotates its managed master secret by itself; the login secrets
//! have a rotation schedule): [`DbCredentials`] re-reads them at most every
//! `SECRETS_REFRESH_SECS` (default 60) and gives the pools the new password for the connections
//! they open from then on, so a rotation needs no redeploy. Session keys, the MFA secret and SMTP
//! credentials are read when an instance starts (see infra/README.md for rotating them).
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use serde::Deserialize;
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;

/// The extension's default port (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` changes it).
pub const EXTENSION_PORT: u16 = 2773;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secret {id}: the secrets extension did not answer: {reason}")]
    Unreachable { id: String, reason: String },
    #[error("secret {id}: the secrets extension answered {status}: {body}")]
    Refused { id: String, status: u16, body: String },
    #[error("secret {id}: {reason}")]
    Malformed { id: String, reason: String },
}

/// A client of the Parameters and Secrets extension's HTTP interface.
#[derive(Clone)]
pub struct SecretsClient {
    base: String,
    token: String,
    http: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Empty<bytes::Bytes>,
    >,
}

impl SecretsClient {
    /// `base`: `http://127.0.0.1:2773` on Lambda; `token`: sent as `X-Aws-Parameters-Secrets-Token`.
    pub fn new(base: impl Into<String>, token: impl Into<String>) -> Self {
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            token: token.into(),
            http,
        }
    }

    /// The extension of this Lambda instance: loopback, and the instance's session token.
    /// `PORTAL_SECRETS_ENDPOINT` points elsewhere (tests, the local emulator).
    pub fn from_env() -> Self {
        let base = std::env::var("PORTAL_SECRETS_ENDPOINT").unwrap_or_else(|_| {
            let port = std::env::var("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
                .ok()
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or(EXTENSION_PORT);
            format!("http://127.0.0.1:{port}")
        });
        Self::new(base, std::env::var("AWS_SESSION_TOKEN").unwrap_or_default())
    }

    /// The secret's string value (`SecretString`).
    pub async fn get(&self, id: &str) -> Result<String, SecretError> {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("secretId", id)
            .finish();
        let uri = format!("{}/secretsmanager/get?{query}", self.base);
        let unreachable = |reason: String| SecretError::Unreachable {
            id: id.to_owned(),
            reason,
        };
        // The extension may still be starting when the function's own start-up asks: try a few
        // times, briefly, before giving up.
        let mut attempt = 0;
        let response = loop {
            let request = http::Request::get(&uri)
                .header("X-Aws-Parameters-Secrets-Token", &self.token)
                .body(http_body_util::Empty::new())
                .map_err(|e| unreachable(e.to_string()))?;
            match tokio::time::timeout(Duration::from_secs(5), self.http.request(request)).await {
                Ok(Ok(r)) => break r,
                Ok(Err(e)) if attempt < 4 => tracing::debug!(error = %e, "secrets extension not ready"),
                Ok(Err(e)) => return Err(unreachable(e.to_string())),
                Err(_) => return Err(unreachable("no answer within 5 s".into())),
            }
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
        };
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| unreachable(e.to_string()))?
            .to_bytes();
        if !status.is_success() {
            return Err(SecretError::Refused {
                id: id.to_owned(),
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
            });
        }
        #[derive(Deserialize)]
        struct GetSecretValue {
            #[serde(rename = "SecretString")]
            secret_string: Option<String>,
        }
        let value: GetSecretValue = serde_json::from_slice(&body).map_err(|e| SecretError::Malformed {
            id: id.to_owned(),
            reason: format!("not a GetSecretValue answer: {e}"),
        })?;
        value.secret_string.ok_or_else(|| SecretError::Malformed {
            id: id.to_owned(),
            reason: "the secret has no string value (binary secrets are not used)".into(),
        })
    }
}

/// A database secret as RDS and the Secrets Manager rotation functions write it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct DbSecret {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default, deserialize_with = "port_from_number_or_text")]
    pub port: Option<u16>,
    #[serde(default)]
    pub dbname: Option<String>,
}

impl std::fmt::Debug for DbSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSecret")
            .field("username", &self.username)
            .field("password", &"…")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("dbname", &self.dbname)
            .finish()
    }
}

/// RDS writes the port as a number; hand-made secrets often hold a string.
fn port_from_number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        Number(u16),
        Text(String),
    }
    match Option::<Port>::deserialize(d)? {
        None => Ok(None),
        Some(Port::Number(n)) => Ok(Some(n)),
        Some(Port::Text(t)) => t.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl DbSecret {
    pub fn parse(id: &str, json: &str) -> Result<Self, SecretError> {
        serde_json::from_str(json).map_err(|e| SecretError::Malformed {
            id: id.to_owned(),
            reason: format!("not a database secret (JSON with username and password): {e}"),
        })
    }

    /// A `postgres://` URL for this login, completed from the environment: `DB_HOST` (the RDS
    /// Proxy's endpoint) and `DB_PORT` win over the secret's instance address, `DB_NAME` over its
    /// `dbname`, and `DB_SSLMODE` (default `verify-full`: the proxy's certificate is public).
    pub fn url(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
        let host = env("DB_HOST")
            .or_else(|| self.host.clone())
            .ok_or("the database secret has no host and DB_HOST is not set")?;
        let port = match env("DB_PORT") {
            Some(p) => p.parse::<u16>().map_err(|_| "DB_PORT must be a port number")?,
            None => self.port.unwrap_or(5432),
        };
        let dbname = env("DB_NAME")
            .or_else(|| self.dbname.clone())
            .unwrap_or_else(|| "portal".into());
        let sslmode = env("DB_SSLMODE").unwrap_or_else(|| "verify-full".into());
        let mut url = url::Url::parse(&format!("postgres://{host}:{port}/"))
            .map_err(|e| format!("DB_HOST {host:?} does not make a URL: {e}"))?;
        url.set_path(&dbname);
        // Encoded here: `url` leaves a `%` as it is (taking it for an escape already made), and
        // sqlx would then decode `%` followed by anything into another password.
        url.set_username(&userinfo_encode(&self.username))
            .and_then(|()| url.set_password(Some(&userinfo_encode(&self.password))))
            .map_err(|()| "the database URL cannot hold credentials")?;
        url.query_pairs_mut().append_pair("sslmode", &sslmode);
        Ok(url.into())
    }
}

/// Percent-encodes every byte but the unreserved characters of RFC 3986, for a URL's user info.
fn userinfo_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Which environment variables [`load_into_env`] fills, from which ARN variables.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// Names of the variables set (never their values).
    pub set: Vec<&'static str>,
}

/// The values of every `*_SECRET_ARN` variable that is set, as `(variable, value)` pairs, without
/// touching the environment. `env` reads a variable.
pub async fn resolve(
    client: &SecretsClient,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for (arn_var, var) in [
        ("SESSION_KEYS_SECRET_ARN", "SESSION_KEYS"),
        ("MFA_SECRET_SECRET_ARN", "MFA_SECRET"),
    ] {
        if let Some(arn) = env(arn_var) {
            out.push((var, client.get(&arn).await?));
        }
    }
    if let Some(arn) = env("SMTP_SECRET_ARN") {
        #[derive(Deserialize)]
        struct Smtp {
            username: String,
            password: String,
        }
        let smtp: Smtp =
            serde_json::from_str(&client.get(&arn).await?).map_err(|e| SecretError::Malformed {
                id: arn.clone(),
                reason: format!("not JSON with username and password: {e}"),
            })?;
        out.push(("SMTP_USERNAME", smtp.username));
        out.push(("SMTP_PASSWORD", smtp.password));
    }
    for (arn_var, var) in [
        ("DB_SECRET_ARN", "DATABASE_URL"),
        ("DB_APP_SECRET_ARN", "DATABASE_URL"),
        ("DB_AUTH_SECRET_ARN", "AUTH_DATABASE_URL"),
    ] {
        if let Some(arn) = env(arn_var) {
            let secret = DbSecret::parse(&arn, &client.get(&arn).await?)?;
            let url = secret.url(env).map_err(|e| anyhow::anyhow!("{arn_var}: {e}"))?;
            out.push((var, url));
        }
    }
    Ok(out)
}

/// Whether any secret is to be read at start-up.
pub fn wanted(env: &dyn Fn(&str) -> Option<String>) -> bool {
    [
        "SESSION_KEYS_SECRET_ARN",
        "MFA_SECRET_SECRET_ARN",
        "SMTP_SECRET_ARN",
        "DB_SECRET_ARN",
        "DB_APP_SECRET_ARN",
        "DB_AUTH_SECRET_ARN",
    ]
    .iter()
    .any(|v| env(v).is_some())
}

/// Reads the secrets named by `*_SECRET_ARN` and sets the variables they stand for. Call it at
/// start-up **before any other thread is started** (it runs its own single-threaded runtime,
/// stopped before the environment is written): the configuration is then read as everywhere else.
pub fn load_into_env() -> anyhow::Result<Loaded> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if !wanted(&env) {
        return Ok(Loaded::default());
    }
    let values = {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = SecretsClient::from_env();
        let values = rt.block_on(resolve(&client, &env))?;
        // Stops the runtime's blocking threads too, so nothing reads the environment below.
        rt.shutdown_timeout(Duration::from_secs(1));
        values
    };
    let mut loaded = Loaded::default();
    for (name, value) in values {
        // Single-threaded here (see above): no other thread reads the environment meanwhile.
        std::env::set_var(name, value);
        loaded.set.push(name);
    }
    Ok(loaded)
}

/// The pools of one database login whose password may rotate.
struct Tracked {
    secret_id: String,
    /// The password last read; `None` until the first check (the pools have the one read at
    /// start-up, which the first check sets again, in case it rotated in between).
    password: Mutex<Option<String>>,
    pools: Mutex<Vec<PgPool>>,
}

/// Keeps the pools' passwords current when a database secret rotates. Checked from the request
/// path ([`DbCredentials::refresh_if_due`]); a check costs one loopback request to the extension,
/// and at most one per `SECRETS_REFRESH_SECS`.
pub struct DbCredentials {
    client: SecretsClient,
    every: Duration,
    last_check: Mutex<Option<Instant>>,
    logins: Vec<Tracked>,
}

/// The login a pool connects as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    /// `DB_APP_SECRET_ARN` (or `DB_SECRET_ARN` for the jobs).
    App,
    /// `DB_AUTH_SECRET_ARN`.
    Auth,
}

impl DbCredentials {
    /// From the environment, when a database secret is configured.
    pub fn from_env() -> Option<Arc<Self>> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let app = env("DB_APP_SECRET_ARN").or_else(|| env("DB_SECRET_ARN"))?;
        let every = Duration::from_secs(
            env("SECRETS_REFRESH_SECS")
                .and_then(|s| s.parse().ok())
                .unwrap_or(60),
        );
        Some(Self::new(
            SecretsClient::from_env(),
            every,
            app,
            env("DB_AUTH_SECRET_ARN"),
        ))
    }

    pub fn new(client: SecretsClient, every: Duration, app: String, auth: Option<String>) -> Arc<Self> {
        let tracked = |secret_id: String| Tracked {
            secret_id,
            password: Mutex::new(None),
            pools: Mutex::new(Vec::new()),
        };
        let mut logins = vec![tracked(app)];
        logins.extend(auth.map(tracked));
        Arc::new(Self {
            client,
            every,
            last_check: Mutex::new(Some(Instant::now())),
            logins,
        })
    }

    fn tracked(&self, login: Login) -> Option<&Tracked> {
        match login {
            Login::App => self.logins.first(),
            Login::Auth => self.logins.get(1),
        }
    }

    /// Keeps `pool`'s password current for `login`.
    pub fn track(&self, login: Login, pool: &PgPool) {
        let Some(t) = self.tracked(login) else {
            return;
        };
        t.pools
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(pool.clone());
    }

    /// Re-reads the secrets if the last check is older than the refresh interval. Never fails the
    /// request: a secret that cannot be read is logged and the pools keep what they have.
    pub async fn refresh_if_due(&self) {
        {
            let mut last = self.last_check.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|t| t.elapsed() < self.every) {
                return;
            }
            *last = Some(Instant::now());
        }
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "database secret not re-read; keeping the current password");
        }
    }

    /// Re-reads every tracked secret now; returns how many pools got a new password.
    pub async fn refresh(&self) -> Result<usize, SecretError> {
        let mut changed = 0;
        for t in &self.logins {
            let secret = DbSecret::parse(&t.secret_id, &self.client.get(&t.secret_id).await?)?;
            let mut password = t.password.lock().unwrap_or_else(|e| e.into_inner());
            if password.as_deref() == Some(secret.password.as_str()) {
                continue;
            }
            for pool in t.pools.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                let options: PgConnectOptions = (*pool.connect_options()).clone();
                pool.set_connect_options(options.username(&secret.username).password(&secret.password));
                changed += 1;
            }
            if password.is_some() {
                tracing::info!(secret = %t.secret_id, "database password rotated: new connections use the new one");
            }
            *password = Some(secret.password);
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn an_rds_attached_secret_makes_a_url_to_the_proxy() {
        // The shape SecretTargetAttachment leaves: the instance's address, the port as a number.
        let s = DbSecret::parse(
            "arn",
            r#"{"username":"portal_web_app","password":"p@ss:w/rd%","engine":"postgres",
                "host":"db.abc.eu-west-2.rds.amazonaws.com","port":5432,"dbname":"portal",
                "dbInstanceIdentifier":"portal-dev"}"#,
        )
        .unwrap();
        let url = s
            .url(&env_of(&[(
                "DB_HOST",
                "proxy.proxy-abc.eu-west-2.rds.amazonaws.com",
            )]))
            .unwrap();
        assert_eq!(
            url,
            "postgres://portal_web_app:p%40ss%3Aw%2Frd%25@proxy.proxy-abc.eu-west-2.rds.amazonaws.com:5432/portal?sslmode=verify-full"
        );
        let opts: PgConnectOptions = url.parse().unwrap();
        assert!(
            format!("{opts:?}").contains(r#"password: Some("p@ss:w/rd%")"#),
            "sqlx decodes what url encoded"
        );
        assert_eq!(opts.get_username(), "portal_web_app");
    }

    #[test]
    fn the_managed_master_secret_has_only_user_and_password() {
        let s = DbSecret::parse("arn", r#"{"username":"portal_owner","password":"x"}"#).unwrap();
        assert!(s.url(&env_of(&[])).unwrap_err().contains("DB_HOST"));
        let url = s
            .url(&env_of(&[
                ("DB_HOST", "proxy"),
                ("DB_NAME", "portal_dev"),
                ("DB_SSLMODE", "require"),
            ]))
            .unwrap();
        assert_eq!(
            url,
            "postgres://portal_owner:x@proxy:5432/portal_dev?sslmode=require"
        );
    }

    #[test]
    fn a_port_written_as_text_is_read_and_a_bad_one_refused() {
        let s = DbSecret::parse("a", r#"{"username":"u","password":"p","port":"6543"}"#).unwrap();
        assert_eq!(s.port, Some(6543));
        assert!(DbSecret::parse("a", r#"{"username":"u","password":"p","port":"x"}"#).is_err());
        assert!(DbSecret::parse("a", r#"{"user":"u"}"#).is_err());
    }

    #[test]
    fn a_secret_never_prints_its_password() {
        let s = DbSecret::parse("a", r#"{"username":"u","password":"hunter2-long"}"#).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
