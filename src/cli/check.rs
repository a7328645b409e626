//! `okx-monitor check`: run checks once, now, and print their outcomes.

use std::sync::Arc;

use anyhow::bail;
use serde::Serialize;

use super::table::{self, Cell, Colour};
use super::{EXIT_FOUND_DOWN, EXIT_OK, Format};
use crate::channel::Channel;
use crate::config::{Check, Kind};
use crate::outcome::{Outcome, Report};
use crate::runner;
use crate::runner::Prober;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Run only this check (repeatable).
    #[arg(long = "only", value_name = "NAME")]
    only: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// How many probes run at once.
    #[arg(long, default_value_t = runner::DEFAULT_CONCURRENCY, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65_535))]
    concurrency: usize,
}

pub fn run(source: &crate::config::Source, args: CheckArgs) -> anyhow::Result<u8> {
    let config = super::load_config(source)?;
    for name in &args.only {
        if !config.checks.iter().any(|c| &c.name == name) {
            bail!(t!(
                "no-check-named",
                name = name,
                config = source.to_string()
            ));
        }
    }
    let wanted: Vec<Check> = config
        .checks
        .into_iter()
        .filter(|c| args.only.is_empty() || args.only.contains(&c.name))
        .collect();
    let rt = super::runtime()?;
    let (checks, reports, not_runnable) = rt.block_on(async {
        let prober = Arc::new(Prober::with_settings(&wanted, &config.settings)?);
        // A check this machine cannot run (a browser check without a
        // Chromium) is shown as such, never probed, never `down`.
        let (checks, not_runnable): (Vec<Check>, Vec<Check>) =
            wanted.into_iter().partition(|c| prober.runnable(c).is_ok());
        let reports = runner::run_once(prober.clone(), &checks, args.concurrency).await;
        prober.shutdown().await;
        anyhow::Ok((checks, reports, not_runnable))
    })?;
    // Probes still winding down (a tarpit's socket) must not hold the exit.
    rt.shutdown_background();

    let rows: Vec<Row> = checks
        .iter()
        .zip(&reports)
        .map(|(c, r)| Row {
            check: &c.name,
            channel: c.channel,
            kind: c.kind(),
            runnable: true,
            why: None,
            reason: Some(r.reason.said()),
            report: Some(r),
        })
        .chain(not_runnable.iter().map(|c| Row {
            check: &c.name,
            channel: c.channel,
            kind: c.kind(),
            runnable: false,
            why: Some(crate::kinds::no_browser().said()),
            reason: None,
            report: None,
        }))
        .collect();
    match args.format {
        Format::Json => {
            let out = serde_json::json!({ "checks": rows });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => out!("{}", render(&rows, super::use_colour())),
    }
    Ok(if reports.iter().all(|r| r.outcome.is_success()) {
        EXIT_OK
    } else {
        EXIT_FOUND_DOWN
    })
}

#[derive(Serialize)]
struct Row<'a> {
    check: &'a str,
    channel: Channel,
    kind: Kind,
    /// False for a check this machine cannot run; its `outcome` means nothing then.
    runnable: bool,
    /// Why a check cannot run here.
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
    /// Why the probe ended as it did, in the reader's language (its code
    /// is the report's `reason_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(flatten)]
    report: Option<&'a Report>,
}

pub fn outcome_colour(o: Outcome) -> Colour {
    match o {
        Outcome::Up => Colour::Green,
        Outcome::Degraded => Colour::Yellow,
        Outcome::Throttled | Outcome::Blocked => Colour::Magenta,
        Outcome::Down => Colour::Red,
        Outcome::Unknown | Outcome::Maintenance => Colour::Blue,
    }
}

fn render(rows: &[Row], colour: bool) -> String {
    let lang = crate::i18n::current();
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.check),
                Cell::from(r.channel.column(lang)),
                Cell::from(r.kind.as_str()),
                match r.report {
                    Some(report) => outcome_cell(report.outcome, lang),
                    None => Cell::from(t!("not-runnable")),
                },
                Cell::from(match r.report.and_then(|r| r.latency) {
                    Some(l) => crate::i18n::words::millis(lang, crate::outcome::millis(l)),
                    None => "-".to_string(),
                }),
                Cell::from(r.reason.as_deref().or(r.why.as_deref()).unwrap_or("")),
            ]
        })
        .collect();
    let header = [
        t!("col-check"),
        t!("col-channel"),
        t!("col-kind"),
        t!("col-outcome"),
        t!("col-latency"),
        t!("col-detail"),
    ];
    table::render(&header, &cells, colour)
}

/// An outcome in words and in its colour.
pub fn outcome_cell(o: Outcome, lang: crate::i18n::Lang) -> Cell {
    Cell {
        text: o.words(lang),
        colour: Some(outcome_colour(o)),
    }
}
