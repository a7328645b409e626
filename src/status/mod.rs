//! `status`'s answer: per channel, the state now, availability and latency over
//! the window, the best and worst contact windows, and what to do now. Pure:
//! built from rollups and the latest samples handed in, at a given `now`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

mod advice;
mod history;
mod incidents;
mod next;

pub use crate::outcome::channel_now;
use advice::{advice, stale_advice};
pub use advice::{declared_advice, next_best_words, when};
pub use history::{DEFAULT_SPAN, DEFAULT_WINDOW, MAX_SPAN, Patterns, from_store, window_start};
pub use incidents::{CheckOut, IncidentOut, Incidents, incidents_out};
pub use next::{Occurrence, describe, next_occurrence};

use crate::channel::Channel;
use crate::i18n::{Lang, words};
use crate::outcome::{self, Maintenance, MaintenanceState, Outcome};
use crate::pattern::{self, End, Hour, Week, Weeks, Window};
use crate::reason::Said;
use crate::sample::Latest;
use crate::stamp::Stamp;

/// How many best and worst windows a channel lists.
pub const LISTED: usize = 3;

/// What `status` is computed from.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The hour-of-week pattern over the window, in the reported time zone,
    /// of each check or only of each channel; a channel's is the sum of its checks'.
    pub weeks: Weeks,
    pub latest: Vec<Latest>,
    /// Channels configured now, shown even before they have data.
    pub configured: Vec<Channel>,
    /// The last day's rollup slots, (channel, slot start ms, counts), for the
    /// status page's strip.
    pub recent: Vec<(Channel, i64, pattern::Rollup)>,
    /// Each configured channel's longest probe interval, for freshness
    /// ([`stale_after`]); a channel not listed is taken as probed every 5 min.
    pub intervals: BTreeMap<Channel, std::time::Duration>,
    /// Each channel's last judged state (never `unknown`), where the daemon
    /// knows it: what Statuspage's components show while a channel is
    /// unknown or stale.
    pub judged: BTreeMap<Channel, Outcome>,
}

/// A channel's newest sample older than this is no "now" (pure): three
/// times its longest probe interval, and at least 15 minutes.
pub fn stale_after(interval: Option<std::time::Duration>) -> std::time::Duration {
    let interval = interval.unwrap_or(std::time::Duration::from_secs(300));
    (interval * 3).max(STALE_FLOOR)
}

/// The least time after which a channel's newest sample is stale.
pub const STALE_FLOOR: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Quarter-hours in the last-day strip.
pub const DAY_SLOTS: usize = 96;

#[derive(Clone)]
pub struct Options {
    pub tz: Tz,
    pub window: std::time::Duration,
    pub span: usize,
    pub min_samples: u64,
    /// Only these channels; empty: all.
    pub channels: Vec<Channel>,
    /// The language of the advice (the JSON's codes and keys never change).
    pub lang: Lang,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// When this answer was made (RFC 3339, in `timezone`).
    pub generated_at: Stamp,
    pub timezone: String,
    pub window: crate::duration::Span,
    pub channels: Vec<ChannelStatus>,
    pub advice: Vec<String>,
    /// `up` when a control check succeeded at its last probe, `down` when all failed.
    pub local_network: Option<Outcome>,
    /// Announced maintenance that has not ended.
    pub maintenance: Vec<MaintenanceAhead>,
    /// Disruptions OKX itself reports as ongoing (its own word).
    pub okx_declares: Vec<Declared>,
    /// Channels whose path is closed on this network: every check of theirs
    /// last ended `unknown` because the controls covering them failed too
    /// (outbound port 25 blocked, for e-mail).
    pub closed_paths: Vec<Channel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelStatus {
    pub channel: Channel,
    /// `None` before the channel was ever probed.
    pub now: Option<Outcome>,
    pub since: Option<Stamp>,
    pub last_probe: Option<Stamp>,
    /// The time of the channel's newest sample (null when it has none).
    pub as_of: Option<Stamp>,
    /// The newest sample is older than [`stale_after`]: `now` is `unknown`
    /// and `since` is `as_of`, since nothing says what holds now (is the
    /// daemon running?).
    pub stale: bool,
    pub availability: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub samples: u64,
    /// Windows measurably better than the rest of the week, best first.
    pub best: Vec<WindowOut>,
    /// Windows measurably worse than the rest of the week, worst first.
    pub worst: Vec<WindowOut>,
    /// The next occurrence of the first `best` window that no announced
    /// maintenance overlaps; `None` when `best` is empty.
    pub next_best: Option<NextBest>,
    /// Announced maintenance that `next_best` stepped over (titles).
    #[serde(skip)]
    pub next_best_skipped: Vec<String>,
    /// False when no window has `min_samples` in every hour: then `best` and
    /// `worst` are empty rather than guessed.
    pub enough_data: bool,
    /// The same, check by check.
    pub checks: Vec<CheckStatus>,
    /// Its last judged state (never `unknown`), where known.
    #[serde(skip)]
    pub judged: Option<Outcome>,
    #[serde(skip)]
    pub week: std::sync::Arc<Week>,
    /// The last 24 hours, a quarter-hour each, oldest first: what the channel
    /// mostly did (`None`: not probed).
    #[serde(skip)]
    pub last_day: Vec<Option<Outcome>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckStatus {
    pub check: String,
    pub now: Option<Outcome>,
    pub since: Option<Stamp>,
    pub availability: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub samples: u64,
    /// The check's best window, when it has one.
    pub best: Vec<WindowOut>,
    /// Why its last probe failed, in the answer's language beside its code
    /// (with a peer's words: shown escaped, never as markup).
    #[serde(flatten)]
    pub reason: Option<Said>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowOut {
    pub weekday: u32,
    pub hour: u32,
    pub hours: usize,
    pub availability: f64,
    pub p50_ms: Option<f64>,
    pub samples: u64,
}

impl WindowOut {
    /// "Tue 14:00–16:00 (100.0%)", as tables and the page show it.
    pub fn words(&self, lang: Lang) -> String {
        words::window(lang, self.weekday, self.hour, self.hours, self.availability)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NextBest {
    pub start: Stamp,
    pub end: Stamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceAhead {
    pub title: String,
    pub state: MaintenanceState,
    pub begin: Option<Stamp>,
    pub end: Option<Stamp>,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn window_out(w: &Window) -> WindowOut {
    WindowOut {
        weekday: w.weekday(),
        hour: w.hour(),
        hours: w.hours,
        availability: round(w.availability, 4),
        p50_ms: w.p50_ms.map(|v| round(v, 1)),
        samples: w.samples,
    }
}

/// A disruption OKX itself reports as ongoing now (an `okx_status` event of
/// maintType "3", state ongoing): OKX's own word, which leads the advice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Declared {
    pub title: String,
    /// When it began, RFC 3339 in the answer's zone.
    pub since: Option<Stamp>,
    /// OKX's `serviceType`, as written.
    pub service: Option<String>,
}

/// The disruptions OKX declares in `events` (each once), oldest first (pure).
pub fn declared<'a>(events: impl IntoIterator<Item = &'a Maintenance>, tz: Tz) -> Vec<Declared> {
    let mut found: Vec<&Maintenance> = Vec::new();
    for e in events.into_iter().filter(|e| e.is_declared_disruption()) {
        if !found
            .iter()
            .any(|f| f.title == e.title && f.begin_ms == e.begin_ms)
        {
            found.push(e);
        }
    }
    found.sort_by_key(|e| e.begin_ms);
    found
        .into_iter()
        .map(|e| Declared {
            title: e.title.clone(),
            since: e.begin_ms.and_then(|ms| Stamp::from_ms(ms, tz)),
            service: e.service_type.clone(),
        })
        .collect()
}

/// What of `status`'s answer the history gives (the hour-of-week statistics,
/// availability, latency, the best and worst windows, the last day's strip):
/// the costly part, which the daemon's pages compute once a minute, while
/// what holds *now* is composed over it at every request ([`compose`]).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    channels: BTreeMap<Channel, ChannelSummary>,
}

#[derive(Debug, Clone, Default)]
struct ChannelSummary {
    week: std::sync::Arc<Week>,
    availability: Option<f64>,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    samples: u64,
    best: Vec<WindowOut>,
    worst: Vec<WindowOut>,
    enough_data: bool,
    checks: BTreeMap<String, CheckSummary>,
    last_day: Vec<Option<Outcome>>,
}

#[derive(Debug, Clone, Default)]
struct CheckSummary {
    availability: Option<f64>,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    samples: u64,
    best: Vec<WindowOut>,
}

/// The history's part of the answer, from `input.weeks` and `input.recent`
/// (pure).
pub fn summarize(input: &Input, opts: &Options, now: DateTime<Utc>) -> Summary {
    let mut channels = BTreeMap::new();
    for (channel, week) in input.weeks.by_channel() {
        let total: Hour = week.total();
        let measured = week.measured(opts.span, opts.min_samples);
        let checks = input
            .weeks
            .checks(channel)
            .into_iter()
            .map(|(check, week)| {
                (
                    check.to_string(),
                    week.map(|w| check_summary(w, opts)).unwrap_or_default(),
                )
            })
            .collect();
        let summary = ChannelSummary {
            availability: pattern::availability(&total).map(|a| round(a, 4)),
            p50_ms: total.latency.quantile(0.5).map(|v| round(v, 1)),
            p95_ms: total.latency.quantile(0.95).map(|v| round(v, 1)),
            samples: total.samples(),
            best: best_windows(measured.better, LISTED),
            worst: pattern::rank(measured.worse, End::Worst, LISTED)
                .iter()
                .map(window_out)
                .collect(),
            enough_data: !week.windows(opts.span, opts.min_samples).is_empty(),
            checks,
            last_day: Vec::new(),
            week: std::sync::Arc::new(week),
        };
        channels.insert(channel, summary);
    }
    for (channel, ..) in &input.recent {
        channels.entry(*channel).or_default();
    }
    for (channel, c) in channels.iter_mut() {
        c.last_day = last_day(*channel, &input.recent, now.timestamp_millis());
    }
    Summary { channels }
}

/// A check's own history in the answer.
fn check_summary(week: &Week, opts: &Options) -> CheckSummary {
    let total = week.total();
    let measured = week.measured(opts.span, opts.min_samples);
    let best = pattern::rank(measured.better, End::Best, 1);
    CheckSummary {
        availability: pattern::availability(&total).map(|a| round(a, 4)),
        p50_ms: total.latency.quantile(0.5).map(|v| round(v, 1)),
        p95_ms: total.latency.quantile(0.95).map(|v| round(v, 1)),
        samples: total.samples(),
        best: best.iter().map(window_out).collect(),
    }
}

/// The `n` best of the windows measurably better than the rest of the week.
fn best_windows(better: Vec<Window>, n: usize) -> Vec<WindowOut> {
    pattern::rank(better, End::Best, n)
        .iter()
        .map(window_out)
        .collect()
}

/// The next occurrence of window `w` that no `pending` maintenance overlaps.
fn next_of(
    w: &WindowOut,
    pending: &[Maintenance],
    now: DateTime<Utc>,
    tz: Tz,
) -> Option<Occurrence> {
    next_occurrence(w.weekday, w.hour, w.hours, now, tz, pending)
}

/// When each channel's best window next begins, as `status` would say it,
/// asked of the pattern alone (what the notifier needs for `best_window`,
/// without composing a whole answer; pure).
pub fn next_best_starts(
    input: &Input,
    opts: &Options,
    now: DateTime<Utc>,
) -> BTreeMap<Channel, DateTime<Utc>> {
    let pending = maintenance_events(&input.latest, now);
    input
        .weeks
        .by_channel()
        .into_iter()
        .filter_map(|(channel, week)| {
            let measured = week.measured(opts.span, opts.min_samples);
            let best = best_windows(measured.better, 1);
            let next = next_of(best.first()?, &pending, now, opts.tz)?;
            Some((channel, next.start))
        })
        .collect()
}

/// `status`'s answer from the history and the latest samples, at `now`.
pub fn build(input: &Input, opts: &Options, now: DateTime<Utc>) -> Status {
    compose(&summarize(input, opts, now), input, opts, now)
}

/// The answer: `summary` (the history's part) with what holds now, from
/// `input.latest`, `input.configured` and `input.intervals` (pure; cheap, so
/// that every request sees every probe).
pub fn compose(summary: &Summary, input: &Input, opts: &Options, now: DateTime<Utc>) -> Status {
    let tz = opts.tz;
    let mut channels: Vec<Channel> = summary
        .channels
        .keys()
        .copied()
        .chain(input.latest.iter().map(|l| l.channel))
        .chain(input.configured.iter().copied())
        // A channel asked for by name is shown, with or without data.
        .chain(opts.channels.iter().copied())
        .filter(|c| *c != Channel::Control)
        .filter(|c| opts.channels.is_empty() || opts.channels.contains(c))
        .collect();
    channels.sort();
    channels.dedup();

    let pending = maintenance_events(&input.latest, now);
    let statuses: Vec<ChannelStatus> = channels
        .into_iter()
        .map(|channel| {
            let empty = ChannelSummary::default();
            let history = summary.channels.get(&channel).unwrap_or(&empty);
            let mut s = channel_status(channel, history, input, opts, now);
            if s.last_day.is_empty() {
                s.last_day = vec![None; DAY_SLOTS];
            }
            if let Some(w) = s.best.first()
                && let Some(o) = next_of(w, &pending, now, tz)
            {
                s.next_best = Some(NextBest {
                    start: Stamp::new(o.start, tz),
                    end: Stamp::new(o.end, tz),
                });
                s.next_best_skipped = o.skipped;
            }
            s
        })
        .collect();

    let controls = input
        .latest
        .iter()
        .filter(|l| l.channel == Channel::Control)
        .map(|l| l.outcome);
    let local_network =
        outcome::local_network_up(controls).map(|up| if up { Outcome::Up } else { Outcome::Down });
    let maintenance = maintenance_ahead(&input.latest, now, tz);
    let closed_paths = outcome::closed_paths(input.latest.iter().map(|l| (l.channel, l.failure)));
    let okx_declares = declared(input.latest.iter().flat_map(|l| &l.maintenance), tz);
    let mut advice = advice(&statuses, local_network, &pending, now, tz, opts);
    if let Some(line) = stale_advice(&statuses, opts.lang) {
        advice.insert(0, line);
    }
    if let Some(first) = declared_advice(&okx_declares, opts.lang) {
        advice.insert(0, first);
    }
    Status {
        generated_at: Stamp::new(now, tz),
        timezone: tz.name().to_string(),
        window: crate::duration::Span(opts.window),
        channels: statuses,
        advice,
        local_network,
        maintenance,
        okx_declares,
        closed_paths,
    }
}

fn channel_status(
    channel: Channel,
    history: &ChannelSummary,
    input: &Input,
    opts: &Options,
    at: DateTime<Utc>,
) -> ChannelStatus {
    let mine: Vec<&Latest> = input
        .latest
        .iter()
        .filter(|l| l.channel == channel)
        .collect();
    let mut names: Vec<&str> = mine
        .iter()
        .map(|l| l.check.as_str())
        .chain(history.checks.keys().map(String::as_str))
        .collect();
    names.sort();
    names.dedup();
    let no_history = CheckSummary::default();
    let checks = names
        .into_iter()
        .map(|name| {
            let last = mine.iter().find(|l| l.check == name);
            let h = history.checks.get(name).unwrap_or(&no_history);
            CheckStatus {
                check: name.to_string(),
                now: last.map(|l| l.outcome),
                since: last.and_then(|l| Stamp::from_ms(l.since_ms, opts.tz)),
                availability: h.availability,
                p50_ms: h.p50_ms,
                p95_ms: h.p95_ms,
                samples: h.samples,
                best: h.best.clone(),
                reason: last.and_then(|l| Some(Said::new(l.reason.as_ref()?, opts.lang))),
            }
        })
        .collect();
    let mut now = channel_now(&mine.iter().map(|l| l.outcome).collect::<Vec<_>>());
    let mut since = mine.iter().map(|l| l.since_ms).max();
    let last = mine.iter().map(|l| l.ts_ms).max();
    let limit = stale_after(input.intervals.get(&channel).copied());
    let stale = last.is_some_and(|ms| {
        let age = at.timestamp_millis() - ms;
        age > 0 && age as u128 > limit.as_millis()
    });
    if stale {
        now = Some(Outcome::Unknown);
        since = last;
    }
    ChannelStatus {
        channel,
        now,
        since: since.and_then(|ms| Stamp::from_ms(ms, opts.tz)),
        last_probe: last.and_then(|ms| Stamp::from_ms(ms, opts.tz)),
        as_of: last.and_then(|ms| Stamp::from_ms(ms, opts.tz)),
        stale,
        availability: history.availability,
        p50_ms: history.p50_ms,
        p95_ms: history.p95_ms,
        samples: history.samples,
        best: history.best.clone(),
        worst: history.worst.clone(),
        next_best: None,
        next_best_skipped: Vec::new(),
        enough_data: history.enough_data,
        checks,
        judged: input.judged.get(&channel).copied(),
        week: history.week.clone(),
        last_day: history.last_day.clone(),
    }
}

/// The channel's last day, a quarter-hour each, from the recent rollups
/// ending at `now_ms`: down when nothing answered, degraded when some probes
/// failed, else its own refusal or up.
fn last_day(
    channel: Channel,
    recent: &[(Channel, i64, pattern::Rollup)],
    now_ms: i64,
) -> Vec<Option<Outcome>> {
    const SLOT: i64 = crate::store::SLOT_MS;
    let first = now_ms.div_euclid(SLOT) - DAY_SLOTS as i64 + 1;
    let mut slots = vec![pattern::Rollup::default(); DAY_SLOTS];
    for (_, slot_ms, r) in recent.iter().filter(|(c, _, _)| *c == channel) {
        let i = slot_ms.div_euclid(SLOT) - first;
        if let Some(s) = usize::try_from(i).ok().and_then(|i| slots.get_mut(i)) {
            s.merge(r);
        }
    }
    slots
        .iter()
        .map(|r| {
            let ok = r.count(Outcome::Up) + r.count(Outcome::Degraded);
            let down = r.count(Outcome::Down);
            if ok + down == 0 {
                [
                    Outcome::Blocked,
                    Outcome::Throttled,
                    Outcome::Maintenance,
                    Outcome::Unknown,
                ]
                .into_iter()
                .find(|o| r.count(*o) > 0)
            } else if ok == 0 {
                Some(Outcome::Down)
            } else if down > 0 || r.count(Outcome::Degraded) > 0 {
                Some(Outcome::Degraded)
            } else {
                Some(Outcome::Up)
            }
        })
        .collect()
}

/// Announced maintenance that has not ended, from the latest status answers.
fn maintenance_events(latest: &[Latest], now: DateTime<Utc>) -> Vec<Maintenance> {
    let now_ms = now.timestamp_millis();
    let mut events: Vec<Maintenance> = latest
        .iter()
        .flat_map(|l| l.maintenance.iter().cloned())
        .filter(|m| m.state.is_pending())
        .filter(|m| m.end_ms.is_none_or(|end| end > now_ms))
        .collect();
    events.sort_by_key(|m| m.begin_ms.unwrap_or(0));
    events.dedup_by(|a, b| a.title == b.title && a.begin_ms == b.begin_ms);
    events
}

fn maintenance_ahead(latest: &[Latest], now: DateTime<Utc>, tz: Tz) -> Vec<MaintenanceAhead> {
    maintenance_events(latest, now)
        .into_iter()
        .map(|m| MaintenanceAhead {
            title: m.title,
            state: m.state.clone(),
            begin: m.begin_ms.and_then(|ms| Stamp::from_ms(ms, tz)),
            end: m.end_ms.and_then(|ms| Stamp::from_ms(ms, tz)),
        })
        .collect()
}

#[cfg(test)]
mod tests;
