//! The `browser` prober: a fresh incognito context of the shared Chromium
//! loads the page as a person's browser does, waits for `wait_for` to appear,
//! optionally clicks it, and waits for the chat to open. It never waits for
//! "network idle": a page that keeps polling or holds sockets open is judged
//! by what it shows. The context is closed on every path (success, failure,
//! the deadline, cancellation) by `Context`'s drop.
//!
//! With `click`, only what the click caused is the chat: a WebSocket created,
//! or a frame navigated, after the click. OKX's pages open market-data
//! sockets of their own at load; those were open before the click and never
//! count, whatever their URL. The click waits until the page has loaded and
//! opened nothing new for [`QUIET`] (at most [`SETTLE`] after the launcher
//! appeared), and every event that arrived before it is taken in first, so
//! that what the page opens by itself is not credited to the click.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::BrowserSpec;
use crate::outcome::{Failure, Opened, OpenedKind, Report, grade};
use crate::probe::chromium::{Chromium, Running};
use crate::probe::{PhaseClock, page, refusal};
use crate::reason;
use crate::reason::Reason;

/// How often the page is asked whether the selector has appeared.
const POLL: Duration = Duration::from_millis(100);
/// The probe ends this much before its deadline, to report what it saw
/// rather than be cut off by the prober.
const MARGIN: Duration = Duration::from_millis(150);
/// Before the click, the page must have opened nothing new for this long.
pub const QUIET: Duration = Duration::from_millis(300);
/// ... or the launcher must have been there this long (a page that never
/// stops opening things is clicked anyway).
pub const SETTLE: Duration = Duration::from_secs(2);
/// WebSockets and frames kept per probe; a page opening them without end
/// keeps the first ones.
const MAX_OPENED: usize = 256;
/// How much of the page's HTML is read for the challenge markers and the
/// page rules.
const PAGE_READ: usize = 65_536;

/// What the page showed so far.
#[derive(Debug, Default)]
struct Seen {
    status: Option<u16>,
    headers: HeaderMap,
    /// The main frame's URL (after redirects) and its origin.
    url: Option<String>,
    origin: Option<String>,
    /// The main document's load event fired.
    loaded: bool,
    /// When the page last opened a WebSocket or frame.
    last_opened: Option<Instant>,
    /// When the selector appeared (since the start) and when we saw it.
    selector: Option<Duration>,
    selector_seen: Option<Instant>,
    /// When the click was made (since the start): what opens after it is its.
    clicked: Option<Duration>,
    /// When the chat opened (since the start).
    chat: Option<Duration>,
    /// A WebSocket that would have been the chat was refused.
    refused: bool,
    opened: Vec<Opened>,
    /// WebSocket request id → its index in `opened`.
    sockets: HashMap<String, usize>,
    challenge: bool,
    /// `fail_if` / `blocked_if` matched the page.
    page_says: Option<(Failure, Reason)>,
    title: Option<String>,
    /// The page has been read whole once (`readyState` complete).
    page_read: bool,
}

impl Seen {
    /// Whether the click may be made now: the launcher is there and the page
    /// has settled.
    fn settled(&self, now: Instant) -> bool {
        let Some(seen) = self.selector_seen else {
            return false;
        };
        let quiet = self.last_opened.is_none_or(|t| now - t >= QUIET);
        (self.loaded && quiet) || now - seen >= SETTLE
    }

    /// Records what the page opened; its index, or `None` past [`MAX_OPENED`].
    fn open(&mut self, kind: OpenedKind, url: &str, now: Instant) -> Option<usize> {
        self.last_opened = Some(now);
        if self.opened.len() >= MAX_OPENED {
            return None;
        }
        self.opened.push(Opened {
            kind,
            url: bare(url),
            after_click: self.clicked.is_some(),
            status: None,
            failed: false,
            counted: false,
        });
        Some(self.opened.len() - 1)
    }
}

/// Whether `o` is the chat (pure): with `click`, a new WebSocket that opened
/// or a new frame from another origin that loaded, each narrowed by its own
/// regex; without, what matches a regex that is set.
fn is_chat(spec: &BrowserSpec, o: &Opened, origin: Option<&str>) -> bool {
    let matches = |re: &Option<regex::Regex>| re.as_ref().is_none_or(|re| re.is_match(&o.url));
    let opened = match o.kind {
        OpenedKind::Websocket => o.status == Some(101) && !o.failed,
        OpenedKind::Frame => {
            let web = o.url.starts_with("http://") || o.url.starts_with("https://");
            web && (!spec.click || origin_of(&o.url).as_deref() != origin)
        }
    };
    let narrowed = match o.kind {
        OpenedKind::Websocket => &spec.expect_websocket,
        OpenedKind::Frame => &spec.expect_frame,
    };
    if spec.click {
        o.after_click && opened && matches(narrowed)
    } else {
        narrowed.is_some() && opened && matches(narrowed)
    }
}

/// Whether a failed WebSocket would have been the chat had it opened.
fn would_be_chat(spec: &BrowserSpec, o: &Opened) -> bool {
    let matches = spec
        .expect_websocket
        .as_ref()
        .map_or(spec.click, |re| re.is_match(&o.url));
    o.kind == OpenedKind::Websocket && o.failed && matches && (o.after_click || !spec.click)
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

impl BrowserSpec {
    pub async fn probe(&self, via: &crate::kinds::Via<'_>, clock: &PhaseClock) -> Report {
        let Some(browser) = via.browser else {
            return Report::failed(Failure::Protocol, crate::kinds::no_browser());
        };
        // The semaphore is never closed; without a permit the probe would
        // only be less frugal.
        let _page = browser.pages.acquire().await.ok();
        probe(browser.chromium, self, via.slow, via.deadline, clock).await
    }
}

async fn probe(
    chromium: &Chromium,
    spec: &BrowserSpec,
    slow: Duration,
    deadline: Instant,
    clock: &PhaseClock,
) -> Report {
    let started = Instant::now();
    let browser = match chromium.get().await {
        Ok(b) => b,
        Err(e) => return Report::failed(Failure::Protocol, reason!("browser", error = e)),
    };
    let ctx = match open(browser).await {
        Ok(c) => c,
        Err(e) => return Report::failed(Failure::Protocol, reason!("browser", error = e)),
    };
    let mut events = ctx.browser.events(&ctx.session);
    let call =
        |method: &'static str, params: Value| ctx.browser.call(Some(&ctx.session), method, params);
    for domain in ["Network.enable", "Page.enable"] {
        if let Err(e) = call(domain, json!({})).await {
            return Report::failed(Failure::Protocol, reason!("browser", error = e));
        }
    }
    match call("Page.navigate", json!({"url": spec.url.as_str()})).await {
        Ok(v) => {
            if let Some(err) = v.get("errorText").and_then(Value::as_str) {
                return Report::failed(
                    load_failure(err),
                    reason!("page_did_not_load", error = err),
                );
            }
        }
        Err(e) => return Report::failed(Failure::Protocol, reason!("browser", error = e)),
    }
    let end = deadline.checked_sub(MARGIN).unwrap_or(deadline);
    let mut seen = Seen::default();
    let mut next_poll = Instant::now();
    let at = |seen: &mut Seen, e: &Value| note(seen, e, spec, started, &ctx.target);
    loop {
        if let Some(done) = verdict(spec, &seen, slow) {
            let mut r = done;
            finish(&mut r, spec, seen, clock);
            return r;
        }
        if Instant::now() >= end {
            break;
        }
        let wake = next_poll.min(end);
        tokio::select! {
            event = events.recv() => match event {
                Some(e) => at(&mut seen, &e),
                None => return Report::failed(Failure::Protocol, reason!("browser_stopped")),
            },
            _ = tokio::time::sleep_until(wake.into()) => {
                next_poll = Instant::now() + POLL;
                // What arrived before this look (and a click) is taken in first.
                while let Ok(e) = events.try_recv() {
                    at(&mut seen, &e);
                }
                if let Err(e) = poll(&ctx, spec, &mut seen, started).await {
                    return Report::failed(Failure::Protocol, reason!("browser", error = e));
                }
            }
        }
    }
    let mut r = timed_out(spec, &seen, deadline - started);
    finish(&mut r, spec, seen, clock);
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

/// Asks the page whether the selector is there and whether it is a bot
/// challenge (and, while the page rules need it, reads its HTML); clicks the
/// launcher once the page has settled.
async fn poll(
    ctx: &Context,
    spec: &BrowserSpec,
    seen: &mut Seen,
    started: Instant,
) -> Result<(), String> {
    let selector = serde_json::to_string(&spec.wait_for).unwrap_or_default();
    let markers = serde_json::to_string(refusal::CHALLENGE_MARKERS).unwrap_or_default();
    let read = !seen.page_read;
    let expression = format!(
        "(() => {{ let el = null; try {{ el = document.querySelector({selector}); }} catch (e) {{}}
           const html = document.documentElement ? document.documentElement.outerHTML.slice(0, {PAGE_READ}) : '';
           return [!!el, {markers}.some(m => html.includes(m)), document.readyState,
                   {read} ? html : '', location.href]; }})()"
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
    let now = Instant::now();
    if value[0].as_bool() == Some(true) && seen.selector.is_none() {
        seen.selector = Some(started.elapsed());
        seen.selector_seen = Some(now);
    }
    seen.challenge |= value[1].as_bool() == Some(true);
    if read && let Some(html) = value[3].as_str() {
        let url = value[4].as_str().unwrap_or("");
        seen.page_says = page::judge(&spec.page, url, html.as_bytes());
        seen.title = page::title(html.as_bytes());
        seen.page_read = value[2] == "complete";
    }
    if spec.click && seen.clicked.is_none() && seen.settled(now) {
        // From here on, what opens is the click's.
        seen.clicked = Some(started.elapsed());
        let click = format!(
            "(() => {{ try {{ const el = document.querySelector({selector}); if (el) {{ el.click(); return true; }} }} catch (e) {{}} return false; }})()"
        );
        ctx.browser
            .call(
                Some(&ctx.session),
                "Runtime.evaluate",
                json!({"expression": click, "returnByValue": true}),
            )
            .await?;
    }
    Ok(())
}

/// Takes in one protocol event.
fn note(seen: &mut Seen, e: &Value, spec: &BrowserSpec, started: Instant, target: &str) {
    let p = &e["params"];
    let now = Instant::now();
    match e["method"].as_str().unwrap_or("") {
        "Network.responseReceived"
            if p["type"] == "Document" && p["frameId"] == target && seen.status.is_none() =>
        {
            let status = p["response"]["status"].as_u64().unwrap_or(0) as u16;
            seen.status = Some(status);
            seen.headers = headers(&p["response"]["headers"]);
        }
        "Page.loadEventFired" => seen.loaded = true,
        "Network.webSocketCreated" => {
            let url = p["url"].as_str().unwrap_or("");
            if let Some(i) = seen.open(OpenedKind::Websocket, url, now) {
                let id = p["requestId"].as_str().unwrap_or("").to_string();
                seen.sockets.insert(id, i);
            }
        }
        "Network.webSocketHandshakeResponseReceived" => {
            let id = p["requestId"].as_str().unwrap_or("");
            if let Some(&i) = seen.sockets.get(id) {
                let status = p["response"]["status"].as_u64().unwrap_or(0) as u16;
                seen.opened[i].status = Some(status);
                seen.opened[i].failed = status != 101;
                count(seen, i, spec, started);
            }
        }
        "Network.webSocketClosed" | "Network.webSocketFrameError" => {
            let id = p["requestId"].as_str().unwrap_or("");
            if let Some(&i) = seen.sockets.get(id)
                && seen.opened[i].status.is_none()
            {
                seen.opened[i].failed = true;
                seen.refused |= would_be_chat(spec, &seen.opened[i]);
            }
        }
        "Page.frameNavigated" => {
            let frame = &p["frame"];
            let url = frame["url"].as_str().unwrap_or("");
            if frame["id"] == target {
                seen.url = Some(url.to_string());
                seen.origin = origin_of(url);
            } else if let Some(i) = seen.open(OpenedKind::Frame, url, now) {
                count(seen, i, spec, started);
            }
        }
        _ => {}
    }
}

/// Marks `opened[i]` as the chat when it is, and the chat as open then.
fn count(seen: &mut Seen, i: usize, spec: &BrowserSpec, started: Instant) {
    if is_chat(spec, &seen.opened[i], seen.origin.as_deref()) {
        seen.opened[i].counted = true;
        seen.chat.get_or_insert(started.elapsed());
    }
}

/// The outcome once the page has said enough; `None` while it has not.
fn verdict(spec: &BrowserSpec, seen: &Seen, slow: Duration) -> Option<Report> {
    if let Some(status) = seen.status {
        let now = SystemTime::now();
        if let Some((failure, why)) = refusal::refused(status, &seen.headers, &[], now) {
            let mut r = Report::failed(failure, reason!("page_refuses", why = why));
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
            reason!("challenge_page", status = seen.status.unwrap_or(0)),
        ));
    }
    if let Some((failure, why)) = &seen.page_says {
        return Some(Report::failed(*failure, why.clone()));
    }
    let selector = seen.selector?;
    let waits = spec.click || spec.expect_websocket.is_some() || spec.expect_frame.is_some();
    if waits && seen.chat.is_none() && seen.refused {
        return Some(Report::failed(
            Failure::Connect,
            reason!("chat_socket_refused"),
        ));
    }
    let done = if waits {
        seen.chat?.max(selector)
    } else {
        selector
    };
    let (outcome, reason) = grade(done, slow);
    let mut r = Report::new(outcome, reason);
    r.latency = Some(done);
    Some(r)
}

/// What the page had not shown by the deadline.
fn timed_out(spec: &BrowserSpec, seen: &Seen, after: Duration) -> Report {
    let within = after;
    if seen.status.is_none() {
        return Report::failed(
            Failure::Timeout,
            reason!("page_not_loaded_within", within_ms = within),
        );
    }
    if seen.selector.is_none() {
        return Report::failed(
            Failure::Body,
            reason!(
                "selector_missing",
                selector = &spec.wait_for,
                within_ms = within
            ),
        );
    }
    let new_after_click = seen.opened.iter().any(|o| o.after_click);
    if seen.clicked.is_some() && !new_after_click {
        return Report::failed(
            Failure::Body,
            reason!("click_opens_nothing", within_ms = within),
        );
    }
    Report::failed(
        Failure::Timeout,
        reason!("chat_not_opened", within_ms = within),
    )
}

fn finish(r: &mut Report, spec: &BrowserSpec, seen: Seen, clock: &PhaseClock) {
    // With a click, before and after it apart; without, everything is "after".
    let hosts = |kind: OpenedKind, before: bool| -> Vec<String> {
        let side = |o: &&Opened| {
            if spec.click {
                o.after_click != before
            } else {
                !before
            }
        };
        seen.opened
            .iter()
            .filter(|o| o.kind == kind)
            .filter(side)
            .filter_map(|o| host_of(&o.url))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    r.detail.http_status = seen.status;
    r.detail.websocket_hosts = hosts(OpenedKind::Websocket, false);
    r.detail.frame_hosts = hosts(OpenedKind::Frame, false);
    r.detail.websocket_hosts_before_click = hosts(OpenedKind::Websocket, true);
    r.detail.frame_hosts_before_click = hosts(OpenedKind::Frame, true);
    if let Some(at) = seen.selector {
        clock.frame_done(at);
    }
    if let Some(at) = seen.chat {
        clock.handshake_done(at);
    }
    r.detail.final_url = seen.url;
    r.detail.title = seen.title;
    r.detail.opened = seen.opened;
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

/// A URL without its query and fragment (they may hold tokens).
fn bare(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or("").to_string(),
    }
}

/// `scheme://host[:port]`, the origin frames are compared by.
fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    Some(u.origin().ascii_serialization())
}

fn host_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}
