//! The `browser` kind: a real headless Chromium loads `url` as a person's
//! browser does, waits for `wait_for` (a CSS selector), optionally clicks it,
//! and optionally waits for a WebSocket whose URL matches to open.

use toml::Spanned;

use super::ConfigError;
use super::http::{web_host, web_url};
use super::kind::{Build, Ctx, Target};
use super::raw::RawCheck;

#[derive(Debug, Clone)]
pub struct BrowserSpec {
    pub url: reqwest::Url,
    /// A CSS selector that must appear (the chat launcher).
    pub wait_for: String,
    /// Click the element found, as a person opening the chat would.
    pub click: bool,
    /// After the load (or the click), a WebSocket whose URL matches must open.
    pub expect_websocket: Option<regex::Regex>,
}

impl Build for BrowserSpec {
    const KEYS: &'static [&'static str] = &["url", "wait_for", "click", "expect_websocket"];

    fn build(raw: &mut RawCheck, at: &Ctx) -> Result<Self, ConfigError> {
        let url = web_url(raw, at, &["http", "https"])?;
        let wait_for = raw.wait_for.take().ok_or_else(|| at.missing("wait_for"))?;
        if wait_for.get_ref().trim().is_empty() {
            return Err(at.fail(wait_for.span(), t!("cfg-empty-selector")));
        }
        Ok(BrowserSpec {
            url,
            wait_for: wait_for.into_inner(),
            click: raw.click.take().is_some_and(Spanned::into_inner),
            expect_websocket: raw.expect_websocket.take().map(|e| e.into_inner().0),
        })
    }
}

impl Target for BrowserSpec {
    fn host(&self) -> String {
        web_host(&self.url)
    }

    fn target(&self) -> String {
        let mut t = format!("{} until `{}`", self.url, self.wait_for);
        if self.click {
            t.push_str(", click");
        }
        if let Some(ws) = &self.expect_websocket {
            t.push_str(&format!(", WebSocket /{}/", ws.as_str()));
        }
        t
    }

    fn needs_browser(&self) -> bool {
        true
    }
}
