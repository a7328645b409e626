//! `okx-monitor run`: schedules every check, records every probe (database and
//! metrics), serves `/metrics`, reloads on request and stops on request.
//!
//! One scheduler task keeps a timer heap of every check's next run and spawns a
//! probe task when one is due, so an idle check costs a heap entry, not a task.
//! A check whose previous probe still runs is not stacked: the slot is skipped.
//! Shutdown and reload are parameters (watch and mpsc receivers), raced with
//! `tokio::select!`; every spawned task is owned by a `JoinSet` and waited for.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use crate::channel::Channel;
use crate::config::{self, Check, Config};
use crate::controls::Controls;
use crate::metrics::{Metrics, Skip};
use crate::outcome::{self, Outcome, Report};
use crate::probe::Prober;
use crate::sample::Sample;
use crate::schedule;
use crate::server::{self, ServerState};
use crate::store::Store;
use crate::store::writer::{SampleSender, Writer};

/// Probes of one host at once, unless the settings say otherwise: polite to one
/// site, and enough for checks that share a host.
pub const DEFAULT_MAX_PER_HOST: usize = 8;

pub struct Options {
    /// Where the configuration is re-read from on reload.
    /// Where the configuration is read from, at start and on reload.
    pub config: config::Source,
    pub db: PathBuf,
    pub listen: SocketAddr,
    /// `None`: the settings' time zone, else the system's.
    pub tz: Option<Tz>,
    pub max_per_host: usize,
    /// `None`: the settings' vantage, else "default".
    pub vantage: Option<String>,
    /// `--web-config`: TLS and basic authentication for the HTTP endpoints.
    pub web: Option<Arc<crate::webconfig::WebConfig>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{}", t!("daemon-listen", addr = addr.to_string(), why = source.to_string()))]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{}", t!("daemon-writer", why = .0.to_string()))]
    Writer(std::io::Error),
    #[error(transparent)]
    Probe(#[from] crate::probe::SetupError),
    #[error("{0}")]
    Internal(String),
}

/// Records a probe: the one place that turns a report into a sample and metrics.
struct Recorder {
    metrics: Arc<Metrics>,
    samples: SampleSender,
    /// To the notifier, when `[[notify]]` is configured; a full queue drops.
    observations: Option<mpsc::Sender<crate::notify::notifier::Observation>>,
    /// What holds now, for the pages.
    live: Arc<crate::live::Live>,
}

impl Recorder {
    fn record(&self, check: &Check, report: &Report, started: DateTime<Utc>) {
        let ms = started.timestamp_millis();
        self.metrics.record(check, report, ms as f64 / 1000.0);
        let sample = Sample::new(&check.name, check.channel, ms, report);
        let recorded = self.live.record(&sample, report);
        if let Some(now) = recorded.channel_now {
            self.metrics.channel_state(check.channel, now);
        }
        if let Some(incident) = recorded.incident {
            self.samples.send_incident(incident);
        }
        self.samples.send(sample);
        if let Some(tx) = &self.observations {
            let _ = tx.try_send(crate::notify::notifier::Observation {
                check: check.name.clone(),
                channel: check.channel,
                outcome: report.outcome,
                failure: report.failure,
                reason: report.reason.clone(),
                at_ms: ms,
                declared: report
                    .detail
                    .maintenance
                    .iter()
                    .filter(|m| m.is_declared_disruption())
                    .map(|m| (m.title.clone(), m.begin_ms.unwrap_or(ms)))
                    .collect(),
            });
        }
    }
}

/// What a configuration turns into: its checks and what probes them.
struct Generation {
    id: u64,
    checks: Arc<Vec<Check>>,
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

fn generation(
    id: u64,
    config: &Config,
    recorder: &Arc<Recorder>,
    tz: Tz,
) -> Result<Generation, crate::probe::SetupError> {
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
type Holds = Arc<Mutex<HashMap<String, Instant>>>;

/// Runs until `shutdown` turns true; `reload` asks for the configuration to be re-read.
pub async fn run(
    config: Config,
    opts: Options,
    mut shutdown: watch::Receiver<bool>,
    mut reload: mpsc::UnboundedReceiver<()>,
) -> Result<(), DaemonError> {
    let tz = opts
        .tz
        .or(config.settings.timezone)
        .unwrap_or_else(schedule::system_tz);
    let Resumed {
        states: saved,
        live,
    } = check_database(&opts.db, config.incident_rules()).await?;
    let live = Arc::new(live);
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(|source| DaemonError::Listen {
            addr: opts.listen,
            source,
        })?;
    let writer =
        Writer::start(opts.db.clone(), config.settings.retention).map_err(DaemonError::Writer)?;
    let vantage = opts
        .vantage
        .clone()
        .or_else(|| config.settings.vantage.clone())
        .unwrap_or_else(|| crate::metrics::DEFAULT_VANTAGE.to_string());
    let metrics = Arc::new(Metrics::new(&vantage));
    let mut services = JoinSet::new();
    let notices = Notices {
        metrics: &metrics,
        vantage: &vantage,
        tz,
        saved,
        samples: writer.sender(),
        db: &opts.db,
    };
    let observations = start_notices(&config, notices, &shutdown, &mut services)?;
    let recorder = Arc::new(Recorder {
        metrics: metrics.clone(),
        samples: writer.sender(),
        observations,
        live: live.clone(),
    });
    let rec = recorder.clone();
    let current =
        off_the_runtime(move || generation(0, &config, &rec, tz).map(|g| (g, config.settings)))
            .await
            .map_err(DaemonError::Internal)??;
    let (current, settings) = current;
    metrics.config_loaded(Some(current.checks.len()));
    publish_runnable(&metrics, &current);
    metrics.local_network(None);

    let server_state = Arc::new(ServerState {
        metrics: metrics.clone(),
        writer: Some(writer.stats.clone()),
        web: opts.web.clone(),
        pages: Some(
            crate::server::Pages::new(crate::server::PagesSource {
                db: opts.db.clone(),
                tz,
                min_samples: u64::from(settings.min_samples),
                configured: current.checks.iter().map(|c| c.channel).collect(),
                intervals: crate::schedule::channel_intervals(&current.checks, tz, Utc::now()),
                vantage: vantage.clone(),
                tls: opts.web.as_ref().is_some_and(|w| w.tls.is_some()),
                live: live.clone(),
            })
            .map_err(|e| DaemonError::Internal(e.to_string()))?,
        ),
    });
    services.spawn(server::serve(listener, server_state, shutdown.clone()));
    tracing::info!(
        listen = %opts.listen,
        config = %opts.config,
        db = %opts.db.display(),
        checks = current.checks.len(),
        timezone = %tz,
        vantage = %vantage,
        "okx-monitor is running"
    );

    let mut scheduler = Scheduler::new(current, settings, recorder, tz, opts.max_per_host);
    loop {
        let next_due = scheduler.next_due();
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            Some(()) = reload.recv() => scheduler.reload(&opts.config).await,
            _ = sleep_until(next_due), if next_due.is_some() => scheduler.start_due(),
            Some(done) = scheduler.probes.join_next(), if !scheduler.probes.is_empty() => {
                scheduler.done(done.ok());
            }
        }
    }

    scheduler.drain().await;
    while services.join_next().await.is_some() {}
    let stats = writer.stats.clone();
    tokio::task::spawn_blocking(move || writer.close())
        .await
        .ok();
    tracing::info!(
        written = stats.written.load(std::sync::atomic::Ordering::Relaxed),
        "okx-monitor stopped"
    );
    Ok(())
}

/// Starts the notifier and the delivery queue when `[[notify]]` is
/// configured; returns where observations go.
/// What the notifier is started with.
struct Notices<'a> {
    metrics: &'a Arc<Metrics>,
    vantage: &'a str,
    tz: Tz,
    /// Each sink's state as the last run left it.
    saved: HashMap<String, String>,
    /// Where its state is kept (with the samples, by the writer).
    samples: SampleSender,
    /// The history, for the next best windows.
    db: &'a std::path::Path,
}

fn start_notices(
    config: &Config,
    with: Notices<'_>,
    shutdown: &watch::Receiver<bool>,
    services: &mut JoinSet<()>,
) -> Result<Option<mpsc::Sender<crate::notify::notifier::Observation>>, DaemonError> {
    let Notices {
        metrics,
        vantage,
        tz,
        saved,
        samples,
        db: with_db,
    } = with;
    use crate::notify::{deliver, notifier};
    if config.notify.is_empty() {
        return Ok(None);
    }
    let client = crate::notify::deliver::client().map_err(DaemonError::Internal)?;
    let (observe, observations) = mpsc::channel(4096);
    let m = metrics.clone();
    let m2 = metrics.clone();
    let report = deliver::Report {
        result: Arc::new(move |sink: &str, event: &str, r| m.notice(sink, event, r)),
        queued: Arc::new(move |sink: &str, n| m2.notice_queue(sink, n)),
    };
    let m = metrics.clone();
    let dropped =
        Box::new(move |sink: &str, event: &str| m.notice(sink, event, deliver::Result::Dropped));
    let save = Box::new(move |sink: &str, state: String| samples.send_notify_state(sink, state));
    let outlets = notifier::Outlets {
        vantage: vantage.to_string(),
        tz,
        dropped,
        save,
    };
    // Every sink its own queue and task: one that hangs delays no other.
    let open = |target| {
        deliver::start(
            client.clone(),
            target,
            report.clone(),
            shutdown.clone(),
            services,
        )
    };
    let n = notifier::Notifier::new(&config.notify, &config.checks, outlets, &saved, open);
    let (db, min_samples) = (
        with_db.to_path_buf(),
        u64::from(config.settings.min_samples),
    );
    let next_best: notifier::NextBest = Arc::new(move || next_best_windows(&db, tz, min_samples));
    services.spawn(notifier::run(n, observations, next_best, shutdown.clone()));
    Ok(Some(observe))
}

/// Each channel's next best window start (ms), as `status` computes it, from
/// the history at `db`; empty when there is none yet. Blocking: reads the disk.
fn next_best_windows(
    db: &std::path::Path,
    tz: Tz,
    min_samples: u64,
) -> std::collections::BTreeMap<Channel, i64> {
    let now = Utc::now();
    let Ok(store) = Store::open_existing(db) else {
        return Default::default();
    };
    let window = crate::status::DEFAULT_WINDOW;
    let Ok(input) = crate::status::from_store(&store, Vec::new(), window, tz, now) else {
        return Default::default();
    };
    let opts = crate::status::Options {
        tz,
        window,
        span: crate::status::DEFAULT_SPAN,
        min_samples,
        channels: Vec::new(),
        // Only the windows' times are read here, never the words.
        lang: crate::i18n::Lang::En,
    };
    crate::status::build(&input, &opts, now)
        .channels
        .iter()
        .filter_map(|c| {
            let start = c.next_best.as_ref()?.start.as_str();
            let start = DateTime::parse_from_rfc3339(start).ok()?;
            Some((c.channel, start.timestamp_millis()))
        })
        .collect()
}

/// Checks the database before the daemon starts, on a blocking thread (the
/// runtime never waits on the disk). A missing directory, or a file that is
/// not an okx-monitor database, is a mistake that will not fix itself: the
/// daemon does not start. A database that cannot be opened now (a full or
/// read-only disk) is a passing fault: probing goes on and the writer retries.
async fn check_database(
    db: &std::path::Path,
    rules: crate::incident::Rules,
) -> Result<Resumed, DaemonError> {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !dir.is_dir() {
        return Err(DaemonError::Store(crate::store::StoreError::Missing {
            path: dir.to_path_buf(),
        }));
    }
    let path = db.to_path_buf();
    let opened = tokio::task::spawn_blocking(move || {
        let mut store = Store::open(&path)?;
        // The open incidents, judged again from the samples behind them.
        let tracker = store.rebuild_incidents(Utc::now().timestamp_millis(), rules)?;
        Ok(Resumed {
            states: store.notify_states()?,
            live: crate::live::Live::new(store.latest()?, tracker),
        })
    })
    .await;
    let fresh = || Resumed {
        states: HashMap::new(),
        live: crate::live::Live::new(Vec::new(), crate::incident::Tracker::new(rules)),
    };
    match opened {
        Ok(Ok(resumed)) => Ok(resumed),
        // Not a database will not fix itself: refuse to start.
        Ok(Err(e @ crate::store::StoreError::NotOurs { .. })) => Err(DaemonError::Store(e)),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot open the database now; probing goes on and samples wait in memory");
            Ok(fresh())
        }
        Err(_) => Ok(fresh()),
    }
}

/// What the daemon goes on from: each sink's state, and what held now when
/// it stopped (latest samples, open incidents).
struct Resumed {
    states: HashMap<String, String>,
    live: crate::live::Live,
}

/// Runs `f` (which reads files: the configuration, CA certificates) on a
/// blocking thread, inside the runtime's context so that it may build clients.
/// `Err` only if `f` panicked, which is a bug.
async fn off_the_runtime<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("internal error: {e}"))
}

/// The scheduler's state: a timer heap of every check's next run, the probes
/// in flight, and what bounds them.
struct Scheduler {
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
    probes: JoinSet<(u64, usize)>,
}

impl Scheduler {
    fn new(
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

fn publish_runnable(metrics: &Metrics, g: &Generation) {
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
    let (gen_id, checks, prober, controls) =
        (g.id, g.checks.clone(), g.prober.clone(), g.controls.clone());
    async move {
        let check = &checks[idx];
        // Never closed, so acquiring cannot fail; without it the probe is only less polite.
        let _permit = limit.acquire_owned().await.ok();
        let started = Utc::now();
        recorder
            .metrics
            .lateness(Instant::now().saturating_duration_since(due).as_secs_f64());
        let mut report = prober.probe(check).await;
        if check.channel == Channel::Control {
            controls.note(&check.name, report.outcome);
        } else if report.outcome == Outcome::Down
            && let Some(closed) = controls.closed_for(check.channel).await
        {
            outcome::mark_unknown(&mut report, closed);
        }
        if let Some(wait) = report.detail.retry_after
            && report.outcome == Outcome::Throttled
        {
            holds
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(host.to_string(), Instant::now() + wait);
        }
        tracing::debug!(
            check = %check.name,
            outcome = %report.outcome,
            latency_ms = report.latency.map(crate::outcome::millis),
            reason = %report.reason,
            "probe"
        );
        recorder.record(check, &report, started);
        (gen_id, idx)
    }
}
