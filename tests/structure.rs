//! The code map in `src/lib.rs` is the house's plan: modules listed from the
//! ground floor up, each importing only modules listed above it. This test
//! reads the map and every module's source (its tests aside) and fails on an
//! import that runs up the floors, and on a module the map does not list.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The crate's top-level modules, as `src/lib.rs` declares them; a module
/// that is only a test (`#![cfg(test)]`) stands apart.
fn declared() -> Vec<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| {
            let l = l.trim();
            let name = l
                .strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))?
                .strip_suffix(';')?;
            Some(name.to_string())
        })
        .filter(|m| {
            !std::fs::read_to_string(&files(m)[0])
                .unwrap()
                .contains("\n#![cfg(test)]")
        })
        .collect()
}

/// The modules in the order the code map names them (first mention), between
/// "# Code map" and "# Invariants".
fn map_order(modules: &[String]) -> Vec<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let map = lib
        .split("# Code map")
        .nth(1)
        .and_then(|rest| rest.split("# Invariants").next())
        .expect("src/lib.rs has a code map");
    let mut order: Vec<String> = Vec::new();
    for piece in map.split("[`").skip(1) {
        let name = piece.split('`').next().unwrap_or("");
        let name = name.split("::").next().unwrap_or("");
        if modules.iter().any(|m| m == name) && !order.iter().any(|o| o == name) {
            order.push(name.to_string());
        }
    }
    order
}

/// Every source file of module `m`.
fn files(m: &str) -> Vec<PathBuf> {
    let single = src().join(format!("{m}.rs"));
    if single.exists() {
        return vec![single];
    }
    let mut out = Vec::new();
    let mut dirs = vec![src().join(m)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                // A module's tests (`#[cfg(test)] mod tests;`) may use any floor.
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The crate's modules a file's code (not its tests) names: `crate::x`.
fn imports(file: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    code.split("crate::")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn every_import_runs_down_the_floors_of_the_code_map() {
    let modules = declared();
    let order = map_order(&modules);
    let missing: Vec<&String> = modules.iter().filter(|m| !order.contains(m)).collect();
    assert!(
        missing.is_empty(),
        "modules the code map in src/lib.rs does not list: {missing:?}"
    );
    let floor = |m: &str| order.iter().position(|o| o == m);
    let mut upward = Vec::new();
    for m in &order {
        for file in files(m) {
            for used in imports(&file) {
                if let (Some(to), Some(from)) = (floor(&used), floor(m))
                    && to > from
                {
                    upward.push(format!(
                        "{} (floor of `{m}`) imports `{used}`, a module on a higher floor",
                        file.strip_prefix(src()).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run up the floors of the code map:\n{}",
        upward.join("\n")
    );
    assert!(order.len() > 20, "the map was read: {order:?}");
    assert_eq!(order.first().map(String::as_str), Some("i18n"));
    assert_eq!(order.last().map(String::as_str), Some("cli"));
}

/// Every source file of the crate, tests included.
fn every_file() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The functions of `text` and their lengths in lines, from the line of
/// `fn` to the line of its closing brace (read by brace depth; braces in
/// strings and comments that do not balance would mislead it, and fail it
/// loudly rather than pass).
fn functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(at) = t.find("fn ") else { continue };
        let head = &t[..at];
        let is_fn = head.is_empty()
            || head.split_whitespace().all(|w| {
                [
                    "pub",
                    "pub(crate)",
                    "pub(super)",
                    "async",
                    "const",
                    "unsafe",
                ]
                .contains(&w)
            });
        if !is_fn || t.starts_with("//") {
            continue;
        }
        let name: String = t[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut depth = 0i64;
        let mut opened = false;
        for (j, l) in lines.iter().enumerate().skip(i) {
            let code = l.split("//").next().unwrap_or("");
            for c in code.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    ';' if !opened && depth == 0 => break,
                    _ => {}
                }
            }
            if !opened && code.trim_end().ends_with(';') {
                break;
            }
            if opened && depth <= 0 {
                out.push((name.clone(), j - i + 1));
                break;
            }
        }
    }
    out
}

/// A house someone else can live in: no room over 600 lines, no function
/// over 100.
#[test]
fn no_file_over_600_lines_and_no_function_over_100() {
    let mut over = Vec::new();
    for file in every_file() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(src()).unwrap().display().to_string();
        let lines = text.lines().count();
        if lines > 600 {
            over.push(format!("{name}: {lines} lines"));
        }
        for (f, n) in functions(&text) {
            if n > 100 {
                over.push(format!("{name}: fn {f} is {n} lines"));
            }
        }
    }
    assert!(over.is_empty(), "too big:\n{}", over.join("\n"));
    let sample =
        "fn a() {\n    let x = 1;\n}\n\npub(crate) async fn b(\n    y: u8,\n) -> u8 {\n    y\n}\n";
    assert_eq!(
        functions(sample),
        [("a".to_string(), 3), ("b".to_string(), 5)],
        "the counter counts"
    );
}

/// A registry's entries, `Variant(module::Type) = "name"`, read from the
/// macro call that lists them in `file`.
fn registry(file: &str, macro_call: &str) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(src().join(file)).unwrap();
    let list = text
        .split(macro_call)
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .unwrap_or_else(|| panic!("{file} calls {macro_call}"));
    list.lines()
        .filter_map(|l| {
            let (variant, rest) = l.trim().split_once('(')?;
            let (path, _) = rest.split_once(')')?;
            let (module, ty) = path.split_once("::")?;
            Some((variant.to_string(), module.to_string(), ty.to_string()))
        })
        .collect()
}

/// Where outside `folder` a file names one of the registry's modules or
/// types; at most one file (the fuzzers) may.
fn named_outside(
    folder: &str,
    registry: &[(String, String, String)],
    enums: &[&str],
) -> Vec<String> {
    let mut out = Vec::new();
    for file in every_file() {
        let name = file.strip_prefix(src()).unwrap().display().to_string();
        if name.starts_with(folder) {
            continue;
        }
        // Code only: the docs may name the folders.
        let text: String = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let hit = registry.iter().any(|(variant, module, ty)| {
            let word = |w: &str| {
                text.match_indices(w).any(|(i, _)| {
                    let before = text[..i].chars().next_back();
                    let after = text[i + w.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
            };
            word(ty)
                || text.contains(&format!("{folder}{module}"))
                || text.contains(&format!("{}::{module}", folder.trim_end_matches('/')))
                || enums.iter().any(|e| word(&format!("{e}::{variant}")))
        });
        if hit {
            out.push(name);
        }
    }
    out
}

/// One kind, one folder; one sink, one file: outside `kinds/` (and
/// `sinks/`) at most one file names a kind's (a sink's) module or types.
#[test]
fn kinds_and_sinks_are_named_in_their_own_folders_only() {
    let kinds = registry("kinds/mod.rs", "kinds! {");
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    let outside = named_outside("kinds/", &kinds, &["Spec", "Kind"]);
    assert!(
        outside.len() <= 1,
        "files outside kinds/ that name a kind: {outside:?}"
    );
    let sinks = registry("sinks/mod.rs", "sinks! {");
    assert_eq!(sinks.len(), 4, "{sinks:?}");
    let outside = named_outside("sinks/", &sinks, &["SinkSpec", "SinkKind"]);
    assert!(
        outside.len() <= 1,
        "files outside sinks/ that name a sink: {outside:?}"
    );
}
