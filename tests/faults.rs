//! The fault suite: hostile and broken peers. Each probe ends in the right
//! outcome within its timeout + 0.5 s; together they cost bounded memory.

use std::time::{Duration, Instant};

use okx_monitor::outcome::{Failure, Outcome};

use crate::support::peers::{self, Answer, UdpDns, response};
use crate::support::{ConfigDir, probe_one, run_measuring_rss, within};

/// Probes `toml` (one check, timeout 1 s) and checks the deadline.
async fn probe(toml: &str) -> okx_monitor::outcome::Report {
    let started = Instant::now();
    let r = probe_one(toml).await;
    within(started.elapsed(), Duration::from_millis(1500));
    r
}

fn http(url: &str, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"web\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"{url}\"\ntimeout = \"1s\"\n{extra}\n"
    )
}

fn mx(resolver: std::net::SocketAddr, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"mail\"\nchannel = \"email\"\nkind = \"mx\"\ndomain = \"okx.test\"\nresolver = \"{resolver}\"\ntimeout = \"1s\"\n{extra}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_that_trickle_time_out() {
    let peer = peers::trickle(Duration::from_millis(200)).await;
    let r = probe(&http(&peer.url("/"), "")).await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Timeout)),
        "{}",
        r.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn enormous_headers_are_refused_not_buffered() {
    let peer = peers::http(|_| {
        let mut raw = b"HTTP/1.1 200 OK\r\nx-big: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', 4 * 1024 * 1024));
        raw.extend(b"\r\ncontent-length: 0\r\n\r\n");
        Answer::Raw(raw)
    })
    .await;
    let r = probe(&http(&peer.url("/"), "")).await;
    assert_eq!(r.outcome, Outcome::Down, "{}", r.reason);
    assert_eq!(r.failure, Some(Failure::Protocol), "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_handshake_that_stalls_times_out() {
    let tarpit = peers::tarpit().await;
    let r = probe(&http(
        &format!("https://127.0.0.1:{}/", tarpit.addr.port()),
        "",
    ))
    .await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Timeout)),
        "{}",
        r.reason
    );
    let p = r.phases;
    assert!(
        p.connect.is_some() && p.tls.is_none(),
        "TCP connected, the handshake never completed: {p:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_servfail_is_a_dns_failure() {
    let dns = peers::dns(UdpDns::ServFail).await;
    let r = probe(&mx(dns.addr, "")).await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Dns)),
        "{}",
        r.reason
    );
    let r = probe(&http(
        &format!("http://help.okx.test:{}/", dns.addr.port()),
        &format!("resolver = \"{}\"", dns.addr),
    ))
    .await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Dns)),
        "{}",
        r.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_truncated_answer_falls_back_to_tcp() {
    let dns = peers::dns(UdpDns::Truncated).await;
    let r = probe(&mx(dns.addr, "")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert_eq!(r.detail.mx_records, Some(1));
    // And an address through the same resolver, for an HTTP check.
    let web = peers::http(|_| response(200, &[], "ok")).await;
    let r = probe(&http(
        &format!("http://help.okx.test:{}/", web.addr.port()),
        &format!("resolver = \"{}\"", dns.addr),
    ))
    .await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_utf8_where_text_is_expected() {
    let peer = peers::http(|_| {
        let body: &[u8] = b"\xff\xfe OKX Help \xc3\x28 Center";
        let mut raw =
            format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
        raw.extend(body);
        Answer::Raw(raw)
    })
    .await;
    // Text expectations read what they can: the ASCII around the bad bytes.
    let r = probe(&http(&peer.url("/"), "body_contains = \"OKX Help\"")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    // JSON expectations refuse it.
    let r = probe(&http(&peer.url("/"), "json = { \"/code\" = \"0\" }")).await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Protocol)),
        "{}",
        r.reason
    );
    let r = probe(&format!("[[check]]\nname = \"s\"\nchannel = \"status\"\nkind = \"okx_status\"\nurl = \"{}\"\ntimeout = \"1s\"\n", peer.url("/status"))).await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Protocol)),
        "{}",
        r.reason
    );
    // An SMTP greeting with invalid UTF-8 is still a 220.
    let smtp = peers::smtp("127.0.0.1", b"220 mx.okx.test \xff\xfe ESMTP\r\n").await;
    let dns = peers::dns(UdpDns::Answer).await;
    let r = probe(&mx(
        dns.addr,
        &format!("smtp = true\nsmtp_port = {}", smtp.addr.port()),
    ))
    .await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hostile_peer_at_once_costs_bounded_memory_and_one_timeout() {
    let tarpit = peers::tarpit().await;
    let trickle = peers::trickle(Duration::from_millis(50)).await;
    let endless = peers::http(|_| Answer::EndlessBody).await;
    let big = peers::http(|_| {
        let mut raw = b"HTTP/1.1 200 OK\r\nx-big: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', 8 * 1024 * 1024));
        Answer::Raw(raw)
    })
    .await;
    let silent_dns = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let silent_smtp = peers::smtp("127.0.0.1", b"").await;
    let dns = peers::dns(UdpDns::Answer).await;
    let mut toml = String::from("[defaults]\ntimeout = \"2s\"\n");
    for i in 0..10 {
        toml += &http(&tarpit.url("/"), "")
            .replace("name = \"web\"", &format!("name = \"tarpit-{i}\""))
            .replace("timeout = \"1s\"\n", "");
        toml += &http(&format!("https://127.0.0.1:{}/", tarpit.addr.port()), "")
            .replace("name = \"web\"", &format!("name = \"tls-{i}\""))
            .replace("timeout = \"1s\"\n", "");
        toml += &http(&trickle.url("/"), "")
            .replace("name = \"web\"", &format!("name = \"trickle-{i}\""))
            .replace("timeout = \"1s\"\n", "");
        toml += &http(&endless.url("/"), "body_contains = \"never\"")
            .replace("name = \"web\"", &format!("name = \"endless-{i}\""))
            .replace("timeout = \"1s\"\n", "");
        toml += &http(&big.url("/"), "")
            .replace("name = \"web\"", &format!("name = \"big-{i}\""))
            .replace("timeout = \"1s\"\n", "");
        toml += &mx(silent_dns.local_addr().unwrap(), "")
            .replace("name = \"mail\"", &format!("name = \"dns-{i}\""))
            .replace("timeout = \"1s\"\n", "");
        toml += &mx(
            dns.addr,
            &format!("smtp = true\nsmtp_port = {}", silent_smtp.addr.port()),
        )
        .replace("name = \"mail\"", &format!("name = \"smtp-{i}\""))
        .replace("timeout = \"1s\"\n", "");
    }
    let dir = ConfigDir::new(&[("hostile.toml", &toml)]);
    let path = dir.path().to_str().unwrap().to_string();
    let started = Instant::now();
    let (code, rss) =
        tokio::task::spawn_blocking(move || run_measuring_rss(&["--config", &path, "check"]))
            .await
            .unwrap();
    let took = started.elapsed();
    assert_eq!(code, 1);
    eprintln!(
        "70 hostile checks: {took:?}, peak RSS {} MB",
        rss / 1_000_000
    );
    within(
        took,
        Duration::from_millis(2500) + Duration::from_millis(300),
    );
    assert!(rss < 100 * 1024 * 1024, "peak RSS {rss}");
}
