//! Property-based fuzzing of everything that reads untrusted input: the
//! configuration loader, the JSON Lines importer and the parsers of peer
//! answers (SMTP replies, OKX's status JSON, certificates). Nothing may panic.
//! `fuzz/run.sh SECONDS` runs these with many more cases for a fixed time.

#![cfg(test)]

use proptest::prelude::*;

const VALID: &str = r#"[settings]
timezone = "Asia/Shanghai"
reference_resolvers = ["127.0.0.1:53"]

[defaults]
schedule = "0 */5 * * * *"
timeout = "10s"

[[check]]
name = "help-center"
channel = "help_center"
kind = "http"
url = "https://www.okx.com/help"
expect_status = [200]
json = { "/code" = "0" }
headers = { X-Key = "k" }

[[check]]
name = "mail"
channel = "email"
kind = "mx"
domain = "okx.com"
smtp = true
"#;

/// A random edit of `text`: replace, insert or delete a few characters.
fn mutate(text: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for (at, op, c) in edits {
        if chars.is_empty() {
            break;
        }
        let i = at % chars.len();
        match op % 3 {
            0 => chars[i] = *c,
            1 => chars.insert(i, *c),
            _ => {
                chars.remove(i);
            }
        }
    }
    chars.into_iter().collect()
}

fn check_config(text: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("f.toml");
    std::fs::write(&path, text).expect("write");
    if let Err(e) = crate::config::load(&path) {
        let message = e.to_string();
        assert!(!message.contains('\n'), "one line: {message}");
        if let crate::config::ConfigError::At { at, .. } = e {
            let lines = text.split('\n').count();
            assert!(
                at.line >= 1 && at.line <= lines,
                "line {} of {lines}: {message}",
                at.line
            );
        }
    }
}

proptest! {
    // 256 cases, or PROPTEST_CASES (fuzz/run.sh raises it).
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn config_edits_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<char>()), 1..8)) {
        check_config(&mutate(VALID, &edits));
    }

    #[test]
    fn config_noise_never_panics(text in ".{0,400}") {
        check_config(&text);
    }

    #[test]
    fn jsonl_lines_never_panic(
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<char>()), 0..6),
        noise in ".{0,200}",
    ) {
        let line = r#"{"ts":"2026-11-02T06:00:00.123Z","check":"help-center","channel":"help_center","outcome":"up","latency_ms":183.2}"#;
        let _ = crate::store::jsonl::parse_line(&mutate(line, &edits));
        let _ = crate::store::jsonl::parse_line(&noise);
    }

    #[test]
    fn smtp_reply_lines_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok((code, _, _)) = crate::kinds::mx::smtp::parse_line(&bytes) {
            prop_assert!((200..600).contains(&code));
        }
    }

    #[test]
    fn okx_status_answers_never_panic(
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<char>()), 0..6),
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let answer = r#"{"code":"0","msg":"","data":[{"begin":"1672823400000","end":"1672825980000","state":"ongoing","title":"Upgrade","serviceType":"0"}]}"#;
        let _ = crate::kinds::okx_status::probe::parse(mutate(answer, &edits).as_bytes());
        let _ = crate::kinds::okx_status::probe::parse(&bytes);
    }

    #[test]
    fn certificates_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = crate::tls_cert::not_after(&bytes);
    }
}
