//! A sample: one probe of one check at one instant, as the history keeps it,
//! and the latest sample of a check as `status` reads it. Plain data over the
//! outcome; no I/O.

use crate::channel::Channel;
use crate::outcome::{Detail, Maintenance, Outcome, Report};
use crate::reason::Reason;

/// One probe's result as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Unix milliseconds, when the probe started.
    pub ts_ms: i64,
    pub check: String,
    pub channel: Channel,
    pub outcome: Outcome,
    /// Microseconds to a complete answer; `None` when none came.
    pub latency_us: Option<i64>,
    pub dns_us: Option<i64>,
    pub connect_us: Option<i64>,
    pub first_byte_us: Option<i64>,
    pub http_status: Option<u16>,
    /// JSON of the rest worth keeping (reason of a failure, MX hosts, extracted
    /// values, maintenance, certificate expiry); `None` when there is nothing.
    pub detail: Option<String>,
}

impl Sample {
    /// The sample of `report`, a probe of check `check` of `channel` that
    /// started at `ts_ms`.
    pub fn new(check: &str, channel: Channel, ts_ms: i64, report: &Report) -> Sample {
        let us = |d: Option<std::time::Duration>| d.map(|d| d.as_micros() as i64);
        Sample {
            ts_ms,
            check: check.to_string(),
            channel,
            outcome: report.outcome,
            latency_us: us(report.latency),
            dns_us: us(report.phases.dns),
            // The stored column keeps its meaning: TCP and TLS together.
            connect_us: us(match (report.phases.connect, report.phases.tls) {
                (Some(c), Some(t)) => Some(c + t),
                (c, _) => c,
            }),
            first_byte_us: us(report.phases.first_byte),
            http_status: report.detail.http_status,
            detail: kept_detail(report),
        }
    }
}

/// What of a report's detail a sample keeps, as JSON: the reason of a failure
/// and every detail a kind reports (the whole [`crate::outcome::Detail`] but
/// what has a column of its own or only matters now: the HTTP status, the
/// addresses, `Retry-After`). A new detail field is kept without a change here.
fn kept_detail(report: &Report) -> Option<String> {
    // Most probes: a success whose detail is only what is not kept. No JSON
    // is built for them (it was about 2 % of the daemon's CPU a probe).
    if report.outcome.is_success() && only_transient(&report.detail) {
        return None;
    }
    let mut detail = match serde_json::to_value(&report.detail) {
        Ok(serde_json::Value::Object(map)) => map,
        // Detail is a struct of plain fields; it always serializes to an object.
        _ => serde_json::Map::new(),
    };
    for transient in [
        "http_status",
        "addresses",
        "retry_after",
        "opened",
        "final_url",
        "title",
        "redirects",
        "rule",
    ] {
        detail.remove(transient);
    }
    if !report.outcome.is_success() {
        detail.insert("reason".into(), report.reason.to_json());
        if let Some(f) = report.failure {
            detail.insert("failure".into(), serde_json::json!(f));
        }
    }
    (!detail.is_empty()).then(|| serde_json::Value::Object(detail).to_string())
}

/// Whether `d` holds nothing but what a sample does not keep. Every field is
/// named, so that a new one is considered here before it compiles.
fn only_transient(d: &Detail) -> bool {
    let Detail {
        http_status: _,
        addresses: _,
        retry_after: _,
        opened: _,
        final_url: _,
        title: _,
        redirects: _,
        rule: _,
        tls_not_after,
        mx_records,
        mx_hosts,
        extracted,
        maintenance,
        websocket_hosts,
        frame_hosts,
        websocket_hosts_before_click,
        frame_hosts_before_click,
    } = d;
    tls_not_after.is_none()
        && mx_records.is_none()
        && mx_hosts.is_empty()
        && extracted.is_empty()
        && maintenance.is_empty()
        && websocket_hosts.is_empty()
        && frame_hosts.is_empty()
        && websocket_hosts_before_click.is_empty()
        && frame_hosts_before_click.is_empty()
}

/// The latest sample of one check.
#[derive(Debug, Clone)]
pub struct Latest {
    pub check: String,
    pub channel: Channel,
    pub outcome: Outcome,
    pub ts_ms: i64,
    /// When the check's current run of this outcome began.
    pub since_ms: i64,
    /// Announced maintenance, from an `okx_status` check's last answer.
    pub maintenance: Vec<Maintenance>,
    /// Why the last probe failed, when it did.
    pub reason: Option<Reason>,
    /// Its failure kind, when it failed.
    pub failure: Option<crate::outcome::Failure>,
}

impl Latest {
    /// A check's latest sample once `sample` (of `report`) came after
    /// `prev`; `None` when `sample` is older than `prev` (probes end out of
    /// order) and changes nothing.
    pub fn after(prev: Option<&Latest>, sample: &Sample, report: &Report) -> Option<Latest> {
        if prev.is_some_and(|p| p.ts_ms > sample.ts_ms) {
            return None;
        }
        let since_ms = prev
            .filter(|p| p.outcome == sample.outcome)
            .map_or(sample.ts_ms, |p| p.since_ms);
        let failed = !sample.outcome.is_success();
        Some(Latest {
            check: sample.check.clone(),
            channel: sample.channel,
            outcome: sample.outcome,
            ts_ms: sample.ts_ms,
            since_ms,
            maintenance: report.detail.maintenance.clone(),
            reason: failed.then(|| report.reason.clone()),
            failure: if failed { report.failure } else { None },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Failure, MaintenanceState};

    #[test]
    fn a_sample_keeps_the_reason_of_a_failure_and_the_detail_worth_keeping() {
        let mut r = Report::failed(
            Failure::Connect,
            crate::reason!("connect_refused", addr = "127.0.0.1:443"),
        );
        r.detail.http_status = Some(503);
        r.detail.addresses = vec!["127.0.0.1".parse().unwrap()];
        r.detail.maintenance.push(Maintenance {
            title: "Upgrade".into(),
            state: MaintenanceState::Scheduled,
            begin_ms: Some(1),
            end_ms: None,
            service_type: None,
            system: None,
            href: None,
            maint_type: None,
        });
        let s = Sample::new("chat", Channel::Chat, 7, &r);
        assert_eq!(s.http_status, Some(503));
        let d: serde_json::Value = serde_json::from_str(s.detail.as_deref().unwrap()).unwrap();
        assert_eq!(
            d["reason"],
            serde_json::json!({"code": "connect_refused", "addr": "127.0.0.1:443"})
        );
        assert_eq!(d["failure"], "connect");
        assert_eq!(d["maintenance"][0]["state"], "scheduled");
        assert!(d.get("addresses").is_none() && d.get("http_status").is_none());
        let mut up = Report::new(Outcome::Up, crate::reason!("ok"));
        up.detail.http_status = Some(200);
        up.detail.addresses = vec!["127.0.0.1".parse().unwrap()];
        assert_eq!(Sample::new("chat", Channel::Chat, 7, &up).detail, None);
        // A success keeps what it found, by the same rule as a failure.
        up.detail.tls_not_after = Some(1_900_000_000);
        up.detail.extracted.insert("online".into(), 17.0);
        let d = Sample::new("chat", Channel::Chat, 7, &up).detail.unwrap();
        assert_eq!(
            d,
            r#"{"extracted":{"online":17.0},"tls_not_after":1900000000}"#
        );
    }

    #[test]
    fn the_latest_keeps_since_while_the_outcome_holds_and_ignores_older_probes() {
        let down = Report::failed(
            Failure::Connect,
            crate::reason!("connect_refused", addr = "127.0.0.1:443"),
        );
        let up = Report::new(Outcome::Up, crate::reason!("ok"));
        let first =
            Latest::after(None, &Sample::new("c", Channel::Chat, 10, &down), &down).unwrap();
        assert_eq!(
            (first.since_ms, first.reason.as_ref().map(|r| r.to_string())),
            (10, Some("connection refused by 127.0.0.1:443".to_string()))
        );
        let again = Latest::after(
            Some(&first),
            &Sample::new("c", Channel::Chat, 20, &down),
            &down,
        );
        assert_eq!(again.as_ref().unwrap().since_ms, 10, "still down since 10");
        let back = Latest::after(
            again.as_ref(),
            &Sample::new("c", Channel::Chat, 30, &up),
            &up,
        )
        .unwrap();
        assert_eq!(
            (back.since_ms, back.reason.clone(), back.failure),
            (30, None, None)
        );
        assert!(
            Latest::after(
                Some(&back),
                &Sample::new("c", Channel::Chat, 25, &down),
                &down
            )
            .is_none()
        );
    }
}
