//! The local-network judge: are the control checks (targets OKX does not run)
//! failing right now? When they all are, an OKX check's `down` is recorded as
//! `unknown`: the fault is this machine's. The controls' scheduled results are
//! used while fresh; otherwise they are probed again at once (one run at a
//! time, shared by every check that asks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::channel::Channel;
use crate::config::Check;
use crate::outcome::{self, Outcome, Report};
use crate::probe::Prober;
use crate::runner;

/// Control results younger than this describe "now".
pub const FRESH: Duration = Duration::from_secs(30);

/// What to do with the report of a probe this module ran itself.
pub type OnProbe = Arc<dyn Fn(&Check, &Report, chrono::DateTime<chrono::Utc>) + Send + Sync>;

pub struct Controls {
    checks: Vec<Check>,
    prober: Arc<Prober>,
    /// Each control's latest outcome and when it came.
    latest: Mutex<HashMap<String, (Instant, Outcome)>>,
    /// Held while the controls are re-probed, so that concurrent askers share one run.
    rerun: tokio::sync::Mutex<()>,
    on_probe: OnProbe,
}

impl Controls {
    pub fn new(all_checks: &[Check], prober: Arc<Prober>, on_probe: OnProbe) -> Controls {
        Controls {
            checks: all_checks
                .iter()
                .filter(|c| c.channel == Channel::Control)
                .cloned()
                .collect(),
            prober,
            latest: Mutex::new(HashMap::new()),
            rerun: tokio::sync::Mutex::new(()),
            on_probe,
        }
    }

    fn latest(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Outcome)>> {
        // Plain data: a panic elsewhere mid-update leaves it usable.
        self.latest.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes a control's outcome from its scheduled probe.
    pub fn note(&self, check: &str, outcome: Outcome) {
        self.latest()
            .insert(check.to_string(), (Instant::now(), outcome));
    }

    /// `Some(true)` when at least one control succeeded at its last probe,
    /// `Some(false)` when all failed, `None` before any ran or with no controls.
    pub fn network_up(&self) -> Option<bool> {
        let latest = self.latest();
        outcome::local_network_up(
            self.checks
                .iter()
                .filter_map(|c| latest.get(&c.name).map(|(_, o)| *o)),
        )
    }

    /// Whether every control check fails now (false when none is configured).
    pub async fn all_down(&self) -> bool {
        if self.checks.is_empty() {
            return false;
        }
        if let Some(verdict) = self.fresh_verdict() {
            return verdict;
        }
        let _turn = self.rerun.lock().await;
        // Another asker may have re-probed while this one waited.
        if let Some(verdict) = self.fresh_verdict() {
            return verdict;
        }
        let started = chrono::Utc::now();
        let reports = runner::run_once(self.prober.clone(), &self.checks, self.checks.len()).await;
        for (check, report) in self.checks.iter().zip(&reports) {
            self.note(&check.name, report.outcome);
            (self.on_probe)(check, report, started);
        }
        outcome::local_network_up(reports.iter().map(|r| r.outcome)) == Some(false)
    }

    fn fresh_verdict(&self) -> Option<bool> {
        let latest = self.latest();
        let mut fresh = Vec::with_capacity(self.checks.len());
        for c in &self.checks {
            match latest.get(&c.name) {
                Some((at, outcome)) if at.elapsed() < FRESH => fresh.push(*outcome),
                _ => return None,
            }
        }
        Some(outcome::local_network_up(fresh) == Some(false))
    }
}
