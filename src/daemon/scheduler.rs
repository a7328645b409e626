//! The scheduler: a timer heap of every check's next run, a probe task when
//! one is due (never stacked on a probe still running), the per-host bound
//! and Retry-After, reload and drain.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use chrono_tz::Tz;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::channel::Channel;
use crate::config::{self, Check, Config};
use crate::controls::Controls;
use crate::metrics::{Metrics, Skip};
use crate::outcome::{self, Outcome, Report};
use crate::runner::Prober;
use crate::schedule;

use super::{Recorder, off_the_runtime};

/// What a configuration turns into: its checks and what probes them.
pub(super) struct Generation {
    id: u64,
    pub(super) checks: Arc<Vec<Check>>,
    prober: Arc<Prober>,
    controls: Arc<Controls>,
    jitter: Vec<Duration>,
    /// The host each check's probe lands on (for the per-host bound and
    /// Retry-After), worked out once rather than at every probe.
    hosts: Vec<Arc<str>>,
    /// Whether this machine can run each check; one it cannot is never
    /// scheduled and gets no sample (a browser check without a Chromium).
    runnable: Vec<bool>,
}

pub(super) fn generation(
    id: u64,
    config: &Config,
    recorder: &Arc<Recorder>,
    tz: Tz,
) -> Result<Generation, crate::runner::SetupError> {
    let checks = Arc::new(config.checks.clone());
    let prober = Arc::new(Prober::with_settings(&checks, &config.settings)?);
    let runnable: Vec<bool> = checks
        .iter()
        .map(|c| match prober.runnable(c) {
            Ok(()) => true,
            Err(why) => {
                tracing::warn!(check = %c.name, "not runnable: {why}");
                false
            }
        })
        .collect();
    let rec = recorder.clone();
    let controls = Arc::new(Controls::new(
        &checks,
        prober.clone(),
        Arc::new(move |c: &Check, r: &Report, t| rec.record(c, r, t)),
    ));
    let now = Utc::now();
    let jitter = checks
        .iter()
        .map(|c| schedule::jitter(c, tz, now))
        .collect();
    let hosts = checks.iter().map(|c| Arc::from(c.host())).collect();
    Ok(Generation {
        id,
        checks,
        prober,
        controls,
        jitter,
        hosts,
        runnable,
    })
}

/// Hosts that asked us to wait (`Retry-After`), until when.
pub(super) type Holds = Arc<Mutex<HashMap<String, Instant>>>;

/// The scheduler's state: a timer heap of every check's next run, the probes
/// in flight, and what bounds them.
pub(super) struct Scheduler {
    /// The configuration in force, and what probes it.
    current: Generation,
    /// Kept to warn when a reload changes what only a restart applies.
    settings: config::Settings,
    recorder: Arc<Recorder>,
    tz: Tz,
    max_per_host: usize,
    /// Hosts that asked us to wait (`Retry-After`), shared with probe tasks.
    holds: Holds,
    /// One semaphore per host, so that checks sharing a host are polite to it.
    per_host: HashMap<String, Arc<Semaphore>>,
    /// (due, check index), earliest first: an idle check costs an entry, not a task.
    heap: BinaryHeap<Reverse<(Instant, usize)>>,
    /// Checks whose probe is in flight: a due run of one of them is skipped.
    running: HashSet<usize>,
    /// Every probe task, waited for at shutdown.
    pub(super) probes: JoinSet<(u64, usize)>,
}

impl Scheduler {
    pub(super) fn new(
        current: Generation,
        settings: config::Settings,
        recorder: Arc<Recorder>,
        tz: Tz,
        max_per_host: usize,
    ) -> Scheduler {
        let mut s = Scheduler {
            current,
            settings,
            recorder,
            tz,
            max_per_host: max_per_host.max(1),
            holds: Arc::new(Mutex::new(HashMap::new())),
            per_host: HashMap::new(),
            heap: BinaryHeap::new(),
            running: HashSet::new(),
            probes: JoinSet::new(),
        };
        schedule_start(&s.current, s.tz, &mut s.heap);
        s
    }

    /// Probes on schedule until `shutdown`, reloading the configuration at
    /// every `reload`; then drains (the probes under way end first).
    pub(super) async fn run(
        mut self,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
        reload: &mut tokio::sync::mpsc::UnboundedReceiver<()>,
        source: &config::Source,
    ) {
        loop {
            let next_due = self.next_due();
            tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => break,
                Some(()) = reload.recv() => self.reload(source).await,
                _ = sleep_until(next_due), if next_due.is_some() => self.start_due(),
                Some(done) = self.probes.join_next(), if !self.probes.is_empty() => {
                    self.done(done.ok());
                }
            }
        }
        self.drain().await;
    }

    fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    async fn reload(&mut self, source: &config::Source) {
        let (source, old, id, tz) = (
            source.clone(),
            self.settings.clone(),
            self.current.id + 1,
            self.tz,
        );
        let rec = self.recorder.clone();
        let next = off_the_runtime(move || reload_config(&source, &old, id, &rec, tz))
            .await
            .and_then(|r| r);
        let metrics = &self.recorder.metrics;
        match next {
            Ok((next, new_settings)) => {
                let kept: HashSet<(&str, Channel)> = next
                    .checks
                    .iter()
                    .map(|c| (c.name.as_str(), c.channel))
                    .collect();
                for old in self.current.checks.iter() {
                    if !kept.contains(&(old.name.as_str(), old.channel)) {
                        metrics.forget(old);
                    }
                }
                metrics.config_loaded(Some(next.checks.len()));
                super::give_back_freed_heap();
                publish_runnable(metrics, &next);
                tracing::info!(checks = next.checks.len(), "configuration reloaded");
                self.current = next;
                self.settings = new_settings;
                self.heap.clear();
                self.running.clear();
                schedule_all(&self.current, self.tz, &mut self.heap);
            }
            Err(e) => {
                metrics.config_loaded(None);
                tracing::error!(error = %e, "the new configuration is invalid; the running one stays");
            }
        }
    }

    /// Starts every probe that is due, skipping a check still in flight or
    /// whose host asked us to wait, and queues each one's next run.
    fn start_due(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((due, idx))) = self.heap.peek().copied() {
            if due > now {
                break;
            }
            self.heap.pop();
            let check = &self.current.checks[idx];
            let host = self.current.hosts[idx].clone();
            let held = self
                .holds
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&*host)
                .is_some_and(|until| *until > now);
            if self.running.contains(&idx) {
                self.recorder.metrics.skipped(check, Skip::Overrun);
            } else if held {
                self.recorder.metrics.skipped(check, Skip::RetryAfter);
            } else {
                self.running.insert(idx);
                let max = self.max_per_host;
                let limit = self
                    .per_host
                    .entry(host.to_string())
                    .or_insert_with(|| Arc::new(Semaphore::new(max)))
                    .clone();
                self.probes.spawn(probe_task(
                    &self.current,
                    idx,
                    due,
                    limit,
                    host,
                    self.holds.clone(),
                    self.recorder.clone(),
                ));
            }
            push_next(&self.current, idx, self.tz, &mut self.heap);
        }
    }

    /// A probe task ended (`None`: it panicked, which is a bug; its check may run again).
    fn done(&mut self, ended: Option<(u64, usize)>) {
        if let Some((gen_id, idx)) = ended
            && gen_id == self.current.id
        {
            self.running.remove(&idx);
        }
        self.recorder
            .metrics
            .local_network(self.current.controls.network_up());
    }

    /// Stop: in-flight probes end within their timeout (aborted a second after).
    async fn drain(mut self) {
        let longest = self
            .current
            .checks
            .iter()
            .map(|c| c.timeout)
            .max()
            .unwrap_or_default();
        let probes = &mut self.probes;
        let drain = async { while probes.join_next().await.is_some() {} };
        if tokio::time::timeout(longest + Duration::from_secs(1), drain)
            .await
            .is_err()
        {
            self.probes.abort_all();
            while self.probes.join_next().await.is_some() {}
        }
        // The browser, if one was started, ends with the daemon and is waited for.
        self.current.prober.shutdown().await;
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

fn reload_config(
    source: &config::Source,
    old: &config::Settings,
    id: u64,
    recorder: &Arc<Recorder>,
    tz: Tz,
) -> Result<(Generation, config::Settings), String> {
    let config = config::load_source(source).map_err(|e| e.to_string())?;
    if config.settings.db != old.db || config.settings.listen != old.listen {
        tracing::warn!("changes to `db` and `listen` take effect at the next start");
    }
    let next = generation(id, &config, recorder, tz).map_err(|e| e.to_string())?;
    Ok((next, config.settings))
}

pub(super) fn publish_runnable(metrics: &Metrics, g: &Generation) {
    for (check, runnable) in g.checks.iter().zip(&g.runnable) {
        metrics.runnable(check, *runnable);
    }
}

/// How long the daemon's first probe of every check is spread over.
pub const START_SPREAD: Duration = Duration::from_millis(1500);

/// At start, every check is probed once at once (spread evenly over
/// [`START_SPREAD`], so that a newcomer sees data within seconds), then
/// follows its schedule. A check whose scheduled run comes within a second of
/// its start slot is left to that run, so that no check is probed twice in
/// the same second.
fn schedule_start(g: &Generation, tz: Tz, heap: &mut BinaryHeap<Reverse<(Instant, usize)>>) {
    let now = Instant::now();
    let n = g.checks.len().max(1) as u32;
    for idx in (0..g.checks.len()).filter(|i| g.runnable[*i]) {
        let first = now + START_SPREAD * idx as u32 / n;
        let scheduled = next_at(g, idx, tz);
        match scheduled {
            Some(at) if at <= first + Duration::from_secs(1) => heap.push(Reverse((at, idx))),
            _ => heap.push(Reverse((first, idx))),
        }
    }
}

fn schedule_all(g: &Generation, tz: Tz, heap: &mut BinaryHeap<Reverse<(Instant, usize)>>) {
    for idx in (0..g.checks.len()).filter(|i| g.runnable[*i]) {
        push_next(g, idx, tz, heap);
    }
}

/// Queues the next run of check `idx` (its jitter included) after now.
fn push_next(g: &Generation, idx: usize, tz: Tz, heap: &mut BinaryHeap<Reverse<(Instant, usize)>>) {
    if let Some(at) = next_at(g, idx, tz) {
        heap.push(Reverse((at, idx)));
    }
}

/// When check `idx` runs next by its schedule, its jitter included.
fn next_at(g: &Generation, idx: usize, tz: Tz) -> Option<Instant> {
    let now_wall = Utc::now();
    let now = Instant::now();
    let jitter = g.jitter[idx];
    // The slot whose jittered time is still ahead: `after` is shifted back by the jitter.
    let after = now_wall - chrono::Duration::from_std(jitter).unwrap_or_default();
    let next = schedule::next_run(&g.checks[idx], tz, after)?;
    let wait = (next - now_wall).to_std().unwrap_or_default() + jitter;
    Some(now + wait)
}

fn probe_task(
    g: &Generation,
    idx: usize,
    due: Instant,
    limit: Arc<Semaphore>,
    host: Arc<str>,
    holds: Holds,
    recorder: Arc<Recorder>,
) -> impl Future<Output = (u64, usize)> + Send + 'static {
    let task = ProbeTask {
        gen_id: g.id,
        checks: g.checks.clone(),
        prober: g.prober.clone(),
        controls: g.controls.clone(),
        idx,
        due,
        host,
        holds,
        recorder,
    };
    async move {
        // Never closed, so acquiring cannot fail; without it the probe is only less polite.
        let _permit = limit.acquire_owned().await.ok();
        // The probe's own state (a few KB: a connection, TLS, a parser) is
        // allocated only now that it runs: a task waiting for its host's
        // turn holds little more than its arguments, so that a start-up
        // burst of 10,000 checks on a few hosts costs no 10,000 probes' worth.
        Box::pin(task.run()).await
    }
}

/// One probe of `checks[idx]` and what it needs, once its host's permit is held.
struct ProbeTask {
    gen_id: u64,
    checks: Arc<Vec<Check>>,
    prober: Arc<Prober>,
    controls: Arc<Controls>,
    idx: usize,
    due: Instant,
    host: Arc<str>,
    holds: Holds,
    recorder: Arc<Recorder>,
}

impl ProbeTask {
    /// Probed, judged against the controls, its `Retry-After` kept, and recorded.
    async fn run(self) -> (u64, usize) {
        let check = &self.checks[self.idx];
        let started = Utc::now();
        self.recorder.metrics.lateness(
            Instant::now()
                .saturating_duration_since(self.due)
                .as_secs_f64(),
        );
        let mut report = self.prober.probe(check).await;
        if check.channel == Channel::Control {
            self.controls.note(&check.name, report.outcome);
        } else if report.outcome == Outcome::Down
            && let Some(closed) = self.controls.closed_for(check.channel).await
        {
            outcome::mark_unknown(&mut report, closed);
        }
        if let Some(wait) = report.detail.retry_after
            && report.outcome == Outcome::Throttled
        {
            self.holds
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(self.host.to_string(), Instant::now() + wait);
        }
        tracing::debug!(
            check = %check.name,
            outcome = %report.outcome,
            latency_ms = report.latency.map(crate::outcome::millis),
            reason = %report.reason,
            "probe"
        );
        self.recorder.record(check, &report, started);
        (self.gen_id, self.idx)
    }
}
