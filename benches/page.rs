//! The status page's cost, printed, not asserted: the time to render `/` and
//! the bytes sent, with 15 and with 1,000 checks over 28 days of history; and
//! the probe schedule's lateness while the page is fetched 20 times a second,
//! against the same daemon left alone.
//!
//! Run: `cargo bench --bench page` (release build; a few minutes).

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use support::daemon::{Daemon, metric_sum};
use support::{http_get, peers};

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        for (checks, step_min) in [(15usize, 5i64), (1_000, 15)] {
            bench(checks, step_min).await;
        }
    });
}

async fn bench(checks: usize, step_min: i64) {
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
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..15 {
        let started = Instant::now();
        let (code, body) = http_get(daemon.addr, "/").await.unwrap();
        times.push(started.elapsed());
        assert_eq!(code, 200);
        bytes = body.len();
    }
    times.sort();
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
    tokio::time::sleep(Duration::from_secs(10)).await;
    let alone = lateness(&daemon.metrics().await);
    let started = Instant::now();
    let mut fetched = 0;
    while started.elapsed() < Duration::from_secs(10) {
        let _ = http_get(daemon.addr, "/").await;
        fetched += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let loaded = lateness(&daemon.metrics().await);
    println!(
        "{checks} checks, {n} samples over 28 days: `/` median {:.1} ms (min {:.1}, max {:.1}), {} KB; \
         probe lateness: every start within {alone} s alone, within {loaded} s with the page fetched {fetched} times in 10 s",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        bytes / 1024,
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
