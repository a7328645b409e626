//! The `websocket` kind: the opening handshake of a `ws://` or `wss://` URL,
//! then optionally a text frame sent and a received one that must match.

mod probe;

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::keys::{KeyError, Keys, checked_string, web_host, web_url};
use super::{Build, Target};

checked_string!(ExpectRegex, regex::Regex, |t| super::keys::regex(t)
    .map_err(|why| t!("cfg-expect", why = why)));

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

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        Ok(WebSocketSpec {
            url: web_url(keys, &["ws", "wss"])?,
            send: keys.take("send")?.map(Spanned::into_inner),
            expect: keys
                .take::<ExpectRegex>("expect")?
                .map(|e| e.into_inner().0),
            tls_ca_file: keys.take("tls_ca_file")?.map(Spanned::into_inner),
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

    fn tls(&self) -> Option<Option<&Path>> {
        Some(self.tls_ca_file.as_deref())
    }
}
