//! Notices: the channel state machine ([`state`]), what a notice says
//! ([`Notice`], delivered by the sinks of [`crate::sinks`]), the notifier
//! task ([`notifier`]) and the delivery task ([`deliver`]) with its bounded
//! queue. The state machine knows no sink; a sink knows no rule.

pub mod deliver;
pub mod notifier;
pub mod state;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::channel::Channel;
use crate::config::notify::Event;
use crate::i18n::{Arg, Lang};
pub use state::{Due, Machine, Rules};

pub use crate::sinks::{About, CheckLine, Notice};

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
        Due::Incident { title, since_ms } => (
            About::Event(Event::OkxIncident),
            None,
            Some(*since_ms),
            tl!(lang, "notice-incident-title"),
            tl!(
                lang,
                "notice-incident-text",
                at = local(*since_ms, tz),
                zone = zone,
                title = title.as_str()
            ),
        ),
        Due::LocalOutage { from_ms, to_ms } => (
            About::LocalNetwork,
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
            let (title, text) = match event {
                Event::Down if *reminder => ("notice-down-title", "notice-still-down-text"),
                Event::Down => ("notice-down-title", "notice-down-text"),
                Event::Recovered => ("notice-recovered-title", "notice-recovered-text"),
                Event::Throttled => ("notice-throttled-title", "notice-throttled-text"),
                Event::Blocked => ("notice-blocked-title", "notice-blocked-text"),
                Event::Maintenance => ("notice-maintenance-title", "notice-maintenance-text"),
                Event::BestWindow => ("notice-best-title", "notice-best-text"),
                Event::OkxIncident => ("notice-incident-title", "notice-incident-text"),
            };
            // Every message takes what it needs of the same placeables.
            let args: [(&str, Arg); 5] = [
                ("channel", channel.words_capitalized(lang).into()),
                ("words", channel.words(lang).into()),
                ("at", local(*since_ms, tz).into()),
                ("zone", zone.into()),
                ("instead", instead.as_str().into()),
            ];
            let (title, text) = (lang.tr(title, &args), lang.tr(text, &args));
            (
                About::Event(*event),
                Some(*channel),
                Some(*since_ms),
                title,
                text,
            )
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
        Due::LocalOutage { .. } | Due::Incident { .. } => None,
    }
}

/// The message of `notify --test`.
pub fn test_notice(vantage: &str, lang: Lang) -> Notice {
    Notice {
        event: About::Test,
        channel: None,
        vantage: vantage.to_string(),
        since: None,
        checks: Vec::new(),
        title: tl!(lang, "notice-test-title"),
        text: tl!(lang, "notice-test-text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_has_its_words_in_both_languages() {
        let tz = chrono_tz::Asia::Shanghai;
        let since_ms = 1_793_000_700_000;
        let mut dues: Vec<Due> = Event::ALL
            .into_iter()
            .flat_map(|event| {
                [false, true].map(|reminder| Due::Channel {
                    event,
                    channel: Channel::Chat,
                    since_ms,
                    reminder,
                })
            })
            .collect();
        dues.push(Due::LocalOutage {
            from_ms: since_ms,
            to_ms: since_ms + 600_000,
        });
        for lang in Lang::ALL {
            for due in &dues {
                let n = notice(due, "home", tz, &[Channel::Email], Vec::new(), lang);
                for words in [&n.title, &n.text] {
                    assert!(
                        !words.starts_with("notice-") && !words.is_empty(),
                        "{due:?}: {words}"
                    );
                }
            }
        }
        let down = |lang| notice(&dues[0], "home", tz, &[Channel::Email], Vec::new(), lang);
        let zh = down(Lang::ZhCn);
        assert_eq!(zh.title, "在线客服不可用");
        assert!(zh.text.contains("客服邮箱可以用。"), "{}", zh.text);
        let down = down(Lang::En);
        assert_eq!(
            down.text,
            "Live chat is down since 15:45 (Asia/Shanghai). E-mail to support works."
        );
        assert_eq!(
            serde_json::to_value(&down).unwrap()["event"],
            "down",
            "codes never change with the language"
        );
    }
}
