//! The daemon's numbers (issue 3), printed, not asserted:
//! - samples written per second by the store (batches as the writer makes them);
//! - schedule lateness p50/p99 at 1,000 HTTP probes per second against a loopback peer,
//!   with the achieved probe rate and the daemon's CPU time per probe;
//! - the daemon's RSS with 10,000 configured checks.
//!
//! Run: `cargo bench --bench daemon` (release build; about a minute), or one
//! part: `cargo bench --bench daemon -- store|metrics|lateness|rss`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use okx_monitor::channel::Channel;
use okx_monitor::outcome::Outcome;
use okx_monitor::sample::Sample;
use okx_monitor::store::Store;

use support::daemon::{Daemon, metric_sum};
use support::peers::{self, response};

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let part = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let rt = tokio::runtime::Runtime::new().unwrap();
    if part("store") {
        store_throughput();
    }
    if part("metrics") {
        metrics_render(10_000);
    }
    if part("lateness") {
        rt.block_on(lateness(1000, Duration::from_secs(20)));
    }
    if part("rss") {
        let reference = rt.block_on(rss_with_checks(100));
        rt.block_on(rss_with_checks(1_000));
        let big = rt.block_on(rss_with_checks(10_000));
        println!(
            "rss: 10,000 checks against 100, after a page view: {big:.1} / {reference:.1} MB = {:.2}x (goal: 10,000 checks at most 64 MB)",
            big / reference
        );
    }
}

/// `/metrics` as the server renders it, with `n` checks that have all been probed.
fn metrics_render(n: usize) {
    use okx_monitor::outcome::{Outcome, Phases, Report};
    let toml: String = (0..n)
        .map(|i| format!("[[check]]\nname = \"check-{i}\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"https://www.okx.com/{i}\"\n"))
        .collect();
    let config = support::load(&toml);
    let metrics = okx_monitor::metrics::Metrics::new("bench");
    for (i, check) in config.checks.iter().enumerate() {
        let mut r = Report::new(
            if i % 10 == 0 {
                Outcome::Degraded
            } else {
                Outcome::Up
            },
            okx_monitor::reason!("ok"),
        );
        r.latency = Some(Duration::from_millis(100 + i as u64 % 400));
        r.phases = Phases {
            dns: Some(Duration::from_millis(5)),
            connect: Some(Duration::from_millis(20)),
            first_byte: Some(Duration::from_millis(90)),
            total: r.latency,
            ..Phases::default()
        };
        r.detail.http_status = Some(200);
        r.detail.tls_not_after = Some(1_900_000_000);
        metrics.record(check, &r, 1_793_000_000.0);
    }
    let rounds = 20;
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        bytes = metrics.render(None).len();
    }
    println!(
        "metrics: /metrics with {n} probed checks renders in {:.1} ms ({:.1} MB of text)",
        started.elapsed().as_secs_f64() * 1000.0 / rounds as f64,
        bytes as f64 / 1e6
    );
}

fn store_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    let start_ms = 1_793_000_000_000i64;
    let total = 500_000;
    let batch = 5_000;
    let started = Instant::now();
    for b in 0..total / batch {
        let samples: Vec<Sample> = (0..batch)
            .map(|i| {
                let n = (b * batch + i) as i64;
                Sample {
                    ts_ms: start_ms + n * 7,
                    check: format!("check-{}", n % 100),
                    channel: Channel::Chat,
                    outcome: if n % 10 == 0 {
                        Outcome::Down
                    } else {
                        Outcome::Up
                    },
                    latency_us: Some(100_000 + n % 50_000),
                    dns_us: Some(1_000),
                    connect_us: Some(20_000),
                    first_byte_us: Some(90_000),
                    http_status: Some(200),
                    detail: None,
                }
            })
            .collect();
        store.insert(&samples).unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(dir.path().join("bench.db"))
        .unwrap()
        .len()
        + std::fs::metadata(dir.path().join("bench.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "store: {total} samples in batches of {batch}: {:.0} samples/s ({:.2} s), {:.0} bytes/sample on disk",
        total as f64 / secs,
        secs,
        bytes as f64 / total as f64
    );
}

/// Reads (utime + stime) of `pid` in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = stat.rsplit_once(')').unwrap().1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // SAFETY: sysconf with a valid name has no preconditions.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

/// The q-quantile of a Prometheus histogram in a text exposition, interpolated
/// within its bucket as histogram_quantile does.
fn histogram_quantile(text: &str, name: &str, q: f64) -> f64 {
    let mut buckets: Vec<(f64, f64)> = text
        .lines()
        .filter(|l| l.starts_with(&format!("{name}_bucket")))
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, l.rsplit(' ').next()?.parse().ok()?))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = buckets.last().map_or(0.0, |b| b.1);
    let rank = q * total;
    let mut prev = (0.0, 0.0);
    for (le, count) in buckets {
        if count >= rank {
            if le.is_infinite() {
                return prev.0;
            }
            return prev.0 + (le - prev.0) * (rank - prev.1) / (count - prev.1).max(1.0);
        }
        prev = (le, count);
    }
    f64::NAN
}

async fn lateness(rate: usize, run_for: Duration) {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let mut toml = String::new();
    for i in 0..rate {
        toml.push_str(&format!(
            "[[check]]\nname = \"web-{i}\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\nschedule = \"* * * * * *\"\ntimeout = \"5s\"\n",
            peer.url("/")
        ));
    }
    let dir = support::ConfigDir::new(&[("checks.toml", &toml)]);
    let daemon = Daemon::start_with(
        dir.path(),
        &dir.path().join("m.db"),
        &["--max-per-host", "2000"],
    )
    .await;
    let pid = daemon.child.id();
    // Warm up, then measure a window.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (cpu0, text0, t0) = (cpu_seconds(pid), daemon.metrics().await, Instant::now());
    tokio::time::sleep(run_for).await;
    let (cpu1, text1, secs) = (
        cpu_seconds(pid),
        daemon.metrics().await,
        t0.elapsed().as_secs_f64(),
    );
    let probes = metric_sum(&text1, "okx_monitor_probes_total", "")
        - metric_sum(&text0, "okx_monitor_probes_total", "");
    let up = metric_sum(&text1, "okx_monitor_probes_total", "outcome=\"up\"");
    let all = metric_sum(&text1, "okx_monitor_probes_total", "");
    let skipped = metric_sum(&text1, "okx_monitor_probes_skipped_total", "");
    let p50 = histogram_quantile(&text1, "okx_monitor_schedule_lateness_seconds", 0.5) * 1000.0;
    let p99 = histogram_quantile(&text1, "okx_monitor_schedule_lateness_seconds", 0.99) * 1000.0;
    println!(
        "schedule: {rate} http checks every second for {:.0} s: {:.0} probes/s sustained, {:.1}% up, {skipped} skipped; lateness p50 {p50:.2} ms, p99 {p99:.2} ms; daemon CPU {:.0} µs/probe, RSS {:.1} MB",
        secs,
        probes / secs,
        100.0 * up / all,
        (cpu1 - cpu0) / probes * 1e6,
        rss_mb(pid),
    );
}

/// The daemon's RSS with `n` configured checks on 100 hosts (names that do
/// not resolve here: their probes wait, as a start-up burst does): at 2 s,
/// 10 s after the start (the burst and the page's part computed behind the
/// scenes, nobody having asked), and 2 s after a first view of the page.
/// Returns the last.
async fn rss_with_checks(n: usize) -> f64 {
    let mut toml = String::from("[defaults]\nschedule = \"0 0 0 1 1 *\"\n");
    for i in 0..n {
        toml.push_str(&format!(
            "[[check]]\nname = \"check-{i}\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"https://help-{}.okx.test/path/{i}\"\n",
            i % 100
        ));
    }
    let dir = support::ConfigDir::new(&[("checks.toml", &toml)]);
    let started = Instant::now();
    let daemon = Daemon::start(dir.path(), &dir.path().join("m.db")).await;
    let up_in = started.elapsed();
    let pid = daemon.child.id();
    tokio::time::sleep(Duration::from_secs(2).saturating_sub(started.elapsed())).await;
    let at_2s = rss_mb(pid);
    tokio::time::sleep(Duration::from_secs(10).saturating_sub(started.elapsed())).await;
    let at_10s = rss_mb(pid);
    let page = support::http_get(daemon.addr, "/").await.map(|(s, _)| s);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let viewed = rss_mb(pid);
    let text = daemon.metrics().await;
    println!(
        "rss: {n} configured checks: {at_2s:.1} MB at 2 s, {at_10s:.1} MB at 10 s, {viewed:.1} MB after a first page view ({page:?}); started in {:.2} s; {} checks loaded",
        up_in.as_secs_f64(),
        metric_sum(&text, "okx_monitor_checks", "")
    );
    viewed
}
