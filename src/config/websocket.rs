//! The `websocket` kind: the opening handshake of a `ws://` or `wss://` URL,
//! then optionally a text frame sent and a received one that must match.

use std::path::PathBuf;

use toml::Spanned;

use super::ConfigError;
use super::http::{web_host, web_url};
use super::kind::{Build, Ctx, Target};
use super::raw::RawCheck;

#[derive(Debug, Clone)]
pub struct WebSocketSpec {
    /// `ws://` or `wss://`.
    pub url: reqwest::Url,
    /// A text frame sent once the handshake is done.
    pub send: Option<String>,
    /// A received text frame must match this before the timeout.
    pub expect: Option<regex::Regex>,
    /// Extra PEM certificates trusted besides the bundled web roots.
    pub tls_ca_file: Option<PathBuf>,
}

impl Build for WebSocketSpec {
    const KEYS: &'static [&'static str] = &["url", "send", "expect", "tls_ca_file"];

    fn build(raw: &mut RawCheck, at: &Ctx) -> Result<Self, ConfigError> {
        Ok(WebSocketSpec {
            url: web_url(raw, at, &["ws", "wss"])?,
            send: raw.send.take().map(Spanned::into_inner),
            expect: raw.expect.take().map(|e| e.into_inner().0),
            tls_ca_file: raw.tls_ca_file.take().map(Spanned::into_inner),
        })
    }
}

impl Target for WebSocketSpec {
    fn host(&self) -> String {
        web_host(&self.url)
    }

    fn target(&self) -> String {
        match &self.expect {
            Some(e) => format!("{} expecting /{}/", self.url, e.as_str()),
            None => self.url.to_string(),
        }
    }
}
