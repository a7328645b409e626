//! The `http` kind: GET (or HEAD) a URL and judge the answer.

pub(super) mod probe;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::keys::{KeyError, Keys, Secret, checked_string, page_rules, web_host, web_url};
use super::{Build, Extras, Target};
use crate::probe::page::PageRules;

checked_string!(RegexValue, regex::Regex, |t| super::keys::regex(t)
    .map_err(|why| t!("cfg-body-regex", why = why)));

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

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let url = web_url(keys, &["http", "https", "ws", "wss"])?;
        Ok(HttpSpec {
            url,
            method: keys
                .take("method")?
                .map_or(Method::Get, Spanned::into_inner),
            expect_status: expect_status(keys.take("expect_status")?, keys)?,
            body_contains: keys.take("body_contains")?.map(Spanned::into_inner),
            body_regex: keys
                .take::<RegexValue>("body_regex")?
                .map(|r| r.into_inner().0),
            json: json(keys.take("json")?, keys)?,
            extract: extract(keys.take("extract")?, keys)?,
            headers: match keys.take("headers")? {
                None => BTreeMap::new(),
                Some(h) => {
                    let span = h.span();
                    headers(h.into_inner()).map_err(|m| keys.fail(span, m))?
                }
            },
            tls_ca_file: keys.take("tls_ca_file")?.map(Spanned::into_inner),
            page: page_rules(keys)?,
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

    fn tls(&self) -> Option<Option<&Path>> {
        Some(self.tls_ca_file.as_deref())
    }
}

fn expect_status(raw: Option<Spanned<Vec<u16>>>, at: &Keys) -> Result<Vec<u16>, KeyError> {
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
    at: &Keys,
) -> Result<BTreeMap<String, serde_json::Value>, KeyError> {
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
    at: &Keys,
) -> Result<BTreeMap<String, String>, KeyError> {
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
