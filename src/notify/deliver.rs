//! Delivery: every sink has its own bounded queue served by its own task, so
//! sending never delays a probe and one sink never delays another (a sink
//! that hangs holds only its own notices, as Alertmanager's receivers do). A
//! failing attempt (refused, timeout, 4xx/5xx) is retried with exponential
//! backoff and jitter, then given up on and counted as dropped; each attempt
//! is bounded by a timeout. A sink's notices go out in the order they were
//! queued: its "recovered" never overtakes its "down". At shutdown every
//! queue is drained at once, within a bounded time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::Notice;
use crate::sinks::{ATTEMPT_TIMEOUT, Sink};

/// Notices waiting at one sink at most; beyond, new ones are dropped and counted.
pub const QUEUE: usize = 1024;
/// Attempts per notice before it is dropped.
pub const ATTEMPTS: u32 = 5;
/// How long shutdown waits for the queues to drain (all at once).
pub const DRAIN: Duration = Duration::from_secs(5);
/// The wait before the first retry; it doubles after each.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The HTTP client of the sinks.
pub fn client() -> std::result::Result<reqwest::Client, String> {
    crate::tls::web_client()?.build().map_err(|e| e.to_string())
}

/// A sink with its name.
#[derive(Clone)]
pub struct Target {
    pub name: String,
    pub sink: Arc<dyn Sink>,
}

/// What happened to one notice at one sink: the metrics' own label values.
pub use crate::metrics::Delivery as Result;

/// Counts one result of (sink, event).
pub type OnResult = Arc<dyn Fn(&str, &str, Result) + Send + Sync>;

/// Reports a sink's queue length.
pub type OnQueued = Arc<dyn Fn(&str, usize) + Send + Sync>;

/// Reports of delivery, for the metrics: each result by (sink, event), and
/// a sink's queue length after each of its notices.
#[derive(Clone)]
pub struct Report {
    pub result: OnResult,
    pub queued: OnQueued,
}

/// One sink's queue: where the notifier leaves its notices.
#[derive(Clone)]
pub struct Queue {
    sink: String,
    tx: mpsc::Sender<Notice>,
}

impl Queue {
    /// The sink's name.
    pub fn sink(&self) -> &str {
        &self.sink
    }

    /// Leaves `notice` without waiting; `false` when the sink's queue is full
    /// (the notice is not kept).
    pub fn offer(&self, notice: Notice) -> bool {
        self.tx.try_send(notice).is_ok()
    }
}

/// Starts `target`'s own delivery task in `tasks` and returns its queue. The
/// task serves the queue until `shutdown`, then drains it for at most [`DRAIN`].
pub fn start(
    client: reqwest::Client,
    target: Target,
    report: Report,
    shutdown: watch::Receiver<bool>,
    tasks: &mut JoinSet<()>,
) -> Queue {
    let (tx, rx) = mpsc::channel(QUEUE);
    (report.queued)(&target.name, 0);
    let queue = Queue {
        sink: target.name.clone(),
        tx,
    };
    tasks.spawn(serve(client, target, rx, report, shutdown));
    queue
}

/// Delivers one notice in one attempt bounded by [`ATTEMPT_TIMEOUT`]; `Err`
/// is why it failed, never holding a secret (URLs are left out of errors).
pub async fn deliver_once(
    client: &reqwest::Client,
    sink: &dyn Sink,
    notice: &Notice,
) -> std::result::Result<(), crate::reason::Reason> {
    match tokio::time::timeout(ATTEMPT_TIMEOUT, sink.send(client, notice)).await {
        Err(_) => Err(crate::reason!("timeout", within_ms = ATTEMPT_TIMEOUT)),
        Ok(r) => r,
    }
}

/// One sink's task: its notices one at a time, in order, each with its
/// retries, until `shutdown`; then what is queued gets one bounded chance.
async fn serve(
    client: reqwest::Client,
    target: Target,
    mut queue: mpsc::Receiver<Notice>,
    report: Report,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let next = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => break,
            n = queue.recv() => n,
        };
        let Some(notice) = next else { return };
        let sent = tokio::select! {
            r = with_retries(&client, &target, &notice, &report) => r,
            _ = shutdown.wait_for(|s| *s) => Result::Dropped,
        };
        (report.result)(&target.name, notice.event.as_str(), sent);
        (report.queued)(&target.name, queue.len());
    }
    // Every notice still queued gets a chance until one shared deadline; past
    // it, each is counted as dropped without an attempt: none is lost untold.
    let deadline = tokio::time::Instant::now() + DRAIN;
    while let Ok(notice) = queue.try_recv() {
        let attempt = deliver_once(&client, target.sink.as_ref(), &notice);
        let sent = match tokio::time::timeout_at(deadline, attempt).await {
            Ok(Ok(())) => Result::Sent,
            Ok(Err(_)) | Err(_) => Result::Dropped,
        };
        (report.result)(&target.name, notice.event.as_str(), sent);
    }
    (report.queued)(&target.name, 0);
}

async fn with_retries(
    client: &reqwest::Client,
    target: &Target,
    notice: &Notice,
    report: &Report,
) -> Result {
    let mut wait = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        match deliver_once(client, target.sink.as_ref(), notice).await {
            Ok(()) => return Result::Sent,
            Err(why) => {
                (report.result)(&target.name, notice.event.as_str(), Result::Failed);
                tracing::warn!(sink = %target.name, attempt, error = %why, "notice not delivered");
                if attempt < ATTEMPTS {
                    tokio::time::sleep(wait + jitter()).await;
                    wait *= 2;
                }
            }
        }
    }
    Result::Dropped
}

/// Up to 250 ms from the clock's nanoseconds: enough to spread retries.
fn jitter() -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    Duration::from_millis(u64::from(nanos % 250))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::sinks::Sent;

    /// A sink that never answers, counting its attempts.
    #[derive(Default)]
    struct Hanging {
        attempts: AtomicUsize,
    }

    impl Sink for Hanging {
        fn send<'a>(&'a self, _: &'a reqwest::Client, _: &'a Notice) -> Sent<'a> {
            self.attempts.fetch_add(1, Ordering::SeqCst);
            Box::pin(std::future::pending())
        }
    }

    /// A sink that fails its first `fail_first` attempts, then keeps what it
    /// got with the (paused) clock's time.
    struct Flaky {
        fail_first: usize,
        attempts: AtomicUsize,
        got: Mutex<Vec<(&'static str, tokio::time::Instant)>>,
    }

    impl Flaky {
        fn new(fail_first: usize) -> Arc<Flaky> {
            Arc::new(Flaky {
                fail_first,
                attempts: AtomicUsize::new(0),
                got: Mutex::new(Vec::new()),
            })
        }

        fn events(&self) -> Vec<&'static str> {
            self.got.lock().unwrap().iter().map(|(e, _)| *e).collect()
        }
    }

    impl Sink for Flaky {
        fn send<'a>(&'a self, _: &'a reqwest::Client, n: &'a Notice) -> Sent<'a> {
            Box::pin(async move {
                if self.attempts.fetch_add(1, Ordering::SeqCst) < self.fail_first {
                    return Err(crate::reason!("sink_http_status", status = 500u16));
                }
                let now = tokio::time::Instant::now();
                self.got.lock().unwrap().push((n.event.as_str(), now));
                Ok(())
            })
        }
    }

    fn notice(event: crate::sinks::Event) -> Notice {
        let about = crate::notify::About::Event(event);
        let event = event.as_str();
        crate::notify::Notice {
            event: about,
            channel: None,
            vantage: "home".into(),
            since: None,
            checks: Vec::new(),
            title: event.into(),
            text: event.into(),
        }
    }

    type Results = Arc<Mutex<Vec<(String, String, Result)>>>;

    fn report() -> (Report, Results) {
        let results: Results = Arc::default();
        let keep = results.clone();
        let report = Report {
            result: Arc::new(move |sink: &str, event: &str, r| {
                keep.lock()
                    .unwrap()
                    .push((sink.to_string(), event.to_string(), r));
            }),
            queued: Arc::new(|_, _| {}),
        };
        (report, results)
    }

    fn count(results: &Results, sink: &str, r: Result) -> usize {
        let results = results.lock().unwrap();
        results
            .iter()
            .filter(|(s, _, got)| s == sink && *got == r)
            .count()
    }

    fn target(name: &str, sink: Arc<dyn Sink>) -> Target {
        Target {
            name: name.into(),
            sink,
        }
    }

    /// A sink that never answers holds none of another sink's notices: the
    /// working one gets "down" and "recovered" at once, while the hanging
    /// one's attempts time out and are retried on their own schedule; and
    /// shutdown ends every task within [`DRAIN`].
    #[tokio::test(start_paused = true)]
    async fn a_hanging_sink_delays_no_other_sink() {
        let client = client().unwrap();
        let (report, results) = report();
        let (stop, shutdown) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let hanging = Arc::new(Hanging::default());
        let working = Flaky::new(0);
        let queues = [
            start(
                client.clone(),
                target("stuck", hanging.clone()),
                report.clone(),
                shutdown.clone(),
                &mut tasks,
            ),
            start(
                client,
                target("hook", working.clone()),
                report,
                shutdown,
                &mut tasks,
            ),
        ];
        let t0 = tokio::time::Instant::now();
        for q in &queues {
            assert!(q.offer(notice(crate::sinks::Event::Down)));
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
        let t1 = tokio::time::Instant::now();
        for q in &queues {
            assert!(q.offer(notice(crate::sinks::Event::Recovered)));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let got = working.got.lock().unwrap().clone();
        assert_eq!(working.events(), ["down", "recovered"]);
        assert!(got[0].1 - t0 < Duration::from_millis(10), "{got:?}");
        assert!(got[1].1 - t1 < Duration::from_millis(10), "{got:?}");
        // 10 s per attempt, then 1 s and 2 s of backoff: three attempts by 33 s.
        assert!(hanging.attempts.load(Ordering::SeqCst) >= 3);
        assert!(count(&results, "stuck", Result::Failed) >= 2);
        assert_eq!(count(&results, "hook", Result::Sent), 2);

        let stopping = tokio::time::Instant::now();
        stop.send(true).unwrap();
        while tasks.join_next().await.is_some() {}
        assert!(stopping.elapsed() <= DRAIN + Duration::from_millis(10));
        // The hanging sink's two notices are accounted for: dropped, never lost.
        assert_eq!(count(&results, "stuck", Result::Dropped), 2);
    }

    /// A sink's "recovered" waits behind its "down" while the "down" is
    /// retried, and then follows it.
    #[tokio::test(start_paused = true)]
    async fn a_recovered_never_overtakes_its_down() {
        let (report, results) = report();
        let (_stop, shutdown) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let flaky = Flaky::new(3);
        let queue = start(
            client().unwrap(),
            target("hook", flaky.clone()),
            report,
            shutdown,
            &mut tasks,
        );
        assert!(queue.offer(notice(crate::sinks::Event::Down)));
        assert!(queue.offer(notice(crate::sinks::Event::Recovered)));
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(flaky.events(), ["down", "recovered"]);
        assert_eq!(count(&results, "hook", Result::Failed), 3);
        assert_eq!(count(&results, "hook", Result::Sent), 2);
    }
}
