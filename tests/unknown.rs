//! The run-level `unknown` rule: when every control check fails in a run, the
//! OKX checks that failed in it are `unknown`, not `down`.

use std::sync::Arc;

use okx_monitor::outcome::Outcome;
use okx_monitor::probe::Prober;
use okx_monitor::runner;

use crate::support::{load, peers};

async fn run(toml: &str) -> Vec<Outcome> {
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
    let outcomes = run(&config(&closed, &closed, &chat)).await;
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
    let outcomes = run(&config(&open.addr.to_string(), &closed, &chat)).await;
    assert_eq!(outcomes, vec![Outcome::Up, Outcome::Down, Outcome::Down]);
}
