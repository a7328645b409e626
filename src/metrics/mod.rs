//! Every metric of the daemon, declared in one place and fed from what happened
//! (a probe's report, a reload, the writer's counts); no other code touches the
//! values. Names follow `okx_monitor_<name>_<unit>[_total]`, and label values
//! come from bounded sets only: check and channel names from the configuration,
//! outcomes, phases, failure kinds, extract names. Never a URL, an address or an
//! error text.
//!
//! The values are kept per check (one lock each, the check's labels escaped
//! once) and written straight into the exposition by `text.rs`: a scrape of
//! 10,000 checks walks them once per family, nothing is gathered or sorted.

mod families;
pub mod text;

use families::{FAMILIES, Rows};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use crate::config::Check;
use crate::outcome::{MaintenanceState, Outcome, Report};
use crate::store::writer::WriterStats;
use text::{Bounds, Histogram, Text};

/// Buckets of `okx_monitor_probe_duration_seconds`: from a fast loopback answer
/// to the slowest timeout worth waiting for.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0,
    30.0,
];
const LATENESS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];
/// Phase label values, in name order (the order series are written in).
const PHASES: [&str; 6] = ["connect", "dns", "first_byte", "frame", "handshake", "tls"];
/// `okx_monitor_smtp_hosts`'s states, in name order.
const SMTP_STATES: [&str; 2] = ["failed", "greeted"];
/// Outcomes in name order.
const OUTCOMES_BY_NAME: [Outcome; Outcome::COUNT] = [
    Outcome::Blocked,
    Outcome::Degraded,
    Outcome::Down,
    Outcome::Maintenance,
    Outcome::Throttled,
    Outcome::Unknown,
    Outcome::Up,
];

/// Why a scheduled probe did not run (`okx_monitor_probes_skipped_total`'s `reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The previous probe of the check still ran.
    Overrun,
    /// The host asked us to wait (`Retry-After`).
    RetryAfter,
}

impl Skip {
    /// In name order.
    const ALL: [Skip; 2] = [Skip::Overrun, Skip::RetryAfter];

    fn as_str(self) -> &'static str {
        match self {
            Skip::Overrun => "overrun",
            Skip::RetryAfter => "retry_after",
        }
    }
}

/// The last values of one check's series; `None` (or zero, for counters) for a
/// series not fed yet, which is not written.
#[derive(Default)]
struct CheckValues {
    probes: [u64; Outcome::COUNT],
    skipped: [u64; Skip::ALL.len()],
    duration: Option<Histogram>,
    success: Option<bool>,
    last_probe: Option<f64>,
    /// In [`PHASES`]' order.
    phase: [Option<f64>; PHASES.len()],
    http_status: Option<u16>,
    tls_expiry: Option<i64>,
    mx_records: Option<u32>,
    /// Failed and greeted, as [`SMTP_STATES`].
    smtp_hosts: Option<[i64; 2]>,
    smtp_starttls: Option<bool>,
    extracted: BTreeMap<String, f64>,
    maintenance_ongoing: Option<bool>,
    maintenance_scheduled: Option<usize>,
    maintenance_next: Option<f64>,
    /// Disruptions OKX declares as ongoing (maintType "3").
    declared: Option<usize>,
    runnable: Option<bool>,
}

struct CheckSeries {
    /// `channel="…",check="…"`, escaped.
    labels: String,
    values: Mutex<CheckValues>,
}

/// What happened to one notice at one sink (the `result` label of
/// `okx_monitor_notices_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// One attempt failed (it is retried, or the notice is dropped).
    Failed,
    /// Given up after every attempt failed.
    Dropped,
}

/// The daemon's own values.
#[derive(Default)]
struct DaemonValues {
    /// sink → notices waiting in its queue.
    notice_queue: BTreeMap<String, i64>,
    /// (event, result, sink) → count: the label pairs' name order.
    notices: BTreeMap<(String, &'static str, String), u64>,
    local_network: i64,
    /// Each channel's state now, as [`Outcome::code`](crate::outcome::Outcome::code).
    channel_state: BTreeMap<&'static str, i64>,
    reload_success: i64,
    reload_time: f64,
    checks: i64,
    written: u64,
    write_errors: u64,
    dropped: u64,
    pending: i64,
}

pub struct Metrics {
    vantage: String,
    /// channel → check → series: iterated in the label pairs' name order.
    checks: RwLock<BTreeMap<&'static str, BTreeMap<String, Arc<CheckSeries>>>>,
    daemon: Mutex<DaemonValues>,
    lateness: Mutex<Histogram>,
    duration_bounds: Bounds,
    lateness_bounds: Bounds,
    /// The last exposition's length, to size the next one at once.
    last_len: AtomicUsize,
}

/// A poisoned lock still holds numbers worth reporting.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Metrics {
    /// `vantage` names where this instance probes from; it labels every series,
    /// so that one Prometheus over many instances can tell them apart (and sum
    /// them) whatever its scrape configuration says.
    pub fn new(vantage: &str) -> Metrics {
        let lateness_bounds = Bounds::new(LATENESS_BUCKETS);
        Metrics {
            vantage: vantage.to_string(),
            checks: RwLock::default(),
            daemon: Mutex::default(),
            lateness: Mutex::new(Histogram::new(&lateness_bounds)),
            duration_bounds: Bounds::new(DURATION_BUCKETS),
            lateness_bounds,
            last_len: AtomicUsize::new(0),
        }
    }

    /// The series of `check`, created at its first value.
    fn series(&self, check: &Check) -> Arc<CheckSeries> {
        let channel = check.channel.as_str();
        let found = self
            .checks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(channel)
            .and_then(|c| c.get(&check.name))
            .cloned();
        found.unwrap_or_else(|| {
            let mut checks = self.checks.write().unwrap_or_else(|p| p.into_inner());
            checks
                .entry(channel)
                .or_default()
                .entry(check.name.clone())
                .or_insert_with(|| {
                    Arc::new(CheckSeries {
                        labels: text::labels(&[("channel", channel), ("check", &check.name)]),
                        values: Mutex::default(),
                    })
                })
                .clone()
        })
    }

    /// Records one probe of `check`, started at unix time `started_s`.
    pub fn record(&self, check: &Check, report: &Report, started_s: f64) {
        let series = self.series(check);
        let mut v = lock(&series.values);
        v.probes[report.outcome.code()] += 1;
        let ok = report.outcome.is_success();
        v.success = Some(ok);
        v.last_probe = Some(started_s);
        if ok && let Some(l) = report.latency {
            let bounds = &self.duration_bounds;
            v.duration
                .get_or_insert_with(|| Histogram::new(bounds))
                .observe(bounds, l.as_secs_f64());
        }
        let crate::outcome::Phases {
            dns,
            connect,
            tls,
            first_byte,
            handshake,
            frame,
            total: _,
        } = report.phases;
        // In PHASES' order; the length is checked by the compiler.
        let values: [Option<std::time::Duration>; PHASES.len()] =
            [connect, dns, first_byte, frame, handshake, tls];
        for (slot, value) in v.phase.iter_mut().zip(values) {
            if let Some(d) = value {
                *slot = Some(d.as_secs_f64());
            }
        }
        let d = &report.detail;
        if d.http_status.is_some() {
            v.http_status = d.http_status;
        }
        if d.tls_not_after.is_some() {
            v.tls_expiry = d.tls_not_after;
        }
        if d.mx_records.is_some() {
            v.mx_records = d.mx_records;
        }
        let extras = check.spec.extras();
        if extras.smtp {
            let greeted = d.mx_hosts.iter().filter(|h| h.ok).count() as i64;
            v.smtp_hosts = Some([d.mx_hosts.len() as i64 - greeted, greeted]);
            v.smtp_starttls = Some(d.mx_hosts.iter().any(|h| h.ok && h.starttls));
        }
        for (key, value) in &d.extracted {
            v.extracted.insert(key.clone(), *value);
        }
        let answered = ok || report.outcome == Outcome::Maintenance;
        if extras.maintenance && answered {
            v.maintenance_ongoing = Some(report.outcome == Outcome::Maintenance);
            let scheduled = || {
                d.maintenance
                    .iter()
                    .filter(|m| m.state == MaintenanceState::Scheduled)
            };
            v.maintenance_scheduled = Some(scheduled().count());
            v.declared = Some(
                d.maintenance
                    .iter()
                    .filter(|m| m.is_declared_disruption())
                    .count(),
            );
            v.maintenance_next = scheduled()
                .filter_map(|m| m.begin_ms)
                .min()
                .map(|ms| ms as f64 / 1000.0);
        }
    }

    pub fn skipped(&self, check: &Check, reason: Skip) {
        lock(&self.series(check).values).skipped[reason as usize] += 1;
    }

    pub fn lateness(&self, seconds: f64) {
        lock(&self.lateness).observe(&self.lateness_bounds, seconds);
    }

    /// A notice's fate at a sink.
    pub fn notice(&self, sink: &str, event: &str, result: Delivery) {
        let result = match result {
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
            Delivery::Dropped => "dropped",
        };
        *lock(&self.daemon)
            .notices
            .entry((event.to_string(), result, sink.to_string()))
            .or_default() += 1;
    }

    /// Notices waiting to be delivered at `sink`.
    pub fn notice_queue(&self, sink: &str, n: usize) {
        lock(&self.daemon)
            .notice_queue
            .insert(sink.to_string(), n as i64);
    }

    /// Whether this machine can run `check`.
    pub fn runnable(&self, check: &Check, runnable: bool) {
        lock(&self.series(check).values).runnable = Some(runnable);
    }

    /// `Some(up)` after control checks ran; `None` when none are configured.
    /// A channel's state now, judged from its checks' last probes.
    pub fn channel_state(&self, channel: crate::channel::Channel, now: crate::outcome::Outcome) {
        lock(&self.daemon)
            .channel_state
            .insert(channel.as_str(), now.code() as i64);
    }

    pub fn local_network(&self, up: Option<bool>) {
        lock(&self.daemon).local_network = i64::from(up.unwrap_or(true));
    }

    /// A configuration (re)load: success with its checks, or failure.
    pub fn config_loaded(&self, checks: Option<usize>) {
        let mut d = lock(&self.daemon);
        match checks {
            Some(n) => {
                d.reload_success = 1;
                d.reload_time = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
                d.checks = n as i64;
            }
            None => d.reload_success = 0,
        }
    }

    /// Removes every series of a check that is no longer configured.
    pub fn forget(&self, check: &Check) {
        let mut checks = self.checks.write().unwrap_or_else(|p| p.into_inner());
        let channel = check.channel.as_str();
        if let Some(c) = checks.get_mut(channel) {
            c.remove(&check.name);
            if c.is_empty() {
                checks.remove(channel);
            }
        }
    }

    /// The text exposition of every metric, with the writer's counts brought up to date.
    pub fn render(&self, writer: Option<&WriterStats>) -> String {
        if let Some(w) = writer {
            let mut d = lock(&self.daemon);
            // Counters only go up; the writer owns the truth.
            d.written = d.written.max(w.written.load(Ordering::Relaxed));
            d.write_errors = d.write_errors.max(w.write_errors.load(Ordering::Relaxed));
            d.dropped = d.dropped.max(w.dropped.load(Ordering::Relaxed));
            d.pending = w.pending.load(Ordering::Relaxed) as i64;
        }
        let capacity = self.last_len.load(Ordering::Relaxed) + 4096;
        let mut t = Text::new(&[("vantage", &self.vantage)], capacity);
        let checks: Vec<Arc<CheckSeries>> = self
            .checks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .flat_map(|c| c.values().cloned())
            .collect();
        for (family, rows) in FAMILIES {
            match rows {
                Rows::Daemon(write) => write(self, &mut t, family),
                Rows::Check(write) => {
                    for c in &checks {
                        write(self, &mut t, family, &c.labels, &lock(&c.values));
                    }
                }
            }
        }
        let out = t.finish();
        self.last_len.store(out.len(), Ordering::Relaxed);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(DEFAULT_VANTAGE)
    }
}

/// The vantage of an instance that names none.
pub const DEFAULT_VANTAGE: &str = "default";

#[cfg(test)]
mod tests;
