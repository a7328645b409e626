//! The [`Prober`]: what probes share for a configuration (a resolver per DNS
//! server, a TLS set-up per CA file, the browser), and the one entry point,
//! [`Prober::probe`], that bounds every probe by its check's timeout.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::config::Check;
use crate::kinds::{Browser, Via, no_browser};
use crate::outcome::{Failure, Report};
use crate::probe::resolve::NameResolver;
use crate::probe::{PhaseClock, chromium};
use crate::reason;
use crate::reason::Reason;

/// What probes share: one resolver per DNS server in use, one TLS set-up per
/// extra trusted CA file. Built once for a configuration.
pub struct Prober {
    resolvers: HashMap<Option<SocketAddr>, Arc<NameResolver>>,
    /// TLS set-ups of the kinds that speak TLS, by extra CA file.
    tls: HashMap<Option<PathBuf>, Arc<rustls::ClientConfig>>,
    /// The browser of `browser` checks, when one is configured and found;
    /// started on first need.
    browser: Option<chromium::Chromium>,
    /// Browser probes at once (`[settings] browser_concurrency`).
    browser_pages: Arc<tokio::sync::Semaphore>,
}

#[derive(Debug, thiserror::Error)]
#[error("check `{check}`: {message}")]
pub struct SetupError {
    pub check: String,
    pub message: String,
}

impl Prober {
    /// With the default settings. Must be called inside a tokio runtime.
    pub fn new(checks: &[Check]) -> Result<Prober, SetupError> {
        Prober::with_settings(checks, &crate::config::Settings::default())
    }

    /// Must be called inside a tokio runtime.
    pub fn with_settings(
        checks: &[Check],
        settings: &crate::config::Settings,
    ) -> Result<Prober, SetupError> {
        let mut resolvers: HashMap<Option<SocketAddr>, Arc<NameResolver>> = HashMap::new();
        let mut tls = HashMap::new();
        for check in checks {
            resolvers
                .entry(check.resolver)
                .or_insert_with(|| Arc::new(NameResolver::new(check.resolver)));
            let err = |message| SetupError {
                check: check.name.clone(),
                message,
            };
            let tls_ca = check.spec.tls().map(|ca| ca.map(PathBuf::from));
            if let Some(ca) = tls_ca
                && let Entry::Vacant(slot) = tls.entry(ca)
            {
                let roots = crate::tls::roots(slot.key().as_deref()).map_err(err)?;
                let config = crate::tls::client_config(roots).map_err(err)?;
                slot.insert(Arc::new(config));
            }
        }
        let wanted = checks.iter().any(|c| c.spec.needs_browser());
        Ok(Prober {
            resolvers,
            tls,
            browser: wanted
                .then(|| settings.find_browser())
                .flatten()
                .map(chromium::Chromium::new),
            browser_pages: Arc::new(tokio::sync::Semaphore::new(
                settings.browser_concurrency.max(1) as usize,
            )),
        })
    }

    /// `Err` (why) when `check` cannot be probed on this machine: a `browser`
    /// check without a Chromium. Such a check is not probed and gets no sample.
    pub fn runnable(&self, check: &Check) -> Result<(), Reason> {
        if check.spec.needs_browser() && self.browser.is_none() {
            Err(no_browser())
        } else {
            Ok(())
        }
    }

    /// The process id of the browser while one runs (for tests and tools).
    pub async fn browser_pid(&self) -> Option<u32> {
        self.browser.as_ref()?.pid().await
    }

    /// Stops the browser, if one runs, and waits for it.
    pub async fn shutdown(&self) {
        if let Some(b) = &self.browser {
            b.shutdown().await;
        }
    }

    /// Probes `check` once. Ends within the check's timeout whatever the peer does.
    pub async fn probe(&self, check: &Check) -> Report {
        let clock = Arc::new(PhaseClock::default());
        let started = Instant::now();
        let deadline = started + check.timeout;
        let run = self.dispatch(check, deadline, &clock);
        let mut report = match tokio::time::timeout_at(deadline.into(), run).await {
            Ok(r) => r,
            Err(_) => timed_out(check, &clock),
        };
        let mut phases = clock.phases();
        phases.total = Some(started.elapsed());
        report.phases = phases;
        if report.detail.addresses.is_empty() {
            report.detail.addresses = clock.addresses();
        }
        report
    }

    async fn dispatch(&self, check: &Check, deadline: Instant, clock: &PhaseClock) -> Report {
        // A check this prober was not built for has no resolver: a caller's
        // bug, reported as the check's outcome rather than a panic.
        let Some(resolver) = self.resolvers.get(&check.resolver) else {
            return Report::failed(Failure::Protocol, reason!("internal_unprepared"));
        };
        // The set-ups are few (one per CA file): found without a key built per probe.
        let ca = check.spec.tls().flatten();
        let via = Via {
            resolver,
            tls: self
                .tls
                .iter()
                .find(|(k, _)| k.as_deref() == ca)
                .map(|(_, t)| t),
            browser: self.browser.as_ref().map(|chromium| Browser {
                chromium,
                pages: &self.browser_pages,
            }),
            slow: check.slow,
            deadline,
        };
        check.spec.probe(&via, clock).await
    }
}

/// The report of a probe cut off by its deadline, saying how far it got.
fn timed_out(check: &Check, clock: &PhaseClock) -> Report {
    let p = clock.phases();
    let within = check.timeout;
    let reason = if p.first_byte.is_some() {
        reason!("timeout_answer_incomplete", within_ms = within)
    } else if p.connect.is_some() {
        reason!("timeout_no_answer", within_ms = within)
    } else if p.dns.is_some() {
        reason!("timeout_connect", within_ms = within)
    } else {
        reason!("timeout", within_ms = within)
    };
    Report::failed(Failure::Timeout, reason)
}
