//! The `http` prober: GET or HEAD a URL and judge the answer against the check's
//! expectations. The fetch (I/O) and the judging (pure: [`judge`], with
//! `refusal` for throttling and blocks) are kept apart; `okx_status` reuses
//! both halves.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use reqwest::Url;
use reqwest::header::{ACCEPT, HOST, HeaderMap, HeaderValue, LOCATION, USER_AGENT};

use super::{HttpSpec, Method};
use crate::kinds::{Secret, unprepared};
use crate::outcome::{Failure, Outcome, Report, grade};
use crate::probe::resolve::NameResolver;
use crate::probe::{PhaseClock, connect, page, refusal};
use crate::reason;
use crate::reason::Reason;

/// How much of a body is read; the rest is never downloaded, so an endless body
/// costs bounded memory and the judgement is made on this prefix.
pub const BODY_CAP: usize = 1024 * 1024;
/// How many redirects are followed before the check fails.
pub const MAX_REDIRECTS: usize = 5;
/// The statuses whose `Location` is followed.
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// What a fetch goes through: the check's resolver and TLS set-up.
#[derive(Clone, Copy)]
pub struct Via<'a> {
    pub resolver: &'a NameResolver,
    pub tls: &'a Arc<rustls::ClientConfig>,
}

/// What came back from a fetch that got an HTTP answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL that answered, after redirects.
    pub url: Url,
    /// The URLs redirected from, in order.
    pub redirects: Vec<Url>,
    pub status: u16,
    pub headers: HeaderMap,
    /// At most [`BODY_CAP`] bytes.
    pub body: Vec<u8>,
    pub tls_not_after: Option<i64>,
    /// From the start of the fetch to the end of the (capped) body.
    pub latency: Duration,
}

/// Fetches `url` on a fresh connection, as a user's first visit would,
/// following up to [`MAX_REDIRECTS`] http(s) redirects; an `Err` is the
/// finished report of a fetch that got no answer. The check's own `headers`
/// (often credentials) are sent to its own origin only, never after a
/// redirect to another.
pub async fn fetch(
    via: Via<'_>,
    method: Method,
    url: &Url,
    headers: &BTreeMap<String, Secret>,
    clock: &PhaseClock,
) -> Result<Fetched, Report> {
    let started = Instant::now();
    let method = match method {
        Method::Get => hyper::Method::GET,
        Method::Head => hyper::Method::HEAD,
    };
    let none = BTreeMap::new();
    let mut url = url.clone();
    let mut previous: Vec<Url> = Vec::new();
    loop {
        let own = if url.origin() == previous.first().unwrap_or(&url).origin() {
            headers
        } else {
            &none
        };
        let mut answer = send(via, &method, &url, own, clock).await?;
        if let Some(location) = answer.headers.get(LOCATION)
            && REDIRECTS.contains(&answer.status)
            && let Some(next) = location.to_str().ok().and_then(|l| url.join(l).ok())
        {
            let scheme = next.scheme();
            if scheme != "http" && scheme != "https" {
                let why = reason!("redirect_scheme", scheme = scheme);
                return Err(Report::failed(Failure::Redirect, why));
            }
            previous.push(std::mem::replace(&mut url, next));
            if previous.contains(&url) {
                return Err(Report::failed(Failure::Redirect, reason!("redirect_loop")));
            }
            if previous.len() > MAX_REDIRECTS {
                let why = reason!("too_many_redirects", max = MAX_REDIRECTS);
                return Err(Report::failed(Failure::Redirect, why));
            }
            continue;
        }
        clock.first_byte(started.elapsed());
        let reading = read_body(&mut answer.body);
        let body = answer.connection.drive(reading).await.map_err(|mut r| {
            r.detail.http_status = Some(answer.status);
            let why = std::mem::replace(&mut r.reason, reason!("ok"));
            r.reason = reason!("body_broke_off", status = answer.status, why = why);
            r
        })?;
        return Ok(Fetched {
            url,
            redirects: previous,
            status: answer.status,
            headers: answer.headers,
            body,
            tls_not_after: answer.tls_not_after,
            latency: started.elapsed(),
        });
    }
}

/// One request's answer, its body not yet read, and the connection it came on.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Incoming,
    tls_not_after: Option<i64>,
    connection: Connection,
    /// Kept while the body is read: without it the connection would shut
    /// its side down first (one more system call and packet for nothing,
    /// since dropping the connection closes it anyway).
    _sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
}

/// hyper's HTTP/1.1 client connection over `S`, for requests without a body.
type Http1<S> = hyper::client::conn::http1::Connection<TokioIo<S>, Empty<Bytes>>;

/// One HTTP/1.1 connection, driven by whoever awaits through it (no task of
/// its own): dropping it closes the connection.
struct Connection {
    io: Pin<Box<Http1<Box<dyn connect::Stream>>>>,
    /// Closed (or broken): not to be polled again.
    done: bool,
}

impl Connection {
    /// Awaits `work` (a request or its body) while driving the connection it
    /// needs. Once the connection ends, `work` ends too: with what arrived, or
    /// with the error of a connection closed too early.
    async fn drive<T>(&mut self, work: impl Future<Output = T>) -> T {
        let mut work = std::pin::pin!(work);
        std::future::poll_fn(|cx| {
            if !self.done && self.io.as_mut().poll(cx).is_ready() {
                self.done = true;
            }
            work.as_mut().poll(cx)
        })
        .await
    }
}

/// Connects and sends one request (HTTP/1.1, no body).
async fn send(
    via: Via<'_>,
    method: &hyper::Method,
    url: &Url,
    headers: &BTreeMap<String, Secret>,
    clock: &PhaseClock,
) -> Result<Answer, Report> {
    let secure = url.scheme() == "https";
    let opened = connect::open(via.resolver, via.tls, url, secure, clock).await?;
    let (mut sender, io) = hyper::client::conn::http1::handshake(TokioIo::new(opened.stream))
        .await
        .map_err(|e| failure_report(&e))?;
    let mut connection = Connection {
        io: Box::pin(io),
        done: false,
    };
    let host = url.host_str().unwrap_or_default();
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let mut target = url.path().to_string();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let mut request = hyper::Request::builder()
        .method(method.clone())
        .uri(target)
        .header(HOST, host)
        .header(USER_AGENT, crate::tls::USER_AGENT)
        .header(ACCEPT, "*/*");
    for (k, v) in headers {
        // Marked sensitive, so that no debug output of the request shows it.
        let mut value =
            HeaderValue::from_str(v.expose()).unwrap_or_else(|_| HeaderValue::from_static(""));
        value.set_sensitive(true);
        request = request.header(k, value);
    }
    let request = request.body(Empty::<Bytes>::new()).map_err(|e| {
        Report::failed(
            Failure::Protocol,
            reason!("request_invalid", error = e.to_string()),
        )
    })?;
    let response = connection
        .drive(sender.send_request(request))
        .await
        .map_err(|e| failure_report(&e))?;
    let (parts, body) = response.into_parts();
    Ok(Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
        tls_not_after: opened.tls_not_after,
        connection,
        _sender: sender,
    })
}

/// Reads at most [`BODY_CAP`] bytes of `body`; the rest is never downloaded.
async fn read_body(body: &mut Incoming) -> Result<Vec<u8>, Report> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| failure_report(&e))?;
        if let Some(chunk) = frame.data_ref() {
            let take = chunk.len().min(BODY_CAP - out.len());
            out.extend_from_slice(&chunk[..take]);
            if out.len() == BODY_CAP {
                // Stop here: dropping the connection closes it.
                return Ok(out);
            }
        }
    }
    Ok(out)
}

impl HttpSpec {
    pub async fn probe(&self, via: &crate::kinds::Via<'_>, clock: &PhaseClock) -> Report {
        match Via::of(via) {
            Some(v) => probe(v, self, via.slow, clock).await,
            None => unprepared(),
        }
    }
}

impl<'a> Via<'a> {
    /// The fetch's part of a probe's [`crate::kinds::Via`]; `None` without a TLS set-up.
    pub fn of(via: &crate::kinds::Via<'a>) -> Option<Via<'a>> {
        Some(Via {
            resolver: via.resolver,
            tls: via.tls?,
        })
    }
}

/// The `http` probe: fetch, then judge.
async fn probe(via: Via<'_>, spec: &HttpSpec, slow: Duration, clock: &PhaseClock) -> Report {
    match fetch(via, spec.method, &spec.url, &spec.headers, clock).await {
        Ok(f) => judge(spec, &f, slow, SystemTime::now()),
        Err(r) => r,
    }
}

/// Judges a fetched answer against the check (pure).
pub fn judge(spec: &HttpSpec, f: &Fetched, slow: Duration, now: SystemTime) -> Report {
    let (rule, judged) = judge_outcome(spec, f, slow, now);
    let mut report = match judged {
        Ok((outcome, reason)) => Report::new(outcome, reason),
        Err((failure, reason)) => Report::failed(failure, reason),
    };
    report.latency = Some(f.latency);
    report.detail.http_status = Some(f.status);
    report.detail.tls_not_after = f.tls_not_after;
    report.detail.rule = Some(rule);
    report.detail.final_url = Some(f.url.to_string());
    report.detail.redirects = f.redirects.iter().map(Url::to_string).collect();
    report.detail.title = page::title(&f.body);
    if report.outcome == Outcome::Throttled {
        report.detail.retry_after = refusal::retry_after(&f.headers, now);
    }
    if report.outcome.is_success() {
        report.detail.extracted = extract(spec, &f.body);
    }
    report
}

/// An outcome, or why not.
type Judged = Result<(Outcome, Reason), (Failure, Reason)>;

/// The rule that decided (for `explain`) and what it decided.
fn judge_outcome(
    spec: &HttpSpec,
    f: &Fetched,
    slow: Duration,
    now: SystemTime,
) -> (&'static str, Judged) {
    if let Some(refused) = refusal::refused(f.status, &f.headers, &f.body, now) {
        return ("throttled", Err(refused));
    }
    if refusal::blocks(f.status) && !spec.expect_status.contains(&f.status) {
        return (
            "blocked",
            Err((Failure::Blocked, refusal::blocked_reason(f.status))),
        );
    }
    if let Some(soft) = page::judge(&spec.page, f.url.as_str(), &f.body) {
        let rule = if soft.0 == Failure::Blocked {
            "blocked_if"
        } else {
            "fail_if"
        };
        return (rule, Err(soft));
    }
    if (300..400).contains(&f.status)
        && !spec.expect_status.contains(&f.status)
        && let Some(location) = f.headers.get(LOCATION)
    {
        // The client follows http(s) redirects itself; one that comes back
        // was not followable (another scheme, or a malformed target).
        let why = unfollowed_redirect(f.status, location);
        return ("redirect", Err((Failure::Redirect, why)));
    }
    let status_ok = if spec.expect_status.is_empty() {
        (200..300).contains(&f.status)
    } else {
        spec.expect_status.contains(&f.status)
    };
    if !status_ok {
        let why = if spec.expect_status.is_empty() {
            reason!("http_status_not_2xx", status = f.status)
        } else {
            let expected: Vec<String> = spec.expect_status.iter().map(u16::to_string).collect();
            reason!(
                "http_status",
                status = f.status,
                expected = expected.join(", ")
            )
        };
        return ("expect_status", Err((Failure::Status, why)));
    }
    if let Err((rule, failure)) = check_body(spec, &f.body) {
        return (rule, Err(failure));
    }
    ("slow", Ok(grade(f.latency, slow)))
}

/// The body rules; `Err` names the rule that failed.
fn check_body(spec: &HttpSpec, body: &[u8]) -> Result<(), (&'static str, (Failure, Reason))> {
    if spec.body_contains.is_none() && spec.body_regex.is_none() && spec.json.is_empty() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(body);
    if let Some(needle) = &spec.body_contains
        && !text.contains(needle.as_str())
    {
        let why = reason!("body_lacks", text = needle.as_str());
        return Err(("body_contains", (Failure::Body, why)));
    }
    if let Some(re) = &spec.body_regex
        && !re.is_match(&text)
    {
        let why = reason!("body_mismatch", pattern = re.as_str());
        return Err(("body_regex", (Failure::Body, why)));
    }
    if !spec.json.is_empty() {
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
            let why = reason!("body_not_json", error = e.to_string());
            ("json", (Failure::Protocol, why))
        })?;
        for (pointer, expected) in &spec.json {
            match value.pointer(pointer) {
                None => {
                    let why = reason!("json_missing", pointer = pointer);
                    return Err(("json", (Failure::Body, why)));
                }
                Some(found) if !json_equal(found, expected) => {
                    let why = reason!(
                        "json_value",
                        pointer = pointer,
                        found = found.to_string(),
                        expected = expected.to_string()
                    );
                    return Err(("json", (Failure::Body, why)));
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

fn unfollowed_redirect(status: u16, location: &reqwest::header::HeaderValue) -> Reason {
    let location = String::from_utf8_lossy(location.as_bytes());
    let scheme = location.split_once(':').map(|(s, _)| s).filter(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    match scheme {
        Some(s) if !s.eq_ignore_ascii_case("http") && !s.eq_ignore_ascii_case("https") => {
            reason!("redirect_scheme", scheme = s)
        }
        _ => reason!("redirect_unfollowable", status = status),
    }
}

/// Turns an HTTP error into the report of a probe that got no usable answer.
fn failure_report(e: &hyper::Error) -> Report {
    let (failure, reason) = classify(e);
    Report::failed(failure, reason)
}

fn classify(e: &hyper::Error) -> (Failure, Reason) {
    use std::error::Error as _;
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.source();
    let mut innermost = None;
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<rustls::Error>() {
            return (Failure::Tls, crate::probe::connect::tls_reason(t));
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | UnexpectedEof
            ) {
                return (
                    Failure::Protocol,
                    reason!("connection_broke", error = io.to_string()),
                );
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
    if e.is_incomplete_message() {
        (
            Failure::Protocol,
            reason!("connection_broke", error = e.to_string()),
        )
    } else {
        (Failure::Protocol, reason!("bad_http", error = words))
    }
}

#[cfg(test)]
mod tests;
