//! The hour-of-week pattern of a channel or check, and its best and worst
//! contact windows. Pure: built from rollups handed in, no I/O, no clock.
//!
//! An hour of the week is a local wall-clock hour (Monday 00:00 is hour 0) in
//! the reported time zone. Only `up`, `degraded` and `down` samples count:
//! `throttled`, `unknown` and `maintenance` say nothing about the channel.
//!
//! Ranking (README, "When is the best time"): a window qualifies when every hour of it has at least
//! `min_samples` samples; higher availability wins, and when availabilities
//! differ by less than half a percentage point the lower median latency wins.
//! That rule is not transitive (A ≈ B and B ≈ C while A ≉ C), so no sort can
//! follow it; windows are ranked by selection instead: the next best is, among
//! the windows within half a point of the highest remaining availability, the
//! one with the lowest median. `worst` mirrors it from the other end.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::channel::Channel;
use crate::histogram::Histogram;
use crate::outcome::Outcome;
use crate::stats;

pub const HOURS: usize = 168;
/// Half a percentage point.
pub const TIE: f64 = 0.005;

/// Counts by outcome and a latency histogram: one rollup slot of one check,
/// the unit the history keeps and every pattern is folded from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollup {
    /// Indexed by [`Outcome::code`].
    pub counts: [u64; Outcome::COUNT],
    pub latency: Histogram,
}

impl Rollup {
    pub fn add(&mut self, outcome: Outcome, latency_us: Option<i64>) {
        self.counts[outcome.code()] += 1;
        // Only answers as expected have a latency that describes the channel.
        if outcome.is_success()
            && let Some(us) = latency_us
        {
            self.latency.observe_us(us);
        }
    }

    pub fn merge(&mut self, other: &Rollup) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.latency.merge(&other.latency);
    }

    /// Adds a rollup as stored: its counts, and its encoded histogram merged
    /// without decoding it first.
    pub fn add_stored(&mut self, counts: [u64; Outcome::COUNT], latency: &[u8]) {
        for (a, b) in self.counts.iter_mut().zip(counts) {
            *a += b;
        }
        self.latency.merge_encoded(latency);
    }

    pub fn count(&self, outcome: Outcome) -> u64 {
        self.counts[outcome.code()]
    }
}

/// The hour-of-week pattern of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckWeek {
    pub check: String,
    pub channel: Channel,
    pub week: Week,
}

/// The hour-of-week patterns of a window, as they were read.
#[derive(Debug, Clone, PartialEq)]
pub enum Weeks {
    /// Each check's: `status` lists each check's own history.
    PerCheck(Vec<CheckWeek>),
    /// Summed by channel as they were read, with the checks that have history
    /// (name, channel): what the status page shows, which lists no check's
    /// own history.
    PerChannel {
        weeks: BTreeMap<Channel, Week>,
        checks: Vec<(String, Channel)>,
    },
}

impl Default for Weeks {
    fn default() -> Weeks {
        Weeks::PerCheck(Vec::new())
    }
}

impl Weeks {
    /// Each channel's week: the sum of its checks'.
    pub fn by_channel(&self) -> BTreeMap<Channel, Week> {
        match self {
            Weeks::PerCheck(checks) => {
                let mut out: BTreeMap<Channel, Week> = BTreeMap::new();
                for cw in checks {
                    out.entry(cw.channel).or_default().merge(&cw.week);
                }
                out
            }
            Weeks::PerChannel { weeks, .. } => weeks.clone(),
        }
    }

    /// The checks of `channel` that have history, with their own week where
    /// it was kept.
    pub fn checks(&self, channel: Channel) -> Vec<(&str, Option<&Week>)> {
        match self {
            Weeks::PerCheck(checks) => checks
                .iter()
                .filter(|w| w.channel == channel)
                .map(|w| (w.check.as_str(), Some(&w.week)))
                .collect(),
            Weeks::PerChannel { checks, .. } => checks
                .iter()
                .filter(|(_, c)| *c == channel)
                .map(|(name, _)| (name.as_str(), None))
                .collect(),
        }
    }
}

/// One hour of the week: what was seen in it over the whole window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hour {
    pub up: u64,
    pub degraded: u64,
    pub down: u64,
    pub latency: Histogram,
}

impl Hour {
    /// Samples that count in availability and patterns.
    pub fn samples(&self) -> u64 {
        self.up + self.degraded + self.down
    }

    /// What is left of `self` without `part` (which must be part of it).
    pub fn minus(&self, part: &Hour) -> Hour {
        Hour {
            up: self.up.saturating_sub(part.up),
            degraded: self.degraded.saturating_sub(part.degraded),
            down: self.down.saturating_sub(part.down),
            latency: self.latency.minus(&part.latency),
        }
    }

    pub fn merge(&mut self, other: &Hour) {
        self.up += other.up;
        self.degraded += other.degraded;
        self.down += other.down;
        self.latency.merge(&other.latency);
    }
}

/// The 168 hours of a week.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    pub hours: Vec<Hour>,
}

impl Default for Week {
    fn default() -> Self {
        Week {
            hours: vec![Hour::default(); HOURS],
        }
    }
}

/// The hour of the week of `t` in its zone: Monday 00:00–00:59 is 0.
pub fn hour_of_week<Z: TimeZone>(t: &DateTime<Z>) -> usize {
    t.weekday().num_days_from_monday() as usize * 24 + t.hour() as usize
}

/// Places UTC instants in local hours of the week, asking the zone database
/// once per UTC hour rather than once per rollup slot.
pub struct Clock {
    tz: Tz,
    /// (UTC hour, offset in seconds of that hour).
    cached: Option<(i64, i64)>,
}

impl Clock {
    pub fn new(tz: Tz) -> Clock {
        Clock { tz, cached: None }
    }

    /// The zone's offset from UTC, in seconds, during the UTC hour of `ms`
    /// (offsets change on whole quarter-hours at the finest, in practice on
    /// whole hours).
    fn offset(&mut self, ms: i64) -> i64 {
        let utc_hour = ms.div_euclid(3_600_000);
        match self.cached {
            Some((h, off)) if h == utc_hour => off,
            _ => {
                let off = DateTime::<Utc>::from_timestamp(utc_hour * 3600, 0)
                    .map(|t| t.with_timezone(&self.tz).offset().fix().local_minus_utc())
                    .unwrap_or(0) as i64;
                self.cached = Some((utc_hour, off));
                off
            }
        }
    }

    /// Whether the UTC hour of `ms` is one local hour: the offset is whole hours.
    pub fn whole_hours(&mut self, ms: i64) -> bool {
        self.offset(ms) % 3600 == 0
    }

    /// The local hour of the week of unix millisecond `ms`.
    pub fn hour_of_week(&mut self, ms: i64) -> usize {
        let secs = ms.div_euclid(1000);
        let local = secs + self.offset(ms);
        // 1970-01-01 was a Thursday: day 0 is weekday 3 counted from Monday.
        let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7) as usize;
        weekday * 24 + (local.rem_euclid(86_400) / 3600) as usize
    }
}

impl Week {
    /// Adds a rollup slot that starts at `slot_ms` (UTC), placed in `tz`'s local hour.
    pub fn add(&mut self, slot_ms: i64, tz: Tz, rollup: &Rollup) {
        let how = Clock::new(tz).hour_of_week(slot_ms);
        let h = &mut self.hours[how];
        h.up += rollup.count(Outcome::Up);
        h.degraded += rollup.count(Outcome::Degraded);
        h.down += rollup.count(Outcome::Down);
        h.latency.merge(&rollup.latency);
    }

    /// Adds a stored rollup as it comes from the database: its counts by outcome
    /// code and its encoded histogram, in hour of the week `how`.
    pub fn add_stored(&mut self, how: usize, counts: &[u64; Outcome::COUNT], latency: &[u8]) {
        let h = &mut self.hours[how % HOURS];
        h.up += counts[Outcome::Up.code()];
        h.degraded += counts[Outcome::Degraded.code()];
        h.down += counts[Outcome::Down.code()];
        h.latency.merge_encoded(latency);
    }

    pub fn merge(&mut self, other: &Week) {
        for (a, b) in self.hours.iter_mut().zip(&other.hours) {
            a.merge(b);
        }
    }

    /// Everything of the week in one bucket.
    pub fn total(&self) -> Hour {
        let mut all = Hour::default();
        for h in &self.hours {
            all.merge(h);
        }
        all
    }

    /// Every qualifying window of `span` hours (wrapping from Sunday into Monday).
    pub fn windows(&self, span: usize, min_samples: u64) -> Vec<Window> {
        self.windows_with_hours(span, min_samples)
            .into_iter()
            .map(|(w, _)| w)
            .collect()
    }

    /// Each qualifying window with everything seen in it.
    fn windows_with_hours(&self, span: usize, min_samples: u64) -> Vec<(Window, Hour)> {
        let span = span.clamp(1, HOURS);
        (0..HOURS)
            .filter_map(|start| {
                let mut all = Hour::default();
                for i in 0..span {
                    let h = &self.hours[(start + i) % HOURS];
                    if h.samples() < min_samples.max(1) {
                        return None;
                    }
                    all.merge(h);
                }
                let w = Window {
                    start,
                    hours: span,
                    availability: availability(&all)?,
                    p50_ms: all.latency.quantile(0.5),
                    p95_ms: all.latency.quantile(0.95),
                    samples: all.samples(),
                };
                Some((w, all))
            })
            .collect()
    }

    /// The qualifying windows that are measurably better, and measurably
    /// worse, than the rest of the week: their availability (two-proportion
    /// test) or their latency (Mann–Whitney) differs from the rest's at
    /// [`CONFIDENCE`] over all the windows compared (Bonferroni), and by a
    /// margin a person would notice ([`TIE`] of availability, [`LATENCY_MARGIN`]
    /// of the median). A window worse in one and better in the other counts by
    /// availability. See `stats` for why these tests.
    pub fn measured(&self, span: usize, min_samples: u64) -> Measured {
        let total = self.total();
        let windows = self.windows_with_hours(span, min_samples);
        let critical = stats::critical_z(CONFIDENCE, windows.len());
        let mut out = Measured::default();
        for (w, h) in windows {
            let rest = total.minus(&h);
            let ok = |x: &Hour| x.up + x.degraded;
            let avail_z = stats::proportions_z(ok(&h), h.samples(), ok(&rest), rest.samples());
            let gap = w.availability - availability(&rest).unwrap_or(w.availability);
            let avail_better = avail_z > critical && gap >= TIE;
            let avail_worse = avail_z < -critical && -gap >= TIE;
            let latency_z = stats::mann_whitney_z(&h.latency, &rest.latency);
            let (mine, theirs) = (h.latency.quantile(0.5), rest.latency.quantile(0.5));
            let (faster, slower) = match (mine, theirs) {
                (Some(m), Some(t)) => (
                    latency_z < -critical && m <= t * (1.0 - LATENCY_MARGIN),
                    latency_z > critical && m >= t * (1.0 + LATENCY_MARGIN),
                ),
                _ => (false, false),
            };
            if avail_better || (faster && !avail_worse) {
                out.better.push(w);
            } else if avail_worse || (slower && !avail_better) {
                out.worse.push(w);
            }
        }
        out
    }
}

/// Family-wise confidence of "measurably better (or worse)".
pub const CONFIDENCE: f64 = 0.95;
/// A median within this share of the rest's is no difference worth advice.
pub const LATENCY_MARGIN: f64 = 0.10;

/// Windows that differ measurably from the rest of the week.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub better: Vec<Window>,
    pub worse: Vec<Window>,
}

/// (up + degraded) / (up + degraded + down); `None` without such samples.
pub fn availability(h: &Hour) -> Option<f64> {
    let n = h.samples();
    (n > 0).then(|| (h.up + h.degraded) as f64 / n as f64)
}

/// Latency bands of a week for a heat map, around the typical hour (the
/// median of the medians of its hours with at least `min_samples` samples;
/// `None` when no hour has them): band 0 is clearly faster (under 0.8×),
/// 1 typical (to 1.25×), 2 slow (to 2×), 3 slower. A faster hour stands out
/// even when every other hour is the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyBands {
    pub cuts: [f64; 3],
}

impl LatencyBands {
    pub fn of(week: &Week, min_samples: u64) -> Option<LatencyBands> {
        let mut medians: Vec<f64> = week
            .hours
            .iter()
            .filter(|h| h.samples() >= min_samples)
            .filter_map(|h| h.latency.quantile(0.5))
            .collect();
        medians.sort_by(f64::total_cmp);
        let typical = *medians.get(medians.len() / 2)?;
        Some(LatencyBands {
            cuts: [typical * 0.8, typical * 1.25, typical * 2.0],
        })
    }

    /// 0 (fastest) to 3 (slowest).
    pub fn band(&self, median_ms: f64) -> usize {
        self.cuts.iter().take_while(|c| median_ms > **c).count()
    }
}

/// A contact window: `hours` hours from hour of the week `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub start: usize,
    pub hours: usize,
    pub availability: f64,
    /// `None` when nothing in it answered.
    pub p50_ms: Option<f64>,
    /// Breaks ties of the median (a window half fast, half slow has the fast
    /// median of a wholly fast one).
    pub p95_ms: Option<f64>,
    pub samples: u64,
}

impl Window {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub fn weekday(&self) -> u32 {
        (self.start / 24) as u32 + 1
    }

    pub fn hour(&self) -> u32 {
        (self.start % 24) as u32
    }

    fn overlaps(&self, other: &Window) -> bool {
        let covers = |w: &Window, h: usize| (h + HOURS - w.start) % HOURS < w.hours;
        (0..self.hours).any(|i| covers(other, (self.start + i) % HOURS))
    }
}

/// Which end of the ranking to select from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Best,
    Worst,
}

/// Up to `n` windows that do not overlap one another, best (or worst) first.
pub fn rank(mut windows: Vec<Window>, end: End, n: usize) -> Vec<Window> {
    let mut picked: Vec<Window> = Vec::new();
    while picked.len() < n && !windows.is_empty() {
        let Some(i) = select(&windows, end) else {
            break;
        };
        let w = windows.swap_remove(i);
        windows.retain(|o| !o.overlaps(&w));
        picked.push(w);
    }
    picked
}

/// The index of the next window at `end`.
fn select(windows: &[Window], end: End) -> Option<usize> {
    let latency = |w: &Window| {
        (
            w.p50_ms.unwrap_or(f64::INFINITY),
            w.p95_ms.unwrap_or(f64::INFINITY),
        )
    };
    let cmp = |a: (f64, f64), b: (f64, f64)| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1));
    match end {
        End::Best => {
            let top = windows
                .iter()
                .map(|w| w.availability)
                .fold(f64::MIN, f64::max);
            (0..windows.len())
                .filter(|&i| windows[i].availability > top - TIE)
                .min_by(|&a, &b| {
                    let (x, y) = (&windows[a], &windows[b]);
                    cmp(latency(x), latency(y))
                        .then(y.availability.total_cmp(&x.availability))
                        .then(x.start.cmp(&y.start))
                })
        }
        End::Worst => {
            let bottom = windows
                .iter()
                .map(|w| w.availability)
                .fold(f64::MAX, f64::min);
            (0..windows.len())
                .filter(|&i| windows[i].availability < bottom + TIE)
                .min_by(|&a, &b| {
                    let (x, y) = (&windows[a], &windows[b]);
                    cmp(latency(y), latency(x))
                        .then(x.availability.total_cmp(&y.availability))
                        .then(x.start.cmp(&y.start))
                })
        }
    }
}

#[cfg(test)]
mod tests;
