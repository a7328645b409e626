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
    let name = raw.name.get_ref().clone();
    let mut keys = Keys::new(
        Table::Notify,
        &name,
        (kind.as_str(), kind.keys()),
        table.clone(),
        std::mem::take(&mut raw.rest),
    );
    // A key of another sink is an error, not silently ignored.
    let foreign = |keys: &Keys, (key, value): &(Spanned<String>, Spanned<toml::Value>)| {
        let sinks = SinkKind::ALL.iter().map(|k| (k.as_str(), k.keys()));
        let why = keys.not_for(key.get_ref(), sinks).unwrap_or_default();
        fail(value.span().start, why)
    };
    if let Some(stray) = keys.stray(false) {
        return Err(foreign(&keys, stray));
    }
    let sink = SinkSpec::build(kind, &mut keys).map_err(|e| fail(e.span.start, e.message))?;
    if let Some(stray) = keys.stray(true) {
        return Err(foreign(&keys, stray));
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
