//! 说中文: every command a person reads in Simplified Chinese with
//! `LANG=zh_CN.UTF-8` or `--lang zh-CN`, English with `--lang en` whatever
//! the locale; the JSON documents equal in keys and codes between the two;
//! every terminal table lined up in display columns, with colour and without.

use chrono::{Timelike, Utc};
use unicode_width::UnicodeWidthStr;

use crate::support::history::{every, line};
use crate::support::peers::{self, response};
use crate::support::{ConfigDir, run_env, stderr, stdout};

const ZH: (&str, &str) = ("LANG", "zh_CN.UTF-8");

/// 14 days of live chat (fast at 06:00 UTC) and e-mail, imported into a
/// database; a configuration with a control check, and the database's path.
async fn history() -> (ConfigDir, String) {
    let lines = every(Utc::now(), 14, 10, |t, out| {
        let ms = if t.hour() == 6 { 40.0 } else { 150.0 };
        out.push(line(t, "website-chat", "chat", "up", Some(ms)));
        out.push(line(t, "support-mail", "email", "down", None));
    });
    let toml = "[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n";
    let dir = ConfigDir::new(&[("checks.toml", toml), ("h.jsonl", &lines.join("\n"))]);
    let db = dir.path().join("h.db").to_str().unwrap().to_string();
    let file = dir.path().join("h.jsonl");
    let out = run_env(&["import", file.to_str().unwrap(), "--db", &db], &[ZH]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("已导入"), "{}", stderr(&out));
    (dir, db)
}

/// Strips ANSI colour codes.
fn plain(text: &str) -> String {
    let re = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
    re.replace_all(text, "").into_owned()
}

/// The display column where each cell of a table line starts (cells are
/// separated by two spaces or more).
fn cell_starts(line: &str) -> Vec<usize> {
    let cells = regex::Regex::new(r"\S+(?: \S+)*").unwrap();
    cells
        .find_iter(line)
        .map(|m| UnicodeWidthStr::width(&line[..m.start()]))
        .collect()
}

/// Every table in `text` (a header of capitals or Han text, rows until a blank
/// line): each row's cells start where the header's do.
fn assert_lined_up(text: &str, header_starts_with: &str) {
    let text = plain(text);
    let lines: Vec<&str> = text.lines().collect();
    let h = lines
        .iter()
        .position(|l| l.starts_with(header_starts_with))
        .unwrap_or_else(|| panic!("no header `{header_starts_with}` in\n{text}"));
    let header = cell_starts(lines[h]);
    let rows: Vec<&str> = lines[h + 1..]
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .copied()
        .collect();
    assert!(!rows.is_empty(), "no rows under the header in\n{text}");
    for row in rows {
        let starts = cell_starts(row);
        let n = starts.len().min(header.len());
        assert!(
            n + 1 >= header.len(),
            "a row with too few cells: {row:?}\n{text}"
        );
        assert_eq!(starts[..n], header[..n], "not lined up: {row:?}\n{text}");
    }
}

/// The same JSON, with the human sentences (`advice`, `why`), the clock
/// reading `generated_at` and the
/// measured numbers set aside: the keys and codes must match exactly, and
/// the advice count too.
fn codes_only(mut v: serde_json::Value) -> serde_json::Value {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map.iter_mut() {
                    match (k.as_str(), x) {
                        ("advice", serde_json::Value::Array(a)) => {
                            let n = a.len();
                            *a = vec![serde_json::Value::from(n)];
                        }
                        ("why", x) => *x = serde_json::Value::Null,
                        // A reason's or an error's words are the reader's;
                        // its code (`reason_code`, `error_code`) is compared.
                        ("reason" | "error", x) if x.is_string() => *x = serde_json::Value::Null,
                        // When the answer was made: a clock reading, not a
                        // code (two runs can straddle a second).
                        ("generated_at", x) => *x = serde_json::Value::Null,
                        (_, x) => walk(x),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Number(_) => *v = serde_json::Value::Null,
            _ => {}
        }
    }
    walk(&mut v);
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn status_speaks_chinese_from_the_locale_or_the_flag_and_lines_up() {
    let (dir, db) = history().await;
    let config = dir.path().to_str().unwrap();
    let args = ["--config", config, "status", "--db", &db, "--tz", "UTC"];
    let zh = run_env(&args, &[ZH]).await;
    assert_eq!(zh.status.code(), Some(0), "{}", stderr(&zh));
    let text = stdout(&zh);
    for words in [
        "渠道",
        "可用率",
        "在线客服",
        "正常",
        "不可用",
        "现在该怎么做",
        "在线客服现在能用",
    ] {
        assert!(text.contains(words), "`{words}` missing:\n{text}");
    }
    assert!(!text.contains("CHANNEL"), "{text}");
    // --lang en wins over the locale; --lang zh-CN needs no locale.
    let mut en_args = args.to_vec();
    en_args.extend(["--lang", "en"]);
    let en = stdout(&run_env(&en_args, &[ZH]).await);
    assert!(
        en.contains("CHANNEL") && en.contains("What to do now:"),
        "{en}"
    );
    let mut zh_args = args.to_vec();
    zh_args.extend(["--lang", "zh-CN"]);
    let zh_flag = stdout(&run_env(&zh_args, &[]).await);
    assert!(zh_flag.contains("渠道"), "{zh_flag}");
    // Tables line up in display columns, in both languages, with colour and without.
    for (lang, header) in [("en", "CHANNEL"), ("zh-CN", "渠道")] {
        for colour in [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")] {
            let mut a = args.to_vec();
            a.extend(["--lang", lang, "--heatmap"]);
            let env = [
                colour,
                ("NO_COLOR", if colour.0 == "NO_COLOR" { "1" } else { "" }),
            ];
            let out = stdout(&run_env(&a, &env).await);
            assert_eq!(out.contains('\x1b'), colour.0 == "CLICOLOR_FORCE", "{out}");
            assert_lined_up(&out, header);
        }
    }
    // The JSON: the same keys and codes in both languages; the advice follows the language.
    let json = |lang: &'static str| {
        let mut a = args.to_vec();
        a.extend(["--format", "json", "--lang", lang]);
        async move {
            serde_json::from_str::<serde_json::Value>(&stdout(&run_env(&a, &[]).await)).unwrap()
        }
    };
    let (en, zh) = (json("en").await, json("zh-CN").await);
    assert_ne!(en["advice"], zh["advice"]);
    assert!(
        zh["advice"][0].as_str().unwrap().contains("在线客服"),
        "{zh}"
    );
    assert_eq!(codes_only(en), codes_only(zh));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_diagnose_and_wait_speak_chinese_and_their_tables_line_up() {
    let peer = peers::http(|head| match peers::path(head) {
        "/help" => response(200, &[], "Help"),
        _ => response(502, &[], "bad gateway"),
    })
    .await;
    let dir = crate::diagnose::config(
        &format!("127.0.0.1:{}", peers::closed_port()),
        &[],
        &peer.addr.to_string(),
        &peer.url("/chat"),
        &peer.url("/help"),
    );
    let config = dir.path().to_str().unwrap();

    let check = run_env(&["--config", config, "check"], &[ZH]).await;
    assert_eq!(check.status.code(), Some(1));
    let text = stdout(&check);
    for words in ["检查项", "结果", "帮助中心", "正常", "不可用"] {
        assert!(text.contains(words), "`{words}` missing:\n{text}");
    }
    let diag_args = ["--config", config, "diagnose", "--db", "/nonexistent/x.db"];
    let diag = run_env(&diag_args, &[ZH]).await;
    assert_eq!(diag.status.code(), Some(1));
    let text = stdout(&diag);
    for words in [
        "结论：部分客服渠道不可用",
        "部分客服渠道不可用",
        "目前不可用：在线客服。",
        "现在请用帮助中心。",
    ] {
        assert!(text.contains(words), "`{words}` missing:\n{text}");
    }
    for lang in ["en", "zh-CN"] {
        for colour in [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")] {
            let env = [
                colour,
                ("NO_COLOR", if colour.0 == "NO_COLOR" { "1" } else { "" }),
            ];
            let header = if lang == "en" { "CHECK" } else { "检查项" };
            let out = stdout(&run_env(&["--config", config, "--lang", lang, "check"], &env).await);
            assert_lined_up(&out, header);
            let mut a = diag_args.to_vec();
            a.extend(["--lang", lang]);
            let out = stdout(&run_env(&a, &env).await);
            assert_lined_up(&out, header);
        }
    }
    // JSON: keys and codes the same in both languages.
    for command in [
        vec!["check", "--format", "json"],
        [&diag_args[2..], &["--format", "json"][..]].concat(),
    ] {
        let json = |lang: &'static str| {
            let mut a = vec!["--config", config, "--lang", lang];
            a.extend(command.iter().copied());
            async move {
                serde_json::from_str::<serde_json::Value>(&stdout(&run_env(&a, &[]).await)).unwrap()
            }
        };
        let (en, zh) = (json("en").await, json("zh-CN").await);
        assert_eq!(codes_only(en), codes_only(zh), "{command:?}");
    }

    let wait = run_env(
        &[
            "--config",
            config,
            "wait",
            "--channel",
            "help_center",
            "--every",
            "1s",
            "--timeout",
            "10s",
        ],
        &[ZH],
    )
    .await;
    assert_eq!(wait.status.code(), Some(0), "{}", stderr(&wait));
    assert!(
        stdout(&wait).contains("帮助中心现在可以用了"),
        "{}",
        stdout(&wait)
    );
    let wait = run_env(
        &[
            "--config",
            config,
            "wait",
            "--channel",
            "chat",
            "--every",
            "1s",
            "--timeout",
            "1s",
        ],
        &[ZH],
    )
    .await;
    assert_eq!(wait.status.code(), Some(1));
    assert!(
        stdout(&wait).contains("在等待时限内没有任何客服渠道回应"),
        "{}",
        stdout(&wait)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_validate_and_notify_test_speak_chinese() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/invalid");
    let file = format!("{fixtures}/slow-over-timeout.toml");
    let out = run_env(&["--config", &file, "validate"], &[ZH]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("slow-over-timeout.toml:7:8: slow（"), "{err}");
    assert!(err.contains("不能比 timeout"), "{err}");
    let out = run_env(&["--config", &file, "--lang", "en", "validate"], &[ZH]).await;
    assert!(
        stderr(&out).contains("must not be longer than timeout"),
        "{}",
        stderr(&out)
    );

    let dir = ConfigDir::new(&[(
        "checks.toml",
        &format!(
            "[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n\n\
             [[notify]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/\"\n",
            peers::closed_port()
        ),
    )]);
    let config = dir.path().to_str().unwrap();
    let out = run_env(&["--config", config, "validate"], &[ZH]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("配置有效：1 个文件中共 1 个检查项"),
        "{}",
        stdout(&out)
    );
    let text = stdout(&out);
    assert_lined_up(text.split("配置有效").next().unwrap(), "检查项");
    let out = run_env(&["--config", config, "notify", "--test"], &[ZH]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("hook：未送达："),
        "{}",
        stdout(&out)
    );
    let out = run_env(
        &["--config", config, "status", "--db", "/nonexistent/x.db"],
        &[ZH],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("数据库 /nonexistent/x.db 不存在"),
        "{}",
        stderr(&out)
    );
    let out = run_env(&["--lang", "fr", "validate"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown language `fr`"),
        "{}",
        stderr(&out)
    );
}

/// The text of `path` in the repository.
fn repo_file(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every Chinese message uses the glossary's word where it names one of its
/// concepts (`docs/glossary.zh-CN.md`, read here: the table is the rule), and
/// Chinese quotation marks outside code and configuration examples.
#[test]
fn chinese_messages_use_the_glossarys_words() {
    let glossary = repo_file("docs/glossary.zh-CN.md");
    let avoided: Vec<String> = glossary
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .skip(1)
        .filter_map(|l| l.split('|').nth(3).map(str::trim))
        .filter(|cell| !cell.contains("ASCII"))
        .flat_map(|cell| cell.split('、').map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(avoided.len() >= 10, "the table was read: {avoided:?}");
    let catalogue = repo_file("src/i18n/zh-CN.ftl");
    // The catalogue's messages, the Chinese dashboard's words and the
    // alerts' Chinese annotations.
    let dashboard: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&repo_file("dashboards/okx-monitor.zh-CN.words.json")).unwrap();
    let rules = repo_file("dashboards/okx-monitor.rules.yml");
    let messages: Vec<&str> = catalogue
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .chain(dashboard.values().map(String::as_str))
        .chain(
            rules
                .lines()
                .filter(|l| l.contains("_zh_cn: "))
                // The YAML's own quotes around the text are not the text's.
                .filter_map(|l| l.split_once(": \"")?.1.strip_suffix('"')),
        )
        .collect();
    let mut wrong = Vec::new();
    for word in &avoided {
        for m in messages.iter().filter(|m| m.contains(word.as_str())) {
            wrong.push(format!("`{word}` in: {m}"));
        }
    }
    for m in &messages {
        // Code in backticks and `key = "value"` examples keep ASCII quotes.
        let prose: String = m
            .split('`')
            .step_by(2)
            .collect::<Vec<_>>()
            .join(" ")
            .split("= \"")
            .map(|piece| piece.split_once('"').map_or(piece, |(_, rest)| rest))
            .collect::<Vec<_>>()
            .join(" ");
        let prose = prose.split_once(" = ").map_or(prose.as_str(), |(_, v)| v);
        if prose.contains('"') {
            wrong.push(format!("ASCII quotes in: {m}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "not the glossary's words:\n{}",
        wrong.join("\n")
    );
}
