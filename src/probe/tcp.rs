//! The `tcp` prober: resolve the host, connect, close. Nothing is sent.

use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use super::clock::PhaseClock;
use super::resolve::NameResolver;
use crate::config::TcpSpec;
use crate::outcome::{Failure, Report, grade};

pub async fn probe(
    resolver: &NameResolver,
    spec: &TcpSpec,
    slow: Duration,
    clock: &PhaseClock,
) -> Report {
    let started = Instant::now();
    let addrs = match resolver.lookup_ip(&spec.host).await {
        Ok(a) => a,
        Err(e) => return Report::failed(Failure::Dns, e.0),
    };
    clock.dns_done(started.elapsed(), &addrs);
    match connect_any(&addrs, spec.port).await {
        Ok(_) => {
            let latency = started.elapsed();
            clock.connect_done(latency - clock.phases().dns.unwrap_or_default());
            let (outcome, reason) = grade(latency, slow);
            let mut r = Report::new(outcome, reason);
            r.latency = Some(latency);
            r
        }
        Err(e) => Report::failed(Failure::Connect, e),
    }
}

/// Connects to the first address that accepts, in the resolver's order.
pub async fn connect_any(addrs: &[std::net::IpAddr], port: u16) -> Result<TcpStream, String> {
    let mut last = String::from("no address to connect to");
    for ip in addrs {
        match TcpStream::connect((*ip, port)).await {
            Ok(s) => return Ok(s),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = format!("connection refused by {ip}:{port}");
            }
            Err(e) => last = format!("cannot connect to {ip}:{port}: {e}"),
        }
    }
    Err(last)
}
