//! The `mx` prober: look up the domain's MX records and, with `smtp = true`,
//! greet every mail host (in preference order in the report; concurrently, so
//! one tarpit cannot use up the others' time).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::time::timeout_at;

use super::MxSpec;
use super::smtp::{self, SmtpError};
use crate::kinds::Via;
use crate::outcome::{Failure, MxHost, Outcome, Report, grade};
use crate::probe::PhaseClock;
use crate::probe::resolve::NameResolver;
use crate::reason;

impl MxSpec {
    pub async fn probe(&self, via: &Via<'_>, clock: &PhaseClock) -> Report {
        probe(via.resolver, self, via.slow, via.deadline, clock).await
    }
}

/// Left of the check's timeout after the host greetings, so that the report of
/// the hosts that did answer is not lost to the probe's own deadline.
const MARGIN: Duration = Duration::from_millis(100);

async fn probe(
    resolver: &Arc<NameResolver>,
    spec: &MxSpec,
    slow: Duration,
    deadline: Instant,
    clock: &PhaseClock,
) -> Report {
    let started = Instant::now();
    let records = match resolver.lookup_mx(&spec.domain).await {
        Ok(r) => r,
        Err(e) => return Report::failed(Failure::Dns, e.0),
    };
    clock.dns_done(started.elapsed(), &[]);
    let count = records.len() as u32;
    if count < spec.min_records {
        let mut r = Report::failed(
            Failure::NoRecords,
            if count == 0 {
                reason!("no_mx", domain = &spec.domain)
            } else {
                reason!(
                    "too_few_mx",
                    domain = &spec.domain,
                    count = count,
                    min = spec.min_records
                )
            },
        );
        r.detail.mx_records = Some(count);
        return r;
    }
    let mut report = if spec.smtp {
        let host_deadline = deadline.checked_sub(MARGIN).unwrap_or(deadline);
        // Spawned so that the hosts are greeted at once; the set aborts them if
        // this probe is dropped.
        let mut set = tokio::task::JoinSet::new();
        for (i, (preference, host)) in records.iter().cloned().enumerate() {
            let resolver = resolver.clone();
            let port = spec.smtp_port;
            set.spawn(async move {
                let h = greet_host(&resolver, host, preference, port, host_deadline).await;
                (i, h)
            });
        }
        let mut hosts: Vec<Option<MxHost>> = vec![None; records.len()];
        while let Some(joined) = set.join_next().await {
            if let Ok((i, h)) = joined {
                hosts[i] = Some(h);
            }
        }
        let hosts: Vec<MxHost> = hosts.into_iter().flatten().collect();
        let latency = started.elapsed();
        let failed: Vec<&MxHost> = hosts.iter().filter(|h| !h.ok).collect();
        let mut r = if failed.is_empty() {
            let (outcome, reason) = grade(latency, slow);
            Report::new(outcome, reason)
        } else if failed.len() < hosts.len() {
            let first = failed[0];
            Report::new(
                Outcome::Degraded,
                reason!(
                    "some_mx_failed",
                    failed = failed.len(),
                    hosts = hosts.len(),
                    host = &first.host,
                    why = first.reason.clone()
                ),
            )
        } else {
            Report::failed(
                Failure::Smtp,
                reason!(
                    "no_mx_greeted",
                    host = &hosts[0].host,
                    why = hosts[0].reason.clone()
                ),
            )
        };
        // An answer came when at least one host greeted.
        r.latency = (failed.len() < hosts.len()).then_some(latency);
        r.detail.mx_hosts = hosts;
        r
    } else {
        let latency = started.elapsed();
        let (outcome, reason) = grade(latency, slow);
        let mut r = Report::new(outcome, reason);
        r.latency = Some(latency);
        r
    };
    report.detail.mx_records = Some(count);
    report
}

async fn greet_host(
    resolver: &NameResolver,
    host: String,
    preference: u16,
    port: u16,
    deadline: Instant,
) -> MxHost {
    let started = Instant::now();
    let mut h = MxHost {
        host: host.clone(),
        preference,
        ok: false,
        greeting_code: None,
        starttls: false,
        latency: None,
        reason: reason!("no_greeting_in_time"),
    };
    let attempt = async {
        let addrs = resolver.lookup_ip(&host).await.map_err(|e| (None, e.0))?;
        let mut last = reason!("no_address_to_connect");
        for ip in addrs {
            match smtp::greet((ip, port).into()).await {
                Ok(g) => return Ok(g),
                // Another address of the same host may accept; a refusal is final.
                Err(SmtpError::Connect(e)) => last = e,
                Err(e @ SmtpError::Refused { code, .. }) => {
                    return Err((Some(code), e.reason()));
                }
                Err(e) => return Err((None, e.reason())),
            }
        }
        Err((None, last))
    };
    match timeout_at(deadline.into(), attempt).await {
        Ok(Ok(g)) => {
            h.ok = true;
            h.greeting_code = Some(g.code);
            h.starttls = g.starttls;
            h.latency = Some(started.elapsed());
            h.reason = reason!("greeted");
        }
        Ok(Err((code, why))) => {
            h.greeting_code = code;
            h.reason = why;
        }
        Err(_) => h.reason = reason!("no_greeting_in_time"),
    }
    h
}
