//! `okx-monitor validate`: check the configuration alone, and show what it holds.

use super::table::{self, Cell};
use super::{EXIT_OK, Format};
use crate::duration;
use crate::runner::Prober;

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(source: &crate::config::Source, args: ValidateArgs) -> anyhow::Result<u8> {
    let config = super::load_config(source)?;
    // Building the probers reads the extra CA files, which a check may name.
    let prober = super::runtime()?
        .block_on(async { Prober::with_settings(&config.checks, &config.settings) })?;
    let not_runnable: Vec<&str> = config
        .checks
        .iter()
        .filter(|c| prober.runnable(c).is_err())
        .map(|c| c.name.as_str())
        .collect();
    drop(prober);
    if !not_runnable.is_empty() {
        // Valid, but not runnable here: said on stderr, the exit stays 0.
        eprintln!(
            "okx-monitor: {}",
            t!(
                "not-runnable-here",
                checks = not_runnable.join(", "),
                why = crate::kinds::no_browser().said()
            )
        );
    }
    match args.format {
        Format::Json => {
            let checks: Vec<_> = config
                .checks
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "check": c.name,
                        "channel": c.channel,
                        "kind": c.kind(),
                        "schedule": &*c.schedule.text,
                        "timeout": duration::format(c.timeout),
                        "slow": duration::format(c.slow),
                        "target": c.spec.target(),
                    })
                })
                .collect();
            let out = serde_json::json!({
                "valid": true,
                "source": match source {
                    crate::config::Source::Path(p) => p.display().to_string(),
                    crate::config::Source::BuiltIn => "built-in".to_string(),
                },
                "files": config.files,
                "checks": checks,
            });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => {
            let rows: Vec<Vec<Cell>> = config
                .checks
                .iter()
                .map(|c| {
                    vec![
                        Cell::from(c.name.as_str()),
                        Cell::from(c.channel.column(crate::i18n::current())),
                        Cell::from(c.kind().as_str()),
                        Cell::from(&*c.schedule.text),
                        Cell::from(duration::Span(c.timeout).words(crate::i18n::current())),
                        Cell::from(duration::Span(c.slow).words(crate::i18n::current())),
                        Cell::from(c.spec.target()),
                    ]
                })
                .collect();
            out!(
                "{}",
                table::render(
                    &[
                        t!("col-check"),
                        t!("col-channel"),
                        t!("col-kind"),
                        t!("col-schedule"),
                        t!("col-timeout"),
                        t!("col-slow"),
                        t!("col-target"),
                    ],
                    &rows,
                    false
                )
            );
            outln!(
                "{}",
                t!(
                    "validate-ok",
                    checks = config.checks.len(),
                    files = config.files.len()
                )
            );
            outln!("{}", t!("validate-source", source = source.to_string()));
        }
    }
    Ok(EXIT_OK)
}
