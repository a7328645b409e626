//! The `websocket` prober against loopback peers, well-behaved and hostile:
//! each ends in its outcome within the timeout and a second.

use std::time::{Duration, Instant};

use okx_monitor::outcome::{Failure, Outcome};

use crate::support::peers;
use crate::support::ws::{self, Behaviour};
use crate::support::{probe_one, within};

const SUBSCRIBE: &str = r#"{"op":"subscribe","args":[{"channel":"status"}]}"#;

fn check(url: &str, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"okx-public-ws\"\nchannel = \"status\"\nkind = \"websocket\"\nurl = \"{url}\"\ntimeout = \"1s\"\n{extra}\n"
    )
}

fn subscribing() -> String {
    format!("send = '{SUBSCRIBE}'\nexpect = '\"event\":\"subscribe\"'")
}

async fn timed(toml: &str) -> (okx_monitor::outcome::Report, Duration) {
    let started = Instant::now();
    let r = probe_one(toml).await;
    let took = started.elapsed();
    within(took, Duration::from_secs(2));
    (r, took)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscribe_acknowledgement_is_up_with_its_phases() {
    let peer = ws::peer(Behaviour::Acknowledge).await;
    let (r, _) = timed(&check(&peer.url("ws"), &subscribing())).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert!(r.phases.handshake.is_some() && r.phases.frame.is_some());
    assert!(r.phases.handshake <= r.phases.frame);
    assert_eq!(r.detail.http_status, Some(101));
    // The handshake alone, without send or expect.
    let (r, _) = timed(&check(&peer.url("ws"), "")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn wss_uses_the_web_roots_and_an_extra_ca_like_http() {
    let pki = peers::pki((2031, 1, 1));
    let peer = ws::peer_tls(Behaviour::Acknowledge, pki.server.clone()).await;
    let (r, _) = timed(&check(&peer.url("wss"), &subscribing())).await;
    assert_eq!(r.outcome, Outcome::Down, "an unknown CA: {}", r.reason);
    assert_eq!(r.failure, Some(Failure::Tls));
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let extra = format!("{}\ntls_ca_file = \"{}\"", subscribing(), ca.display());
    let (r, _) = timed(&check(&peer.url("wss"), &extra)).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert!(r.detail.tls_not_after.is_some(), "the certificate's expiry");
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_upgrades_are_judged_like_http() {
    let cases = [
        (
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n",
            Outcome::Throttled,
        ),
        (
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 60\r\nContent-Length: 0\r\n\r\n",
            Outcome::Throttled,
        ),
        (
            "HTTP/1.1 451 Unavailable For Legal Reasons\r\nContent-Length: 0\r\n\r\n",
            Outcome::Blocked,
        ),
        (
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
            Outcome::Blocked,
        ),
        (
            "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n",
            Outcome::Down,
        ),
    ];
    for (answer, outcome) in cases {
        let peer = ws::peer(Behaviour::Refuse(answer)).await;
        let (r, _) = timed(&check(&peer.url("ws"), &subscribing())).await;
        assert_eq!(r.outcome, outcome, "{answer}: {}", r.reason);
        if outcome == Outcome::Throttled {
            assert!(r.detail.retry_after.is_some(), "Retry-After is honoured");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_peers_end_within_the_timeout() {
    for (b, what) in [
        (Behaviour::Silent, "no frame"),
        (Behaviour::NoHandshake, "no handshake"),
        (Behaviour::Endless, "endless frames"),
    ] {
        let peer = ws::peer(b).await;
        let (r, took) = timed(&check(&peer.url("ws"), &subscribing())).await;
        assert_eq!(r.outcome, Outcome::Down, "{what}: {}", r.reason);
        assert_eq!(r.failure, Some(Failure::Timeout), "{what}");
        assert!(took >= Duration::from_millis(900), "{what}: {took:?}");
    }
    let peer = ws::peer(Behaviour::Huge(4 * 1024 * 1024)).await;
    let (r, _) = timed(&check(&peer.url("ws"), &subscribing())).await;
    assert_eq!(r.outcome, Outcome::Down, "{}", r.reason);
    assert!(
        r.reason.to_string().contains("too large") || r.reason.to_string().contains("size"),
        "{}",
        r.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_connections_and_a_wrong_scheme() {
    let url = format!("ws://127.0.0.1:{}/ws", peers::closed_port());
    let (r, _) = timed(&check(&url, "")).await;
    assert_eq!(r.failure, Some(Failure::Connect), "{}", r.reason);
}
