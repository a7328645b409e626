//! `okx-monitor explain CHECK`: runs one check once and shows what it saw, for
//! pinning a check to what the real site does: for a `browser` check every
//! WebSocket and frame the page opened before and after the click, which
//! counted as the chat, and the check pinned to it; for an `http` check the
//! redirect chain, the final URL, the page's title and the rule that decided.

use std::sync::Arc;

use anyhow::bail;
use serde::Serialize;

use super::table::{self, Cell};
use super::{EXIT_FOUND_DOWN, EXIT_OK, Format};
use crate::channel::Channel;
use crate::config::{Kind, pinned};
use crate::outcome::{Opened, OpenedKind, Outcome, Report};
use crate::runner::Prober;

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The check to run and explain.
    #[arg(value_name = "CHECK")]
    check: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

/// What `explain` prints as JSON.
#[derive(Serialize)]
struct Out<'a> {
    check: &'a str,
    channel: Channel,
    kind: Kind,
    outcome: Outcome,
    reason: String,
    reason_code: &'a crate::reason::Reason,
    latency_ms: Option<f64>,
    final_url: Option<&'a str>,
    title: Option<&'a str>,
    redirects: &'a [String],
    /// The rule that decided (http kinds).
    decided_by: Option<&'static str>,
    /// Every WebSocket and frame the page opened (browser kind).
    opened: &'a [Opened],
    /// The check pinned to what its click opened, as TOML (browser kind,
    /// when something counted as the chat).
    pinned: Option<String>,
    /// Whether a page was loaded in a browser (its openings are listed).
    #[serde(skip)]
    in_browser: bool,
}

pub fn run(source: &crate::config::Source, args: ExplainArgs) -> anyhow::Result<u8> {
    let config = super::load_config(source)?;
    let Some(check) = config.checks.iter().find(|c| c.name == args.check) else {
        bail!(t!(
            "no-check-named",
            name = &args.check,
            config = source.to_string()
        ));
    };
    let rt = super::runtime()?;
    let report: Report = rt.block_on(async {
        let checks = std::slice::from_ref(check);
        let prober = Arc::new(Prober::with_settings(checks, &config.settings)?);
        if let Err(why) = prober.runnable(check) {
            prober.shutdown().await;
            bail!("{}", why.said());
        }
        let report = prober.probe(check).await;
        prober.shutdown().await;
        anyhow::Ok(report)
    })?;
    rt.shutdown_background();

    let d = &report.detail;
    let counted = |kind: OpenedKind| {
        d.opened
            .iter()
            .find(|o| o.kind == kind && o.counted)
            .map(|o| o.url.as_str())
    };
    let out = Out {
        check: &check.name,
        channel: check.channel,
        kind: check.kind(),
        in_browser: check.spec.needs_browser(),
        outcome: report.outcome,
        reason: report.reason.said(),
        reason_code: &report.reason,
        latency_ms: report.latency.map(crate::outcome::millis),
        final_url: d.final_url.as_deref(),
        title: d.title.as_deref(),
        redirects: &d.redirects,
        decided_by: d.rule,
        opened: &d.opened,
        pinned: pinned(
            check,
            counted(OpenedKind::Websocket),
            counted(OpenedKind::Frame),
        ),
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&out)?),
        Format::Table => out!("{}", render(&out, super::use_colour())),
    }
    Ok(if report.outcome.is_success() {
        EXIT_OK
    } else {
        EXIT_FOUND_DOWN
    })
}

fn render(o: &Out, colour: bool) -> String {
    let lang = crate::i18n::current();
    let mut out = format!(
        "{} ({}) · {} · {}\n",
        o.check,
        o.kind.as_str(),
        o.outcome.words(lang),
        o.reason
    );
    if !o.redirects.is_empty() {
        let chain = o
            .redirects
            .iter()
            .map(String::as_str)
            .chain(o.final_url)
            .collect::<Vec<_>>()
            .join(" → ");
        out.push_str(&format!("{}\n", t!("explain-redirects", chain = chain)));
    }
    if let Some(url) = o.final_url {
        out.push_str(&format!("{}\n", t!("explain-final-url", url = url)));
    }
    if let Some(title) = o.title {
        out.push_str(&format!("{}\n", t!("explain-title", title = title)));
    }
    if let Some(rule) = o.decided_by {
        out.push_str(&format!("{}\n", t!("explain-decided-by", rule = rule)));
    }
    if o.in_browser {
        out.push('\n');
        if o.opened.is_empty() {
            out.push_str(&format!("{}\n", t!("explain-nothing-opened")));
        } else {
            let rows: Vec<Vec<Cell>> = o
                .opened
                .iter()
                .map(|x| {
                    vec![
                        Cell::from(if x.after_click {
                            t!("explain-after-click")
                        } else {
                            t!("explain-before-click")
                        }),
                        Cell::from(match x.kind {
                            OpenedKind::Websocket => "WebSocket",
                            OpenedKind::Frame => "frame",
                        }),
                        Cell::from(x.status.map_or_else(
                            || {
                                if x.failed {
                                    t!("explain-failed")
                                } else {
                                    "-".to_string()
                                }
                            },
                            |s| s.to_string(),
                        )),
                        Cell::from(if x.counted {
                            t!("explain-counted")
                        } else {
                            "-".to_string()
                        }),
                        Cell::from(x.url.as_str()),
                    ]
                })
                .collect();
            out.push_str(&table::render(
                &[
                    t!("explain-col-when"),
                    t!("explain-col-kind"),
                    t!("explain-col-status"),
                    t!("explain-col-chat"),
                    t!("explain-col-url"),
                ],
                &rows,
                colour,
            ));
        }
        match &o.pinned {
            Some(toml) => out.push_str(&format!("\n{}\n\n{toml}", t!("explain-pinned"))),
            None => out.push_str(&format!("\n{}\n", t!("explain-no-pin"))),
        }
    }
    out
}
