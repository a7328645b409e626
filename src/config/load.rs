//! Files → [`Config`]: reads every `*.toml` of a directory (or one file),
//! applies `[defaults]`, checks what depends on several keys, and hands each
//! check's kind-specific keys to its kind's builder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use crate::kinds::{KeyError, Keys, Kind};

use super::lines::Lines;
use super::raw::{COMMON_KEYS, DurationValue, RawCheck, RawDefaults, RawFile, RawSettings};
use super::{
    Check, Config, ConfigError, DEFAULT_SCHEDULE, DEFAULT_SLOW, DEFAULT_TIMEOUT, Location,
    Schedule, Settings, Spec,
};
use crate::channel::Channel;
use crate::duration;

/// Parsed schedules by their text, for sharing across the checks of a load.
type Schedules = HashMap<String, Schedule>;

/// The schedule of `text`, shared with every check of the load that uses the same text.
fn intern(schedules: &mut Schedules, text: &str, cron: &cron::Schedule) -> Schedule {
    schedules
        .entry(text.to_string())
        .or_insert_with(|| Schedule {
            text: Arc::from(text),
            cron: Arc::new(cron.clone()),
        })
        .clone()
}

/// Loads the configuration `source` names.
pub fn load_source(source: &super::Source) -> Result<Config, ConfigError> {
    match source {
        super::Source::Path(path) => load(path),
        super::Source::BuiltIn => {
            let files = super::builtin::FILES
                .iter()
                .map(|(name, text)| (super::builtin::origin(name), (*text).to_string()))
                .collect();
            load_texts(&super::builtin::origin(""), files)
        }
    }
}

/// Loads a directory of `*.toml` files, or one file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let mut texts = Vec::new();
    for file in config_files(path)? {
        let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
            path: file.clone(),
            source,
        })?;
        texts.push((file, text));
    }
    load_texts(path, texts)
}

/// Loads the files `texts` (path, content) of the configuration at `path`.
fn load_texts(path: &Path, texts: Vec<(PathBuf, String)>) -> Result<Config, ConfigError> {
    let files: Vec<PathBuf> = texts.iter().map(|(p, _)| p.clone()).collect();
    let mut settings: Option<(Settings, Location)> = None;
    let mut checks = Vec::new();
    let mut notify: Vec<super::notify::Notify> = Vec::new();
    let mut names: HashMap<String, Location> = HashMap::new();
    let mut schedules = Schedules::new();
    for (file, text) in &texts {
        let parsed = parse_file(file, text, &mut schedules)?;
        if let Some((s, at)) = parsed.settings {
            if let Some((_, first)) = &settings {
                return Err(ConfigError::At {
                    at,
                    message: t!("cfg-second-settings", first = first.to_string()),
                });
            }
            settings = Some((s, at));
        }
        for n in parsed.notify {
            if let Some(first) = notify.iter().find(|x| x.name == n.name) {
                return Err(ConfigError::At {
                    at: n.origin.clone(),
                    message: t!(
                        "cfg-notify-name-used",
                        name = &n.name,
                        first = first.origin.to_string()
                    ),
                });
            }
            notify.push(n);
        }
        for check in parsed.checks {
            if let Some(first) = names.get(&check.name) {
                return Err(ConfigError::At {
                    at: check.origin.clone(),
                    message: t!(
                        "cfg-check-name-used",
                        name = &check.name,
                        first = first.to_string()
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
            message: t!("cfg-no-check"),
        });
    }
    Ok(Config {
        settings,
        checks,
        notify,
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
            message: t!("cfg-no-toml"),
        });
    }
    Ok(files)
}

#[derive(Debug)]
struct ParsedFile {
    settings: Option<(Settings, Location)>,
    checks: Vec<Check>,
    notify: Vec<super::notify::Notify>,
}

/// Parses and validates one file's text; `file` is only used in messages.
fn parse_file(
    file: &Path,
    text: &str,
    schedules: &mut Schedules,
) -> Result<ParsedFile, ConfigError> {
    let lines = Lines::new(file, text);
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::At {
        at: lines.locate(e.span().unwrap_or(0..0).start),
        message: clean_toml_message(e.message()),
    })?;
    let settings = raw.settings.map(|s| {
        let at = lines.locate(s.span().start);
        (settings_from_raw(s.into_inner()), at)
    });
    let defaults = raw.defaults.unwrap_or_default();
    if let (Some(t), Some(s)) = (&defaults.timeout, &defaults.slow)
        && s.get_ref().0 > t.get_ref().0
    {
        return Err(ConfigError::At {
            at: lines.locate(s.span().start),
            message: too_slow(s.get_ref().0, t.get_ref().0),
        });
    }
    // A constant that tests parse; an error rather than a panic all the same.
    let default_schedule: cron::Schedule =
        DEFAULT_SCHEDULE
            .parse()
            .map_err(|e: cron::error::Error| ConfigError::File {
                path: file.to_path_buf(),
                message: t!("cfg-default-schedule", why = e.to_string()),
            })?;
    let mut checks = Vec::with_capacity(raw.check.len());
    for c in raw.check {
        let span = c.span();
        let mut raw = c.into_inner();
        let name = raw.name.get_ref().0.clone();
        let ctx = Ctx {
            name: &name,
            kind: raw.kind.get_ref().0,
            span,
            lines: &lines,
        };
        let schedule = match raw.schedule.as_ref().or(defaults.schedule.as_ref()) {
            Some(s) => intern(schedules, &s.0.0, &s.0.1),
            None => intern(schedules, DEFAULT_SCHEDULE, &default_schedule),
        };
        checks.push(check_from_raw(&mut raw, &ctx, &defaults, schedule)?);
    }
    let mut notify = Vec::with_capacity(raw.notify.len());
    for n in raw.notify {
        let span = n.span();
        notify.push(super::notify::build(n.into_inner(), span, &|o| {
            lines.locate(o)
        })?);
    }
    Ok(ParsedFile {
        settings,
        checks,
        notify,
    })
}

fn too_slow(slow: Duration, timeout: Duration) -> String {
    t!(
        "cfg-slow-over-timeout",
        slow = duration::format(slow),
        timeout = duration::format(timeout)
    )
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
        browser: s.browser,
        browser_concurrency: s.browser_concurrency.map_or(d.browser_concurrency, |m| m.0),
    }
}
/// Where a check is, for messages: its name, kind and table.
struct Ctx<'a> {
    name: &'a str,
    kind: Kind,
    /// The whole `[[check]]` table.
    span: std::ops::Range<usize>,
    lines: &'a Lines<'a>,
}

impl Ctx<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> Location {
        self.lines.locate(span.start)
    }

    fn fail(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::At {
            at: self.at(span),
            message: message.into(),
        }
    }
}

/// A key the check's kind does not take: another kind's (placed at its
/// value), or no kind's (placed at the key), as the TOML reader places them.
fn foreign_key(
    at: &Ctx,
    keys: &Keys,
    (key, value): &(Spanned<String>, Spanned<toml::Value>),
) -> ConfigError {
    let name = key.get_ref().as_str();
    let kinds = Kind::ALL.iter().map(|k| (k.as_str(), k.keys()));
    let Some(why) = keys.not_for(name, kinds) else {
        let expected: Vec<String> = COMMON_KEYS
            .iter()
            .chain(at.kind.keys())
            .map(|k| format!("`{k}`"))
            .collect();
        return at.fail(
            key.span(),
            t!(
                "cfg-unknown-key",
                key = name,
                expected = expected.join(", ")
            ),
        );
    };
    at.fail(value.span(), why)
}

/// One `[[check]]`: the common keys, then its kind's own (a key of another
/// kind, or of none, is an error, not silently ignored).
fn check_from_raw(
    raw: &mut RawCheck,
    at: &Ctx,
    defaults: &RawDefaults,
    schedule: Schedule,
) -> Result<Check, ConfigError> {
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
            .map_or(at.span.clone(), |t| t.span());
        return Err(at.fail(s, t!("cfg-timeout-zero")));
    }
    // Only values written in the same table contradict each other: an
    // inherited `slow` longer than the check's own `timeout` is no mistake,
    // the check is simply never degraded by time (README, "Configuration").
    if let (Some(own_slow), Some(own_timeout)) = (&raw.slow, &raw.timeout)
        && own_slow.get_ref().0 > own_timeout.get_ref().0
    {
        return Err(at.fail(own_slow.span(), too_slow(slow, timeout)));
    }
    let covers = match raw.covers.take() {
        None => None,
        Some(c) if raw.channel.0 != Channel::Control => {
            return Err(at.fail(c.span(), t!("cfg-covers-not-control")));
        }
        Some(c) => {
            let span = c.span();
            let channels: Vec<Channel> = c.into_inner().into_iter().map(|v| v.0).collect();
            if channels.is_empty() || channels.contains(&Channel::Control) {
                return Err(at.fail(span, t!("cfg-covers-channels")));
            }
            Some(channels)
        }
    };
    let mut keys = Keys::check(
        at.name,
        at.kind,
        at.span.clone(),
        std::mem::take(&mut raw.rest),
    );
    if let Some(stray) = keys.stray(false) {
        return Err(foreign_key(at, &keys, stray));
    }
    let from_kind = |e: KeyError| at.fail(e.span, e.message);
    let spec = Spec::build(at.kind, &mut keys).map_err(from_kind)?;
    if let Some(stray) = keys.stray(true) {
        return Err(foreign_key(at, &keys, stray));
    }
    Ok(Check {
        name: at.name.to_string(),
        channel: raw.channel.0,
        schedule,
        timeout,
        slow,
        resolver: raw.resolver.as_ref().map(|r| r.0),
        covers,
        spec,
        origin: at.at(raw.name.span()),
    })
}

/// toml's messages end with a newline and sometimes span lines; ours are one sentence.
/// The TOML parser's message on one line, in the process's language where it
/// is one of the usual two (an unknown key, a missing key; our own checks'
/// messages come translated already).
fn clean_toml_message(m: &str) -> String {
    let m = m.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(rest) = m.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once("`, expected ")
    {
        let expected = expected.strip_prefix("one of ").unwrap_or(expected);
        return t!("cfg-unknown-key", key = key, expected = expected);
    }
    if let Some(key) = m
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return t!("cfg-missing-key", key = key);
    }
    m
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
        // Each kind's own keys are its folder's to test; here, that they reached it.
        let http = format!("{:?}", p.checks[0].spec);
        assert!(http.contains("expect_status: [200, 204]"), "{http}");
        assert!(http.contains(r#"json: {"/code": String("0")}"#), "{http}");
        assert_eq!(p.checks[2].spec.target(), "1.1.1.1:443");
        assert_eq!(
            p.checks[3].spec.target(),
            "https://www.okx.com/api/v5/system/status"
        );
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
    fn location_counts_characters() {
        let lines = Lines::new(Path::new("f"), "a\nßx = 1\n");
        let l = lines.locate(4);
        assert_eq!((l.line, l.column), (2, 2));
        assert_eq!(lines.locate(0).line, 1);
        assert_eq!(lines.locate(2).line, 2, "the first byte of line 2");
        assert_eq!(lines.locate(99).line, 3, "past the end");
    }
}
