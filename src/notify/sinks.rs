//! The sinks: each turns a [`Notice`] into one HTTP request for its service.
//! A new sink is one more `impl Sink` here (or a file beside it) and one arm
//! in [`sink`]. Sinks know no rule and hold no state.

use std::sync::Arc;

use super::Notice;
use crate::config::notify::SinkSpec;

pub trait Sink: Send + Sync {
    /// The request that delivers `notice`.
    fn request(&self, client: &reqwest::Client, notice: &Notice) -> reqwest::RequestBuilder;
}

/// ntfy: the text as the body, the title, priority and tags as headers.
struct Ntfy {
    url: reqwest::Url,
}

impl Sink for Ntfy {
    fn request(&self, client: &reqwest::Client, n: &Notice) -> reqwest::RequestBuilder {
        let (priority, tags) = match n.event {
            "down" | "blocked" => ("high", "rotating_light"),
            "recovered" => ("default", "white_check_mark"),
            "best_window" => ("default", "alarm_clock"),
            _ => ("default", "information_source"),
        };
        client
            .post(self.url.clone())
            .header("Title", n.title.as_str())
            .header("Priority", priority)
            .header("Tags", tags)
            .body(n.text.clone())
    }
}

/// Telegram: the Bot API's `sendMessage`. The token is part of the URL, so
/// errors are reported without it (see `deliver`).
struct Telegram {
    url: reqwest::Url,
    token: crate::config::Secret,
    chat_id: String,
}

impl Sink for Telegram {
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

/// A webhook: the notice as JSON (PRODUCT.md).
struct Webhook {
    url: reqwest::Url,
}

impl Sink for Webhook {
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
    }
}
