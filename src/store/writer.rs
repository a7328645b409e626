//! The daemon's path into the store: samples go over a channel to one thread
//! that owns the SQLite connection and writes them in batches, so that the async
//! runtime never waits on the disk. A failed write (full disk, read-only file)
//! keeps the samples in memory, up to a bound, and retries; the error is logged
//! once per burst, not per sample.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Store, StoreError};
use crate::sample::Sample;

/// A batch is written at most this long after its first sample arrived: the
/// most a `kill -9` can lose.
pub const FLUSH_EVERY: Duration = Duration::from_millis(200);
/// A batch is written early when it reaches this size.
const MAX_BATCH: usize = 5_000;
/// Samples kept while the database refuses writes; older ones are dropped beyond it.
const MAX_PENDING: usize = 200_000;
/// How often raw samples past the retention are deleted.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// How often the hours that ended are summed into hourly rollups.
const COMPACT_EVERY: Duration = Duration::from_secs(600);

/// What the writer has done, for `/metrics`.
#[derive(Debug, Default)]
pub struct WriterStats {
    pub written: AtomicU64,
    pub write_errors: AtomicU64,
    pub dropped: AtomicU64,
    pub pending: AtomicU64,
    /// Whether the last write attempt failed.
    pub failing: AtomicBool,
}

/// What the writer thread writes.
enum Write {
    Sample(Sample),
    /// The notifier's state of one sink (JSON); only the latest of a batch is kept.
    NotifyState {
        sink: String,
        state: String,
    },
    /// An incident as it opened, changed or closed; the latest of a batch is kept.
    Incident(crate::incident::Incident),
}

pub struct Writer {
    /// `None` once closed; dropping the sender is what tells the thread to finish.
    tx: Option<mpsc::Sender<Write>>,
    thread: Option<JoinHandle<()>>,
    pub stats: Arc<WriterStats>,
}

impl Writer {
    /// Starts the writer thread over the database at `path`, which it opens
    /// itself (and opens again after a failed write, so that a file system that
    /// was read-only or full is used again once it is not); raw samples older
    /// than `retention` are deleted at start and hourly.
    pub fn start(path: std::path::PathBuf, retention: Duration) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel();
        let stats = Arc::new(WriterStats::default());
        let thread_stats = stats.clone();
        let thread = std::thread::Builder::new()
            .name("okx-monitor-writer".to_string())
            .spawn(move || run(&path, rx, retention, &thread_stats))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
            stats,
        })
    }

    /// A handle that queues samples from any thread or task.
    pub fn sender(&self) -> SampleSender {
        SampleSender {
            tx: self.tx.clone(),
            stats: self.stats.clone(),
        }
    }

    /// Writes everything queued and stops the thread.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Queues samples for the writer. The thread finishes once the [`Writer`] is
/// closed and every sender is dropped.
#[derive(Clone)]
pub struct SampleSender {
    tx: Option<mpsc::Sender<Write>>,
    stats: Arc<WriterStats>,
}

impl SampleSender {
    /// Queues a sample; never blocks.
    pub fn send(&self, sample: Sample) {
        if let Some(tx) = &self.tx {
            self.stats.pending.fetch_add(1, Ordering::Relaxed);
            // The thread runs while any sender exists, so a send cannot fail.
            let _ = tx.send(Write::Sample(sample));
        }
    }

    /// Queues an incident as it now stands, written with the next batch.
    pub fn send_incident(&self, incident: crate::incident::Incident) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Write::Incident(incident));
        }
    }

    /// Queues the notifier's state of `sink`, written with the next batch.
    pub fn send_notify_state(&self, sink: &str, state: String) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Write::NotifyState {
                sink: sink.to_string(),
                state,
            });
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(
    path: &std::path::Path,
    rx: mpsc::Receiver<Write>,
    retention: Duration,
    stats: &WriterStats,
) {
    let mut store: Option<Store> = None;
    let mut batch = Batch::default();
    let mut last_retention: Option<Instant> = None;
    let mut last_compact: Option<Instant> = None;
    let mut open = true;
    while open || !batch.is_empty() {
        if open {
            open = batch.gather(&rx);
        }
        let due = batch.first_at.is_some_and(|t| t.elapsed() >= FLUSH_EVERY);
        if !batch.is_empty() && (due || batch.pending.len() >= MAX_BATCH || !open) {
            let incidents: Vec<_> = batch.incidents.values().cloned().collect();
            let written = write(path, &mut store, &batch.pending, &batch.states, &incidents);
            if !batch.settle(written, stats, open) {
                return;
            }
        }
        if store.is_some() && last_retention.is_none_or(|t| t.elapsed() >= RETENTION_EVERY) {
            last_retention = Some(Instant::now());
            if let Some(s) = store.as_mut() {
                apply_retention(s, retention);
            }
        }
        if store.is_some() && last_compact.is_none_or(|t| t.elapsed() >= COMPACT_EVERY) {
            last_compact = Some(Instant::now());
            if let Some(s) = store.as_mut()
                && let Err(e) = s.compact_hours(chrono::Utc::now().timestamp_millis())
            {
                tracing::warn!(error = %e, "cannot sum the hours that ended");
            }
        }
    }
}

/// Samples waiting to be written, and when the first of them came.
#[derive(Default)]
struct Batch {
    pending: Vec<Sample>,
    /// The latest notifier state of each sink.
    states: std::collections::HashMap<String, String>,
    /// The latest of each incident, by its key.
    incidents:
        std::collections::BTreeMap<(crate::channel::Channel, i64), crate::incident::Incident>,
    first_at: Option<Instant>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.pending.is_empty() && self.states.is_empty() && self.incidents.is_empty()
    }

    fn take(&mut self, w: Write) {
        self.first_at.get_or_insert_with(Instant::now);
        match w {
            Write::Sample(s) => self.pending.push(s),
            Write::NotifyState { sink, state } => {
                self.states.insert(sink, state);
            }
            Write::Incident(i) => {
                self.incidents.insert(i.key(), i);
            }
        }
    }

    /// Takes what the channel holds, waiting as a batch needs; false once
    /// every sender is gone.
    fn gather(&mut self, rx: &mpsc::Receiver<Write>) -> bool {
        let mut open = true;
        if self.is_empty() {
            // Idle: block until the first sample of the next batch.
            match rx.recv_timeout(FLUSH_EVERY) {
                Ok(w) => self.take(w),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => open = false,
            }
        } else {
            // A batch is open: sleep to its deadline, then take everything
            // queued. Waiting in recv() instead would wake this thread for
            // every sample sent.
            let deadline = self
                .first_at
                .map_or(FLUSH_EVERY, |t| FLUSH_EVERY.saturating_sub(t.elapsed()));
            std::thread::sleep(deadline);
        }
        loop {
            match rx.try_recv() {
                Ok(w) => self.take(w),
                Err(mpsc::TryRecvError::Empty) => return open,
                Err(mpsc::TryRecvError::Disconnected) => return false,
            }
        }
    }

    /// Counts a write's result; after a failure keeps the samples (up to
    /// [`MAX_PENDING`]) for the next try. False when the writer must give up:
    /// shutting down with a database that refuses writes.
    fn settle(&mut self, written: Result<(), StoreError>, stats: &WriterStats, open: bool) -> bool {
        let n = self.pending.len() as u64;
        match written {
            Ok(()) => {
                stats.written.fetch_add(n, Ordering::Relaxed);
                stats.pending.fetch_sub(n, Ordering::Relaxed);
                if stats.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!(samples = n, "the database accepts writes again");
                }
                self.pending.clear();
                self.states.clear();
                self.incidents.clear();
                self.first_at = None;
                true
            }
            Err(e) => {
                stats.write_errors.fetch_add(1, Ordering::Relaxed);
                if !stats.failing.swap(true, Ordering::Relaxed) {
                    tracing::error!(error = %e, "cannot write samples; keeping them in memory and retrying");
                }
                if self.pending.len() > MAX_PENDING {
                    let drop = self.pending.len() - MAX_PENDING;
                    self.pending.drain(..drop);
                    stats.dropped.fetch_add(drop as u64, Ordering::Relaxed);
                    stats.pending.fetch_sub(drop as u64, Ordering::Relaxed);
                }
                if !open {
                    // Nothing more can be done for these samples.
                    tracing::error!(
                        samples = self.pending.len(),
                        "exiting with samples not written"
                    );
                    return false;
                }
                self.first_at = Some(Instant::now());
                true
            }
        }
    }
}

/// Writes `samples`, opening the database (again) when needed: failing to open
/// is a failed write like any other. After a failed write the connection is
/// dropped, so that one opened read-only (or on a full disk) is not kept.
fn write(
    path: &std::path::Path,
    store: &mut Option<Store>,
    samples: &[Sample],
    states: &std::collections::HashMap<String, String>,
    incidents: &[crate::incident::Incident],
) -> Result<(), StoreError> {
    let mut s = match store.take() {
        Some(s) => s,
        None => Store::open(path)?,
    };
    s.insert_with_states(samples, states, incidents)?;
    *store = Some(s);
    Ok(())
}

fn apply_retention(store: &mut Store, retention: Duration) {
    let cutoff = chrono::Utc::now().timestamp_millis()
        - i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    match store.delete_before(cutoff) {
        Ok(0) => {}
        Ok(n) => tracing::info!(samples = n, "deleted raw samples past the retention"),
        Err(e) => tracing::warn!(error = %e, "cannot apply the retention"),
    }
}
