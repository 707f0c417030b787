//! Outgoing e-mail over SMTP (lettre on tokio; TLS by rustls): the transport behind
//! `app::mail::Mailer`, and its configuration.
//!
//! | Variable | Meaning | Default (development) |
//! |---|---|---|
//! | `SMTP_HOST` | the SMTP server | `127.0.0.1` (the local sink, `scripts/mail.sh`); required in production |
//! | `SMTP_PORT` | its port | 2525 with `SMTP_TLS=none`, 587 with `starttls`, 465 with `tls` |
//! | `SMTP_TLS` | `starttls` (upgrade, required), `tls` (implicit TLS) or `none` (plain; loopback only in production) | `none` |
//! | `SMTP_USERNAME`, `SMTP_PASSWORD` | credentials (both or neither) | none |
//! | `MAIL_FROM` | the sender, `Name <address>` | `Northgate Energy <portal@northgate.example>` |
//! | `PUBLIC_BASE_URL` | the portal's address as users reach it; links in e-mail start with it | `http://127.0.0.1:3000`; `https://` required in production |
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use app::mail::{Mail, Mailer, Transport};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP: for a server on loopback (the local sink, a relay on the same host).
    None,
    /// STARTTLS, required (the connection fails rather than continue in the clear).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl TlsMode {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(TlsMode::None),
            "starttls" => Some(TlsMode::StartTls),
            "tls" => Some(TlsMode::Tls),
            _ => None,
        }
    }

    fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 2525,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        }
    }
}

#[derive(Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub credentials: Option<(String, String)>,
    pub from: String,
    pub public_base_url: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.credentials.as_ref().map(|c| &c.0))
            .field("from", &self.from)
            .field("public_base_url", &self.public_base_url)
            .finish()
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl MailConfig {
    pub fn from_env(production: bool) -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let host = match var("SMTP_HOST") {
            Some(h) => h,
            None if production => anyhow::bail!("SMTP_HOST must be set in production"),
            None => "127.0.0.1".into(),
        };
        let tls = match var("SMTP_TLS") {
            Some(t) => TlsMode::parse(&t).context("SMTP_TLS must be 'starttls', 'tls' or 'none'")?,
            None if production => TlsMode::StartTls,
            None => TlsMode::None,
        };
        anyhow::ensure!(
            !production || tls != TlsMode::None || is_loopback(&host),
            "SMTP_TLS=none sends mail in the clear: allowed in production only to a server on loopback"
        );
        let port = match var("SMTP_PORT") {
            Some(p) => p.parse().context("SMTP_PORT must be a port number")?,
            None => tls.default_port(),
        };
        let credentials = match (var("SMTP_USERNAME"), var("SMTP_PASSWORD")) {
            (Some(u), Some(p)) => Some((u, p)),
            (None, None) => None,
            _ => anyhow::bail!("set both SMTP_USERNAME and SMTP_PASSWORD, or neither"),
        };
        let from = var("MAIL_FROM").unwrap_or_else(|| "Northgate Energy <portal@northgate.example>".into());
        from.parse::<Mailbox>()
            .with_context(|| format!("MAIL_FROM is not an address: {from:?}"))?;
        let public_base_url = match var("PUBLIC_BASE_URL") {
            Some(u) => u,
            None if production => anyhow::bail!("PUBLIC_BASE_URL must be set in production"),
            None => "http://127.0.0.1:3000".into(),
        };
        let parsed = url::Url::parse(&public_base_url).context("PUBLIC_BASE_URL is not a URL")?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some(),
            "PUBLIC_BASE_URL must be an http(s) address"
        );
        anyhow::ensure!(
            !production || parsed.scheme() == "https",
            "PUBLIC_BASE_URL must be https in production"
        );
        let cfg = MailConfig {
            host,
            port,
            tls,
            credentials,
            from,
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
        };
        // The transport is built per router; building it once here checks the host for TLS.
        Smtp::new(&cfg)?;
        Ok(cfg)
    }

    /// Plain SMTP to a server on loopback at `port` (the local sink), links to `public_base_url`.
    pub fn local_sink(port: u16, public_base_url: &str) -> Self {
        MailConfig {
            host: "127.0.0.1".into(),
            port,
            tls: TlsMode::None,
            credentials: None,
            from: "Northgate Energy <portal@northgate.example>".into(),
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The mailer requests use, sending through this configuration's SMTP server.
    pub fn mailer(&self) -> anyhow::Result<Mailer> {
        Ok(Mailer::new(Arc::new(Smtp::new(self)?), &self.public_base_url))
    }
}

/// Sends each message over its own SMTP connection (mail is rare: invitations, resets).
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    pub fn new(cfg: &MailConfig) -> anyhow::Result<Self> {
        let builder = match cfg.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone()),
            TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
                .context("SMTP_HOST for STARTTLS")?,
            TlsMode::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host).context("SMTP_HOST for TLS")?
            }
        };
        let from: Mailbox = cfg.from.parse().context("MAIL_FROM")?;
        let mut builder = builder
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(15)))
            // EHLO with the sender's domain (no system host name lookup).
            .hello_name(ClientId::Domain(from.email.domain().to_owned()));
        if let Some((user, pass)) = &cfg.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }

    fn message(&self, mail: Mail) -> anyhow::Result<Message> {
        let to = Mailbox::new(
            Some(mail.to_name.clone()),
            mail.to_email.parse().context("recipient address")?,
        );
        Ok(Message::builder()
            .message_id(Some(format!(
                "<{}@{}>",
                uuid::Uuid::new_v4(),
                self.from.email.domain()
            )))
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))?)
    }
}

impl Transport for Smtp {
    fn send(&self, mail: Mail) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + '_>> {
        Box::pin(async move {
            let message = self.message(mail)?;
            self.transport
                .send(message)
                .await
                .context("the SMTP server did not take the message")?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_recognised() {
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && is_loopback("[::1]"));
        assert!(!is_loopback("smtp.example.com") && !is_loopback("10.0.0.1"));
    }

    #[test]
    fn tls_modes_parse_and_pick_their_usual_ports() {
        assert_eq!(TlsMode::parse("starttls").map(TlsMode::default_port), Some(587));
        assert_eq!(TlsMode::parse("tls").map(TlsMode::default_port), Some(465));
        assert_eq!(TlsMode::parse("none").map(TlsMode::default_port), Some(2525));
        assert_eq!(TlsMode::parse("ssl"), None);
    }
}
