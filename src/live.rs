//! What holds now, in the daemon's memory: each check's latest sample and the
//! incident tracker, brought up to date by every probe as it is recorded, so
//! that the pages and APIs say what the last probe said (the history is
//! read once a minute; "now" is never a minute old). Taken from the store
//! when the daemon starts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::channel::Channel;
use crate::incident::{Incident, Tracker};
use crate::outcome::{Outcome, Report, channel_now};
use crate::sample::{Latest, Sample};

pub struct Live {
    inner: Mutex<Inner>,
    /// Counts the probes taken in: an answer made at one version is still true.
    version: AtomicU64,
}

struct Inner {
    /// Each channel's checks' latest samples.
    latest: HashMap<Channel, HashMap<String, Latest>>,
    /// Each channel's last judged state (anything but `unknown`).
    judged: BTreeMap<Channel, Outcome>,
    tracker: Tracker,
}

impl Inner {
    /// Judges `channel` again from its checks' latest outcomes; returns its
    /// state now.
    fn judge(&mut self, channel: Channel) -> Option<Outcome> {
        let outcomes: Vec<Outcome> = self
            .latest
            .get(&channel)
            .map(|m| m.values().map(|l| l.outcome).collect())
            .unwrap_or_default();
        let now = channel_now(&outcomes);
        if let Some(o) = now.filter(|o| *o != Outcome::Unknown) {
            self.judged.insert(channel, o);
        }
        now
    }
}

/// What one probe changed.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    /// Its channel's state now, from its checks' latest outcomes (`None`
    /// when the probe was older than its check's latest).
    pub channel_now: Option<Outcome>,
    /// The incident it opened, changed or closed.
    pub incident: Option<Incident>,
}

/// A copy of what holds now.
#[derive(Debug, Clone, Default)]
pub struct Now {
    pub latest: Vec<Latest>,
    /// Open incidents and those closed since the daemon started (a bounded few).
    pub incidents: Vec<Incident>,
    /// Each channel's last judged state: what it was when last told apart
    /// from this machine's network (never `unknown`).
    pub judged: BTreeMap<Channel, Outcome>,
    pub version: u64,
}

impl Live {
    /// From the history's latest samples and the tracker its samples left.
    pub fn new(latest: Vec<Latest>, tracker: Tracker) -> Live {
        let mut inner = Inner {
            latest: HashMap::new(),
            judged: BTreeMap::new(),
            tracker,
        };
        for l in latest {
            inner
                .latest
                .entry(l.channel)
                .or_default()
                .insert(l.check.clone(), l);
        }
        let channels: Vec<Channel> = inner.latest.keys().copied().collect();
        for c in channels {
            inner.judge(c);
        }
        Live {
            inner: Mutex::new(inner),
            version: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Plain data: a panic elsewhere mid-update leaves it usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes in one probe (`sample`, of `report`); returns the channel's
    /// state now and the incident the probe opened, changed or closed.
    pub fn record(&self, sample: &Sample, report: &Report) -> Recorded {
        let mut inner = self.lock();
        let checks = inner.latest.entry(sample.channel).or_default();
        // A probe older than the latest (probes end out of order) changes
        // nothing now, and says nothing of the channel's state.
        let channel_now = match Latest::after(checks.get(&sample.check), sample, report) {
            Some(next) => {
                checks.insert(sample.check.clone(), next);
                inner.judge(sample.channel)
            }
            None => None,
        };
        let reason = (!report.outcome.is_success()).then_some(&report.reason);
        let changed = inner.tracker.observe(
            &sample.check,
            sample.channel,
            sample.outcome,
            reason,
            sample.ts_ms,
        );
        drop(inner);
        self.version.fetch_add(1, Ordering::Release);
        Recorded {
            channel_now,
            incident: changed,
        }
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn now(&self) -> Now {
        let version = self.version();
        let inner = self.lock();
        Now {
            latest: inner
                .latest
                .values()
                .flat_map(|m| m.values().cloned())
                .collect(),
            judged: inner.judged.clone(),
            incidents: inner
                .tracker
                .recently_closed()
                .chain(inner.tracker.open())
                .cloned()
                .collect(),
            version,
        }
    }
}
