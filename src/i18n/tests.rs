use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// id → the variables its pattern uses, from a catalogue's text (a message
/// starts at column 0; its continuation lines are indented).
fn messages(ftl: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut id = None;
    for line in ftl.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            id = None;
            continue;
        }
        if !line.starts_with(' ') {
            let (name, _) = line
                .split_once(" = ")
                .unwrap_or_else(|| panic!("not a message: {line}"));
            id = Some(name.to_string());
            out.entry(name.to_string()).or_default();
        }
        let Some(id) = &id else { continue };
        let vars = out.entry(id.clone()).or_default();
        for (i, _) in line.match_indices('$') {
            let name: String = line[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            vars.insert(name);
        }
    }
    out
}

#[test]
fn both_catalogues_parse_without_a_fault() {
    for lang in Lang::ALL {
        if let Err((_, errors)) = FluentResource::try_new(lang.catalogue().to_string()) {
            panic!("{}: {errors:?}", lang.code());
        }
    }
}

#[test]
fn every_message_is_in_both_languages_with_the_same_placeables() {
    let en = messages(EN_FTL);
    let zh = messages(ZH_CN_FTL);
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "in English only: {only_en:?}");
    assert!(only_zh.is_empty(), "in Chinese only: {only_zh:?}");
    for (id, vars) in &en {
        assert_eq!(vars, &zh[id], "placeables of `{id}` differ");
    }
    assert!(en.len() > 200, "{} messages", en.len());
}

/// Every `t!("…")`, `tl!(…, "…")` and `.tr("…")` in the source names a
/// message of the catalogue, so no person ever reads an id.
#[test]
fn every_message_the_code_asks_for_exists() {
    let en = messages(EN_FTL);
    let call = regex::Regex::new(r#"(?:\bt!\(|\.tr\(|\btl!\([^,"]+,)\s*"([a-z0-9_-]+)""#).unwrap();
    let mut asked = BTreeSet::new();
    for (path, text) in sources() {
        for c in call.captures_iter(&text) {
            asked.insert((c[1].to_string(), path.clone()));
        }
    }
    let missing: Vec<_> = asked
        .iter()
        .filter(|(id, _)| !en.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "asked for but not in the catalogue: {missing:?}"
    );
    assert!(asked.len() > 100, "{} found", asked.len());
}

/// Every `reason!("code", name = …)` in the source has its words,
/// `reason-code`, in the catalogue, with exactly its parameters as
/// placeables (both catalogues agree by the test above).
#[test]
fn every_reason_the_code_makes_has_its_words_with_its_parameters() {
    let en = messages(EN_FTL);
    let start = regex::Regex::new(r#"\breason!\(\s*"([a-z0-9_]+)""#).unwrap();
    let param = regex::Regex::new(r"(?:^|,)\s*([a-z_]+)\s*=[^=]").unwrap();
    let mut made = 0;
    let mut faults = Vec::new();
    for (path, text) in sources() {
        for c in start.captures_iter(&text) {
            // The macro's arguments, to its closing parenthesis.
            let rest = &text[c.get(1).unwrap().end() + 1..];
            let (mut depth, mut end) = (1, rest.len());
            for (i, ch) in rest.char_indices() {
                match ch {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            // Only the top level: a parameter's value may call functions.
            let mut top = String::new();
            let mut d = 0;
            for ch in rest[..end].chars() {
                match ch {
                    '(' | '[' | '{' => d += 1,
                    ')' | ']' | '}' => d -= 1,
                    _ if d == 0 => top.push(ch),
                    _ => {}
                }
            }
            let params: BTreeSet<String> = param
                .captures_iter(&top)
                .map(|p| p[1].to_string())
                .collect();
            let id = format!("reason-{}", &c[1]);
            made += 1;
            match en.get(&id) {
                None => faults.push(format!("{path}: `{id}` is not in the catalogue")),
                Some(placeables) if *placeables != params => faults.push(format!(
                    "{path}: `{id}` takes {placeables:?}, the code gives {params:?}"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(faults.is_empty(), "{faults:#?}");
    assert!(made > 90, "{made} found");
}

/// Every source file but this one, as (path, code without whole-line comments).
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("i18n/tests.rs")
            {
                let text: String = std::fs::read_to_string(&path)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

#[test]
fn messages_format_with_their_arguments_and_plurals() {
    assert_eq!(
        crate::tl!(Lang::En, "validate-ok", checks = 1u64, files = 2u64),
        "configuration is valid: 1 check in 2 files"
    );
    assert_eq!(
        crate::tl!(Lang::ZhCn, "validate-ok", checks = 3u64, files = 1u64),
        "配置有效：1 个文件中共 3 个检查项"
    );
    assert_eq!(Lang::En.tr("no-such-message", &[]), "no-such-message");
    assert_eq!(
        words::wait(Lang::ZhCn, chrono::TimeDelta::hours(76)),
        "3 天 4 小时后"
    );
    assert_eq!(
        words::wait(Lang::ZhCn, chrono::TimeDelta::hours(72)),
        "3 天后"
    );
    assert_eq!(words::weekday_short(Lang::ZhCn, 1), "周一");
    assert_eq!(words::weekday_short(Lang::En, 7), "Sun");
}

#[test]
fn the_language_comes_from_the_flag_the_locale_or_the_browser() {
    assert_eq!(Lang::from_flag("zh-CN"), Ok(Lang::ZhCn));
    assert_eq!(Lang::from_flag("en"), Ok(Lang::En));
    assert!(Lang::from_flag("fr").is_err());
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        Lang::from_locale(env(&[("LANG", "zh_CN.UTF-8")])),
        Lang::ZhCn
    );
    assert_eq!(
        Lang::from_locale(env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])),
        Lang::En,
        "LC_ALL first"
    );
    assert_eq!(
        Lang::from_locale(env(&[
            ("LC_MESSAGES", "zh_CN.UTF-8"),
            ("LANG", "en_US.UTF-8")
        ])),
        Lang::ZhCn
    );
    assert_eq!(Lang::from_locale(env(&[("LANG", "fr_FR.UTF-8")])), Lang::En);
    assert_eq!(
        Lang::from_locale(env(&[("LANG", "zh_TW.UTF-8")])),
        Lang::En,
        "not Simplified"
    );
    assert_eq!(Lang::from_locale(env(&[("LANG", "")])), Lang::En);
    assert_eq!(
        Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
        Some(Lang::ZhCn)
    );
    assert_eq!(
        Lang::from_accept_language("en-US,en;q=0.9,zh;q=0.8"),
        Some(Lang::En)
    );
    assert_eq!(
        Lang::from_accept_language("fr;q=1, zh-Hans;q=0.5"),
        Some(Lang::ZhCn)
    );
    assert_eq!(Lang::from_accept_language("fr, de"), None);
}

#[test]
fn display_width_counts_two_columns_for_a_han_character() {
    assert_eq!(words::width("在线客服"), 8);
    assert_eq!(words::width("chat"), 4);
    assert_eq!(words::pad("正常", 6), "正常  ");
}

#[test]
fn every_channel_and_outcome_has_its_words_in_both_languages() {
    for lang in Lang::ALL {
        for c in crate::channel::Channel::ALL {
            for w in [c.words(lang), c.words_capitalized(lang), c.column(lang)] {
                assert!(!w.starts_with("ch-"), "{}: {w}", lang.code());
            }
        }
        for o in crate::outcome::Outcome::ALL {
            assert!(
                !o.words(lang).starts_with("outcome-"),
                "{}: {o}",
                lang.code()
            );
        }
    }
    assert_eq!(crate::channel::Channel::Chat.words(Lang::ZhCn), "在线客服");
}

#[test]
fn weighted_lists_leave_out_what_is_refused() {
    let items: Vec<_> = weighted("gzip;q=0, br, deflate;q=0.5, x;q=nope").collect();
    assert_eq!(items, [("br", 1.0), ("deflate", 0.5)]);
}
