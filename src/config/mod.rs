//! `checks/*.toml` → validated check definitions.
//!
//! Everything a user can get wrong is caught here, when the files load, with the
//! file, line and column of the fault, so the rest of the program may trust a
//! [`Config`]. This module reads files and nothing else: no network, no clock.
//!
//! The model is here; `raw.rs` is the shape of the files as serde reads them,
//! and `load.rs` turns files into the model: the common keys of a check here,
//! its kind's keys handed to its kind ([`crate::kinds`]).

pub mod builtin;
mod lines;
mod load;
pub mod notify;
mod raw;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use builtin::Source;
pub use load::{load, load_source};
pub use notify::Event as NotifyEvent;

pub use crate::kinds::keys::Secret;
pub use crate::kinds::{Extras, Kind, Spec};

use crate::channel::Channel;

/// Used when neither the check nor its file's `[defaults]` sets a schedule: every five minutes.
pub const DEFAULT_SCHEDULE: &str = "0 */5 * * * *";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_SLOW: Duration = Duration::from_secs(3);
/// Loopback: `/metrics` is not for the whole network unless the user says so.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 9786);
pub const DEFAULT_DB: &str = "okx-monitor.db";
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(400 * 86_400);
pub const DEFAULT_MIN_SAMPLES: u32 = 3;

/// A whole configuration: every check of every file, and the one `[settings]`.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: Settings,
    pub checks: Vec<Check>,
    /// Where to be told (`[[notify]]`), in the order written.
    pub notify: Vec<notify::Notify>,
    /// The files read, in the order read; for messages such as `validate`'s.
    pub files: Vec<PathBuf>,
}

impl Config {
    /// The counts incidents are judged with: the notices' `after` and
    /// `recover_after` (the smallest of every `[[notify]]`: an incident
    /// opens when the most eager sink would be told), else 2 and 2.
    pub fn incident_rules(&self) -> crate::incident::Rules {
        let default = crate::incident::Rules::default();
        let least = |count: fn(&notify::Notify) -> u32, or: u32| {
            self.notify.iter().map(count).min().unwrap_or(or)
        };
        crate::incident::Rules {
            after: least(|n| n.after, default.after),
            recover_after: least(|n| n.recover_after, default.recover_after),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `None`: the system's time zone, decided by whoever needs one.
    pub timezone: Option<chrono_tz::Tz>,
    pub db: PathBuf,
    pub listen: SocketAddr,
    pub retention: Duration,
    pub vantage: Option<String>,
    /// `None`: the system resolver.
    pub resolver: Option<SocketAddr>,
    pub reference_resolvers: Vec<SocketAddr>,
    pub min_samples: u32,
    /// The Chromium of `browser` checks; `None`: the first of
    /// [`BROWSER_NAMES`] on `PATH`.
    pub browser: Option<PathBuf>,
    /// Browser probes at once (one browser process, this many pages).
    pub browser_concurrency: u32,
}

/// The names a Chromium goes by, looked for on `PATH` in this order.
pub const BROWSER_NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];
pub const DEFAULT_BROWSER_CONCURRENCY: u32 = 2;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timezone: None,
            db: PathBuf::from(DEFAULT_DB),
            listen: DEFAULT_LISTEN,
            retention: DEFAULT_RETENTION,
            vantage: None,
            resolver: None,
            reference_resolvers: Vec::new(),
            min_samples: DEFAULT_MIN_SAMPLES,
            browser: None,
            browser_concurrency: DEFAULT_BROWSER_CONCURRENCY,
        }
    }
}

/// One `[[check]]`, with defaults applied and every value checked.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub channel: Channel,
    pub schedule: Schedule,
    pub timeout: Duration,
    pub slow: Duration,
    /// The DNS server every name of this check is resolved through; `None`: the system's.
    pub resolver: Option<SocketAddr>,
    /// A control check's `covers`: the channels whose network path it vouches
    /// for; `None`: every channel (this machine's network).
    pub covers: Option<Vec<Channel>>,
    pub spec: Spec,
    /// Where the check is written, for messages that point back at it.
    pub origin: Location,
}

impl Settings {
    /// The Chromium to run `browser` checks with: `browser` when set, else the
    /// first of [`BROWSER_NAMES`] on `PATH`; `None` when there is none.
    pub fn find_browser(&self) -> Option<PathBuf> {
        if let Some(p) = &self.browser {
            return p.is_file().then(|| p.clone());
        }
        let path = std::env::var_os("PATH")?;
        BROWSER_NAMES.iter().find_map(|name| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    }
}

impl Check {
    pub fn kind(&self) -> Kind {
        self.spec.kind()
    }

    /// The host this check's probe connects to first, lower-cased: the unit of
    /// the per-host bound and of `Retry-After`.
    pub fn host(&self) -> String {
        self.spec.host()
    }
}

/// A parsed cron expression together with the text it came from. Shared
/// between the checks that use the same text: a parsed schedule is several KB.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub text: Arc<str>,
    pub cron: Arc<cron::Schedule>,
}

/// A place in a configuration file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}", t!("cfg-cannot-read", path = path.display().to_string(), why = source.to_string()))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error("{at}: {message}")]
    At { at: Location, message: String },
}

/// Reads a directory of `*.toml` files (sorted by name), or one file.
/// A vantage name: 1 to 64 letters, digits, `_`, `-` or `.` (it becomes a label value).
pub fn vantage(t: &str) -> Result<String, String> {
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if ok {
        Ok(t.to_string())
    } else {
        Err(t!("cfg-vantage", vantage = t))
    }
}

/// `check` (a browser check) pinned to what its click opened: its own keys,
/// with `expect_websocket` (or, without a counted WebSocket, `expect_frame`)
/// anchored to the URL that counted, as TOML a user can paste (pure).
/// `None` when nothing counted or the kind has no click.
pub fn pinned(check: &Check, websocket: Option<&str>, frame: Option<&str>) -> Option<String> {
    let own = check.spec.pinned(websocket, frame)?;
    let mut t = toml::Table::new();
    t.insert("name".into(), check.name.clone().into());
    t.insert("channel".into(), check.channel.as_str().into());
    t.insert("kind".into(), check.spec.kind().as_str().into());
    t.extend(own);
    t.insert(
        "timeout".into(),
        crate::duration::format(check.timeout).into(),
    );
    t.insert("slow".into(), crate::duration::format(check.slow).into());
    t.insert("schedule".into(), check.schedule.text.to_string().into());
    let mut doc = toml::Table::new();
    doc.insert(
        "check".to_string(),
        toml::Value::Array(vec![toml::Value::Table(t)]),
    );
    toml::to_string(&doc).ok()
}
