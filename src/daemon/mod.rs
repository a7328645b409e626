//! `okx-monitor run`: schedules every check, records every probe (database and
//! metrics), serves `/metrics`, reloads on request and stops on request.
//!
//! One scheduler task keeps a timer heap of every check's next run and spawns a
//! probe task when one is due, so an idle check costs a heap entry, not a task.
//! A check whose previous probe still runs is not stacked: the slot is skipped.
//! Shutdown and reload are parameters (watch and mpsc receivers), raced with
//! `tokio::select!`; every spawned task is owned by a `JoinSet` and waited for.

//!
//! `start.rs` resumes from the database and starts the notices; `scheduler.rs`
//! holds the timer heap, the probe tasks and reload.

mod scheduler;
mod start;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::config::{self, Check, Config};
use crate::metrics::Metrics;
use crate::outcome::Report;
use crate::sample::Sample;
use crate::schedule;
use crate::server::{self, ServerState};
use crate::store::writer::{SampleSender, Writer};

use scheduler::{Scheduler, generation, publish_runnable};
use start::{Notices, Resumed, check_database, start_notices};

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
    Probe(#[from] crate::runner::SetupError),
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
    give_back_freed_heap();
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

    let scheduler = Scheduler::new(current, settings, recorder, tz, opts.max_per_host);
    scheduler
        .run(&mut shutdown, &mut reload, &opts.config)
        .await;
    while services.join_next().await.is_some() {}
    close(writer).await;
    Ok(())
}

/// Returns the heap the start freed to the system: reading the configuration
/// leaves a TOML value per key behind it (10,000 checks' worth), which the
/// allocator would otherwise keep for the daemon's life.
fn give_back_freed_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: glibc's malloc_trim only releases free memory; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Closes the writer (it writes what is queued), and says how much it wrote.
async fn close(writer: Writer) {
    let stats = writer.stats.clone();
    tokio::task::spawn_blocking(move || writer.close())
        .await
        .ok();
    tracing::info!(
        written = stats.written.load(std::sync::atomic::Ordering::Relaxed),
        "okx-monitor stopped"
    );
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
