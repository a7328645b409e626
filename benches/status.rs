//! `status` against a year of history (issue 4), printed, not asserted:
//! 8 checks × 365 days × one sample a minute (4.2 million samples) imported with
//! the real binary; the import time; the database's bytes per sample; and the
//! wall time of `okx-monitor status --window 400d`, process start included,
//! against histories of 30, 120 and 365 days.
//!
//! Then on the year, the ratios of issue 30, each side measured in turn in
//! the same run: the import against the `sqlite3` command-line shell's
//! `.import` of the same rows as CSV (check, time, outcome, latency) into a
//! minimal `WITHOUT ROWID` table on the same disk (when `sqlite3` is
//! installed), and `status --window 400d` against `--window 28d` in UTC,
//! Asia/Shanghai and Asia/Kolkata, and Kolkata's against UTC's.
//!
//! Run: `cargo bench --bench status` (release build; a few minutes). Given a
//! directory (`cargo bench --bench status -- DIR`), the histories and databases
//! are written there and kept, for profiling or other binaries.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_okx-monitor");
const CHECKS: [(&str, &str); 8] = [
    ("website-chat", "chat"),
    ("help-center", "help_center"),
    ("help-faq", "help_center"),
    ("request-form", "ticket"),
    ("support-mail", "email"),
    ("x", "social"),
    ("telegram", "social"),
    ("reddit", "community"),
];

fn main() {
    let temp = tempfile::tempdir().unwrap();
    let kept = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    std::fs::create_dir_all(dir).unwrap();
    let now = chrono::Utc::now().timestamp() / 60 * 60;
    for days in [30i64, 120, 365] {
        let file = dir.join(format!("{days}d.jsonl"));
        let db = dir.join(format!("{days}d.db"));
        let n = write_history(&file, &file.with_extension("csv"), now, days);
        let import = import(&file, &db, false);
        let bytes = std::fs::metadata(&db).unwrap().len()
            + std::fs::metadata(db.with_extension("db-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        let times = status_times(&db, "400d", "Asia/Shanghai", 15);
        println!(
            "{days:>3} days, {n} samples: import {:.1} s ({:.0} samples/s), {:.0} bytes/sample; \
             status --window 400d: median {:.1} ms, min {:.1} ms, max {:.1} ms (process start included)",
            import,
            n as f64 / import,
            bytes as f64 / n as f64,
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
        );
    }
    ratios(dir);
    let started = Instant::now();
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    println!(
        "for scale, `okx-monitor --version`: {:.1} ms",
        ms(started.elapsed())
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Writes one sample a minute per check for `days` days up to `now` (unix s);
/// chat is slow and failing on weekday evenings, fast early in the morning.
/// The same rows go to `csv` as (check, time ms, outcome code, latency µs),
/// for `sqlite3`'s `.import`.
fn write_history(path: &Path, csv: &Path, now: i64, days: i64) -> u64 {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut rows = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(csv).unwrap());
    let mut n = 0;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for minute in (0..days * 1440).rev() {
        let t = now - minute * 60;
        let ts = chrono::DateTime::from_timestamp(t, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let hour = (t / 3600) % 24;
        for (check, channel) in CHECKS {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let busy = (19..23).contains(&hour);
            let fails = if busy {
                state.is_multiple_of(20)
            } else {
                state.is_multiple_of(500)
            };
            let base = if (5..8).contains(&hour) {
                90.0
            } else if busy {
                800.0
            } else {
                250.0
            };
            let latency = base + (state % 1000) as f64 / 10.0;
            if fails {
                writeln!(out, r#"{{"ts":"{ts}","check":"{check}","channel":"{channel}","outcome":"down","latency_ms":null}}"#).unwrap();
                writeln!(rows, "{check},{},2,", t * 1000).unwrap();
            } else {
                writeln!(out, r#"{{"ts":"{ts}","check":"{check}","channel":"{channel}","outcome":"up","latency_ms":{latency:.1}}}"#).unwrap();
                writeln!(
                    rows,
                    "{check},{},0,{:.0}",
                    t * 1000,
                    (latency * 10.0).round() * 100.0
                )
                .unwrap();
            }
            n += 1;
        }
    }
    out.flush().unwrap();
    rows.flush().unwrap();
    n
}

fn status_times(db: &Path, window: &str, tz: &str, runs: usize) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs).map(|_| status_once(db, window, tz)).collect();
    times.sort();
    times
}

/// One `status` run's wall time, process start included.
fn status_once(db: &Path, window: &str, tz: &str) -> Duration {
    let started = Instant::now();
    let out = Command::new(BIN)
        .args([
            "--config",
            "/nonexistent",
            "status",
            "--window",
            window,
            "--tz",
            tz,
            "--db",
        ])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

/// Imports `file` into a new database `db`, with okx-monitor, or (`reference`)
/// a CSV with the `sqlite3` shell into a minimal table; the wall seconds.
fn import(file: &Path, db: &Path, reference: bool) -> f64 {
    for stale in ["db", "db-wal", "db-shm"] {
        let _ = std::fs::remove_file(db.with_extension(stale));
    }
    let started = Instant::now();
    let out = if reference {
        let script = format!(
            "CREATE TABLE samples (check_name TEXT NOT NULL, ts_ms INTEGER NOT NULL, \
             outcome INTEGER NOT NULL, latency_us INTEGER, PRIMARY KEY (check_name, ts_ms)) \
             WITHOUT ROWID;\n.mode csv\n.import {} samples\n",
            file.display()
        );
        let mut child = Command::new("sqlite3")
            .arg(db)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        child.wait().unwrap().success()
    } else {
        Command::new(BIN)
            .args(["import", file.to_str().unwrap(), "--db"])
            .arg(db)
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(out, "import of {} failed", file.display());
    started.elapsed().as_secs_f64()
}

/// The median of `values`.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Issue 30's ratios on the year's history in `dir`, each pair measured in
/// turn (A B A B …) and the ratio taken pair by pair, so that the machine's
/// drift moves both sides alike.
fn ratios(dir: &Path) {
    let (jsonl, csv, db) = (
        dir.join("365d.jsonl"),
        dir.join("365d.csv"),
        dir.join("365d.db"),
    );
    let has_sqlite3 = Command::new("sqlite3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_sqlite3 {
        let (ours, reference) = (dir.join("ours.db"), dir.join("reference.db"));
        let pairs: Vec<(f64, f64)> = (0..3)
            .map(|_| (import(&jsonl, &ours, false), import(&csv, &reference, true)))
            .collect();
        println!(
            "import of the year: {:.2} s, sqlite3 .import of the same rows as CSV {:.2} s: {:.2}x (median of 3 pairs; goal 1.0x)",
            median(pairs.iter().map(|p| p.0).collect()),
            median(pairs.iter().map(|p| p.1).collect()),
            median(pairs.iter().map(|p| p.0 / p.1).collect()),
        );
    } else {
        println!("import against sqlite3 .import: not measured (no sqlite3 command)");
    }
    // Every zone and window in turn, 21 rounds.
    let zones = ["UTC", "Asia/Shanghai", "Asia/Kolkata"];
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); zones.len()];
    for _ in 0..21 {
        for (z, tz) in zones.iter().enumerate() {
            let long = ms(status_once(&db, "400d", tz));
            let short = ms(status_once(&db, "28d", tz));
            runs[z].push((long, short));
        }
    }
    for (z, tz) in zones.iter().enumerate() {
        let r = &runs[z];
        println!(
            "status --tz {tz}: --window 400d {:.1} ms, --window 28d {:.1} ms: {:.2}x (median of 21 pairs; goal 1.5x)",
            median(r.iter().map(|p| p.0).collect()),
            median(r.iter().map(|p| p.1).collect()),
            median(r.iter().map(|p| p.0 / p.1).collect()),
        );
    }
    println!(
        "status --window 400d, Asia/Kolkata against UTC: {:.2}x (median of 21 pairs; goal 1.2x)",
        median(
            runs[2]
                .iter()
                .zip(&runs[0])
                .map(|(k, u)| k.0 / u.0)
                .collect()
        ),
    );
}
