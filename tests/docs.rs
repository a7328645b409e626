//! Docs that cannot drift: the configuration reference (`docs/configuration.md`)
//! names exactly the keys the loader accepts, table by table and kind by kind.
//! The accepted keys are asked of the loader itself (its "unknown field …,
//! expected one of …" answer to a key that does not exist), so no list here
//! can drift from it either.

use std::collections::{BTreeMap, BTreeSet};

use okx_monitor::config::Kind;

use crate::support::ConfigDir;

const NOT_A_KEY: &str = "zz_not_a_key";

fn repo_file(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The reference's keys under each heading: the first cell of every table
/// row, `key` in backticks. A table under a plain-text line (`tls_server_config`:)
/// belongs to that line.
fn reference() -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut section = String::new();
    for line in repo_file("docs/configuration.md").lines() {
        if let Some(h) = line.strip_prefix('#') {
            section = h.trim_start_matches('#').trim().to_string();
        } else if let Some(t) = line.strip_suffix(':').filter(|l| l.starts_with('`')) {
            section = t.to_string();
        } else if let Some(row) = line.strip_prefix("| `")
            && let Some((key, _)) = row.split_once('`')
        {
            out.entry(section.clone())
                .or_default()
                .insert(key.to_string());
        }
    }
    out
}

/// The keys the reference names under the heading that starts with `heading`.
fn keys(reference: &BTreeMap<String, BTreeSet<String>>, heading: &str) -> BTreeSet<String> {
    let found: Vec<_> = reference
        .iter()
        .filter(|(h, _)| h.starts_with(heading))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one section `{heading}`: {:?}",
        reference.keys()
    );
    found[0].1.clone()
}

/// What the loader's refusal of [`NOT_A_KEY`] says it expected: every word in
/// backticks but the key itself (in either language of the messages).
fn expected_in(message: &str) -> BTreeSet<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| *w != NOT_A_KEY)
        .map(str::to_string)
        .collect()
}

/// The keys the configuration loader accepts in the table `toml` opens.
fn accepted(toml: &str) -> BTreeSet<String> {
    let dir = ConfigDir::new(&[("checks.toml", &format!("{toml}{NOT_A_KEY} = 1\n"))]);
    let Err(e) = okx_monitor::config::load(dir.path()) else {
        panic!("{toml}{NOT_A_KEY} is accepted");
    };
    let keys = expected_in(&e.to_string());
    assert!(!keys.is_empty(), "{e}");
    keys
}

/// The keys the `--web-config` loader accepts in the table `yaml` opens.
fn web_accepted(yaml: &str) -> BTreeSet<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.yml");
    std::fs::write(&path, format!("{yaml}{NOT_A_KEY}: 1\n")).unwrap();
    let Err(e) = okx_monitor::webconfig::WebConfig::load(&path) else {
        panic!("{yaml}{NOT_A_KEY} is accepted");
    };
    let keys = expected_in(&e.to_string());
    assert!(!keys.is_empty(), "{e}");
    keys
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

#[test]
fn the_configuration_reference_names_every_key_the_loader_accepts() {
    let doc = reference();
    let tables = accepted("");
    assert_eq!(tables, set(&["settings", "defaults", "check", "notify"]));
    for table in ["`[settings]`", "`[defaults]`"] {
        let name = table.trim_matches(|c| c == '`' || c == '[' || c == ']');
        assert_eq!(
            keys(&doc, table),
            accepted(&format!("[{name}]\n")),
            "docs/configuration.md, {table}"
        );
    }

    // [[check]]: the common keys, and each kind's own, as the kinds declare them.
    let check = accepted("[[check]]\n");
    let of_kinds: BTreeSet<String> = Kind::ALL
        .iter()
        .flat_map(|k| k.keys().iter().map(|s| s.to_string()))
        .collect();
    let common: BTreeSet<String> = check.difference(&of_kinds).cloned().collect();
    assert_eq!(keys(&doc, "`[[check]]`"), common, "the keys of every kind");
    for kind in Kind::ALL {
        let heading = format!("`kind = \"{}\"`", kind.as_str());
        assert_eq!(
            keys(&doc, &heading),
            set(kind.keys()),
            "docs/configuration.md, {heading}"
        );
    }

    // [[notify]]: the keys of every sink, and the sinks' own.
    let notify = accepted("[[notify]]\n");
    let sinks = ["ntfy", "telegram", "webhook", "email"];
    let mut named = keys(&doc, "`[[notify]]`");
    for sink in sinks {
        named.extend(keys(&doc, &format!("`kind = \"{sink}\"`")));
    }
    assert_eq!(
        named, notify,
        "docs/configuration.md, [[notify]] and its sinks"
    );

    // The --web-config file.
    assert_eq!(keys(&doc, "The `--web-config` file"), web_accepted(""));
    for table in ["tls_server_config", "http_server_config"] {
        assert_eq!(
            keys(&doc, &format!("`{table}`")),
            web_accepted(&format!("{table}:\n  ")),
            "docs/configuration.md, {table}"
        );
    }
}

/// The reference does not name a key twice in one table, or a section twice.
#[test]
fn the_reference_names_each_key_once_per_table() {
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut section = String::new();
    for line in repo_file("docs/configuration.md").lines() {
        if line.starts_with('#') || (line.starts_with('`') && line.ends_with(':')) {
            section = line.to_string();
            assert!(!seen.contains_key(&section), "{section} twice");
            seen.insert(section.clone(), BTreeSet::new());
        } else if let Some(row) = line.strip_prefix("| `")
            && let Some((key, _)) = row.split_once('`')
        {
            let keys = seen.entry(section.clone()).or_default();
            assert!(keys.insert(key.to_string()), "{key} twice in {section}");
        }
    }
}

/// The rows of the README's table under `## {heading}`: each row's first cell.
fn readme_table(heading: &str) -> Vec<String> {
    let readme = repo_file("README.md");
    let start = readme
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("README has no section {heading}"));
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .map(str::to_string)
        .collect()
}

/// Every subcommand `--help` lists is in the README's command table.
#[tokio::test]
async fn the_readme_lists_every_command() {
    let out = crate::support::run(&["--lang", "en", "--help"]).await;
    let help = crate::support::stdout(&out);
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .expect("--help lists commands")
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 9, "{help}");
    let table = readme_table("Commands").join("\n");
    for c in commands {
        assert!(
            table.contains(&format!("`okx-monitor {c}")) || table.contains(&format!("/ `{c}")),
            "README's command table lacks `{c}`:\n{table}"
        );
    }
}

/// The README's metrics table names every metric family the daemon exposes
/// (`tests/fixtures/metrics.txt` is a render of every series, and
/// `metrics_text` holds it to the real one), and no other.
#[test]
fn the_readme_lists_every_metric() {
    let exposed: BTreeSet<String> = repo_file("tests/fixtures/metrics.txt")
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(exposed.len() > 20, "{exposed:?}");
    let listed: BTreeSet<String> = readme_table("Metrics")
        .iter()
        .flat_map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .filter_map(|m| m.split('{').next())
                .filter(|m| m.starts_with("okx_monitor_"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(listed, exposed, "README's metrics table against /metrics");
}

/// Every TOML example of the README loads: `validate` accepts it (beside one
/// check, for the blocks that hold none), with its `env:` secrets set.
#[tokio::test]
async fn the_readmes_toml_examples_load() {
    let readme = repo_file("README.md");
    let blocks: Vec<&str> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(!blocks.is_empty());
    for block in blocks {
        let mut toml = block.to_string();
        if !toml.contains("[[check]]") {
            toml.push_str(
                "\n[[check]]\nname = \"c\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"127.0.0.1:9\"\n",
            );
        }
        let dir = ConfigDir::new(&[("example.toml", &toml)]);
        let out = crate::support::run_env(
            &["--config", dir.path().to_str().unwrap(), "validate"],
            &[("TELEGRAM_BOT_TOKEN", "1:x"), ("SMTP_PASSWORD", "x")],
        )
        .await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "README's example does not load:\n{block}\n{}",
            crate::support::stderr(&out)
        );
    }
}
