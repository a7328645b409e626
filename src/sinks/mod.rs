//! Where a notice goes: one file per sink (`ntfy.rs`, `telegram.rs`,
//! `webhook.rs`, `email.rs`), each owning its keys in a `[[notify]]` table,
//! how it is built from them, and how it delivers. This file is the
//! registry: `sinks!` names each sink once, and from that one list come
//! [`SinkKind`], [`SinkSpec`] and the dispatch to a sink's builder and its
//! send. [`Notice`] and [`Event`], what every sink delivers, are here too.
//! Sinks know no rule and hold no state.

mod email;
mod ntfy;
mod telegram;
mod webhook;

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::kinds::keys::{KeyError, Keys};

/// One attempt to deliver.
pub const ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Down,
    Recovered,
    Throttled,
    Blocked,
    Maintenance,
    BestWindow,
    /// OKX itself declares a disruption (an ongoing maintType "3" event).
    OkxIncident,
}

impl Event {
    /// The events a `[[notify]]` may choose (`events`), all by default.
    pub const ALL: [Event; 7] = [
        Event::Down,
        Event::Recovered,
        Event::Throttled,
        Event::Blocked,
        Event::Maintenance,
        Event::BestWindow,
        Event::OkxIncident,
    ];

    /// Its code: the webhook's `event`, the metrics' label.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Down => "down",
            Event::Recovered => "recovered",
            Event::Throttled => "throttled",
            Event::Blocked => "blocked",
            Event::Maintenance => "maintenance",
            Event::BestWindow => "best_window",
            Event::OkxIncident => "okx_incident",
        }
    }
}

/// What a notice is about: an event a `[[notify]]` chose, or one every
/// sink is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Event(Event),
    /// This machine's network was down (told once it is back).
    LocalNetwork,
    /// `notify --test`.
    Test,
}

impl About {
    /// Its code: the webhook's `event`, the metrics' label.
    pub fn as_str(self) -> &'static str {
        match self {
            About::Event(e) => e.as_str(),
            About::LocalNetwork => "local_network",
            About::Test => "test",
        }
    }
}

impl Serialize for About {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One notice, in words and as data (the webhook's JSON body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub event: About,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    pub vantage: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    pub checks: Vec<CheckLine>,
    /// The title a lock screen shows.
    #[serde(skip)]
    pub title: String,
    pub text: String,
}

/// A check of the channel and what it last saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckLine {
    pub check: String,
    pub outcome: crate::outcome::Outcome,
    /// Why, in the sink's language beside its code.
    #[serde(flatten)]
    pub reason: crate::reason::Said,
}

/// What a delivery attempt comes to; `Err` is why (a reason: said in the
/// reader's words) and never holds a secret.
pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<(), crate::reason::Reason>> + Send + 'a>>;

pub trait Sink: Send + Sync {
    /// One attempt to deliver `notice` (the caller bounds it in time).
    fn send<'a>(&'a self, client: &'a reqwest::Client, notice: &'a Notice) -> Sent<'a>;
}

/// Why a sink's request got no answer: refused, unreachable or too slow by
/// their own codes, anything else in the client's words (without the URL: a
/// Telegram URL holds the token).
fn request_failed(e: reqwest::Error) -> crate::reason::Reason {
    use std::error::Error as _;
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => crate::reason!("sink_refused"),
                std::io::ErrorKind::TimedOut => crate::reason!("sink_unreachable"),
                // A connection that failed otherwise; `Other` is a name
                // that did not resolve, whose words say which.
                k if e.is_connect() && k != std::io::ErrorKind::Other => {
                    crate::reason!("sink_unreachable")
                }
                _ => crate::reason!("sink_failed", error = io.to_string()),
            };
        }
        source = s.source();
    }
    if e.is_timeout() {
        crate::reason!("sink_unreachable")
    } else {
        crate::reason!("sink_failed", error = e.without_url().to_string())
    }
}

/// A sink that is one HTTP request.
trait Http: Send + Sync {
    fn request(&self, client: &reqwest::Client, notice: &Notice) -> reqwest::RequestBuilder;
}

impl<T: Http> Sink for T {
    fn send<'a>(&'a self, client: &'a reqwest::Client, notice: &'a Notice) -> Sent<'a> {
        Box::pin(async move {
            match self.request(client, notice).send().await {
                // Errors without the URL: a Telegram URL holds the token.
                Err(e) => Err(request_failed(e)),
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(crate::reason!(
                    "sink_http_status",
                    status = r.status().as_u16()
                )),
            }
        })
    }
}

/// A JSON body.
fn json(request: reqwest::RequestBuilder, body: &impl Serialize) -> reqwest::RequestBuilder {
    request
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        // Serializing plain data into memory cannot fail.
        .body(serde_json::to_vec(body).unwrap_or_default())
}

/// How a sink is read from a `[[notify]]` table.
trait Build: Sized {
    /// The keys of a `[[notify]]` this sink takes besides the common ones.
    const KEYS: &'static [&'static str];
    /// Takes this sink's keys out of `keys` and checks them.
    fn build(keys: &mut Keys) -> Result<Self, KeyError>;
}

/// Declares every sink: `Variant(Type) = "name"`; the type is its
/// configuration and its [`Sink`].
macro_rules! sinks {
    ($($variant:ident($spec:ty) = $name:literal),+ $(,)?) => {
        /// The kind of a `[[notify]]`, as written in `kind = "…"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum SinkKind {
            $($variant),+
        }

        impl SinkKind {
            pub const ALL: &'static [SinkKind] = &[$(SinkKind::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(SinkKind::$variant => $name),+
                }
            }

            /// The keys this sink takes besides the common ones.
            pub fn keys(self) -> &'static [&'static str] {
                match self {
                    $(SinkKind::$variant => <$spec as Build>::KEYS),+
                }
            }
        }

        /// Where a `[[notify]]` delivers; one variant per sink.
        #[derive(Debug, Clone)]
        pub enum SinkSpec {
            $($variant($spec)),+
        }

        impl SinkSpec {
            pub fn kind(&self) -> SinkKind {
                match self {
                    $(SinkSpec::$variant(_) => SinkKind::$variant),+
                }
            }

            /// Builds the sink of `kind` from its keys.
            pub fn build(kind: SinkKind, keys: &mut Keys) -> Result<SinkSpec, KeyError> {
                match kind {
                    $(SinkKind::$variant => <$spec as Build>::build(keys).map(SinkSpec::$variant)),+
                }
            }
        }

        impl Sink for SinkSpec {
            fn send<'a>(&'a self, client: &'a reqwest::Client, notice: &'a Notice) -> Sent<'a> {
                match self {
                    $(SinkSpec::$variant(s) => s.send(client, notice)),+
                }
            }
        }
    };
}

sinks! {
    Ntfy(ntfy::NtfySink) = "ntfy",
    Telegram(telegram::TelegramSink) = "telegram",
    Webhook(webhook::WebhookSink) = "webhook",
    Email(email::EmailSink) = "email",
}

impl std::str::FromStr for SinkKind {
    type Err = String;
    fn from_str(t: &str) -> Result<SinkKind, String> {
        SinkKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| {
                let names: Vec<String> = SinkKind::ALL.iter().map(|k| k.as_str().into()).collect();
                let kinds = crate::i18n::words::list(crate::i18n::current(), &names);
                t!("cfg-notify-kind", kind = t, kinds = kinds)
            })
    }
}

/// A secret as written (`env:NAME` read from the environment).
fn secret(keys: &mut Keys, key: &str) -> Result<Option<crate::kinds::Secret>, KeyError> {
    let Some(text) = keys.take::<String>(key)? else {
        return Ok(None);
    };
    let span = text.span();
    crate::kinds::Secret::from_config(text.get_ref())
        .map(Some)
        .map_err(|var| keys.fail(span, t!("cfg-secret-env", var = var)))
}
