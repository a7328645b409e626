//! The `http` prober against fake peers: every outcome.

use std::time::{Duration, Instant};

use okx_monitor::outcome::{Failure, Outcome};

use crate::support::peers::{self, Answer, response};
use crate::support::{probe_one, servers, within};

fn check(url: &str, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"web\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"{url}\"\ntimeout = \"2s\"\n{extra}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn up_with_phases_and_user_agent() {
    let peer = peers::http(|head| {
        if head
            .to_ascii_lowercase()
            .contains("user-agent: okx-monitor/")
        {
            response(200, &[], "OKX Help Center")
        } else {
            response(400, &[], "who are you")
        }
    })
    .await;
    let r = probe_one(&check(
        &peer.url("/help"),
        "body_contains = \"Help Center\"",
    ))
    .await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert_eq!(r.detail.http_status, Some(200));
    assert!(r.latency.is_some());
    assert!(r.phases.connect.is_some(), "connect timed: {:?}", r.phases);
    assert_eq!(r.phases.tls, None, "no TLS on http");
    assert!(r.phases.first_byte.is_some());
    assert!(r.phases.total >= r.phases.first_byte);
}

#[tokio::test(flavor = "multi_thread")]
async fn head_request() {
    let peer = peers::http(|head| {
        if head.starts_with("HEAD ") {
            response(204, &[], "")
        } else {
            response(405, &[], "")
        }
    })
    .await;
    let r = probe_one(&check(&peer.url("/"), "method = \"HEAD\"")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_answer_is_degraded() {
    let peer = peers::http(|_| {
        Answer::After(
            Duration::from_millis(400),
            Box::new(response(200, &[], "ok")),
        )
    })
    .await;
    let r = probe_one(&check(&peer.url("/"), "slow = \"100ms\"")).await;
    assert_eq!(r.outcome, Outcome::Degraded, "{}", r.reason);
    assert!(r.latency.unwrap() >= Duration::from_millis(400));
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_answers() {
    let peer = peers::http(|head| match peers::path(head) {
        "/429" => response(429, &[], "slow down"),
        "/503" => response(503, &[("retry-after", "120")], "busy"),
        "/503-plain" => response(503, &[], "busy"),
        "/cf" => response(403, &[("cf-mitigated", "challenge")], "<html></html>"),
        "/page" => response(
            403,
            &[],
            "<html><head><title>Just a moment...</title></head><body>challenge-platform</body></html>",
        ),
        _ => response(404, &[], ""),
    })
    .await;
    for path in ["/429", "/503", "/cf", "/page"] {
        let r = probe_one(&check(&peer.url(path), "")).await;
        assert_eq!(r.outcome, Outcome::Throttled, "{path}: {}", r.reason);
        assert_eq!(r.failure, Some(Failure::Throttled));
    }
    let r = probe_one(&check(&peer.url("/503"), "")).await;
    assert_eq!(r.detail.retry_after, Some(Duration::from_secs(120)));
    let r = probe_one(&check(&peer.url("/503-plain"), "")).await;
    assert_eq!(
        r.outcome,
        Outcome::Down,
        "a 503 without Retry-After is down"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_is_down() {
    let url = format!("http://127.0.0.1:{}/", peers::closed_port());
    let r = probe_one(&check(&url, "")).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::Connect), "{}", r.reason);
    assert!(r.reason.to_string().contains("refused"), "{}", r.reason);
    assert_eq!(r.latency, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn tarpit_ends_within_timeout() {
    let peer = peers::tarpit().await;
    let started = Instant::now();
    let r = probe_one(&check(&peer.url("/"), "timeout = \"1s\"").replace("timeout = \"2s\"\n", ""))
        .await;
    within(started.elapsed(), Duration::from_millis(1500));
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::Timeout));
    assert!(
        r.reason
            .to_string()
            .contains("connected, but no answer came"),
        "{}",
        r.reason
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_status_body_and_json_are_down() {
    let peer = peers::http(|head| match peers::path(head) {
        "/500" => response(500, &[], "oops"),
        "/json" => response(200, &[], r#"{"code":"1","data":[{"state":"x"}]}"#),
        "/html" => response(200, &[], "<html>maintenance</html>"),
        _ => response(200, &[], "nothing here"),
    })
    .await;
    let cases = [
        ("/500", "", Failure::Status, "HTTP 500, expected 2xx"),
        (
            "/text",
            "body_contains = \"Help\"",
            Failure::Body,
            "does not contain",
        ),
        (
            "/text",
            "body_regex = \"^Help\"",
            Failure::Body,
            "does not match",
        ),
        (
            "/json",
            "json = { \"/code\" = \"0\" }",
            Failure::Body,
            "`/code`",
        ),
        (
            "/json",
            "json = { \"/data/1/state\" = \"x\" }",
            Failure::Body,
            "nothing at",
        ),
        (
            "/html",
            "json = { \"/code\" = \"0\" }",
            Failure::Protocol,
            "not JSON",
        ),
    ];
    for (path, extra, failure, words) in cases {
        let r = probe_one(&check(&peer.url(path), extra)).await;
        assert_eq!(r.outcome, Outcome::Down, "{path} {extra}");
        assert_eq!(r.failure, Some(failure), "{path} {extra}: {}", r.reason);
        assert!(
            r.reason.to_string().contains(words),
            "{path} {extra}: {}",
            r.reason
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn json_match_and_extract() {
    let peer = peers::http(|_| {
        response(
            200,
            &[],
            r#"{"code":"0","data":{"online":"12","queue":3.5}}"#,
        )
    })
    .await;
    let r = probe_one(&check(
        &peer.url("/"),
        "json = { \"/code\" = \"0\" }\nextract = { agents_online = \"/data/online\", queue = \"/data/queue\", missing = \"/nope\" }",
    ))
    .await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert_eq!(r.detail.extracted.get("agents_online"), Some(&12.0));
    assert_eq!(r.detail.extracted.get("queue"), Some(&3.5));
    assert!(!r.detail.extracted.contains_key("missing"));
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects() {
    let peer = peers::http(|head| match peers::path(head) {
        "/loop" => response(302, &[("location", "/loop")], ""),
        "/file" => response(302, &[("location", "file:///etc/passwd")], ""),
        "/hop" => response(301, &[("location", "/final")], ""),
        "/final" => response(200, &[], "arrived"),
        p => {
            // /chain/N redirects to /chain/N+1 without end.
            let n: u32 = p.trim_start_matches("/chain/").parse().unwrap_or(0);
            response(302, &[("location", &format!("/chain/{}", n + 1))], "")
        }
    })
    .await;
    let r = probe_one(&check(&peer.url("/hop"), "body_contains = \"arrived\"")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    for (path, words) in [
        ("/loop", "redirect loop"),
        ("/file", "`file:` URL"),
        ("/chain/0", "more than 5 redirects"),
    ] {
        let r = probe_one(&check(&peer.url(path), "")).await;
        assert_eq!(r.outcome, Outcome::Down, "{path}");
        assert_eq!(r.failure, Some(Failure::Redirect), "{path}: {}", r.reason);
        assert!(r.reason.to_string().contains(words), "{path}: {}", r.reason);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_checks_headers_go_to_its_own_origin_only() {
    let has_key = |head: &str| head.to_ascii_lowercase().contains("x-api-key: k-123");
    let elsewhere = peers::http(move |head| {
        if has_key(head) {
            response(400, &[], "a key that was not meant for me")
        } else {
            response(200, &[], "arrived")
        }
    })
    .await;
    let away = elsewhere.url("/there");
    let home = peers::http(move |head| match (peers::path(head), has_key(head)) {
        (_, false) => response(401, &[], "no key"),
        ("/same", true) => response(302, &[("location", "/final")], ""),
        ("/final", true) => response(200, &[], "arrived"),
        (_, true) => response(302, &[("location", away.as_str())], ""),
    })
    .await;
    let extra = "headers = { X-Api-Key = \"k-123\" }\nbody_contains = \"arrived\"";
    // Within the origin, every hop carries the header.
    let r = probe_one(&check(&home.url("/same"), extra)).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    // Redirected to another origin, the header stays home.
    let r = probe_one(&check(&home.url("/away"), extra)).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_body_is_capped_not_hung() {
    let peer = peers::http(|_| Answer::EndlessBody).await;
    let started = Instant::now();
    let r = probe_one(&check(&peer.url("/"), "body_contains = \"xxxx\"")).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    // Capped, not read until the timeout (2 s) ended it.
    within(started.elapsed(), Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn https_with_a_trusted_ca_reports_certificate_expiry() {
    let pki = peers::pki((2031, 6, 15));
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let peer = peers::https(pki.server.clone(), |_| response(200, &[], "secure")).await;
    let url = format!("https://127.0.0.1:{}/", peer.addr.port());
    let r = probe_one(&check(
        &url,
        &format!("tls_ca_file = {:?}", ca.display().to_string()),
    ))
    .await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    let expiry = chrono::DateTime::from_timestamp(r.detail.tls_not_after.unwrap(), 0).unwrap();
    assert_eq!(expiry.format("%Y-%m-%d").to_string(), "2031-06-15");
    // dns, connect (TCP) and tls apart, as the blackbox exporter reports them.
    let p = r.phases;
    assert!(p.connect.is_some() && p.tls.is_some(), "{p:?}");
    assert!(p.first_byte >= p.tls, "{p:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn untrusted_certificate_is_a_tls_failure() {
    let pki = peers::pki((2031, 6, 15));
    let peer = peers::https(pki.server.clone(), |_| response(200, &[], "secure")).await;
    let url = format!("https://127.0.0.1:{}/", peer.addr.port());
    let r = probe_one(&check(&url, "")).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::Tls), "{}", r.reason);
    assert!(r.reason.to_string().starts_with("TLS: "), "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn resolves_through_the_configured_resolver() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let dns = servers::dnsmasq(&[
        "--host-record=help.okx.test,127.0.0.1".to_string(),
        "--local=/okx.test/".to_string(),
    ]);
    let url = format!("http://help.okx.test:{}/", peer.addr.port());
    let resolver = format!("resolver = \"{}\"", dns.addr);
    let r = probe_one(&check(&url, &resolver)).await;
    assert_eq!(r.outcome, Outcome::Up, "{}", r.reason);
    assert!(r.phases.dns.is_some(), "{:?}", r.phases);
    assert_eq!(
        r.detail.addresses,
        vec!["127.0.0.1".parse::<std::net::IpAddr>().unwrap()]
    );

    let url = format!("http://nowhere.okx.test:{}/", peer.addr.port());
    let r = probe_one(&check(&url, &resolver)).await;
    assert_eq!(r.outcome, Outcome::Down);
    assert_eq!(r.failure, Some(Failure::Dns), "{}", r.reason);
    assert!(r.reason.to_string().contains("NXDOMAIN"), "{}", r.reason);
}

/// The shipped check `name` of `checks/okx.toml`, its URL replaced by `url`.
fn shipped(name: &str, url: &str) -> String {
    let block = crate::support::shipped("okx.toml", name, &[]);
    let line = block
        .lines()
        .find(|l| l.starts_with("url = "))
        .expect("a url")
        .to_string();
    block.replace(&line, &format!("url = \"{url}\""))
}

/// A page that answers 200 is not "up" whatever it says: the shipped
/// help-center, FAQ and request-form checks tell the help center (in English
/// and in Chinese) from a "not found" page and from OKX's region wall behind a
/// redirect.
#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_help_checks_tell_the_help_center_from_error_pages_and_region_walls() {
    let page = |title: &str, h1: &str| {
        response(
            200,
            &[("content-type", "text/html; charset=utf-8")],
            &format!(
                "<!doctype html><html><head><title>{title}</title></head><body><h1>{h1}</h1><p>OKX</p></body></html>"
            ),
        )
    };
    let site = peers::http(move |head| match peers::path(head) {
        "/en" => page("Help Center | OKX", "How can we help you?"),
        "/zh" => page("帮助中心 | 欧易", "我们能为您做什么？"),
        "/missing" => page(
            "Page not found | OKX Help",
            "Sorry, this page does not exist",
        ),
        "/zh-missing" => page("页面不存在 | 欧易", "抱歉，您访问的页面不存在"),
        "/error" => page("Error | OKX", "Something went wrong"),
        "/elsewhere" => page("OKX", "Welcome to OKX"),
        "/wall" => response(302, &[("location", "/restricted")], ""),
        "/restricted" => page("OKX", "OKX is not available in your region"),
        "/zh-wall" => page("欧易", "很抱歉，欧易暂不向您所在的地区提供服务"),
        _ => response(404, &[], ""),
    })
    .await;
    // The website: OKX's home page, which says "OKX" but is no error page or wall.
    for (path, want) in [
        ("/en", Outcome::Up),
        ("/missing", Outcome::Down),
        ("/error", Outcome::Down),
        ("/wall", Outcome::Blocked),
        ("/zh-wall", Outcome::Blocked),
    ] {
        let r = probe_one(&shipped("website", &site.url(path))).await;
        assert_eq!(r.outcome, want, "website {path}: {}", r.reason);
    }
    for name in ["help-center", "help-faq", "request-form"] {
        let cases = [
            ("/en", Outcome::Up),
            ("/zh", Outcome::Up),
            ("/missing", Outcome::Down),
            ("/zh-missing", Outcome::Down),
            ("/error", Outcome::Down),
            ("/elsewhere", Outcome::Down),
            ("/wall", Outcome::Blocked),
            ("/zh-wall", Outcome::Blocked),
        ];
        for (path, want) in cases {
            let r = probe_one(&shipped(name, &site.url(path))).await;
            assert_eq!(r.outcome, want, "{name} {path}: {}", r.reason);
        }
    }
}

/// `explain` on an http check: the redirect chain, the final URL, the page's
/// title and the rule that decided.
#[tokio::test(flavor = "multi_thread")]
async fn explain_shows_the_redirects_the_title_and_the_rule() {
    let site = peers::http(|head| match peers::path(head) {
        "/wall" => response(302, &[("location", "/restricted")], ""),
        _ => response(
            200,
            &[("content-type", "text/html")],
            "<html><head><title>OKX</title></head><body><h1>OKX is not available in your region</h1></body></html>",
        ),
    })
    .await;
    let dir = crate::support::ConfigDir::new(&[(
        "checks.toml",
        &shipped("help-center", &site.url("/wall")),
    )]);
    let config = dir.path().to_str().unwrap().to_string();
    let out = crate::support::run(&[
        "--config",
        &config,
        "explain",
        "help-center",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(1), "not up");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "blocked", "{v}");
    assert_eq!(v["decided_by"], "blocked_if");
    assert_eq!(v["redirects"], serde_json::json!([site.url("/wall")]));
    assert_eq!(v["final_url"], site.url("/restricted"));
    assert_eq!(v["title"], "OKX");
    let out = crate::support::run(&[
        "--config",
        &config,
        "--lang",
        "zh-CN",
        "explain",
        "help-center",
    ])
    .await;
    let table = crate::support::stdout(&out);
    assert!(
        table.contains("判定依据：blocked_if") && table.contains("跳转："),
        "{table}"
    );
}
