//! The `mx` prober against a real DNS server (dnsmasq) and real (aiosmtpd) or
//! scripted SMTP servers on 127.0.0.0/8.

use std::time::{Duration, Instant};

use okx_monitor::outcome::{Failure, Outcome};
use tokio::net::TcpListener;

use crate::support::peers;
use crate::support::servers::{self, Server};
use crate::support::{probe_one, within};

/// dnsmasq serving okx.test's MX records: `hosts` are (name, preference, address).
fn dns(hosts: &[(&str, u16, &str)]) -> Server {
    let mut args = vec![
        "--local=/okx.test/".to_string(),
        "--host-record=nomx.okx.test,127.0.0.1".to_string(),
    ];
    for (name, pref, ip) in hosts {
        args.push(format!("--mx-host=okx.test,{name},{pref}"));
        args.push(format!("--host-record={name},{ip}"));
    }
    servers::dnsmasq(&args)
}

fn check(dns: &Server, domain: &str, port: u16, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"mail\"\nchannel = \"email\"\nkind = \"mx\"\ndomain = \"{domain}\"\nsmtp = true\nsmtp_port = {port}\nresolver = \"{}\"\ntimeout = \"2s\"\n{extra}\n",
        dns.addr
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn greets_a_real_smtp_server_and_notes_starttls() {
    let port = servers::free_tcp_port();
    let dir = tempfile::tempdir().unwrap();
    let pki = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, pki.cert.pem()).unwrap();
    std::fs::write(&key, pki.signing_key.serialize_pem()).unwrap();
    let _smtp = servers::aiosmtpd("127.0.0.1", port, Some((&cert, &key)));
    let dns = dns(&[("mx1.okx.test", 10, "127.0.0.1")]);
    let r = probe_one(&check(&dns, "okx.test", port, "")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert_eq!(r.detail.mx_records, Some(1));
    let host = &r.detail.mx_hosts[0];
    assert_eq!(
        (host.host.as_str(), host.greeting_code),
        ("mx1.okx.test", Some(220))
    );
    assert!(host.starttls, "aiosmtpd with a certificate offers STARTTLS");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_of_two_hosts_failing_is_degraded() {
    let port = servers::free_tcp_port();
    let _smtp = servers::aiosmtpd("127.0.0.1", port, None);
    // mx2 resolves to 127.0.0.2, where nothing listens on that port.
    let dns = dns(&[
        ("mx1.okx.test", 10, "127.0.0.1"),
        ("mx2.okx.test", 20, "127.0.0.2"),
    ]);
    let r = probe_one(&check(&dns, "okx.test", port, "")).await;
    assert_eq!(r.outcome, Outcome::Degraded, "{}", r.reason);
    assert_eq!(r.detail.mx_records, Some(2));
    let hosts: Vec<(&str, bool)> = r
        .detail
        .mx_hosts
        .iter()
        .map(|h| (h.host.as_str(), h.ok))
        .collect();
    assert_eq!(
        hosts,
        vec![("mx1.okx.test", true), ("mx2.okx.test", false)],
        "preference order"
    );
    assert!(
        !r.detail.mx_hosts[0].starttls,
        "aiosmtpd without a certificate offers no STARTTLS"
    );
    assert!(
        r.reason.to_string().contains("mx2.okx.test"),
        "{}",
        r.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_554_greeting_is_down() {
    let smtp = peers::smtp("127.0.0.1", b"554 5.7.1 go away\r\n").await;
    let dns = dns(&[("mx1.okx.test", 10, "127.0.0.1")]);
    let r = probe_one(&check(&dns, "okx.test", smtp.addr.port(), "")).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::Smtp), "{}", r.reason);
    assert_eq!(r.detail.mx_hosts[0].greeting_code, Some(554));
    assert!(r.reason.to_string().contains("554"), "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_multi_line_greeting_is_read_whole() {
    let smtp = peers::smtp(
        "127.0.0.1",
        b"220-mx.okx.test ESMTP\r\n220-no UCE\r\n220 ready\r\n",
    )
    .await;
    let dns = dns(&[("mx1.okx.test", 10, "127.0.0.1")]);
    let r = probe_one(&check(&dns, "okx.test", smtp.addr.port(), "")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert!(
        r.detail.mx_hosts[0].starttls,
        "the fake offers STARTTLS after EHLO"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_host_beside_a_good_one_is_degraded_within_the_timeout() {
    // Both hosts share one port: mx1 greets, mx2 (127.0.0.2) accepts and never speaks.
    let good = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = good.local_addr().unwrap().port();
    let silent = TcpListener::bind(("127.0.0.2", port)).await.unwrap();
    let _good = peers::smtp_on(good, b"220 ok\r\n");
    let _silent = peers::smtp_on(silent, b"");
    let dns = dns(&[
        ("mx1.okx.test", 10, "127.0.0.1"),
        ("mx2.okx.test", 20, "127.0.0.2"),
    ]);
    let started = Instant::now();
    let r = probe_one(&check(&dns, "okx.test", port, "")).await;
    within(started.elapsed(), Duration::from_millis(2500));
    assert_eq!(r.outcome, Outcome::Degraded, "{}", r.reason);
    assert_eq!(r.detail.mx_hosts[1].reason.code(), "no_greeting_in_time");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_records_nxdomain_and_too_few_are_down() {
    let dns = dns(&[("mx1.okx.test", 10, "127.0.0.1")]);
    let r = probe_one(&check(&dns, "nomx.okx.test", 25, "")).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::NoRecords), "{}", r.reason);
    assert_eq!(r.detail.mx_records, Some(0));

    let r = probe_one(&check(&dns, "missing.okx.test", 25, "")).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::Dns), "{}", r.reason);
    assert!(r.reason.to_string().contains("NXDOMAIN"), "{}", r.reason);

    let r = probe_one(&check(&dns, "okx.test", 25, "min_records = 2")).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert!(
        r.reason.to_string().contains("fewer than 2"),
        "{}",
        r.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_smtp_the_records_suffice() {
    let dns = dns(&[("mx1.okx.test", 10, "127.0.0.1")]);
    let r =
        probe_one(&check(&dns, "okx.test", 25, "").replace("smtp = true", "smtp = false")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert!(r.detail.mx_hosts.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resolver_that_never_answers_ends_within_the_timeout() {
    // A UDP socket that reads queries and never answers.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let toml = format!(
        "[[check]]\nname = \"mail\"\nchannel = \"email\"\nkind = \"mx\"\ndomain = \"okx.test\"\nresolver = \"{}\"\ntimeout = \"1s\"\n",
        silent.local_addr().unwrap()
    );
    let started = Instant::now();
    let r = probe_one(&toml).await;
    within(started.elapsed(), Duration::from_millis(1500));
    assert_eq!(r.outcome, Outcome::Down);
}
