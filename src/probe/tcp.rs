//! The `tcp` prober: resolve the host, connect, close. Nothing is sent.

use std::time::{Duration, Instant};

use super::clock::PhaseClock;
use super::connect;
use super::resolve::NameResolver;
use crate::config::TcpSpec;
use crate::outcome::{Report, grade};

pub async fn probe(
    resolver: &NameResolver,
    spec: &TcpSpec,
    slow: Duration,
    clock: &PhaseClock,
) -> Report {
    let started = Instant::now();
    match connect::tcp(resolver, &spec.host, spec.port, clock).await {
        Ok(_) => {
            let latency = started.elapsed();
            let (outcome, reason) = grade(latency, slow);
            let mut r = Report::new(outcome, reason);
            r.latency = Some(latency);
            r
        }
        Err(report) => report,
    }
}
