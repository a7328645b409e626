//! Soak (issue 8): the daemon at 500 probes/s against a loopback peer for 10
//! minutes (SOAK_SECONDS to change), printing RSS and open file descriptors
//! every 30 s, the growth after warm-up, and whether the samples in the
//! database equal the probes counted in /metrics.
//!
//! Run: `cargo bench --bench soak`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::daemon::{Daemon, metric_sum};
use support::peers::{self, response};

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap()
}

fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

fn main() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let peer = peers::http(|_| response(200, &[], "ok")).await;
        let checks: String = (0..500)
            .map(|i| format!("[[check]]\nname = \"web-{i}\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\nschedule = \"* * * * * *\"\n", peer.url("/")))
            .collect();
        let dir = support::ConfigDir::new(&[("checks.toml", &checks)]);
        let db = dir.path().join("m.db");
        let daemon = Daemon::start_with(dir.path(), &db, &["--max-per-host", "1000"]).await;
        let pid = daemon.child.id();
        let started = Instant::now();
        let mut readings = Vec::new();
        println!("{:>6} {:>10} {:>6} {:>12}", "t (s)", "RSS (MB)", "fds", "probes");
        while started.elapsed() < Duration::from_secs(seconds) {
            tokio::time::sleep(Duration::from_secs(30).min(Duration::from_secs(seconds))).await;
            let probes = metric_sum(&daemon.metrics().await, "okx_monitor_probes_total", "");
            let (rss, fd) = (rss_kb(pid), fds(pid));
            println!("{:>6} {:>10.1} {:>6} {:>12}", started.elapsed().as_secs(), rss as f64 / 1024.0, fd, probes);
            readings.push((rss, fd));
        }
        // Stop probing: the same checks, once a year (a reload keeps the
        // series of checks it keeps); let the last probes end and the writer
        // flush, then compare.
        std::fs::write(dir.path().join("checks.toml"), checks.replace("* * * * * *", "0 0 0 1 1 *")).unwrap();
        daemon.signal(libc::SIGHUP);
        tokio::time::sleep(Duration::from_secs(3)).await;
        let text = daemon.metrics().await;
        let probes = metric_sum(&text, "okx_monitor_probes_total", "");
        let stored = okx_monitor::store::Store::open(&db).unwrap().sample_count().unwrap();
        // Warm-up: the first two minutes (SQLite's page cache and the
        // allocator's arenas fill to their bounds). Growth compares the medians
        // of the two halves after it: a single reading can land on a burst of
        // connections in flight, which is load, not growth.
        let after: Vec<(u64, usize)> = readings.iter().skip(4).copied().collect();
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
        };
        let half = after.len() / 2;
        let (first, second) = after.split_at(half);
        let rss = |h: &[(u64, usize)]| median(&mut h.iter().map(|r| r.0 as f64 / 1024.0).collect());
        let fd = |h: &[(u64, usize)]| median(&mut h.iter().map(|r| r.1 as f64).collect());
        let max_rss = after.iter().map(|r| r.0).max().unwrap_or(0) as f64 / 1024.0;
        let max_fd = after.iter().map(|r| r.1).max().unwrap_or(0);
        println!(
            "soak: {seconds} s at {:.0} probes/s; RSS median {:.1} → {:.1} MB ({:+.1}%), peak {max_rss:.1} MB; open fds median {} → {} ({:+.1}%), peak {max_fd}; {probes} probes counted, {stored} samples stored{}",
            probes / seconds as f64,
            rss(first),
            rss(second),
            100.0 * (rss(second) / rss(first) - 1.0),
            fd(first),
            fd(second),
            100.0 * (fd(second) / fd(first) - 1.0),
            if probes as u64 == stored { " (equal)" } else { " (DIFFERENT)" },
        );
    });
}
