//! `status` against a year of history (issue 4), printed, not asserted:
//! 8 checks × 365 days × one sample a minute (4.2 million samples) imported with
//! the real binary; the import time; the database's bytes per sample; and the
//! wall time of `okx-monitor status --window 400d`, process start included,
//! against histories of 30, 120 and 365 days.
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
        let n = write_history(&file, now, days);
        for stale in ["db", "db-wal", "db-shm"] {
            let _ = std::fs::remove_file(db.with_extension(stale));
        }
        let started = Instant::now();
        let out = Command::new(BIN)
            .args([
                "import",
                file.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let import = started.elapsed();
        let bytes = std::fs::metadata(&db).unwrap().len()
            + std::fs::metadata(db.with_extension("db-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        let times = status_times(&db, 15);
        println!(
            "{days:>3} days, {n} samples: import {:.1} s ({:.0} samples/s), {:.0} bytes/sample; \
             status --window 400d: median {:.1} ms, min {:.1} ms, max {:.1} ms (process start included)",
            import.as_secs_f64(),
            n as f64 / import.as_secs_f64(),
            bytes as f64 / n as f64,
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
        );
    }
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
fn write_history(path: &Path, now: i64, days: i64) -> u64 {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
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
            } else {
                writeln!(out, r#"{{"ts":"{ts}","check":"{check}","channel":"{channel}","outcome":"up","latency_ms":{latency:.1}}}"#).unwrap();
            }
            n += 1;
        }
    }
    out.flush().unwrap();
    n
}

fn status_times(db: &Path, runs: usize) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let out = Command::new(BIN)
                .args([
                    "--config",
                    "/nonexistent",
                    "status",
                    "--window",
                    "400d",
                    "--tz",
                    "Asia/Shanghai",
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
        })
        .collect();
    times.sort();
    times
}
