//! `dashboards/`: the rules pass promtool's checks and unit tests, and every
//! panel query of the Grafana dashboard, with its variables substituted,
//! returns data from a real Prometheus scraping the real daemon.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::daemon::{Daemon, Prometheus};
use crate::support::peers::{self, response};
use crate::support::{ConfigDir, servers};

fn dashboards() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboards")
}

async fn promtool(args: &[&str]) -> String {
    let out = tokio::process::Command::new("promtool")
        .args(args)
        .current_dir(dashboards())
        .output()
        .await
        .expect("promtool (Debian package prometheus)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?}: {text}");
    text
}

#[tokio::test]
async fn promtool_checks_and_unit_tests_pass() {
    assert!(
        promtool(&["check", "rules", "okx-monitor.rules.yml"])
            .await
            .contains("SUCCESS")
    );
    assert!(
        promtool(&["test", "rules", "okx-monitor.rules.test.yml"])
            .await
            .contains("SUCCESS")
    );
    promtool(&["check", "config", "prometheus.example.yml"]).await;
}

fn dashboard() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dashboards().join("okx-monitor.json")).unwrap())
        .unwrap()
}

#[test]
fn the_dashboard_is_importable_and_every_panel_is_described() {
    let d = dashboard();
    assert_eq!(d["uid"], "okx-monitor");
    assert!(d["schemaVersion"].as_u64().unwrap() >= 36);
    let vars: Vec<&str> = d["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(vars, ["datasource", "vantage", "channel", "check"]);
    for p in d["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] != "row")
    {
        assert_eq!(p["datasource"]["uid"], "${datasource}", "{}", p["title"]);
        assert!(
            !p["description"].as_str().unwrap_or("").is_empty(),
            "{} has no description",
            p["title"]
        );
        for t in p["targets"].as_array().unwrap() {
            let expr = t["expr"].as_str().unwrap();
            assert!(
                !expr.contains("job="),
                "{}: select by metric and labels, never by job",
                p["title"]
            );
        }
    }
}

/// A Grafana expression with the dashboard's variables as "All" and Grafana's
/// built-in intervals given values that suit a test of a few seconds.
fn substitute(expr: &str) -> String {
    expr.replace("$vantage", ".*")
        .replace("$channel", ".*")
        .replace("$check", ".*")
        .replace("$__rate_interval", "1m")
        .replace("$__range", "5m")
        .replace("$__interval", "15s")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_panel_query_returns_data_from_a_real_prometheus() {
    // Peers for every panel: web pages, a rate limit, TLS, mail, OKX's status API.
    let web = peers::http(|head| match peers::path(head) {
        "/busy" => response(429, &[("retry-after", "1")], "slow down"),
        "/api/status" => response(
            200,
            &[],
            r#"{"code":"0","msg":"","data":[
                {"title":"Spot upgrade","state":"ongoing","begin":"1700000000000","end":"4100000000000","serviceType":"0"},
                {"title":"Futures upgrade","state":"scheduled","begin":"4000000000000","end":"4100000000000","serviceType":"1"}]}"#,
        ),
        _ => response(200, &[], r#"{"help":"OKX Help Center","online":"7"}"#),
    })
    .await;
    let pki = peers::pki((2031, 6, 15));
    let tls = peers::https(pki.server.clone(), |_| response(200, &[], "ok")).await;
    let smtp_port = servers::free_tcp_port();
    let _smtp = servers::aiosmtpd("127.0.0.1", smtp_port, None);
    let dns = servers::dnsmasq(&[
        "--local=/okx.test/".to_string(),
        "--mx-host=okx.test,mx1.okx.test,10".to_string(),
        "--host-record=mx1.okx.test,127.0.0.1".to_string(),
    ]);
    let toml = format!(
        r#"[settings]
vantage = "e2e"

[defaults]
schedule = "* * * * * *"
timeout = "2s"

[[check]]
name = "website-chat"
channel = "chat"
kind = "http"
url = "{chat}"
extract = {{ agents_online = "/online" }}

[[check]]
name = "help-center"
channel = "help_center"
kind = "http"
url = "{chat}"
body_contains = "Help"

[[check]]
name = "reddit"
channel = "community"
kind = "http"
url = "{busy}"

[[check]]
name = "telegram"
channel = "social"
kind = "http"
url = "https://127.0.0.1:{tls_port}/"
tls_ca_file = "CA"

[[check]]
name = "support-mail"
channel = "email"
kind = "mx"
domain = "okx.test"
resolver = "{dns}"
smtp = true
smtp_port = {smtp_port}

[[check]]
name = "okx-maintenance"
channel = "status"
kind = "okx_status"
url = "{status}"

[[check]]
name = "control-web"
channel = "control"
kind = "tcp"
address = "{web}"
"#,
        chat = web.url("/"),
        busy = web.url("/busy"),
        status = web.url("/api/status"),
        tls_port = tls.addr.port(),
        dns = dns.addr,
        web = web.addr,
    );
    let dir = ConfigDir::new(&[]);
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    std::fs::write(
        dir.path().join("checks.toml"),
        toml.replace("\"CA\"", &format!("{:?}", ca.display().to_string())),
    )
    .unwrap();
    let daemon = Daemon::start(dir.path(), &dir.path().join("m.db")).await;
    let rules = dashboards().join("okx-monitor.rules.yml");
    let prom = Prometheus::start_with(&[daemon.addr], &[&rules]).await;

    // Wait until the recording rules have produced the hour-of-week series.
    let started = Instant::now();
    while prom
        .query("okx_monitor:channel_availability:hour_of_week")
        .await
        .is_empty()
        || prom
            .query("okx_monitor:probe_duration_seconds:p50_hour_of_week")
            .await
            .is_empty()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no recorded series: {}",
            daemon.log_text()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let d = dashboard();
    let mut failures = Vec::new();
    let mut queried = 0;
    for p in d["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] != "row")
    {
        for t in p["targets"].as_array().unwrap() {
            let expr = substitute(t["expr"].as_str().unwrap());
            queried += 1;
            match prom.try_query(&expr).await {
                Err(e) => failures.push(format!("{}: {expr}: {e}", p["title"])),
                Ok(r) if r.is_empty() => failures.push(format!("{}: {expr}: no data", p["title"])),
                Ok(_) => {}
            }
        }
    }
    // The template variables' queries (label_values) return values too.
    for v in d["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["type"] == "query")
    {
        let q = v["query"]["query"].as_str().unwrap();
        let inner = q.trim_start_matches("label_values(").trim_end_matches(')');
        let (selector, label) = inner.rsplit_once(',').unwrap();
        let expr = substitute(&format!("count by ({}) ({selector})", label.trim()));
        match prom.try_query(&expr).await {
            Ok(r) if !r.is_empty() => {}
            other => failures.push(format!("variable {}: {expr}: {other:?}", v["name"])),
        }
    }
    assert!(queried >= 18, "{queried} panel queries");
    assert!(
        failures.is_empty(),
        "{} of {queried} queries failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_now_panel_says_every_state_in_its_own_word_and_colour() {
    use okx_monitor::outcome::Outcome;
    let d = dashboard();
    let panel = d["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "Support channels now")
        .unwrap();
    assert!(
        panel["targets"][0]["expr"]
            .as_str()
            .unwrap()
            .starts_with("okx_monitor_channel_state{"),
        "{panel}"
    );
    let options = &panel["fieldConfig"]["defaults"]["mappings"][0]["options"];
    let mut colours = std::collections::BTreeSet::new();
    for o in Outcome::ALL {
        let m = &options[o.code().to_string()];
        assert_eq!(m["text"], o.as_str(), "code {} is {o:?}", o.code());
        colours.insert(m["color"].as_str().unwrap().to_string());
    }
    assert_eq!(
        colours.len(),
        Outcome::ALL.len(),
        "a colour of its own each: {colours:?}"
    );
}

/// The Chinese dashboard, `okx-monitor.zh-CN.json`, is the English one with
/// every word a person reads (titles, descriptions, value and variable
/// words, legends) taken from one table, `okx-monitor.zh-CN.words.json`:
/// the same panels and queries, never a copy that drifts. A word the table
/// lacks fails here; `OKX_DASHBOARD_WRITE=1` writes the Chinese dashboard
/// again from the two.
#[test]
fn the_chinese_dashboard_is_the_english_one_in_the_tables_words() {
    let words: std::collections::BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(dashboards().join("okx-monitor.zh-CN.words.json")).unwrap(),
    )
    .unwrap();
    let mut zh = dashboard();
    let mut missing = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    translate(&mut zh, None, &words, &mut missing, &mut used);
    assert!(missing.is_empty(), "words the table lacks: {missing:#?}");
    let unused: Vec<&String> = words.keys().filter(|k| !used.contains(*k)).collect();
    assert!(
        unused.is_empty(),
        "words no longer on the dashboard: {unused:?}"
    );
    zh["uid"] = "okx-monitor-zh-cn".into();
    let text = serde_json::to_string_pretty(&zh).unwrap() + "\n";
    let path = dashboards().join("okx-monitor.zh-CN.json");
    if std::env::var_os("OKX_DASHBOARD_WRITE").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{} is not the English dashboard in the table's words: write it again with OKX_DASHBOARD_WRITE=1",
        path.display()
    );
}

/// The keys whose strings a person reads on a dashboard.
const READ: [&str; 5] = ["title", "description", "text", "label", "legendFormat"];

fn translate(
    v: &mut serde_json::Value,
    key: Option<&str>,
    words: &std::collections::BTreeMap<String, String>,
    missing: &mut Vec<String>,
    used: &mut std::collections::BTreeSet<String>,
) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                translate(x, Some(k.as_str()), words, missing, used);
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                translate(x, key, words, missing, used);
            }
        }
        serde_json::Value::String(s) if key.is_some_and(|k| READ.contains(&k)) => {
            // `{{channel}}` and the like are Prometheus's labels: codes.
            static LABEL: std::sync::LazyLock<regex::Regex> =
                std::sync::LazyLock::new(|| regex::Regex::new(r"\{\{[^}]*\}\}").unwrap());
            let bare = LABEL.replace_all(s, "");
            if !bare.chars().any(|c| c.is_ascii_alphabetic()) {
                return;
            }
            match words.get(s.as_str()) {
                Some(zh) => {
                    used.insert(s.clone());
                    *s = zh.clone();
                }
                None => missing.push(s.clone()),
            }
        }
        _ => {}
    }
}
