//! The incident history as `/api/incidents` and `status --incidents` give it:
//! times in the answer's zone, durations in seconds, newest first (pure).

use chrono_tz::Tz;
use serde::Serialize;

use crate::channel::Channel;
use crate::i18n::Lang;
use crate::incident::Incident;
use crate::outcome::Outcome;
use crate::reason::Reason;
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
    pub checks: Vec<CheckOut>,
    /// Unix milliseconds of `start`, for the feeds' ids.
    #[serde(skip)]
    pub start_ms: i64,
}

/// One check's part in an incident, as the answer gives it: its reason in
/// the answer's language beside its code (both `null` when none was kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOut {
    pub check: String,
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub reason_code: Option<Reason>,
}

/// `list` (newest first) as the answer gives it, at `now_ms`, in `tz` and `lang`.
pub fn incidents_out(
    list: &[Incident],
    tz: Tz,
    lang: Lang,
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
                    checks: i
                        .checks
                        .iter()
                        .map(|c| CheckOut {
                            check: c.check.clone(),
                            outcome: c.outcome,
                            reason: c.reason.as_ref().map(|r| r.words(lang)),
                            reason_code: c.reason.clone(),
                        })
                        .collect(),
                    start_ms: i.start_ms,
                })
            })
            .collect(),
    }
}
