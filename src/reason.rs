//! Why a probe ended as it did, as data: a code and its parameters
//! (`connect_refused {addr}`, `slow {took_ms, limit_ms}`), made where the
//! probe decides and given words only where a person reads them, in that
//! person's language (message `reason-<code>` of the catalogues).
//!
//! The stored form, in a sample's detail, an export line and every JSON
//! answer, is one object: `{"code": "slow", "took_ms": 1250, "limit_ms":
//! 1000}`. A parameter whose name ends in `_ms` is a duration in
//! milliseconds (said in words: "1.25 s", "30 秒"); another number is a
//! count, a status or a port; an object is a reason within the reason (the
//! one a control rule wraps). Older data, where the reason was English
//! text, reads back as the code `text` with that text.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

use crate::i18n::{Arg, Lang};

/// A reason: a code and its parameters, kept in the order of their names
/// (as JSON objects read back give them), so that equal reasons compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    code: Cow<'static, str>,
    params: Vec<(Cow<'static, str>, Param)>,
}

/// One parameter of a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// Shown as it is: a name, an address, a peer's words.
    Text(String),
    /// A count, an HTTP status, a port.
    Count(i64),
    /// A duration (its name ends in `_ms`).
    Span(Duration),
    /// The reason a wrapping reason gives its own words to.
    Why(Box<Reason>),
}

/// A reason from its code and named parameters:
/// `reason!("connect_refused", addr = format!("{ip}:{port}"))`. Every code
/// made this way has its words in both catalogues (a test reads the
/// sources for them).
#[macro_export]
macro_rules! reason {
    ($code:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::reason::Reason::new(
            $code,
            vec![$((stringify!($name), $crate::reason::Param::from($value))),*],
        )
    };
}

impl Reason {
    pub fn new(code: &'static str, params: Vec<(&'static str, Param)>) -> Reason {
        let mut params: Vec<(Cow<'static, str>, Param)> = params
            .into_iter()
            .map(|(n, p)| (Cow::Borrowed(n), p))
            .collect();
        params.sort_by(|a, b| a.0.cmp(&b.0));
        Reason {
            code: Cow::Borrowed(code),
            params,
        }
    }

    /// A reason kept as English text by an older version.
    pub fn text(text: impl Into<String>) -> Reason {
        Reason::new("text", vec![("text", Param::Text(text.into()))])
    }

    /// The stable code (`connect_refused`): machine words, never translated.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The reason in `lang`'s words.
    pub fn words(&self, lang: Lang) -> String {
        let args: Vec<(&str, Arg)> = self
            .params
            .iter()
            .map(|(name, p)| {
                let arg = match p {
                    Param::Text(s) => Arg::Text(s.clone()),
                    Param::Count(n) => Arg::Text(n.to_string()),
                    Param::Span(d) => Arg::Text(crate::duration::Span(*d).words(lang)),
                    Param::Why(r) => Arg::Text(r.words(lang)),
                };
                (name.as_ref(), arg)
            })
            .collect();
        let id = format!("reason-{}", self.code);
        let said = lang.tr(&id, &args);
        if said == id {
            // A code this version has no words for (written by a newer
            // one): its code and parameters, rather than nothing.
            return self.to_json().to_string();
        }
        said
    }

    /// The reason in the process's language (as [`t!`](crate::t) speaks).
    pub fn said(&self) -> String {
        self.words(crate::i18n::current())
    }

    /// The stored form (see the module's comment).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// A reason as stored, or as an older version stored it (text).
    pub fn from_json(v: &Value) -> Option<Reason> {
        match v {
            Value::String(s) => Some(Reason::text(s.clone())),
            Value::Object(map) => {
                let code = map.get("code")?.as_str()?.to_string();
                let params = map
                    .iter()
                    .filter(|(name, _)| *name != "code")
                    .filter_map(|(name, v)| {
                        let p = match v {
                            Value::String(s) => Param::Text(s.clone()),
                            Value::Number(n) if name.ends_with("_ms") => {
                                Param::Span(Duration::from_millis(n.as_u64()?))
                            }
                            Value::Number(n) => Param::Count(n.as_i64()?),
                            other => Param::Why(Box::new(Reason::from_json(other)?)),
                        };
                        Some((Cow::Owned(name.clone()), p))
                    })
                    .collect();
                Some(Reason {
                    code: Cow::Owned(code),
                    params,
                })
            }
            _ => None,
        }
    }
}

/// English words, for logs and tests.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(Lang::En))
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.params.len() + 1))?;
        map.serialize_entry("code", &self.code)?;
        for (name, p) in &self.params {
            match p {
                Param::Text(t) => map.serialize_entry(name, t)?,
                Param::Count(n) => map.serialize_entry(name, n)?,
                Param::Span(d) => {
                    map.serialize_entry(name, &u64::try_from(d.as_millis()).unwrap_or(u64::MAX))?
                }
                Param::Why(r) => map.serialize_entry(name, r)?,
            }
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        let v = Value::deserialize(d)?;
        Reason::from_json(&v).ok_or_else(|| serde::de::Error::custom("not a reason"))
    }
}

/// A reason in JSON beside its words: `"reason"` in the answer's language,
/// `"reason_code"` the stored form. Flattened into the rows that carry one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Said {
    pub reason: String,
    pub reason_code: Reason,
}

impl Said {
    pub fn new(reason: &Reason, lang: Lang) -> Said {
        Said {
            reason: reason.words(lang),
            reason_code: reason.clone(),
        }
    }
}

impl From<String> for Param {
    fn from(s: String) -> Param {
        Param::Text(s)
    }
}

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        Param::Text(s.to_string())
    }
}

impl From<&String> for Param {
    fn from(s: &String) -> Param {
        Param::Text(s.clone())
    }
}

impl From<Duration> for Param {
    fn from(d: Duration) -> Param {
        Param::Span(d)
    }
}

impl From<Reason> for Param {
    fn from(r: Reason) -> Param {
        Param::Why(Box::new(r))
    }
}

macro_rules! count_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Param {
            fn from(n: $t) -> Param {
                Param::Count(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
count_from!(u16, u32, u64, usize, i32, i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_stored_as_its_code_and_parameters_and_reads_back() {
        let inner = crate::reason!("connect_refused", addr = "127.0.0.1:25");
        let r = crate::reason!("port_closed", port = 25u16, why = inner);
        let json = r.to_json();
        assert_eq!(
            json.to_string(),
            r#"{"code":"port_closed","port":25,"why":{"addr":"127.0.0.1:25","code":"connect_refused"}}"#
        );
        assert_eq!(Reason::from_json(&json), Some(r));
        let slow = crate::reason!(
            "slow",
            took_ms = Duration::from_millis(1250),
            limit_ms = Duration::from_secs(1)
        );
        assert_eq!(Reason::from_json(&slow.to_json()), Some(slow));
    }

    #[test]
    fn older_text_reads_as_the_text_itself() {
        let old = Reason::from_json(&Value::String("connection refused".into())).unwrap();
        assert_eq!(old.code(), "text");
        assert_eq!(old.words(Lang::ZhCn), "connection refused");
        assert_eq!(old.to_string(), "connection refused");
    }

    #[test]
    fn words_come_from_the_readers_catalogue() {
        let r = crate::reason!(
            "slow",
            took_ms = Duration::from_millis(1250),
            limit_ms = Duration::from_secs(1)
        );
        assert_eq!(r.words(Lang::En), "slow: 1250ms, over 1s");
        assert_eq!(r.words(Lang::ZhCn), "缓慢：用时 1250 毫秒，超过 1 秒");
    }

    #[test]
    fn a_code_without_words_shows_its_stored_form() {
        let r = Reason::from_json(&serde_json::json!({"code": "from_a_newer_version", "n": 2}))
            .unwrap();
        assert_eq!(
            r.words(Lang::En),
            r#"{"code":"from_a_newer_version","n":2}"#
        );
    }
}
