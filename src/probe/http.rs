//! The `http` prober: GET or HEAD a URL and judge the answer against the check's
//! expectations. The fetch (I/O) and the judging (pure: [`judge`], with
//! `refusal` for throttling and blocks) are kept apart; `okx_status` reuses
//! both halves.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, LOCATION};

use super::clock::PhaseClock;
use super::refusal;
use super::resolve::{HttpResolve, NameResolver, ResolveError};
use crate::config::{HttpSpec, Method};
use crate::outcome::{Failure, Outcome, Report, grade};

/// How much of a body is read; the rest is never downloaded, so an endless body
/// costs bounded memory and the judgement is made on this prefix.
pub const BODY_CAP: usize = 1024 * 1024;
/// How many redirects are followed before the check fails.
pub const MAX_REDIRECTS: usize = 5;

/// Builds the HTTP client shared by the checks that use `resolver` and trust `roots`.
pub fn client(
    resolver: Arc<NameResolver>,
    roots: rustls::RootCertStore,
) -> Result<reqwest::Client, String> {
    let tls = crate::tls::client_config(roots)?;
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let scheme = attempt.url().scheme();
        if scheme != "http" && scheme != "https" {
            let e = RedirectRefused(format!("redirect to a `{scheme}:` URL, not http or https"));
            attempt.error(e)
        } else if attempt.previous().contains(attempt.url()) {
            attempt.error(RedirectRefused("redirect loop".to_string()))
        } else if attempt.previous().len() > MAX_REDIRECTS {
            let e = RedirectRefused(format!("more than {MAX_REDIRECTS} redirects"));
            attempt.error(e)
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(crate::tls::USER_AGENT)
        .tls_backend_preconfigured(tls)
        .tls_info(true)
        .dns_resolver(Arc::new(HttpResolve(resolver)))
        .connector_layer(TimeConnect)
        .redirect(policy)
        // Every probe measures a fresh connection, as a user's first visit would.
        .pool_max_idle_per_host(0)
        .no_proxy()
        .http1_only()
        .build()
        .map_err(|e| format!("HTTP client set-up: {e}"))
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct RedirectRefused(String);

/// What came back from a fetch that got an HTTP answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub headers: HeaderMap,
    /// At most [`BODY_CAP`] bytes.
    pub body: Vec<u8>,
    pub truncated: bool,
    pub tls_not_after: Option<i64>,
    /// From the start of the fetch to the end of the (capped) body.
    pub latency: Duration,
}

/// Fetches `url`; an `Err` is the finished report of a fetch that got no answer.
pub async fn fetch(
    client: &reqwest::Client,
    method: Method,
    url: &reqwest::Url,
    headers: &std::collections::BTreeMap<String, crate::config::Secret>,
    clock: &PhaseClock,
) -> Result<Fetched, Report> {
    let started = Instant::now();
    let method = match method {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
    };
    let mut request = client.request(method, url.clone());
    for (k, v) in headers {
        // Marked sensitive, so that no debug output of the request shows it.
        let mut value = reqwest::header::HeaderValue::from_str(v.expose())
            .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""));
        value.set_sensitive(true);
        request = request.header(k, value);
    }
    let mut response = request.send().await.map_err(|e| failure_report(&e))?;
    clock.first_byte(started.elapsed());
    let status = response.status().as_u16();
    let tls_not_after = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|t| t.peer_certificate())
        .and_then(crate::tls_cert::not_after);
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    let mut truncated = false;
    loop {
        match response.chunk().await {
            Ok(None) => break,
            Ok(Some(chunk)) => {
                let take = chunk.len().min(BODY_CAP - body.len());
                body.extend_from_slice(&chunk[..take]);
                if body.len() == BODY_CAP {
                    // Stop here: dropping the response closes the connection.
                    truncated = true;
                    break;
                }
            }
            Err(e) => {
                let mut r = failure_report(&e);
                r.detail.http_status = Some(status);
                r.reason = format!("HTTP {status}, then the body broke off: {}", r.reason);
                return Err(r);
            }
        }
    }
    Ok(Fetched {
        status,
        headers,
        body,
        truncated,
        tls_not_after,
        latency: started.elapsed(),
    })
}

/// The `http` probe: fetch, then judge.
pub async fn probe(
    client: &reqwest::Client,
    spec: &HttpSpec,
    slow: Duration,
    clock: &PhaseClock,
) -> Report {
    match fetch(client, spec.method, &spec.url, &spec.headers, clock).await {
        Ok(f) => judge(spec, &f, slow, SystemTime::now()),
        Err(r) => r,
    }
}

/// Judges a fetched answer against the check (pure).
pub fn judge(spec: &HttpSpec, f: &Fetched, slow: Duration, now: SystemTime) -> Report {
    let mut report = match judge_outcome(spec, f, slow, now) {
        Ok((outcome, reason)) => Report::new(outcome, reason),
        Err((failure, reason)) => Report::failed(failure, reason),
    };
    report.latency = Some(f.latency);
    report.detail.http_status = Some(f.status);
    report.detail.tls_not_after = f.tls_not_after;
    if report.outcome == Outcome::Throttled {
        report.detail.retry_after = refusal::retry_after(&f.headers, now);
    }
    if report.outcome.is_success() {
        report.detail.extracted = extract(spec, &f.body);
    }
    report
}

fn judge_outcome(
    spec: &HttpSpec,
    f: &Fetched,
    slow: Duration,
    now: SystemTime,
) -> Result<(Outcome, String), (Failure, String)> {
    if let Some(refused) = refusal::refused(f.status, &f.headers, &f.body, now) {
        return Err(refused);
    }
    if refusal::blocks(f.status) && !spec.expect_status.contains(&f.status) {
        return Err((Failure::Blocked, refusal::blocked_reason(f.status)));
    }
    if (300..400).contains(&f.status)
        && !spec.expect_status.contains(&f.status)
        && let Some(location) = f.headers.get(LOCATION)
    {
        // The client follows http(s) redirects itself; one that comes back
        // was not followable (another scheme, or a malformed target).
        return Err((Failure::Redirect, unfollowed_redirect(f.status, location)));
    }
    let status_ok = if spec.expect_status.is_empty() {
        (200..300).contains(&f.status)
    } else {
        spec.expect_status.contains(&f.status)
    };
    if !status_ok {
        let expected = if spec.expect_status.is_empty() {
            "2xx".to_string()
        } else {
            spec.expect_status
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        };
        return Err((
            Failure::Status,
            format!("HTTP {}, expected {expected}", f.status),
        ));
    }
    check_body(spec, &f.body)?;
    Ok(grade(f.latency, slow))
}

fn check_body(spec: &HttpSpec, body: &[u8]) -> Result<(), (Failure, String)> {
    if spec.body_contains.is_none() && spec.body_regex.is_none() && spec.json.is_empty() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(body);
    if let Some(needle) = &spec.body_contains
        && !text.contains(needle.as_str())
    {
        return Err((
            Failure::Body,
            format!("the body does not contain {needle:?}"),
        ));
    }
    if let Some(re) = &spec.body_regex
        && !re.is_match(&text)
    {
        return Err((
            Failure::Body,
            format!("the body does not match /{}/", re.as_str()),
        ));
    }
    if !spec.json.is_empty() {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| (Failure::Protocol, format!("the body is not JSON ({e})")))?;
        for (pointer, expected) in &spec.json {
            match value.pointer(pointer) {
                None => return Err((Failure::Body, format!("JSON has nothing at `{pointer}`"))),
                Some(found) if !json_equal(found, expected) => {
                    return Err((
                        Failure::Body,
                        format!("JSON `{pointer}` is {found}, expected {expected}"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// Equal as JSON values, with numbers compared by value (`1` equals `1.0`).
fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The numbers named by `extract`, where the body has them (numbers, or strings
/// holding numbers, as OKX's APIs often send).
fn extract(spec: &HttpSpec, body: &[u8]) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    if spec.extract.is_empty() {
        return out;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return out;
    };
    for (name, pointer) in &spec.extract {
        let number = match value.pointer(pointer) {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        if let Some(n) = number.filter(|n| n.is_finite()) {
            out.insert(name.clone(), n);
        }
    }
    out
}

fn unfollowed_redirect(status: u16, location: &reqwest::header::HeaderValue) -> String {
    let location = String::from_utf8_lossy(location.as_bytes());
    let scheme = location.split_once(':').map(|(s, _)| s).filter(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    match scheme {
        Some(s) if !s.eq_ignore_ascii_case("http") && !s.eq_ignore_ascii_case("https") => {
            format!("redirect to a `{s}:` URL, not http or https")
        }
        _ => format!("HTTP {status} redirect that could not be followed"),
    }
}

/// Turns a client error into the report of a probe that got no usable answer.
fn failure_report(e: &reqwest::Error) -> Report {
    let (failure, reason) = classify(e);
    Report::failed(failure, reason)
}

fn classify(e: &reqwest::Error) -> (Failure, String) {
    use std::error::Error as _;
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.source();
    let mut innermost = None;
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<RedirectRefused>() {
            return (Failure::Redirect, r.0.clone());
        }
        if let Some(r) = s.downcast_ref::<ResolveError>() {
            return (Failure::Dns, r.0.clone());
        }
        if let Some(t) = s.downcast_ref::<rustls::Error>() {
            return (Failure::Tls, format!("TLS: {t}"));
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused => return (Failure::Connect, "connection refused".to_string()),
                HostUnreachable | NetworkUnreachable | AddrNotAvailable => {
                    return (Failure::Connect, format!("unreachable: {io}"));
                }
                ConnectionReset | ConnectionAborted | UnexpectedEof => {
                    return (Failure::Protocol, format!("the connection broke: {io}"));
                }
                _ => {}
            }
        }
        innermost = Some(s);
        // An io::Error's source() skips the error it wraps (rustls wraps its
        // errors in io::Errors, sometimes twice): descend into it instead.
        source = match s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => s.source(),
        };
    }
    let words = innermost.map_or_else(|| e.to_string(), |s| s.to_string());
    if e.is_redirect() {
        (Failure::Redirect, words)
    } else if e.is_connect() {
        (Failure::Connect, words)
    } else if e.is_timeout() {
        (Failure::Timeout, words)
    } else {
        (Failure::Protocol, format!("bad HTTP answer: {words}"))
    }
}

/// A connector layer that times the connect (TCP and, on https, TLS) into the
/// probe's clock.
#[derive(Clone, Copy)]
struct TimeConnect;

impl<S> tower_layer::Layer<S> for TimeConnect {
    type Service = Timed<S>;
    fn layer(&self, inner: S) -> Timed<S> {
        Timed(inner)
    }
}

#[derive(Clone)]
struct Timed<S>(S);

impl<S, R> tower_service::Service<R> for Timed<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let clock = PhaseClock::current();
        let started = Instant::now();
        let connecting = self.0.call(request);
        Box::pin(async move {
            let result = connecting.await;
            if let (Some(clock), Ok(_)) = (&clock, &result) {
                clock.connect_done(started.elapsed());
            }
            result
        })
    }
}

#[cfg(test)]
mod tests {
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
        }
    }

    fn fetched(status: u16, body: &str) -> Fetched {
        Fetched {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            tls_not_after: None,
            latency: Duration::from_millis(10),
        }
    }

    fn outcome(spec: &HttpSpec, f: &Fetched) -> (Outcome, String) {
        let r = judge(spec, f, Duration::from_secs(1), SystemTime::now());
        (r.outcome, r.reason)
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
}
