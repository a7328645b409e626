//! `okx-monitor diagnose`: live troubleshooting from this machine, now.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::table::{self, Cell};
use super::{EXIT_FOUND_DOWN, EXIT_OK, Format};
use crate::channel::Channel;
use crate::diagnose::{self, Evidence, NameAnswers, Verdict};
use crate::outcome::Outcome;
use crate::reason::Reason;
use crate::runner::Prober;
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
    okx_declares: &'a [crate::status::Declared],
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
    error: Option<String>,
    error_code: Option<&'a Reason>,
    references: Vec<serde_json::Value>,
}

pub fn run(source: &crate::config::Source, args: DiagnoseArgs) -> anyhow::Result<u8> {
    let config = super::load_config(source)?;
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
    let next = next_window(
        &db,
        tz,
        u64::from(config.settings.min_samples),
        super::now()?,
    );
    let advice = diagnose::advice(verdict, &evidence, next.as_deref(), crate::i18n::current());
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
                okx_declares: &evidence.okx_declares,
                checks: &evidence.checks,
                names: evidence.names.iter().map(name_out).collect(),
            };
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => out!(
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
fn next_window(
    db: &Path,
    tz: chrono_tz::Tz,
    min_samples: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    let store = Store::open_existing(db).ok()?;
    let window = status::DEFAULT_WINDOW;
    let input = status::from_store(
        &store,
        Vec::new(),
        window,
        tz,
        now,
        status::Patterns::EachChannel,
    )
    .ok()?;
    let opts = status::Options {
        tz,
        window,
        span: status::DEFAULT_SPAN,
        min_samples,
        channels: vec![Channel::Chat],
        lang: crate::i18n::current(),
    };
    let s = status::build(&input, &opts, now);
    status::next_best_words(s.channels.first()?, now, tz, opts.lang)
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
        error: n.answer.as_ref().err().map(Reason::said),
        error_code: n.answer.as_ref().err(),
        references: n
            .references
            .iter()
            .map(|(r, a)| match a {
                Ok(v) => serde_json::json!({"resolver": r.to_string(), "addresses": v}),
                Err(e) => serde_json::json!({
                    "resolver": r.to_string(),
                    "error": e.said(),
                    "error_code": e,
                }),
            })
            .collect(),
    }
}

/// A resolver error in a word or two, for the table (JSON keeps the whole reason).
fn short_error(e: &Reason) -> String {
    match e.code() {
        "nxdomain" | "nxdomain_at" => "NXDOMAIN".to_string(),
        "no_records" | "no_records_at" | "no_address" => t!("dns-short-no-address"),
        "dns_no_answer" | "dns_no_answer_at" | "dns_no_answer_within" => {
            t!("dns-short-no-answer")
        }
        // The resolver library's words for a server it could not reach.
        _ if e.to_string().contains("no connections available") => t!("dns-short-unreachable"),
        _ => t!("dns-short-failed"),
    }
}

fn verdict_words(v: Verdict) -> String {
    match v {
        Verdict::Ok => t!("verdict-ok"),
        Verdict::LocalNetwork => t!("verdict-local_network"),
        Verdict::DnsFailure => t!("verdict-dns_failure"),
        Verdict::DnsTampering => t!("verdict-dns_tampering"),
        Verdict::Throttled => t!("verdict-throttled"),
        Verdict::Blocked => t!("verdict-blocked"),
        Verdict::OkxDown => t!("verdict-okx_down"),
        Verdict::ChannelsDown => t!("verdict-channels_down"),
    }
}

fn render(verdict: Verdict, e: &Evidence, advice: &[String], colour: bool) -> String {
    let lang = crate::i18n::current();
    let rows: Vec<Vec<Cell>> = e
        .checks
        .iter()
        .map(|c| {
            vec![
                Cell::from(c.check.as_str()),
                Cell::from(c.channel.column(lang)),
                super::check::outcome_cell(c.outcome, lang),
                Cell::from(
                    c.latency_ms
                        .map_or("-".to_string(), |l| crate::i18n::words::millis(lang, l)),
                ),
                Cell::from(c.reason.reason.as_str()),
            ]
        })
        .collect();
    let mut out = table::render(
        &[
            t!("col-check"),
            t!("col-channel"),
            t!("col-outcome"),
            t!("col-latency"),
            t!("col-reason"),
        ],
        &rows,
        colour,
    );
    if !e.names.is_empty() {
        let rows: Vec<Vec<Cell>> = e
            .names
            .iter()
            .map(|n| {
                let answer = |a: &Result<Vec<std::net::IpAddr>, Reason>| match a {
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
                    Cell::from(n.resolver.map_or(t!("resolver-system"), |r| r.to_string())),
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
            &[
                t!("col-name"),
                t!("col-resolver"),
                t!("col-answer"),
                t!("col-references"),
            ],
            &rows,
            colour,
        ));
    }
    out.push_str(&format!(
        "\n{}\n",
        t!("verdict-line", summary = verdict_words(verdict))
    ));
    out.push_str(&super::advice_list(advice));
    out
}
