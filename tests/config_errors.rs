//! One test per malformed configuration (fixtures in tests/fixtures/invalid/):
//! `validate` exits 2 with one sentence naming the file, line and column.

use crate::support::{run, stderr, stdout};

async fn assert_invalid(fixture: &str, place: &str, words: &str) {
    let path = format!(
        "{}/tests/fixtures/invalid/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = run(&["--config", &path, "validate"]).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{fixture}: {err}");
    assert!(stdout(&out).is_empty(), "{fixture}: nothing on stdout");
    assert_eq!(err.lines().count(), 1, "{fixture}: one line: {err}");
    assert!(
        err.contains(&format!("{place}: ")),
        "{fixture}: expected {place} in {err}"
    );
    assert!(
        err.contains(words),
        "{fixture}: expected {words:?} in {err}"
    );
    assert!(!err.contains("panicked"), "{fixture}: {err}");
}

macro_rules! invalid {
    ($($test:ident: $fixture:literal at $place:literal says $words:literal;)*) => {$(
        #[tokio::test]
        async fn $test() {
            assert_invalid($fixture, $place, $words).await;
        }
    )*};
}

invalid! {
    unknown_key: "unknown-key.toml" at "unknown-key.toml:6:1" says "unknown field `tiemout`";
    key_of_another_sink: "key-of-another-sink.toml" at "key-of-another-sink.toml:11:11" says "`chat_id` does not apply to a [[notify]] of kind `ntfy` (only to telegram)";
    unknown_sink: "unknown-sink.toml" at "unknown-sink.toml:9:8" says "unknown [[notify]] kind `pager`; use one of ntfy, telegram, webhook, email";
    unknown_settings_key: "unknown-settings-key.toml" at "unknown-settings-key.toml:3:1" says "unknown field `listen_on`";
    unknown_table: "unknown-table.toml" at "unknown-table.toml:7:3" says "unknown field `checks`";
    missing_field: "missing-channel.toml" at "missing-channel.toml:1:1" says "missing field `channel`";
    missing_kind_field: "missing-url.toml" at "missing-url.toml:1:1" says "needs `url`";
    bad_duration: "bad-duration.toml" at "bad-duration.toml:6:11" says "invalid duration";
    cron_with_five_fields: "bad-cron-fields.toml" at "bad-cron-fields.toml:6:12" says "has 6 fields";
    cron_bad_value: "bad-cron-value.toml" at "bad-cron-value.toml:6:12" says "not a valid day of the week";
    bad_channel: "bad-channel.toml" at "bad-channel.toml:3:11" says "unknown channel `helpdesk`";
    bad_kind: "bad-kind.toml" at "bad-kind.toml:4:8" says "unknown kind `ping`";
    bad_name: "bad-name.toml" at "bad-name.toml:2:8" says "invalid check name";
    bad_url_scheme: "bad-url-scheme.toml" at "bad-url-scheme.toml:5:7" says "scheme `ftp`";
    bad_regex: "bad-regex.toml" at "bad-regex.toml:6:14" says "invalid body_regex";
    bad_timezone: "bad-timezone.toml" at "bad-timezone.toml:2:12" says "unknown time zone `Mars/Olympus`";
    bad_address: "bad-address.toml" at "bad-address.toml:5:11" says "invalid address `1.1.1.1`";
    bad_resolver: "bad-resolver.toml" at "bad-resolver.toml:2:12" says "invalid resolver `dns.google`";
    slow_over_timeout: "slow-over-timeout.toml" at "slow-over-timeout.toml:7:8" says "must not be longer than timeout";
    websocket_with_an_http_url: "websocket-http-url.toml" at "websocket-http-url.toml:5:7" says "takes a ws or wss URL, not `https`";
    bad_expect: "bad-expect.toml" at "bad-expect.toml:6:10" says "invalid expect";
    defaults_slow_over_timeout: "defaults-slow-over-timeout.toml" at "defaults-slow-over-timeout.toml:3:8" says "must not be longer than timeout";
    key_of_another_kind: "key-of-another-kind.toml" at "key-of-another-kind.toml:6:10" says "`domain` does not apply";
    bad_status: "bad-status.toml" at "bad-status.toml:6:17" says "700";
    wrong_type: "wrong-type.toml" at "wrong-type.toml:6:11" says "expected a string";
    syntax_error: "syntax-error.toml" at "syntax-error.toml:6:22" says "invalid basic string";
    zero_min_records: "zero-min-records.toml" at "zero-min-records.toml:6:15" says "at least 1";
    bad_json_pointer: "bad-json-pointer.toml" at "bad-json-pointer.toml:6:8" says "not a JSON pointer";
    duplicate_names_across_files: "duplicate-names" at "duplicate-names/b.toml:8:8" says "already used at";
    two_settings_tables: "two-settings" at "two-settings/b.toml:7:1" says "a second [settings] table";
}

#[tokio::test]
async fn a_missing_config_is_an_error_not_a_panic() {
    let out = run(&["--config", "/nonexistent/checks", "validate"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/checks"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn an_empty_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--config", dir.path().to_str().unwrap(), "validate"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no *.toml file"), "{}", stderr(&out));
}

#[tokio::test]
async fn the_shipped_checks_are_valid() {
    let path = format!("{}/checks", env!("CARGO_MANIFEST_DIR"));
    let out = run(&["--config", &path, "validate"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("configuration is valid"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let out = run(&["check", "--format", "xml"]).await;
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["frobnicate"]).await;
    assert_eq!(out.status.code(), Some(2));
}

/// An inherited `slow` longer than a check's own `timeout` is no contradiction
/// (README, "Configuration": inheritance): `validate`, `check` and `run` all take it, and the
/// check is never degraded by time.
#[tokio::test(flavor = "multi_thread")]
async fn an_inherited_slow_longer_than_the_own_timeout_is_valid() {
    use crate::support::daemon::{Daemon, metric_sum};
    use crate::support::peers::{self, response};
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let toml = format!(
        "[defaults]\ntimeout = \"5s\"\nslow = \"3s\"\nschedule = \"* * * * * *\"\n\n\
         [[check]]\nname = \"chat\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\ntimeout = \"1s\"\n",
        peer.url("/")
    );
    let dir = crate::support::ConfigDir::new(&[("checks.toml", &toml)]);
    let config = dir.path().to_str().unwrap();
    let out = run(&["--config", config, "validate"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["--config", config, "check", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\"outcome\": \"up\""),
        "{}",
        stdout(&out)
    );
    let daemon = Daemon::start(dir.path(), &dir.path().join("d.db")).await;
    let started = std::time::Instant::now();
    loop {
        let text = daemon.metrics().await;
        if metric_sum(&text, "okx_monitor_probes_total", "outcome=\"up\"") >= 1.0 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
