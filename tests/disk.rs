//! A full disk, then a read-only file system, under the daemon's database: it
//! keeps probing and serving /metrics, logs the error once per burst, counts
//! it, keeps the samples in memory, and writes them all when it can again.
//! Uses a real tmpfs, so it needs root (as the test command runs).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use okx_monitor::store::Store;

use crate::support::ConfigDir;
use crate::support::daemon::{Daemon, metric_sum};
use crate::support::peers::{self, response};

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "cannot mount a tmpfs at {}: this test needs root",
            at.display()
        );
        Tmpfs(at.to_path_buf())
    }

    fn remount(&self, mode: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

async fn wait_for(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn count(log: &str, words: &str) -> usize {
    log.lines().filter(|l| l.contains(words)).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_and_a_read_only_file_system_lose_nothing() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let checks: String = (0..100)
        .map(|i| format!("[[check]]\nname = \"web-{i}\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\nschedule = \"* * * * * *\"\n", peer.url("/")))
        .collect();
    let dir = ConfigDir::new(&[("checks.toml", &checks)]);
    let disk = Tmpfs::mount(&dir.path().join("disk"), "4m");
    let db = disk.0.join("m.db");
    let daemon = Daemon::start(dir.path(), &db).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Fill the disk.
    let filler = disk.0.join("filler");
    let _ = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", filler.display()))
        .args(["bs=64k", "count=1000"])
        .output();
    wait_for(
        "write errors counted",
        Duration::from_secs(10),
        async || {
            metric_sum(
                &daemon.metrics().await,
                "okx_monitor_store_write_errors_total",
                "",
            ) >= 3.0
        },
    )
    .await;
    let during = daemon.metrics().await;
    let probes_then = metric_sum(&during, "okx_monitor_probes_total", "");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let still = daemon.metrics().await;
    let probes_now = metric_sum(&still, "okx_monitor_probes_total", "");
    assert!(
        probes_now >= probes_then + 100.0,
        "probing goes on: {probes_then} → {probes_now}\n{}",
        daemon.log_text()
    );
    assert!(
        metric_sum(&still, "okx_monitor_store_pending_samples", "") > 100.0,
        "samples wait in memory"
    );
    // One line per burst of failures, not one per failed write. (At the edge of
    // a full disk SQLite can succeed now and then, reusing its WAL's space, so
    // there may be more than one burst.)
    let log = daemon.log_text();
    let (failed, recovered) = (
        count(&log, "cannot write samples"),
        count(&log, "the database accepts writes again"),
    );
    assert_eq!(failed, recovered + 1, "{log}");
    let failed_writes = metric_sum(&still, "okx_monitor_store_write_errors_total", "");
    assert!(
        failed_writes >= 2.0 * failed as f64,
        "{failed_writes} failed writes, {failed} logged:\n{log}"
    );

    // Space returns: everything is written.
    std::fs::remove_file(&filler).unwrap();
    wait_for("writes resume", Duration::from_secs(10), async || {
        let log = daemon.log_text();
        count(&log, "the database accepts writes again") == count(&log, "cannot write samples")
    })
    .await;

    // Stop; the samples held while the disk was full are all written.
    let mut daemon = daemon;
    daemon.signal(libc::SIGTERM);
    assert_eq!(
        daemon
            .wait_exit(Duration::from_secs(10))
            .await
            .and_then(|s| s.code()),
        Some(0),
        "{}",
        daemon.log_text()
    );
    let first = written(&daemon.log_text());
    assert_eq!(Store::open(&db).unwrap().sample_count().unwrap(), first);

    // A read-only file system under an existing database: the daemon starts
    // anyway, probes and serves /metrics, and writes once it can again.
    disk.remount("ro");
    let mut daemon = Daemon::start(dir.path(), &db).await;
    wait_for(
        "write errors on a read-only database",
        Duration::from_secs(10),
        async || {
            metric_sum(
                &daemon.metrics().await,
                "okx_monitor_store_write_errors_total",
                "",
            ) >= 3.0
        },
    )
    .await;
    wait_for("probing goes on", Duration::from_secs(10), async || {
        metric_sum(&daemon.metrics().await, "okx_monitor_probes_total", "") > 200.0
    })
    .await;
    assert_eq!(
        count(&daemon.log_text(), "cannot write samples"),
        1,
        "once per burst:\n{}",
        daemon.log_text()
    );
    disk.remount("rw");
    wait_for(
        "writes resume on a writable file system",
        Duration::from_secs(10),
        async || count(&daemon.log_text(), "the database accepts writes again") == 1,
    )
    .await;
    daemon.signal(libc::SIGTERM);
    assert_eq!(
        daemon
            .wait_exit(Duration::from_secs(10))
            .await
            .and_then(|s| s.code()),
        Some(0),
        "{}",
        daemon.log_text()
    );
    assert!(!daemon.log_text().contains("panicked"));
    let second = written(&daemon.log_text());
    assert!(second > 100);
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.sample_count().unwrap(),
        first + second,
        "nothing lost"
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

/// How many samples the daemon's stop line says it wrote.
fn written(log: &str) -> u64 {
    log.lines()
        .rev()
        .find_map(|l| {
            l.split("written=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .expect("the stop line says how many were written")
}
