//! The `browser` prober with Debian's Chromium against loopback pages: a chat
//! launcher inserted by script that opens a WebSocket when clicked, a page
//! whose network never goes idle, slow, missing and refused launchers, a page
//! that never answers, a challenge and a 451. Each ends in its outcome within
//! its timeout (and a margin for a busy machine).
//!
//! Nothing here depends on the machine's speed: an `up` probe has `slow`
//! far above what the work takes even on a busy two-core machine (Chromium's
//! start included), and the `degraded` one waits for a launcher that the page
//! itself shows five times later than its `slow`. The browser tests run one at
//! a time ([`crate::support::browser_slot`]).

use std::time::{Duration, Instant};

use okx_monitor::outcome::{Failure, Outcome, Report};

use crate::support::peers::{self, Answer, response};
use crate::support::ws::{self, Behaviour};
use okx_monitor::runner::Prober;

/// A page whose launcher appears after `delay_ms` and, clicked, opens a
/// WebSocket to `ws`; `extra` is more script.
fn page(delay_ms: u64, ws: &str, extra: &str) -> String {
    format!(
        r#"<!doctype html><html><body><h1>Support</h1><script>
setTimeout(() => {{
  const b = document.createElement('button');
  b.id = 'chat-launcher';
  b.onclick = () => {{ window.sock = new WebSocket('{ws}'); }};
  document.body.appendChild(b);
}}, {delay_ms});
{extra}
</script></body></html>"#
    )
}

/// A browser check of `url`: `timeout = 20s`, `slow = 15s` unless `extra` sets
/// its own timing (`TIMED`): far above what a probe of a loopback page takes.
fn check(url: &str, extra: &str) -> String {
    let timing = if extra.contains("timeout") {
        ""
    } else {
        "timeout = \"20s\"\nslow = \"15s\"\n"
    };
    format!(
        "[[check]]\nname = \"live-chat-widget\"\nchannel = \"chat\"\nkind = \"browser\"\nurl = \"{url}\"\nwait_for = \"#chat-launcher, [class*=chat i]\"\n{timing}{extra}\n"
    )
}

/// The page shows its launcher after 2.5 s: five times this `slow`.
const LATE_LAUNCHER: &str = "timeout = \"20s\"\nslow = \"500ms\"";

const CLICK_WS: &str = "click = true\nexpect_websocket = \"/ws\"";

async fn timed(toml: &str) -> Report {
    let _slot = crate::support::browser_slot().await;
    let config = crate::support::load(toml);
    let prober = Prober::new(&config.checks).unwrap();
    let r = timed_with(&prober, &config.checks[0]).await;
    prober.shutdown().await;
    r
}

/// One probe with a prober (and its browser) shared across probes.
async fn timed_with(prober: &Prober, check: &okx_monitor::config::Check) -> Report {
    let started = Instant::now();
    let r = prober.probe(check).await;
    let took = started.elapsed();
    let limit = check.timeout + Duration::from_secs(5);
    assert!(took < limit, "timeout + 5 s: {took:?}");
    r
}

/// Checks named `c0`, `c1`, … of `urls`, each with `extra`, probed by one prober.
async fn each(cases: &[(String, &str)]) -> Vec<Report> {
    let _slot = crate::support::browser_slot().await;
    let toml: String = cases
        .iter()
        .enumerate()
        .map(|(i, (url, extra))| check(url, extra).replace("live-chat-widget", &format!("c{i}")))
        .collect();
    let config = crate::support::load(&toml);
    let prober = Prober::new(&config.checks).unwrap();
    let mut out = Vec::new();
    for c in &config.checks {
        out.push(timed_with(&prober, c).await);
    }
    prober.shutdown().await;
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chat_opens_and_its_hosts_are_kept() {
    let chat = ws::peer(Behaviour::Acknowledge).await;
    let refused = format!("ws://127.0.0.1:{}/ws", peers::closed_port());
    let (good, bad) = (chat.url("ws"), refused.clone());
    let site = peers::http(move |head| {
        let body = match peers::path(head) {
            "/chat" => page(300, &good, ""),
            // A page that never goes idle: it polls without end.
            "/busy" => page(
                100,
                &good,
                "setInterval(() => fetch('/poll').catch(() => {}), 50);",
            ),
            "/slow" => page(2500, &good, ""),
            "/none" => "<html><body>no chat here</body></html>".to_string(),
            "/refused" => page(100, &bad, ""),
            _ => "ok".to_string(),
        };
        response(200, &[("content-type", "text/html")], &body)
    })
    .await;

    let r = each(&[
        (site.url("/chat"), CLICK_WS),
        (site.url("/busy"), CLICK_WS),
        (site.url("/slow"), LATE_LAUNCHER),
        (site.url("/none"), ""),
        (site.url("/refused"), CLICK_WS),
    ])
    .await;
    assert_eq!(r[0].outcome, Outcome::Up, "{}", r[0].reason);
    assert_eq!(r[0].detail.http_status, Some(200));
    assert!(
        r[0].phases.frame.is_some() && r[0].phases.handshake.is_some(),
        "{:?}",
        r[0].phases
    );
    assert_eq!(r[0].detail.websocket_hosts, vec![chat.addr.to_string()]);
    assert_eq!(
        r[1].outcome,
        Outcome::Up,
        "never idle, judged by what it shows: {}",
        r[1].reason
    );
    assert_eq!(r[2].outcome, Outcome::Degraded, "{}", r[2].reason);
    assert_eq!(
        (r[3].outcome, r[3].failure),
        (Outcome::Down, Some(Failure::Body)),
        "{}",
        r[3].reason
    );
    let r = &r[4];
    assert_eq!(r.outcome, Outcome::Down, "{}", r.reason);
    assert!(
        r.reason
            .to_string()
            .contains("the page loads, the chat does not"),
        "{}",
        r.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_challenged_and_blocked_pages() {
    let tarpit = peers::tarpit().await;
    let r = timed(&check(&tarpit.url("/"), "timeout = \"4s\"")).await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Timeout)),
        "{}",
        r.reason
    );

    let site = peers::http(|head| match peers::path(head) {
        "/cf" => response(
            403,
            &[("cf-mitigated", "challenge"), ("content-type", "text/html")],
            "<html><body>checking</body></html>",
        ),
        "/moment" => response(
            503,
            &[("content-type", "text/html")],
            "<html><head><title>Just a moment...</title></head><body></body></html>",
        ),
        "/451" => response(
            451,
            &[("content-type", "text/html")],
            "<html><body>not here</body></html>",
        ),
        _ => Answer::Tarpit,
    })
    .await;
    let r = each(&[
        (site.url("/cf"), ""),
        (site.url("/moment"), ""),
        (site.url("/451"), ""),
    ])
    .await;
    assert_eq!(r[0].outcome, Outcome::Throttled, "{}", r[0].reason);
    assert_eq!(r[1].outcome, Outcome::Throttled, "{}", r[1].reason);
    assert_eq!(r[2].outcome, Outcome::Blocked, "{}", r[2].reason);
}

/// A browser that crashes is started again on the next need.
#[tokio::test(flavor = "multi_thread")]
async fn a_crashed_browser_is_restarted_on_the_next_probe() {
    let site = peers::http(|_| {
        response(
            200,
            &[("content-type", "text/html")],
            "<html><body><button id=chat-launcher>chat</button></body></html>",
        )
    })
    .await;
    let _slot = crate::support::browser_slot().await;
    let config = crate::support::load(&check(&site.url("/"), ""));
    let prober = Prober::new(&config.checks).unwrap();
    let first = timed_with(&prober, &config.checks[0]).await;
    assert_eq!(first.outcome, Outcome::Up, "{}", first.reason);
    let pid = prober.browser_pid().await.expect("a browser runs");
    // SAFETY: kill(2) on the browser this test's prober started.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = timed_with(&prober, &config.checks[0]).await;
    assert_eq!(again.outcome, Outcome::Up, "{}", again.reason);
    assert_ne!(prober.browser_pid().await, Some(pid), "a new browser");
    prober.shutdown().await;
}

/// The shipped `live-chat` check, only its URL changed.
fn shipped_live_chat(url: &str) -> String {
    crate::support::shipped(
        "okx.toml",
        "live-chat",
        &[("https://www.okx.com/help", url)],
    )
}

/// A page that opens a market-data WebSocket at load, as OKX's do, with a
/// chat launcher whose click runs `on_click`.
fn market_page(market: &str, on_click: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>OKX Help Center</title></head><body><h1>Help Center</h1>
<button id="chat-launcher" onclick="{on_click}">Chat with us</button>
<script>window.feed = new WebSocket('{market}');</script></body></html>"#
    )
}

/// Only what the click caused is the chat. With a market-data socket open
/// from the load, the shipped `live-chat` check is `down` when the launcher
/// opens nothing, `up` when the click opens a new socket or a frame from
/// another origin, and `down` when the click's socket is refused.
/// A loopback site of pages that open a market-data WebSocket at load, with
/// a launcher whose click opens nothing (`/nothing`), a new WebSocket
/// (`/socket`), a frame from another origin (`/frame`) or a refused WebSocket
/// (`/refused`); and the market and chat WebSocket servers.
async fn market_site() -> (peers::Peer, ws::WsPeer, ws::WsPeer) {
    let market = ws::peer(Behaviour::Acknowledge).await;
    let chat = ws::peer(Behaviour::Acknowledge).await;
    let refused = format!("ws://127.0.0.1:{}/chat", peers::closed_port());
    let (market_url, chat_url) = (market.url("ws"), chat.url("ws"));
    let site = peers::http(move |head| {
        let path = peers::path(head);
        let port = head
            .lines()
            .find_map(|l| l.strip_prefix("Host: ").or_else(|| l.strip_prefix("host: ")))
            .and_then(|h| h.rsplit(':').next())
            .unwrap_or("80")
            .to_string();
        let body = match path {
            "/nothing" => market_page(&market_url, ""),
            "/socket" => market_page(&market_url, &format!("window.chat = new WebSocket('{chat_url}')")),
            // Another origin: the same server under the name localhost.
            "/frame" => market_page(
                &market_url,
                &format!(
                    "const f = document.createElement('iframe'); f.src = 'http://localhost:{port}/widget'; document.body.appendChild(f);"
                ),
            ),
            "/refused" => market_page(&market_url, &format!("window.chat = new WebSocket('{refused}')")),
            "/widget" => "<html><body>How can we help?</body></html>".to_string(),
            // OKX's region wall and an error page, each with a chat launcher.
            "/wall" => "<html><head><title>OKX</title></head><body><h1>OKX is not available in your region</h1><button id=\"chat-launcher\">Chat</button></body></html>".to_string(),
            "/missing" => "<html><head><title>Page not found | OKX</title></head><body><button id=\"chat-launcher\">Chat</button></body></html>".to_string(),
            _ => "ok".to_string(),
        };
        response(200, &[("content-type", "text/html")], &body)
    })
    .await;
    (site, market, chat)
}

#[tokio::test(flavor = "multi_thread")]
async fn only_what_the_click_opened_is_the_chat() {
    let (site, market, chat) = market_site().await;
    let _slot = crate::support::browser_slot().await;
    let toml: String = [
        "/socket", "/frame", "/refused", "/nothing", "/wall", "/missing",
    ]
    .iter()
    .enumerate()
    .map(|(i, path)| {
        shipped_live_chat(&site.url(path)).replace("\"live-chat\"", &format!("\"c{i}\""))
    })
    .collect();
    let config = crate::support::load(&toml);
    let prober = Prober::new(&config.checks).unwrap();
    let mut r = Vec::new();
    for c in &config.checks {
        r.push(timed_with(&prober, c).await);
    }
    prober.shutdown().await;

    let (socket, frame, refused, nothing) = (&r[0], &r[1], &r[2], &r[3]);
    // Up or degraded: the shipped `slow` (10 s) is no contrast this test makes.
    assert!(socket.outcome.is_success(), "{}", socket.reason);
    assert_eq!(socket.detail.websocket_hosts, vec![chat.addr.to_string()]);
    assert_eq!(
        socket.detail.websocket_hosts_before_click,
        vec![market.addr.to_string()],
        "the market feed is kept apart"
    );
    let counted: Vec<_> = socket.detail.opened.iter().filter(|o| o.counted).collect();
    assert_eq!(counted.len(), 1, "{:?}", socket.detail.opened);
    assert!(counted[0].after_click && counted[0].url.starts_with(&chat.url("ws")));

    assert!(frame.outcome.is_success(), "{}", frame.reason);
    assert!(
        frame
            .detail
            .frame_hosts
            .iter()
            .any(|h| h.starts_with("localhost:")),
        "{:?}",
        frame.detail
    );

    assert_eq!(refused.outcome, Outcome::Down, "{}", refused.reason);
    assert!(
        refused
            .reason
            .to_string()
            .contains("the page loads, the chat does not"),
        "{}",
        refused.reason
    );

    assert_eq!(nothing.outcome, Outcome::Down, "{}", nothing.reason);
    assert!(
        nothing
            .reason
            .to_string()
            .contains("the chat button opens nothing"),
        "{}",
        nothing.reason
    );
    assert_eq!(
        nothing.detail.websocket_hosts_before_click,
        vec![market.addr.to_string()]
    );
    assert!(nothing.detail.websocket_hosts.is_empty());

    assert_eq!(
        r[4].outcome,
        Outcome::Blocked,
        "a region wall: {}",
        r[4].reason
    );
    assert_eq!(
        r[5].outcome,
        Outcome::Down,
        "an error page: {}",
        r[5].reason
    );
}

/// `explain` on the shipped `live-chat` (its URL on a market-data page whose
/// click opens a chat socket): the market socket before the click, the chat's
/// after it and counted; and the pinned check it prints, saved and run, gets
/// the same outcome.
#[tokio::test(flavor = "multi_thread")]
async fn explain_groups_what_opened_and_pins_the_check() {
    let (site, market, chat) = market_site().await;
    let _slot = crate::support::browser_slot().await;
    let dir = crate::support::ConfigDir::new(&[(
        "checks.toml",
        &shipped_live_chat(&site.url("/socket")),
    )]);
    let config = dir.path().to_str().unwrap().to_string();
    let out = crate::support::run(&[
        "--config",
        &config,
        "explain",
        "live-chat",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::support::stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let answered = |o: &serde_json::Value| o == "up" || o == "degraded";
    assert!(answered(&v["outcome"]), "{v}");
    let opened = v["opened"].as_array().unwrap();
    let before: Vec<&serde_json::Value> = opened
        .iter()
        .filter(|o| o["after_click"] == false)
        .collect();
    let after: Vec<&serde_json::Value> =
        opened.iter().filter(|o| o["after_click"] == true).collect();
    assert_eq!(before.len(), 1, "{v}");
    assert!(
        before[0]["url"]
            .as_str()
            .unwrap()
            .starts_with(&market.url("ws"))
    );
    assert_eq!(
        (before[0]["kind"].as_str(), before[0]["counted"].as_bool()),
        (Some("websocket"), Some(false))
    );
    assert_eq!(after.len(), 1, "{v}");
    assert!(
        after[0]["url"]
            .as_str()
            .unwrap()
            .starts_with(&chat.url("ws"))
    );
    assert_eq!(
        (after[0]["status"].as_u64(), after[0]["counted"].as_bool()),
        (Some(101), Some(true))
    );
    let pinned = v["pinned"].as_str().expect("a pinned check");
    assert!(pinned.contains("expect_websocket"), "{pinned}");

    let pinned_dir = crate::support::ConfigDir::new(&[("checks.toml", pinned)]);
    let out = crate::support::run(&[
        "--config",
        pinned_dir.path().to_str().unwrap(),
        "check",
        "--format",
        "json",
    ])
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(answered(&v["checks"][0]["outcome"]), "{v}\n{pinned}");

    // The table says the same in words.
    let out = crate::support::run(&["--config", &config, "explain", "live-chat"]).await;
    let table = crate::support::stdout(&out);
    assert!(
        table.contains("before the click") && table.contains("after the click"),
        "{table}"
    );
    assert!(table.contains("[[check]]"), "{table}");
}
