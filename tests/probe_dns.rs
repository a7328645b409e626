//! The `dns` prober against a real DNS server (dnsmasq) on 127.0.0.1: an
//! answer among the expected addresses, one elsewhere, a name that does not
//! resolve; and the kind's keys as the loader reads them.

use okx_monitor::outcome::{Failure, Outcome};

use crate::support::servers::{self, Server};
use crate::support::{ConfigDir, probe_one};

fn dns() -> Server {
    servers::dnsmasq(&[
        "--local=/okx.test/".to_string(),
        "--host-record=www.okx.test,127.0.0.9".to_string(),
    ])
}

fn check(dns: &Server, host: &str, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"web-dns\"\nchannel = \"chat\"\nkind = \"dns\"\nhost = \"{host}\"\nresolver = \"{}\"\ntimeout = \"2s\"\n{extra}\n",
        dns.addr
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_is_up_where_expected_and_down_elsewhere_or_unresolved() {
    let dns = dns();
    let r = probe_one(&check(&dns, "www.okx.test", "")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert_eq!(
        r.detail.addresses,
        ["127.0.0.9".parse::<std::net::IpAddr>().unwrap()]
    );
    assert!(r.latency.is_some());

    let expected = "expect_addresses = [\"127.0.0.9\", \"::1\"]";
    let r = probe_one(&check(&dns, "www.okx.test", expected)).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);

    let elsewhere = "expect_addresses = [\"127.0.0.1\"]";
    let r = probe_one(&check(&dns, "www.okx.test", elsewhere)).await;
    assert_eq!((r.outcome, r.failure), (Outcome::Down, Some(Failure::Dns)));
    assert!(
        r.reason.to_string().contains("resolved to 127.0.0.9"),
        "{}",
        r.reason
    );

    let r = probe_one(&check(&dns, "nowhere.okx.test", "")).await;
    assert_eq!(
        (r.outcome, r.failure),
        (Outcome::Down, Some(Failure::Dns)),
        "{}",
        r.reason
    );
}

#[test]
fn its_keys_are_checked_where_they_are_written() {
    let load = |extra: &str| {
        let toml =
            format!("[[check]]\nname = \"web-dns\"\nchannel = \"chat\"\nkind = \"dns\"\n{extra}\n");
        let dir = ConfigDir::new(&[("checks.toml", &toml)]);
        okx_monitor::config::load(dir.path()).map_err(|e| e.to_string())
    };
    let ok = load("host = \"www.okx.com\"\nexpect_addresses = [\"1.2.3.4\"]").unwrap();
    assert_eq!(ok.checks[0].spec.target(), "A/AAAA www.okx.com in 1.2.3.4");
    let e = load("").unwrap_err();
    assert!(e.contains("needs `host`"), "{e}");
    let e = load("host = \"www.okx.com\"\nexpect_addresses = [\"not an ip\"]").unwrap_err();
    assert!(e.contains(":6:"), "placed at the value: {e}");
    let e = load("host = \"www.okx.com\"\nexpect_addresses = []").unwrap_err();
    assert!(e.contains("expect_addresses is empty"), "{e}");
    let e = load("host = \"www.okx.com\"\nurl = \"https://www.okx.com/\"").unwrap_err();
    assert!(e.contains("does not apply to a check of kind `dns`"), "{e}");
}
