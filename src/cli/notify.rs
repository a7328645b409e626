//! `okx-monitor notify --test [NAME]`: a test message through every sink (or
//! the one named), and per sink: delivered, or why not.

use anyhow::bail;

use super::{EXIT_FOUND_DOWN, EXIT_OK};
use crate::notify::{deliver, test_notice};

#[derive(clap::Args, Debug)]
pub struct NotifyArgs {
    /// Send a test message.
    #[arg(long)]
    test: bool,
    /// Only this [[notify]] sink.
    name: Option<String>,
}

pub fn run(source: &crate::config::Source, args: NotifyArgs) -> anyhow::Result<u8> {
    if !args.test {
        bail!(t!("notify-say-what"));
    }
    let config = super::load_config(source)?;
    let chosen: Vec<_> = config
        .notify
        .iter()
        .filter(|n| args.name.as_ref().is_none_or(|name| &n.name == name))
        .collect();
    if chosen.is_empty() {
        match &args.name {
            Some(name) => bail!(t!(
                "notify-no-sink-named",
                name = name,
                config = source.to_string()
            )),
            None => bail!(t!("notify-no-sinks", config = source.to_string())),
        }
    }
    let vantage = config
        .settings
        .vantage
        .clone()
        .unwrap_or_else(|| crate::metrics::DEFAULT_VANTAGE.to_string());
    let rt = super::runtime()?;
    let results = rt.block_on(async {
        let client = deliver::client().map_err(anyhow::Error::msg)?;
        let mut out = Vec::new();
        for n in &chosen {
            let sink = std::sync::Arc::new(n.sink.clone());
            out.push((
                n.name.clone(),
                deliver::deliver_once(&client, sink.as_ref(), &test_notice(&vantage, n.lang)).await,
            ));
        }
        anyhow::Ok(out)
    })?;
    let mut all = true;
    for (name, result) in &results {
        match result {
            Ok(()) => outln!("{}", t!("notify-delivered", name = name)),
            Err(why) => {
                all = false;
                outln!(
                    "{}",
                    t!("notify-not-delivered", name = name, why = why.said())
                );
            }
        }
    }
    Ok(if all { EXIT_OK } else { EXIT_FOUND_DOWN })
}
