//! `okx-monitor diagnose`: one test per verdict, with real loopback peers and
//! two real DNS servers (dnsmasq instances) that can disagree.

use std::time::{Duration, Instant};

use crate::support::peers::{self, Answer, response};
use crate::support::servers::{self, Server};
use crate::support::{ConfigDir, run, shipped, stderr, within};

/// A DNS server answering `chat.okx.test` and `help.okx.test` with `ip`.
fn dns(ip: &str) -> Server {
    servers::dnsmasq(&[
        format!("--host-record=chat.okx.test,{ip}"),
        format!("--host-record=help.okx.test,{ip}"),
        "--local=/okx.test/".to_string(),
    ])
}

/// A configuration: the resolver, the reference resolvers, one control check
/// on `control`, and http checks of chat and help center at the given URLs.
pub(crate) fn config(
    resolver: &str,
    references: &[String],
    control: &str,
    chat: &str,
    help: &str,
) -> ConfigDir {
    let refs: Vec<String> = references.iter().map(|r| format!("\"{r}\"")).collect();
    let toml = format!(
        r#"[settings]
resolver = "{resolver}"
reference_resolvers = [{}]

[defaults]
timeout = "1s"

[[check]]
name = "control-web"
channel = "control"
kind = "tcp"
address = "{control}"

[[check]]
name = "website-chat"
channel = "chat"
kind = "http"
url = "{chat}"

[[check]]
name = "help-center"
channel = "help_center"
kind = "http"
url = "{help}"
"#,
        refs.join(", ")
    );
    ConfigDir::new(&[("checks.toml", &toml)])
}

async fn diagnose(dir: &ConfigDir) -> (i32, serde_json::Value, Duration) {
    let started = Instant::now();
    let out = run(&[
        "--config",
        dir.path().to_str().unwrap(),
        "diagnose",
        "--format",
        "json",
        "--db",
        "/nonexistent/x.db",
    ])
    .await;
    let took = started.elapsed();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out.status.code().unwrap(), v, took)
}

fn advice(v: &serde_json::Value) -> Vec<String> {
    v["advice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn ok_when_every_channel_answers() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let (a, b) = (dns("127.0.0.1"), dns("127.0.0.1"));
    let port = peer.addr.port();
    let dir = config(
        &a.addr.to_string(),
        &[b.addr.to_string()],
        &peer.addr.to_string(),
        &format!("http://chat.okx.test:{port}/"),
        &format!("http://help.okx.test:{port}/"),
    );
    let (code, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "ok", "{v}");
    assert_eq!(code, 0);
    assert_eq!(
        v["channels"],
        serde_json::json!([{"channel": "chat", "outcome": "up"}, {"channel": "help_center", "outcome": "up"}])
    );
    assert_eq!(v["names"][0]["addresses"], serde_json::json!(["127.0.0.1"]));
    assert!(advice(&v).iter().any(|a| a == "Use live chat now."), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_tampering_when_the_resolver_disagrees_with_every_reference() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    // The configured resolver sends OKX names to 127.0.0.1; the reference says 127.0.0.2.
    let (mine, reference) = (dns("127.0.0.1"), dns("127.0.0.2"));
    let port = peer.addr.port();
    let dir = config(
        &mine.addr.to_string(),
        &[reference.addr.to_string()],
        &peer.addr.to_string(),
        &format!("http://chat.okx.test:{port}/"),
        &format!("http://help.okx.test:{port}/"),
    );
    let (code, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "dns_tampering", "{v}");
    assert_eq!(code, 1);
    let a = advice(&v);
    assert!(
        a[0].contains("127.0.0.1") && a[0].contains("127.0.0.2") && a[0].contains("phishing"),
        "{a:?}"
    );
    assert!(a.iter().any(|x| x.contains("address bar")), "{a:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_failure_when_the_resolver_never_answers_within_the_deadline() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let reference = dns("127.0.0.1");
    let port = peer.addr.port();
    let dir = config(
        &silent.local_addr().unwrap().to_string(),
        &[reference.addr.to_string()],
        &peer.addr.to_string(),
        &format!("http://chat.okx.test:{port}/"),
        &format!("http://help.okx.test:{port}/"),
    );
    let (code, v, took) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "dns_failure", "{v}");
    assert_eq!(code, 1);
    within(took, Duration::from_secs(2));
    assert!(
        advice(&v)[0].contains(&silent.local_addr().unwrap().to_string()),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn local_network_when_the_controls_fail_too() {
    let closed = format!("127.0.0.1:{}", peers::closed_port());
    let chat = format!("http://127.0.0.1:{}/", peers::closed_port());
    let dir = config(
        &format!("127.0.0.1:{}", peers::closed_port()),
        &[],
        &closed,
        &chat,
        &chat,
    );
    let (code, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "local_network", "{v}");
    assert_eq!(code, 1);
    assert_eq!(
        v["channels"][0]["outcome"], "unknown",
        "not OKX's fault: {v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_when_okx_rate_limits_or_challenges() {
    let peer = peers::http(|head| match peers::path(head) {
        "/chat" => response(429, &[("retry-after", "120")], "slow down"),
        _ => response(
            403,
            &[("cf-mitigated", "challenge")],
            "<html>challenge</html>",
        ),
    })
    .await;
    let dir = config(
        &format!("127.0.0.1:{}", peers::closed_port()),
        &[],
        &peer.addr.to_string(),
        &peer.url("/chat"),
        &peer.url("/help"),
    );
    let (code, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "throttled", "{v}");
    assert_eq!(code, 1);
    assert!(
        advice(&v).iter().any(|a| a.starts_with("Wait 2 min")),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn okx_down_when_every_channel_fails_and_the_network_works() {
    let control = peers::tarpit().await;
    let refused = format!("http://127.0.0.1:{}/", peers::closed_port());
    let dir = config(
        &format!("127.0.0.1:{}", peers::closed_port()),
        &[],
        &control.addr.to_string(),
        &refused,
        &refused,
    );
    let (code, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "okx_down", "{v}");
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn blocked_when_okx_refuses_this_network_and_the_control_works() {
    let peer = peers::http(|head| match peers::path(head) {
        "/chat" => response(451, &[], "Unavailable For Legal Reasons"),
        _ => response(403, &[], "Forbidden"),
    })
    .await;
    let dir = config(
        &format!("127.0.0.1:{}", peers::closed_port()),
        &[],
        &peer.addr.to_string(),
        &peer.url("/chat"),
        &peer.url("/help"),
    );
    let (code, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "blocked", "{v}");
    assert_eq!(code, 1);
    let a = advice(&v);
    assert!(
        a[0].contains("refuses this network or region outright"),
        "{a:?}"
    );
    assert!(
        !a.iter().any(|l| l.contains("VPN") || l.contains("proxy")),
        "never suggests evading the block: {a:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn channels_down_names_the_channel_that_works() {
    let peer = peers::http(|head| match peers::path(head) {
        "/help" => response(200, &[], "Help"),
        _ => response(502, &[], "bad gateway"),
    })
    .await;
    let dir = config(
        &format!("127.0.0.1:{}", peers::closed_port()),
        &[],
        &peer.addr.to_string(),
        &peer.url("/chat"),
        &peer.url("/help"),
    );
    let (code, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "channels_down", "{v}");
    assert_eq!(code, 1);
    let a = advice(&v);
    assert_eq!(
        a,
        ["Not working now: live chat.", "Use the help center now."],
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_run_ends_within_the_longest_timeout_and_a_second() {
    let tarpit = peers::tarpit().await;
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let silent_ref = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let dir = config(
        &silent.local_addr().unwrap().to_string(),
        &[silent_ref.local_addr().unwrap().to_string()],
        &tarpit.addr.to_string(),
        &tarpit.url("/"),
        "http://help.okx.test:80/",
    );
    let (_, v, took) = diagnose(&dir).await;
    within(took, Duration::from_secs(2));
    assert_eq!(v["channels"][0]["outcome"], "down", "{v}");

    // The table form says the same in words.
    let out = run(&[
        "--config",
        dir.path().to_str().unwrap(),
        "diagnose",
        "--db",
        "/nonexistent/x.db",
    ])
    .await;
    let text = crate::support::stdout(&out);
    assert!(text.contains("Verdict: "), "{text}");
    assert!(text.contains("(no answer)"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_next_good_time_comes_from_the_recorded_pattern() {
    // Two weeks of history where chat is fast every day at 06:00–08:00 UTC.
    let now = chrono::Utc::now();
    let mut lines = String::new();
    let mut t = now - chrono::Duration::days(14);
    while t < now {
        use chrono::Timelike;
        let ms = if (6..8).contains(&t.hour()) {
            50.0
        } else {
            500.0
        };
        lines.push_str(&format!(
            "{{\"ts\":\"{}\",\"check\":\"website-chat\",\"channel\":\"chat\",\"outcome\":\"up\",\"latency_ms\":{ms}}}\n",
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
        t += chrono::Duration::minutes(10);
    }
    let peer = peers::http(|head| match peers::path(head) {
        "/help" => response(200, &[], "Help"),
        _ => Answer::Raw(b"HTTP/1.1 500 X\r\ncontent-length: 0\r\n\r\n".to_vec()),
    })
    .await;
    let dir = config(
        &format!("127.0.0.1:{}", peers::closed_port()),
        &[],
        &peer.addr.to_string(),
        &peer.url("/chat"),
        &peer.url("/help"),
    );
    std::fs::write(dir.path().join("h.jsonl"), lines).unwrap();
    let db = dir.path().join("h.db");
    let db = db.to_str().unwrap();
    assert_eq!(
        run(&[
            "import",
            dir.path().join("h.jsonl").to_str().unwrap(),
            "--db",
            db
        ])
        .await
        .status
        .code(),
        Some(0)
    );
    // The settings carry no time zone: pin the system's to UTC for a known answer.
    let out = tokio::process::Command::new(crate::support::bin())
        .args([
            "--config",
            dir.path().to_str().unwrap(),
            "diagnose",
            "--format",
            "json",
            "--db",
            db,
        ])
        .env("TZ", "UTC")
        .output()
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = advice(&v);
    assert!(
        a.last()
            .unwrap()
            .starts_with("From the recorded pattern, the next good time for live chat is "),
        "{a:?}"
    );
    assert!(a.last().unwrap().contains("06:00–08:00"), "{a:?}");
}

/// A network that blocks outbound port 25 is not "OKX mail down": with the
/// shipped support-mail and control-smtp checks (their targets on loopback:
/// OKX's MX host and the control, nothing listening on port 25 at either) and
/// a general control that answers, support-mail is `unknown` naming port 25,
/// and `diagnose` does not call e-mail down and says why. When the control's
/// port 25 answers and OKX's MX does not, support-mail is `down`.
#[tokio::test(flavor = "multi_thread")]
async fn a_blocked_port_25_is_not_okx_mail_down() {
    let dns = servers::dnsmasq(&[
        "--local=/okx.test/".to_string(),
        "--mx-host=okx.test,mx1.okx.test,10".to_string(),
        "--host-record=mx1.okx.test,127.0.0.3".to_string(),
    ]);
    let web = peers::http(|_| response(200, &[], "ok")).await;
    let resolver = format!("domain = \"okx.test\"\nresolver = \"{}\"", dns.addr);
    let toml = shipped(
        "okx.toml",
        "support-mail",
        &[("domain = \"okx.com\"", &resolver)],
    ) + &shipped(
        "control.toml",
        "control-smtp",
        &[("gmail-smtp-in.l.google.com:25", "127.0.0.4:25")],
    ) + &format!(
        "[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{}\"\n",
        web.addr
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let config = dir.path().to_str().unwrap().to_string();
    let mail = |v: &serde_json::Value| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "support-mail")
            .cloned()
            .unwrap()
    };

    let out = run(&["--config", &config, "check", "--format", "json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = mail(&v);
    assert_eq!(m["outcome"], "unknown", "{v}");
    assert!(
        m["reason"]
            .as_str()
            .unwrap()
            .contains("outbound port 25 is blocked"),
        "{m}"
    );

    let (_, v, _) = diagnose(&dir).await;
    assert_eq!(v["verdict"], "ok", "e-mail is not down: {v}");
    assert!(
        !v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["channel"] == "email" && c["outcome"] == "down"),
        "{v}"
    );
    let said = advice(&v).join("\n");
    assert!(said.contains("port 25 is blocked"), "{said}");
    assert!(said.contains("mail client"), "{said}");

    // The daemon records it so, and `status` says the way to e-mail is closed.
    let db = dir.path().join("p.db");
    let daemon = crate::support::daemon::Daemon::start(dir.path(), &db).await;
    let db_s = db.to_str().unwrap().to_string();
    let started = std::time::Instant::now();
    let status = loop {
        let out = run(&[
            "--config", &config, "status", "--db", &db_s, "--format", "json",
        ])
        .await;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if v["closed_paths"] == serde_json::json!(["email"]) {
            break v;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    drop(daemon);
    assert_eq!(status["local_network"], "up", "{status}");
    let out = run(&["--config", &config, "status", "--db", &db_s]).await;
    assert!(
        crate::support::stdout(&out)
            .contains("the way to e-mail to support: closed on this network"),
        "{}",
        crate::support::stdout(&out)
    );

    // The control's port 25 answers: the path is open, OKX's mail is down.
    let open = tokio::net::TcpListener::bind("127.0.0.4:25")
        .await
        .expect("port 25 on 127.0.0.4 (the tests run as root)");
    let out = run(&["--config", &config, "check", "--format", "json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(mail(&v)["outcome"], "down", "{v}");
    drop(open);
}
