//! Histories as JSON Lines, for `import`: one line per sample, and a clock
//! that steps through the days before now.

use chrono::{DateTime, Utc};

/// One sample as `import` reads it; `ms: None` is no latency.
pub fn line(
    ts: DateTime<Utc>,
    check: &str,
    channel: &str,
    outcome: &str,
    ms: Option<f64>,
) -> String {
    let latency = ms.map_or("null".to_string(), |v| v.to_string());
    format!(
        r#"{{"ts":"{}","check":"{check}","channel":"{channel}","outcome":"{outcome}","latency_ms":{latency}}}"#,
        ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

/// Calls `f` every `step` minutes from `days` days before `now` up to `now`.
pub fn every(
    now: DateTime<Utc>,
    days: i64,
    step: i64,
    mut f: impl FnMut(DateTime<Utc>, &mut Vec<String>),
) -> Vec<String> {
    let mut out = Vec::new();
    let mut t = now - chrono::Duration::days(days);
    while t < now {
        f(t, &mut out);
        t += chrono::Duration::minutes(step);
    }
    out
}
