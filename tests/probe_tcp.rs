//! The `tcp` prober.

use okx_monitor::outcome::{Failure, Outcome};

use crate::support::{peers, probe_one, servers};

fn check(address: &str, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"control\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{address}\"\ntimeout = \"1s\"\n{extra}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn up_refused_and_degraded() {
    let peer = peers::tarpit().await;
    let r = probe_one(&check(&peer.addr.to_string(), "")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert!(r.phases.connect.is_some());

    let r = probe_one(&check(&format!("127.0.0.1:{}", peers::closed_port()), "")).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::Connect));
    assert!(r.reason.to_string().contains("refused"), "{}", r.reason);

    // Any connect is slower than 0ms: the grading path of this kind.
    let r = probe_one(&check(&peer.addr.to_string(), "slow = \"0ms\"")).await;
    assert_eq!(r.outcome, Outcome::Degraded, "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn names_resolve_through_the_configured_resolver() {
    let peer = peers::tarpit().await;
    let dns = servers::dnsmasq(&[
        "--host-record=svc.okx.test,127.0.0.1".to_string(),
        "--local=/okx.test/".to_string(),
    ]);
    let resolver = format!("resolver = \"{}\"", dns.addr);
    let r = probe_one(&check(
        &format!("svc.okx.test:{}", peer.addr.port()),
        &resolver,
    ))
    .await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert!(r.phases.dns.is_some());

    let r = probe_one(&check("gone.okx.test:443", &resolver)).await;
    assert_eq!(r.failure, Some(Failure::Dns), "{}", r.reason);
}
