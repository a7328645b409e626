use super::*;
use crate::probe::refusal::{MAX_RETRY_AFTER, retry_after};
use reqwest::header::{HeaderValue, RETRY_AFTER};

#[test]
fn a_451_or_a_plain_403_is_blocked_unless_expected() {
    assert_eq!(outcome(&spec(), &fetched(451, "")).0, Outcome::Blocked);
    assert_eq!(
        outcome(&spec(), &fetched(403, "Forbidden")).0,
        Outcome::Blocked
    );
    let mut s = spec();
    s.expect_status = vec![403];
    assert_eq!(outcome(&s, &fetched(403, "")).0, Outcome::Up);
}

fn spec() -> HttpSpec {
    HttpSpec {
        url: "http://127.0.0.1/".parse().unwrap(),
        method: Method::Get,
        expect_status: vec![],
        body_contains: None,
        body_regex: None,
        json: Default::default(),
        extract: Default::default(),
        headers: Default::default(),
        tls_ca_file: None,
        page: Default::default(),
    }
}

fn fetched(status: u16, body: &str) -> Fetched {
    Fetched {
        url: "http://127.0.0.1/".parse().unwrap(),
        redirects: Vec::new(),
        status,
        headers: HeaderMap::new(),
        body: body.as_bytes().to_vec(),
        tls_not_after: None,
        latency: Duration::from_millis(10),
    }
}

fn outcome(spec: &HttpSpec, f: &Fetched) -> (Outcome, String) {
    let r = judge(spec, f, Duration::from_secs(1), SystemTime::now());
    (r.outcome, r.reason.to_string())
}

#[test]
fn status_rules() {
    assert_eq!(outcome(&spec(), &fetched(204, "")).0, Outcome::Up);
    assert_eq!(outcome(&spec(), &fetched(302, "")).0, Outcome::Down);
    let mut s = spec();
    s.expect_status = vec![404];
    assert_eq!(outcome(&s, &fetched(404, "")).0, Outcome::Up);
    let (o, why) = outcome(&s, &fetched(200, ""));
    assert_eq!(o, Outcome::Down);
    assert_eq!(why, "HTTP 200, expected 404");
}

#[test]
fn throttling_beats_status() {
    assert_eq!(outcome(&spec(), &fetched(429, "")).0, Outcome::Throttled);
    let mut f = fetched(503, "");
    assert_eq!(outcome(&spec(), &f).0, Outcome::Down, "503 alone is down");
    f.headers
        .insert(RETRY_AFTER, HeaderValue::from_static("120"));
    let r = judge(&spec(), &f, Duration::from_secs(1), SystemTime::now());
    assert_eq!(r.outcome, Outcome::Throttled);
    assert_eq!(r.detail.retry_after, Some(Duration::from_secs(120)));
    let mut f = fetched(403, "");
    f.headers
        .insert("cf-mitigated", HeaderValue::from_static("challenge"));
    assert_eq!(outcome(&spec(), &f).0, Outcome::Throttled);
    let page = "<html><head><title>Just a moment...</title></head></html>";
    assert_eq!(outcome(&spec(), &fetched(403, page)).0, Outcome::Throttled);
}

#[test]
fn retry_after_as_a_date() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21T07:28:00Z
    let mut h = HeaderMap::new();
    h.insert(
        RETRY_AFTER,
        HeaderValue::from_static("Wed, 21 Oct 2015 07:29:30 GMT"),
    );
    assert_eq!(retry_after(&h, now), Some(Duration::from_secs(90)));
    h.insert(RETRY_AFTER, HeaderValue::from_static("999999999"));
    assert_eq!(retry_after(&h, now), Some(MAX_RETRY_AFTER));
    h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
    assert_eq!(retry_after(&h, now), None);
}

#[test]
fn body_expectations() {
    let mut s = spec();
    s.body_contains = Some("Help".into());
    assert_eq!(outcome(&s, &fetched(200, "OKX Help Center")).0, Outcome::Up);
    assert_eq!(outcome(&s, &fetched(200, "nothing")).0, Outcome::Down);
    let mut s = spec();
    s.body_regex = Some(regex::Regex::new(r"agents:\s*\d+").unwrap());
    assert_eq!(outcome(&s, &fetched(200, "agents: 12")).0, Outcome::Up);
    assert_eq!(outcome(&s, &fetched(200, "agents: none")).0, Outcome::Down);
}

#[test]
fn json_expectations_and_extraction() {
    let mut s = spec();
    s.json.insert("/code".into(), serde_json::json!("0"));
    s.json.insert("/data/0/n".into(), serde_json::json!(1));
    s.extract.insert("online".into(), "/data/0/online".into());
    let good = r#"{"code":"0","data":[{"n":1.0,"online":"17"}]}"#;
    let r = judge(
        &s,
        &fetched(200, good),
        Duration::from_secs(1),
        SystemTime::now(),
    );
    assert_eq!(r.outcome, Outcome::Up);
    assert_eq!(r.detail.extracted["online"], 17.0);
    let (o, why) = outcome(&s, &fetched(200, r#"{"code":"1","data":[{"n":1}]}"#));
    assert_eq!(o, Outcome::Down);
    assert!(why.contains("`/code`"), "{why}");
    let (o, why) = outcome(&s, &fetched(200, "<html>"));
    assert_eq!(o, Outcome::Down);
    assert!(why.contains("not JSON"), "{why}");
}

#[test]
fn slow_is_degraded() {
    let mut f = fetched(200, "");
    f.latency = Duration::from_millis(1500);
    assert_eq!(outcome(&spec(), &f).0, Outcome::Degraded);
}
