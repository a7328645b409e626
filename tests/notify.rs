//! Notifications end to end: the daemon, a loopback target flipped down and
//! up, and loopback receivers standing in for ntfy, Telegram's Bot API and a
//! webhook; `notify --test`; and `okx-monitor wait`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::daemon::{Daemon, metric_sum};
use crate::support::peers::{self, Answer, response};
use crate::support::{ConfigDir, run, run_env, stdout, within};

/// A receiver that keeps every request (head and body) and answers 500 to
/// the first `fail_first` of them, 200 after.
pub(crate) struct Receiver {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<(String, String)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    pub(crate) async fn start(fail_first: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let seen = Arc::new(AtomicUsize::new(0));
        let keep = got.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let (keep, seen) = (keep.clone(), seen.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head, body) = loop {
                        let Ok(n) = s.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&buf).to_string();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let head = text[..end].to_string();
                            let len = head
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            if buf.len() >= end + 4 + len {
                                break (
                                    head,
                                    String::from_utf8_lossy(&buf[end + 4..end + 4 + len])
                                        .to_string(),
                                );
                            }
                        }
                    };
                    let n = seen.fetch_add(1, Ordering::SeqCst);
                    let status = if n < fail_first { "500 Oops" } else { "200 OK" };
                    if n >= fail_first {
                        keep.lock().unwrap().push((head, body));
                    }
                    let _ = s
                        .write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}").as_bytes())
                        .await;
                });
            }
        });
        Receiver { addr, got, task }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn bodies(&self) -> Vec<String> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| b.clone())
            .collect()
    }

    fn heads(&self) -> Vec<String> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(h, _)| h.clone())
            .collect()
    }
}

const TOKEN: &str = "123456:SECRET-bot-token-xyz";

/// aiosmtpd on a free loopback port, writing every mail it gets to `mailbox`.
struct Smtpd {
    port: u16,
    child: std::process::Child,
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn smtpd(mailbox: &std::path::Path) -> Smtpd {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .stdout(std::fs::File::create(mailbox).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("aiosmtpd (Debian package python3-aiosmtpd)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "aiosmtpd did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Smtpd { port, child }
}

fn email_sink(port: u16) -> String {
    format!(
        "\n[[notify]]\nname = \"mail\"\nkind = \"email\"\nsmtp = \"127.0.0.1:{port}\"\nfrom = \"okx-monitor@example.test\"\nto = [\"me@example.test\"]\ntls = \"none\"\nchannels = [\"chat\"]\nevents = [\"down\", \"recovered\"]\n"
    )
}

fn config(chat_url: &str, control: &str, sinks: &str) -> String {
    format!(
        r#"[[check]]
name = "live-chat"
channel = "chat"
kind = "http"
url = "{chat_url}"
schedule = "* * * * * *"
timeout = "500ms"

[[check]]
name = "support-mail"
channel = "email"
kind = "tcp"
address = "{control}"
schedule = "* * * * * *"
timeout = "500ms"

[[check]]
name = "control-web"
channel = "control"
kind = "tcp"
address = "{control}"
schedule = "* * * * * *"
timeout = "500ms"
{sinks}"#
    )
}

fn sinks(ntfy: &Receiver, telegram: &Receiver, hook: &Receiver) -> String {
    format!(
        r#"
[[notify]]
name = "phone"
kind = "ntfy"
url = "{}"
channels = ["chat"]
lang = "zh-CN"

[[notify]]
name = "telegram"
kind = "telegram"
url = "{}"
token = "env:OKX_TEST_TELEGRAM_TOKEN"
chat_id = "42"
channels = ["chat"]

[[notify]]
name = "hook"
kind = "webhook"
url = "{}"
channels = ["chat"]
events = ["down", "recovered"]
lang = "zh-CN"
"#,
        ntfy.url("/okx-support"),
        telegram.url(""),
        hook.url("/hook")
    )
}

/// Live chat that answers 200 while the flag is up and 502 while it is down.
async fn switchable_chat(up: bool) -> (Arc<AtomicBool>, peers::Peer) {
    let up = Arc::new(AtomicBool::new(up));
    let flag = up.clone();
    let chat = peers::http(move |_| {
        if flag.load(Ordering::SeqCst) {
            response(200, &[], "ok")
        } else {
            response(502, &[], "bad gateway")
        }
    })
    .await;
    (up, chat)
}

/// A webhook sink for live chat at `url`.
fn hook_sink(url: &str) -> String {
    format!(
        "\n[[notify]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{url}\"\nchannels = [\"chat\"]\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn one_down_and_one_recovered_per_sink_per_outage_and_no_secret_anywhere() {
    let (up, chat) = switchable_chat(true).await;
    let control = peers::tarpit().await;
    let (ntfy, telegram, hook) = (
        Receiver::start(0).await,
        Receiver::start(2).await,
        Receiver::start(0).await,
    );
    let mail_dir = tempfile::tempdir().unwrap();
    let mailbox = mail_dir.path().join("mailbox.txt");
    let mail = smtpd(&mailbox).await;
    let toml = config(
        &chat.url("/"),
        &control.addr.to_string(),
        &(sinks(&ntfy, &telegram, &hook) + &email_sink(mail.port)),
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let db = dir.path().join("n.db");
    let env = [("OKX_TEST_TELEGRAM_TOKEN", TOKEN)];
    let daemon = Daemon::start_env(dir.path(), &db, &[], &env).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    up.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(4)).await;
    up.store(true, Ordering::SeqCst);
    // Telegram fails twice first: its retries wait 1 s, then 2 s.
    tokio::time::sleep(Duration::from_secs(8)).await;

    // ntfy and the webhook speak Chinese (`lang = "zh-CN"`), Telegram and
    // mail English: the words change, the codes never.
    let titles: Vec<String> = ntfy
        .heads()
        .iter()
        .filter_map(|h| {
            h.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("title:"))
                .map(|l| rfc2047(l[6..].trim()))
        })
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles[0].contains("在线客服不可用") && titles[1].contains("在线客服恢复了"),
        "{titles:?}"
    );
    let hooks = hook.bodies();
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    let first: serde_json::Value = serde_json::from_str(&hooks[0]).unwrap();
    assert_eq!(first["event"], "down");
    assert_eq!(first["channel"], "chat");
    assert!(
        first["text"].as_str().unwrap().contains("客服邮箱可以用"),
        "{first}"
    );
    let second: serde_json::Value = serde_json::from_str(&hooks[1]).unwrap();
    assert_eq!(second["event"], "recovered");
    let tg = telegram.got.lock().unwrap().clone();
    assert_eq!(tg.len(), 2, "the flaky receiver still gets both: {tg:?}");
    assert!(tg[0].1.contains("Live chat is down"), "{}", tg[0].1);
    assert!(
        tg[0].0.contains(&format!("/bot{TOKEN}/sendMessage")),
        "{}",
        tg[0].0
    );
    assert!(tg[0].1.contains("\"chat_id\":\"42\""), "{}", tg[0].1);

    let mails = std::fs::read_to_string(&mailbox).unwrap_or_default();
    assert_eq!(
        mails.matches("Subject: Live chat is down").count(),
        1,
        "{mails}"
    );
    assert_eq!(
        mails.matches("Subject: Live chat is back").count(),
        1,
        "{mails}"
    );
    let metrics = daemon.metrics().await;
    assert_eq!(
        metric_sum(&metrics, "okx_monitor_notices_total", "result=\"sent\""),
        8.0,
        "{metrics}"
    );
    assert_eq!(
        metric_sum(&metrics, "okx_monitor_notices_total", "result=\"failed\""),
        2.0,
        "the flaky receiver's two failed attempts: {metrics}"
    );
    assert!(metrics.contains("okx_monitor_notice_queue"), "{metrics}");
    drop(daemon);
    // The token is nowhere: not in the log (which has the retries), metrics,
    // validate or the export.
    let log = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("daemon-"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<String>();
    assert!(log.contains("notice not delivered"), "{log}");
    let validate = run_env(
        &[
            "--config",
            dir.path().to_str().unwrap(),
            "validate",
            "--format",
            "json",
        ],
        &env,
    )
    .await;
    let export = run(&["export", "--db", db.to_str().unwrap()]).await;
    for (what, text) in [
        ("log", log),
        ("metrics", metrics),
        ("validate", stdout(&validate)),
        ("export", stdout(&export)),
    ] {
        assert!(!text.contains("SECRET-bot-token"), "the token in {what}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_probe_flap_and_a_local_outage_send_nothing() {
    let (up, chat) = switchable_chat(true).await;
    let control = peers::tarpit().await;
    let hook = Receiver::start(0).await;
    let sink = hook_sink(&hook.url("/"));
    let toml = config(&chat.url("/"), &control.addr.to_string(), &sink);
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let daemon = Daemon::start(dir.path(), &dir.path().join("f.db")).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // Down for one probe only.
    up.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    up.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(hook.bodies().is_empty(), "{:?}", hook.bodies());
    drop(daemon);

    // Every control fails and chat with it: unknown, nothing about OKX.
    let closed = format!("127.0.0.1:{}", peers::closed_port());
    let chat = format!("http://127.0.0.1:{}/", peers::closed_port());
    let toml = config(&chat, &closed, &sink);
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let daemon = Daemon::start(dir.path(), &dir.path().join("l.db")).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let bodies = hook.bodies();
    assert!(
        bodies.iter().all(|b| !b.contains("\"event\":\"down\"")),
        "{bodies:?}"
    );
    drop(daemon);
}

#[tokio::test(flavor = "multi_thread")]
async fn notify_test_reports_each_sink_and_its_exit_code() {
    let good = Receiver::start(0).await;
    let closed = format!("http://127.0.0.1:{}/", peers::closed_port());
    let toml = format!(
        "[[check]]\nname = \"c\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n\n[[notify]]\nname = \"good\"\nkind = \"webhook\"\nurl = \"{}\"\n\n[[notify]]\nname = \"gone\"\nkind = \"ntfy\"\nurl = \"{closed}\"\n",
        good.url("/")
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let config = dir.path().to_str().unwrap();
    let out = run(&["--config", config, "notify", "--test", "good"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("good: delivered"));
    assert!(good.bodies()[0].contains("\"event\":\"test\""));
    let out = run(&["--config", config, "notify", "--test"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("gone: not delivered"),
        "{}",
        stdout(&out)
    );
    let out = run(&["--config", config, "notify", "--test", "nobody"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_ends_when_a_channel_answers_and_not_during_a_local_outage() {
    let up = Arc::new(AtomicBool::new(false));
    let flag = up.clone();
    let chat = peers::http(move |_| {
        if flag.load(Ordering::SeqCst) {
            response(200, &[], "ok")
        } else {
            Answer::Tarpit
        }
    })
    .await;
    let control = peers::tarpit().await;
    let toml = format!(
        "[[check]]\nname = \"live-chat\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\ntimeout = \"300ms\"\n\n[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{}\"\n",
        chat.url("/"),
        control.addr
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let config = dir.path().to_str().unwrap().to_string();
    let flip = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        up.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let out = run(&[
        "--config",
        &config,
        "wait",
        "--channel",
        "chat",
        "--every",
        "1s",
        "--timeout",
        "20s",
    ])
    .await;
    let took = started.elapsed();
    flip.await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Live chat works now"),
        "{}",
        stdout(&out)
    );
    // Within one --every (1 s) of coming up (2 s), and the process.
    within(took, Duration::from_millis(3600));

    // Timeout: exit 1.
    let never = peers::http(|_| response(502, &[], "")).await;
    let toml = toml.replace(&chat.url("/"), &never.url("/"));
    std::fs::write(dir.path().join("checks.toml"), &toml).unwrap();
    let out = run(&[
        "--config",
        &config,
        "wait",
        "--every",
        "500ms",
        "--timeout",
        "2s",
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));

    // A local outage (every control fails) never ends the wait.
    let closed = format!("127.0.0.1:{}", peers::closed_port());
    let toml = toml.replace(&control.addr.to_string(), &closed);
    std::fs::write(dir.path().join("checks.toml"), &toml).unwrap();
    let out = run(&[
        "--config",
        &config,
        "wait",
        "--every",
        "500ms",
        "--timeout",
        "2s",
    ])
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

/// The notifier's state is kept in the database: a restart during an outage
/// sends no second down notice, and the recovery is still told once.
#[tokio::test(flavor = "multi_thread")]
async fn a_restart_during_an_outage_sends_no_second_down() {
    let (up, chat) = switchable_chat(false).await;
    let control = peers::tarpit().await;
    let hook = Receiver::start(0).await;
    let sink = hook_sink(&hook.url("/"));
    let toml = config(&chat.url("/"), &control.addr.to_string(), &sink);
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let db = dir.path().join("r.db");
    let mut daemon = Daemon::start(dir.path(), &db).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    daemon.signal(libc::SIGTERM);
    daemon
        .wait_exit(Duration::from_secs(10))
        .await
        .expect("stops");
    assert_eq!(events(&hook), ["down"]);
    let daemon = Daemon::start(dir.path(), &db).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(events(&hook), ["down"], "no second down after the restart");
    up.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(events(&hook), ["down", "recovered"]);
    drop(daemon);
}

/// The e-mail sink through a real SMTP server (aiosmtpd on loopback, a local
/// relay without TLS), with `notify --test`.
#[tokio::test(flavor = "multi_thread")]
async fn the_email_sink_delivers_through_a_real_smtp_server() {
    let mail_dir = tempfile::tempdir().unwrap();
    let mailbox = mail_dir.path().join("mailbox.txt");
    let mail = smtpd(&mailbox).await;
    let toml =
        "[[check]]\nname = \"c\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n"
            .to_string()
            + &email_sink(mail.port);
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let out = run(&["--config", dir.path().to_str().unwrap(), "notify", "--test"]).await;
    let mut text = String::new();
    let waited = Instant::now();
    while !text.contains("okx-monitor test") && waited.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        text = std::fs::read_to_string(&mailbox).unwrap_or_default();
    }
    drop(mail);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("mail: delivered"));
    assert!(text.contains("Subject: okx-monitor test"), "{text}");
    assert!(text.contains("notices will reach you here"), "{text}");
}

/// A receiver that never answers delays no probe: the probes go on every
/// second and start on time while its notice waits on its own task.
#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_receiver_delays_no_probe() {
    let chat = peers::http(|_| response(502, &[], "")).await;
    let control = peers::tarpit().await;
    let hanging = peers::tarpit().await;
    let sink = hook_sink(&format!("http://{}/", hanging.addr));
    let toml = config(&chat.url("/"), &control.addr.to_string(), &sink);
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let daemon = Daemon::start(dir.path(), &dir.path().join("h.db")).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let text = daemon.metrics().await;
    let probes = metric_sum(&text, "okx_monitor_probes_total", "check=\"live-chat\"");
    assert!(probes >= 5.0, "probes went on: {probes}\n{text}");
    // Every probe started within a second of its time: one held behind the
    // hanging sink would wait its 10 s attempt.
    let late = metric_sum(
        &text,
        "okx_monitor_schedule_lateness_seconds_bucket",
        "le=\"1\"",
    );
    let all = metric_sum(&text, "okx_monitor_schedule_lateness_seconds_count", "");
    assert_eq!(late, all, "{text}");
    assert_eq!(
        metric_sum(&text, "okx_monitor_notices_total", "result=\"sent\""),
        0.0
    );
    drop(daemon);
}

/// An RFC 2047 encoded word (`=?UTF-8?B?…?=`) decoded; other text as it is.
fn rfc2047(text: &str) -> String {
    use base64::Engine as _;
    text.strip_prefix("=?UTF-8?B?")
        .and_then(|t| t.strip_suffix("?="))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| text.to_string())
}

/// A webhook sink named `name` for live chat at `url` that counts one failed
/// or good probe as the change (`after = 1`, `recover_after = 1`).
fn quick_sink(name: &str, url: &str) -> String {
    format!(
        "\n[[notify]]\nname = \"{name}\"\nkind = \"webhook\"\nurl = \"{url}\"\nchannels = [\"chat\"]\nevents = [\"down\", \"recovered\"]\nafter = 1\nrecover_after = 1\n"
    )
}

/// The events a receiver got, in the order it got them.
fn events(h: &Receiver) -> Vec<String> {
    h.bodies()
        .iter()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Waits until `h` has got `want` events, at most `limit`; how long it took.
async fn until_events(h: &Receiver, want: &[&str], limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if events(h) == want {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Sinks are independent: a sink that accepts the connection and never
/// answers (listed first, so that a shared queue would put it ahead) holds
/// none of the webhook's notices. The webhook gets "down" within 3 s of the
/// outage and "recovered" within 3 s of the recovery, while the hanging
/// sink's attempts time out (10 s each) and are retried; the daemon still
/// stops in bounded time.
#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_sink_delays_no_other_sinks_notice() {
    let (up, chat) = switchable_chat(true).await;
    let control = peers::tarpit().await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let counted = attempts.clone();
    let hanging = peers::http(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        Answer::Tarpit
    })
    .await;
    let hook = Receiver::start(0).await;
    let sinks = quick_sink("stuck", &hanging.url("/")) + &quick_sink("hook", &hook.url("/"));
    let toml = config(&chat.url("/"), &control.addr.to_string(), &sinks);
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let mut daemon = Daemon::start(dir.path(), &dir.path().join("i.db")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    up.store(false, Ordering::SeqCst);
    let took = until_events(&hook, &["down"], Duration::from_secs(3)).await;
    assert!(took.is_some(), "no down within 3 s: {:?}", events(&hook));
    eprintln!("beside a hanging sink: down {took:?} after the outage began");
    tokio::time::sleep(Duration::from_secs(2)).await;
    up.store(true, Ordering::SeqCst);
    let took = until_events(&hook, &["down", "recovered"], Duration::from_secs(3)).await;
    assert!(
        took.is_some(),
        "no recovered within 3 s: {:?}",
        events(&hook)
    );
    eprintln!("beside a hanging sink: recovered {took:?} after the recovery");

    // The hanging sink's first attempt ends after 10 s; the retry follows.
    let waited = Instant::now();
    while attempts.load(Ordering::SeqCst) < 2 && waited.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        attempts.load(Ordering::SeqCst) >= 2,
        "the hanging sink is retried"
    );
    let text = daemon.metrics().await;
    let failed = "sink=\"stuck\"";
    assert!(
        metric_sum(
            &text,
            "okx_monitor_notices_total",
            &format!("result=\"failed\",{failed}")
        ) >= 1.0,
        "{text}"
    );
    assert!(
        text.contains("okx_monitor_notice_queue{sink=\"hook\""),
        "{text}"
    );
    daemon.signal(libc::SIGTERM);
    daemon
        .wait_exit(Duration::from_secs(20))
        .await
        .expect("stops in bounded time with a sink still hanging");
    assert_eq!(events(&hook), ["down", "recovered"]);
}

/// A sink's "recovered" never reaches it before its "down", even when the
/// "down" needed retries (the receiver fails its first two requests) and the
/// channel recovered meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn a_recovered_never_reaches_a_sink_before_its_down() {
    let (up, chat) = switchable_chat(true).await;
    let control = peers::tarpit().await;
    let hook = Receiver::start(2).await;
    let sinks = quick_sink("hook", &hook.url("/"));
    let toml = config(&chat.url("/"), &control.addr.to_string(), &sinks);
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let daemon = Daemon::start(dir.path(), &dir.path().join("o.db")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    up.store(false, Ordering::SeqCst);
    // Down is seen within a second or two; its first attempt fails, and the
    // recovery comes while it waits for its retry.
    let waited = Instant::now();
    while metric_sum(
        &daemon.metrics().await,
        "okx_monitor_notices_total",
        "result=\"failed\"",
    ) < 1.0
        && waited.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    up.store(true, Ordering::SeqCst);
    let got = until_events(&hook, &["down", "recovered"], Duration::from_secs(20)).await;
    assert!(got.is_some(), "{:?}", events(&hook));
    let text = daemon.metrics().await;
    assert_eq!(
        metric_sum(&text, "okx_monitor_notices_total", "result=\"failed\""),
        2.0,
        "the down was retried twice: {text}"
    );
    drop(daemon);
}

/// OKX's own word: an ongoing maintType "3" event from a local status API is
/// in `diagnose`'s and (once the daemon probed it) `status`'s `okx_declares`,
/// leads their advice, and is told to a sink once however often it is seen.
#[tokio::test(flavor = "multi_thread")]
async fn a_disruption_okx_declares_leads_the_advice_and_is_told_once() {
    let begin = chrono::Utc::now().timestamp_millis() - 20 * 60 * 1000;
    let body = format!(
        r#"{{"code":"0","msg":"","data":[{{"title":"Spot trading disruption","state":"ongoing","begin":"{begin}","end":"","serviceType":"0","system":"unified","maintType":"3","href":"","scheDesc":""}}]}}"#
    );
    let api =
        peers::http(move |_| response(200, &[("content-type", "application/json")], &body)).await;
    let chat = peers::http(|_| response(200, &[], "ok")).await;
    let hook = Receiver::start(0).await;
    let toml = format!(
        r#"[[check]]
name = "okx-maintenance"
channel = "status"
kind = "okx_status"
url = "{}"
schedule = "* * * * * *"

[[check]]
name = "live-chat"
channel = "chat"
kind = "http"
url = "{}"
schedule = "* * * * * *"

[[notify]]
name = "hook"
kind = "webhook"
url = "{}"
events = ["okx_incident"]
"#,
        api.url("/api/v5/system/status"),
        chat.url("/"),
        hook.url("/hook")
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let config = dir.path().to_str().unwrap().to_string();

    let out = run(&["--config", &config, "diagnose", "--format", "json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["okx_declares"][0]["title"], "Spot trading disruption",
        "{v}"
    );
    assert!(
        v["advice"][0]
            .as_str()
            .unwrap()
            .starts_with("OKX reports a disruption since"),
        "{v}"
    );
    assert_eq!(
        v["verdict"], "ok",
        "the verdict still says what works from here"
    );

    let db = dir.path().join("d.db");
    let daemon = Daemon::start(dir.path(), &db).await;
    let db_s = db.to_str().unwrap().to_string();
    let started = Instant::now();
    let v = loop {
        let out = run(&[
            "--config", &config, "status", "--db", &db_s, "--format", "json",
        ])
        .await;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if v["okx_declares"].as_array().is_some_and(|a| !a.is_empty()) {
            break v;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(v["okx_declares"][0]["title"], "Spot trading disruption");
    assert!(
        v["advice"][0]
            .as_str()
            .unwrap()
            .contains("Spot trading disruption"),
        "{v}"
    );
    // Probed every second for a while: still one notice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let text = daemon.metrics().await;
    assert_eq!(
        metric_sum(&text, "okx_monitor_okx_declared_disruptions", ""),
        1.0,
        "{text}"
    );
    // The page leads with it, and /api/status carries it.
    let (code, page) = crate::support::http_get(daemon.addr, "/?tz=UTC&lang=en")
        .await
        .unwrap();
    assert_eq!(code, 200);
    assert!(
        page.contains("OKX reports a disruption: Spot trading disruption"),
        "{page}"
    );
    let (_, api) = crate::support::http_get(daemon.addr, "/api/status?tz=UTC")
        .await
        .unwrap();
    assert!(api.contains("\"okx_declares\""), "{api}");
    drop(daemon);
    assert_eq!(events(&hook), ["okx_incident"], "once per disruption");
    assert!(hook.bodies()[0].contains("Spot trading disruption"));
}
