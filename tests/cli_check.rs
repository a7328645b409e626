//! `okx-monitor check` as a user runs it: table and JSON output, `--only`, exit
//! codes, and the bounds on time and memory whatever the peers do.

use std::time::{Duration, Instant};

use crate::support::peers::{self, Answer, response};
use crate::support::{ConfigDir, run, run_measuring_rss, stderr, stdout};

fn http_check(name: &str, channel: &str, url: &str, extra: &str) -> String {
    format!(
        "[[check]]\nname = \"{name}\"\nchannel = \"{channel}\"\nkind = \"http\"\nurl = \"{url}\"\n{extra}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn table_json_only_and_exit_codes() {
    let peer = peers::http(|head| match peers::path(head) {
        "/help" => response(200, &[], "Help Center"),
        _ => response(500, &[], "oops"),
    })
    .await;
    let dir = ConfigDir::new(&[(
        "okx.toml",
        &[
            "[defaults]\ntimeout = \"2s\"\n".to_string(),
            http_check("help-center", "help_center", &peer.url("/help"), ""),
            http_check("chat", "chat", &peer.url("/chat"), ""),
        ]
        .concat(),
    )]);
    let config = dir.path().to_str().unwrap();

    let out = run(&["--config", config, "check"]).await;
    assert_eq!(out.status.code(), Some(1), "chat is down: {}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("CHECK"), "{table}");
    assert!(
        lines[1].starts_with("help-center") && lines[1].contains(" up "),
        "{table}"
    );
    assert!(
        lines[2].starts_with("chat") && lines[2].contains("HTTP 500, expected 2xx"),
        "{table}"
    );
    let col = lines[0].find("OUTCOME").unwrap();
    assert_eq!(&lines[1][col..col + 2], "up", "aligned columns:\n{table}");
    assert!(
        !table.contains('\x1b'),
        "no colour with NO_COLOR or off a terminal"
    );

    let out = run(&["--config", config, "check", "--only", "help-center"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("chat"));

    let out = run(&[
        "--config",
        config,
        "check",
        "--format",
        "json",
        "--only",
        "chat",
        "--only",
        "help-center",
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0]["check"], "help-center");
    assert_eq!(checks[0]["channel"], "help_center");
    assert_eq!(checks[0]["kind"], "http");
    assert_eq!(checks[0]["outcome"], "up");
    assert!(checks[0]["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(checks[0]["detail"]["http_status"], 200);
    assert_eq!(checks[1]["outcome"], "down");
    assert_eq!(checks[1]["failure"], "status");
    assert!(checks[1]["latency_ms"].is_number());

    let out = run(&["--config", config, "check", "--only", "nope"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no check named `nope`"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_tarpits_are_probed_at_once() {
    let tarpit = peers::tarpit().await;
    let mut toml = String::from("[defaults]\ntimeout = \"1s\"\n");
    for i in 0..200 {
        toml.push_str(&http_check(
            &format!("tarpit-{i}"),
            "chat",
            &tarpit.url("/"),
            "",
        ));
    }
    let dir = ConfigDir::new(&[("tarpits.toml", &toml)]);
    let started = Instant::now();
    let out = run(&[
        "--config",
        dir.path().to_str().unwrap(),
        "check",
        "--format",
        "json",
    ])
    .await;
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 200);
    assert!(
        checks
            .iter()
            .all(|c| c["outcome"] == "down" && c["failure"] == "timeout")
    );
    // Concurrently: one at a time would take 200 s (one timeout each); all
    // at once take one timeout (1 s) and the process. Ten times under the
    // first, whatever the machine's speed.
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_body_costs_bounded_memory() {
    let peer = peers::http(|_| Answer::EndlessBody).await;
    let mut toml = String::from("[defaults]\ntimeout = \"3s\"\n");
    for i in 0..20 {
        toml.push_str(&http_check(
            &format!("endless-{i}"),
            "help_center",
            &peer.url("/"),
            "body_regex = \"y\"",
        ));
    }
    let dir = ConfigDir::new(&[("endless.toml", &toml)]);
    let path = dir.path().to_str().unwrap().to_string();
    let (code, rss) =
        tokio::task::spawn_blocking(move || run_measuring_rss(&["--config", &path, "check"]))
            .await
            .unwrap();
    assert_eq!(code, 1, "the body never matches: down");
    eprintln!("peak RSS with 20 endless bodies: {} MB", rss / 1_000_000);
    assert!(rss < 100 * 1024 * 1024, "peak RSS {rss} bytes");
}
