//! Every family of the exposition, in name order: its name, help and type,
//! and how its rows are read from the daemon's or each check's values. The
//! one list `/metrics`, the README's table and the fixture are held to.

use super::text::{self, Family, Text, Type, Value};
use super::{
    CheckValues, DaemonValues, Metrics, OUTCOMES_BY_NAME, PHASES, SMTP_STATES, Skip, lock,
};

/// How a family's rows are written: once for the daemon, or once per check.
pub(super) enum Rows {
    Daemon(fn(&Metrics, &mut Text, &Family)),
    Check(fn(&Metrics, &mut Text, &Family, &str, &CheckValues)),
}

const fn family(name: &'static str, help: &'static str, kind: Type) -> Family {
    Family { name, help, kind }
}

fn int(v: impl Into<i64>) -> Value {
    Value::Int(v.into())
}

/// One gauge of the daemon's own values.
fn daemon_value(m: &Metrics, t: &mut Text, f: &Family, read: fn(&DaemonValues) -> Value) {
    let value = read(&lock(&m.daemon));
    t.sample(f, "", None, value);
}

/// One gauge per check, when the check has it.
fn check_value(t: &mut Text, f: &Family, labels: &str, value: Option<Value>) {
    if let Some(value) = value {
        t.sample(f, labels, None, value);
    }
}

/// Every family, in name order (the order of the exposition).
pub(super) const FAMILIES: &[(Family, Rows)] = &[
    (
        family(
            "okx_monitor_build_info",
            "Always 1; the version is a label.",
            Type::Gauge,
        ),
        Rows::Daemon(|_, t, f| {
            t.sample(f, "", Some(("version", env!("CARGO_PKG_VERSION"))), int(1))
        }),
    ),
    (
        family(
            "okx_monitor_channel_state",
            "The channel's state now, judged from its checks' last probes as status and the page judge it: 0 up, 1 degraded, 2 throttled, 3 down, 4 unknown, 5 maintenance, 6 blocked.",
            Type::Gauge,
        ),
        Rows::Daemon(|m, t, f| {
            let d = lock(&m.daemon);
            for (channel, code) in &d.channel_state {
                t.sample(f, "", Some(("channel", channel)), int(*code));
            }
        }),
    ),
    (
        family(
            "okx_monitor_check_runnable",
            "1 when this machine can run the check, 0 when it cannot (a browser check without a Chromium): such a check is not probed.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.runnable.map(int))),
    ),
    (
        family(
            "okx_monitor_checks",
            "Checks in the running configuration.",
            Type::Gauge,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| int(d.checks))),
    ),
    (
        family(
            "okx_monitor_config_last_reload_success_timestamp_seconds",
            "When the configuration was last loaded successfully.",
            Type::Gauge,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| Value::Float(d.reload_time))),
    ),
    (
        family(
            "okx_monitor_config_last_reload_successful",
            "1 when the last configuration (re)load succeeded.",
            Type::Gauge,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| int(d.reload_success))),
    ),
    (
        family(
            "okx_monitor_extracted_value",
            "Numbers extracted from JSON answers (`extract`).",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| {
            for (name, value) in &v.extracted {
                t.sample(f, l, Some(("name", name)), Value::Float(*value));
            }
        }),
    ),
    (
        family(
            "okx_monitor_http_status_code",
            "HTTP status of the last answer.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.http_status.map(int))),
    ),
    (
        family(
            "okx_monitor_local_network_up",
            "1 when at least one control check succeeded at its last probe, 0 when all failed.",
            Type::Gauge,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| int(d.local_network))),
    ),
    (
        family(
            "okx_monitor_maintenance_next_start_timestamp_seconds",
            "Start of the next scheduled maintenance OKX announces.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.maintenance_next.map(Value::Float))),
    ),
    (
        family(
            "okx_monitor_maintenance_ongoing",
            "1 while OKX announces ongoing maintenance.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.maintenance_ongoing.map(int))),
    ),
    (
        family(
            "okx_monitor_maintenance_scheduled",
            "Maintenance events OKX announces as scheduled.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| {
            check_value(t, f, l, v.maintenance_scheduled.map(|n| int(n as i64)))
        }),
    ),
    (
        family(
            "okx_monitor_mx_records",
            "MX records found at the last probe.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.mx_records.map(int))),
    ),
    (
        family(
            "okx_monitor_notice_queue",
            "Notices waiting to be delivered, by sink (each sink has its own queue).",
            Type::Gauge,
        ),
        Rows::Daemon(|m, t, f| {
            for (sink, n) in &lock(&m.daemon).notice_queue {
                t.sample(f, &text::labels(&[("sink", sink)]), None, int(*n));
            }
        }),
    ),
    (
        family(
            "okx_monitor_notices_total",
            "Notices by sink and event: sent; failed (one attempt, retried); dropped (every attempt failed, or the queue was full).",
            Type::Counter,
        ),
        Rows::Daemon(|m, t, f| {
            for ((event, result, sink), n) in &lock(&m.daemon).notices {
                let labels = text::labels(&[("event", event), ("result", result), ("sink", sink)]);
                t.sample(f, &labels, None, int(*n as i64));
            }
        }),
    ),
    (
        family(
            "okx_monitor_okx_declared_disruptions",
            "Disruptions OKX itself reports as ongoing (maintType 3) at the last answer.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.declared.map(|n| int(n as i64)))),
    ),
    (
        family(
            "okx_monitor_probe_duration_seconds",
            "Duration of probes whose outcome was up or degraded.",
            Type::Histogram,
        ),
        Rows::Check(|m, t, f, l, v| {
            if let Some(h) = &v.duration {
                t.histogram(f, l, &m.duration_bounds, h);
            }
        }),
    ),
    (
        family(
            "okx_monitor_probe_last_timestamp_seconds",
            "When the last probe of the check started.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.last_probe.map(Value::Float))),
    ),
    (
        family(
            "okx_monitor_probe_phase_duration_seconds",
            "Phases of the last probe: dns, connect (TCP, and TLS on https), first_byte (from the start).",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| {
            for (phase, value) in PHASES.iter().zip(v.phase) {
                if let Some(s) = value {
                    t.sample(f, l, Some(("phase", phase)), Value::Float(s));
                }
            }
        }),
    ),
    (
        family(
            "okx_monitor_probe_success",
            "1 when the last outcome was up or degraded, else 0.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.success.map(int))),
    ),
    (
        family(
            "okx_monitor_probes_skipped_total",
            "Scheduled probes not run: overrun (the previous one still ran) or retry_after (the host asked us to wait).",
            Type::Counter,
        ),
        Rows::Check(|_, t, f, l, v| {
            for reason in Skip::ALL {
                let n = v.skipped[reason as usize];
                if n > 0 {
                    t.sample(f, l, Some(("reason", reason.as_str())), int(n as i64));
                }
            }
        }),
    ),
    (
        family(
            "okx_monitor_probes_total",
            "Probes run, by outcome.",
            Type::Counter,
        ),
        Rows::Check(|_, t, f, l, v| {
            for o in OUTCOMES_BY_NAME {
                let n = v.probes[o.code()];
                if n > 0 {
                    t.sample(f, l, Some(("outcome", o.as_str())), int(n as i64));
                }
            }
        }),
    ),
    (
        family(
            "okx_monitor_schedule_lateness_seconds",
            "How late probes started after their scheduled time.",
            Type::Histogram,
        ),
        Rows::Daemon(|m, t, f| t.histogram(f, "", &m.lateness_bounds, &lock(&m.lateness))),
    ),
    (
        family(
            "okx_monitor_smtp_hosts",
            "Mail hosts that greeted (220) or failed at the last probe.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| {
            for (state, n) in SMTP_STATES.iter().zip(v.smtp_hosts.iter().flatten()) {
                t.sample(f, l, Some(("state", state)), int(*n));
            }
        }),
    ),
    (
        family(
            "okx_monitor_smtp_starttls",
            "1 when a greeting mail host offered STARTTLS.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| check_value(t, f, l, v.smtp_starttls.map(int))),
    ),
    (
        family(
            "okx_monitor_store_pending_samples",
            "Samples waiting to be written.",
            Type::Gauge,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| int(d.pending))),
    ),
    (
        family(
            "okx_monitor_store_samples_dropped_total",
            "Samples dropped because the database refused writes for too long.",
            Type::Counter,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| int(d.dropped as i64))),
    ),
    (
        family(
            "okx_monitor_store_samples_written_total",
            "Samples written to the database.",
            Type::Counter,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| int(d.written as i64))),
    ),
    (
        family(
            "okx_monitor_store_write_errors_total",
            "Failed database writes (each retried).",
            Type::Counter,
        ),
        Rows::Daemon(|m, t, f| daemon_value(m, t, f, |d| int(d.write_errors as i64))),
    ),
    (
        family(
            "okx_monitor_tls_cert_expiry_timestamp_seconds",
            "When the server's TLS certificate expires.",
            Type::Gauge,
        ),
        Rows::Check(|_, t, f, l, v| {
            check_value(t, f, l, v.tls_expiry.map(|s| Value::Float(s as f64)))
        }),
    ),
];
