//! `okx-monitor run` as users run it: scraped by a real Prometheus, killed with
//! SIGKILL mid-write, stopped with SIGTERM, reloaded with SIGHUP.

use std::path::Path;
use std::time::{Duration, Instant};

use okx_monitor::store::Store;

use crate::support::daemon::{Daemon, Prometheus, metric_sum};
use crate::support::peers::{self, response};
use crate::support::{BUSY, ConfigDir, run, stderr, stdout, within};

fn http_checks(n: usize, url: &str, extra: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "[[check]]\nname = \"web-{i}\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"{url}\"\nschedule = \"* * * * * *\"\ntimeout = \"2s\"\n{extra}\n"
            )
        })
        .collect()
}

const CONTROL: &str = "[[check]]\nname = \"control\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"127.0.0.1:{port}\"\nschedule = \"* * * * * *\"\ntimeout = \"1s\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_scrapes_rising_probe_counts_and_promtool_is_silent() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let toml = http_checks(2, &peer.url("/"), "")
        + &CONTROL.replace("{port}", &peer.addr.port().to_string());
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let daemon = Daemon::start(dir.path(), &dir.path().join("m.db")).await;
    let prom = Prometheus::start(&[daemon.addr]).await;

    let q = "sum(okx_monitor_probes_total{outcome=\"up\"})";
    let started = Instant::now();
    let mut seen = Vec::new();
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(v) = prom.scalar(q).await
            && seen.last() != Some(&v)
        {
            seen.push(v);
            if seen.len() >= 3 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        seen.len() >= 3 && seen.windows(2).all(|w| w[1] > w[0]),
        "rising through Prometheus: {seen:?}"
    );

    // The fixed series are there with their labels.
    let up = prom
        .query("okx_monitor_probe_success{check=\"web-0\",channel=\"help_center\"}")
        .await;
    assert_eq!(up.len(), 1, "{up:?}");
    let hist = prom
        .query("okx_monitor_probe_duration_seconds_count{check=\"web-0\"}")
        .await;
    assert_eq!(hist.len(), 1, "{hist:?}");

    // promtool check metrics prints nothing for the daemon's exposition.
    let text = daemon.metrics().await;
    let mut promtool = tokio::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus)");
    use tokio::io::AsyncWriteExt;
    promtool
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .await
        .unwrap();
    let out = promtool.wait_with_output().await.unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_while_writing_loses_at_most_a_second_and_the_file_goes_on() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    // 150 checks every second: 150 samples/s.
    let dir = ConfigDir::new(&[("checks.toml", &http_checks(150, &peer.url("/"), ""))]);
    let db = dir.path().join("m.db");
    let mut daemon = Daemon::start(dir.path(), &db).await;
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let probed = metric_sum(&daemon.metrics().await, "okx_monitor_probes_total", "");
    daemon.signal(libc::SIGKILL);
    daemon
        .wait_exit(Duration::from_secs(5))
        .await
        .expect("killed");
    assert!(probed >= 300.0, "at least 100 samples/s: {probed} in 3.2 s");

    let store = Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let stored = store.sample_count().unwrap() as f64;
    eprintln!("kill -9: {probed} probes counted before the kill, {stored} samples stored");
    assert!(
        stored >= probed - 150.0,
        "stored {stored} of {probed} probed before the kill: more than a second lost"
    );
    drop(store);

    // A restarted daemon goes on with the same file.
    let mut again = Daemon::start(dir.path(), &db).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    again.signal(libc::SIGTERM);
    assert_eq!(
        again
            .wait_exit(Duration::from_secs(5))
            .await
            .map(|s| s.code()),
        Some(Some(0))
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert!(
        store.sample_count().unwrap() as f64 > stored + 100.0,
        "the restarted daemon wrote on"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_exits_zero_within_the_longest_timeout() {
    let tarpit = peers::tarpit().await;
    let toml = http_checks(3, &tarpit.url("/"), "");
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let mut daemon = Daemon::start(dir.path(), &dir.path().join("m.db")).await;
    // Let probes start and hang on the tarpit (timeout 2 s).
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let asked = Instant::now();
    daemon.signal(libc::SIGTERM);
    let status = daemon
        .wait_exit(Duration::from_secs(10))
        .await
        .expect("exits");
    let took = asked.elapsed();
    assert_eq!(status.code(), Some(0), "{}", daemon.log_text());
    // The longest timeout is 2 s, and the probes started 1.3 s ago.
    within(took, Duration::from_millis(2500));
    // What was probed is in the database.
    let store = Store::open(&daemon.db).unwrap();
    assert!(store.sample_count().unwrap() >= 3, "{}", daemon.log_text());
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_keeps_the_old_config_when_the_new_one_is_broken() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let dir = ConfigDir::new(&[("checks.toml", &http_checks(1, &peer.url("/"), ""))]);
    let daemon = Daemon::start(dir.path(), &dir.path().join("m.db")).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;

    std::fs::write(
        dir.path().join("checks.toml"),
        "[[check]]\nname = \"broken\"\ntiemout = 1\n",
    )
    .unwrap();
    daemon.signal(libc::SIGHUP);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = metric_sum(
        &daemon.metrics().await,
        "okx_monitor_probes_total",
        "check=\"web-0\"",
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let text = daemon.metrics().await;
    assert_eq!(
        metric_sum(&text, "okx_monitor_config_last_reload_successful", ""),
        0.0
    );
    let after = metric_sum(&text, "okx_monitor_probes_total", "check=\"web-0\"");
    assert!(
        after > before,
        "the old check still runs: {before} → {after}"
    );
    assert!(
        daemon
            .log_text()
            .contains("the new configuration is invalid"),
        "{}",
        daemon.log_text()
    );
    assert!(
        daemon.log_text().contains("checks.toml:3:1"),
        "the log names the place: {}",
        daemon.log_text()
    );

    let fixed = http_checks(1, &peer.url("/"), "")
        + "[[check]]\nname = \"added\"\nchannel = \"chat\"\nkind = \"http\"\nschedule = \"* * * * * *\"\nurl = \""
        + &peer.url("/")
        + "\"\n";
    std::fs::write(dir.path().join("checks.toml"), fixed).unwrap();
    daemon.signal(libc::SIGHUP);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let text = daemon.metrics().await;
    assert_eq!(
        metric_sum(&text, "okx_monitor_config_last_reload_successful", ""),
        1.0
    );
    assert!(
        metric_sum(&text, "okx_monitor_probes_total", "check=\"added\"") >= 1.0,
        "{text}"
    );
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn export_import_export_gives_the_same_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let mut lines = Vec::new();
    for i in 0..500i64 {
        let ts = chrono::DateTime::from_timestamp_millis(1_793_000_000_000 + i * 61_007).unwrap();
        let ts = ts.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let (outcome, latency) = match i % 5 {
            0 => ("down", "null".to_string()),
            1 => ("degraded", format!("{}.5", 3000 + i)),
            2 => ("throttled", "12.25".to_string()),
            _ => ("up", format!("{}.125", 100 + i)),
        };
        lines.push(format!(
            r#"{{"ts":"{ts}","check":"retired-{}","channel":"chat","outcome":"{outcome}","latency_ms":{latency}}}"#,
            i % 3
        ));
    }
    let original = dir.path().join("in.jsonl");
    write_lines(&original, &lines);
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let out = run(&["import", &p(&original), "--db", &p(&a)]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = dir.path().join("first.jsonl");
    let out = run(&["export", &p(&first), "--db", &p(&a)]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        std::fs::read_to_string(&original).unwrap()
    );

    let out = run(&["import", &p(&first), "--db", &p(&b)]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["export", "--db", &p(&b)]).await;
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        std::fs::read_to_string(&first).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_line_imports_nothing_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let good = r#"{"ts":"2026-11-02T06:00:00Z","check":"help-center","channel":"help_center","outcome":"up","latency_ms":183.2}"#;
    let file = dir.path().join("in.jsonl");
    write_lines(
        &file,
        &[
            good.to_string(),
            good.to_string(),
            good.replace("\"up\"", "\"upp\""),
        ],
    );
    let out = run(&[
        "import",
        file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("in.jsonl:3: `outcome`: unknown outcome `upp`"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        Store::open(&db).unwrap().sample_count().unwrap(),
        0,
        "nothing half-applied"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_honoured_and_overruns_are_not_stacked() {
    let peer = peers::http(|head| match peers::path(head) {
        "/busy" => response(429, &[("retry-after", "3")], "slow down"),
        _ => peers::Answer::After(
            Duration::from_millis(2500),
            Box::new(response(200, &[], "ok")),
        ),
    })
    .await;
    // `slow` names the peer `localhost`: another host than `busy`'s 127.0.0.1,
    // so busy's Retry-After does not hold it.
    let toml = format!(
        "[[check]]\nname = \"busy\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\nschedule = \"* * * * * *\"\n\n\
         [[check]]\nname = \"slow\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"http://localhost:{}/slow\"\nschedule = \"* * * * * *\"\ntimeout = \"5s\"\n",
        peer.url("/busy"),
        peer.addr.port()
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let daemon = Daemon::start_with(
        dir.path(),
        &dir.path().join("m.db"),
        &["--log-format", "json"],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let text = daemon.metrics().await;
    let throttled = metric_sum(&text, "okx_monitor_probes_total", "check=\"busy\"");
    let held = metric_sum(
        &text,
        "okx_monitor_probes_skipped_total",
        "reason=\"retry_after\"",
    );
    assert_eq!(
        throttled, 1.0,
        "one probe, then the host's Retry-After (3 s) holds the rest"
    );
    assert!(held >= 1.0, "{text}");
    let overrun = metric_sum(
        &text,
        "okx_monitor_probes_skipped_total",
        "reason=\"overrun\"",
    );
    assert!(
        overrun >= 1.0,
        "a 2.5 s probe every second skips slots: {text}"
    );
    assert!(metric_sum(&text, "okx_monitor_probes_total", "check=\"slow\"") <= 1.0);

    let log = daemon.log_text();
    let first = log.lines().next().unwrap();
    let v: serde_json::Value =
        serde_json::from_str(first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert_eq!(v["fields"]["message"], "okx-monitor is running");
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_kills_at_random_moments_never_damage_the_database() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let dir = ConfigDir::new(&[("checks.toml", &http_checks(150, &peer.url("/"), ""))]);
    let db = dir.path().join("m.db");
    // A seeded generator, so a failure can be replayed.
    let mut state: u64 = 0x5eed_1234_abcd_0001;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut stored = 0;
    for round in 0..20 {
        let mut daemon = Daemon::start(dir.path(), &db).await;
        tokio::time::sleep(Duration::from_millis(200 + next() % 1300)).await;
        daemon.signal(libc::SIGKILL);
        daemon
            .wait_exit(Duration::from_secs(5))
            .await
            .expect("killed");
        let store = Store::open(&db).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}");
        let now = store.sample_count().unwrap();
        assert!(
            now >= stored,
            "round {round}: samples went from {stored} to {now}"
        );
        stored = now;
    }
    assert!(stored > 1000, "the daemon wrote between kills: {stored}");
    // And it resumes on the same file.
    let mut last = Daemon::start(dir.path(), &db).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    last.signal(libc::SIGTERM);
    assert_eq!(
        last.wait_exit(Duration::from_secs(5))
            .await
            .and_then(|s| s.code()),
        Some(0)
    );
    assert!(Store::open(&db).unwrap().sample_count().unwrap() > stored);
}

/// A newcomer sees data at once: a check scheduled hourly is probed, counted
/// and stored within 3 s of the daemon's start, not at the next full hour.
#[tokio::test(flavor = "multi_thread")]
async fn every_check_is_probed_once_right_after_the_start() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let toml = format!(
        "[[check]]\nname = \"hourly\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"{}\"\nschedule = \"0 0 * * * *\"\n",
        peer.url("/")
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let db = dir.path().join("first.db");
    let started = Instant::now();
    let daemon = Daemon::start(dir.path(), &db).await;
    let (mut counted, mut stored) = (false, false);
    while !(counted && stored) && started.elapsed() < Duration::from_secs(3) + BUSY {
        counted = metric_sum(
            &daemon.metrics().await,
            "okx_monitor_probes_total",
            "check=\"hourly\"",
        ) >= 1.0;
        let out = run(&["export", "--db", db.to_str().unwrap()]).await;
        stored = stdout(&out).contains("\"check\":\"hourly\"");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        counted,
        "probes_total within 3 s (and a busy machine's margin)"
    );
    assert!(
        stored,
        "a stored sample within 3 s: {:?}",
        started.elapsed()
    );
    // Once only: no second probe stacked on it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let text = daemon.metrics().await;
    assert_eq!(
        metric_sum(&text, "okx_monitor_probes_total", "check=\"hourly\""),
        1.0
    );
}

/// A file that is not a database will not become one by waiting: the daemon
/// exits 2 at once with one sentence naming it, and leaves it as it was.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_is_not_a_database_is_refused_at_start() {
    let dir = ConfigDir::new(&[(
        "checks.toml",
        "[[check]]\nname = \"c\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n",
    )]);
    let junk = dir.path().join("notes.txt");
    let text = "these are my notes, not a database\n".repeat(200);
    std::fs::write(&junk, &text).unwrap();
    let foreign = dir.path().join("other.sqlite");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE accounts (id INTEGER); INSERT INTO accounts VALUES (1);")
            .unwrap();
    }
    let foreign_bytes = std::fs::read(&foreign).unwrap();
    for (file, why) in [(&junk, "not an SQLite file"), (&foreign, "another program")] {
        let mut d = Daemon::spawn(dir.path(), file, &[], &[]);
        let status = d.wait_exit(Duration::from_secs(5)).await.expect("it exits");
        assert_eq!(status.code(), Some(2), "{}", d.log_text());
        let log = d.log_text();
        let lines: Vec<&str> = log.lines().filter(|l| l.contains("okx-monitor:")).collect();
        assert_eq!(lines.len(), 1, "{log}");
        assert!(
            lines[0].contains(file.to_str().unwrap()) && lines[0].contains(why),
            "{log}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&junk).unwrap(),
        text,
        "left as it was"
    );
    assert_eq!(
        std::fs::read(&foreign).unwrap(),
        foreign_bytes,
        "left as it was"
    );
}
