//! Every metric of the daemon, declared in one place and fed from what happened
//! (a probe's report, a reload, the writer's counts); no other code touches the
//! registry. Names follow `okx_monitor_<name>_<unit>[_total]`, and label values
//! come from bounded sets only: check and channel names from the configuration,
//! outcomes, phases, failure kinds, extract names. Never a URL, an address or an
//! error text.

use std::sync::atomic::Ordering;

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::config::Check;
use crate::outcome::{MaintenanceState, Outcome, Report};
use crate::store::writer::WriterStats;

/// Buckets of `okx_monitor_probe_duration_seconds`: from a fast loopback answer
/// to the slowest timeout worth waiting for.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0,
    30.0,
];
const LATENESS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];
const PHASES: [&str; 5] = ["dns", "connect", "first_byte", "handshake", "frame"];
const SMTP_STATES: [&str; 2] = ["greeted", "failed"];

pub struct Metrics {
    registry: Registry,
    probe: ProbeSeries,
    kind: KindSeries,
    daemon: DaemonSeries,
}

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help)
}

impl Metrics {
    /// `vantage` names where this instance probes from; it labels every series,
    /// so that one Prometheus over many instances can tell them apart (and sum
    /// them) whatever its scrape configuration says.
    pub fn new(vantage: &str) -> Metrics {
        let labels =
            std::collections::HashMap::from([("vantage".to_string(), vantage.to_string())]);
        // Fails only for an invalid label name; `vantage` is a fixed, valid one.
        let r = Registry::new_custom(None, Some(labels)).expect("a valid constant label");
        let m = Metrics {
            probe: ProbeSeries::new(&r),
            kind: KindSeries::new(&r),
            daemon: DaemonSeries::new(&r),
            registry: r,
        };
        let build = reg_build_info(&m.registry);
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        m
    }

    /// Records one probe of `check`, started at unix time `started_s`.
    pub fn record(&self, check: &Check, report: &Report, started_s: f64) {
        let (name, channel) = (check.name.as_str(), check.channel.as_str());
        let cc = [name, channel];
        self.probe
            .probes
            .with_label_values(&[name, channel, report.outcome.as_str()])
            .inc();
        let ok = report.outcome.is_success();
        self.probe.success.with_label_values(&cc).set(i64::from(ok));
        self.probe.last_probe.with_label_values(&cc).set(started_s);
        if ok && let Some(l) = report.latency {
            self.probe
                .duration
                .with_label_values(&cc)
                .observe(l.as_secs_f64());
        }
        let p = &report.phases;
        for (phase, value) in
            PHASES
                .into_iter()
                .zip([p.dns, p.connect, p.first_byte, p.handshake, p.frame])
        {
            if let Some(v) = value {
                self.probe
                    .phase
                    .with_label_values(&[name, channel, phase])
                    .set(v.as_secs_f64());
            }
        }
        let d = &report.detail;
        if let Some(s) = d.http_status {
            self.kind
                .http_status
                .with_label_values(&cc)
                .set(i64::from(s));
        }
        if let Some(t) = d.tls_not_after {
            self.kind.tls_expiry.with_label_values(&cc).set(t as f64);
        }
        if let Some(n) = d.mx_records {
            self.kind
                .mx_records
                .with_label_values(&cc)
                .set(i64::from(n));
        }
        let extras = check.spec.extras();
        if extras.smtp {
            let greeted = d.mx_hosts.iter().filter(|h| h.ok).count() as i64;
            let failed = d.mx_hosts.len() as i64 - greeted;
            for (state, n) in SMTP_STATES.into_iter().zip([greeted, failed]) {
                self.kind
                    .smtp_hosts
                    .with_label_values(&[name, channel, state])
                    .set(n);
            }
            let starttls = d.mx_hosts.iter().any(|h| h.ok && h.starttls);
            self.kind
                .smtp_starttls
                .with_label_values(&cc)
                .set(i64::from(starttls));
        }
        for (key, value) in &d.extracted {
            self.kind
                .extracted
                .with_label_values(&[name, channel, key.as_str()])
                .set(*value);
        }
        if extras.maintenance {
            let answered = report.outcome.is_success() || report.outcome == Outcome::Maintenance;
            if answered {
                let ongoing = report.outcome == Outcome::Maintenance;
                self.kind
                    .maintenance_ongoing
                    .with_label_values(&cc)
                    .set(i64::from(ongoing));
                let scheduled: Vec<_> = d
                    .maintenance
                    .iter()
                    .filter(|m| m.state == MaintenanceState::Scheduled)
                    .collect();
                self.kind
                    .maintenance_scheduled
                    .with_label_values(&cc)
                    .set(scheduled.len() as i64);
                match scheduled.iter().filter_map(|m| m.begin_ms).min() {
                    Some(ms) => self
                        .kind
                        .maintenance_next
                        .with_label_values(&cc)
                        .set(ms as f64 / 1000.0),
                    None => {
                        let _ = self.kind.maintenance_next.remove_label_values(&cc);
                    }
                }
            }
        }
    }

    pub fn skipped(&self, check: &Check, reason: &'static str) {
        self.probe
            .skipped
            .with_label_values(&[check.name.as_str(), check.channel.as_str(), reason])
            .inc();
    }

    pub fn lateness(&self, seconds: f64) {
        self.probe.lateness.observe(seconds);
    }

    /// A notice's fate at a sink.
    pub fn notice(&self, sink: &str, event: &str, result: crate::notify::deliver::Result) {
        let result = match result {
            crate::notify::deliver::Result::Sent => "sent",
            crate::notify::deliver::Result::Failed => "failed",
            crate::notify::deliver::Result::Dropped => "dropped",
        };
        self.daemon
            .notices
            .with_label_values(&[sink, event, result])
            .inc();
    }

    /// Notices waiting to be delivered.
    pub fn notice_queue(&self, n: usize) {
        self.daemon.notice_queue.set(n as i64);
    }

    /// Whether this machine can run `check`.
    pub fn runnable(&self, check: &Check, runnable: bool) {
        self.daemon
            .runnable
            .with_label_values(&[check.name.as_str(), check.channel.as_str()])
            .set(i64::from(runnable));
    }

    /// `Some(up)` after control checks ran; `None` when none are configured.
    pub fn local_network(&self, up: Option<bool>) {
        match up {
            Some(up) => self.daemon.local_network.set(i64::from(up)),
            None => self.daemon.local_network.set(1),
        }
    }

    /// A configuration (re)load: success with its checks, or failure.
    pub fn config_loaded(&self, checks: Option<usize>) {
        match checks {
            Some(n) => {
                self.daemon.reload_success.set(1);
                self.daemon
                    .reload_time
                    .set(chrono::Utc::now().timestamp_millis() as f64 / 1000.0);
                self.daemon.checks.set(n as i64);
            }
            None => self.daemon.reload_success.set(0),
        }
    }

    /// Removes every series of a check that is no longer configured.
    pub fn forget(&self, check: &Check) {
        let (name, channel) = (check.name.as_str(), check.channel.as_str());
        let cc = [name, channel];
        for o in Outcome::ALL {
            let _ = self
                .probe
                .probes
                .remove_label_values(&[name, channel, o.as_str()]);
        }
        for reason in ["overrun", "retry_after"] {
            let _ = self
                .probe
                .skipped
                .remove_label_values(&[name, channel, reason]);
        }
        for phase in PHASES {
            let _ = self
                .probe
                .phase
                .remove_label_values(&[name, channel, phase]);
        }
        for state in SMTP_STATES {
            let _ = self
                .kind
                .smtp_hosts
                .remove_label_values(&[name, channel, state]);
        }
        if let Some(extract) = check.spec.extras().extracted {
            for key in extract.keys() {
                let _ = self
                    .kind
                    .extracted
                    .remove_label_values(&[name, channel, key.as_str()]);
            }
        }
        let _ = self.probe.duration.remove_label_values(&cc);
        let _ = self.daemon.runnable.remove_label_values(&cc);
        for g in [
            &self.probe.success,
            &self.kind.http_status,
            &self.kind.mx_records,
            &self.kind.smtp_starttls,
        ]
        .into_iter()
        .chain([
            &self.kind.maintenance_ongoing,
            &self.kind.maintenance_scheduled,
        ]) {
            let _ = g.remove_label_values(&cc);
        }
        for g in [
            &self.probe.last_probe,
            &self.kind.tls_expiry,
            &self.kind.maintenance_next,
        ] {
            let _ = g.remove_label_values(&cc);
        }
    }

    /// The text exposition of every metric, with the writer's counts brought up to date.
    pub fn render(&self, writer: Option<&WriterStats>) -> String {
        if let Some(w) = writer {
            catch_up(&self.daemon.written, w.written.load(Ordering::Relaxed));
            catch_up(
                &self.daemon.write_errors,
                w.write_errors.load(Ordering::Relaxed),
            );
            catch_up(&self.daemon.dropped, w.dropped.load(Ordering::Relaxed));
            self.daemon
                .pending
                .set(w.pending.load(Ordering::Relaxed) as i64);
        }
        let mut out = Vec::new();
        // Encoding into memory cannot fail for metrics this module built.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(DEFAULT_VANTAGE)
    }
}

/// Series every probe feeds, and the schedule's own.
struct ProbeSeries {
    probes: IntCounterVec,
    duration: HistogramVec,
    success: IntGaugeVec,
    last_probe: GaugeVec,
    phase: GaugeVec,
    skipped: IntCounterVec,
    lateness: prometheus::Histogram,
}

impl ProbeSeries {
    fn new(r: &Registry) -> ProbeSeries {
        let cc = &["check", "channel"];
        ProbeSeries {
            probes: reg(
                r,
                IntCounterVec::new(
                    opts("okx_monitor_probes_total", "Probes run, by outcome."),
                    &["check", "channel", "outcome"],
                ),
            ),
            duration: reg(
                r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "okx_monitor_probe_duration_seconds",
                        "Duration of probes whose outcome was up or degraded.",
                    )
                    .buckets(DURATION_BUCKETS.to_vec()),
                    cc,
                ),
            ),
            success: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_probe_success",
                        "1 when the last outcome was up or degraded, else 0.",
                    ),
                    cc,
                ),
            ),
            last_probe: reg(
                r,
                GaugeVec::new(
                    opts(
                        "okx_monitor_probe_last_timestamp_seconds",
                        "When the last probe of the check started.",
                    ),
                    cc,
                ),
            ),
            phase: reg(
                r,
                GaugeVec::new(
                    opts(
                        "okx_monitor_probe_phase_duration_seconds",
                        "Phases of the last probe: dns, connect (TCP, and TLS on https), first_byte (from the start).",
                    ),
                    &["check", "channel", "phase"],
                ),
            ),
            skipped: reg(
                r,
                IntCounterVec::new(
                    opts(
                        "okx_monitor_probes_skipped_total",
                        "Scheduled probes not run: overrun (the previous one still ran) or retry_after (the host asked us to wait).",
                    ),
                    &["check", "channel", "reason"],
                ),
            ),
            lateness: reg(
                r,
                prometheus::Histogram::with_opts(
                    HistogramOpts::new(
                        "okx_monitor_schedule_lateness_seconds",
                        "How late probes started after their scheduled time.",
                    )
                    .buckets(LATENESS_BUCKETS.to_vec()),
                ),
            ),
        }
    }
}

/// Series only some kinds feed (see `config::Extras`).
struct KindSeries {
    http_status: IntGaugeVec,
    tls_expiry: GaugeVec,
    mx_records: IntGaugeVec,
    smtp_hosts: IntGaugeVec,
    smtp_starttls: IntGaugeVec,
    extracted: GaugeVec,
    maintenance_ongoing: IntGaugeVec,
    maintenance_scheduled: IntGaugeVec,
    maintenance_next: GaugeVec,
}

impl KindSeries {
    fn new(r: &Registry) -> KindSeries {
        let cc = &["check", "channel"];
        KindSeries {
            http_status: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_http_status_code",
                        "HTTP status of the last answer.",
                    ),
                    cc,
                ),
            ),
            tls_expiry: reg(
                r,
                GaugeVec::new(
                    opts(
                        "okx_monitor_tls_cert_expiry_timestamp_seconds",
                        "When the server's TLS certificate expires.",
                    ),
                    cc,
                ),
            ),
            mx_records: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_mx_records",
                        "MX records found at the last probe.",
                    ),
                    cc,
                ),
            ),
            smtp_hosts: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_smtp_hosts",
                        "Mail hosts that greeted (220) or failed at the last probe.",
                    ),
                    &["check", "channel", "state"],
                ),
            ),
            smtp_starttls: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_smtp_starttls",
                        "1 when a greeting mail host offered STARTTLS.",
                    ),
                    cc,
                ),
            ),
            extracted: reg(
                r,
                GaugeVec::new(
                    opts(
                        "okx_monitor_extracted_value",
                        "Numbers extracted from JSON answers (`extract`).",
                    ),
                    &["check", "channel", "name"],
                ),
            ),
            maintenance_ongoing: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_maintenance_ongoing",
                        "1 while OKX announces ongoing maintenance.",
                    ),
                    cc,
                ),
            ),
            maintenance_scheduled: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_maintenance_scheduled",
                        "Maintenance events OKX announces as scheduled.",
                    ),
                    cc,
                ),
            ),
            maintenance_next: reg(
                r,
                GaugeVec::new(
                    opts(
                        "okx_monitor_maintenance_next_start_timestamp_seconds",
                        "Start of the next scheduled maintenance OKX announces.",
                    ),
                    cc,
                ),
            ),
        }
    }
}

/// The daemon's own state: network, configuration, writer.
struct DaemonSeries {
    runnable: IntGaugeVec,
    notices: IntCounterVec,
    notice_queue: IntGauge,
    local_network: IntGauge,
    reload_success: IntGauge,
    reload_time: Gauge,
    checks: IntGauge,
    written: IntCounter,
    write_errors: IntCounter,
    dropped: IntCounter,
    pending: IntGauge,
}

impl DaemonSeries {
    fn new(r: &Registry) -> DaemonSeries {
        DaemonSeries {
            notice_queue: reg(
                r,
                IntGauge::with_opts(opts(
                    "okx_monitor_notice_queue",
                    "Notices waiting to be delivered.",
                )),
            ),
            notices: reg(
                r,
                IntCounterVec::new(
                    opts(
                        "okx_monitor_notices_total",
                        "Notices by sink and event: sent; failed (one attempt, retried); dropped (every attempt failed, or the queue was full).",
                    ),
                    &["sink", "event", "result"],
                ),
            ),
            runnable: reg(
                r,
                IntGaugeVec::new(
                    opts(
                        "okx_monitor_check_runnable",
                        "1 when this machine can run the check, 0 when it cannot (a browser check without a Chromium): such a check is not probed.",
                    ),
                    &["check", "channel"],
                ),
            ),
            local_network: reg(
                r,
                IntGauge::with_opts(opts(
                    "okx_monitor_local_network_up",
                    "1 when at least one control check succeeded at its last probe, 0 when all failed.",
                )),
            ),
            reload_success: reg(
                r,
                IntGauge::with_opts(opts(
                    "okx_monitor_config_last_reload_successful",
                    "1 when the last configuration (re)load succeeded.",
                )),
            ),
            reload_time: reg(
                r,
                Gauge::with_opts(opts(
                    "okx_monitor_config_last_reload_success_timestamp_seconds",
                    "When the configuration was last loaded successfully.",
                )),
            ),
            checks: reg(
                r,
                IntGauge::with_opts(opts(
                    "okx_monitor_checks",
                    "Checks in the running configuration.",
                )),
            ),
            written: reg(
                r,
                IntCounter::with_opts(opts(
                    "okx_monitor_store_samples_written_total",
                    "Samples written to the database.",
                )),
            ),
            write_errors: reg(
                r,
                IntCounter::with_opts(opts(
                    "okx_monitor_store_write_errors_total",
                    "Failed database writes (each retried).",
                )),
            ),
            dropped: reg(
                r,
                IntCounter::with_opts(opts(
                    "okx_monitor_store_samples_dropped_total",
                    "Samples dropped because the database refused writes for too long.",
                )),
            ),
            pending: reg(
                r,
                IntGauge::with_opts(opts(
                    "okx_monitor_store_pending_samples",
                    "Samples waiting to be written.",
                )),
            ),
        }
    }
}

/// Registers a metric built from a static definition. Building fails only for
/// an invalid name or label and registering only for a name used twice: both
/// are fixed in this file, and every test that builds [`Metrics`] would fail
/// first, so neither can happen at run time.
fn reg<M: prometheus::core::Collector + Clone + 'static>(
    r: &Registry,
    m: prometheus::Result<M>,
) -> M {
    let m = m.expect("metric definitions are static and valid");
    r.register(Box::new(m.clone()))
        .expect("metric names are unique");
    m
}

/// The vantage of an instance that names none.
pub const DEFAULT_VANTAGE: &str = "default";

/// Moves a counter up to `total` (counters only go up; the writer owns the truth).
fn catch_up(counter: &IntCounter, total: u64) {
    let now = counter.get();
    if total > now {
        counter.inc_by(total - now);
    }
}

fn reg_build_info(r: &Registry) -> IntGaugeVec {
    reg(
        r,
        IntGaugeVec::new(
            opts(
                "okx_monitor_build_info",
                "Always 1; the version is a label.",
            ),
            &["version"],
        ),
    )
}
