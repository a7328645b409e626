//! The sinks: each delivers a [`Notice`] to its service, most as one HTTP
//! request ([`Http`]), e-mail over SMTP. A new sink is one more type here (or
//! a file beside it) and one arm in [`sink`]. Sinks know no rule and hold no
//! state.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::Notice;
use crate::config::notify::SinkSpec;

/// One attempt to deliver.
pub const ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What a delivery attempt comes to; `Err` never holds a secret.
pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

pub trait Sink: Send + Sync {
    /// One attempt to deliver `notice` (the caller bounds it in time).
    fn send<'a>(&'a self, client: &'a reqwest::Client, notice: &'a Notice) -> Sent<'a>;
}

/// A sink that is one HTTP request.
trait Http: Send + Sync {
    fn request(&self, client: &reqwest::Client, notice: &Notice) -> reqwest::RequestBuilder;
}

impl<T: Http> Sink for T {
    fn send<'a>(&'a self, client: &'a reqwest::Client, notice: &'a Notice) -> Sent<'a> {
        Box::pin(async move {
            match self.request(client, notice).send().await {
                // Errors without the URL: a Telegram URL holds the token.
                Err(e) => Err(e.without_url().to_string()),
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
            }
        })
    }
}

/// ntfy: the text as the body, the title, priority and tags as headers.
struct Ntfy {
    url: reqwest::Url,
}

impl Http for Ntfy {
    fn request(&self, client: &reqwest::Client, n: &Notice) -> reqwest::RequestBuilder {
        let (priority, tags) = match n.event {
            "down" | "blocked" => ("high", "rotating_light"),
            "recovered" => ("default", "white_check_mark"),
            "best_window" => ("default", "alarm_clock"),
            _ => ("default", "information_source"),
        };
        client
            .post(self.url.clone())
            .header("Title", header_text(&n.title))
            .header("Priority", priority)
            .header("Tags", tags)
            .body(n.text.clone())
    }
}

/// Text for an HTTP header: as it is when ASCII, else an RFC 2047 encoded
/// word (`=?UTF-8?B?…?=`), which ntfy decodes (a Chinese title, say).
fn header_text(text: &str) -> String {
    if text.is_ascii() {
        text.to_string()
    } else {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(text);
        format!("=?UTF-8?B?{b64}?=")
    }
}

/// Telegram: the Bot API's `sendMessage`. The token is part of the URL, so
/// errors are reported without it (see `deliver`).
struct Telegram {
    url: reqwest::Url,
    token: crate::config::Secret,
    chat_id: String,
}

impl Http for Telegram {
    fn request(&self, client: &reqwest::Client, n: &Notice) -> reqwest::RequestBuilder {
        let base = self.url.as_str().trim_end_matches('/');
        let url = format!("{base}/bot{}/sendMessage", self.token.expose());
        json(
            client.post(url),
            &serde_json::json!({
                "chat_id": self.chat_id,
                "text": format!("{}\n{}", n.title, n.text),
                "disable_web_page_preview": true,
            }),
        )
    }
}

/// A webhook: the notice as JSON (the body the README shows).
struct Webhook {
    url: reqwest::Url,
}

impl Http for Webhook {
    fn request(&self, client: &reqwest::Client, n: &Notice) -> reqwest::RequestBuilder {
        json(client.post(self.url.clone()), n)
    }
}

fn json(request: reqwest::RequestBuilder, body: &impl serde::Serialize) -> reqwest::RequestBuilder {
    request
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        // Serializing plain data into memory cannot fail.
        .body(serde_json::to_vec(body).unwrap_or_default())
}

/// The sink of a `[[notify]]`.
pub fn sink(spec: &SinkSpec) -> Arc<dyn Sink> {
    match spec {
        SinkSpec::Ntfy { url } => Arc::new(Ntfy { url: url.clone() }),
        SinkSpec::Telegram {
            url,
            token,
            chat_id,
        } => Arc::new(Telegram {
            url: url.clone(),
            token: token.clone(),
            chat_id: chat_id.clone(),
        }),
        SinkSpec::Webhook { url } => Arc::new(Webhook { url: url.clone() }),
        SinkSpec::Email(spec) => Arc::new(Email { spec: spec.clone() }),
    }
}

/// E-mail over SMTP (lettre): STARTTLS, implicit TLS, or none for a relay on
/// this machine; a login when configured.
struct Email {
    spec: crate::config::notify::EmailSpec,
}

impl Sink for Email {
    fn send<'a>(&'a self, _: &'a reqwest::Client, n: &'a Notice) -> Sent<'a> {
        Box::pin(async move {
            use crate::config::notify::MailTls;
            use lettre::message::Mailbox;
            use lettre::transport::smtp::AsyncSmtpTransport;
            use lettre::transport::smtp::authentication::Credentials;
            use lettre::transport::smtp::client::{Tls, TlsParameters};
            use lettre::{AsyncTransport, Message, Tokio1Executor};
            let s = &self.spec;
            let bad = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");
            let from: Mailbox = s.from.parse().map_err(|e| bad("from", &e))?;
            let mut message = Message::builder().from(from).subject(n.title.clone());
            for to in &s.to {
                message = message.to(to.parse().map_err(|e| bad("to", &e))?);
            }
            let message = message
                .body(n.text.clone())
                .map_err(|e| bad("message", &e))?;
            let params = || TlsParameters::new(s.host.clone()).map_err(|e| bad("TLS", &e));
            let tls = match s.tls {
                MailTls::None => Tls::None,
                MailTls::Starttls => Tls::Required(params()?),
                MailTls::Tls => Tls::Wrapper(params()?),
            };
            let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                .port(s.port)
                .tls(tls)
                .timeout(Some(ATTEMPT_TIMEOUT));
            if let (Some(user), Some(password)) = (&s.username, &s.password) {
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
