//! What to do now, in words: the advice lines of `status` (OKX's own word
//! first, then this network, the stale channels, the working channels in
//! order of preference and the best time to try), and the words for when a
//! window comes. Pure.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{ChannelStatus, Declared, Occurrence, Options, describe, next_occurrence};
use crate::channel::Channel;
use crate::i18n::{Lang, words};
use crate::outcome::{Maintenance, MaintenanceState, Outcome};

/// The first advice line when OKX declares a disruption: OKX's word first.
pub fn declared_advice(declared: &[Declared], lang: crate::i18n::Lang) -> Option<String> {
    let d = declared.first()?;
    Some(match &d.since {
        Some(since) => tl!(
            lang,
            "advice-okx-declares",
            title = d.title.as_str(),
            since = since.day_time(lang)
        ),
        None => tl!(lang, "advice-okx-declares-now", title = d.title.as_str()),
    })
}

/// The next best time for `channel`, in words, as the advice says it.
pub fn next_best_words(
    s: &ChannelStatus,
    now: DateTime<Utc>,
    tz: Tz,
    lang: Lang,
) -> Option<String> {
    let next = s.next_best.as_ref()?;
    let (start, end) = (next.start.utc(), next.end.utc());
    let skipped = s.next_best_skipped.clone();
    Some(describe(
        &Occurrence {
            start,
            end,
            skipped,
        },
        now,
        tz,
        lang,
    ))
}

/// "No fresh data since …": the channels whose newest sample is stale, in
/// one line; `None` when every channel is fresh.
pub(super) fn stale_advice(channels: &[ChannelStatus], lang: Lang) -> Option<String> {
    let stale: Vec<&ChannelStatus> = channels.iter().filter(|c| c.stale).collect();
    let oldest = stale
        .iter()
        .filter_map(|c| c.as_of)
        .min_by_key(|t| t.ms())?;
    let names: Vec<String> = stale.iter().map(|c| c.channel.words(lang)).collect();
    Some(tl!(
        lang,
        "advice-stale",
        channels = words::list(lang, &names),
        since = oldest.day_time(lang)
    ))
}

pub(super) fn advice(
    channels: &[ChannelStatus],
    local_network: Option<Outcome>,
    maintenance: &[Maintenance],
    now: DateTime<Utc>,
    tz: Tz,
    opts: &Options,
) -> Vec<String> {
    let lang = opts.lang;
    let mut out = Vec::new();
    if local_network == Some(Outcome::Down) {
        out.push(tl!(lang, "advice-local-down"));
    }
    let by = |c: Channel| channels.iter().find(|s| s.channel == c);
    let working: Vec<&ChannelStatus> = Channel::PREFERENCE
        .iter()
        .filter_map(|c| by(*c))
        .filter(|s| s.now.is_some_and(Outcome::is_success))
        .collect();
    let chat = by(Channel::Chat);
    let state = |s: &ChannelStatus| s.now.unwrap_or(Outcome::Up).words(lang);
    match (working.first(), chat.and_then(|c| c.now)) {
        (Some(first), _) if first.channel == Channel::Chat => {
            out.push(tl!(lang, "advice-use-chat", state = state(first)));
        }
        (Some(first), Some(chat_now)) => out.push(tl!(
            lang,
            "advice-chat-is-use",
            chat = chat_now.words(lang),
            channel = first.channel.words(lang),
            state = state(first)
        )),
        (Some(first), None) => out.push(tl!(
            lang,
            "advice-use",
            channel = first.channel.words(lang),
            state = state(first)
        )),
        (None, _) if channels.iter().any(|c| c.now.is_some()) => {
            out.push(tl!(lang, "advice-none-answers"))
        }
        (None, _) => {}
    }
    out.extend(timing_advice(channels, now, tz, opts));
    for m in maintenance {
        let local = |ms| words::ms_day_time(lang, ms, tz);
        let span = match (m.begin_ms, m.end_ms) {
            (Some(b), Some(e)) => tl!(lang, "maintenance-from-to", from = local(b), to = local(e)),
            (Some(b), None) => tl!(lang, "maintenance-from", from = local(b)),
            _ => String::new(),
        };
        out.push(if m.state == MaintenanceState::Scheduled {
            tl!(
                lang,
                "advice-maintenance-planned",
                title = &m.title,
                span = span
            )
        } else {
            tl!(
                lang,
                "advice-maintenance-ongoing",
                title = &m.title,
                span = span
            )
        });
    }
    let short: Vec<String> = channels
        .iter()
        .filter(|c| !c.enough_data)
        .map(|c| c.channel.column(lang))
        .collect();
    if !short.is_empty() {
        out.push(tl!(
            lang,
            "advice-short-history",
            channels = words::list(lang, &short),
            span = opts.span,
            min = opts.min_samples
        ));
    }
    out
}

/// When to try: for the first channel, in order of preference, with enough
/// history, its next best window (stepping over announced maintenance), the
/// window to avoid, or plainly that any time is as good.
fn timing_advice(
    channels: &[ChannelStatus],
    now: DateTime<Utc>,
    tz: Tz,
    opts: &Options,
) -> Vec<String> {
    let lang = opts.lang;
    let mut out = Vec::new();
    let Some(c) = Channel::PREFERENCE
        .iter()
        .filter_map(|p| channels.iter().find(|s| s.channel == *p))
        .find(|s| s.enough_data)
    else {
        return out;
    };
    let median = |ms: Option<f64>| ms.map_or(tl!(lang, "no-answer"), |ms| words::millis(lang, ms));
    if let (Some(w), Some(when)) = (c.best.first(), next_best_words(c, now, tz, lang)) {
        let avoided = if c.next_best_skipped.is_empty() {
            String::new()
        } else {
            tl!(
                lang,
                "advice-best-avoided",
                titles = c.next_best_skipped.join(", ")
            )
        };
        out.push(tl!(
            lang,
            "advice-best",
            channel = c.channel.words(lang),
            when = when,
            percent = format!("{:.1}", w.availability * 100.0),
            median = median(w.p50_ms),
            avoided = avoided
        ));
    }
    if let Some(bad) = c.worst.first() {
        out.push(tl!(
            lang,
            "advice-avoid",
            when = when(bad.weekday, bad.hour, bad.hours, now, tz, lang),
            percent = format!("{:.1}", bad.availability * 100.0),
            median = median(bad.p50_ms)
        ));
    }
    if c.best.is_empty() && c.worst.is_empty() {
        out.push(tl!(
            lang,
            "advice-any-time",
            channel = c.channel.words_capitalized(lang),
            window = crate::duration::Span(opts.window).words(lang)
        ));
    }
    out
}

/// "now, until 08:00", "today 06:00–08:00, in 5 h", "tomorrow …", "Wednesday …":
/// the next occurrence of a window.
pub fn when(
    weekday: u32,
    hour: u32,
    hours: usize,
    now: DateTime<Utc>,
    tz: Tz,
    lang: Lang,
) -> String {
    match next_occurrence(weekday, hour, hours, now, tz, &[]) {
        Some(o) => describe(&o, now, tz, lang),
        None => format!("{hour:02}:00, {hours} h"),
    }
}
