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
        // allocator's arenas fill to their bounds).
        let warm = readings.len().min(4);
        let (base_rss, base_fd) = readings[warm.saturating_sub(1)];
        let (max_rss, max_fd) = readings[warm..]
            .iter()
            .fold((base_rss, base_fd), |(r, f), (r2, f2)| (r.max(*r2), f.max(*f2)));
        println!(
            "soak: {seconds} s at {:.0} probes/s; RSS {:.1} MB after warm-up, max {:.1} MB ({:+.1}%); fds {base_fd} after warm-up, max {max_fd} ({:+.1}%); {probes} probes counted, {stored} samples stored{}",
            probes / seconds as f64,
            base_rss as f64 / 1024.0,
            max_rss as f64 / 1024.0,
            100.0 * (max_rss as f64 / base_rss as f64 - 1.0),
            100.0 * (max_fd as f64 / base_fd as f64 - 1.0),
            if probes as u64 == stored { " (equal)" } else { " (DIFFERENT)" },
        );
    });
}
