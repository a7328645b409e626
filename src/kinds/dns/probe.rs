//! The `dns` prober: one look-up, timed; the answer judged against the
//! expected addresses (pure: [`judge`]).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::DnsSpec;
use crate::kinds::Via;
use crate::outcome::{Failure, Report, grade};
use crate::probe::PhaseClock;
use crate::reason;

impl DnsSpec {
    pub async fn probe(&self, via: &Via<'_>, clock: &PhaseClock) -> Report {
        let started = Instant::now();
        match via.resolver.lookup_ip(&self.host).await {
            Err(e) => Report::failed(Failure::Dns, e.0),
            Ok(addresses) => {
                let took = started.elapsed();
                clock.dns_done(took, &addresses);
                judge(self, &addresses, took, via.slow)
            }
        }
    }
}

/// The answer `addresses`, which took `took`, judged (pure).
pub fn judge(spec: &DnsSpec, addresses: &[IpAddr], took: Duration, slow: Duration) -> Report {
    let expected = spec.expect_addresses.is_empty()
        || addresses.iter().any(|a| spec.expect_addresses.contains(a));
    let mut report = if expected {
        let (outcome, reason) = grade(took, slow);
        Report::new(outcome, reason)
    } else {
        let got: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
        Report::failed(
            Failure::Dns,
            reason!(
                "dns_elsewhere",
                host = &spec.host,
                addresses = got.join(", ")
            ),
        )
    };
    report.latency = Some(took);
    report.detail.addresses = addresses.to_vec();
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    fn spec(expect: &[&str]) -> DnsSpec {
        DnsSpec {
            host: "www.okx.com".into(),
            expect_addresses: expect.iter().map(|a| a.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn an_answer_among_the_expected_is_up_and_one_elsewhere_is_down() {
        let fast = Duration::from_millis(5);
        let slow = Duration::from_secs(1);
        let got: Vec<IpAddr> = vec!["127.0.0.9".parse().unwrap(), "::1".parse().unwrap()];
        assert_eq!(judge(&spec(&[]), &got, fast, slow).outcome, Outcome::Up);
        assert_eq!(
            judge(&spec(&["::1"]), &got, fast, slow).outcome,
            Outcome::Up
        );
        let elsewhere = judge(&spec(&["127.0.0.1"]), &got, fast, slow);
        assert_eq!(elsewhere.outcome, Outcome::Down);
        assert_eq!(elsewhere.failure, Some(Failure::Dns));
        assert!(
            elsewhere.reason.to_string().contains("127.0.0.9, ::1"),
            "{}",
            elsewhere.reason
        );
        assert_eq!(elsewhere.detail.addresses, got, "kept for diagnose");
        let late = judge(&spec(&[]), &got, Duration::from_secs(2), slow);
        assert_eq!(late.outcome, Outcome::Degraded);
    }
}
