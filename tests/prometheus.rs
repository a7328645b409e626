//! `status --prometheus`: many vantage points through one real Prometheus, and
//! a backfilled history whose best window is known, compared with the local store.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{Datelike, Timelike, Utc};

use crate::support::daemon::{Daemon, Prometheus};
use crate::support::peers::{self, response};
use crate::support::{ConfigDir, run, stderr};

fn chat_check(url: &str) -> String {
    format!(
        "[[check]]\nname = \"website-chat\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{url}\"\nschedule = \"* * * * * *\"\ntimeout = \"1s\"\n"
    )
}

async fn status_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--config", "/nonexistent", "status", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn chat(v: &serde_json::Value) -> &serde_json::Value {
    v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "chat")
        .unwrap_or_else(|| panic!("{v}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_vantages_are_summed_or_picked() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    // From "home" chat works; from "office" it is refused.
    let home = ConfigDir::new(&[("c.toml", &chat_check(&peer.url("/")))]);
    let office = ConfigDir::new(&[(
        "c.toml",
        &chat_check(&format!("http://127.0.0.1:{}/", peers::closed_port())),
    )]);
    let a = Daemon::start_with(
        home.path(),
        &home.path().join("m.db"),
        &["--vantage", "home"],
    )
    .await;
    let b = Daemon::start_with(
        office.path(),
        &office.path().join("m.db"),
        &["--vantage", "office"],
    )
    .await;
    let prom = Prometheus::start(&[a.addr, b.addr]).await;
    let started = Instant::now();
    while prom
        .query("count by (vantage) (increase(okx_monitor_probes_total[1h]) > 0)")
        .await
        .len()
        < 2
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "both vantages scraped"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let url = format!("http://{}", prom.addr);

    let n = |v: &serde_json::Value| chat(v)["samples"].as_u64().unwrap();
    let args = [
        "--prometheus",
        &url,
        "--window",
        "1h",
        "--tz",
        "UTC",
        "--vantage",
    ];
    // The three answers are read one after the other; a scrape in between
    // adds samples to one of them, so they are read again until they agree.
    let (mut both, mut home_only, mut office_only) = Default::default();
    for _ in 0..5 {
        both = status_json(&args[..6]).await;
        home_only = status_json(&[&args[..], &["home"]].concat()).await;
        office_only = status_json(&[&args[..], &["office"]].concat()).await;
        if n(&both) == n(&home_only) + n(&office_only) {
            break;
        }
    }
    assert_eq!(chat(&home_only)["availability"], 1.0, "{home_only}");
    assert_eq!(chat(&office_only)["availability"], 0.0, "{office_only}");
    assert!(n(&home_only) > 0 && n(&office_only) > 0);
    assert_eq!(
        n(&both),
        n(&home_only) + n(&office_only),
        "summed over every vantage"
    );
    let availability = chat(&both)["availability"].as_f64().unwrap();
    assert!(availability > 0.0 && availability < 1.0, "{both}");
    assert_eq!(chat(&home_only)["now"], "up");
    assert_eq!(chat(&office_only)["now"], "down");
    assert_eq!(
        chat(&both)["now"],
        "degraded",
        "one vantage works, the other not: partly"
    );
}

/// Duration buckets of okx_monitor_probe_duration_seconds (as the daemon has them).
const LE: [&str; 19] = [
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.2", "0.3", "0.5", "0.75", "1.0", "1.5", "2.0",
    "3.0", "5.0", "7.5", "10.0", "15.0", "30.0", "+Inf",
];

#[tokio::test(flavor = "multi_thread")]
async fn a_backfilled_history_gives_the_window_the_local_store_gives() {
    // 14 days, one probe every 5 minutes (at minute 2, 7, …): Tuesday 06:00–08:00
    // UTC answers in 60 ms and never fails; every other hour fails once (at
    // minute 32) and answers in 400 ms.
    let end = Utc::now().timestamp() / 3600 * 3600;
    let start = end - 14 * 86_400;
    let (mut up, mut down, mut sum) = (0u64, 0u64, 0.0f64);
    let mut buckets = [0u64; 19];
    let (mut counters_up, mut counters_down, mut histogram, mut jsonl) =
        (String::new(), String::new(), String::new(), String::new());
    let labels = r#"channel="chat",check="website-chat",vantage="bf""#;
    let mut t = start + 120;
    while t < end {
        let at = chrono::DateTime::from_timestamp(t, 0).unwrap();
        let fast = at.weekday() == chrono::Weekday::Tue && (6..8).contains(&at.hour());
        let fails = !fast && at.minute() == 32;
        let latency = if fast { 0.06 } else { 0.4 };
        let ts = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if fails {
            down += 1;
            writeln!(jsonl, r#"{{"ts":"{ts}","check":"website-chat","channel":"chat","outcome":"down","latency_ms":null}}"#).unwrap();
        } else {
            up += 1;
            sum += latency;
            for (i, le) in LE.iter().enumerate() {
                if *le == "+Inf" || latency <= le.parse::<f64>().unwrap() {
                    buckets[i] += 1;
                }
            }
            writeln!(jsonl, r#"{{"ts":"{ts}","check":"website-chat","channel":"chat","outcome":"up","latency_ms":{}}}"#, latency * 1000.0).unwrap();
        }
        writeln!(
            counters_up,
            r#"okx_monitor_probes_total{{{labels},outcome="up"}} {up} {t}"#
        )
        .unwrap();
        writeln!(
            counters_down,
            r#"okx_monitor_probes_total{{{labels},outcome="down"}} {down} {t}"#
        )
        .unwrap();
        for (i, le) in LE.iter().enumerate() {
            writeln!(
                histogram,
                r#"okx_monitor_probe_duration_seconds_bucket{{{labels},le="{le}"}} {} {t}"#,
                buckets[i]
            )
            .unwrap();
        }
        writeln!(
            histogram,
            "okx_monitor_probe_duration_seconds_count{{{labels}}} {up} {t}"
        )
        .unwrap();
        writeln!(
            histogram,
            "okx_monitor_probe_duration_seconds_sum{{{labels}}} {sum} {t}"
        )
        .unwrap();
        t += 300;
    }
    let dir = ConfigDir::new(&[]);
    let om = format!(
        "# TYPE okx_monitor_probes counter\n{counters_up}{counters_down}# TYPE okx_monitor_probe_duration_seconds histogram\n{histogram}# EOF\n"
    );
    std::fs::write(dir.path().join("history.om"), om).unwrap();
    std::fs::write(dir.path().join("history.jsonl"), jsonl).unwrap();
    let data = dir.path().join("tsdb");
    let out = tokio::process::Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(dir.path().join("history.om"))
        .arg(&data)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let prom = Prometheus::start_full(&[], &[], Some(&data)).await;
    let url = format!("http://{}", prom.addr);

    let from_prometheus =
        status_json(&["--prometheus", &url, "--window", "14d", "--tz", "UTC"]).await;
    let db = dir.path().join("h.db");
    let db = db.to_str().unwrap();
    assert_eq!(
        run(&[
            "import",
            dir.path().join("history.jsonl").to_str().unwrap(),
            "--db",
            db
        ])
        .await
        .status
        .code(),
        Some(0)
    );
    let from_store = status_json(&["--db", db, "--window", "14d", "--tz", "UTC"]).await;

    let best = |v: &serde_json::Value| {
        let b = &chat(v)["best"][0];
        (b["weekday"].as_u64().unwrap(), b["hour"].as_u64().unwrap())
    };
    assert_eq!(best(&from_store), (2, 6), "{from_store}");
    assert_eq!(best(&from_prometheus), (2, 6), "{from_prometheus}");
    assert_eq!(chat(&from_prometheus)["best"][0]["availability"], 1.0);
    let p50 = chat(&from_prometheus)["best"][0]["p50_ms"]
        .as_f64()
        .unwrap();
    assert!(
        (50.0..100.0).contains(&p50),
        "as fine as the 50–100 ms bucket: {p50}"
    );
    let (a, b) = (
        chat(&from_store)["availability"].as_f64().unwrap(),
        chat(&from_prometheus)["availability"].as_f64().unwrap(),
    );
    assert!(
        (a - b).abs() < 0.01,
        "availability {a} locally, {b} through Prometheus"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn clear_errors_when_prometheus_cannot_answer() {
    let closed = format!("http://127.0.0.1:{}", peers::closed_port());
    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--prometheus",
        &closed,
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot reach Prometheus at"),
        "{}",
        stderr(&out)
    );

    let empty = Prometheus::start(&[]).await;
    let url = format!("http://{}", empty.addr);
    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--prometheus",
        &url,
        "--vantage",
        "nowhere",
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no okx_monitor_probes_total series for vantage `nowhere`"),
        "{}",
        stderr(&out)
    );

    // Not Prometheus at all: a web server that answers HTML.
    let web = peers::http(|_| response(200, &[], "<html>hello</html>")).await;
    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--prometheus",
        &format!("http://{}", web.addr),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no JSON"), "{}", stderr(&out));

    let out = run(&["--config", "/nonexistent", "status", "--vantage", "home"]).await;
    assert_eq!(out.status.code(), Some(2), "--vantage needs --prometheus");
}
