//! The shape of the configuration files as serde reads them. Values check
//! themselves while they are read, so that a bad one is reported at its own
//! line and column; what depends on several keys is checked in `load.rs` and
//! in each kind's builder.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::NotifyEvent;
use crate::channel::Channel;
use crate::duration;
use crate::kinds::Kind;
use crate::kinds::keys::{UrlValue, checked_string};

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

/// One `[[check]]`: the common keys, read here, and the rest, with their
/// places, for the check's kind to read ([`crate::kinds::Keys`]).
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
    /// Every other key, in the order written: the kind's.
    pub rest: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

/// The keys every check takes; the rest are its kind's.
pub(super) const COMMON_KEYS: &[&str] = &[
    "name", "channel", "kind", "schedule", "timeout", "slow", "resolver", "covers",
];

/// Every key a `[[check]]` may hold: the common ones, then every kind's.
static CHECK_KEYS: std::sync::LazyLock<&'static [&'static str]> = std::sync::LazyLock::new(|| {
    let mut all: Vec<&'static str> = COMMON_KEYS.to_vec();
    for key in Kind::ALL.iter().flat_map(|k| k.keys()) {
        if !all.contains(key) {
            all.push(key);
        }
    }
    Vec::leak(all)
});

/// A key of a `[[check]]`: one no kind takes is refused as it is read, so
/// that the reader places the fault at the key.
struct CheckKey(String);

impl<'de> Deserialize<'de> for CheckKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        if CHECK_KEYS.contains(&key.as_str()) {
            Ok(CheckKey(key))
        } else {
            Err(serde::de::Error::unknown_field(&key, &CHECK_KEYS))
        }
    }
}

impl<'de> Deserialize<'de> for RawCheck {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Table;
        impl<'de> serde::de::Visitor<'de> for Table {
            type Value = RawCheck;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a [[check]] table")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawCheck, A::Error> {
                use serde::de::Error;
                let (mut name, mut channel, mut kind, mut schedule) = (None, None, None, None);
                let (mut timeout, mut slow, mut resolver, mut covers) = (None, None, None, None);
                let mut rest = Vec::new();
                while let Some(key) = map.next_key::<Spanned<CheckKey>>()? {
                    let key = Spanned::new(key.span(), key.into_inner().0);
                    match key.get_ref().as_str() {
                        "name" => name = Some(map.next_value()?),
                        "channel" => channel = Some(map.next_value()?),
                        "kind" => kind = Some(map.next_value()?),
                        "schedule" => schedule = Some(map.next_value()?),
                        "timeout" => timeout = Some(map.next_value()?),
                        "slow" => slow = Some(map.next_value()?),
                        "resolver" => resolver = Some(map.next_value()?),
                        "covers" => covers = Some(map.next_value()?),
                        _ => rest.push((key, map.next_value()?)),
                    }
                }
                Ok(RawCheck {
                    name: name.ok_or_else(|| A::Error::missing_field("name"))?,
                    channel: channel.ok_or_else(|| A::Error::missing_field("channel"))?,
                    kind: kind.ok_or_else(|| A::Error::missing_field("kind"))?,
                    schedule,
                    timeout,
                    slow,
                    resolver,
                    covers,
                    rest,
                })
            }
        }
        d.deserialize_map(Table)
    }
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

checked_string!(TimeZoneValue, chrono_tz::Tz, |t| t
    .parse::<chrono_tz::Tz>()
    .map_err(|_| t!("unknown-tz", zone = t)));
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
