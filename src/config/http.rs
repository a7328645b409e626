//! The `http` kind: GET (or HEAD) a URL and judge the answer.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::kind::{Build, Ctx, Extras, Target};
use super::raw::RawCheck;
use super::{ConfigError, Secret};

#[derive(Debug, Clone)]
pub struct HttpSpec {
    pub url: reqwest::Url,
    pub method: Method,
    /// Empty: any 2xx.
    pub expect_status: Vec<u16>,
    pub body_contains: Option<String>,
    pub body_regex: Option<regex::Regex>,
    /// JSON pointer → the value expected there.
    pub json: BTreeMap<String, serde_json::Value>,
    /// Value name → JSON pointer of a number kept with the sample.
    pub extract: BTreeMap<String, String>,
    /// Request headers; their values may be secrets (`env:NAME`), so they are
    /// [`Secret`]s, never printed.
    pub headers: BTreeMap<String, Secret>,
    /// Extra PEM certificates trusted besides the bundled web roots.
    pub tls_ca_file: Option<PathBuf>,
    /// What makes an answered page not the page (`fail_if`, `blocked_if`).
    pub page: PageRules,
}

/// A page can answer 200 and still not be the page: `fail_if` on the page
/// (its title and text) makes it `down`, `blocked_if` on the final URL or the
/// page makes it `blocked`, both after redirects (`http` and `browser`).
#[derive(Debug, Clone, Default)]
pub struct PageRules {
    pub fail_if: Option<regex::Regex>,
    pub blocked_if: Option<regex::Regex>,
}

impl PageRules {
    /// Takes `fail_if` and `blocked_if` out of `raw` (shared by the kinds that read pages).
    pub(super) fn take(raw: &mut RawCheck) -> PageRules {
        PageRules {
            fail_if: raw.fail_if.take().map(|r| r.into_inner().0),
            blocked_if: raw.blocked_if.take().map(|r| r.into_inner().0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Method {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "HEAD")]
    Head,
}

impl Build for HttpSpec {
    const KEYS: &'static [&'static str] = &[
        "url",
        "tls_ca_file",
        "method",
        "expect_status",
        "body_contains",
        "body_regex",
        "json",
        "extract",
        "headers",
        "fail_if",
        "blocked_if",
    ];

    fn build(raw: &mut RawCheck, at: &Ctx) -> Result<Self, ConfigError> {
        let url = raw
            .url
            .take()
            .ok_or_else(|| at.missing("url"))?
            .into_inner()
            .0;
        Ok(HttpSpec {
            url,
            method: raw.method.take().map_or(Method::Get, Spanned::into_inner),
            expect_status: expect_status(raw.expect_status.take(), at)?,
            body_contains: raw.body_contains.take().map(Spanned::into_inner),
            body_regex: raw.body_regex.take().map(|r| r.into_inner().0),
            json: json(raw.json.take(), at)?,
            extract: extract(raw.extract.take(), at)?,
            headers: match raw.headers.take() {
                None => BTreeMap::new(),
                Some(h) => {
                    let span = h.span();
                    headers(h.into_inner()).map_err(|m| at.fail(span, m))?
                }
            },
            tls_ca_file: raw.tls_ca_file.take().map(Spanned::into_inner),
            page: PageRules::take(raw),
        })
    }
}

impl Target for HttpSpec {
    fn host(&self) -> String {
        web_host(&self.url)
    }

    fn target(&self) -> String {
        self.url.to_string()
    }

    fn extras(&self) -> Extras<'_> {
        Extras {
            extracted: Some(&self.extract),
            ..Extras::default()
        }
    }
}

/// The check's `url`, which must have one of `schemes` (shared by the kinds
/// that take a URL).
pub(super) fn web_url(
    raw: &mut RawCheck,
    at: &Ctx,
    schemes: &[&str],
) -> Result<reqwest::Url, ConfigError> {
    let url = raw.url.take().ok_or_else(|| at.missing("url"))?;
    let span = url.span();
    let url = url.into_inner().0;
    if !schemes.contains(&url.scheme()) {
        return Err(at.fail(
            span,
            t!(
                "cfg-url-scheme-for-kind",
                kind = at.kind.as_str(),
                scheme = schemes.join(&format!(" {} ", t!("word-or"))),
                url = url.scheme()
            ),
        ));
    }
    Ok(url)
}

/// The host of a web URL, lower-cased (shared with `okx_status`).
pub(super) fn web_host(url: &reqwest::Url) -> String {
    url.host_str().unwrap_or("").to_ascii_lowercase()
}

fn expect_status(raw: Option<Spanned<Vec<u16>>>, at: &Ctx) -> Result<Vec<u16>, ConfigError> {
    let Some(s) = raw else {
        return Ok(Vec::new());
    };
    let span = s.span();
    let codes = s.into_inner();
    if let Some(bad) = codes.iter().find(|c| !(100..=599).contains(*c)) {
        return Err(at.fail(span, t!("cfg-bad-status", bad = bad.to_string())));
    }
    if codes.is_empty() {
        return Err(at.fail(span, t!("cfg-empty-status")));
    }
    Ok(codes)
}

fn json(
    raw: Option<Spanned<BTreeMap<String, toml::Value>>>,
    at: &Ctx,
) -> Result<BTreeMap<String, serde_json::Value>, ConfigError> {
    let mut json = BTreeMap::new();
    let Some(j) = raw else {
        return Ok(json);
    };
    let span = j.span();
    for (pointer, value) in j.into_inner() {
        check_pointer(&pointer).map_err(|m| at.fail(span.clone(), m))?;
        let value = serde_json::to_value(&value).map_err(|e| {
            at.fail(
                span.clone(),
                t!("cfg-json-value", pointer = &pointer, why = e.to_string()),
            )
        })?;
        json.insert(pointer, value);
    }
    Ok(json)
}

fn extract(
    raw: Option<Spanned<BTreeMap<String, String>>>,
    at: &Ctx,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut extract = BTreeMap::new();
    let Some(x) = raw else {
        return Ok(extract);
    };
    let span = x.span();
    for (name, pointer) in x.into_inner() {
        if !is_value_name(&name) {
            return Err(at.fail(span, t!("cfg-extract-name", name = name.as_str())));
        }
        check_pointer(&pointer).map_err(|m| at.fail(span.clone(), m))?;
        extract.insert(name, pointer);
    }
    Ok(extract)
}

/// Checks header names and values and resolves `env:NAME` values from the
/// environment. Messages name headers and variables, never values.
fn headers(raw: BTreeMap<String, String>) -> Result<BTreeMap<String, Secret>, String> {
    let mut out = BTreeMap::new();
    for (name, value) in raw {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(t!("cfg-header-name", name = &name));
        }
        let value = Secret::from_config(&value)
            .map_err(|var| t!("cfg-header-env", name = &name, var = var))?;
        if reqwest::header::HeaderValue::from_str(value.expose()).is_err() {
            return Err(t!("cfg-header-value", name = &name));
        }
        out.insert(name, value);
    }
    Ok(out)
}

fn check_pointer(pointer: &str) -> Result<(), String> {
    if pointer.is_empty() || pointer.starts_with('/') {
        Ok(())
    } else {
        Err(t!("cfg-json-pointer", pointer = pointer))
    }
}

fn is_value_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
