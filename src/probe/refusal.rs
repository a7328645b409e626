//! How a server that answers says "not you": throttled (a rate limit, a
//! `Retry-After`, a bot challenge) or blocked (HTTP 451, a 403 that is no
//! challenge). Pure; shared by every kind that reads an HTTP answer (`http`,
//! `okx_status`, a WebSocket's refused upgrade, a browser's main document).

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::outcome::Failure;
use crate::reason;
use crate::reason::Reason;

/// The longest `Retry-After` honoured, so a hostile answer cannot stop a check for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

/// A throttling answer as the failure it is; `None` when the answer is no
/// rate limit or challenge (pure).
pub fn refused(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Option<(Failure, Reason)> {
    throttle(status, headers, body, now).map(|why| (Failure::Throttled, why))
}

/// Whether a status refuses this network outright once it is no challenge:
/// 451 (unavailable for legal reasons) or 403 (forbidden).
pub fn blocks(status: u16) -> bool {
    matches!(status, 403 | 451)
}

pub fn blocked_reason(status: u16) -> Reason {
    if status == 451 {
        reason!("http_451")
    } else {
        reason!("http_refuses_network", status = status)
    }
}

/// Body markers of bot-challenge pages (Cloudflare, Akamai, PerimeterX, Imperva),
/// looked for in the first part of the body only.
pub const CHALLENGE_MARKERS: &[&str] = &[
    "challenge-platform",
    "cf-chl-",
    "<title>Just a moment...</title>",
    "Attention Required! | Cloudflare",
    "_Incapsula_Resource",
    "px-captcha",
    "sec-if-cpt-container",
];

/// Why the answer means "reachable, but refusing us", or `None` (pure).
pub fn throttle(status: u16, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Option<Reason> {
    if status == 429 {
        return Some(reason!("rate_limited"));
    }
    if status == 503
        && let Some(wait) = retry_after(headers, now)
    {
        return Some(reason!("retry_after", wait_ms = wait));
    }
    let mitigated = headers
        .get("cf-mitigated")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("challenge"));
    if mitigated {
        return Some(reason!("bot_challenge", status = status));
    }
    let head = &body[..body.len().min(64 * 1024)];
    let head = String::from_utf8_lossy(head);
    CHALLENGE_MARKERS
        .iter()
        .find(|m| head.contains(*m))
        .map(|_| reason!("challenge_page", status = status))
}

/// `Retry-After` as a wait from `now`: delta-seconds or an HTTP date (pure).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = if let Ok(secs) = value.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        let when =
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(when.timestamp()).ok()?);
        when.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}
