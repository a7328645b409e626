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

/// Puts a due notice into words: the channel, what happened, since when (in
/// `tz`), and what to do instead (`working`: channels that work now, in
/// order of preference).
pub fn notice(
    due: &Due,
    vantage: &str,
    tz: Tz,
    working: &[Channel],
    checks: Vec<CheckLine>,
) -> Notice {
    let instead = working
        .iter()
        .find(|c| Some(**c) != due_channel(due))
        .map(|c| format!(" {} works.", c.words_capitalized()))
        .unwrap_or_default();
    let zone = tz.name();
    let (event, channel, since, title, text) = match due {
        Due::LocalOutage { from_ms, to_ms } => (
            "local_network",
            None,
            Some(*from_ms),
            "This machine's network was down".to_string(),
            format!(
                "This machine's own network was down from {} to {} ({zone}); nothing was sent about OKX meanwhile.",
                local(*from_ms, tz),
                local(*to_ms, tz)
            ),
        ),
        Due::Channel {
            event,
            channel,
            since_ms,
            reminder,
        } => {
            let name = channel.words_capitalized();
            let at = local(*since_ms, tz);
            let (title, text) = match event {
                Event::Down => (
                    format!("{name} is down"),
                    format!(
                        "{name} is {}down since {at} ({zone}).{instead}",
                        if *reminder { "still " } else { "" }
                    ),
                ),
                Event::Recovered => (
                    format!("{name} is back"),
                    format!("{name} works again (it was down since {at}, {zone})."),
                ),
                Event::Throttled => (
                    format!("{name} refuses us"),
                    format!(
                        "OKX rate-limits or challenges this machine on {} since {at} ({zone}): wait before trying again.{instead}",
                        channel.words()
                    ),
                ),
                Event::Blocked => (
                    format!("{name} is blocked here"),
                    format!(
                        "OKX refuses this network on {} since {at} ({zone}).{instead}",
                        channel.words()
                    ),
                ),
                Event::Maintenance => (
                    format!("OKX maintenance: {}", channel.words()),
                    format!(
                        "OKX announces maintenance affecting {} since {at} ({zone}).{instead}",
                        channel.words()
                    ),
                ),
                Event::BestWindow => (
                    format!("Good time for {}", channel.words()),
                    format!(
                        "The best time of the week for {} starts at {at} ({zone}): try it then.",
                        channel.words()
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
pub fn test_notice(vantage: &str) -> Notice {
    Notice {
        event: "test",
        channel: None,
        vantage: vantage.to_string(),
        since: None,
        checks: Vec::new(),
        title: "okx-monitor test".to_string(),
        text: "This is a test from okx-monitor: notices will reach you here.".to_string(),
    }
}
