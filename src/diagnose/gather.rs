//! Gathers the evidence of `diagnose` now: every check, and every OKX host name
//! through the configured (or system) resolver and each reference resolver, all
//! at once and all bounded by the longest check timeout.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use super::{CheckResult, Evidence, NameAnswers};
use crate::channel::Channel;
use crate::config::{Check, Config};
use crate::outcome::{self, Outcome};
use crate::probe::resolve::NameResolver;
use crate::reason::Said;
use crate::runner;
use crate::runner::Prober;

/// The OKX host names of `checks` and the resolver each is looked up through
/// (IP literals and control targets left out).
pub fn okx_names(checks: &[Check]) -> Vec<(String, Option<SocketAddr>)> {
    let mut names = BTreeSet::new();
    for c in checks.iter().filter(|c| c.channel != Channel::Control) {
        let host = c.spec.looked_up();
        if let Some(host) = host.filter(|h| h.trim_matches(['[', ']']).parse::<IpAddr>().is_err()) {
            names.insert((host, c.resolver));
        }
    }
    names.into_iter().collect()
}

pub async fn gather(config: &Config, prober: Arc<Prober>) -> Evidence {
    // A check this machine cannot run (a browser check without a Chromium) is
    // left out: it says nothing about OKX.
    let runnable: Vec<Check> = config
        .checks
        .iter()
        .filter(|c| prober.runnable(c).is_ok())
        .cloned()
        .collect();
    let checks = &runnable;
    let deadline = checks
        .iter()
        .map(|c| c.timeout)
        .max()
        .unwrap_or(Duration::from_secs(10));
    let names = okx_names(checks);
    let (reports, answers) = tokio::join!(
        runner::run_once(prober, checks, runner::DEFAULT_CONCURRENCY),
        resolve_all(&names, &config.settings.reference_resolvers, deadline),
    );
    let maintenance = reports
        .iter()
        .filter(|r| r.outcome == Outcome::Maintenance)
        .flat_map(|r| r.detail.maintenance.iter())
        .filter(|m| m.state.is_underway())
        .map(|m| m.title.clone())
        .collect();
    Evidence {
        checks: checks
            .iter()
            .zip(&reports)
            .map(|(c, r)| CheckResult {
                check: c.name.clone(),
                channel: c.channel,
                outcome: r.outcome,
                failure: r.failure,
                latency_ms: r.latency.map(outcome::millis),
                reason: Said::new(&r.reason, crate::i18n::current()),
                retry_after_s: r.detail.retry_after.map(|d| d.as_secs_f64()),
                page_loaded: r.phases.frame.is_some() && !r.outcome.is_success(),
                path_control: c.covers.is_some(),
                port: c.spec.port(),
            })
            .collect(),
        names: answers,
        maintenance,
        okx_declares: crate::status::declared(
            reports.iter().flat_map(|r| &r.detail.maintenance),
            config
                .settings
                .timezone
                .unwrap_or_else(crate::schedule::system_tz),
        ),
    }
}

async fn resolve_all(
    names: &[(String, Option<SocketAddr>)],
    references: &[SocketAddr],
    deadline: Duration,
) -> Vec<NameAnswers> {
    let servers: BTreeSet<Option<SocketAddr>> = names
        .iter()
        .map(|(_, r)| *r)
        .chain(references.iter().map(|r| Some(*r)))
        .collect();
    let resolvers: BTreeMap<Option<SocketAddr>, Arc<NameResolver>> = servers
        .into_iter()
        .map(|s| (s, Arc::new(NameResolver::new(s))))
        .collect();
    // Every server asked for is in `servers`, so this finds one; were it not,
    // a resolver made now would do as well.
    let find = |s: Option<SocketAddr>| {
        resolvers
            .get(&s)
            .cloned()
            .unwrap_or_else(|| Arc::new(NameResolver::new(s)))
    };
    let lookup = move |resolver: Arc<NameResolver>, name: String| async move {
        match tokio::time::timeout(deadline, resolver.lookup_ip(&name)).await {
            Ok(r) => r.map_err(|e| e.0),
            Err(_) => Err(crate::reason!(
                "dns_no_answer_within",
                name = name,
                within_ms = deadline
            )),
        }
    };
    let mut set = tokio::task::JoinSet::new();
    for (i, (name, server)) in names.iter().enumerate() {
        set.spawn({
            let (r, n) = (find(*server), name.clone());
            async move { (i, None, lookup(r, n).await) }
        });
        for reference in references {
            let (r, n) = (find(Some(*reference)), name.clone());
            let reference = *reference;
            set.spawn(async move { (i, Some(reference), lookup(r, n).await) });
        }
    }
    let mut out: Vec<NameAnswers> = names
        .iter()
        .map(|(name, server)| NameAnswers {
            name: name.clone(),
            resolver: *server,
            answer: Err(crate::reason!("not_looked_up")),
            references: Vec::new(),
        })
        .collect();
    while let Some(joined) = set.join_next().await {
        let Ok((i, reference, answer)) = joined else {
            continue;
        };
        match reference {
            None => out[i].answer = answer,
            Some(r) => out[i].references.push((r, answer)),
        }
    }
    for n in &mut out {
        n.references.sort_by_key(|(r, _)| *r);
    }
    out
}
