//! 说人话, the acceptance of it: with `LANG=zh_CN.UTF-8`, what a person reads
//! holds no English word outside codes, names and URLs — every message of
//! the Chinese catalogue (every reason among them), and the output of
//! `status`, `check`, `diagnose`, `explain`, `wait`, `notify --test`, the
//! page and a notice, over a configuration whose checks end up, slow,
//! down, throttled, blocked, refused, not the page, unknown (a closed port
//! 25) and in maintenance.

use std::collections::BTreeSet;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use crate::notify::Receiver;
use crate::support::daemon::Daemon;
use crate::support::peers::{self, response};
use crate::support::{ConfigDir, http_get, run_env, stderr, stdout};

const ZH: (&str, &str) = ("LANG", "zh_CN.UTF-8");

/// Names a Chinese text may carry as they are: products, protocols and
/// formats, units, and the words of a name (JSON Lines, Wi-Fi).
const NAMES: &[&str] = &[
    "OKX",
    "DoH",
    "WebSocket",
    "Prometheus",
    "SQLite",
    "Chromium",
    "Debian",
    "Grafana",
    "Telegram",
    "Facebook",
    "Discord",
    "Reddit",
    "Lines",
    "Wi-Fi",
    "bcrypt",
    "cron",
    "okx-monitor",
    "exporter-toolkit",
    "Asia",
    "Shanghai",
    "Statuspage",
    "ntfy",
    "shields.io",
    "apt",
    "install",
    "chromium",
    "ms",
    "d",
    "h",
    "m",
    "s",
    "p50",
    "p95",
    "P50",
    "P95",
    "xx",
];

/// The English words of `text` a Chinese reader would meet: ASCII words
/// that are not a name above, an acronym (DNS, HTTP, NXDOMAIN), a code or
/// key (with `_`, `.`, `-` or a digit, or in `codes`), inside backticks,
/// part of a URL, an address, a path, a time zone (Etc/UTC) or a flag, or
/// a peer's own words quoted
/// (“Page Not Found”, the text a `fail_if` matched).
fn english_words(text: &str, codes: &BTreeSet<String>) -> Vec<String> {
    // Compiled once: this runs for every line of every output.
    static SET_ASIDE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"`[^`\n]*`|“[^”]*”|(?:https?|wss?)://\S+|\b[A-Z][A-Za-z]+/[\w/+-]+|/[\w./-]+|--[\w-]+",
        )
        .unwrap()
    });
    static WORD: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"[A-Za-z][A-Za-z0-9_.-]*").unwrap());
    let text = SET_ASIDE.replace_all(text, " ");
    WORD.find_iter(&text)
        .map(|m| m.as_str().trim_end_matches(['.', '-']))
        .filter(|w| {
            !NAMES.contains(w)
                && !codes.contains(*w)
                && !w
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && !w.contains(['_', '.', '-'])
                && !w.chars().any(|c| c.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// The configuration's words that are codes, not English: every key and
/// value `docs/configuration.md` shows in backticks (`timeout`, `starttls`),
/// and the channel, outcome, verdict and kind codes.
fn codes() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/configuration.md"
    ))
    .unwrap();
    let mut out: BTreeSet<String> = regex::Regex::new(r"`([a-z][a-z0-9_]*)")
        .unwrap()
        .captures_iter(&doc)
        .map(|c| c[1].to_string())
        .collect();
    for code in [
        "chat",
        "email",
        "control",
        "up",
        "down",
        "degraded",
        "throttled",
        "blocked",
        "unknown",
        "maintenance",
        "http",
        "https",
        "ws",
        "wss",
        "tcp",
        "mx",
        "dns",
        "browser",
        "en",
        "diagnose",
        "checks",
        "metrics",
        "healthz",
        "web",
        "db",
        "toml",
        "only",
        "none",
    ] {
        out.insert(code.to_string());
    }
    out
}

#[test]
fn no_chinese_message_holds_an_english_word() {
    let catalogue =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/i18n/zh-CN.ftl"))
            .unwrap();
    let codes = codes();
    let placeable = regex::Regex::new(r"\{[^{}]*\}|\{ *\$\w+ *->|\*?\[[a-z0-9]+\]").unwrap();
    let mut wrong = Vec::new();
    let mut id = "";
    for line in catalogue.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let text = match line.split_once(" = ") {
            Some((key, value)) if !key.starts_with(' ') => {
                id = key;
                value
            }
            _ => line,
        };
        let words = english_words(&placeable.replace_all(text, " "), &codes);
        if !words.is_empty() {
            wrong.push(format!("{id}: {words:?} in {text}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "English in Chinese messages:\n{}",
        wrong.join("\n")
    );
}

/// Every address of the peer the checks below probe.
async fn peer() -> peers::Peer {
    peers::http(|head| match peers::path(head) {
        "/help" => response(200, &[], "<title>Help</title>"),
        "/faq" => peers::Answer::After(
            Duration::from_millis(50),
            Box::new(response(200, &[], "<title>Help</title>")),
        ),
        "/form" => response(429, &[], "slow down"),
        "/x" => response(451, &[], "unavailable"),
        "/community" => response(200, &[], "<title>Page Not Found</title>"),
        "/status" => response(
            200,
            &[("content-type", "application/json")],
            r#"{"code":"0","msg":"","data":[{"title":"系统升级","state":"ongoing","begin":"1","end":"9999999999999","serviceType":"0","system":"unified","href":""}]}"#,
        ),
        _ => response(502, &[], "bad gateway"),
    })
    .await
}

fn config(peer: &peers::Peer, hook: &str) -> ConfigDir {
    let closed = peers::closed_port();
    let check = |name: &str, channel: &str, rest: String| {
        format!(
            "[[check]]\nname = \"{name}\"\nchannel = \"{channel}\"\nschedule = \"* * * * * *\"\ntimeout = \"1s\"\n{rest}\n"
        )
    };
    let http = |path: &str| format!("kind = \"http\"\nurl = \"{}\"\n", peer.url(path));
    let toml = [
        check("control-web", "control", format!("kind = \"tcp\"\naddress = \"{}\"\n", peer.addr)),
        check("website-chat", "chat", http("/chat")),
        check("help-center", "help_center", http("/help")),
        check("help-faq", "help_center", http("/faq") + "slow = \"5ms\"\n"),
        check("request-form", "ticket", http("/form")),
        check("x", "social", http("/x")),
        check("forum", "community", http("/community") + "fail_if = \"Not Found\"\n"),
        check("okx-maintenance", "status", format!("kind = \"okx_status\"\nurl = \"{}\"\n", peer.url("/status"))),
        check("support-mail", "email", format!("kind = \"tcp\"\naddress = \"127.0.0.1:{closed}\"\n")),
        // Port 25 shut here, as a control that covers e-mail says: unknown.
        check("control-smtp", "control", format!("kind = \"tcp\"\naddress = \"127.0.0.1:{closed}\"\ncovers = [\"email\"]\n")),
        format!("[[notify]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{hook}\"\nlang = \"zh-CN\"\nafter = 1\n"),
    ]
    .concat();
    ConfigDir::new(&[("checks.toml", &toml)])
}

fn assert_chinese(what: &str, text: &str, codes: &BTreeSet<String>) {
    let words = english_words(text, codes);
    // The lines that hold them, cut short (a page is long).
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !english_words(l, codes).is_empty())
        .map(|l| l.chars().take(300).collect())
        .collect();
    assert!(
        words.is_empty(),
        "{what}: English words {words:?} in:\n{}",
        lines.join("\n")
    );
    assert!(
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: {}",
        text.chars().take(300).collect::<String>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chinese_reader_meets_no_english_word() {
    let peer = peer().await;
    let hook = Receiver::start(0).await;
    let dir = config(&peer, &hook.url("/hook"));
    let config = dir.path().to_str().unwrap();
    let mut codes = codes();
    // The configuration's own names, as every answer shows them.
    for name in [
        "hook",
        "help-faq",
        "control-smtp",
        "support-mail",
        "control-web",
        "website-chat",
        "help-center",
        "request-form",
        "x",
        "forum",
    ] {
        codes.insert(name.to_string());
    }
    let run = |args: Vec<&'static str>| {
        let mut a = vec!["--config", config];
        a.extend(args);
        async move { run_env(&a, &[ZH]).await }
    };
    for args in [
        vec!["check"],
        vec!["diagnose", "--db", "/nonexistent/x.db"],
        vec!["explain", "website-chat"],
        vec!["explain", "forum"],
        vec!["explain", "okx-maintenance"],
        vec![
            "wait",
            "--channel",
            "chat",
            "--every",
            "1s",
            "--timeout",
            "1s",
        ],
    ] {
        let out = run(args.clone()).await;
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert_chinese(&args.join(" "), &text, &codes);
        if args == ["check"] {
            // Every outcome is there to be read.
            for word in [
                "正常",
                "缓慢",
                "不可用",
                "被限流",
                "本地区不可用",
                "未知",
                "维护中",
            ] {
                assert!(text.contains(word), "{word} missing:\n{text}");
            }
            assert!(text.contains("封锁了出站"), "{text}");
        }
    }
    // A sink that is not there: why it was not delivered, in Chinese.
    let closed = ConfigDir::new(&[(
        "n.toml",
        &format!(
            "[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n\n[[notify]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/\"\n",
            peers::closed_port()
        ),
    )]);
    let out = run_env(
        &[
            "--config",
            closed.path().to_str().unwrap(),
            "notify",
            "--test",
        ],
        &[ZH],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_chinese("notify --test", &stdout(&out), &codes);

    // The daemon: the page and a notice, once the chat has been down.
    let db = dir.path().join("h.db");
    let daemon = Daemon::start_env(dir.path(), &db, &[], &[ZH]).await;
    let started = Instant::now();
    while hook.bodies().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no notice came"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, page) = http_get(daemon.addr, "/?lang=zh-CN").await.unwrap();
    assert_eq!(status, 200);
    // What a person reads of the page: its text, not its markup or style.
    let body = page.split_once("<body").map_or(page.as_str(), |(_, b)| b);
    let text = regex::Regex::new(r"(?s)<style.*?</style>|<[^>]*>")
        .unwrap()
        .replace_all(body, " ")
        .replace("&nbsp;", " ");
    assert_chinese("the page", &text, &codes);
    for notice in hook.bodies() {
        let v: serde_json::Value = serde_json::from_str(&notice).unwrap();
        // (Its title is not in the webhook's JSON; its words are the
        // catalogue's, which the test above reads.)
        assert_chinese("a notice", v["text"].as_str().unwrap(), &codes);
        for c in v["checks"].as_array().unwrap() {
            assert_chinese("a notice's reason", c["reason"].as_str().unwrap(), &codes);
        }
    }
    // What the daemon stored, as `status` and its incidents give it.
    let db = db.to_str().unwrap();
    for args in [
        vec!["--config", config, "status", "--db", db],
        vec!["--config", config, "status", "--incidents", "--db", db],
    ] {
        let out = run_env(&args, &[ZH]).await;
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert_chinese(&args[2..].join(" "), &text, &codes);
    }
    drop(daemon);
}
