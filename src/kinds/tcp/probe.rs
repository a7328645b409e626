//! The `tcp` prober: resolve the host, connect, close. Nothing is sent.

use std::time::Instant;

use super::TcpSpec;
use crate::kinds::Via;
use crate::outcome::{Report, grade};
use crate::probe::{PhaseClock, connect};

impl TcpSpec {
    pub async fn probe(&self, via: &Via<'_>, clock: &PhaseClock) -> Report {
        probe(via, self, clock).await
    }
}

async fn probe(via: &Via<'_>, spec: &TcpSpec, clock: &PhaseClock) -> Report {
    let started = Instant::now();
    match connect::tcp(via.resolver, &spec.host, spec.port, clock).await {
        Ok(_) => {
            let latency = started.elapsed();
            let (outcome, reason) = grade(latency, via.slow);
            let mut r = Report::new(outcome, reason);
            r.latency = Some(latency);
            r
        }
        Err(report) => report,
    }
}
