//! The shape of the configuration files as serde reads them. Values check
//! themselves while they are read, so that a bad one is reported at its own
//! line and column; what depends on several keys is checked in `load.rs` and
//! in each kind's builder.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{Kind, Method, NotifyEvent};
use crate::channel::Channel;
use crate::duration;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub settings: Option<Spanned<RawSettings>>,
    pub defaults: Option<RawDefaults>,
    #[serde(default)]
    pub check: Vec<Spanned<RawCheck>>,
    #[serde(default)]
    pub notify: Vec<Spanned<RawNotify>>,
}

/// One `[[notify]]` (built in `notify.rs`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    pub name: Spanned<String>,
    pub kind: Spanned<String>,
    pub url: Option<Spanned<UrlValue>>,
    pub token: Option<Spanned<String>>,
    pub chat_id: Option<Spanned<String>>,
    pub smtp: Option<Spanned<String>>,
    pub from: Option<String>,
    pub to: Option<Vec<String>>,
    pub username: Option<String>,
    pub password: Option<Spanned<String>>,
    pub tls: Option<Spanned<String>>,
    pub channels: Option<Vec<ChannelValue>>,
    pub events: Option<Vec<NotifyEvent>>,
    pub after: Option<Spanned<u32>>,
    pub recover_after: Option<Spanned<u32>>,
    pub remind: Option<DurationValue>,
    /// The language of this sink's messages (default: okx-monitor's).
    pub lang: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub timezone: Option<TimeZoneValue>,
    pub db: Option<PathBuf>,
    pub listen: Option<ListenValue>,
    pub retention: Option<DurationValue>,
    pub vantage: Option<VantageValue>,
    pub resolver: Option<ResolverValue>,
    pub reference_resolvers: Option<Vec<ResolverValue>>,
    pub min_samples: Option<MinSamples>,
    pub browser: Option<PathBuf>,
    pub browser_concurrency: Option<Concurrency>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    pub schedule: Option<ScheduleValue>,
    pub timeout: Option<Spanned<DurationValue>>,
    pub slow: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub name: Spanned<CheckName>,
    pub channel: ChannelValue,
    pub kind: Spanned<KindValue>,
    pub schedule: Option<ScheduleValue>,
    pub timeout: Option<Spanned<DurationValue>>,
    pub slow: Option<Spanned<DurationValue>>,
    pub resolver: Option<ResolverValue>,
    /// A control check's channels (default: every channel).
    pub covers: Option<Spanned<Vec<ChannelValue>>>,
    // http, okx_status
    pub url: Option<Spanned<UrlValue>>,
    pub tls_ca_file: Option<Spanned<PathBuf>>,
    // http
    pub method: Option<Spanned<Method>>,
    pub expect_status: Option<Spanned<Vec<u16>>>,
    pub body_contains: Option<Spanned<String>>,
    pub body_regex: Option<Spanned<RegexValue>>,
    pub json: Option<Spanned<BTreeMap<String, toml::Value>>>,
    pub extract: Option<Spanned<BTreeMap<String, String>>>,
    pub headers: Option<Spanned<BTreeMap<String, String>>>,
    // http, browser
    pub fail_if: Option<Spanned<FailIfRegex>>,
    pub blocked_if: Option<Spanned<BlockedIfRegex>>,
    // mx
    pub domain: Option<Spanned<DomainValue>>,
    pub min_records: Option<Spanned<u32>>,
    pub smtp: Option<Spanned<bool>>,
    pub smtp_port: Option<Spanned<u16>>,
    // tcp
    pub address: Option<Spanned<HostPort>>,
    // websocket
    pub send: Option<Spanned<String>>,
    pub expect: Option<Spanned<ExpectRegex>>,
    // browser
    pub wait_for: Option<Spanned<String>>,
    pub click: Option<Spanned<bool>>,
    pub expect_websocket: Option<Spanned<WebSocketRegex>>,
    pub expect_frame: Option<Spanned<FrameRegex>>,
}

/// Lists the kind-specific keys of [`RawCheck`] once: the names a kind's
/// `KEYS` may hold, and which of them a table holds, with their places.
macro_rules! kind_keys {
    ($($field:ident),+ $(,)?) => {
        impl RawCheck {
            #[cfg(test)]
            pub const KIND_KEYS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// Every kind-specific key present, with its place.
            pub fn kind_keys_present(&self) -> Vec<(&'static str, Range<usize>)> {
                let mut out = Vec::new();
                $(
                    if let Some(v) = &self.$field {
                        out.push((stringify!($field), v.span()));
                    }
                )+
                out
            }
        }
    };
}

kind_keys!(
    url,
    tls_ca_file,
    method,
    expect_status,
    body_contains,
    body_regex,
    json,
    extract,
    headers,
    fail_if,
    blocked_if,
    domain,
    min_records,
    smtp,
    smtp_port,
    address,
    send,
    expect,
    wait_for,
    click,
    expect_websocket,
    expect_frame,
);

/// Values that check themselves while they are read, so that a bad one is
/// reported at its own line and column by the TOML reader.
macro_rules! checked_string {
    ($name:ident, $inner:ty, $parse:expr) => {
        #[derive(Debug, Clone)]
        pub(super) struct $name(pub $inner);
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                let parse: fn(&str) -> Result<$inner, String> = $parse;
                parse(&text).map($name).map_err(serde::de::Error::custom)
            }
        }
    };
}

checked_string!(DurationValue, Duration, |t| duration::parse(t)
    .map_err(|e| t!("cfg-duration", why = e)));
checked_string!(ScheduleValue, (String, cron::Schedule), |t| {
    let fields = t.split_whitespace().count();
    if !(6..=7).contains(&fields) {
        return Err(t!("cfg-schedule-fields", schedule = t, fields = fields));
    }
    cron::Schedule::from_str(t)
        .map(|s| (t.to_string(), s))
        .map_err(|e| {
            // The cron crate repeats the expression and draws a caret; keep its reason.
            let e = e.to_string();
            let reason = e
                .rsplit('^')
                .next()
                .unwrap_or(&e)
                .trim()
                .trim_end_matches('.');
            t!("cfg-schedule", schedule = t, why = reason)
        })
});
checked_string!(ChannelValue, Channel, |t| t.parse::<Channel>().map_err(
    |_| {
        let all: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        t!("unknown-channel-use", name = t, all = all.join(", "))
    }
));
checked_string!(KindValue, Kind, Kind::from_str);
checked_string!(ResolverValue, SocketAddr, |t| t
    .parse::<SocketAddr>()
    .map_err(|_| t!("cfg-resolver", resolver = t)));
checked_string!(ListenValue, SocketAddr, |t| t
    .parse::<SocketAddr>()
    .map_err(|_| t!("cfg-listen", listen = t)));
checked_string!(CheckName, String, |t| {
    let mut chars = t.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(t.to_string())
    } else {
        Err(t!("cfg-check-name", name = t))
    }
});
checked_string!(VantageValue, String, super::vantage);
checked_string!(UrlValue, reqwest::Url, |t| {
    let url = reqwest::Url::parse(t).map_err(|e| t!("cfg-url", url = t, why = e.to_string()))?;
    match url.scheme() {
        "http" | "https" | "ws" | "wss" if url.host_str().is_some() => Ok(url),
        "http" | "https" | "ws" | "wss" => Err(t!("cfg-url-no-host", url = t)),
        other => Err(t!("cfg-url-scheme", url = t, scheme = other)),
    }
});
checked_string!(RegexValue, regex::Regex, |t| regex::Regex::new(t)
    .map_err(|e| t!("cfg-body-regex", why = regex_reason(&e))));
checked_string!(ExpectRegex, regex::Regex, |t| regex::Regex::new(t)
    .map_err(|e| t!("cfg-expect", why = regex_reason(&e))));
checked_string!(WebSocketRegex, regex::Regex, |t| regex::Regex::new(t)
    .map_err(|e| t!("cfg-expect-websocket", why = regex_reason(&e))));
checked_string!(FrameRegex, regex::Regex, |t| regex::Regex::new(t)
    .map_err(|e| t!("cfg-expect-frame", why = regex_reason(&e))));
checked_string!(FailIfRegex, regex::Regex, |t| regex::Regex::new(t)
    .map_err(|e| t!("cfg-fail-if", why = regex_reason(&e))));
checked_string!(BlockedIfRegex, regex::Regex, |t| regex::Regex::new(t)
    .map_err(|e| t!("cfg-blocked-if", why = regex_reason(&e))));

/// The regex crate's reason, without its drawing of the pattern.
fn regex_reason(e: &regex::Error) -> String {
    e.to_string()
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string()
}
checked_string!(TimeZoneValue, chrono_tz::Tz, |t| t
    .parse::<chrono_tz::Tz>()
    .map_err(|_| t!("unknown-tz", zone = t)));
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

#[derive(Debug, Clone)]
pub(super) struct HostPort {
    pub host: String,
    pub port: u16,
}

impl<'de> Deserialize<'de> for HostPort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        parse_host_port(&t).map_err(serde::de::Error::custom)
    }
}

pub(super) fn parse_host_port(t: &str) -> Result<HostPort, String> {
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

#[derive(Debug, Clone, Copy)]
pub(super) struct MinSamples(pub u32);

impl<'de> Deserialize<'de> for MinSamples {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u32::deserialize(d)? {
            0 => Err(serde::de::Error::custom(t!("cfg-min-samples"))),
            n => Ok(MinSamples(n)),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Concurrency(pub u32);

impl<'de> Deserialize<'de> for Concurrency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u32::deserialize(d)? {
            n @ 1..=64 => Ok(Concurrency(n)),
            n => Err(serde::de::Error::custom(t!(
                "cfg-browser-concurrency",
                n = n.to_string()
            ))),
        }
    }
}
