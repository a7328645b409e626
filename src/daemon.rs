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
use crate::metrics::Metrics;
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
    pub config_path: PathBuf,
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
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the database writer: {0}")]
    Writer(std::io::Error),
    #[error(transparent)]
    Probe(#[from] crate::probe::SetupError),
}

/// Records a probe: the one place that turns a report into a sample and metrics.
struct Recorder {
    metrics: Arc<Metrics>,
    samples: SampleSender,
}

impl Recorder {
    fn record(&self, check: &Check, report: &Report, started: DateTime<Utc>) {
        let ms = started.timestamp_millis();
        self.metrics.record(check, report, ms as f64 / 1000.0);
        self.samples
            .send(Sample::new(&check.name, check.channel, ms, report));
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
}

fn generation(
    id: u64,
    config: &Config,
    recorder: &Arc<Recorder>,
    tz: Tz,
) -> Result<Generation, crate::probe::SetupError> {
    let checks = Arc::new(config.checks.clone());
    let prober = Arc::new(Prober::new(&checks)?);
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
    // The database itself is opened by the writer, which keeps going (and
    // keeps samples in memory) while it cannot be written; a directory that
    // does not exist is a configuration mistake, reported now.
    let dir = opts
        .db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !dir.is_dir() {
        return Err(DaemonError::Store(crate::store::StoreError::Missing {
            path: dir.to_path_buf(),
        }));
    }
    if let Err(e) = Store::open(&opts.db) {
        tracing::error!(error = %e, "cannot open the database now; probing goes on and samples wait in memory");
    }
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
    let recorder = Arc::new(Recorder {
        metrics: metrics.clone(),
        samples: writer.sender(),
    });
    let mut current = generation(0, &config, &recorder, tz)?;
    metrics.config_loaded(Some(current.checks.len()));
    metrics.local_network(None);
    let mut settings = config.settings;

    let server_state = Arc::new(ServerState {
        metrics: metrics.clone(),
        writer: Some(writer.stats.clone()),
        web: opts.web.clone(),
    });
    let mut services = JoinSet::new();
    services.spawn(server::serve(listener, server_state, shutdown.clone()));
    tracing::info!(
        listen = %opts.listen,
        db = %opts.db.display(),
        checks = current.checks.len(),
        timezone = %tz,
        vantage = %vantage,
        "okx-monitor is running"
    );

    let holds: Holds = Arc::new(Mutex::new(HashMap::new()));
    let mut per_host: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut heap = BinaryHeap::new();
    let mut running: HashSet<usize> = HashSet::new();
    let mut probes: JoinSet<(u64, usize)> = JoinSet::new();
    schedule_all(&current, tz, &mut heap);

    loop {
        let next_due = heap.peek().map(|Reverse((at, _))| *at);
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            Some(()) = reload.recv() => {
                match reload_config(&opts.config_path, &settings, current.id + 1, &recorder, tz) {
                    Ok((next, new_settings)) => {
                        let kept: HashSet<(&str, Channel)> =
                            next.checks.iter().map(|c| (c.name.as_str(), c.channel)).collect();
                        for old in current.checks.iter() {
                            if !kept.contains(&(old.name.as_str(), old.channel)) {
                                metrics.forget(old);
                            }
                        }
                        metrics.config_loaded(Some(next.checks.len()));
                        tracing::info!(checks = next.checks.len(), "configuration reloaded");
                        current = next;
                        settings = new_settings;
                        heap.clear();
                        running.clear();
                        schedule_all(&current, tz, &mut heap);
                    }
                    Err(e) => {
                        metrics.config_loaded(None);
                        tracing::error!(error = %e, "the new configuration is invalid; the running one stays");
                    }
                }
            }
            _ = sleep_until(next_due), if next_due.is_some() => {
                let now = Instant::now();
                while let Some(Reverse((due, idx))) = heap.peek().copied() {
                    if due > now {
                        break;
                    }
                    heap.pop();
                    let check = &current.checks[idx];
                    let host = current.hosts[idx].clone();
                    let held = holds.lock().unwrap_or_else(|p| p.into_inner()).get(&*host).is_some_and(|until| *until > now);
                    if running.contains(&idx) {
                        metrics.skipped(check, "overrun");
                    } else if held {
                        metrics.skipped(check, "retry_after");
                    } else {
                        running.insert(idx);
                        let limit = match per_host.get(&*host) {
                            Some(l) => l.clone(),
                            None => {
                                let l = Arc::new(Semaphore::new(opts.max_per_host.max(1)));
                                per_host.insert(host.to_string(), l.clone());
                                l
                            }
                        };
                        probes.spawn(probe_task(&current, idx, due, limit, host, holds.clone(), recorder.clone()));
                    }
                    push_next(&current, idx, tz, &mut heap);
                }
            }
            Some(done) = probes.join_next(), if !probes.is_empty() => {
                if let Ok((gen_id, idx)) = done && gen_id == current.id {
                    running.remove(&idx);
                }
                recorder.metrics.local_network(current.controls.network_up());
            }
        }
    }

    // Stop: in-flight probes end within their timeout; then flush and exit.
    let longest = current
        .checks
        .iter()
        .map(|c| c.timeout)
        .max()
        .unwrap_or_default();
    let drain = async { while probes.join_next().await.is_some() {} };
    if tokio::time::timeout(longest + Duration::from_secs(1), drain)
        .await
        .is_err()
    {
        probes.abort_all();
    }
    while services.join_next().await.is_some() {}
    drop(current);
    drop(recorder);
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

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

fn reload_config(
    path: &std::path::Path,
    old: &config::Settings,
    id: u64,
    recorder: &Arc<Recorder>,
    tz: Tz,
) -> Result<(Generation, config::Settings), String> {
    let config = config::load(path).map_err(|e| e.to_string())?;
    if config.settings.db != old.db || config.settings.listen != old.listen {
        tracing::warn!("changes to `db` and `listen` take effect at the next start");
    }
    let next = generation(id, &config, recorder, tz).map_err(|e| e.to_string())?;
    Ok((next, config.settings))
}

fn schedule_all(g: &Generation, tz: Tz, heap: &mut BinaryHeap<Reverse<(Instant, usize)>>) {
    for idx in 0..g.checks.len() {
        push_next(g, idx, tz, heap);
    }
}

/// Queues the next run of check `idx` (its jitter included) after now.
fn push_next(g: &Generation, idx: usize, tz: Tz, heap: &mut BinaryHeap<Reverse<(Instant, usize)>>) {
    let now_wall = Utc::now();
    let now = Instant::now();
    let jitter = g.jitter[idx];
    // The slot whose jittered time is still ahead: `after` is shifted back by the jitter.
    let after = now_wall - chrono::Duration::from_std(jitter).unwrap_or_default();
    if let Some(next) = schedule::next_run(&g.checks[idx], tz, after) {
        let wait = (next - now_wall).to_std().unwrap_or_default() + jitter;
        heap.push(Reverse((now + wait, idx)));
    }
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
        } else if report.outcome == Outcome::Down && controls.all_down().await {
            outcome::mark_unknown(&mut report);
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
