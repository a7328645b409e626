//! The `okx_status` prober: OKX's `/api/v5/system/status` announcement. Ongoing
//! maintenance → `maintenance`; an ongoing system disruption (maintType "3")
//! is OKX declaring an incident: kept as data (OKX's own word leads the
//! advice), not maintenance; scheduled events are kept as data for `status`.
//! The parser ([`parse`]) is pure; unknown `serviceType` and `maintType`
//! values are kept, never an error.

use std::time::{Duration, SystemTime};

use super::OkxStatusSpec;
use crate::kinds::http::Method;
use crate::kinds::http::probe as http;
use crate::kinds::unprepared;
use crate::outcome::{Failure, Maintenance, MaintenanceState, Outcome, Report, grade};
use crate::probe::{PhaseClock, refusal};
use crate::reason;
use crate::reason::Reason;

impl OkxStatusSpec {
    pub async fn probe(&self, via: &crate::kinds::Via<'_>, clock: &PhaseClock) -> Report {
        match http::Via::of(via) {
            Some(v) => probe(v, self, via.slow, clock).await,
            None => unprepared(),
        }
    }
}

async fn probe(
    via: http::Via<'_>,
    spec: &OkxStatusSpec,
    slow: Duration,
    clock: &PhaseClock,
) -> Report {
    let no_headers = Default::default();
    let f = match http::fetch(via, Method::Get, &spec.url, &no_headers, clock).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    judge(&f, slow, SystemTime::now())
}

/// Judges the API's answer (pure).
pub fn judge(f: &http::Fetched, slow: Duration, now: SystemTime) -> Report {
    let mut report =
        if let Some((failure, why)) = refusal::refused(f.status, &f.headers, &f.body, now) {
            let mut r = Report::failed(failure, why);
            r.detail.retry_after = refusal::retry_after(&f.headers, now);
            r
        } else if refusal::blocks(f.status) {
            Report::failed(Failure::Blocked, refusal::blocked_reason(f.status))
        } else if !(200..300).contains(&f.status) {
            Report::failed(
                Failure::Status,
                reason!("http_status_not_2xx", status = f.status),
            )
        } else {
            match parse(&f.body) {
                Err(why) => Report::failed(Failure::Protocol, why),
                Ok(events) => {
                    let ongoing: Vec<&Maintenance> = events
                        .iter()
                        .filter(|e| e.state.is_underway() && !e.is_declared_disruption())
                        .collect();
                    let declared = events.iter().find(|e| e.is_declared_disruption());
                    let mut r = match (ongoing.first(), declared) {
                        (Some(e), _) => Report::failed(
                            Failure::Maintenance,
                            reason!("okx_maintenance", title = &e.title),
                        ),
                        (None, Some(e)) => {
                            let (outcome, _) = grade(f.latency, slow);
                            Report::new(outcome, reason!("okx_disruption", title = &e.title))
                        }
                        (None, None) => {
                            let (outcome, reason) = grade(f.latency, slow);
                            let scheduled = events
                                .iter()
                                .filter(|e| e.state == MaintenanceState::Scheduled)
                                .count();
                            let reason = if scheduled > 0 && outcome == Outcome::Up {
                                reason!("okx_scheduled", count = scheduled)
                            } else {
                                reason
                            };
                            Report::new(outcome, reason)
                        }
                    };
                    r.detail.maintenance = events;
                    r
                }
            }
        };
    report.latency = Some(f.latency);
    report.detail.http_status = Some(f.status);
    report.detail.tls_not_after = f.tls_not_after;
    report
}

/// Reads the announcement: `{"code":"0","data":[{"title":…,"state":…,"begin":"<ms>",…}]}`.
pub fn parse(body: &[u8]) -> Result<Vec<Maintenance>, Reason> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| reason!("okx_status_not_json", error = e.to_string()))?;
    let code = match v.get("code") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err(reason!("okx_status_no_code")),
    };
    if code != "0" {
        let msg = v.get("msg").and_then(|m| m.as_str()).unwrap_or("");
        return Err(reason!("okx_status_code", code = code, msg = msg));
    }
    let data = v
        .get("data")
        .and_then(|d| d.as_array())
        .ok_or_else(|| reason!("okx_status_no_data"))?;
    let text = |e: &serde_json::Value, k: &str| -> Option<String> {
        match e.get(k)? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let millis = |e: &serde_json::Value, k: &str| text(e, k).and_then(|s| s.parse::<i64>().ok());
    data.iter()
        .map(|e| {
            if !e.is_object() {
                return Err(reason!("okx_status_entry_not_object"));
            }
            Ok(Maintenance {
                title: text(e, "title").unwrap_or_else(|| "(untitled)".to_string()),
                state: text(e, "state")
                    .ok_or_else(|| reason!("okx_status_no_state"))?
                    .into(),
                begin_ms: millis(e, "begin"),
                end_ms: millis(e, "end"),
                service_type: text(e, "serviceType"),
                system: text(e, "system"),
                href: text(e, "href"),
                maint_type: text(e, "maintType"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_announcement() {
        let body = br#"{"code":"0","msg":"","data":[
            {"begin":"1672823400000","end":"1672825980000","href":"","serviceType":"0",
             "state":"scheduled","system":"unified","title":"Spot upgrade"}]}"#;
        let events = parse(body).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].state, MaintenanceState::Scheduled);
        assert_eq!(events[0].begin_ms, Some(1_672_823_400_000));
        assert_eq!(events[0].href, None);
    }

    #[test]
    fn refuses_what_is_not_the_announcement() {
        for bad in [
            &b"<html>"[..],
            b"{}",
            br#"{"code":"50001","msg":"busy"}"#,
            br#"{"code":"0","data":{}}"#,
            br#"{"code":"0","data":[1]}"#,
            b"\xff\xfe",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(
            parse(br#"{"code":"50001","msg":"busy"}"#)
                .unwrap_err()
                .to_string(),
            "the status API answered code 50001: busy"
        );
    }
}
