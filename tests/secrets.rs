//! Header values are secrets: given in the file or as `env:NAME`, they reach
//! the peer and appear in no output, log, error, metric or export.

use std::time::Duration;

use crate::support::daemon::Daemon;
use crate::support::peers::{self, response};
use crate::support::{ConfigDir, run_env, stderr, stdout};

const TOKEN: &str = "s3cr3t-t0ken-XYZ";
const KEY: &str = "literal-k3y-ABC";

fn config(url: &str, extra: &str) -> ConfigDir {
    ConfigDir::new(&[(
        "checks.toml",
        &format!(
            r#"[[check]]
name = "private-api"
channel = "status"
kind = "http"
url = "{url}"
schedule = "* * * * * *"
headers = {{ Authorization = "env:OKX_TEST_TOKEN", X-Api-Key = "{KEY}" }}
{extra}"#
        ),
    )])
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} shows the token:\n{text}");
    assert!(!text.contains(KEY), "{what} shows the key:\n{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_reach_the_peer_and_nothing_else() {
    let peer = peers::http(|head| {
        let h = head.to_ascii_lowercase();
        let ok = h.contains(&format!(
            "authorization: bearer {}",
            TOKEN.to_ascii_lowercase()
        )) && h.contains(&format!("x-api-key: {}", KEY.to_ascii_lowercase()));
        if ok {
            response(200, &[], "{}")
        } else {
            response(401, &[], "who are you")
        }
    })
    .await;
    let dir = config(&peer.url("/"), "");
    let cfg = dir.path().to_str().unwrap();
    let env = [
        ("OKX_TEST_TOKEN", &*format!("Bearer {TOKEN}")),
        ("RUST_LOG", "debug"),
    ];

    for args in [
        vec!["--config", cfg, "validate"],
        vec!["--config", cfg, "validate", "--format", "json"],
        vec!["--config", cfg, "check"],
        vec!["--config", cfg, "check", "--format", "json"],
    ] {
        let out = run_env(&args, &env).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert_clean(&format!("{args:?}"), &(stdout(&out) + &stderr(&out)));
    }

    // Without the variable: the error names it, and shows no value.
    let out = run_env(&["--config", cfg, "validate"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("environment variable `OKX_TEST_TOKEN`, which is not set"),
        "{}",
        stderr(&out)
    );
    assert_clean("the missing-variable error", &stderr(&out));

    // Another error in the same check: the message shows no header value.
    let broken = config(&peer.url("/"), "timeout = \"soon\"\n");
    let out = run_env(
        &["--config", broken.path().to_str().unwrap(), "validate"],
        &env,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert_clean("a configuration error", &stderr(&out));

    // The daemon: debug log, metrics, and the export.
    let db = dir.path().join("m.db");
    let mut daemon = Daemon::start_env(dir.path(), &db, &[], &env).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let metrics = daemon.metrics().await;
    assert!(
        metrics.contains(
            r#"okx_monitor_probes_total{channel="status",check="private-api",outcome="up""#
        ),
        "{metrics}"
    );
    assert_clean("/metrics", &metrics);
    daemon.signal(libc::SIGTERM);
    daemon.wait_exit(Duration::from_secs(5)).await.unwrap();
    assert_clean("the daemon's log", &daemon.log_text());
    let out = run_env(&["export", "--db", db.to_str().unwrap()], &[]).await;
    assert!(stdout(&out).contains("private-api"));
    assert_clean("the export", &stdout(&out));
}

#[tokio::test]
async fn invalid_header_names_and_values_are_refused_by_name() {
    for (headers, words) in [
        (
            "{ \"Bad Name\" = \"x\" }",
            "`Bad Name` is not a valid HTTP header name",
        ),
        (
            "{ X-Key = \"line\\nbreak-k3y\" }",
            "the value of header `X-Key` is not a valid HTTP header value",
        ),
    ] {
        let dir = ConfigDir::new(&[(
            "c.toml",
            &format!(
                "[[check]]\nname = \"a\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"http://127.0.0.1:1/\"\nheaders = {headers}\n"
            ),
        )]);
        let out = run_env(&["--config", dir.path().to_str().unwrap(), "validate"], &[]).await;
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(words), "{}", stderr(&out));
        assert!(stderr(&out).contains("c.toml:6:11"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("k3y"), "{}", stderr(&out));
    }
}
