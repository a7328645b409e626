//! Delivery: one task serves a bounded queue, so sending never delays a
//! probe. A failing sink (refused, timeout, 4xx/5xx) is retried with
//! exponential backoff and jitter, then given up on and counted as dropped;
//! each attempt is bounded by a timeout. At shutdown the queue is drained
//! within a bounded time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::Notice;
use super::sinks::{ATTEMPT_TIMEOUT, Sink};

/// Notices waiting at most; beyond, new ones are dropped and counted.
pub const QUEUE: usize = 1024;
/// Attempts per notice before it is dropped.
pub const ATTEMPTS: u32 = 5;
/// How long shutdown waits for the queue to drain.
pub const DRAIN: Duration = Duration::from_secs(5);

/// The HTTP client of the sinks.
pub fn client() -> std::result::Result<reqwest::Client, String> {
    crate::tls::web_client()?.build().map_err(|e| e.to_string())
}

/// A sink with its name, as the queue serves it.
#[derive(Clone)]
pub struct Target {
    pub name: String,
    pub sink: Arc<dyn Sink>,
}

/// What happened to one notice at one sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Result {
    Sent,
    /// One attempt failed (it is retried, or the notice is dropped).
    Failed,
    /// Given up after every attempt failed.
    Dropped,
}

/// Counts one result of (sink, event).
pub type OnResult = Arc<dyn Fn(&str, &str, Result) + Send + Sync>;

/// Reports of delivery, for the metrics: each result by (sink, event), and
/// the queue's length after each notice.
#[derive(Clone)]
pub struct Report {
    pub result: OnResult,
    pub queued: Arc<dyn Fn(usize) + Send + Sync>,
}

/// Delivers one notice with retries; `Err` is why the last attempt failed,
/// never holding a secret (URLs are left out of errors).
pub async fn deliver_once(
    client: &reqwest::Client,
    sink: &dyn Sink,
    notice: &Notice,
) -> std::result::Result<(), String> {
    match tokio::time::timeout(ATTEMPT_TIMEOUT, sink.send(client, notice)).await {
        Err(_) => Err(format!(
            "no answer within {}",
            crate::duration::format(ATTEMPT_TIMEOUT)
        )),
        Ok(r) => r,
    }
}

/// Serves the queue until `shutdown`, then drains it for at most [`DRAIN`].
pub async fn run(
    client: reqwest::Client,
    mut queue: mpsc::Receiver<(Target, Notice)>,
    report: Report,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let next = tokio::select! {
            n = queue.recv() => n,
            _ = shutdown.wait_for(|s| *s) => break,
        };
        let Some((target, notice)) = next else { return };
        let sent = tokio::select! {
            r = with_retries(&client, &target, &notice, &report) => r,
            _ = shutdown.wait_for(|s| *s) => Result::Dropped,
        };
        (report.result)(&target.name, notice.event, sent);
        (report.queued)(queue.len());
    }
    // Shutting down: what is queued gets one bounded chance.
    let drain = async {
        while let Ok((target, notice)) = queue.try_recv() {
            let sent = match deliver_once(&client, target.sink.as_ref(), &notice).await {
                Ok(()) => Result::Sent,
                Err(_) => Result::Dropped,
            };
            (report.result)(&target.name, notice.event, sent);
        }
    };
    let _ = tokio::time::timeout(DRAIN, drain).await;
}

async fn with_retries(
    client: &reqwest::Client,
    target: &Target,
    notice: &Notice,
    report: &Report,
) -> Result {
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=ATTEMPTS {
        match deliver_once(client, target.sink.as_ref(), notice).await {
            Ok(()) => return Result::Sent,
            Err(why) => {
                (report.result)(&target.name, notice.event, Result::Failed);
                tracing::warn!(sink = %target.name, attempt, error = %why, "notice not delivered");
                if attempt < ATTEMPTS {
                    // Jitter from the clock's nanoseconds: enough to spread retries.
                    let nanos = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0);
                    let jitter = Duration::from_millis(u64::from(nanos % 250));
                    tokio::time::sleep(wait + jitter).await;
                    wait *= 2;
                }
            }
        }
    }
    Result::Dropped
}
