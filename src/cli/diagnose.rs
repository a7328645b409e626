//! `okx-monitor diagnose`: live troubleshooting from this machine, now.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::table::{self, Cell};
use super::{EXIT_FOUND_DOWN, EXIT_OK, Format};
use crate::channel::Channel;
use crate::diagnose::{self, Evidence, NameAnswers, Verdict};
use crate::outcome::Outcome;
use crate::probe::Prober;
use crate::status;
use crate::store::Store;

#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The database whose recorded pattern names the next good time (default:
    /// [settings] db); diagnose works without one.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

#[derive(Serialize)]
struct Out<'a> {
    verdict: Verdict,
    channels: Vec<ChannelOut>,
    advice: &'a [String],
    checks: &'a [diagnose::CheckResult],
    names: Vec<NameOut<'a>>,
}

#[derive(Serialize)]
struct ChannelOut {
    channel: Channel,
    outcome: Outcome,
}

#[derive(Serialize)]
struct NameOut<'a> {
    name: &'a str,
    resolver: String,
    addresses: Vec<String>,
    error: Option<&'a str>,
    references: Vec<serde_json::Value>,
}

pub fn run(config_path: &Path, args: DiagnoseArgs) -> anyhow::Result<u8> {
    let config = super::load_config(config_path)?;
    let rt = super::runtime()?;
    let evidence = rt.block_on(async {
        let prober = Arc::new(Prober::with_settings(&config.checks, &config.settings)?);
        let evidence = diagnose::gather::gather(&config, prober.clone()).await;
        prober.shutdown().await;
        anyhow::Ok(evidence)
    })?;
    // Look-ups still winding down (a resolver that never answers) must not hold the exit.
    rt.shutdown_background();

    let verdict = diagnose::verdict(&evidence);
    let db = args.db.unwrap_or_else(|| config.settings.db.clone());
    let tz = config
        .settings
        .timezone
        .unwrap_or_else(crate::schedule::system_tz);
    let next = next_window(&db, tz, u64::from(config.settings.min_samples));
    let advice = diagnose::advice(verdict, &evidence, next.as_deref());
    match args.format {
        Format::Json => {
            let out = Out {
                verdict,
                channels: evidence
                    .channels()
                    .into_iter()
                    .map(|(channel, outcome)| ChannelOut { channel, outcome })
                    .collect(),
                advice: &advice,
                checks: &evidence.checks,
                names: evidence.names.iter().map(name_out).collect(),
            };
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => print!(
            "{}",
            render(verdict, &evidence, &advice, super::use_colour())
        ),
    }
    Ok(if verdict == Verdict::Ok {
        EXIT_OK
    } else {
        EXIT_FOUND_DOWN
    })
}

/// The next best window of the first channel, in order of preference, that
/// has one in the recorded pattern; `None` without a database or enough data.
fn next_window(db: &Path, tz: chrono_tz::Tz, min_samples: u64) -> Option<String> {
    let store = Store::open_existing(db).ok()?;
    let now = chrono::Utc::now();
    let window = status::DEFAULT_WINDOW;
    let input = status::from_store(&store, Vec::new(), window, tz, now).ok()?;
    let opts = status::Options {
        tz,
        window,
        span: status::DEFAULT_SPAN,
        min_samples,
        channels: vec![Channel::Chat],
    };
    let s = status::build(&input, &opts, now);
    status::next_best_words(s.channels.first()?, now, tz)
}

fn ips(v: &[std::net::IpAddr]) -> String {
    v.iter()
        .map(|ip| ip.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn name_out(n: &NameAnswers) -> NameOut<'_> {
    NameOut {
        name: &n.name,
        resolver: n.resolver.map_or("system".to_string(), |r| r.to_string()),
        addresses: n
            .answer
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|ip| ip.to_string())
            .collect(),
        error: n.answer.as_ref().err().map(String::as_str),
        references: n
            .references
            .iter()
            .map(|(r, a)| match a {
                Ok(v) => serde_json::json!({"resolver": r.to_string(), "addresses": v}),
                Err(e) => serde_json::json!({"resolver": r.to_string(), "error": e}),
            })
            .collect(),
    }
}

/// A resolver error in a word or two, for the table (JSON keeps the whole text).
fn short_error(e: &str) -> &'static str {
    if e.contains("NXDOMAIN") || e.contains("does not exist") {
        "NXDOMAIN"
    } else if e.contains("no such records") || e.contains("has no address") {
        "no address"
    } else if e.contains("no answer") || e.contains("timed out") {
        "no answer"
    } else if e.contains("no connections available") || e.contains("unreachable") {
        "unreachable"
    } else {
        "failed"
    }
}

fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "every channel is reachable",
        Verdict::LocalNetwork => "this machine's network is down",
        Verdict::DnsFailure => "names do not resolve, while the network works",
        Verdict::DnsTampering => "your DNS answers for OKX disagree with every reference resolver",
        Verdict::Throttled => "OKX refuses this machine (rate limit or bot challenge)",
        Verdict::Blocked => "OKX refuses this network or region outright (HTTP 451 or 403)",
        Verdict::OkxDown => "every OKX channel is down; your network works",
        Verdict::ChannelsDown => "some support channels are down; others work",
    }
}

fn render(verdict: Verdict, e: &Evidence, advice: &[String], colour: bool) -> String {
    let rows: Vec<Vec<Cell>> = e
        .checks
        .iter()
        .map(|c| {
            vec![
                Cell::from(c.check.as_str()),
                Cell::from(c.channel.as_str()),
                Cell {
                    text: c.outcome.to_string(),
                    colour: Some(super::check::outcome_colour(c.outcome)),
                },
                Cell::from(
                    c.latency_ms
                        .map_or("-".to_string(), |l| format!("{l:.0} ms")),
                ),
                Cell::from(c.reason.as_str()),
            ]
        })
        .collect();
    let mut out = table::render(
        &["CHECK", "CHANNEL", "OUTCOME", "LATENCY", "REASON"],
        &rows,
        colour,
    );
    if !e.names.is_empty() {
        let rows: Vec<Vec<Cell>> = e
            .names
            .iter()
            .map(|n| {
                let answer = |a: &Result<Vec<std::net::IpAddr>, String>| match a {
                    Ok(v) => ips(v),
                    Err(e) => format!("({})", short_error(e)),
                };
                let refs: Vec<String> = n
                    .references
                    .iter()
                    .map(|(r, a)| format!("{r}: {}", answer(a)))
                    .collect();
                vec![
                    Cell::from(n.name.as_str()),
                    Cell::from(n.resolver.map_or("system".to_string(), |r| r.to_string())),
                    Cell::from(answer(&n.answer)),
                    Cell::from(if refs.is_empty() {
                        "-".to_string()
                    } else {
                        refs.join("; ")
                    }),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table::render(
            &["NAME", "RESOLVER", "ANSWER", "REFERENCE RESOLVERS"],
            &rows,
            colour,
        ));
    }
    out.push_str(&format!(
        "\nVerdict: {} — {}\n",
        verdict.as_str(),
        verdict_words(verdict)
    ));
    if !advice.is_empty() {
        out.push_str("\nWhat to do now:\n");
        for (i, a) in advice.iter().enumerate() {
            out.push_str(&format!("  {}. {a}\n", i + 1));
        }
    }
    out
}
