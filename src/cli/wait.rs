//! `okx-monitor wait`: "tell me when I can reach support". Probes the checks
//! of the channels asked for every `--every` until one is up or degraded,
//! then says which and how to use it. A local outage never ends the wait.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;

use super::{EXIT_FOUND_DOWN, EXIT_OK};
use crate::channel::Channel;
use crate::config::Check;
use crate::outcome::Outcome;
use crate::runner;
use crate::runner::Prober;

#[derive(clap::Args, Debug)]
pub struct WaitArgs {
    /// Wait for this channel (repeatable; default: every OKX channel).
    #[arg(long = "channel", value_name = "CHANNEL", value_parser = <Channel as std::str::FromStr>::from_str)]
    channels: Vec<Channel>,
    /// How often to try.
    #[arg(long, default_value = "30s", value_parser = crate::duration::parse_positive)]
    every: Duration,
    /// Give up after this long (exit 1); default: never.
    #[arg(long, value_parser = crate::duration::parse_positive)]
    timeout: Option<Duration>,
}

pub fn run(source: &crate::config::Source, args: WaitArgs) -> anyhow::Result<u8> {
    let config = super::load_config(source)?;
    let watched = |c: &Check| {
        c.channel == Channel::Control
            || (c.channel != Channel::Status
                && (args.channels.is_empty() || args.channels.contains(&c.channel)))
    };
    let checks: Vec<Check> = config
        .checks
        .iter()
        .filter(|c| watched(c))
        .cloned()
        .collect();
    if !checks.iter().any(|c| c.channel != Channel::Control) {
        bail!(t!("wait-no-checks", config = source.to_string()));
    }
    let terminal = std::io::stderr().is_terminal();
    let started = Instant::now();
    let rt = super::runtime()?;
    let found = rt.block_on(async {
        let prober = Arc::new(Prober::with_settings(&checks, &config.settings)?);
        let runnable: Vec<Check> = checks
            .iter()
            .filter(|c| prober.runnable(c).is_ok())
            .cloned()
            .collect();
        let found = loop {
            let reports =
                runner::run_once(prober.clone(), &runnable, runner::DEFAULT_CONCURRENCY).await;
            let works = Channel::PREFERENCE.into_iter().find(|ch| {
                runnable
                    .iter()
                    .zip(&reports)
                    .any(|(c, r)| c.channel == *ch && r.outcome.is_success())
            });
            if let Some(ch) = works {
                break Some(ch);
            }
            let local = reports.iter().any(|r| r.outcome == Outcome::Unknown);
            if args.timeout.is_some_and(|t| started.elapsed() >= t) {
                break None;
            }
            if terminal {
                let what = if local {
                    t!("wait-local-down")
                } else {
                    t!("wait-none-yet")
                };
                eprint!(
                    "\r{}   ",
                    t!(
                        "wait-progress",
                        what = what,
                        checks = runnable.len(),
                        every = crate::duration::Span(args.every).words(crate::i18n::current())
                    )
                );
                let _ = std::io::stderr().flush();
            } else if local {
                eprintln!("{}", t!("wait-local-still"));
            }
            let mut wait = args.every;
            if let Some(t) = args.timeout {
                wait = wait.min(t.saturating_sub(started.elapsed()));
            }
            tokio::time::sleep(wait).await;
        };
        prober.shutdown().await;
        anyhow::Ok(found)
    })?;
    rt.shutdown_background();
    if terminal {
        eprintln!();
    }
    match found {
        Some(ch) => {
            let bell = if std::io::stdout().is_terminal() {
                "\x07"
            } else {
                ""
            };
            let lang = crate::i18n::current();
            outln!(
                "{bell}{}",
                t!("wait-works", channel = ch.words_capitalized(lang))
            );
            Ok(EXIT_OK)
        }
        None => {
            outln!("{}", t!("wait-timeout"));
            Ok(EXIT_FOUND_DOWN)
        }
    }
}
