//! The READMEs' example sessions are what the program prints. Every fenced
//! `text` block of `README.md` (in English) and `README.zh-CN.md` (in Chinese)
//! that starts with `$ okx-monitor …` is run, as written, in a scene of
//! loopback stand-ins for OKX: a working directory with `checks/` (the
//! default configuration) and, for `status`, a known history in the default
//! database and a fixed clock (`OKX_MONITOR_NOW`). Where the scene has live
//! peers (`check`, `diagnose`, `wait`), the measured milliseconds, the ports
//! and the columns' padding are the only things compared loosely.
//!
//! `OKX_README=overwrite cargo test --test tests readme -- --test-threads=1`
//! writes what the program printed into the READMEs instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::support::history::line;
use crate::support::peers::{self, response};
use crate::support::servers::{self, Server};
use crate::support::{bin, stderr, stdout};

/// The READMEs and the language each speaks.
const READMES: [(&str, &str); 2] = [("README.md", "C.UTF-8"), ("README.zh-CN.md", "zh_CN.UTF-8")];

/// One example: where its output lines are, the command, what it shows.
struct Example {
    file: &'static str,
    lang: &'static str,
    /// The line of `$ okx-monitor …` (0-based).
    at: usize,
    args: Vec<String>,
    shown: String,
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Every example session of both READMEs.
fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    for (file, lang) in READMES {
        let text = std::fs::read_to_string(repo(file)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(command) = l.strip_prefix("$ okx-monitor ") else {
                continue;
            };
            if i == 0 || lines[i - 1] != "```text" {
                continue;
            }
            let end = (i..lines.len())
                .find(|j| lines[*j] == "```")
                .expect("a closed block");
            out.push(Example {
                file,
                lang,
                at: i,
                args: command.split_whitespace().map(str::to_string).collect(),
                shown: lines[i + 1..end].join("\n"),
            });
        }
    }
    out
}

/// The examples of the command line `command` (without `okx-monitor`).
fn examples_of(command: &str) -> Vec<Example> {
    let found: Vec<Example> = examples()
        .into_iter()
        .filter(|e| e.args.join(" ") == command)
        .collect();
    assert!(!found.is_empty(), "no README shows `okx-monitor {command}`");
    found
}

/// The scenes below, by the command line each plays.
const SCENES: [&str; 5] = [
    "check --only help-center --only support-mail",
    "status --tz Asia/Shanghai",
    "diagnose",
    "wait --channel chat --every 10s",
    "--config broken/ validate",
];

#[test]
fn every_example_has_a_scene() {
    for e in examples() {
        let command = e.args.join(" ");
        assert!(
            SCENES.contains(&command.as_str()),
            "{}:{}: `okx-monitor {command}` is played by no scene in tests/readme.rs",
            e.file,
            e.at + 1
        );
    }
}

/// Runs `e`'s command in `dir` with `envs`: what it printed, standard output
/// then standard error.
async fn play(e: &Example, dir: &Path, envs: &[(&str, &str)]) -> String {
    let out = tokio::process::Command::new(bin())
        .args(&e.args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", e.lang)
        .envs(envs.iter().copied())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let mut text = stdout(&out) + &stderr(&out);
    // The bell `wait` rings is not shown.
    text.retain(|c| c != '\u{7}');
    text.trim_end().to_string()
}

/// Like [`play`], with `e`'s command on a terminal (a pseudo-terminal from
/// util-linux's `script`, in every Debian): what a person sees, the lines a
/// carriage return rewrote as they were left.
async fn play_on_terminal(e: &Example, dir: &Path) -> String {
    let quoted: Vec<String> = std::iter::once(bin().display().to_string())
        .chain(e.args.iter().cloned())
        .map(|a| format!("'{a}'"))
        .collect();
    let out = tokio::process::Command::new("script")
        .args(["-qefc", &quoted.join(" "), "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", e.lang)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .expect("script (util-linux)");
    stdout(&out)
        .replace('\u{7}', "")
        .split('\n')
        .map(|l| {
            let l = l.trim_end_matches('\r');
            l.rsplit('\r').next().unwrap_or(l).trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// What may differ between two runs against live peers: milliseconds, ports,
/// and so the columns' padding.
fn loosely(text: &str) -> String {
    let ms = regex::Regex::new(r"\d+ ms|\d+ 毫秒").unwrap();
    let port = regex::Regex::new(r"(127\.0\.0\.\d+):\d+").unwrap();
    let spaces = regex::Regex::new(r" {2,}").unwrap();
    text.lines()
        .map(|l| {
            let l = ms.replace_all(l, "N ms");
            let l = port.replace_all(&l, "$1:PORT");
            spaces.replace_all(l.trim_end(), " ").into_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compares what `e` printed with what its README shows (or writes it there
/// with `OKX_README=overwrite`).
fn holds(e: &Example, printed: &str, loose: bool) {
    if std::env::var("OKX_README").as_deref() == Ok("overwrite") {
        let path = repo(e.file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let end = (e.at..lines.len()).find(|j| lines[*j] == "```").unwrap();
        lines.splice(e.at + 1..end, printed.lines().map(str::to_string));
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        return;
    }
    let (shown, got) = if loose {
        (loosely(&e.shown), loosely(printed))
    } else {
        (e.shown.clone(), printed.to_string())
    };
    assert!(
        shown == got,
        "{}:{}: `okx-monitor {}` prints\n{printed}\n\nbut the README shows\n{}",
        e.file,
        e.at + 1,
        e.args.join(" "),
        e.shown
    );
}

/// A working directory whose `checks/okx.toml` is `toml`.
fn workdir(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("checks")).unwrap();
    std::fs::write(dir.path().join("checks/okx.toml"), toml).unwrap();
    dir
}

/// OKX's mail for `okx.test`: dnsmasq with two MX hosts, mx1 (127.0.0.1)
/// greeting on `port` and mx2 (127.0.0.2) accepting and never speaking.
async fn mail(silent_second: bool) -> (Server, u16, Vec<peers::Peer>) {
    let good = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = good.local_addr().unwrap().port();
    let mut peers = vec![peers::smtp_on(good, b"220 mx1.okx.test ESMTP\r\n")];
    let mut args = vec![
        "--local=/okx.test/".to_string(),
        "--mx-host=okx.test,mx1.okx.test,10".to_string(),
        "--host-record=mx1.okx.test,127.0.0.1".to_string(),
        "--host-record=www.okx.test,127.0.0.1".to_string(),
    ];
    if silent_second {
        let silent = tokio::net::TcpListener::bind(("127.0.0.2", port))
            .await
            .unwrap();
        peers.push(peers::smtp_on(silent, b""));
        args.push("--mx-host=okx.test,mx2.okx.test,20".to_string());
        args.push("--host-record=mx2.okx.test,127.0.0.2".to_string());
    }
    (servers::dnsmasq(&args), port, peers)
}

/// The help center (at `help_port`) and OKX's mail (its MX hosts greeting on
/// `mail_port`) as the shipped check names, on the stand-in domain okx.test.
fn okx_stand_ins(help_port: u16, mail_port: u16) -> String {
    format!(
        r#"[[check]]
name = "help-center"
channel = "help_center"
kind = "http"
url = "http://www.okx.test:{help_port}/help"
body_contains = "Help Center"

[[check]]
name = "support-mail"
channel = "email"
kind = "mx"
domain = "okx.test"
smtp = true
smtp_port = {mail_port}
"#
    )
}

/// The help center: a page that says what it is.
async fn help_center() -> peers::Peer {
    peers::http(|_| {
        response(
            200,
            &[("content-type", "text/html")],
            "<html><title>OKX Help Center</title><body>Help Center</body></html>",
        )
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn check_as_the_readme_shows() {
    let (dns, port, _mail) = mail(true).await;
    let help = help_center().await;
    let toml = format!(
        "[settings]\nresolver = \"{}\"\n\n[defaults]\ntimeout = \"2s\"\n\n{}",
        dns.addr,
        okx_stand_ins(help.addr.port(), port)
    );
    let dir = workdir(&toml);
    for e in examples_of(SCENES[0]) {
        let printed = play(&e, dir.path(), &[]).await;
        holds(&e, &printed, true);
    }
}

/// The instant the `status` example is taken at: Thursday 16:00 in Shanghai.
const NOW: &str = "2026-12-03T08:00:00Z";

/// 28 days of live chat and e-mail to support, a probe every five minutes:
/// chat is fast on Tuesdays 14:00–16:00 Shanghai time and fails a third of
/// its probes on Mondays 20:00–22:00, when e-mail fails one in twelve; e-mail
/// is the same at every other hour. Chat was down this afternoon from 15:05
/// to 15:20.
fn history(now: DateTime<Utc>) -> Vec<String> {
    let shanghai = chrono_tz::Asia::Shanghai;
    let mut n: u64 = 0;
    crate::support::history::every(now, 28, 5, |t, out| {
        n += 1;
        // A spread that is the same every run: 0..200 and 0..400.
        let spread = (n * 7919) % 200;
        let local = t.with_timezone(&shanghai);
        let (day, hour) = (local.weekday(), local.hour());
        let fast = day == chrono::Weekday::Tue && (14..16).contains(&hour);
        let busy = day == chrono::Weekday::Mon && (20..22).contains(&hour);
        let outage =
            now - t <= chrono::Duration::minutes(55) && now - t > chrono::Duration::minutes(40);
        let chat = if outage || (busy && n.is_multiple_of(3)) {
            line(t, "live-chat", "chat", "down", None)
        } else if fast {
            line(
                t,
                "live-chat",
                "chat",
                "up",
                Some(90.0 + (spread / 4) as f64),
            )
        } else {
            line(t, "live-chat", "chat", "up", Some(320.0 + spread as f64))
        };
        out.push(chat);
        let mail = 900.0 + ((n * 104_729) % 400) as f64;
        if busy && n % 12 == 5 {
            out.push(line(t, "support-mail", "email", "down", None));
        } else {
            out.push(line(t, "support-mail", "email", "up", Some(mail)));
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn status_as_the_readme_shows() {
    let toml = r#"[[check]]
name = "live-chat"
channel = "chat"
kind = "http"
url = "http://127.0.0.1:9/"

[[check]]
name = "support-mail"
channel = "email"
kind = "mx"
domain = "okx.test"
"#;
    let dir = workdir(toml);
    let now = DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc);
    let file = dir.path().join("history.jsonl");
    std::fs::write(&file, history(now).join("\n")).unwrap();
    let out = tokio::process::Command::new(bin())
        .args(["import", "history.jsonl"])
        .current_dir(dir.path())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for e in examples_of(SCENES[1]) {
        let printed = play(&e, dir.path(), &[("OKX_MONITOR_NOW", NOW)]).await;
        holds(&e, &printed, false);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn diagnose_as_the_readme_shows() {
    let (dns, port, _mail) = mail(false).await;
    let reference = servers::dnsmasq(&[
        "--local=/okx.test/".to_string(),
        "--host-record=www.okx.test,127.0.0.1".to_string(),
    ]);
    let help = help_center().await;
    let control = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let control_addr = control.local_addr().unwrap();
    let refused = peers::closed_port();
    let toml = format!(
        r#"[settings]
resolver = "{}"
reference_resolvers = ["{}"]

[defaults]
timeout = "2s"

[[check]]
name = "live-chat"
channel = "chat"
kind = "http"
url = "http://www.okx.test:{refused}/help"

{}
[[check]]
name = "control-web"
channel = "control"
kind = "tcp"
address = "{control_addr}"
"#,
        dns.addr,
        reference.addr,
        okx_stand_ins(help.addr.port(), port),
    );
    let dir = workdir(&toml);
    for e in examples_of(SCENES[2]) {
        let printed = play(&e, dir.path(), &[]).await;
        holds(&e, &printed, true);
    }
    drop(control);
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_as_the_readme_shows() {
    // The chat fails its first request of each play and answers every later
    // one: the first try fails and the second (10 s later) works, whatever
    // the machine's speed.
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = asked.clone();
    let chat = peers::http(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            response(502, &[], "bad gateway")
        } else {
            response(200, &[], "chat")
        }
    })
    .await;
    let toml = format!(
        "[[check]]\nname = \"live-chat\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\ntimeout = \"2s\"\n",
        chat.url("/help")
    );
    let dir = workdir(&toml);
    for e in examples_of(SCENES[3]) {
        asked.store(0, Ordering::SeqCst);
        let printed = play_on_terminal(&e, dir.path()).await;
        holds(&e, &printed, true);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_as_the_readme_shows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("broken")).unwrap();
    std::fs::write(
        dir.path().join("broken/okx.toml"),
        "# A check with a typo in its timeout.\n[[check]]\nname = \"help-center\"\nchannel = \"help_center\"\nkind = \"http\"\ntimeout = \"10 sec\"\nurl = \"https://www.okx.com/help\"\n",
    )
    .unwrap();
    for e in examples_of(SCENES[4]) {
        let printed = play(&e, dir.path(), &[]).await;
        holds(&e, &printed, false);
    }
}

/// A fenced block: its language and the lines that must agree.
type Block = (String, Vec<String>);
/// A section: its heading's level, the heading, and its blocks.
type Section = (usize, String, Vec<Block>);

/// One README cut at its `##` and `###` headings: each section's heading
/// level and the code it shows, as the test below compares it.
fn sections(file: &str) -> Vec<Section> {
    let text = std::fs::read_to_string(repo(file)).unwrap();
    let key = regex::Regex::new(r#""([A-Za-z_]+)":"#).unwrap();
    let mut out: Vec<Section> = Vec::new();
    let mut block: Option<Block> = None;
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut block, fence) {
            (None, Some(lang)) => block = Some((lang.to_string(), Vec::new())),
            (Some(_), Some("")) => {
                let (lang, lines) = block.take().unwrap();
                if let Some(section) = out.last_mut() {
                    section.2.push((lang, lines));
                }
            }
            (Some((lang, lines)), _) => {
                // What must agree: a command and its configuration, not the
                // words around them (comments, a session's output, a reason's
                // words in a JSON example).
                let code = match line.find(" #") {
                    Some(i) if lang != "json" => &line[..i],
                    _ => line,
                }
                .trim();
                let kept = match lang.as_str() {
                    "text" => code.starts_with("$ ").then(|| code.to_string()),
                    "json" => Some(key.find_iter(code).map(|m| m.as_str()).collect()),
                    _ => (!code.is_empty() && !code.starts_with('#')).then(|| code.to_string()),
                };
                lines.extend(kept.filter(|k| !k.is_empty()));
            }
            (None, None) => {
                let level = line.chars().take_while(|c| *c == '#').count();
                if (level == 2 || level == 3) && line[level..].starts_with(' ') {
                    out.push((level, line.to_string(), Vec::new()));
                }
            }
        }
    }
    out
}

/// README.zh-CN.md is the whole README in Chinese: every section of
/// README.md, in the same order and at the same level, each showing the same
/// commands, configuration and JSON keys.
#[test]
fn the_chinese_readme_has_every_section_and_command_of_the_english_one() {
    let en = sections("README.md");
    let zh = sections("README.zh-CN.md");
    let levels = |s: &[Section]| {
        s.iter()
            .map(|(l, h, _)| format!("{l} {h}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        en.len(),
        zh.len(),
        "sections:\n{:#?}\nagainst\n{:#?}",
        levels(&en),
        levels(&zh)
    );
    assert!(en.len() >= 20, "{} sections read", en.len());
    for ((el, eh, ecode), (zl, zh, zcode)) in en.iter().zip(&zh) {
        assert_eq!(el, zl, "`{eh}` and `{zh}` are not at the same level");
        assert_eq!(ecode, zcode, "`{eh}` and `{zh}` show different code");
    }
}
