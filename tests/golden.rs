//! The JSON answers on fixed histories, byte for byte: `status` (two zones,
//! two languages), `status --incidents` and `export`, at a fixed `now`, held
//! against files written by the code before a change of shape-neutral work
//! (a refactor must not move a byte). `OKX_GOLDEN_WRITE=1` writes them anew;
//! a change of the contract is the only reason to.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};

use crate::support::history::{every, line};
use crate::support::{ConfigDir, run_env, stderr};

const CONFIG: &str = "[defaults]\nschedule = \"0 */10 * * * *\"\n\n\
    [[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n\n\
    [[check]]\nname = \"website-chat\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"http://127.0.0.1:9/\"\n\n\
    [[check]]\nname = \"help-center\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"http://127.0.0.1:9/\"\n\n\
    [[check]]\nname = \"mail\"\nchannel = \"email\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

/// Three weeks every ten minutes: a fast morning for the chat, a failing
/// Friday evening, an outage an hour long yesterday, a blocked help center on
/// Sundays, throttled and unknown probes, and mail whose port 25 is shut
/// for the last day.
fn history() -> Vec<String> {
    every(now(), 21, 10, |t, out| {
        let day = t.weekday().num_days_from_monday();
        let hour = t.hour();
        let back = (now() - t).num_minutes();
        out.push(line(
            t,
            "control-web",
            "control",
            "up",
            Some(30.0 + (hour % 5) as f64),
        ));
        let (outcome, ms) = if (100..160).contains(&back) || (day == 4 && (18..21).contains(&hour))
        {
            ("down", None)
        } else if hour == 6 {
            ("up", Some(40.0 + (t.minute() % 7) as f64))
        } else if hour == 13 && t.minute() == 20 {
            ("throttled", None)
        } else {
            ("up", Some(150.0 + ((t.day() * 7 + hour) % 40) as f64))
        };
        out.push(line(t, "website-chat", "chat", outcome, ms));
        let help = match (day, hour, t.minute()) {
            (6, _, _) => ("blocked", None),
            (_, 3, 0) => ("unknown", None),
            (_, h, _) if h % 6 == 0 => ("degraded", Some(3500.0)),
            _ => ("up", Some(90.0 + (hour * 3) as f64)),
        };
        out.push(line(t, "help-center", "help_center", help.0, help.1));
        let mail = if back < 24 * 60 {
            ("unknown", None)
        } else {
            ("up", Some(70.0))
        };
        out.push(line(t, "mail", "email", mail.0, mail.1));
    })
}

fn golden(name: &str, got: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden")
        .join(name);
    if std::env::var_os("OKX_GOLDEN_WRITE").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        got == want.as_slice(),
        "{name} differs from {}:\n{}",
        path.display(),
        String::from_utf8_lossy(got)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn json_answers_on_a_fixed_history_are_byte_identical() {
    let dir = ConfigDir::new(&[("checks.toml", CONFIG), ("h.jsonl", &history().join("\n"))]);
    let db = dir.path().join("h.db");
    let (db, file) = (db.to_str().unwrap(), dir.path().join("h.jsonl"));
    let config = dir.path().join("checks.toml");
    let config = config.to_str().unwrap();
    let at = now().to_rfc3339();
    let env = [("OKX_MONITOR_NOW", at.as_str())];
    let out = run_env(&["import", file.to_str().unwrap(), "--db", db], &env).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cases: [(&str, &[&str]); 6] = [
        ("status-utc-en.json", &["--tz", "UTC", "--lang", "en"]),
        (
            "status-kolkata-en.json",
            &["--tz", "Asia/Kolkata", "--lang", "en"],
        ),
        (
            "status-shanghai-zh.json",
            &["--tz", "Asia/Shanghai", "--lang", "zh-CN"],
        ),
        (
            "status-window-7d.json",
            &["--tz", "UTC", "--window", "7d", "--lang", "en"],
        ),
        (
            "incidents-utc.json",
            &["--tz", "UTC", "--incidents", "--lang", "en"],
        ),
        (
            "incidents-shanghai-zh.json",
            &["--tz", "Asia/Shanghai", "--incidents", "--lang", "zh-CN"],
        ),
    ];
    for (name, extra) in cases {
        let args = [
            &["--config", config, "status", "--db", db, "--format", "json"],
            extra,
        ]
        .concat();
        let out = run_env(&args, &env).await;
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        golden(name, &out.stdout);
    }
    // The last six hours alone, imported into a database of their own.
    let recent: Vec<String> = history().split_off(history().len() - 6 * 6 * 4);
    std::fs::write(dir.path().join("r.jsonl"), recent.join("\n")).unwrap();
    let (small, recent) = (dir.path().join("r.db"), dir.path().join("r.jsonl"));
    let small = small.to_str().unwrap();
    let out = run_env(&["import", recent.to_str().unwrap(), "--db", small], &env).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run_env(&["export", "--db", small], &env).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    golden("export.jsonl", &out.stdout);
}
