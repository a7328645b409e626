//! A webhook: the notice as JSON (the body the README shows).

use super::{Build, Http, Notice, json};
use crate::kinds::keys::{KeyError, Keys, UrlValue};

/// POST of the notice as JSON.
#[derive(Debug, Clone)]
pub struct WebhookSink {
    pub url: reqwest::Url,
}

impl Build for WebhookSink {
    const KEYS: &'static [&'static str] = &["url"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        Ok(WebhookSink {
            url: keys.required::<UrlValue>("url")?.into_inner().0,
        })
    }
}

impl Http for WebhookSink {
    fn request(&self, client: &reqwest::Client, n: &Notice) -> reqwest::RequestBuilder {
        json(client.post(self.url.clone()), n)
    }
}
