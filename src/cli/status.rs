//! `okx-monitor status`: which channel works now, and the best time to contact
//! support, from the local database.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono_tz::Tz;

use super::table::{self, Cell, Colour};
use super::{EXIT_OK, Format};
use crate::channel::Channel;
use crate::duration;
use crate::pattern::{HOURS, Week};
use crate::status::{self, ChannelStatus, Options, Status};
use crate::store::Store;

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The database (default: [settings] db, else okx-monitor.db).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// How much history to read (e.g. 7d, 28d, 400d).
    #[arg(long, default_value = "28d", value_parser = parse_duration)]
    window: std::time::Duration,
    /// Time zone of the hours shown (IANA name; default: [settings] timezone, else the system's).
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    tz: Option<Tz>,
    /// Length of a contact window, in hours.
    #[arg(long, default_value_t = status::DEFAULT_SPAN as u16, value_parser = clap::value_parser!(u16).range(1..=168))]
    span: u16,
    /// Only this channel (repeatable).
    #[arg(long = "channel", value_name = "CHANNEL", value_parser = parse_channel)]
    channels: Vec<Channel>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// A 7×24 hour-of-week grid of availability per channel.
    #[arg(long)]
    heatmap: bool,
    /// Read the history from this Prometheus (http(s)://host:port) instead of the local database.
    #[arg(long, value_name = "URL")]
    prometheus: Option<String>,
    /// With --prometheus: only this vantage (default: every vantage, summed).
    #[arg(long, value_name = "NAME", requires = "prometheus", value_parser = crate::config::vantage)]
    vantage: Option<String>,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    duration::parse(s).and_then(|d| {
        if d.is_zero() {
            Err("the window must be longer than 0".to_string())
        } else {
            Ok(d)
        }
    })
}

fn parse_tz(s: &str) -> Result<Tz, String> {
    s.parse()
        .map_err(|_| format!("unknown time zone `{s}` (use an IANA name such as Asia/Shanghai)"))
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    s.parse()
}

pub fn run(config_path: &Path, args: StatusArgs) -> anyhow::Result<u8> {
    let config = super::optional_config(config_path)?;
    let settings = config
        .as_ref()
        .map(|c| c.settings.clone())
        .unwrap_or_default();
    let now = chrono::Utc::now();
    let tz = args
        .tz
        .or(settings.timezone)
        .unwrap_or_else(crate::schedule::system_tz);
    let configured = config
        .as_ref()
        .map(|c| c.checks.iter().map(|c| c.channel).collect())
        .unwrap_or_default();
    let input = match &args.prometheus {
        Some(url) => {
            let source = crate::promsource::Source::new(url, args.vantage.clone())?;
            let (weeks, latest) = super::runtime()?.block_on(source.weeks(now, args.window, tz))?;
            status::Input {
                weeks,
                latest,
                configured,
                // Prometheus's last day is not read: the page alone shows it.
                recent: Vec::new(),
            }
        }
        None => {
            let db = args.db.clone().unwrap_or_else(|| settings.db.clone());
            let store = Store::open_existing(&db)?;
            store.map_for_reading()?;
            status::from_store(&store, configured, args.window, tz, now)?
        }
    };
    let opts = Options {
        tz,
        window: args.window,
        span: usize::from(args.span),
        min_samples: u64::from(settings.min_samples),
        channels: args.channels.clone(),
    };
    let report = status::build(&input, &opts, now);
    match args.format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&report).context("cannot render JSON")?;
            println!("{text}");
        }
        Format::Table => {
            let colour = super::use_colour();
            print!("{}", render(&report, colour));
            if args.heatmap {
                for c in &report.channels {
                    print!(
                        "\n{}",
                        heatmap(c, &report.timezone, opts.min_samples, colour)
                    );
                }
            }
        }
    }
    Ok(EXIT_OK)
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn window_words(w: &status::WindowOut) -> String {
    format!(
        "{} {:02}:00–{:02}:00 ({:.1}%)",
        DAYS[(w.weekday - 1) as usize],
        w.hour,
        (w.hour as usize + w.hours) % 24,
        w.availability * 100.0
    )
}

fn render(s: &Status, colour: bool) -> String {
    let mut out = format!(
        "okx-monitor status · {} · last {}\n\n",
        s.timezone, s.window
    );
    let rows: Vec<Vec<Cell>> = s
        .channels
        .iter()
        .map(|c| {
            let since = c
                .since
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map_or("-".to_string(), |t| t.format("%a %H:%M").to_string());
            vec![
                Cell::from(c.channel.as_str()),
                Cell {
                    text: c.now.map_or("no data".to_string(), |o| o.to_string()),
                    colour: c.now.map(super::check::outcome_colour),
                },
                Cell::from(since),
                Cell::from(
                    c.availability
                        .map_or("-".to_string(), |a| format!("{:.2}%", a * 100.0)),
                ),
                Cell::from(c.p50_ms.map_or("-".to_string(), |v| format!("{v:.0} ms"))),
                Cell::from(c.p95_ms.map_or("-".to_string(), |v| format!("{v:.0} ms"))),
                Cell::from(c.samples.to_string()),
                Cell::from(if !c.enough_data {
                    "not enough data".to_string()
                } else if c.best.is_empty() {
                    "-".to_string()
                } else {
                    c.best
                        .iter()
                        .map(window_words)
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                Cell::from(c.worst.first().map_or("-".to_string(), window_words)),
            ]
        })
        .collect();
    out.push_str(&table::render(
        &[
            "CHANNEL",
            "NOW",
            "SINCE",
            "AVAIL",
            "P50",
            "P95",
            "SAMPLES",
            "BEST TIMES",
            "AVOID",
        ],
        &rows,
        colour,
    ));
    if let Some(net) = s.local_network {
        out.push_str(&format!("\nlocal network (control checks): {net}\n"));
    }
    if !s.advice.is_empty() {
        out.push_str("\nWhat to do now:\n");
        for (i, a) in s.advice.iter().enumerate() {
            out.push_str(&format!("  {}. {a}\n", i + 1));
        }
    }
    out
}

/// Symbols of the heatmap, best first; readable without colour.
const LEVELS: [(f64, char, Colour); 4] = [
    (0.995, '#', Colour::Green),
    (0.99, '+', Colour::Green),
    (0.95, '~', Colour::Yellow),
    (0.0, '!', Colour::Red),
];

fn heatmap(c: &ChannelStatus, tz: &str, min_samples: u64, colour: bool) -> String {
    let week: &Week = &c.week;
    let enough = |h: &crate::pattern::Hour| h.samples() >= min_samples;
    let mut out = grid(
        &format!("{} — availability by hour of the week ({tz})", c.channel),
        |hour| {
            let a = crate::pattern::availability(hour).filter(|_| enough(hour))?;
            let (_, ch, col) = LEVELS
                .iter()
                .find(|(min, _, _)| a >= *min)
                .copied()
                .unwrap_or(LEVELS[3]);
            Some(if colour {
                col.paint(&ch.to_string())
            } else {
                ch.to_string()
            })
        },
        week,
    );
    out.push_str(&format!(
        "legend: # ≥99.5%  + ≥99%  ~ ≥95%  ! <95%  . fewer than {min_samples} samples\n\n"
    ));
    // Latency: four shades cut at the quartiles of the hours' medians, so a
    // latency-driven best window is visible as well as an availability one.
    let mut medians: Vec<f64> = week
        .hours
        .iter()
        .filter(|h| enough(h))
        .filter_map(|h| h.latency.quantile(0.5))
        .collect();
    medians.sort_by(f64::total_cmp);
    if medians.is_empty() {
        return out;
    }
    let cut = |q: f64| medians[((medians.len() - 1) as f64 * q).round() as usize];
    let cuts = [cut(0.25), cut(0.5), cut(0.75)];
    out.push_str(&grid(
        &format!("{} — median latency by hour of the week ({tz})", c.channel),
        |hour| {
            let ms = hour.latency.quantile(0.5).filter(|_| enough(hour))?;
            let shade = cuts.iter().take_while(|c| ms > **c).count();
            Some(SHADES[shade].to_string())
        },
        week,
    ));
    out.push_str(&format!(
        "legend: {} ≤{:.0} ms  {} ≤{:.0} ms  {} ≤{:.0} ms  {} slower  . fewer than {min_samples} samples\n",
        SHADES[0], cuts[0], SHADES[1], cuts[1], SHADES[2], cuts[2], SHADES[3]
    ));
    out
}

/// Latency shades, fastest first.
const SHADES: [char; 4] = ['░', '▒', '▓', '█'];

/// A 7×24 grid of the week, one cell per hour (`.` where `cell` has nothing).
fn grid(
    title: &str,
    cell: impl Fn(&crate::pattern::Hour) -> Option<String>,
    week: &Week,
) -> String {
    let mut out = format!("{title}\n     ");
    for h in 0..24 {
        out.push_str(&format!("{h:02} "));
    }
    out.push('\n');
    for (d, day) in DAYS.iter().enumerate() {
        out.push_str(&format!("{day}  "));
        for h in 0..24 {
            let text = cell(&week.hours[(d * 24 + h) % HOURS]).unwrap_or_else(|| ".".to_string());
            out.push_str(&format!(" {text} "));
        }
        out.push('\n');
    }
    out
}
