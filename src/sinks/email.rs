//! E-mail over SMTP (lettre): STARTTLS, implicit TLS, or none for a relay on
//! this machine; a login when configured.

use super::{ATTEMPT_TIMEOUT, Build, Notice, Sent, Sink, secret};
use crate::kinds::Secret;
use crate::kinds::keys::{KeyError, Keys};

/// A mail through an SMTP server.
#[derive(Debug, Clone)]
pub struct EmailSink {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub to: Vec<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tls: MailTls,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTls {
    /// Plain, then STARTTLS, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain: only for a relay on this machine.
    None,
}

impl Build for EmailSink {
    const KEYS: &'static [&'static str] = &["smtp", "from", "to", "username", "password", "tls"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let smtp = keys.required::<String>("smtp")?;
        let (host, port) = smtp
            .get_ref()
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
            .filter(|(h, _)| !h.is_empty())
            .ok_or_else(|| keys.fail(smtp.span(), t!("cfg-smtp", smtp = smtp.get_ref())))?;
        let tls = match keys.take::<String>("tls")? {
            None => MailTls::Starttls,
            Some(t) => match t.get_ref().as_str() {
                "starttls" => MailTls::Starttls,
                "tls" => MailTls::Tls,
                "none" => MailTls::None,
                other => return Err(keys.fail(t.span(), t!("cfg-tls", tls = other))),
            },
        };
        let to = keys.take::<Vec<String>>("to")?.map(|t| t.into_inner());
        let to = to
            .filter(|t| !t.is_empty())
            .ok_or_else(|| keys.missing("to"))?;
        let password = secret(keys, "password")?;
        Ok(EmailSink {
            host,
            port,
            from: keys.required::<String>("from")?.into_inner(),
            to,
            username: keys.take::<String>("username")?.map(|u| u.into_inner()),
            password,
            tls,
        })
    }
}

impl Sink for EmailSink {
    fn send<'a>(&'a self, _: &'a reqwest::Client, n: &'a Notice) -> Sent<'a> {
        Box::pin(async move {
            use lettre::message::Mailbox;
            use lettre::transport::smtp::AsyncSmtpTransport;
            use lettre::transport::smtp::authentication::Credentials;
            use lettre::transport::smtp::client::{Tls, TlsParameters};
            use lettre::{AsyncTransport, Message, Tokio1Executor};
            let bad = |what: &str, e: &dyn std::fmt::Display| {
                crate::reason!("sink_mail_failed", part = what, error = e.to_string())
            };
            let from: Mailbox = self.from.parse().map_err(|e| bad("from", &e))?;
            let mut message = Message::builder().from(from).subject(n.title.clone());
            for to in &self.to {
                message = message.to(to.parse().map_err(|e| bad("to", &e))?);
            }
            let message = message
                .body(n.text.clone())
                .map_err(|e| bad("message", &e))?;
            let params = || TlsParameters::new(self.host.clone()).map_err(|e| bad("TLS", &e));
            let tls = match self.tls {
                MailTls::None => Tls::None,
                MailTls::Starttls => Tls::Required(params()?),
                MailTls::Tls => Tls::Wrapper(params()?),
            };
            let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
                .port(self.port)
                .tls(tls)
                .timeout(Some(ATTEMPT_TIMEOUT));
            if let (Some(user), Some(password)) = (&self.username, &self.password) {
                transport = transport.credentials(Credentials::new(
                    user.clone(),
                    password.expose().to_string(),
                ));
            }
            transport
                .build()
                .send(message)
                .await
                .map(drop)
                .map_err(|e| bad("SMTP", &e))
        })
    }
}
