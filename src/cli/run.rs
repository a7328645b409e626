//! `okx-monitor run`: the daemon. SIGINT/SIGTERM stop it (in-flight probes end
//! within their timeout, samples are flushed, exit 0); SIGHUP reloads the
//! configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};

use super::EXIT_OK;
use crate::daemon::{self, DEFAULT_MAX_PER_HOST, Options};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Address of /metrics and /healthz (default: [settings] listen, else 127.0.0.1:9786).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// The SQLite database (default: [settings] db, else okx-monitor.db).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Log lines as text, or as JSON objects for log collectors. `RUST_LOG` filters.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Where this instance probes from; labels every metric (default: [settings] vantage, else "default").
    #[arg(long, value_name = "NAME", value_parser = crate::config::vantage)]
    vantage: Option<String>,
    /// TLS and basic authentication for /metrics and /healthz, in the format of
    /// Prometheus's exporter-toolkit web configuration file.
    #[arg(long, value_name = "FILE")]
    web_config: Option<PathBuf>,
    /// Probes of one host at once.
    #[arg(long, default_value_t = DEFAULT_MAX_PER_HOST, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    max_per_host: usize,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum LogFormat {
    Text,
    Json,
}

pub fn run(source: &crate::config::Source, args: RunArgs) -> anyhow::Result<u8> {
    init_logging(args.log_format);
    let config = super::load_config(source)?;
    let web = match &args.web_config {
        Some(path) => Some(std::sync::Arc::new(crate::webconfig::WebConfig::load(
            path,
        )?)),
        None => None,
    };
    let opts = Options {
        config: source.clone(),
        db: args.db.unwrap_or_else(|| config.settings.db.clone()),
        listen: args.listen.unwrap_or(config.settings.listen),
        tz: None,
        max_per_host: args.max_per_host,
        vantage: args.vantage,
        web,
    };
    // One thread runs the daemon's tasks: a probe is mostly waiting, and tasks
    // handed between worker threads cost more in wake-ups (context switches)
    // than the work itself. SQLite writes have a thread of their own, and
    // blocking calls (name look-ups, bcrypt) go to tokio's blocking pool.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .with_context(|| t!("no-runtime"))?;
    rt.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        let (reload_tx, reload_rx) = mpsc::unbounded_channel();
        let mut term =
            signal(SignalKind::terminate()).with_context(|| t!("no-signal", signal = "SIGTERM"))?;
        let mut int =
            signal(SignalKind::interrupt()).with_context(|| t!("no-signal", signal = "SIGINT"))?;
        let mut hup =
            signal(SignalKind::hangup()).with_context(|| t!("no-signal", signal = "SIGHUP"))?;
        let signals = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = term.recv() => break,
                    _ = int.recv() => break,
                    _ = hup.recv() => {
                        tracing::info!("SIGHUP: reloading the configuration");
                        let _ = reload_tx.send(());
                    }
                }
            }
            tracing::info!("stopping");
            let _ = stop_tx.send(true);
        });
        let result = daemon::run(config, opts, stop_rx, reload_rx).await;
        signals.abort();
        anyhow::Ok(result?)
    })?;
    Ok(EXIT_OK)
}

fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder
            .with_ansi(
                std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            )
            .try_init(),
    };
}
