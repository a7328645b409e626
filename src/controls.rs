//! The control rule where checks run on their own schedules: are the control
//! checks (targets OKX does not run) failing right now? When every general
//! control is, or every control covering a channel's path is, an OKX check's
//! `down` is recorded as `unknown` ([`outcome::closed_for`]). The controls'
//! scheduled results are used while fresh; otherwise they are probed again at
//! once (one run at a time, shared by every check that asks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::channel::Channel;
use crate::config::Check;
use crate::outcome::{self, Closed, ControlSeen, Outcome, Report};
use crate::runner;
use crate::runner::Prober;

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

    /// This machine's network, by the general controls (those without
    /// `covers`): `Some(true)` when at least one succeeded at its last probe,
    /// `Some(false)` when all failed, `None` before any ran or with none.
    pub fn network_up(&self) -> Option<bool> {
        let latest = self.latest();
        outcome::local_network_up(
            self.checks
                .iter()
                .filter(|c| c.covers.is_none())
                .filter_map(|c| latest.get(&c.name).map(|(_, o)| *o)),
        )
    }

    /// Why a failed probe of `channel` is no fault of OKX's now, by the
    /// control rule; `None` when it can be judged (always, without controls).
    pub async fn closed_for(&self, channel: Channel) -> Option<Closed> {
        if self.checks.is_empty() {
            return None;
        }
        if let Some(verdict) = self.fresh_verdict(channel) {
            return verdict;
        }
        let _turn = self.rerun.lock().await;
        // Another asker may have re-probed while this one waited.
        if let Some(verdict) = self.fresh_verdict(channel) {
            return verdict;
        }
        let started = chrono::Utc::now();
        let reports = runner::run_once(self.prober.clone(), &self.checks, self.checks.len()).await;
        for (check, report) in self.checks.iter().zip(&reports) {
            self.note(&check.name, report.outcome);
            (self.on_probe)(check, report, started);
        }
        self.judge(channel, reports.iter().map(|r| r.outcome).collect())
    }

    /// The rule over every control's outcome, in `self.checks`' order.
    fn judge(&self, channel: Channel, outcomes: Vec<Outcome>) -> Option<Closed> {
        let seen: Vec<ControlSeen> = self
            .checks
            .iter()
            .zip(outcomes)
            .map(|(c, outcome)| ControlSeen {
                covers: c.covers.as_deref(),
                port: c.spec.port(),
                outcome,
            })
            .collect();
        outcome::closed_for(channel, &seen)
    }

    /// The verdict from every control's fresh result; `None` when one is stale.
    fn fresh_verdict(&self, channel: Channel) -> Option<Option<Closed>> {
        let fresh: Option<Vec<Outcome>> = {
            let latest = self.latest();
            self.checks
                .iter()
                .map(|c| match latest.get(&c.name) {
                    Some((at, outcome)) if at.elapsed() < FRESH => Some(*outcome),
                    _ => None,
                })
                .collect()
        };
        fresh.map(|outcomes| self.judge(channel, outcomes))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Two control checks on loopback ports nothing listens on, and a chat check.
    fn checks() -> Vec<Check> {
        let closed = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
        };
        let toml = format!(
            "[[check]]\nname = \"control-a\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{}\"\n\
             [[check]]\nname = \"control-b\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{}\"\n\
             [[check]]\nname = \"chat\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"{}\"\n",
            closed(),
            closed(),
            closed()
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.toml"), toml).unwrap();
        crate::config::load(dir.path()).unwrap().checks
    }

    fn controls(checks: &[Check], probed: Arc<AtomicUsize>) -> Controls {
        let prober = Arc::new(Prober::new(checks).unwrap());
        Controls::new(
            checks,
            prober,
            Arc::new(move |_: &Check, _: &Report, _| {
                probed.fetch_add(1, Ordering::Relaxed);
            }),
        )
    }

    #[tokio::test]
    async fn the_network_is_judged_by_the_controls_latest_outcomes() {
        let checks = checks();
        let c = controls(&checks, Arc::default());
        assert_eq!(c.network_up(), None, "before any control ran");
        c.note("control-a", Outcome::Down);
        assert_eq!(c.network_up(), Some(false), "every known control failed");
        c.note("chat", Outcome::Up);
        assert_eq!(c.network_up(), Some(false), "only controls count");
        c.note("control-b", Outcome::Throttled);
        assert_eq!(c.network_up(), Some(true), "a control that answered");
        c.note("control-b", Outcome::Unknown);
        assert_eq!(c.network_up(), Some(false), "unknown is not an answer");
    }

    #[tokio::test]
    async fn fresh_results_are_used_and_stale_ones_are_probed_again_once() {
        let checks = checks();
        let probed = Arc::new(AtomicUsize::new(0));
        let c = controls(&checks, probed.clone());
        c.note("control-a", Outcome::Up);
        c.note("control-b", Outcome::Down);
        assert_eq!(
            c.closed_for(Channel::Chat).await,
            None,
            "fresh: one control works"
        );
        assert_eq!(probed.load(Ordering::Relaxed), 0, "nothing probed");

        let c = Arc::new(controls(&checks, probed.clone()));
        // Nothing fresh: concurrent askers share one run of both controls,
        // which find nothing listening.
        let (a, b) = tokio::join!(c.closed_for(Channel::Chat), c.closed_for(Channel::Email));
        assert_eq!(
            (a, b),
            (Some(Closed::LocalNetwork), Some(Closed::LocalNetwork))
        );
        assert_eq!(probed.load(Ordering::Relaxed), 2, "one run of two controls");
        assert_eq!(c.network_up(), Some(false));
    }

    #[tokio::test]
    async fn without_controls_the_network_is_never_blamed() {
        let checks: Vec<Check> = checks()
            .into_iter()
            .filter(|c| c.channel != Channel::Control)
            .collect();
        let c = controls(&checks, Arc::default());
        assert_eq!(c.closed_for(Channel::Chat).await, None);
        assert_eq!(c.network_up(), None);
    }
}
