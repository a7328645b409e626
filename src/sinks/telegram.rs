//! Telegram: the Bot API's `sendMessage` at `{url}/bot{token}/sendMessage`.
//! The token is part of the URL, so errors are reported without it.

use super::{Build, Http, Notice, json, secret};
use crate::kinds::Secret;
use crate::kinds::keys::{KeyError, Keys, UrlValue};

/// The Bot API's address when the sink names none.
const API: &str = "https://api.telegram.org";

#[derive(Debug, Clone)]
pub struct TelegramSink {
    pub url: reqwest::Url,
    pub token: Secret,
    pub chat_id: String,
}

impl Build for TelegramSink {
    const KEYS: &'static [&'static str] = &["url", "token", "chat_id"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let url = match keys.take::<UrlValue>("url")? {
            Some(u) => u.into_inner().0,
            None => {
                reqwest::Url::parse(API).map_err(|e| keys.fail(keys.span.clone(), e.to_string()))?
            }
        };
        let token = secret(keys, "token")?.ok_or_else(|| keys.missing("token"))?;
        Ok(TelegramSink {
            url,
            token,
            chat_id: keys.required::<String>("chat_id")?.into_inner(),
        })
    }
}

impl Http for TelegramSink {
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
