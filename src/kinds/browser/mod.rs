//! The `browser` kind: a real headless Chromium loads `url` as a person's
//! browser does, waits for `wait_for` (a CSS selector), optionally clicks it,
//! and with `click`, waits for what the click opens: a new WebSocket or a
//! new frame from another origin (what was open before never counts).

mod probe;

use toml::Spanned;

use super::keys::{KeyError, Keys, checked_string, page_rules, web_host, web_url};
use super::{Build, Target};
use crate::probe::page::PageRules;

checked_string!(WebSocketRegex, regex::Regex, |t| super::keys::regex(t)
    .map_err(|why| t!("cfg-expect-websocket", why = why)));
checked_string!(FrameRegex, regex::Regex, |t| super::keys::regex(t)
    .map_err(|why| t!("cfg-expect-frame", why = why)));

#[derive(Debug, Clone)]
pub struct BrowserSpec {
    pub url: reqwest::Url,
    /// A CSS selector that must appear (the chat launcher).
    pub wait_for: String,
    /// Click the element found, as a person opening the chat would.
    pub click: bool,
    /// A WebSocket that counts as the chat must match this (the click's new
    /// ones with `click`, any the page opened without).
    pub expect_websocket: Option<regex::Regex>,
    /// A frame that counts as the chat must match this, as above.
    pub expect_frame: Option<regex::Regex>,
    /// What makes the loaded page not the page (`fail_if`, `blocked_if`).
    pub page: PageRules,
}

impl Build for BrowserSpec {
    const KEYS: &'static [&'static str] = &[
        "url",
        "wait_for",
        "click",
        "expect_websocket",
        "expect_frame",
        "fail_if",
        "blocked_if",
    ];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let url = web_url(keys, &["http", "https"])?;
        let wait_for = keys.required::<String>("wait_for")?;
        if wait_for.get_ref().trim().is_empty() {
            return Err(keys.fail(wait_for.span(), t!("cfg-empty-selector")));
        }
        Ok(BrowserSpec {
            url,
            wait_for: wait_for.into_inner(),
            click: keys.take("click")?.is_some_and(Spanned::into_inner),
            expect_websocket: keys
                .take::<WebSocketRegex>("expect_websocket")?
                .map(|e| e.into_inner().0),
            expect_frame: keys
                .take::<FrameRegex>("expect_frame")?
                .map(|e| e.into_inner().0),
            page: page_rules(keys)?,
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
        if let Some(frame) = &self.expect_frame {
            t.push_str(&format!(", frame /{}/", frame.as_str()));
        }
        t
    }

    fn needs_browser(&self) -> bool {
        true
    }

    /// The browser's keys with `expect_websocket` (or, without a counted
    /// WebSocket, `expect_frame`) anchored to the URL that counted.
    fn pinned(&self, websocket: Option<&str>, frame: Option<&str>) -> Option<toml::Table> {
        let mut t = toml::Table::new();
        let mut put = |k: &str, v: toml::Value| {
            t.insert(k.to_string(), v);
        };
        put("url", self.url.as_str().into());
        put("wait_for", self.wait_for.clone().into());
        put("click", self.click.into());
        let anchored = |url: &str| format!("^{}", regex::escape(url));
        match (websocket, frame) {
            (Some(ws), _) => put("expect_websocket", anchored(ws).into()),
            (None, Some(f)) => put("expect_frame", anchored(f).into()),
            (None, None) => return None,
        }
        for (key, rule) in [
            ("fail_if", &self.page.fail_if),
            ("blocked_if", &self.page.blocked_if),
        ] {
            if let Some(re) = rule {
                put(key, re.as_str().into());
            }
        }
        Some(t)
    }
}
