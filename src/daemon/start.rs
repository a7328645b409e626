//! What the daemon starts from and with: the database checked and what
//! held now when it stopped (latest samples, open incidents, each sink's
//! state), and the notifier with its delivery queues.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use chrono_tz::Tz;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::channel::Channel;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::writer::SampleSender;

use super::DaemonError;

/// What the notifier is started with.
pub(super) struct Notices<'a> {
    pub(super) metrics: &'a Arc<Metrics>,
    pub(super) vantage: &'a str,
    pub(super) tz: Tz,
    /// Each sink's state as the last run left it.
    pub(super) saved: HashMap<String, String>,
    /// Where its state is kept (with the samples, by the writer).
    pub(super) samples: SampleSender,
    /// The history, for the next best windows.
    pub(super) db: &'a std::path::Path,
}

/// Starts the notifier and the delivery queue when `[[notify]]` is
/// configured; returns where observations go.
pub(super) fn start_notices(
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

/// Each channel's next best window start (ms), asked of the pattern of the
/// history at `db`; empty when there is none yet. Blocking: reads the disk.
pub(super) fn next_best_windows(
    db: &std::path::Path,
    tz: Tz,
    min_samples: u64,
) -> std::collections::BTreeMap<Channel, i64> {
    let now = Utc::now();
    let Ok(store) = Store::open_existing(db) else {
        return Default::default();
    };
    let window = crate::status::DEFAULT_WINDOW;
    let Ok(input) = crate::status::from_store(
        &store,
        Vec::new(),
        window,
        tz,
        now,
        crate::status::Patterns::EachChannel,
    ) else {
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
    crate::status::next_best_starts(&input, &opts, now)
        .into_iter()
        .map(|(channel, start)| (channel, start.timestamp_millis()))
        .collect()
}

/// Checks the database before the daemon starts, on a blocking thread (the
/// runtime never waits on the disk). A missing directory, or a file that is
/// not an okx-monitor database, is a mistake that will not fix itself: the
/// daemon does not start. A database that cannot be opened now (a full or
/// read-only disk) is a passing fault: probing goes on and the writer retries.
pub(super) async fn check_database(
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
pub(super) struct Resumed {
    pub(super) states: HashMap<String, String>,
    pub(super) live: crate::live::Live,
}
