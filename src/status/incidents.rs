//! The incident history as `/api/incidents` and `status --incidents` give it:
//! times in the answer's zone, durations in seconds, newest first (pure).

use chrono_tz::Tz;
use serde::Serialize;

use crate::channel::Channel;
use crate::incident::{CheckPart, Incident};
use crate::outcome::Outcome;
use crate::stamp::Stamp;

#[derive(Debug, Clone, Serialize)]
pub struct Incidents {
    pub timezone: String,
    pub window: crate::duration::Span,
    pub incidents: Vec<IncidentOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentOut {
    pub channel: Channel,
    /// down, blocked or throttled: the worst while it lasted.
    pub state: Outcome,
    pub start: Stamp,
    /// `None` while it lasts.
    pub end: Option<Stamp>,
    /// How long it lasted, or has lasted so far.
    pub duration_s: i64,
    pub checks: Vec<CheckPart>,
    /// Unix milliseconds of `start`, for the feeds' ids.
    #[serde(skip)]
    pub start_ms: i64,
}

/// `list` (newest first) as the answer gives it, at `now_ms`, in `tz`.
pub fn incidents_out(
    list: &[Incident],
    tz: Tz,
    window: std::time::Duration,
    now_ms: i64,
) -> Incidents {
    Incidents {
        timezone: tz.name().to_string(),
        window: crate::duration::Span(window),
        incidents: list
            .iter()
            .filter_map(|i| {
                Some(IncidentOut {
                    channel: i.channel,
                    state: i.state,
                    start: Stamp::from_ms(i.start_ms, tz)?,
                    end: i.end_ms.and_then(|ms| Stamp::from_ms(ms, tz)),
                    duration_s: i.duration_ms(now_ms) / 1000,
                    checks: i.checks.clone(),
                    start_ms: i.start_ms,
                })
            })
            .collect(),
    }
}
