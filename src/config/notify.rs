//! `[[notify]]`: where to be told that a channel went down, came back, or is
//! about to have its best window. The keys every sink takes are read here;
//! the rest are the sink's own ([`crate::sinks`]). Checked when the files
//! load.

use std::time::Duration;

use toml::Spanned;

use super::raw::RawNotify;
use super::{ConfigError, Location};
use crate::channel::Channel;
use crate::i18n::Lang;
use crate::kinds::keys::{Keys, Table};
pub use crate::sinks::Event;
use crate::sinks::{SinkKind, SinkSpec};

/// One place to be told.
#[derive(Debug, Clone)]
pub struct Notify {
    pub name: String,
    pub sink: SinkSpec,
    /// Channels watched; never `control`.
    pub channels: Vec<Channel>,
    pub events: Vec<Event>,
    /// Consecutive failed probes of every check of a channel before it is down.
    pub after: u32,
    /// Consecutive good probes of one check before a down channel is recovered.
    pub recover_after: u32,
    /// Repeat a down notice this often while it lasts.
    pub remind: Option<Duration>,
    /// The language of its messages.
    pub lang: Lang,
    pub origin: Location,
}

/// Builds one `[[notify]]`; `at` turns a byte offset into a place.
pub(super) fn build(
    mut raw: RawNotify,
    table: std::ops::Range<usize>,
    at: &dyn Fn(usize) -> Location,
) -> Result<Notify, ConfigError> {
    let fail = |offset: usize, message: String| ConfigError::At {
        at: at(offset),
        message,
    };
    let kind: SinkKind = raw
        .kind
        .get_ref()
        .parse()
        .map_err(|why| fail(raw.kind.span().start, why))?;
    // A key of another sink is an error, not silently ignored.
    let foreign = |key: &Spanned<String>, value: &Spanned<toml::Value>| {
        let name = key.get_ref().as_str();
        let fit: Vec<&str> = SinkKind::ALL
            .iter()
            .filter(|k| k.keys().contains(&name))
            .map(|k| k.as_str())
            .collect();
        fail(
            value.span().start,
            t!(
                "cfg-key-not-for-sink",
                key = name,
                kind = kind.as_str(),
                kinds = fit.join(", ")
            ),
        )
    };
    if let Some((key, value)) = raw
        .rest
        .iter()
        .find(|(k, _)| !kind.keys().contains(&k.get_ref().as_str()))
    {
        return Err(foreign(key, value));
    }
    let name = raw.name.get_ref().clone();
    let mut keys = Keys::new(
        Table::Notify,
        &name,
        (kind.as_str(), kind.keys()),
        table.clone(),
        std::mem::take(&mut raw.rest),
    );
    let sink = SinkSpec::build(kind, &mut keys).map_err(|e| fail(e.span.start, e.message))?;
    if let Some((key, value)) = keys.left().next() {
        return Err(foreign(key, value));
    }
    // The counts' defaults are the incidents' (one rule for both).
    let defaults = crate::incident::Rules::default();
    let at_least_one = |v: &Option<Spanned<u32>>, key: &str, default: u32| match v {
        Some(n) if *n.get_ref() == 0 => {
            Err(fail(n.span().start, t!("cfg-at-least-one", key = key)))
        }
        Some(n) => Ok(*n.get_ref()),
        None => Ok(default),
    };
    let channels: Vec<Channel> = match raw.channels {
        Some(c) => c.into_iter().map(|c| c.0).collect(),
        None => Channel::ALL
            .into_iter()
            .filter(|c| *c != Channel::Control)
            .collect(),
    };
    let lang = match &raw.lang {
        Some(l) => Lang::from_flag(l.get_ref()).map_err(|why| fail(l.span().start, why))?,
        None => crate::i18n::current(),
    };
    Ok(Notify {
        name,
        sink,
        lang,
        channels,
        events: raw.events.unwrap_or_else(|| Event::ALL.to_vec()),
        after: at_least_one(&raw.after, "after", defaults.after)?,
        recover_after: at_least_one(&raw.recover_after, "recover_after", defaults.recover_after)?,
        remind: raw.remind.map(|d| d.0).filter(|d| !d.is_zero()),
        origin: at(raw.name.span().start),
    })
}
