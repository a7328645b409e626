//! `okx-monitor check`: run checks once, now, and print their outcomes.

use std::path::Path;
use std::sync::Arc;

use anyhow::bail;
use serde::Serialize;

use super::table::{self, Cell, Colour};
use super::{EXIT_FOUND_DOWN, EXIT_OK, Format};
use crate::channel::Channel;
use crate::config::{Check, Kind};
use crate::outcome::{Outcome, Report};
use crate::probe::Prober;
use crate::runner;

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

pub fn run(config_path: &Path, args: CheckArgs) -> anyhow::Result<u8> {
    let config = super::load_config(config_path)?;
    for name in &args.only {
        if !config.checks.iter().any(|c| &c.name == name) {
            bail!(
                "there is no check named `{name}` in {}",
                config_path.display()
            );
        }
    }
    let checks: Vec<Check> = config
        .checks
        .into_iter()
        .filter(|c| args.only.is_empty() || args.only.contains(&c.name))
        .collect();
    let rt = super::runtime()?;
    let reports = rt.block_on(async {
        let prober = Arc::new(Prober::new(&checks)?);
        anyhow::Ok(runner::run_once(prober, &checks, args.concurrency).await)
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
            report: r,
        })
        .collect();
    match args.format {
        Format::Json => {
            let out = serde_json::json!({ "checks": rows });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => print!("{}", render(&rows, super::use_colour())),
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
    #[serde(flatten)]
    report: &'a Report,
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
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.check),
                Cell::from(r.channel.as_str()),
                Cell::from(r.kind.as_str()),
                Cell {
                    text: r.report.outcome.to_string(),
                    colour: Some(outcome_colour(r.report.outcome)),
                },
                Cell::from(match r.report.latency {
                    Some(l) => format!("{:.0} ms", crate::outcome::millis(l)),
                    None => "-".to_string(),
                }),
                Cell::from(r.report.reason.as_str()),
            ]
        })
        .collect();
    table::render(
        &["CHECK", "CHANNEL", "KIND", "OUTCOME", "LATENCY", "DETAIL"],
        &cells,
        colour,
    )
}
