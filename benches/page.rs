//! The status page's cost, printed, not asserted: the time to render `/` and
//! the bytes sent, with 15 and with 1,000 checks over 28 days of history, and
//! a new query's first answer at 1,000 checks against 15 (issue 30); and
//! the probe schedule's lateness while the page is fetched 20 times a second,
//! against the same daemon left alone.
//!
//! Run: `cargo bench --bench page` (release build; a few minutes).

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use support::daemon::{Daemon, metric_sum};
use support::{http_get, http_request, peers};

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut new_query = Vec::new();
        for (checks, step_min) in [(15usize, 5i64), (1_000, 15)] {
            new_query.push(bench(checks, step_min).await);
        }
        println!(
            "a new query's first answer, 1000 checks against 15: {:.1} / {:.1} ms = {:.1}x (goal 20x)",
            ms(new_query[1]),
            ms(new_query[0]),
            new_query[1].as_secs_f64() / new_query[0].as_secs_f64()
        );
    });
}

async fn bench(checks: usize, step_min: i64) -> Duration {
    let dir = support::ConfigDir::new(&[]);
    let file = dir.path().join("history.jsonl");
    let db = dir.path().join("page.db");
    let channels = [
        "chat",
        "help_center",
        "ticket",
        "email",
        "social",
        "community",
    ];
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    let now = chrono::Utc::now().timestamp() / 60 * 60;
    let mut n = 0u64;
    for minute in (0..28 * 1440).rev().step_by(step_min as usize) {
        let t = chrono::DateTime::from_timestamp(now - minute * 60, 0).unwrap();
        let ts = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        for c in 0..checks {
            let ms = 100 + (c * 7 + minute as usize) % 300;
            writeln!(out, r#"{{"ts":"{ts}","check":"check-{c}","channel":"{}","outcome":"up","latency_ms":{ms}}}"#, channels[c % channels.len()]).unwrap();
            n += 1;
        }
    }
    drop(out);
    let bin = support::bin();
    let status = std::process::Command::new(&bin)
        .args([
            "import",
            file.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(status.status.success());
    let control = peers::tarpit().await;
    let toml = format!(
        "[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{}\"\nschedule = \"* * * * * *\"\n",
        control.addr
    );
    std::fs::write(dir.path().join("checks.toml"), toml).unwrap();
    let daemon = Daemon::start(dir.path(), &db).await;
    let lateness = |text: &str| {
        // The largest bucket bound below which every start so far fell.
        let count = metric_sum(text, "okx_monitor_schedule_lateness_seconds_count", "");
        [
            "0.001", "0.002", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
        ]
        .into_iter()
        .find(|le| {
            metric_sum(
                text,
                "okx_monitor_schedule_lateness_seconds_bucket",
                &format!("le=\"{le}\""),
            ) >= count
        })
        .unwrap_or("+Inf")
        .to_string()
    };
    // Alone first: the probe schedule with no page fetched at all, until
    // second 50 of a minute.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let second = chrono::Utc::now().timestamp().rem_euclid(60) as u64;
    tokio::time::sleep(Duration::from_secs((110 - second) % 60)).await;
    let alone = lateness(&daemon.metrics().await);
    // A browser's request: the page comes gzipped. The very first fetch
    // computes the answer; later ones read it back.
    let fetch = || async {
        let started = Instant::now();
        let (code, _, body) = http_request(daemon.addr, "/", &[("accept-encoding", "gzip")])
            .await
            .unwrap();
        assert_eq!(code, 200);
        (started.elapsed(), body.len())
    };
    let mut times = Vec::new();
    let mut sent = 0;
    for _ in 0..15 {
        let (took, bytes) = fetch().await;
        times.push(took);
        sent = bytes;
    }
    let first = times[0];
    let plain = http_get(daemon.addr, "/").await.unwrap().1.len();
    // Queries nobody asked before: each answer is computed while the request
    // waits. The median of seven zones.
    let mut new_queries = Vec::new();
    for tz in [
        "Asia/Shanghai",
        "Asia/Tokyo",
        "Europe/London",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Sydney",
        "Europe/Berlin",
    ] {
        let started = Instant::now();
        let (code, _, _) = http_request(
            daemon.addr,
            &format!("/?tz={tz}"),
            &[("accept-encoding", "gzip")],
        )
        .await
        .unwrap();
        assert_eq!(code, 200);
        new_queries.push(started.elapsed());
    }
    new_queries.sort();
    let computed = new_queries[new_queries.len() / 2];
    times.sort();
    // Then 20 times a second across the minute's turn, where a new answer is
    // computed behind the one served.
    let started = Instant::now();
    let mut loaded_times = Vec::new();
    while started.elapsed() < Duration::from_secs(20) {
        loaded_times.push(fetch().await.0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    loaded_times.sort();
    let loaded = lateness(&daemon.metrics().await);
    println!(
        "{checks} checks, {n} samples over 28 days: `/` first fetch after start {:.1} ms, then median {:.1} ms (max {:.1}); \
         a new query's first fetch (computed while it waits; median of 7 zones) {:.1} ms; \
         {:.1} KB sent gzipped ({} KB plain); fetched {} times in 20 s across a minute's turn: median {:.1} ms, slowest {:.1} ms; \
         probe lateness: every start within {alone} s alone, within {loaded} s with the page fetched",
        ms(first),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        ms(computed),
        sent as f64 / 1024.0,
        plain / 1024,
        loaded_times.len(),
        ms(loaded_times[loaded_times.len() / 2]),
        ms(loaded_times[loaded_times.len() - 1]),
    );
    computed
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
