//! The exposition of `/metrics`, byte for byte, for a known run of every kind of
//! series: what any encoder must write (tests/fixtures/metrics.txt), and what
//! promtool and Prometheus read (tests/dashboards.rs, tests/prometheus.rs).

use std::collections::BTreeMap;
use std::time::Duration;

use okx_monitor::metrics::{Metrics, Skip};
use okx_monitor::notify::deliver::Result as Delivery;
use okx_monitor::outcome::{Maintenance, MaintenanceState, MxHost, Outcome, Phases, Report};

use crate::support;

const CHECKS: &str = r#"
[[check]]
name = "web"
channel = "help_center"
kind = "http"
url = "https://www.okx.com/"
extract = { server_time = "/data/0/ts" }

[[check]]
name = "mail"
channel = "email"
kind = "mx"
domain = "okx.com"
smtp = true

[[check]]
name = "maint"
channel = "status"
kind = "okx_status"
url = "https://www.okx.com/api/v5/system/status"

[[check]]
name = "gone"
channel = "social"
kind = "tcp"
address = "127.0.0.1:9"
"#;

fn ms(n: u64) -> Option<Duration> {
    Some(Duration::from_millis(n))
}

fn mx(ok: bool, starttls: bool) -> MxHost {
    MxHost {
        host: "mx.example".into(),
        preference: 10,
        ok,
        greeting_code: ok.then_some(220),
        starttls,
        latency: ms(30),
        reason: okx_monitor::reason!("ok"),
    }
}

fn maintenance(state: MaintenanceState, begin_ms: Option<i64>) -> Maintenance {
    Maintenance {
        title: "upgrade".into(),
        state,
        begin_ms,
        end_ms: None,
        service_type: None,
        system: None,
        href: None,
        maint_type: None,
    }
}

/// Every series the daemon writes, each fed at least once.
fn a_known_run() -> Metrics {
    let config = support::load(CHECKS);
    let [web, mail, maint, gone] = [0, 1, 2, 3].map(|i| &config.checks[i]);
    let m = Metrics::new("lab \"1\"\nA");

    let mut r = Report::new(Outcome::Up, okx_monitor::reason!("ok"));
    r.latency = ms(123);
    r.phases = Phases {
        dns: ms(5),
        connect: ms(20),
        first_byte: ms(90),
        total: ms(123),
        ..Phases::default()
    };
    r.detail.http_status = Some(200);
    r.detail.tls_not_after = Some(1_900_000_000);
    r.detail.extracted = BTreeMap::from([("server_time".to_string(), 1.5e12)]);
    m.record(web, &r, 1_793_000_000.25);
    let mut slow = r.clone();
    slow.outcome = Outcome::Degraded;
    slow.latency = ms(31_000);
    m.record(web, &slow, 1_793_000_060.5);
    m.record(
        web,
        &Report::new(
            Outcome::Down,
            okx_monitor::reason!("connect_refused", addr = "127.0.0.1:443"),
        ),
        1_793_000_120.0,
    );

    let mut r = Report::new(Outcome::Up, okx_monitor::reason!("ok"));
    r.latency = ms(40);
    r.detail.mx_records = Some(2);
    r.detail.mx_hosts = vec![mx(true, true), mx(false, false)];
    m.record(mail, &r, 1_793_000_001.0);

    let mut r = Report::new(
        Outcome::Maintenance,
        okx_monitor::reason!("okx_maintenance", title = "scheduled upgrade"),
    );
    r.detail.maintenance = vec![
        maintenance(MaintenanceState::Ongoing, Some(1_792_999_000_000)),
        maintenance(MaintenanceState::Scheduled, Some(1_793_100_000_000)),
        maintenance(MaintenanceState::Scheduled, Some(1_793_050_000_500)),
    ];
    m.record(maint, &r, 1_793_000_002.0);

    m.record(
        gone,
        &Report::new(Outcome::Up, okx_monitor::reason!("ok")),
        1_793_000_003.0,
    );
    m.forget(gone);

    m.skipped(web, Skip::Overrun);
    m.skipped(web, Skip::Overrun);
    m.skipped(mail, Skip::RetryAfter);
    m.lateness(0.0007);
    m.lateness(3.0);
    m.notice("ntfy", "recovered", Delivery::Sent);
    m.notice("mail", "down", Delivery::Failed);
    m.notice("mail", "down", Delivery::Dropped);
    m.notice_queue("ntfy", 2);
    m.runnable(web, true);
    m.runnable(mail, false);
    m.local_network(Some(false));
    m.channel_state(okx_monitor::channel::Channel::Chat, Outcome::Down);
    m.channel_state(okx_monitor::channel::Channel::Email, Outcome::Unknown);
    m
}

#[test]
fn the_exposition_is_exactly_the_known_text() {
    let text = a_known_run().render(None);
    // No reload in the run, so no value comes from the clock.
    let expected = include_str!("fixtures/metrics.txt");
    if std::env::var_os("METRICS_FIXTURE_WRITE").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/metrics.txt"),
            &text,
        )
        .unwrap();
    }
    let diff: Vec<_> = text
        .lines()
        .zip(expected.lines())
        .filter(|(a, b)| a != b)
        .take(5)
        .collect();
    assert!(
        diff.is_empty() && text.lines().count() == expected.lines().count(),
        "first differing lines (now, expected): {diff:#?}\n{text}"
    );
}
