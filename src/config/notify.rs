//! `[[notify]]`: where to be told that a channel went down, came back, or is
//! about to have its best window. Checked when the files load; secrets
//! (`env:NAME`) are read from the environment and kept as [`Secret`]s.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::raw::RawNotify;
use super::{ConfigError, Location, Secret};
use crate::channel::Channel;
use crate::i18n::Lang;

/// One place to be told.
#[derive(Debug, Clone)]
pub struct Notify {
    pub name: String,
    pub sink: SinkSpec,
    /// Channels watched; never `control`.
    pub channels: Vec<Channel>,
    pub events: Vec<Event>,
    /// Consecutive failed probes of every check of a channel before it is down.
    pub after: u32,
    /// Consecutive good probes of one check before a down channel is recovered.
    pub recover_after: u32,
    /// Repeat a down notice this often while it lasts.
    pub remind: Option<Duration>,
    /// The language of its messages.
    pub lang: Lang,
    pub origin: Location,
}

/// Where a sink delivers.
#[derive(Debug, Clone)]
pub enum SinkSpec {
    /// POST to an ntfy topic URL.
    Ntfy { url: reqwest::Url },
    /// The Bot API's `sendMessage` at `{url}/bot{token}/sendMessage`.
    Telegram {
        url: reqwest::Url,
        token: Secret,
        chat_id: String,
    },
    /// POST of the notice as JSON (README, "Get told when support is reachable").
    Webhook { url: reqwest::Url },
    /// A mail through an SMTP server.
    Email(EmailSpec),
}

#[derive(Debug, Clone)]
pub struct EmailSpec {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub to: Vec<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tls: MailTls,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTls {
    /// Plain, then STARTTLS, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain: only for a relay on this machine.
    None,
}

/// What a notice is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, Deserialize,
)]
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
    pub const ALL: [Event; 7] = [
        Event::Down,
        Event::Recovered,
        Event::Throttled,
        Event::Blocked,
        Event::Maintenance,
        Event::BestWindow,
        Event::OkxIncident,
    ];

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

/// Builds one `[[notify]]`; `at` turns a byte offset into a place.
pub(super) fn build(
    raw: RawNotify,
    table: std::ops::Range<usize>,
    at: &dyn Fn(usize) -> Location,
) -> Result<Notify, ConfigError> {
    let fail = |offset: usize, message: String| ConfigError::At {
        at: at(offset),
        message,
    };
    let name = raw.name.get_ref().clone();
    let missing = |key: &str| {
        fail(
            table.start,
            t!(
                "cfg-notify-needs",
                name = &name,
                kind = raw.kind.get_ref(),
                key = key
            ),
        )
    };
    let url = raw.url.as_ref().map(|u| u.get_ref().0.clone());
    let sink = match raw.kind.get_ref().as_str() {
        "ntfy" => SinkSpec::Ntfy {
            url: url.ok_or_else(|| missing("url"))?,
        },
        "webhook" => SinkSpec::Webhook {
            url: url.ok_or_else(|| missing("url"))?,
        },
        "telegram" => {
            let token = raw.token.as_ref().ok_or_else(|| missing("token"))?;
            let token = secret(token.get_ref()).map_err(|m| fail(token.span().start, m))?;
            let default = "https://api.telegram.org";
            let url = match url {
                Some(u) => u,
                None => {
                    reqwest::Url::parse(default).map_err(|e| fail(table.start, e.to_string()))?
                }
            };
            SinkSpec::Telegram {
                url,
                token,
                chat_id: raw
                    .chat_id
                    .as_ref()
                    .ok_or_else(|| missing("chat_id"))?
                    .get_ref()
                    .clone(),
            }
        }
        "email" => SinkSpec::Email(email(&raw, &fail, &missing)?),
        other => {
            return Err(fail(
                raw.kind.span().start,
                t!("cfg-notify-kind", kind = other),
            ));
        }
    };
    // The counts' defaults are the incidents' (one rule for both).
    let defaults = crate::incident::Rules::default();
    let at_least_one = |v: &Option<Spanned<u32>>, key: &str, default: u32| match v {
        Some(n) if *n.get_ref() == 0 => {
            Err(fail(n.span().start, t!("cfg-at-least-one", key = key)))
        }
        Some(n) => Ok(*n.get_ref()),
        None => Ok(default),
    };
    let channels: Vec<Channel> = match raw.channels {
        Some(c) => c.into_iter().map(|c| c.0).collect(),
        None => Channel::ALL
            .into_iter()
            .filter(|c| *c != Channel::Control)
            .collect(),
    };
    let lang = match &raw.lang {
        Some(l) => Lang::from_flag(l.get_ref()).map_err(|why| fail(l.span().start, why))?,
        None => crate::i18n::current(),
    };
    Ok(Notify {
        name,
        sink,
        lang,
        channels,
        events: raw.events.unwrap_or_else(|| Event::ALL.to_vec()),
        after: at_least_one(&raw.after, "after", defaults.after)?,
        recover_after: at_least_one(&raw.recover_after, "recover_after", defaults.recover_after)?,
        remind: raw.remind.map(|d| d.0).filter(|d| !d.is_zero()),
        origin: at(raw.name.span().start),
    })
}

fn email(
    raw: &RawNotify,
    fail: &dyn Fn(usize, String) -> ConfigError,
    missing: &dyn Fn(&str) -> ConfigError,
) -> Result<EmailSpec, ConfigError> {
    let smtp = raw.smtp.as_ref().ok_or_else(|| missing("smtp"))?;
    let (host, port) = smtp
        .get_ref()
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
        .filter(|(h, _)| !h.is_empty())
        .ok_or_else(|| fail(smtp.span().start, t!("cfg-smtp", smtp = smtp.get_ref())))?;
    let tls = match raw.tls.as_ref().map(|t| t.get_ref().as_str()) {
        None | Some("starttls") => MailTls::Starttls,
        Some("tls") => MailTls::Tls,
        Some("none") => MailTls::None,
        Some(other) => {
            let span = raw.tls.as_ref().map_or(0, |t| t.span().start);
            return Err(fail(span, t!("cfg-tls", tls = other)));
        }
    };
    let to = raw.to.clone().ok_or_else(|| missing("to"))?;
    if to.is_empty() {
        return Err(missing("to"));
    }
    let password = match &raw.password {
        Some(p) => Some(secret(p.get_ref()).map_err(|m| fail(p.span().start, m))?),
        None => None,
    };
    Ok(EmailSpec {
        host,
        port,
        from: raw.from.clone().ok_or_else(|| missing("from"))?,
        to,
        username: raw.username.clone(),
        password,
        tls,
    })
}

/// A secret as written (`env:NAME` read from the environment).
fn secret(text: &str) -> Result<Secret, String> {
    Secret::from_config(text).map_err(|var| t!("cfg-secret-env", var = var))
}
