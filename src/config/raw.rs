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

use std::marker::PhantomData;
use std::sync::LazyLock;

use super::NotifyEvent;
use crate::channel::Channel;
use crate::duration;
use crate::kinds::Kind;
use crate::kinds::keys::checked_string;
use crate::sinks::SinkKind;

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

/// `common`, then each of `lists`' keys once.
fn with_each<'k>(
    common: &[&'static str],
    lists: impl Iterator<Item = &'k [&'static str]>,
) -> &'static [&'static str] {
    let mut all: Vec<&'static str> = common.to_vec();
    for key in lists.flatten() {
        if !all.contains(key) {
            all.push(key);
        }
    }
    Vec::leak(all)
}

/// The keys a table may hold.
trait KeySet {
    fn all() -> &'static [&'static str];
}

/// A key of a table whose keys are `S`'s: one not among them is refused as
/// it is read, so that the reader places the fault at the key.
struct Known<S>(String, PhantomData<S>);

impl<'de, S: KeySet> Deserialize<'de> for Known<S> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        if S::all().contains(&key.as_str()) {
            Ok(Known(key, PhantomData))
        } else {
            Err(serde::de::Error::unknown_field(&key, S::all()))
        }
    }
}

/// A table of common keys read into fields, and the rest kept with their
/// places for what the table's `kind` names (a check's kind, a sink).
macro_rules! with_rest {
    (
        $(#[$doc:meta])* $name:ident, $keys:ty,
        required { $($req:ident: $rt:ty),* $(,)? },
        optional { $($(#[$odoc:meta])* $opt:ident: $ot:ty),* $(,)? } $(,)?
    ) => {
        $(#[$doc])*
        pub(super) struct $name {
            $(pub $req: $rt,)*
            $($(#[$odoc])* pub $opt: Option<$ot>,)*
            /// Every other key, in the order written.
            pub rest: Vec<(Spanned<String>, Spanned<toml::Value>)>,
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Table;
                impl<'de> serde::de::Visitor<'de> for Table {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a table")
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        use serde::de::Error;
                        $(let mut $req: Option<$rt> = None;)*
                        $(let mut $opt: Option<$ot> = None;)*
                        let mut rest = Vec::new();
                        while let Some(key) = map.next_key::<Spanned<Known<$keys>>>()? {
                            let key = Spanned::new(key.span(), key.into_inner().0);
                            match key.get_ref().as_str() {
                                $(stringify!($req) => $req = Some(map.next_value()?),)*
                                $(stringify!($opt) => $opt = Some(map.next_value()?),)*
                                _ => rest.push((key, map.next_value()?)),
                            }
                        }
                        Ok($name {
                            $($req: $req
                                .ok_or_else(|| A::Error::missing_field(stringify!($req)))?,)*
                            $($opt,)*
                            rest,
                        })
                    }
                }
                d.deserialize_map(Table)
            }
        }
    };
}

with_rest! {
    /// One `[[notify]]` (built in `notify.rs`): the keys every sink takes, and
    /// the rest, for its sink ([`crate::sinks`]).
    RawNotify, NotifyKeys, required {
        name: Spanned<String>,
        kind: Spanned<String>,
    }, optional {
        channels: Vec<ChannelValue>,
        events: Vec<NotifyEvent>,
        after: Spanned<u32>,
        recover_after: Spanned<u32>,
        remind: DurationValue,
        /// The language of this sink's messages (default: okx-monitor's).
        lang: Spanned<String>,
    }
}

/// The keys every `[[notify]]` takes; the rest are its sink's.
pub(super) const NOTIFY_COMMON: &[&str] = &[
    "name",
    "kind",
    "channels",
    "events",
    "after",
    "recover_after",
    "remind",
    "lang",
];

/// Every key a `[[notify]]` may hold: the common ones, then every sink's.
struct NotifyKeys;

impl KeySet for NotifyKeys {
    fn all() -> &'static [&'static str] {
        static ALL: LazyLock<&'static [&'static str]> =
            LazyLock::new(|| with_each(NOTIFY_COMMON, SinkKind::ALL.iter().map(|k| k.keys())));
        &ALL
    }
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

with_rest! {
    /// One `[[check]]`: the common keys, read here, and the rest, with their
    /// places, for the check's kind to read ([`crate::kinds::Keys`]).
    RawCheck, CheckKeys, required {
        name: Spanned<CheckName>,
        channel: ChannelValue,
        kind: Spanned<KindValue>,
    }, optional {
        schedule: ScheduleValue,
        timeout: Spanned<DurationValue>,
        slow: Spanned<DurationValue>,
        resolver: ResolverValue,
        /// A control check's channels (default: every channel).
        covers: Spanned<Vec<ChannelValue>>,
    }
}

/// The keys every check takes; the rest are its kind's.
pub(super) const COMMON_KEYS: &[&str] = &[
    "name", "channel", "kind", "schedule", "timeout", "slow", "resolver", "covers",
];

/// Every key a `[[check]]` may hold: the common ones, then every kind's.
struct CheckKeys;

impl KeySet for CheckKeys {
    fn all() -> &'static [&'static str] {
        static ALL: LazyLock<&'static [&'static str]> =
            LazyLock::new(|| with_each(COMMON_KEYS, Kind::ALL.iter().map(|k| k.keys())));
        &ALL
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
