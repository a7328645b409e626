//! What a probe found: the outcome, why, how long each phase took, and the detail
//! worth keeping. Plain data and the pure rules over it (grading latency, judging a
//! run as `unknown`); no I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::channel::Channel;
use crate::reason;
use crate::reason::Reason;

/// Every probe ends in exactly one of these (README, "Outcomes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Up,
    Degraded,
    Throttled,
    Down,
    Unknown,
    Maintenance,
    /// Answered, but refuses this network outright (HTTP 451, a 403 that is
    /// not a bot challenge): reachable, not down; OKX does not serve this place.
    Blocked,
}

impl Outcome {
    /// In the order of [`Outcome::code`].
    pub const ALL: [Outcome; 7] = [
        Outcome::Up,
        Outcome::Degraded,
        Outcome::Throttled,
        Outcome::Down,
        Outcome::Unknown,
        Outcome::Maintenance,
        Outcome::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Up => "up",
            Outcome::Degraded => "degraded",
            Outcome::Throttled => "throttled",
            Outcome::Down => "down",
            Outcome::Unknown => "unknown",
            Outcome::Maintenance => "maintenance",
            Outcome::Blocked => "blocked",
        }
    }

    /// The outcome as a person reads it, in `lang` ("up", "正常").
    pub fn words(self, lang: crate::i18n::Lang) -> String {
        lang.tr(&format!("outcome-{}", self.as_str()), &[])
    }

    /// How many outcomes there are: the length of arrays indexed by [`Outcome::code`].
    pub const COUNT: usize = 7;

    /// Reachable and answering as expected: counts as available.
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Up | Outcome::Degraded)
    }

    /// The stored code of an outcome, and its index in arrays of counts by
    /// outcome. Fixed forever: it is in every database.
    pub const fn code(self) -> usize {
        match self {
            Outcome::Up => 0,
            Outcome::Degraded => 1,
            Outcome::Throttled => 2,
            Outcome::Down => 3,
            Outcome::Unknown => 4,
            Outcome::Maintenance => 5,
            Outcome::Blocked => 6,
        }
    }

    /// The outcome of a stored code; `None` for a code no version ever wrote.
    pub fn from_code(code: i64) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() as i64 == code)
    }

    /// Whether a control check that ended so says this machine's network failed.
    /// `unknown` counts as failed: it never means the network answered.
    pub fn control_failed(self) -> bool {
        matches!(self, Outcome::Down | Outcome::Unknown)
    }
}

/// The control rule, the one definition of it: this machine's network is down
/// when at least one control check's outcome is known and every one failed
/// ([`Outcome::control_failed`]). `None` with no control outcome to judge by.
pub fn local_network_up(controls: impl IntoIterator<Item = Outcome>) -> Option<bool> {
    let mut any = false;
    for o in controls {
        if !o.control_failed() {
            return Some(true);
        }
        any = true;
    }
    any.then_some(false)
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Outcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| t!("unknown-outcome", name = s))
    }
}

/// Why a probe did not end `up`, from a bounded set (usable as a metric label and
/// by `diagnose`); the reason itself, with its words, is [`Report::reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The name did not resolve (NXDOMAIN, no answer, resolver unreachable).
    Dns,
    /// TCP connect refused or unreachable.
    Connect,
    /// TLS handshake or certificate failure.
    Tls,
    /// No complete answer within the check's timeout.
    Timeout,
    /// An HTTP status other than the expected ones.
    Status,
    /// The body did not hold what the check expects (text, pattern, JSON).
    Body,
    /// A redirect loop, too many redirects, or a redirect to another scheme.
    Redirect,
    /// The peer broke the protocol (malformed HTTP, SMTP, JSON where JSON is due).
    Protocol,
    /// Rate limit or bot challenge.
    Throttled,
    /// HTTP 451, or a 403 that is not a bot challenge: this network is refused.
    Blocked,
    /// No MX records, or fewer than `min_records`.
    NoRecords,
    /// The SMTP greeting was missing or refused us.
    Smtp,
    /// OKX announces maintenance.
    Maintenance,
    /// Every control check failed at the same time.
    LocalNetwork,
    /// Every control check covering this channel's path (`covers`) failed at
    /// the same time: the way to it is closed on this network (port 25).
    PathClosed,
}

/// Phase timings as far as they could be measured, as the blackbox exporter's
/// users read them: `dns`, `connect` (TCP), `tls` (the handshake, on https and
/// wss), then `first_byte` or `handshake` and `frame`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Phases {
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub dns: Option<Duration>,
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub connect: Option<Duration>,
    /// The TLS handshake alone (after `connect`).
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub tls: Option<Duration>,
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub first_byte: Option<Duration>,
    /// From the start to a WebSocket's completed opening handshake.
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub handshake: Option<Duration>,
    /// From the start to the first expected frame (WebSocket) or element (browser).
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub frame: Option<Duration>,
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub total: Option<Duration>,
}

/// One MX host's part of an `mx` probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MxHost {
    pub host: String,
    pub preference: u16,
    /// Whether this host met every expectation (greeted with 220 when `smtp = true`).
    pub ok: bool,
    /// The SMTP reply code of the greeting, when one came.
    pub greeting_code: Option<u16>,
    pub starttls: bool,
    #[serde(serialize_with = "ms_opt", skip_serializing_if = "Option::is_none")]
    pub latency: Option<Duration>,
    pub reason: Reason,
}

/// The state of an announced maintenance, as OKX's status API names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(from = "String", into = "String")]
pub enum MaintenanceState {
    Scheduled,
    Ongoing,
    /// Over, but trading not yet reopened: still unavailable.
    PreOpen,
    Completed,
    Canceled,
    /// A state this version does not know, kept as OKX wrote it.
    Other(String),
}

impl MaintenanceState {
    const NAMED: [(MaintenanceState, &'static str); 5] = [
        (MaintenanceState::Scheduled, "scheduled"),
        (MaintenanceState::Ongoing, "ongoing"),
        (MaintenanceState::PreOpen, "pre_open"),
        (MaintenanceState::Completed, "completed"),
        (MaintenanceState::Canceled, "canceled"),
    ];

    pub fn as_str(&self) -> &str {
        match self {
            MaintenanceState::Other(s) => s,
            named => MaintenanceState::NAMED
                .iter()
                .find(|(m, _)| m == named)
                .map_or("", |(_, s)| s),
        }
    }

    /// The state in `lang`'s words; one this version does not know, as OKX
    /// wrote it.
    pub fn words(&self, lang: crate::i18n::Lang) -> String {
        match self {
            MaintenanceState::Scheduled => tl!(lang, "maint-scheduled"),
            MaintenanceState::Ongoing => tl!(lang, "maint-ongoing"),
            MaintenanceState::PreOpen => tl!(lang, "maint-pre-open"),
            MaintenanceState::Completed => tl!(lang, "maint-completed"),
            MaintenanceState::Canceled => tl!(lang, "maint-canceled"),
            MaintenanceState::Other(s) => s.clone(),
        }
    }

    /// Under way now: OKX's services are affected.
    pub fn is_underway(&self) -> bool {
        matches!(self, MaintenanceState::Ongoing | MaintenanceState::PreOpen)
    }

    /// Announced and not over: under way, or planned.
    pub fn is_pending(&self) -> bool {
        self.is_underway() || *self == MaintenanceState::Scheduled
    }
}

impl From<String> for MaintenanceState {
    fn from(s: String) -> Self {
        MaintenanceState::NAMED
            .iter()
            .find(|(_, name)| *name == s)
            .map_or(MaintenanceState::Other(s), |(m, _)| m.clone())
    }
}

impl From<MaintenanceState> for String {
    fn from(m: MaintenanceState) -> String {
        m.as_str().to_string()
    }
}

/// An entry of OKX's system-status announcement.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Maintenance {
    pub title: String,
    pub state: MaintenanceState,
    /// Unix milliseconds.
    pub begin_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub service_type: Option<String>,
    pub system: Option<String>,
    pub href: Option<String>,
    /// OKX's `maintType`: "1" scheduled, "2" unscheduled, "3" a system
    /// disruption; other values are kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maint_type: Option<String>,
}

impl Maintenance {
    /// OKX itself declares a disruption now: an ongoing event of maintType "3".
    pub fn is_declared_disruption(&self) -> bool {
        self.maint_type.as_deref() == Some("3") && self.state == MaintenanceState::Ongoing
    }
}

/// What a page opened besides itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenedKind {
    Websocket,
    Frame,
}

/// One WebSocket or frame a browser probe saw open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opened {
    pub kind: OpenedKind,
    /// Scheme, host, port and path: no query, no fragment (they may hold tokens).
    pub url: String,
    /// Opened after the click was made (never, without a click).
    pub after_click: bool,
    /// A WebSocket's handshake status (101: it opened); a frame's `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Refused, or closed before its handshake.
    pub failed: bool,
    /// Whether it counted as the chat.
    pub counted: bool,
}

/// The detail of a probe worth keeping with its sample.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Detail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Unix seconds at which the server's TLS certificate expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_not_after: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mx_records: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mx_hosts: Vec<MxHost>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extracted: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<Maintenance>,
    /// The addresses the target's name resolved to (for `diagnose`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<std::net::IpAddr>,
    /// The hosts of the WebSockets a page opened (`browser`): with `click`,
    /// those the click opened; where the chat really talks, worth a
    /// `websocket` check of its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub websocket_hosts: Vec<String>,
    /// The hosts of the frames a page loaded (`browser`), as above.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frame_hosts: Vec<String>,
    /// With `click`: the hosts of the WebSockets open before the click (the
    /// site's own feeds), kept apart: they never count as the chat.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub websocket_hosts_before_click: Vec<String>,
    /// With `click`: the hosts of the frames loaded before the click.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frame_hosts_before_click: Vec<String>,
    /// Every WebSocket and frame a browser probe saw open, in order (for
    /// `explain`; not kept with the sample).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub opened: Vec<Opened>,
    /// The page's URL after redirects (for `explain`; not kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// The page's `<title>` (for `explain`; not kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The URLs a fetch was redirected through, in order (for `explain`; not kept).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// The rule that decided the outcome (`expect_status`, `body_regex`,
    /// `fail_if`, `blocked_if`, `slow`, …; for `explain`; not kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// How long the peer asked us to wait (`Retry-After`).
    #[serde(serialize_with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<Duration>,
}

/// Everything one probe found. Failure is data: a probe never returns `Err`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Why, as a code and its parameters ([`Reason`]); in words where a
    /// person reads it ("connection refused by …", "HTTP 503, expected 2xx").
    /// JSON names it `reason_code`; the answers that show a report add
    /// `reason`, its words in the reader's language.
    #[serde(rename = "reason_code")]
    pub reason: Reason,
    /// Time to a complete answer; `None` when no answer came.
    #[serde(rename = "latency_ms", serialize_with = "ms_opt")]
    pub latency: Option<Duration>,
    pub phases: Phases,
    pub detail: Detail,
}

impl Report {
    pub fn new(outcome: Outcome, reason: Reason) -> Report {
        Report {
            outcome,
            failure: None,
            reason,
            latency: None,
            phases: Phases::default(),
            detail: Detail::default(),
        }
    }

    pub fn failed(failure: Failure, reason: Reason) -> Report {
        let outcome = match failure {
            Failure::Throttled => Outcome::Throttled,
            Failure::Blocked => Outcome::Blocked,
            Failure::Maintenance => Outcome::Maintenance,
            Failure::LocalNetwork | Failure::PathClosed => Outcome::Unknown,
            _ => Outcome::Down,
        };
        Report {
            failure: Some(failure),
            ..Report::new(outcome, reason)
        }
    }
}

/// `up`, or `degraded` when the answer took longer than `slow`.
pub fn grade(latency: Duration, slow: Duration) -> (Outcome, Reason) {
    if latency > slow {
        (
            Outcome::Degraded,
            reason!("slow", took_ms = latency, limit_ms = slow),
        )
    } else {
        (Outcome::Up, reason!("ok"))
    }
}

/// A control check's latest outcome, as the control rule reads it.
#[derive(Debug, Clone, Copy)]
pub struct ControlSeen<'a> {
    /// The channels whose network path it vouches for (`covers`); `None`:
    /// every channel, i.e. this machine's network.
    pub covers: Option<&'a [Channel]>,
    /// The port it reaches, when it has one (to name a blocked port).
    pub port: Option<u16>,
    pub outcome: Outcome,
}

/// Why a failed probe cannot be blamed on OKX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Every control without `covers` failed: this machine's network is down.
    LocalNetwork,
    /// Every control whose `covers` names the channel failed: the path to it
    /// is closed here (`port`: the one they all reach, e.g. 25).
    Path { port: Option<u16> },
}

/// The control rule for channel `channel`, its one home: a failed probe of it
/// is no fault of OKX's when, in the same round, every control without
/// `covers` failed (this machine's network is down), or every control whose
/// `covers` names it failed (the path to it is closed here). `None`: it can
/// be judged.
pub fn closed_for(channel: Channel, controls: &[ControlSeen<'_>]) -> Option<Closed> {
    let general = controls
        .iter()
        .filter(|c| c.covers.is_none())
        .map(|c| c.outcome);
    if local_network_up(general) == Some(false) {
        return Some(Closed::LocalNetwork);
    }
    let path: Vec<&ControlSeen> = controls
        .iter()
        .filter(|c| c.covers.is_some_and(|cv| cv.contains(&channel)))
        .collect();
    if !path.is_empty() && path.iter().all(|c| c.outcome.control_failed()) {
        let port = path[0]
            .port
            .filter(|p| path.iter().all(|c| c.port == Some(*p)));
        return Some(Closed::Path { port });
    }
    None
}

/// The channels whose path is closed here (pure): every one of their checks
/// last failed only because the controls covering it failed too. `checks`
/// are (channel, failure) of each check's latest probe; the one rule for
/// `status`, the page and `diagnose`.
pub fn closed_paths(checks: impl IntoIterator<Item = (Channel, Option<Failure>)>) -> Vec<Channel> {
    let checks: Vec<(Channel, Option<Failure>)> = checks.into_iter().collect();
    Channel::ALL
        .into_iter()
        .filter(|c| *c != Channel::Control)
        .filter(|c| {
            let mut mine = checks.iter().filter(|(ch, _)| ch == c).peekable();
            mine.peek().is_some() && mine.all(|(_, f)| *f == Some(Failure::PathClosed))
        })
        .collect()
}

/// One probe of a run, as the control rule reads it.
pub struct RunItem<'a> {
    pub channel: Channel,
    /// For a control check: its `covers`.
    pub covers: Option<&'a [Channel]>,
    /// For a control check: the port it reaches.
    pub port: Option<u16>,
    pub report: &'a mut Report,
}

/// Applies the control rule ([`closed_for`]) to the results of one run: a
/// `down` that the controls of the same run explain becomes `unknown`. With
/// no control check, nothing changes.
pub fn judge_run(run: &mut [RunItem<'_>]) {
    // `covers` borrows from the checks, not from the reports: copied out, it
    // leaves the reports free to be changed below.
    let seen: Vec<ControlSeen> = run
        .iter()
        .filter(|r| r.channel == Channel::Control)
        .map(|r| ControlSeen {
            covers: r.covers,
            port: r.port,
            outcome: r.report.outcome,
        })
        .collect();
    for r in run.iter_mut() {
        if r.channel != Channel::Control
            && r.report.outcome == Outcome::Down
            && let Some(closed) = closed_for(r.channel, &seen)
        {
            mark_unknown(r.report, closed);
        }
    }
}

/// Turns a `down` into `unknown`: the controls say why it cannot be judged.
pub fn mark_unknown(report: &mut Report, closed: Closed) {
    report.outcome = Outcome::Unknown;
    let why = std::mem::replace(&mut report.reason, reason!("ok"));
    let (failure, reason) = match closed {
        Closed::LocalNetwork => (Failure::LocalNetwork, reason!("local_network", why = why)),
        Closed::Path { port: Some(port) } => (
            Failure::PathClosed,
            reason!("port_closed", port = port, why = why),
        ),
        Closed::Path { port: None } => (Failure::PathClosed, reason!("path_closed", why = why)),
    };
    report.failure = Some(failure);
    report.reason = reason;
}

fn ms_opt<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(millis(*d)),
        None => s.serialize_none(),
    }
}

fn secs_opt<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

/// Milliseconds with a tenth of a millisecond kept, as samples store them.
pub fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// A channel's state from its checks' latest outcomes: all answering → the
/// worst of up/degraded; some → degraded (partly); none → the most telling failure.
pub fn channel_now(outcomes: &[Outcome]) -> Option<Outcome> {
    if outcomes.is_empty() {
        return None;
    }
    let ok = outcomes.iter().filter(|o| o.is_success()).count();
    if ok == outcomes.len() {
        return outcomes
            .iter()
            .copied()
            .max_by_key(|o| *o == Outcome::Degraded);
    }
    if ok > 0 {
        return Some(Outcome::Degraded);
    }
    [
        Outcome::Down,
        Outcome::Blocked,
        Outcome::Throttled,
        Outcome::Maintenance,
        Outcome::Unknown,
    ]
    .into_iter()
    .find(|o| outcomes.contains(o))
}

#[cfg(test)]
mod tests;
