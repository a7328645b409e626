//! A kind's own keys, read out of its `[[check]]` table: [`Keys`] hands each
//! kind the keys the common ones left, each with its place, and a value that
//! does not read is reported at its own line and column. The values that
//! check themselves while they are read (`checked_string!`) and the
//! [`Secret`] a header or a sink's password is kept in live here too, for
//! every kind and for the configuration above.

use std::net::SocketAddr;
use std::ops::Range;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;

use super::Kind;
use crate::probe::page::PageRules;

/// A kind's fault in its table: the place (a byte range of the file) and one sentence.
#[derive(Debug)]
pub struct KeyError {
    pub span: Range<usize>,
    pub message: String,
}

/// The table a [`Keys`] is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// A `[[check]]`, for its kind.
    Check,
    /// A `[[notify]]`, for its sink.
    Notify,
}

/// The keys of one `[[check]]` (or `[[notify]]`) beyond the common ones,
/// for its kind (or its sink) to take.
pub struct Keys<'a> {
    pub table: Table,
    /// The table's name and kind, for messages.
    pub name: &'a str,
    pub kind: &'static str,
    /// The keys the kind lists; it takes no other.
    listed: &'static [&'static str],
    /// The whole table.
    pub span: Range<usize>,
    rest: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

impl<'a> Keys<'a> {
    /// The keys of check `name` of `kind`.
    pub fn check(
        name: &'a str,
        kind: Kind,
        span: Range<usize>,
        rest: Vec<(Spanned<String>, Spanned<toml::Value>)>,
    ) -> Keys<'a> {
        Keys::new(Table::Check, name, (kind.as_str(), kind.keys()), span, rest)
    }

    /// The keys of `table` `name`, whose kind is named and lists its keys.
    pub fn new(
        table: Table,
        name: &'a str,
        (kind, listed): (&'static str, &'static [&'static str]),
        span: Range<usize>,
        rest: Vec<(Spanned<String>, Spanned<toml::Value>)>,
    ) -> Keys<'a> {
        Keys {
            table,
            name,
            kind,
            listed,
            span,
            rest,
        }
    }

    /// Takes `key` out, read as a `T`; `None` when the table does not hold it.
    pub fn take<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<Spanned<T>>, KeyError> {
        debug_assert!(
            self.listed.contains(&key),
            "{key} is not a key of {}",
            self.kind
        );
        let Some(i) = self.rest.iter().position(|(k, _)| k.get_ref() == key) else {
            return Ok(None);
        };
        let (_, value) = self.rest.remove(i);
        let span = value.span();
        match T::deserialize(value.into_inner()) {
            Ok(v) => Ok(Some(Spanned::new(span, v))),
            Err(e) => Err(self.fail(span, one_line(e.message()))),
        }
    }

    /// Takes `key` out; its absence is the error.
    pub fn required<T: DeserializeOwned>(&mut self, key: &str) -> Result<Spanned<T>, KeyError> {
        self.take(key)?.ok_or_else(|| self.missing(key))
    }

    /// Whether the table holds `key` (not taken yet).
    pub fn holds(&self, key: &str) -> bool {
        self.rest.iter().any(|(k, _)| k.get_ref() == key)
    }

    pub fn fail(&self, span: Range<usize>, message: impl Into<String>) -> KeyError {
        KeyError {
            span,
            message: message.into(),
        }
    }

    pub fn missing(&self, key: &str) -> KeyError {
        let (name, kind) = (self.name, self.kind);
        let message = match self.table {
            Table::Check => t!("cfg-kind-needs", check = name, kind = kind, key = key),
            Table::Notify => t!("cfg-notify-needs", name = name, kind = kind, key = key),
        };
        self.fail(self.span.clone(), message)
    }

    /// The first key its kind does not list, with its value; before the
    /// kind has read its keys, the first key at all after (one the kind
    /// lists and did not read would be its bug, refused all the same).
    pub fn stray(&self, read: bool) -> Option<&(Spanned<String>, Spanned<toml::Value>)> {
        self.rest
            .iter()
            .find(|(k, _)| read || !self.listed.contains(&k.get_ref().as_str()))
    }

    /// Why `key` is not for this table: which other kinds (`kinds`: each
    /// one's name and keys) take it; `None` when none does.
    pub fn not_for(
        &self,
        key: &str,
        kinds: impl IntoIterator<Item = (&'static str, &'static [&'static str])>,
    ) -> Option<String> {
        let fit: Vec<&str> = kinds
            .into_iter()
            .filter(|(_, keys)| keys.contains(&key))
            .map(|(name, _)| name)
            .collect();
        if fit.is_empty() {
            return None;
        }
        let (kind, kinds) = (self.kind, fit.join(", "));
        Some(match self.table {
            Table::Check => t!(
                "cfg-key-not-for-kind",
                key = key,
                kind = kind,
                kinds = kinds
            ),
            Table::Notify => t!(
                "cfg-key-not-for-sink",
                key = key,
                kind = kind,
                kinds = kinds
            ),
        })
    }
}

/// A value reader's message on one line.
fn one_line(m: &str) -> String {
    m.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value that checks itself while it is read, so that a bad one is
/// reported at its own line and column: `checked_string!(Name, Inner, parse)`.
macro_rules! checked_string {
    ($name:ident, $inner:ty, $parse:expr) => {
        #[derive(Debug, Clone)]
        pub struct $name(pub $inner);
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                let parse: fn(&str) -> Result<$inner, String> = $parse;
                parse(&text).map($name).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use checked_string;

checked_string!(UrlValue, reqwest::Url, |t| {
    let url = reqwest::Url::parse(t).map_err(|e| t!("cfg-url", url = t, why = e.to_string()))?;
    match url.scheme() {
        "http" | "https" | "ws" | "wss" if url.host_str().is_some() => Ok(url),
        "http" | "https" | "ws" | "wss" => Err(t!("cfg-url-no-host", url = t)),
        other => Err(t!("cfg-url-scheme", url = t, scheme = other)),
    }
});

/// A regular expression; `Err` is the regex crate's reason, without its
/// drawing of the pattern (the caller names the key).
pub fn regex(t: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(t).map_err(|e| {
        let e = e.to_string();
        e.lines().last().unwrap_or("").trim().to_string()
    })
}

checked_string!(FailIfRegex, regex::Regex, |t| regex(t)
    .map_err(|why| t!("cfg-fail-if", why = why)));
checked_string!(BlockedIfRegex, regex::Regex, |t| regex(t)
    .map_err(|why| t!("cfg-blocked-if", why = why)));
checked_string!(DomainValue, String, |t| {
    let t = t.trim_end_matches('.');
    let ok = !t.is_empty()
        && t.len() <= 253
        && t.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if ok {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(t!("cfg-domain", domain = t))
    }
});

/// `host:port`, as a `tcp` check's `address` and a sink's `smtp` take it.
#[derive(Debug, Clone)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl<'de> Deserialize<'de> for HostPort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        parse_host_port(&t).map_err(serde::de::Error::custom)
    }
}

pub fn parse_host_port(t: &str) -> Result<HostPort, String> {
    let bad = || t!("cfg-address", address = t);
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return Ok(HostPort {
            host: sa.ip().to_string(),
            port: sa.port(),
        });
    }
    let (host, port) = t.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || host.contains(':') || host.contains('[') {
        return Err(bad());
    }
    Ok(HostPort {
        host: host.to_string(),
        port,
    })
}

/// A value that must never be shown: in `Debug` it is `***`. Header values
/// are secrets, whether written in the file or taken from the environment.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// A value as written in the configuration: itself, or with `env:NAME`
    /// the environment variable's value. `Err` names the variable (which is
    /// unset or empty), never a value.
    pub fn from_config(text: &str) -> Result<Secret, String> {
        match text.strip_prefix("env:") {
            Some(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Secret(v)),
                _ => Err(var.to_string()),
            },
            None => Ok(Secret(text.to_string())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Takes `fail_if` and `blocked_if` (the kinds that read pages).
pub fn page_rules(keys: &mut Keys) -> Result<PageRules, KeyError> {
    Ok(PageRules {
        fail_if: keys
            .take::<FailIfRegex>("fail_if")?
            .map(|r| r.into_inner().0),
        blocked_if: keys
            .take::<BlockedIfRegex>("blocked_if")?
            .map(|r| r.into_inner().0),
    })
}

/// Takes the check's `url`, which must have one of `schemes` (the kinds that take a URL).
pub fn web_url(keys: &mut Keys, schemes: &[&str]) -> Result<reqwest::Url, KeyError> {
    let url = keys.required::<UrlValue>("url")?;
    let span = url.span();
    let url = url.into_inner().0;
    if !schemes.contains(&url.scheme()) {
        return Err(keys.fail(
            span,
            t!(
                "cfg-url-scheme-for-kind",
                kind = keys.kind,
                scheme = schemes.join(&format!(" {} ", t!("word-or"))),
                url = url.scheme()
            ),
        ));
    }
    Ok(url)
}

/// The host of a web URL, lower-cased.
pub fn web_host(url: &reqwest::Url) -> String {
    url.host_str().unwrap_or("").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(parse_host_port("[::1]:443").unwrap().host, "::1");
        assert_eq!(parse_host_port("www.okx.com:443").unwrap().port, 443);
        for bad in ["okx.com", "okx.com:99999", ":443", "::1:443"] {
            assert!(parse_host_port(bad).is_err(), "{bad}");
        }
    }
}
