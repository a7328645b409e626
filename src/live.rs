//! What holds now, in the daemon's memory: each check's latest sample and the
//! incident tracker, brought up to date by every probe as it is recorded, so
//! that the pages and APIs say what the last probe said (the history is
//! read once a minute; "now" is never a minute old). Taken from the store
//! when the daemon starts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::incident::{Incident, Tracker};
use crate::outcome::Report;
use crate::sample::{Latest, Sample};

pub struct Live {
    inner: Mutex<Inner>,
    /// Counts the probes taken in: an answer made at one version is still true.
    version: AtomicU64,
}

struct Inner {
    latest: HashMap<String, Latest>,
    tracker: Tracker,
}

/// A copy of what holds now.
#[derive(Debug, Clone, Default)]
pub struct Now {
    pub latest: Vec<Latest>,
    /// Open incidents and those closed since the daemon started (a bounded few).
    pub incidents: Vec<Incident>,
    pub version: u64,
}

impl Live {
    /// From the history's latest samples and the tracker its samples left.
    pub fn new(latest: Vec<Latest>, tracker: Tracker) -> Live {
        Live {
            inner: Mutex::new(Inner {
                latest: latest.into_iter().map(|l| (l.check.clone(), l)).collect(),
                tracker,
            }),
            version: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Plain data: a panic elsewhere mid-update leaves it usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes in one probe (`sample`, of `report`); returns the incident it
    /// opened, changed or closed.
    pub fn record(&self, sample: &Sample, report: &Report) -> Option<Incident> {
        let mut inner = self.lock();
        let prev = inner.latest.get(&sample.check);
        if let Some(next) = Latest::after(prev, sample, report) {
            inner.latest.insert(sample.check.clone(), next);
        }
        let reason = (!report.outcome.is_success()).then_some(report.reason.as_str());
        let changed = inner.tracker.observe(
            &sample.check,
            sample.channel,
            sample.outcome,
            reason,
            sample.ts_ms,
        );
        drop(inner);
        self.version.fetch_add(1, Ordering::Release);
        changed
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn now(&self) -> Now {
        let version = self.version();
        let inner = self.lock();
        Now {
            latest: inner.latest.values().cloned().collect(),
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
