//! `checks/*.toml` → validated check definitions.
//!
//! Everything a user can get wrong is caught here, when the files load, with the
//! file, line and column of the fault, so the rest of the program may trust a
//! [`Config`]. This module reads files and nothing else: no network, no clock.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::channel::Channel;
use crate::duration;

/// The default URL of OKX's system-status API, used when an `okx_status` check names none.
pub const OKX_STATUS_URL: &str = "https://www.okx.com/api/v5/system/status";
/// Used when neither the check nor its file's `[defaults]` sets a schedule: every five minutes.
pub const DEFAULT_SCHEDULE: &str = "0 */5 * * * *";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_SLOW: Duration = Duration::from_secs(3);
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9786";
pub const DEFAULT_DB: &str = "okx-monitor.db";
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(400 * 86_400);
pub const DEFAULT_MIN_SAMPLES: u32 = 3;

/// A whole configuration: every check of every file, and the one `[settings]`.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: Settings,
    pub checks: Vec<Check>,
    /// The files read, in the order read; for messages such as `validate`'s.
    pub files: Vec<PathBuf>,
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timezone: None,
            db: PathBuf::from(DEFAULT_DB),
            listen: DEFAULT_LISTEN
                .parse()
                .expect("DEFAULT_LISTEN is a valid address"),
            retention: DEFAULT_RETENTION,
            vantage: None,
            resolver: None,
            reference_resolvers: Vec::new(),
            min_samples: DEFAULT_MIN_SAMPLES,
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
    pub spec: Spec,
    /// Where the check is written, for messages that point back at it.
    pub origin: Location,
}

impl Check {
    pub fn kind(&self) -> Kind {
        match self.spec {
            Spec::Http(_) => Kind::Http,
            Spec::Mx(_) => Kind::Mx,
            Spec::Tcp(_) => Kind::Tcp,
            Spec::OkxStatus(_) => Kind::OkxStatus,
        }
    }
}

/// What a check probes; one variant per kind, so that adding a kind makes the
/// compiler list every place to update.
#[derive(Debug, Clone)]
pub enum Spec {
    Http(HttpSpec),
    Mx(MxSpec),
    Tcp(TcpSpec),
    OkxStatus(OkxStatusSpec),
}

#[derive(Debug, Clone)]
pub struct HttpSpec {
    pub url: reqwest::Url,
    pub method: Method,
    /// Empty: any 2xx.
    pub expect_status: Vec<u16>,
    pub body_contains: Option<String>,
    pub body_regex: Option<regex::Regex>,
    /// JSON pointer → the value expected there.
    pub json: BTreeMap<String, serde_json::Value>,
    /// Value name → JSON pointer of a number kept with the sample.
    pub extract: BTreeMap<String, String>,
    /// Request headers; their values may be secrets (`env:NAME`), so they are
    /// [`Secret`]s, never printed.
    pub headers: BTreeMap<String, Secret>,
    /// Extra PEM certificates trusted besides the bundled web roots.
    pub tls_ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct MxSpec {
    pub domain: String,
    pub min_records: u32,
    pub smtp: bool,
    pub smtp_port: u16,
}

#[derive(Debug, Clone)]
pub struct TcpSpec {
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct OkxStatusSpec {
    pub url: reqwest::Url,
    pub tls_ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Http,
    Mx,
    Tcp,
    OkxStatus,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Mx => "mx",
            Kind::Tcp => "tcp",
            Kind::OkxStatus => "okx_status",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Method {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "HEAD")]
    Head,
}

/// A parsed cron expression together with the text it came from. Shared
/// between the checks that use the same text: a parsed schedule is several KB.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub text: Arc<str>,
    pub cron: Arc<cron::Schedule>,
}

/// Parsed schedules by their text, for sharing across the checks of a load.
type Schedules = HashMap<String, Schedule>;

fn intern(schedules: &mut Schedules, text: &str) -> Schedule {
    if let Some(s) = schedules.get(text) {
        return s.clone();
    }
    let s = Schedule {
        text: Arc::from(text),
        // Validated when the file was read.
        cron: Arc::new(cron::Schedule::from_str(text).expect("schedule validated at parse")),
    };
    schedules.insert(text.to_string(), s.clone());
    s
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
    #[error("cannot read {}: {source}", path.display())]
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
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let files = config_files(path)?;
    let mut settings: Option<(Settings, Location)> = None;
    let mut checks = Vec::new();
    let mut names: HashMap<String, Location> = HashMap::new();
    let mut schedules = Schedules::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
            path: file.clone(),
            source,
        })?;
        let parsed = parse_file(file, &text, &mut schedules)?;
        if let Some((s, at)) = parsed.settings {
            if let Some((_, first)) = &settings {
                return Err(ConfigError::At {
                    at,
                    message: format!(
                        "a second [settings] table; the config may hold only one, and {first} has it"
                    ),
                });
            }
            settings = Some((s, at));
        }
        for check in parsed.checks {
            if let Some(first) = names.get(&check.name) {
                return Err(ConfigError::At {
                    at: check.origin.clone(),
                    message: format!(
                        "check name `{}` is already used at {first}; names must be unique",
                        check.name
                    ),
                });
            }
            names.insert(check.name.clone(), check.origin.clone());
            checks.push(check);
        }
    }
    let settings = settings.map(|(s, _)| s).unwrap_or_default();
    for check in &mut checks {
        check.resolver = check.resolver.or(settings.resolver);
    }
    if checks.is_empty() {
        return Err(ConfigError::File {
            path: path.to_path_buf(),
            message: "no [[check]] is defined".to_string(),
        });
    }
    Ok(Config {
        settings,
        checks,
        files,
    })
}

fn config_files(path: &Path) -> Result<Vec<PathBuf>, ConfigError> {
    let read_err = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "toml") && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(ConfigError::File {
            path: path.to_path_buf(),
            message: "the directory holds no *.toml file".to_string(),
        });
    }
    Ok(files)
}

#[derive(Debug)]
struct ParsedFile {
    settings: Option<(Settings, Location)>,
    checks: Vec<Check>,
}

/// Parses and validates one file's text; `file` is only used in messages.
fn parse_file(
    file: &Path,
    text: &str,
    schedules: &mut Schedules,
) -> Result<ParsedFile, ConfigError> {
    let lines = Lines::new(file, text);
    let at = |span: Range<usize>| lines.locate(span.start);
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::At {
        at: at(e.span().unwrap_or(0..0)),
        message: clean_toml_message(e.message()),
    })?;
    let fail = |span: Range<usize>, message: String| ConfigError::At {
        at: at(span),
        message,
    };

    let settings = match raw.settings {
        None => None,
        Some(s) => {
            let span = s.span();
            Some((settings_from_raw(s.into_inner()), at(span)))
        }
    };

    let defaults = raw.defaults.unwrap_or_default();
    if let (Some(t), Some(s)) = (&defaults.timeout, &defaults.slow)
        && s.get_ref().0 > t.get_ref().0
    {
        return Err(fail(
            s.span(),
            format!(
                "slow ({}) must not be longer than timeout ({})",
                duration::format(s.get_ref().0),
                duration::format(t.get_ref().0)
            ),
        ));
    }
    let mut checks = Vec::with_capacity(raw.check.len());
    for c in raw.check {
        let span = c.span();
        checks.push(check_from_raw(
            c.into_inner(),
            span,
            &defaults,
            schedules,
            &fail,
            &at,
        )?);
    }
    Ok(ParsedFile { settings, checks })
}

fn settings_from_raw(s: RawSettings) -> Settings {
    let d = Settings::default();
    Settings {
        timezone: s.timezone.map(|t| t.0),
        db: s.db.unwrap_or(d.db),
        listen: s.listen.map_or(d.listen, |l| l.0),
        retention: s.retention.map_or(d.retention, |r| r.0),
        vantage: s.vantage.map(|v| v.0),
        resolver: s.resolver.map(|r| r.0),
        reference_resolvers: s
            .reference_resolvers
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.0)
            .collect(),
        min_samples: s.min_samples.map_or(d.min_samples, |m| m.0),
    }
}

fn check_from_raw(
    raw: RawCheck,
    span: Range<usize>,
    defaults: &RawDefaults,
    schedules: &mut Schedules,
    fail: &dyn Fn(Range<usize>, String) -> ConfigError,
    at: &dyn Fn(Range<usize>) -> Location,
) -> Result<Check, ConfigError> {
    let name_span = raw.name.span();
    let kind = raw.kind.get_ref().0;

    // Keys that belong to another kind are errors, not silently ignored.
    for (key, key_span, kinds) in raw.kind_specific_keys() {
        if !kinds.contains(&kind) {
            let fit: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            return Err(fail(
                key_span,
                format!(
                    "`{key}` does not apply to a check of kind `{}` (only to {})",
                    kind.as_str(),
                    fit.join(", ")
                ),
            ));
        }
    }

    let pick =
        |own: &Option<Spanned<DurationValue>>, def: &Option<Spanned<DurationValue>>, fallback| {
            own.as_ref()
                .or(def.as_ref())
                .map_or(fallback, |d| d.get_ref().0)
        };
    let timeout = pick(&raw.timeout, &defaults.timeout, DEFAULT_TIMEOUT);
    let slow = pick(&raw.slow, &defaults.slow, DEFAULT_SLOW.min(timeout));
    if timeout.is_zero() {
        let s = raw
            .timeout
            .as_ref()
            .or(defaults.timeout.as_ref())
            .map_or(span.clone(), |t| t.span());
        return Err(fail(s, "timeout must be longer than 0ms".to_string()));
    }
    if slow > timeout {
        let s = raw
            .slow
            .as_ref()
            .or(raw.timeout.as_ref())
            .map_or(span.clone(), |t| t.span());
        return Err(fail(
            s,
            format!(
                "slow ({}) must not be longer than timeout ({})",
                duration::format(slow),
                duration::format(timeout)
            ),
        ));
    }
    let schedule = match raw.schedule.as_ref().or(defaults.schedule.as_ref()) {
        Some(s) => intern(schedules, &s.0),
        None => intern(schedules, DEFAULT_SCHEDULE),
    };

    let missing = |key: &str| {
        fail(
            span.clone(),
            format!(
                "check `{}` of kind `{}` needs `{key}`",
                raw.name.get_ref().0,
                kind.as_str()
            ),
        )
    };
    let spec = match kind {
        Kind::Http => {
            let url = raw.url.ok_or_else(|| missing("url"))?.into_inner().0;
            let mut json = BTreeMap::new();
            if let Some(j) = raw.json {
                let j_span = j.span();
                for (pointer, value) in j.into_inner() {
                    check_pointer(&pointer).map_err(|m| fail(j_span.clone(), m))?;
                    let value = serde_json::to_value(&value).map_err(|e| {
                        fail(j_span.clone(), format!("json value at `{pointer}`: {e}"))
                    })?;
                    json.insert(pointer, value);
                }
            }
            let mut extract = BTreeMap::new();
            if let Some(x) = raw.extract {
                let x_span = x.span();
                for (name, pointer) in x.into_inner() {
                    if !is_value_name(&name) {
                        return Err(fail(
                            x_span,
                            format!(
                                "extract name `{name}` must match [a-z_][a-z0-9_]* (it becomes a metric label)"
                            ),
                        ));
                    }
                    check_pointer(&pointer).map_err(|m| fail(x_span.clone(), m))?;
                    extract.insert(name, pointer);
                }
            }
            let expect_status = match raw.expect_status {
                None => Vec::new(),
                Some(s) => {
                    let s_span = s.span();
                    let codes = s.into_inner();
                    if let Some(bad) = codes.iter().find(|c| !(100..=599).contains(*c)) {
                        return Err(fail(
                            s_span,
                            format!(
                                "expect_status holds {bad}, which is not an HTTP status (100–599)"
                            ),
                        ));
                    }
                    if codes.is_empty() {
                        return Err(fail(
                            s_span,
                            "expect_status is empty; leave it out to accept any 2xx".to_string(),
                        ));
                    }
                    codes
                }
            };
            Spec::Http(HttpSpec {
                url,
                method: raw.method.map_or(Method::Get, |m| m.into_inner()),
                expect_status,
                body_contains: raw.body_contains.map(Spanned::into_inner),
                body_regex: raw.body_regex.map(|r| r.into_inner().0),
                json,
                extract,
                headers: match raw.headers {
                    None => BTreeMap::new(),
                    Some(h) => {
                        let h_span = h.span();
                        headers(h.into_inner()).map_err(|m| fail(h_span, m))?
                    }
                },
                tls_ca_file: raw.tls_ca_file.map(Spanned::into_inner),
            })
        }
        Kind::Mx => {
            let domain = raw.domain.ok_or_else(|| missing("domain"))?.into_inner().0;
            let min_records = match raw.min_records {
                Some(m) if *m.get_ref() == 0 => {
                    return Err(fail(m.span(), "min_records must be at least 1".to_string()));
                }
                Some(m) => m.into_inner(),
                None => 1,
            };
            Spec::Mx(MxSpec {
                domain,
                min_records,
                smtp: raw.smtp.is_some_and(Spanned::into_inner),
                smtp_port: raw.smtp_port.map_or(25, Spanned::into_inner),
            })
        }
        Kind::Tcp => {
            let a = raw.address.ok_or_else(|| missing("address"))?.into_inner();
            Spec::Tcp(TcpSpec {
                host: a.host,
                port: a.port,
            })
        }
        Kind::OkxStatus => Spec::OkxStatus(OkxStatusSpec {
            url: match raw.url {
                Some(u) => u.into_inner().0,
                None => OKX_STATUS_URL
                    .parse()
                    .expect("OKX_STATUS_URL is a valid URL"),
            },
            tls_ca_file: raw.tls_ca_file.map(Spanned::into_inner),
        }),
    };
    Ok(Check {
        name: raw.name.into_inner().0,
        channel: raw.channel.0,
        schedule,
        timeout,
        slow,
        resolver: raw.resolver.map(|r| r.0),
        spec,
        origin: at(name_span),
    })
}

/// A value that must never be shown: in `Debug` it is `***`. Header values
/// are secrets, whether written in the file or taken from the environment.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Checks header names and values and resolves `env:NAME` values from the
/// environment. Messages name headers and variables, never values.
fn headers(raw: BTreeMap<String, String>) -> Result<BTreeMap<String, Secret>, String> {
    let mut out = BTreeMap::new();
    for (name, value) in raw {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!("`{name}` is not a valid HTTP header name"));
        }
        let value = match value.strip_prefix("env:") {
            Some(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => v,
                _ => {
                    return Err(format!(
                        "header `{name}` takes its value from the environment variable `{var}`, which is not set"
                    ));
                }
            },
            None => value,
        };
        if reqwest::header::HeaderValue::from_str(&value).is_err() {
            return Err(format!(
                "the value of header `{name}` is not a valid HTTP header value"
            ));
        }
        out.insert(name, Secret(value));
    }
    Ok(out)
}

/// A vantage name: 1 to 64 letters, digits, `_`, `-` or `.` (it becomes a label value).
pub fn vantage(t: &str) -> Result<String, String> {
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if ok {
        Ok(t.to_string())
    } else {
        Err(format!(
            "invalid vantage `{t}`: use 1 to 64 letters, digits, `_`, `-` or `.`"
        ))
    }
}

fn check_pointer(pointer: &str) -> Result<(), String> {
    if pointer.is_empty() || pointer.starts_with('/') {
        Ok(())
    } else {
        Err(format!(
            "`{pointer}` is not a JSON pointer (it must start with `/`, as in `/data/0/state`)"
        ))
    }
}

fn is_value_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Byte offsets → 1-based line and column (in characters), for one file's text.
/// Built once per file, so that locating every check costs a binary search.
struct Lines<'a> {
    file: &'a Path,
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(file: &'a Path, text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { file, text, starts }
    }

    fn locate(&self, offset: usize) -> Location {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        Location {
            file: self.file.to_path_buf(),
            line,
            column: self.text[start..offset].chars().count() + 1,
        }
    }
}

/// toml's messages end with a newline and sometimes span lines; ours are one sentence.
fn clean_toml_message(m: &str) -> String {
    m.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- The shape of the files, as serde reads them ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    settings: Option<Spanned<RawSettings>>,
    defaults: Option<RawDefaults>,
    #[serde(default)]
    check: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    timezone: Option<TimeZoneValue>,
    db: Option<PathBuf>,
    listen: Option<ListenValue>,
    retention: Option<DurationValue>,
    vantage: Option<VantageValue>,
    resolver: Option<ResolverValue>,
    reference_resolvers: Option<Vec<ResolverValue>>,
    min_samples: Option<MinSamples>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    schedule: Option<ScheduleValue>,
    timeout: Option<Spanned<DurationValue>>,
    slow: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    name: Spanned<CheckName>,
    channel: ChannelValue,
    kind: Spanned<KindValue>,
    schedule: Option<ScheduleValue>,
    timeout: Option<Spanned<DurationValue>>,
    slow: Option<Spanned<DurationValue>>,
    resolver: Option<ResolverValue>,
    // http, okx_status
    url: Option<Spanned<HttpUrl>>,
    tls_ca_file: Option<Spanned<PathBuf>>,
    // http
    method: Option<Spanned<Method>>,
    expect_status: Option<Spanned<Vec<u16>>>,
    body_contains: Option<Spanned<String>>,
    body_regex: Option<Spanned<RegexValue>>,
    json: Option<Spanned<BTreeMap<String, toml::Value>>>,
    extract: Option<Spanned<BTreeMap<String, String>>>,
    headers: Option<Spanned<BTreeMap<String, String>>>,
    // mx
    domain: Option<Spanned<DomainValue>>,
    min_records: Option<Spanned<u32>>,
    smtp: Option<Spanned<bool>>,
    smtp_port: Option<Spanned<u16>>,
    // tcp
    address: Option<Spanned<HostPort>>,
}

impl RawCheck {
    /// Every kind-specific key present, with its place and the kinds it belongs to.
    fn kind_specific_keys(&self) -> Vec<(&'static str, Range<usize>, &'static [Kind])> {
        const HTTP: &[Kind] = &[Kind::Http];
        const WEB: &[Kind] = &[Kind::Http, Kind::OkxStatus];
        const MX: &[Kind] = &[Kind::Mx];
        const TCP: &[Kind] = &[Kind::Tcp];
        fn span<T>(s: &Option<Spanned<T>>) -> Option<Range<usize>> {
            s.as_ref().map(Spanned::span)
        }
        [
            ("url", span(&self.url), WEB),
            ("tls_ca_file", span(&self.tls_ca_file), WEB),
            ("method", span(&self.method), HTTP),
            ("expect_status", span(&self.expect_status), HTTP),
            ("body_contains", span(&self.body_contains), HTTP),
            ("body_regex", span(&self.body_regex), HTTP),
            ("json", span(&self.json), HTTP),
            ("extract", span(&self.extract), HTTP),
            ("headers", span(&self.headers), HTTP),
            ("domain", span(&self.domain), MX),
            ("min_records", span(&self.min_records), MX),
            ("smtp", span(&self.smtp), MX),
            ("smtp_port", span(&self.smtp_port), MX),
            ("address", span(&self.address), TCP),
        ]
        .into_iter()
        .filter_map(|(k, s, kinds)| s.map(|s| (k, s, kinds)))
        .collect()
    }
}

/// Values that check themselves while they are read, so that a bad one is
/// reported at its own line and column by the TOML reader.
macro_rules! checked_string {
    ($name:ident, $inner:ty, $parse:expr) => {
        #[derive(Debug, Clone)]
        struct $name($inner);
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                let parse: fn(&str) -> Result<$inner, String> = $parse;
                parse(&text).map($name).map_err(serde::de::Error::custom)
            }
        }
    };
}

checked_string!(DurationValue, Duration, |t| duration::parse(t)
    .map_err(|e| format!("invalid duration: {e}")));
checked_string!(ScheduleValue, String, |t| {
    let fields = t.split_whitespace().count();
    if !(6..=7).contains(&fields) {
        return Err(format!(
            "invalid schedule `{t}`: a cron expression here has 6 fields (sec min hour day month weekday), not {fields}"
        ));
    }
    cron::Schedule::from_str(t)
        .map(|_| t.to_string())
        .map_err(|e| {
            // The cron crate repeats the expression and draws a caret; keep its reason.
            let e = e.to_string();
            let reason = e
                .rsplit('^')
                .next()
                .unwrap_or(&e)
                .trim()
                .trim_end_matches('.');
            format!("invalid schedule `{t}`: {reason}")
        })
});
checked_string!(ChannelValue, Channel, |t| t.parse::<Channel>().map_err(
    |_| {
        let all: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown channel `{t}`; use one of {}", all.join(", "))
    }
));
checked_string!(KindValue, Kind, |t| {
    let all = [Kind::Http, Kind::Mx, Kind::Tcp, Kind::OkxStatus];
    all.into_iter().find(|k| k.as_str() == t).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|k| k.as_str()).collect();
        format!("unknown kind `{t}`; use one of {}", names.join(", "))
    })
});
checked_string!(ResolverValue, SocketAddr, |t| t
    .parse::<SocketAddr>()
    .map_err(|_| format!(
        "invalid resolver `{t}`: expected an IP address and port, as in `127.0.0.1:53`"
    )));
checked_string!(ListenValue, SocketAddr, |t| t
    .parse::<SocketAddr>()
    .map_err(|_| format!(
        "invalid listen address `{t}`: expected an IP address and port, as in `127.0.0.1:9786`"
    )));
checked_string!(CheckName, String, |t| {
    let mut chars = t.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(t.to_string())
    } else {
        Err(format!(
            "invalid check name `{t}`: it must match [a-z0-9][a-z0-9_-]*"
        ))
    }
});
checked_string!(VantageValue, String, vantage);
checked_string!(HttpUrl, reqwest::Url, |t| {
    let url = reqwest::Url::parse(t).map_err(|e| format!("invalid URL `{t}`: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        "http" | "https" => Err(format!("invalid URL `{t}`: it has no host")),
        other => Err(format!(
            "invalid URL `{t}`: scheme `{other}` is not http or https"
        )),
    }
});
checked_string!(RegexValue, regex::Regex, |t| regex::Regex::new(t).map_err(
    |e| format!(
        "invalid body_regex: {}",
        e.to_string().lines().last().unwrap_or("").trim()
    )
));
checked_string!(TimeZoneValue, chrono_tz::Tz, |t| t
    .parse::<chrono_tz::Tz>()
    .map_err(|_| format!(
        "unknown time zone `{t}` (use an IANA name such as Asia/Shanghai)"
    )));
checked_string!(DomainValue, String, |t| {
    let t = t.trim_end_matches('.');
    let ok = !t.is_empty()
        && t.len() <= 253
        && t.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if ok {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(format!("invalid domain `{t}`"))
    }
});

#[derive(Debug, Clone)]
struct HostPort {
    host: String,
    port: u16,
}

impl<'de> Deserialize<'de> for HostPort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        parse_host_port(&t).map_err(serde::de::Error::custom)
    }
}

fn parse_host_port(t: &str) -> Result<HostPort, String> {
    let bad =
        || format!("invalid address `{t}`: expected host:port, as in `1.1.1.1:443` or `[::1]:443`");
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return Ok(HostPort {
            host: sa.ip().to_string(),
            port: sa.port(),
        });
    }
    let (host, port) = t.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || host.contains(':') || host.contains('[') {
        return Err(bad());
    }
    Ok(HostPort {
        host: host.to_string(),
        port,
    })
}

#[derive(Debug, Clone, Copy)]
struct MinSamples(u32);

impl<'de> Deserialize<'de> for MinSamples {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u32::deserialize(d)? {
            0 => Err(serde::de::Error::custom("min_samples must be at least 1")),
            n => Ok(MinSamples(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ParsedFile, String> {
        parse_file(Path::new("t.toml"), text, &mut Schedules::new()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_check_of_every_kind_loads() {
        let p = parse(
            r#"
[settings]
timezone = "Asia/Shanghai"
resolver = "127.0.0.1:5353"
min_samples = 4

[defaults]
schedule = "0 * * * * *"
timeout = "5s"
slow = "1s"

[[check]]
name = "help-center"
channel = "help_center"
kind = "http"
url = "https://www.okx.com/help"
expect_status = [200, 204]
body_contains = "Help"
body_regex = "He.p"
json = { "/code" = "0" }
extract = { agents_online = "/data/online" }

[[check]]
name = "mail"
channel = "email"
kind = "mx"
domain = "okx.com"
smtp = true
timeout = "8s"

[[check]]
name = "control-web"
channel = "control"
kind = "tcp"
address = "1.1.1.1:443"

[[check]]
name = "okx-maintenance"
channel = "status"
kind = "okx_status"
"#,
        )
        .unwrap();
        let (s, _) = p.settings.unwrap();
        assert_eq!(s.timezone, Some(chrono_tz::Asia::Shanghai));
        assert_eq!(s.min_samples, 4);
        assert_eq!(p.checks.len(), 4);
        assert_eq!(p.checks[0].timeout, Duration::from_secs(5));
        assert_eq!(p.checks[1].timeout, Duration::from_secs(8));
        assert_eq!(p.checks[1].slow, Duration::from_secs(1));
        assert_eq!(p.checks[0].origin.line, 13, "the line of the name");
        match &p.checks[0].spec {
            Spec::Http(h) => {
                assert_eq!(h.expect_status, vec![200, 204]);
                assert_eq!(h.json["/code"], serde_json::json!("0"));
            }
            other => panic!("{other:?}"),
        }
        match &p.checks[2].spec {
            Spec::Tcp(t) => assert_eq!((t.host.as_str(), t.port), ("1.1.1.1", 443)),
            other => panic!("{other:?}"),
        }
        match &p.checks[3].spec {
            Spec::OkxStatus(o) => assert_eq!(o.url.as_str(), OKX_STATUS_URL),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("[[check]]\nname = \"a\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"x:1\"\ntimeout = \"10 sec\"\n")
            .unwrap_err();
        assert!(e.starts_with("t.toml:6:11: "), "{e}");
        assert!(e.contains("invalid duration"), "{e}");
    }

    #[test]
    fn a_key_of_another_kind_is_an_error() {
        let e = parse("[[check]]\nname = \"a\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"x:1\"\ndomain = \"okx.com\"\n")
            .unwrap_err();
        assert!(e.starts_with("t.toml:6:10: `domain` does not apply"), "{e}");
    }

    #[test]
    fn host_port_forms() {
        assert_eq!(parse_host_port("[::1]:443").unwrap().host, "::1");
        assert_eq!(parse_host_port("www.okx.com:443").unwrap().port, 443);
        for bad in ["okx.com", "okx.com:99999", ":443", "::1:443"] {
            assert!(parse_host_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn location_counts_characters() {
        let lines = Lines::new(Path::new("f"), "a\nßx = 1\n");
        let l = lines.locate(4);
        assert_eq!((l.line, l.column), (2, 2));
        assert_eq!(lines.locate(0).line, 1);
        assert_eq!(lines.locate(2).line, 2, "the first byte of line 2");
        assert_eq!(lines.locate(99).line, 3, "past the end");
    }
}
