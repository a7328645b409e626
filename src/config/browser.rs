//! The `browser` kind: a real headless Chromium loads `url` as a person's
//! browser does, waits for `wait_for` (a CSS selector), optionally clicks it,
//! and with `click`, waits for what the click opens: a new WebSocket or a
//! new frame from another origin (what was open before never counts).

use toml::Spanned;

use super::ConfigError;
use super::http::{PageRules, web_host, web_url};
use super::kind::{Build, Ctx, Target};
use super::raw::RawCheck;

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
            expect_frame: raw.expect_frame.take().map(|e| e.into_inner().0),
            page: PageRules::take(raw),
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
}

/// `check` (a browser check) pinned to what its click opened: its own keys,
/// with `expect_websocket` (or, without a counted WebSocket, `expect_frame`)
/// anchored to the URL that counted, as TOML a user can paste (pure).
/// `None` when nothing counted or the check is of another kind.
pub fn pinned(
    check: &super::Check,
    websocket: Option<&str>,
    frame: Option<&str>,
) -> Option<String> {
    let super::Spec::Browser(spec) = &check.spec else {
        return None;
    };
    let mut t = toml::Table::new();
    let mut put = |k: &str, v: toml::Value| {
        t.insert(k.to_string(), v);
    };
    put("name", check.name.clone().into());
    put("channel", check.channel.as_str().into());
    put("kind", "browser".into());
    put("url", spec.url.as_str().into());
    put("wait_for", spec.wait_for.clone().into());
    put("click", spec.click.into());
    let anchored = |url: &str| format!("^{}", regex::escape(url));
    match (websocket, frame) {
        (Some(ws), _) => put("expect_websocket", anchored(ws).into()),
        (None, Some(f)) => put("expect_frame", anchored(f).into()),
        (None, None) => return None,
    }
    for (key, rule) in [
        ("fail_if", &spec.page.fail_if),
        ("blocked_if", &spec.page.blocked_if),
    ] {
        if let Some(re) = rule {
            put(key, re.as_str().into());
        }
    }
    put("timeout", crate::duration::format(check.timeout).into());
    put("slow", crate::duration::format(check.slow).into());
    put("schedule", check.schedule.text.to_string().into());
    let mut doc = toml::Table::new();
    doc.insert(
        "check".to_string(),
        toml::Value::Array(vec![toml::Value::Table(t)]),
    );
    toml::to_string(&doc).ok()
}
