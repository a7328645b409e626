//! The `okx_status` prober against a fake of OKX's system-status API.

use okx_monitor::outcome::{Failure, Outcome};

use crate::support::peers::{self, response};
use crate::support::probe_one;

const NONE: &str = r#"{"code":"0","msg":"","data":[]}"#;
const SCHEDULED: &str = r#"{"code":"0","msg":"","data":[{"begin":"1893456000000","end":"1893459600000","href":"","serviceType":"0","state":"scheduled","system":"unified","title":"Trading system upgrade"}]}"#;
const ONGOING: &str = r#"{"code":"0","msg":"","data":[{"begin":"1700000000000","end":"1893459600000","href":"","serviceType":"99","state":"ongoing","system":"unified","title":"Platform maintenance"}]}"#;

fn check(url: &str) -> String {
    format!(
        "[[check]]\nname = \"okx-maintenance\"\nchannel = \"status\"\nkind = \"okx_status\"\nurl = \"{url}\"\ntimeout = \"2s\"\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn every_outcome() {
    let peer = peers::http(|head| match peers::path(head) {
        "/none" => response(200, &[], NONE),
        "/scheduled" => response(200, &[], SCHEDULED),
        "/ongoing" => response(200, &[], ONGOING),
        "/html" => response(200, &[], "<html>not json</html>"),
        "/error" => response(
            200,
            &[],
            r#"{"code":"50001","msg":"Service temporarily unavailable"}"#,
        ),
        "/429" => response(429, &[], "{}"),
        "/451" => response(451, &[], "{}"),
        "/403" => response(403, &[], "{}"),
        _ => response(500, &[], ""),
    })
    .await;

    let r = probe_one(&check(&peer.url("/none"))).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);

    let r = probe_one(&check(&peer.url("/scheduled"))).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert_eq!(r.detail.maintenance.len(), 1, "scheduled events are kept");
    assert_eq!(r.detail.maintenance[0].begin_ms, Some(1_893_456_000_000));

    let r = probe_one(&check(&peer.url("/ongoing"))).await;
    assert_eq!(r.outcome, Outcome::Maintenance, "{}", r.reason);
    assert!(r.reason.to_string().contains("Platform maintenance"));

    for (path, failure) in [
        ("/html", Failure::Protocol),
        ("/error", Failure::Protocol),
        ("/500", Failure::Status),
    ] {
        let r = probe_one(&check(&peer.url(path))).await;
        assert_eq!(r.outcome, Outcome::Down, "{path}");
        assert_eq!(r.failure, Some(failure), "{path}: {}", r.reason);
    }

    let r = probe_one(&check(&peer.url("/429"))).await;
    assert_eq!(r.outcome, Outcome::Throttled);
    for path in ["/451", "/403"] {
        let r = probe_one(&check(&peer.url(path))).await;
        assert_eq!(r.outcome, Outcome::Blocked, "{path}: {}", r.reason);
    }
}
