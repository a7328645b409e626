//! `okx-monitor status`: which channel works now, and the best time to contact
//! support, from the local database.

use std::path::PathBuf;

use anyhow::Context as _;
use chrono_tz::Tz;

use super::table::{self, Cell, Colour};
use super::{EXIT_OK, Format};
use crate::channel::Channel;
use crate::i18n::{Lang, words};
use crate::pattern::{HOURS, Week};
use crate::stamp::Stamp;
use crate::status::{self, ChannelStatus, Options, Status};
use crate::store::Store;

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The database (default: [settings] db, else okx-monitor.db).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// How much history to read (e.g. 7d, 28d, 400d).
    #[arg(long, default_value = "28d", value_parser = crate::duration::parse_positive)]
    window: std::time::Duration,
    /// Time zone of the hours shown (IANA name; default: [settings] timezone, else the system's).
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    tz: Option<Tz>,
    /// Length of a contact window, in hours.
    #[arg(long, default_value_t = status::DEFAULT_SPAN as u16, value_parser = clap::value_parser!(u16).range(1..=status::MAX_SPAN as i64))]
    span: u16,
    /// Only this channel (repeatable).
    #[arg(long = "channel", value_name = "CHANNEL", value_parser = <Channel as std::str::FromStr>::from_str)]
    channels: Vec<Channel>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// A 7×24 hour-of-week grid of availability per channel.
    #[arg(long)]
    heatmap: bool,
    /// The incidents of the window instead (spans of down, blocked or
    /// throttled), newest first.
    #[arg(long, conflicts_with_all = ["heatmap", "prometheus"])]
    incidents: bool,
    /// Read the history from this Prometheus (http(s)://host:port) instead of the local database.
    #[arg(long, value_name = "URL")]
    prometheus: Option<String>,
    /// With --prometheus: only this vantage (default: every vantage, summed).
    #[arg(long, value_name = "NAME", requires = "prometheus", value_parser = crate::config::vantage)]
    vantage: Option<String>,
}

fn parse_tz(s: &str) -> Result<Tz, String> {
    s.parse().map_err(|_| t!("unknown-tz", zone = s))
}

pub fn run(source: &crate::config::Source, args: StatusArgs) -> anyhow::Result<u8> {
    let config = super::optional_config(source)?;
    let settings = config
        .as_ref()
        .map(|c| c.settings.clone())
        .unwrap_or_default();
    let now = super::now()?;
    let tz = args
        .tz
        .or(settings.timezone)
        .unwrap_or_else(crate::schedule::system_tz);
    let configured = config
        .as_ref()
        .map(|c| c.checks.iter().map(|c| c.channel).collect())
        .unwrap_or_default();
    let intervals = config
        .as_ref()
        .map(|c| crate::schedule::channel_intervals(&c.checks, tz, now))
        .unwrap_or_default();
    if args.incidents {
        let db = args.db.clone().unwrap_or_else(|| settings.db.clone());
        return incidents(&Store::open_existing(&db)?, &args, tz, now);
    }
    let mut input = match &args.prometheus {
        Some(url) => {
            let source = crate::promsource::Source::new(url, args.vantage.clone())?;
            let (weeks, latest) = super::runtime()?.block_on(source.weeks(now, args.window, tz))?;
            status::Input {
                weeks: crate::pattern::Weeks::PerCheck(weeks),
                latest,
                configured,
                // Prometheus's last day is not read: the page alone shows it.
                recent: Vec::new(),
                intervals: Default::default(),
                judged: Default::default(),
            }
        }
        None => {
            let db = args.db.clone().unwrap_or_else(|| settings.db.clone());
            let store = Store::open_existing(&db)?;
            store.map_for_reading()?;
            status::from_store(
                &store,
                configured,
                args.window,
                tz,
                now,
                status::Patterns::EachCheck,
            )?
        }
    };
    input.intervals = intervals;
    let opts = Options {
        tz,
        window: args.window,
        span: usize::from(args.span),
        min_samples: u64::from(settings.min_samples),
        channels: args.channels.clone(),
        lang: crate::i18n::current(),
    };
    let report = status::build(&input, &opts, now);
    match args.format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&report).context("cannot render JSON")?;
            outln!("{text}");
        }
        Format::Table => {
            let colour = super::use_colour();
            out!("{}", render(&report, colour));
            if args.heatmap {
                for c in &report.channels {
                    out!(
                        "\n{}",
                        heatmap(c, &report.timezone, opts.min_samples, colour)
                    );
                }
            }
        }
    }
    Ok(EXIT_OK)
}

/// `status --incidents`: the incidents of the window, newest first.
fn incidents(
    store: &Store,
    args: &StatusArgs,
    tz: Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<u8> {
    let now_ms = now.timestamp_millis();
    let from = status::window_start(now_ms, args.window);
    let list: Vec<crate::incident::Incident> = store
        .incidents(from)?
        .into_iter()
        .filter(|i| args.channels.is_empty() || args.channels.contains(&i.channel))
        .collect();
    let answer = status::incidents_out(&list, tz, crate::i18n::current(), args.window, now_ms);
    if let Format::Json = args.format {
        let text = serde_json::to_string_pretty(&answer).context("cannot render JSON")?;
        outln!("{text}");
        return Ok(EXIT_OK);
    }
    let lang = crate::i18n::current();
    outln!(
        "{}\n",
        t!(
            "incidents-title",
            zone = &answer.timezone,
            window = answer.window.words(lang)
        )
    );
    if answer.incidents.is_empty() {
        outln!("{}", t!("incidents-none"));
        return Ok(EXIT_OK);
    }
    let near = |t: &Stamp| t.near(lang, now);
    let rows: Vec<Vec<Cell>> = answer
        .incidents
        .iter()
        .map(|i| {
            vec![
                Cell::from(i.channel.column(lang)),
                super::check::outcome_cell(i.state, lang),
                Cell::from(near(&i.start)),
                Cell::from(i.end.as_ref().map_or_else(|| t!("incident-ongoing"), near)),
                Cell::from(words::duration(lang, i.duration_s)),
                Cell::from(crate::page::feeds::incident_reasons(i, lang)),
            ]
        })
        .collect();
    out!(
        "{}",
        table::render(
            &[
                t!("col-channel"),
                t!("col-state"),
                t!("col-start"),
                t!("col-end"),
                t!("col-lasted"),
                t!("col-why"),
            ],
            &rows,
            super::use_colour(),
        )
    );
    Ok(EXIT_OK)
}

fn render(s: &Status, colour: bool) -> String {
    let lang = crate::i18n::current();
    let mut out = format!(
        "{}\n\n",
        t!(
            "status-title",
            zone = &s.timezone,
            window = s.window.words(lang)
        )
    );
    let dash = || "-".to_string();
    let rows: Vec<Vec<Cell>> = s
        .channels
        .iter()
        .map(|c| {
            let since = c.since.as_ref().map_or_else(dash, |t| t.day_time(lang));
            let ms = |v: Option<f64>| v.map_or_else(dash, |v| words::millis(lang, v));
            vec![
                Cell::from(c.channel.column(lang)),
                match c.now {
                    _ if c.stale => Cell::from(t!("now-stale")),
                    Some(o) => super::check::outcome_cell(o, lang),
                    None => Cell::from(t!("no-data")),
                },
                Cell::from(since),
                Cell::from(
                    c.availability
                        .map_or_else(dash, |a| format!("{:.2}%", a * 100.0)),
                ),
                Cell::from(ms(c.p50_ms)),
                Cell::from(ms(c.p95_ms)),
                Cell::from(c.samples.to_string()),
                Cell::from(if !c.enough_data {
                    t!("not-enough-data")
                } else if c.best.is_empty() {
                    dash()
                } else {
                    let best: Vec<String> = c.best.iter().map(|w| w.words(lang)).collect();
                    words::list(lang, &best)
                }),
                Cell::from(c.worst.first().map_or_else(dash, |w| w.words(lang))),
            ]
        })
        .collect();
    out.push_str(&table::render(
        &[
            t!("col-channel"),
            t!("col-now"),
            t!("col-since"),
            t!("col-avail"),
            t!("col-p50"),
            t!("col-p95"),
            t!("col-samples"),
            t!("col-best"),
            t!("col-avoid"),
        ],
        &rows,
        colour,
    ));
    if let Some(net) = s.local_network {
        let state = net.words(lang);
        out.push_str(&format!("\n{}\n", t!("local-network-line", state = state)));
    }
    for c in &s.closed_paths {
        out.push_str(&format!(
            "{}\n",
            t!("path-closed-line", channel = c.words(lang))
        ));
    }
    out.push_str(&super::advice_list(&s.advice));
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
    let lang = crate::i18n::current();
    let channel = c.channel.column(lang);
    let week: &Week = &c.week;
    let enough = |h: &crate::pattern::Hour| h.samples() >= min_samples;
    let mut out = grid(
        &t!("heatmap-availability", channel = &channel, zone = tz),
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
        lang,
    );
    out.push_str(&t!("heatmap-legend-availability", min = min_samples));
    out.push_str("\n\n");
    // Latency: four shades around the typical hour, so a latency-driven best
    // window is visible as well as an availability one.
    let Some(bands) = crate::pattern::LatencyBands::of(week, min_samples) else {
        return out;
    };
    let cuts = bands.cuts;
    out.push_str(&grid(
        &t!("heatmap-latency", channel = &channel, zone = tz),
        |hour| {
            let ms = hour.latency.quantile(0.5).filter(|_| enough(hour))?;
            Some(SHADES[bands.band(ms)].to_string())
        },
        week,
        lang,
    ));
    let cut = |i: usize| format!("{:.0}", cuts[i]);
    out.push_str(&t!(
        "heatmap-legend-latency",
        s0 = SHADES[0].to_string(),
        c0 = cut(0),
        s1 = SHADES[1].to_string(),
        c1 = cut(1),
        s2 = SHADES[2].to_string(),
        c2 = cut(2),
        s3 = SHADES[3].to_string(),
        min = min_samples
    ));
    out.push('\n');
    out
}

/// Latency shades, fastest first.
const SHADES: [char; 4] = ['░', '▒', '▓', '█'];

/// A 7×24 grid of the week, one cell per hour (`.` where `cell` has nothing).
fn grid(
    title: &str,
    cell: impl Fn(&crate::pattern::Hour) -> Option<String>,
    week: &Week,
    lang: Lang,
) -> String {
    let mut out = format!("{title}\n     ");
    for h in 0..24 {
        out.push_str(&format!("{h:02} "));
    }
    out.push('\n');
    for d in 0..7 {
        // Day names padded to the width of "Mon" / "周一" (3 or 4 columns), in one column.
        out.push_str(&words::pad(&words::weekday_short(lang, d as u32 + 1), 5));
        for h in 0..24 {
            let text = cell(&week.hours[(d * 24 + h) % HOURS]).unwrap_or_else(|| ".".to_string());
            out.push_str(&format!(" {text} "));
        }
        out.push('\n');
    }
    out
}
