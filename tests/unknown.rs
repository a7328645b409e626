//! The run-level `unknown` rule: when every control check fails in a run, the
//! OKX checks that failed in it are `unknown`, not `down`.

use std::sync::Arc;

use okx_monitor::outcome::Outcome;
use okx_monitor::runner;
use okx_monitor::runner::Prober;

use crate::support::daemon::{Daemon, metric_sum};
use crate::support::{ConfigDir, load, peers, stdout};

async fn run_checks(toml: &str) -> Vec<Outcome> {
    let config = load(toml);
    let prober = Arc::new(Prober::new(&config.checks).unwrap());
    runner::run_once(prober, &config.checks, 16)
        .await
        .into_iter()
        .map(|r| r.outcome)
        .collect()
}

fn config(control_a: &str, control_b: &str, chat_url: &str) -> String {
    format!(
        r#"
[defaults]
timeout = "1s"

[[check]]
name = "control-a"
channel = "control"
kind = "tcp"
address = "{control_a}"

[[check]]
name = "control-b"
channel = "control"
kind = "tcp"
address = "{control_b}"

[[check]]
name = "chat"
channel = "chat"
kind = "http"
url = "{chat_url}"
"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn all_controls_down_makes_okx_failures_unknown() {
    let closed = format!("127.0.0.1:{}", peers::closed_port());
    let chat = format!("http://127.0.0.1:{}/", peers::closed_port());
    let outcomes = run_checks(&config(&closed, &closed, &chat)).await;
    assert_eq!(
        outcomes,
        vec![Outcome::Down, Outcome::Down, Outcome::Unknown]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_working_control_means_okx_is_down() {
    let open = peers::tarpit().await;
    let closed = format!("127.0.0.1:{}", peers::closed_port());
    let chat = format!("http://127.0.0.1:{}/", peers::closed_port());
    let outcomes = run_checks(&config(&open.addr.to_string(), &closed, &chat)).await;
    assert_eq!(outcomes, vec![Outcome::Up, Outcome::Down, Outcome::Down]);
}

/// The same rule on the daemon's path, where checks run on their own
/// schedules: every control fails, so `okx_monitor_local_network_up` is 0 and
/// the failing chat check is stored and counted as `unknown`, never `down`.
#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_counts_and_stores_unknown_when_every_control_fails() {
    let closed = format!("127.0.0.1:{}", peers::closed_port());
    let chat = format!("http://127.0.0.1:{}/", peers::closed_port());
    let toml = config(&closed, &closed, &chat).replace(
        "[defaults]\ntimeout = \"1s\"",
        "[defaults]\ntimeout = \"1s\"\nschedule = \"* * * * * *\"",
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let db = dir.path().join("u.db");
    let daemon = Daemon::start(dir.path(), &db).await;
    let started = std::time::Instant::now();
    let text = loop {
        let text = daemon.metrics().await;
        if metric_sum(&text, "okx_monitor_probes_total", "check=\"chat\"") >= 2.0 {
            break text;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(
        metric_sum(&text, "okx_monitor_local_network_up", ""),
        0.0,
        "{text}"
    );
    assert_eq!(
        metric_sum(
            &text,
            "okx_monitor_probes_total",
            "channel=\"chat\",check=\"chat\",outcome=\"down\""
        ),
        0.0,
        "{text}"
    );
    assert!(
        metric_sum(
            &text,
            "okx_monitor_probes_total",
            "channel=\"chat\",check=\"chat\",outcome=\"unknown\""
        ) >= 2.0
    );
    drop(daemon);
    let out = crate::support::run(&["export", "--db", db.to_str().unwrap(), "-"]).await;
    let chat_lines: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.contains("\"check\":\"chat\""))
        .map(str::to_string)
        .collect();
    assert!(!chat_lines.is_empty());
    assert!(
        chat_lines
            .iter()
            .all(|l| l.contains("\"outcome\":\"unknown\"")),
        "{chat_lines:?}"
    );
}
