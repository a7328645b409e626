//! Notices: the channel state machine ([`state`]), what a notice says
//! ([`Notice`]), the sinks that deliver it (behind one trait, `sinks::Sink`),
//! and the delivery task ([`deliver`]) with its bounded queue. The state
//! machine knows no sink; a sink knows no rule.

pub mod deliver;
pub mod notifier;
pub mod sinks;
pub mod state;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::channel::Channel;
use crate::config::notify::Event;
use crate::i18n::Lang;
pub use state::{Due, Machine, Rules};

/// One notice, in words and as data (the webhook's JSON body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// `down`, `recovered`, … or `test`, `local_network`.
    pub event: &'static str,
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
    pub reason: String,
}

fn local(ms: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// Puts a due notice into words, in `lang`: the channel, what happened,
/// since when (in `tz`), and what to do instead (`working`: channels that work
/// now, in order of preference).
pub fn notice(
    due: &Due,
    vantage: &str,
    tz: Tz,
    working: &[Channel],
    checks: Vec<CheckLine>,
    lang: Lang,
) -> Notice {
    let instead = working
        .iter()
        .find(|c| Some(**c) != due_channel(due))
        .map(|c| tl!(lang, "notice-instead", channel = c.words_capitalized(lang)))
        .unwrap_or_default();
    let zone = tz.name();
    let (event, channel, since, title, text) = match due {
        Due::LocalOutage { from_ms, to_ms } => (
            "local_network",
            None,
            Some(*from_ms),
            tl!(lang, "notice-local-title"),
            tl!(
                lang,
                "notice-local-text",
                from = local(*from_ms, tz),
                to = local(*to_ms, tz),
                zone = zone
            ),
        ),
        Due::Channel {
            event,
            channel,
            since_ms,
            reminder,
        } => {
            let (name, words) = (channel.words_capitalized(lang), channel.words(lang));
            let at = local(*since_ms, tz);
            let (title, text) = match event {
                Event::Down => (
                    tl!(lang, "notice-down-title", channel = &name),
                    if *reminder {
                        tl!(
                            lang,
                            "notice-still-down-text",
                            channel = &name,
                            at = &at,
                            zone = zone,
                            instead = &instead
                        )
                    } else {
                        tl!(
                            lang,
                            "notice-down-text",
                            channel = &name,
                            at = &at,
                            zone = zone,
                            instead = &instead
                        )
                    },
                ),
                Event::Recovered => (
                    tl!(lang, "notice-recovered-title", channel = &name),
                    tl!(
                        lang,
                        "notice-recovered-text",
                        channel = &name,
                        at = &at,
                        zone = zone
                    ),
                ),
                Event::Throttled => (
                    tl!(lang, "notice-throttled-title", channel = &name),
                    tl!(
                        lang,
                        "notice-throttled-text",
                        words = &words,
                        at = &at,
                        zone = zone,
                        instead = &instead
                    ),
                ),
                Event::Blocked => (
                    tl!(lang, "notice-blocked-title", channel = &name),
                    tl!(
                        lang,
                        "notice-blocked-text",
                        words = &words,
                        at = &at,
                        zone = zone,
                        instead = &instead
                    ),
                ),
                Event::Maintenance => (
                    tl!(lang, "notice-maintenance-title", words = &words),
                    tl!(
                        lang,
                        "notice-maintenance-text",
                        words = &words,
                        at = &at,
                        zone = zone,
                        instead = &instead
                    ),
                ),
                Event::BestWindow => (
                    tl!(lang, "notice-best-title", words = &words),
                    tl!(
                        lang,
                        "notice-best-text",
                        words = &words,
                        at = &at,
                        zone = zone
                    ),
                ),
            };
            (event.as_str(), Some(*channel), Some(*since_ms), title, text)
        }
    };
    Notice {
        event,
        channel,
        vantage: vantage.to_string(),
        since: since.and_then(|ms| {
            DateTime::<Utc>::from_timestamp_millis(ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        }),
        checks,
        title,
        text,
    }
}

fn due_channel(due: &Due) -> Option<Channel> {
    match due {
        Due::Channel { channel, .. } => Some(*channel),
        Due::LocalOutage { .. } => None,
    }
}

/// The message of `notify --test`.
pub fn test_notice(vantage: &str, lang: Lang) -> Notice {
    Notice {
        event: "test",
        channel: None,
        vantage: vantage.to_string(),
        since: None,
        checks: Vec::new(),
        title: tl!(lang, "notice-test-title"),
        text: tl!(lang, "notice-test-text"),
    }
}
