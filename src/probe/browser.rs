//! The `browser` prober: a fresh incognito context of the shared Chromium
//! loads the page as a person's browser does, waits for `wait_for` to appear,
//! optionally clicks it, and optionally waits for a matching WebSocket to
//! open. It never waits for "network idle": a page that keeps polling or holds
//! sockets open is judged by what it shows. The context is closed on every
//! path (success, failure, the deadline, cancellation) by `Context`'s drop.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::chromium::{Chromium, Running};
use super::clock::PhaseClock;
use super::refusal;
use crate::config::BrowserSpec;
use crate::outcome::{Failure, Report, grade};

/// How often the page is asked whether the selector has appeared.
const POLL: Duration = Duration::from_millis(100);
/// The probe ends this much before its deadline, to report what it saw
/// rather than be cut off by the prober.
const MARGIN: Duration = Duration::from_millis(150);

/// What the page showed so far.
#[derive(Debug, Default)]
struct Seen {
    status: Option<u16>,
    headers: HeaderMap,
    selector: Option<Duration>,
    clicked: bool,
    websocket: Option<Duration>,
    refused_websocket: bool,
    hosts_ws: BTreeSet<String>,
    /// WebSocket URLs by request id, to match the handshake that follows.
    ws_urls: std::collections::HashMap<String, String>,
    hosts_frames: BTreeSet<String>,
    challenge: bool,
}

/// An incognito context and its page; closed when dropped, whatever happened.
struct Context {
    browser: Arc<Running>,
    id: String,
    /// The page's target id, which is also its main frame's id.
    target: String,
    session: String,
}

impl Drop for Context {
    fn drop(&mut self) {
        self.browser.forget(&self.session);
        self.browser.fire(
            None,
            "Target.disposeBrowserContext",
            json!({"browserContextId": self.id}),
        );
    }
}

pub async fn probe(
    chromium: &Chromium,
    spec: &BrowserSpec,
    slow: Duration,
    deadline: Instant,
    clock: &PhaseClock,
) -> Report {
    let started = Instant::now();
    let browser = match chromium.get().await {
        Ok(b) => b,
        Err(e) => return Report::failed(Failure::Protocol, e),
    };
    let ctx = match open(browser).await {
        Ok(c) => c,
        Err(e) => return Report::failed(Failure::Protocol, format!("browser: {e}")),
    };
    let mut events = ctx.browser.events(&ctx.session);
    let call =
        |method: &'static str, params: Value| ctx.browser.call(Some(&ctx.session), method, params);
    for domain in ["Network.enable", "Page.enable"] {
        if let Err(e) = call(domain, json!({})).await {
            return Report::failed(Failure::Protocol, format!("browser: {e}"));
        }
    }
    match call("Page.navigate", json!({"url": spec.url.as_str()})).await {
        Ok(v) => {
            if let Some(err) = v.get("errorText").and_then(Value::as_str) {
                return Report::failed(load_failure(err), format!("the page did not load: {err}"));
            }
        }
        Err(e) => return Report::failed(Failure::Protocol, format!("browser: {e}")),
    }
    let end = deadline.checked_sub(MARGIN).unwrap_or(deadline);
    let mut seen = Seen::default();
    let mut next_poll = Instant::now();
    loop {
        if let Some(done) = verdict(spec, &seen, slow) {
            let mut r = done;
            finish(&mut r, &seen, clock);
            return r;
        }
        if Instant::now() >= end {
            break;
        }
        let wake = next_poll.min(end);
        tokio::select! {
            event = events.recv() => match event {
                Some(e) => note(&mut seen, &e, spec, started, &ctx.target),
                None => return Report::failed(Failure::Protocol, "the browser stopped answering"),
            },
            _ = tokio::time::sleep_until(wake.into()) => {
                next_poll = Instant::now() + POLL;
                if let Err(e) = poll(&ctx, spec, &mut seen, started).await {
                    return Report::failed(Failure::Protocol, format!("browser: {e}"));
                }
            }
        }
    }
    let mut r = timed_out(spec, &seen, deadline - started);
    finish(&mut r, &seen, clock);
    r
}

/// A fresh incognito context with one blank page, attached.
async fn open(browser: Arc<Running>) -> Result<Context, String> {
    let id = browser
        .call(
            None,
            "Target.createBrowserContext",
            json!({"disposeOnDetach": true}),
        )
        .await?["browserContextId"]
        .as_str()
        .ok_or("no browser context")?
        .to_string();
    // From here on the context is closed by the guard, whatever happens.
    let mut ctx = Context {
        browser,
        id,
        target: String::new(),
        session: String::new(),
    };
    ctx.target = ctx
        .browser
        .call(
            None,
            "Target.createTarget",
            json!({"url": "about:blank", "browserContextId": ctx.id}),
        )
        .await?["targetId"]
        .as_str()
        .ok_or("no page")?
        .to_string();
    ctx.session = ctx
        .browser
        .call(
            None,
            "Target.attachToTarget",
            json!({"targetId": ctx.target, "flatten": true}),
        )
        .await?["sessionId"]
        .as_str()
        .ok_or("no session")?
        .to_string();
    Ok(ctx)
}

/// Asks the page whether the selector is there (and clicks it once), and
/// whether it is a bot challenge.
async fn poll(
    ctx: &Context,
    spec: &BrowserSpec,
    seen: &mut Seen,
    started: Instant,
) -> Result<(), String> {
    let selector = serde_json::to_string(&spec.wait_for).unwrap_or_default();
    let markers = serde_json::to_string(refusal::CHALLENGE_MARKERS).unwrap_or_default();
    let click = spec.click && seen.selector.is_none();
    let expression = format!(
        "(() => {{ let el = null; try {{ el = document.querySelector({selector}); }} catch (e) {{}}
           if (el && {click}) {{ el.click(); }}
           const head = document.documentElement ? document.documentElement.outerHTML.slice(0, 65536) : '';
           return [!!el, {markers}.some(m => head.includes(m))]; }})()"
    );
    let answer = ctx
        .browser
        .call(
            Some(&ctx.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        )
        .await?;
    let value = &answer["result"]["value"];
    if value[0].as_bool() == Some(true) && seen.selector.is_none() {
        seen.selector = Some(started.elapsed());
        seen.clicked = click;
    }
    seen.challenge |= value[1].as_bool() == Some(true);
    Ok(())
}

/// Takes in one protocol event.
fn note(seen: &mut Seen, e: &Value, spec: &BrowserSpec, started: Instant, target: &str) {
    let p = &e["params"];
    match e["method"].as_str().unwrap_or("") {
        "Network.responseReceived"
            if p["type"] == "Document" && p["frameId"] == target && seen.status.is_none() =>
        {
            let status = p["response"]["status"].as_u64().unwrap_or(0) as u16;
            seen.status = Some(status);
            seen.headers = headers(&p["response"]["headers"]);
        }
        "Network.webSocketCreated" => {
            let url = p["url"].as_str().unwrap_or("");
            if let Some(host) = host_of(url) {
                seen.hosts_ws.insert(host);
            }
            // Bounded: a page opening sockets without end keeps the first ones.
            if seen.ws_urls.len() < 256 {
                let id = p["requestId"].as_str().unwrap_or("").to_string();
                seen.ws_urls.insert(id, url.to_string());
            }
        }
        "Network.webSocketHandshakeResponseReceived" => {
            let status = p["response"]["status"].as_u64().unwrap_or(0);
            let id = p["requestId"].as_str().unwrap_or("");
            let url = seen.ws_urls.get(id).map_or("", String::as_str);
            let wanted = spec
                .expect_websocket
                .as_ref()
                .is_some_and(|re| re.is_match(url));
            if status == 101 && wanted && seen.websocket.is_none() {
                seen.websocket = Some(started.elapsed());
            }
        }
        "Network.webSocketClosed" if seen.websocket.is_none() => seen.refused_websocket = true,
        "Page.frameNavigated" => {
            if let Some(host) = host_of(p["frame"]["url"].as_str().unwrap_or("")) {
                seen.hosts_frames.insert(host);
            }
        }
        _ => {}
    }
}

/// The outcome once the page has said enough; `None` while it has not.
fn verdict(spec: &BrowserSpec, seen: &Seen, slow: Duration) -> Option<Report> {
    if let Some(status) = seen.status {
        let now = SystemTime::now();
        if let Some((failure, why)) = refusal::refused(status, &seen.headers, &[], now) {
            let mut r = Report::failed(failure, format!("the page refuses us: {why}"));
            r.detail.retry_after = refusal::retry_after(&seen.headers, now);
            return Some(r);
        }
        if refusal::blocks(status) && !seen.challenge {
            return Some(Report::failed(
                Failure::Blocked,
                refusal::blocked_reason(status),
            ));
        }
    }
    if seen.challenge {
        return Some(Report::failed(
            Failure::Throttled,
            format!("bot challenge page (HTTP {})", seen.status.unwrap_or(0)),
        ));
    }
    let selector = seen.selector?;
    if spec.expect_websocket.is_some() && seen.websocket.is_none() && seen.refused_websocket {
        return Some(Report::failed(
            Failure::Connect,
            "the chat's WebSocket was refused: the page loads, the chat does not",
        ));
    }
    let done = match &spec.expect_websocket {
        None => selector,
        Some(_) => seen.websocket?.max(selector),
    };
    let (outcome, reason) = grade(done, slow);
    let mut r = Report::new(outcome, reason);
    r.latency = Some(done);
    Some(r)
}

/// What the page had not shown by the deadline.
fn timed_out(spec: &BrowserSpec, seen: &Seen, after: Duration) -> Report {
    let within = crate::duration::format(after);
    match (seen.status, seen.selector) {
        (None, _) => Report::failed(
            Failure::Timeout,
            format!("the page did not load within {within}"),
        ),
        (Some(_), None) => Report::failed(
            Failure::Body,
            format!("`{}` did not appear within {within}", spec.wait_for),
        ),
        (Some(_), Some(_)) => Report::failed(
            Failure::Timeout,
            format!(
                "no matching WebSocket opened within {within}: the page loads, the chat does not"
            ),
        ),
    }
}

fn finish(r: &mut Report, seen: &Seen, clock: &PhaseClock) {
    r.detail.http_status = seen.status;
    r.detail.websocket_hosts = seen.hosts_ws.iter().cloned().collect();
    r.detail.frame_hosts = seen.hosts_frames.iter().cloned().collect();
    if let Some(at) = seen.selector {
        clock.frame_done(at);
    }
    if let Some(at) = seen.websocket {
        clock.handshake_done(at);
    }
}

/// A navigation error (`net::ERR_…`) as a failure kind.
fn load_failure(error: &str) -> Failure {
    if error.contains("NAME_NOT_RESOLVED") {
        Failure::Dns
    } else if error.contains("CERT") || error.contains("SSL") {
        Failure::Tls
    } else if error.contains("TIMED_OUT") {
        Failure::Timeout
    } else {
        Failure::Connect
    }
}

fn headers(v: &Value) -> HeaderMap {
    let mut out = HeaderMap::new();
    if let Some(map) = v.as_object() {
        for (k, v) in map {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(k.as_bytes()),
                v.as_str().map(HeaderValue::from_str),
            ) {
                out.insert(name, value);
            }
        }
    }
    out
}

fn host_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}
