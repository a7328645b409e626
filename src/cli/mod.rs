//! The command line: arguments are parsed first, then resolved into working
//! objects, then run. The only code that prints. `anyhow` lives here, at the edge.

/// `print!` and `println!` that end the program quietly when the reader has
/// gone (`okx-monitor status | head`), instead of panicking on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::emit(&format!($($arg)*)) };
}
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::emit(&format!("{}\n", format!($($arg)*))) };
}

mod check;
mod diagnose;
mod explain;
mod notify;
mod run;
mod samples;
mod status;
mod table;
mod validate;
mod wait;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{self, Config};
use crate::i18n::Lang;

/// Exit codes (README, "Commands"): success, something found down, usage/config/runtime error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FOUND_DOWN: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "okx-monitor",
    version,
    about = "Is OKX support reachable, through which channel, and when is the best time to try?"
)]
struct Args {
    /// A directory of *.toml check definitions, or one file (default: checks/
    /// when it exists here, else the built-in checks).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The language of what people read: en or zh-CN (default: from LC_ALL, LC_MESSAGES, LANG).
    #[arg(long, global = true, value_name = "LANG", value_parser = Lang::from_flag)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The daemon: schedule every check, store every result, serve /metrics and /healthz.
    Run(run::RunArgs),
    /// Run every check (or those named by --only) once, now, and print the outcomes.
    Check(check::CheckArgs),
    /// Per channel: the state now, availability and latency, the best and worst times to contact support.
    Status(status::StatusArgs),
    /// "I can't reach support": is it this machine's network, its DNS, a block, or OKX?
    Diagnose(diagnose::DiagnoseArgs),
    /// Check the configuration alone.
    Validate(validate::ValidateArgs),
    /// Import samples from JSON Lines (all or nothing).
    Import(samples::ImportArgs),
    /// Export every sample as JSON Lines.
    Export(samples::ExportArgs),
    /// Tell me when I can reach support: wait until a channel answers.
    Wait(wait::WaitArgs),
    /// Notices: `--test [NAME]` sends a test message through every sink (or one).
    Notify(notify::NotifyArgs),
    /// Run one check once and show what it saw, to pin it to what the real site does.
    Explain(explain::ExplainArgs),
    /// The built-in checks: `config dump DIR` writes them as editable files.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Write the built-in checks into DIR as editable files; never overwrites.
    Dump {
        /// The directory to write them into (created when missing).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

/// Runs the program and returns its exit code; errors are printed here.
pub fn main() -> u8 {
    // The language first (its flag read ahead of the rest), so that `--help`
    // and every error of the parse already speak it.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    crate::i18n::set(language(&argv, |v| std::env::var(v).ok()));
    let parsed = localized(Args::command())
        .try_get_matches_from(&argv)
        .and_then(|m| Args::from_arg_matches(&m));
    let args = match parsed {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", t!("error-prefix", error = format!("{e:#}")));
            EXIT_ERROR
        }
    }
}

/// `--lang`'s value when it names a language, else the locale's.
fn language(argv: &[std::ffi::OsString], var: impl Fn(&str) -> Option<String>) -> Lang {
    let flag = argv.iter().enumerate().find_map(|(i, a)| {
        let a = a.to_str()?;
        match a.strip_prefix("--lang") {
            Some("") => argv.get(i + 1)?.to_str().map(str::to_string),
            Some(v) => v.strip_prefix('=').map(str::to_string),
            None => None,
        }
    });
    flag.and_then(|f| Lang::from_flag(&f).ok())
        .unwrap_or_else(|| Lang::from_locale(var))
}

/// The command's about texts in the process's language.
fn localized(cmd: clap::Command) -> clap::Command {
    let subcommands = [
        ("run", t!("help-run")),
        ("check", t!("help-check")),
        ("status", t!("help-status")),
        ("diagnose", t!("help-diagnose")),
        ("validate", t!("help-validate")),
        ("import", t!("help-import")),
        ("export", t!("help-export")),
        ("wait", t!("help-wait")),
        ("notify", t!("help-notify")),
        ("explain", t!("help-explain")),
        ("config", t!("help-config-command")),
    ];
    let mut cmd = cmd
        .about(t!("help-about"))
        .mut_arg("config", |a| a.help(t!("help-config")))
        .mut_arg("lang", |a| a.help(t!("help-lang")));
    let lang = crate::i18n::current();
    for (name, about) in subcommands {
        cmd = cmd.mut_subcommand(name, |mut c| {
            let ids: Vec<String> = c.get_arguments().map(|a| a.get_id().to_string()).collect();
            for id in ids {
                // `arg-status-window`: an option's help, where the catalogue has one.
                if let Some(help) = lang.get(&format!("arg-{name}-{id}")) {
                    c = c.mut_arg(id, |a| a.help(help));
                }
            }
            c.about(about)
        });
    }
    cmd.mut_subcommand("config", |c| {
        c.mut_subcommand("dump", |d| {
            d.about(t!("help-config-dump"))
                .mut_arg("dir", |a| a.help(t!("arg-config-dump-dir")))
        })
    })
}

fn run(args: Args) -> anyhow::Result<u8> {
    let source = config::Source::resolve(args.config);
    let source = &source;
    match args.command {
        Command::Run(a) => run::run(source, a),
        Command::Check(a) => check::run(source, a),
        Command::Status(a) => status::run(source, a),
        Command::Diagnose(a) => diagnose::run(source, a),
        Command::Import(a) => samples::import(source, a),
        Command::Export(a) => samples::export(source, a),
        Command::Validate(a) => validate::run(source, a),
        Command::Wait(a) => wait::run(source, a),
        Command::Notify(a) => notify::run(source, a),
        Command::Explain(a) => explain::run(source, a),
        Command::Config(ConfigCommand::Dump { dir }) => {
            let files = config::builtin::dump(&dir).map_err(anyhow::Error::msg)?;
            let names: Vec<String> = files
                .iter()
                .filter_map(|f| f.file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .collect();
            outln!(
                "{}",
                t!(
                    "dump-done",
                    dir = dir.display().to_string(),
                    files = names.join(", ")
                )
            );
            Ok(EXIT_OK)
        }
    }
}

/// Loads the configuration; its errors are already one sentence with file:line:col.
fn load_config(source: &config::Source) -> anyhow::Result<Config> {
    Ok(config::load_source(source)?)
}

/// For commands that need no configuration (status, import, export): a path
/// that does not exist gives the defaults, an invalid one is still an error.
fn optional_config(source: &config::Source) -> anyhow::Result<Option<Config>> {
    match source.path() {
        Some(path) if !path.exists() => Ok(None),
        _ => Ok(Some(load_config(source)?)),
    }
}

/// The clock of `status` and `diagnose`: now, or the instant the environment
/// variable `OKX_MONITOR_NOW` names (RFC 3339), so that a session on a known
/// history can be replayed exactly (the README's examples are, by a test).
fn now() -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    match std::env::var("OKX_MONITOR_NOW") {
        Err(_) => Ok(chrono::Utc::now()),
        Ok(value) => chrono::DateTime::parse_from_rfc3339(&value)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| anyhow::anyhow!(t!("bad-now", value = value))),
    }
}

/// The runtime of the commands that do I/O.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .with_context(|| t!("no-runtime"))
}

/// Whether to colour output: on a terminal or when `CLICOLOR_FORCE` is set
/// (not `0`), and never when `NO_COLOR` is set.
fn use_colour() -> bool {
    use std::io::IsTerminal;
    let set = |v: &str| std::env::var_os(v).is_some_and(|v| !v.is_empty());
    let forced =
        set("CLICOLOR_FORCE") && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
    !set("NO_COLOR") && (forced || std::io::stdout().is_terminal())
}

/// Writes `text` to standard output; a reader that has gone ends the program
/// (exit 0, as `head` expects of what it reads from).
pub fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(i32::from(EXIT_OK));
    }
}

/// "What to do now:" and the numbered advice, after a blank line; nothing
/// when there is no advice.
fn advice_list(advice: &[String]) -> String {
    if advice.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", t!("what-to-do"));
    for (i, a) in advice.iter().enumerate() {
        out.push_str(&format!("  {}. {a}\n", i + 1));
    }
    out
}

/// `18175` → `18,175`: counts people read.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_option_has_its_help_in_both_languages() {
        use clap::CommandFactory as _;
        let cmd = super::Args::command();
        for sub in cmd.get_subcommands() {
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "config" | "lang" | "help") {
                    continue;
                }
                for lang in crate::i18n::Lang::ALL {
                    let key = format!("arg-{}-{id}", sub.get_name());
                    assert!(lang.get(&key).is_some(), "{key} missing in {}", lang.code());
                }
            }
        }
    }

    #[test]
    fn the_language_flag_is_read_before_the_rest() {
        use crate::i18n::Lang;
        let argv = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        let zh = |v: &str| (v == "LANG").then(|| "zh_CN.UTF-8".to_string());
        assert_eq!(super::language(&argv(&["x", "status"]), zh), Lang::ZhCn);
        assert_eq!(
            super::language(&argv(&["x", "--lang", "en", "status"]), zh),
            Lang::En
        );
        assert_eq!(
            super::language(&argv(&["x", "status", "--lang=zh-CN"]), |_| None),
            Lang::ZhCn
        );
        assert_eq!(
            super::language(&argv(&["x", "--lang", "fr"]), |_| None),
            Lang::En
        );
    }

    #[test]
    fn thousands_are_grouped() {
        let cases = [(0, "0"), (999, "999"), (1000, "1,000"), (18_175, "18,175")];
        for (n, text) in cases {
            assert_eq!(super::thousands(n), text);
        }
        assert_eq!(super::thousands(4_204_800), "4,204,800");
    }
}
