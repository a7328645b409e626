//! Incidents under the running daemon, and what other tools read: a target
//! that fails for a few seconds and comes back is one incident in
//! `/api/incidents`, the Atom feed (parsed by a real XML parser), Statuspage's
//! `summary.json` while it lasts and after, the badge and the page within 5 s,
//! after a restart, and in `status --incidents`; the shapes checked field by
//! field against Statuspage's and shields.io's published ones.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::daemon::Daemon;
use crate::support::peers::{self, response};
use crate::support::{ConfigDir, http_get, run, stdout, within};

/// OKX's status API announcing one maintenance far ahead.
const SCHEDULED: &str = r#"{"code":"0","msg":"","data":[{"begin":"1893456000000","end":"1893459600000","href":"","serviceType":"0","maintType":"1","state":"scheduled","system":"unified","title":"Trading system upgrade"}]}"#;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Str,
    StrOrNull,
    Null,
    Num,
    Bool,
    Arr,
    Obj,
}

/// `v` is an object with exactly these fields of these kinds.
fn shape(what: &str, v: &Value, fields: &[(&str, Kind)]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {v}"));
    for (name, kind) in fields {
        let f = obj
            .get(*name)
            .unwrap_or_else(|| panic!("{what}: no `{name}` in {v}"));
        let ok = match kind {
            Kind::Str => f.is_string(),
            Kind::StrOrNull => f.is_string() || f.is_null(),
            Kind::Null => f.is_null(),
            Kind::Num => f.is_number(),
            Kind::Bool => f.is_boolean(),
            Kind::Arr => f.is_array(),
            Kind::Obj => f.is_object(),
        };
        assert!(ok, "{what}.{name} is not {kind:?}: {f}");
    }
    let extra: Vec<&String> = obj
        .keys()
        .filter(|k| !fields.iter().any(|(n, _)| n == k))
        .collect();
    assert!(
        extra.is_empty(),
        "{what}: fields Statuspage does not have: {extra:?}"
    );
}

fn is_time(t: &Value) {
    let t = t.as_str().unwrap_or_else(|| panic!("not a time: {t}"));
    chrono::DateTime::parse_from_rfc3339(t).unwrap_or_else(|e| panic!("{t}: {e}"));
}

/// Statuspage v2's `page`, `status` and `components[]` (its public API's
/// documented fields).
fn statuspage_page_and_status(v: &Value) {
    use Kind::*;
    shape(
        "page",
        &v["page"],
        &[
            ("id", Str),
            ("name", Str),
            ("url", Str),
            ("time_zone", Str),
            ("updated_at", Str),
        ],
    );
    is_time(&v["page"]["updated_at"]);
    shape(
        "status",
        &v["status"],
        &[("indicator", Str), ("description", Str)],
    );
    let indicator = v["status"]["indicator"].as_str().unwrap();
    assert!(
        ["none", "minor", "major", "critical"].contains(&indicator),
        "{indicator}"
    );
}

fn statuspage_component(c: &Value) {
    use Kind::*;
    shape(
        "component",
        c,
        &[
            ("id", Str),
            ("name", Str),
            ("status", Str),
            ("created_at", Str),
            ("updated_at", Str),
            ("position", Num),
            ("description", StrOrNull),
            ("showcase", Bool),
            ("start_date", StrOrNull),
            ("group_id", StrOrNull),
            ("page_id", Str),
            ("group", Bool),
            ("only_show_if_degraded", Bool),
        ],
    );
    let status = c["status"].as_str().unwrap();
    assert!(
        [
            "operational",
            "degraded_performance",
            "partial_outage",
            "major_outage",
            "under_maintenance"
        ]
        .contains(&status),
        "{status}"
    );
    is_time(&c["updated_at"]);
}

const INCIDENT_FIELDS: &[(&str, Kind)] = &[
    ("id", Kind::Str),
    ("name", Kind::Str),
    ("status", Kind::Str),
    ("created_at", Kind::Str),
    ("updated_at", Kind::Str),
    ("monitoring_at", Kind::StrOrNull),
    ("resolved_at", Kind::StrOrNull),
    ("impact", Kind::Str),
    ("shortlink", Kind::Str),
    ("started_at", Kind::Str),
    ("page_id", Kind::Str),
    ("incident_updates", Kind::Arr),
    ("components", Kind::Arr),
];

fn statuspage_summary(v: &Value) {
    use Kind::*;
    shape(
        "summary",
        v,
        &[
            ("page", Obj),
            ("components", Arr),
            ("incidents", Arr),
            ("scheduled_maintenances", Arr),
            ("status", Obj),
        ],
    );
    statuspage_page_and_status(v);
    for c in v["components"].as_array().unwrap() {
        statuspage_component(c);
    }
    for i in v["incidents"].as_array().unwrap() {
        shape("incident", i, INCIDENT_FIELDS);
        assert_eq!(i["status"], "investigating");
        assert!(["major", "minor"].contains(&i["impact"].as_str().unwrap()));
        is_time(&i["created_at"]);
        is_time(&i["started_at"]);
        for u in i["incident_updates"].as_array().unwrap() {
            shape(
                "incident_update",
                u,
                &[
                    ("id", Str),
                    ("status", Str),
                    ("body", Str),
                    ("incident_id", Str),
                    ("created_at", Str),
                    ("updated_at", Str),
                    ("display_at", Str),
                    ("affected_components", Null),
                ],
            );
        }
        for c in i["components"].as_array().unwrap() {
            statuspage_component(c);
        }
    }
    let mut fields = INCIDENT_FIELDS.to_vec();
    fields.extend([("scheduled_for", StrOrNull), ("scheduled_until", StrOrNull)]);
    for m in v["scheduled_maintenances"].as_array().unwrap() {
        shape("scheduled_maintenance", m, &fields);
        assert!(["scheduled", "in_progress"].contains(&m["status"].as_str().unwrap()));
        assert_eq!(m["impact"], "maintenance");
    }
}

/// shields.io's endpoint badge: schemaVersion 1, label, message, color.
fn shields_badge(v: &Value) {
    use Kind::*;
    shape(
        "badge",
        v,
        &[
            ("schemaVersion", Num),
            ("label", Str),
            ("message", Str),
            ("color", Str),
        ],
    );
    assert_eq!(v["schemaVersion"], 1);
}

async fn json(d: &Daemon, path: &str) -> Value {
    let (code, body) = http_get(d.addr, path).await.unwrap();
    assert_eq!(code, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn component<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no component {id}: {summary}"))
}

/// Polls `path` until `done` holds, at most `limit` (plus the busy-machine
/// allowance); returns the answer and how long it took.
async fn until(
    d: &Daemon,
    path: &str,
    limit: Duration,
    done: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let started = Instant::now();
    loop {
        let v = json(d, path).await;
        if done(&v) {
            return (v, started.elapsed());
        }
        assert!(
            started.elapsed() < limit + crate::support::BUSY,
            "{path} never said so: {v}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Parses an Atom feed with Python's XML parser (expat) and answers what it
/// found: the root's tag and language, then each entry's id, title and
/// updated, one line each.
fn parse_atom(feed: &str) -> Vec<String> {
    use std::io::Write as _;
    let script = r#"
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
root = ET.fromstring(sys.stdin.buffer.read())
print(root.tag, root.get("{http://www.w3.org/XML/1998/namespace}lang"))
for must in ("id", "title", "updated", "author"):
    assert root.find(A + must) is not None, must
for e in root.findall(A + "entry"):
    print("|".join(e.find(A + k).text for k in ("id", "title", "updated", "published")))
"#;
    let mut child = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (installed by the test command)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(feed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not a valid Atom feed: {}\n{feed}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_of_a_few_seconds_is_one_incident_everywhere_and_survives_a_restart() {
    // The chat answers 500 while `failing`; every failure's instant is kept.
    let failing = Arc::new(AtomicBool::new(false));
    let failures: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let (f, seen) = (failing.clone(), failures.clone());
    let chat = peers::http(move |_| {
        if f.load(Ordering::SeqCst) {
            seen.lock().unwrap().push(Instant::now());
            response(500, &[], "no")
        } else {
            response(200, &[], "chat")
        }
    })
    .await;
    let help = peers::http(|_| response(200, &[], "Help")).await;
    let okx =
        peers::http(|_| response(200, &[("content-type", "application/json")], SCHEDULED)).await;
    let toml = format!(
        r#"[defaults]
schedule = "* * * * * *"
timeout = "5s"
slow = "5s"

[[check]]
name = "website-chat"
channel = "chat"
kind = "http"
url = "{}"

[[check]]
name = "help-page"
channel = "help_center"
kind = "http"
url = "{}"

[[check]]
name = "okx-maintenance"
channel = "status"
kind = "okx_status"
url = "{}"
"#,
        chat.url("/chat"),
        help.url("/help"),
        okx.url("/api/v5/system/status")
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let db = dir.path().join("i.db");
    let mut daemon = Daemon::start(dir.path(), &db).await;

    // Every channel probed at least once.
    until(&daemon, "/api/status", Duration::from_secs(20), |v| {
        v["channels"]
            .as_array()
            .is_some_and(|c| c.len() == 3 && c.iter().all(|c| c["now"] == "up"))
    })
    .await;
    let (before, _) = until(
        &daemon,
        "/api/v2/summary.json?tz=UTC",
        Duration::from_secs(20),
        |v| {
            v["components"].as_array().is_some_and(|c| c.len() == 3)
                && component(v, "chat")["status"] == "operational"
                && component(v, "help_center")["status"] == "operational"
                && v["scheduled_maintenances"]
                    .as_array()
                    .is_some_and(|m| !m.is_empty())
        },
    )
    .await;
    statuspage_summary(&before);
    assert_eq!(before["status"]["indicator"], "none", "{before}");
    assert_eq!(before["incidents"], serde_json::json!([]));
    let maintenance = &before["scheduled_maintenances"][0];
    assert_eq!(maintenance["name"], "Trading system upgrade");
    assert_eq!(maintenance["status"], "scheduled");
    assert_eq!(maintenance["scheduled_for"], "2030-01-01T00:00:00Z");
    let status = json(&daemon, "/api/v2/status.json?tz=UTC").await;
    shape(
        "status.json",
        &status,
        &[("page", Kind::Obj), ("status", Kind::Obj)],
    );
    statuspage_page_and_status(&status);
    let badge = json(&daemon, "/badge/chat.json").await;
    shields_badge(&badge);
    assert_eq!(
        (&badge["message"], &badge["color"]),
        (&Value::from("up"), &Value::from("brightgreen"))
    );

    // The chat fails for a few seconds.
    failing.store(true, Ordering::SeqCst);
    let failing_since = Instant::now();
    let second = loop {
        if let Some(t) = failures.lock().unwrap().get(1) {
            break *t;
        }
        // Probed every second: two failures come within seconds.
        assert!(
            failing_since.elapsed() < Duration::from_secs(30),
            "the chat was not probed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (during, _) = until(
        &daemon,
        "/api/v2/summary.json?tz=UTC",
        Duration::from_secs(5),
        |v| {
            component(v, "chat")["status"] == "major_outage"
                && v["incidents"].as_array().is_some_and(|i| i.len() == 1)
        },
    )
    .await;
    within(second.elapsed(), Duration::from_secs(5));
    statuspage_summary(&during);
    assert_eq!(during["status"]["indicator"], "major", "{during}");
    assert_eq!(component(&during, "help_center")["status"], "operational");
    let incident = &during["incidents"][0];
    assert_eq!(incident["impact"], "major");
    assert_eq!(incident["name"], "Live chat down");
    assert_eq!(incident["components"][0]["id"], "chat");
    let badge = json(&daemon, "/badge/chat.json").await;
    shields_badge(&badge);
    assert_eq!(
        (&badge["message"], &badge["color"]),
        (&Value::from("down"), &Value::from("red"))
    );
    let (_, page) = http_get(daemon.addr, "/?lang=en&tz=UTC").await.unwrap();
    assert!(page.contains("✗ down"), "the page says so");
    within(second.elapsed(), Duration::from_secs(5));
    let open = json(&daemon, "/api/incidents?tz=UTC").await;
    assert_eq!(open["incidents"][0]["end"], Value::Null, "{open}");

    // A few seconds of it, then the chat answers again.
    while failures.lock().unwrap().len() < 4 {
        assert!(
            failing_since.elapsed() < Duration::from_secs(60),
            "the chat was not probed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    failing.store(false, Ordering::SeqCst);
    let (after, _) = until(
        &daemon,
        "/api/incidents?tz=UTC",
        Duration::from_secs(20),
        |v| v["incidents"][0]["end"].is_string(),
    )
    .await;
    let list = after["incidents"].as_array().unwrap();
    assert_eq!(list.len(), 1, "one incident: {after}");
    let i = &list[0];
    assert_eq!(
        (&i["channel"], &i["state"]),
        (&Value::from("chat"), &Value::from("down"))
    );
    is_time(&i["start"]);
    is_time(&i["end"]);
    let secs = i["duration_s"].as_i64().unwrap();
    assert!(secs >= 2, "it lasted the few seconds it failed: {secs}");
    assert_eq!(i["checks"][0]["check"], "website-chat");
    assert!(
        i["checks"][0]["reason"].as_str().unwrap().contains("500"),
        "{i}"
    );
    let (healed, _) = until(
        &daemon,
        "/api/v2/summary.json?tz=UTC",
        Duration::from_secs(5),
        |v| component(v, "chat")["status"] == "operational",
    )
    .await;
    statuspage_summary(&healed);
    assert_eq!(healed["status"]["indicator"], "none");
    assert_eq!(healed["incidents"], serde_json::json!([]));

    // The feed, in English and in Chinese: one entry, a real Atom document.
    let (code, feed) = http_get(daemon.addr, "/history.atom?tz=UTC").await.unwrap();
    assert_eq!(code, 200);
    let parsed = parse_atom(&feed);
    assert_eq!(parsed[0], "{http://www.w3.org/2005/Atom}feed en", "{feed}");
    assert_eq!(parsed.len(), 2, "one entry: {feed}");
    let entry: Vec<&str> = parsed[1].split('|').collect();
    assert!(entry[0].starts_with("urn:uuid:"), "{entry:?}");
    assert_eq!(entry[1], "Live chat down");
    assert_eq!(
        entry[2],
        i["end"].as_str().unwrap(),
        "updated when it ended"
    );
    assert_eq!(entry[3], i["start"].as_str().unwrap());
    let (_, feed_zh) = http_get(daemon.addr, "/history.atom?tz=UTC&lang=zh-CN")
        .await
        .unwrap();
    let parsed_zh = parse_atom(&feed_zh);
    assert_eq!(parsed_zh[0], "{http://www.w3.org/2005/Atom}feed zh-CN");
    assert!(parsed_zh[1].contains("在线客服不可用"), "{feed_zh}");

    // A restart keeps it.
    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait_exit(Duration::from_secs(20)).await.is_some());
    let daemon = Daemon::start(dir.path(), &db).await;
    let kept = json(&daemon, "/api/incidents?tz=UTC").await;
    assert_eq!(kept["incidents"].as_array().unwrap().len(), 1, "{kept}");
    assert_eq!(kept["incidents"][0]["start"], i["start"]);
    assert_eq!(kept["incidents"][0]["end"], i["end"]);

    // And the terminal says it.
    let out = run(&[
        "--config",
        dir.path().to_str().unwrap(),
        "status",
        "--incidents",
        "--tz",
        "UTC",
        "--db",
        db.to_str().unwrap(),
    ])
    .await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("website-chat") && text.contains("down"),
        "{text}"
    );
    let out = run(&[
        "--config",
        dir.path().to_str().unwrap(),
        "status",
        "--incidents",
        "--format",
        "json",
        "--tz",
        "UTC",
        "--db",
        db.to_str().unwrap(),
    ])
    .await;
    let cli: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        cli["incidents"][0]["start"], i["start"],
        "the same as the API"
    );
    assert_eq!(cli["incidents"][0]["duration_s"], i["duration_s"]);
}
