//! Runs a set of checks once, now, concurrently under a bound, and applies the
//! run-level `unknown` rule. Used by `check` and `diagnose`. `prober.rs` is
//! the [`Prober`], which probes one check within its timeout.

mod prober;

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Check;
use crate::outcome::{Failure, Report, RunItem, judge_run};

pub use prober::{Prober, SetupError};

/// How many probes `check` runs at once unless told otherwise: enough that a
/// config full of tarpits still ends in about one timeout.
pub const DEFAULT_CONCURRENCY: usize = 256;

/// Probes every check once; the reports come back in the order of `checks`.
pub async fn run_once(prober: Arc<Prober>, checks: &[Check], concurrency: usize) -> Vec<Report> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut set = JoinSet::new();
    for (i, check) in checks.iter().cloned().enumerate() {
        let prober = prober.clone();
        let permits = permits.clone();
        set.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail; if it
            // could, probing without a permit is still correct, only less polite.
            let _permit = permits.acquire_owned().await.ok();
            (i, prober.probe(&check).await)
        });
    }
    let mut reports: Vec<Option<Report>> = vec![None; checks.len()];
    while let Some(joined) = set.join_next().await {
        // A task ends without a report only if its probe panicked, which is a
        // bug; its check then reports that instead of vanishing.
        if let Ok((i, report)) = joined {
            reports[i] = Some(report);
        }
    }
    let mut reports: Vec<Report> = reports
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Report::failed(Failure::Protocol, crate::reason!("internal_unfinished"))
            })
        })
        .collect();
    let mut run: Vec<RunItem> = checks
        .iter()
        .zip(reports.iter_mut())
        .map(|(c, report)| RunItem {
            channel: c.channel,
            covers: c.covers.as_deref(),
            port: c.spec.port(),
            report,
        })
        .collect();
    judge_run(&mut run);
    reports
}
