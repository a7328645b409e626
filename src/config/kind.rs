//! The table of check kinds. Each kind is one line of [`kinds!`] naming its
//! variant, its spec type and its name in the files; the spec type (in a file
//! of its own) says which keys the kind takes, how it is built from them, and
//! answers the questions the rest of the program asks of any check ([`Target`]).
//! Nothing outside `config/` and `probe/` needs to know which kinds exist.

use std::ops::Range;

use super::lines::Lines;
use super::raw::RawCheck;
use super::{ConfigError, Location};

/// How a kind is read from a `[[check]]` table.
pub(super) trait Build: Sized {
    /// The keys of a `[[check]]` this kind takes besides the common ones
    /// (`name`, `channel`, `kind`, `schedule`, `timeout`, `slow`, `resolver`).
    const KEYS: &'static [&'static str];
    /// Takes this kind's keys out of `raw` and checks them.
    fn build(raw: &mut RawCheck, at: &Ctx) -> Result<Self, ConfigError>;
}

/// What the rest of the program asks of a check, answered by its kind.
pub trait Target {
    /// The host the probe connects to first, lower-cased (the per-host bound,
    /// `Retry-After`).
    fn host(&self) -> String;
    /// What is probed, for people (`validate`): a URL, `MX okx.com`, `host:port`.
    fn target(&self) -> String;
    /// The name `diagnose` looks up to compare resolvers; `None` when the
    /// kind's own look-up is the check (a mail domain need not have an address).
    fn looked_up(&self) -> Option<String> {
        Some(self.host())
    }
    /// The metric families beyond the common ones this check feeds.
    fn extras(&self) -> Extras<'_> {
        Extras::default()
    }
    /// Whether probing needs a Chromium on this machine.
    fn needs_browser(&self) -> bool {
        false
    }
    /// The one port the probe reaches, when it has one (a control that
    /// fails names it: "outbound port 25 is blocked").
    fn port(&self) -> Option<u16> {
        None
    }
}

/// Kind-specific metric families a check feeds (README, "Metrics").
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// `okx_monitor_smtp_hosts` and `okx_monitor_smtp_starttls`.
    pub smtp: bool,
    /// `okx_monitor_maintenance_*`.
    pub maintenance: bool,
    /// The names of `okx_monitor_extracted_value` series.
    pub extracted: Option<&'a std::collections::BTreeMap<String, String>>,
}

/// Where a kind's builder is: the check's name and table, for messages.
pub(super) struct Ctx<'a> {
    pub name: &'a str,
    pub kind: Kind,
    /// The whole `[[check]]` table.
    pub span: Range<usize>,
    pub lines: &'a Lines<'a>,
}

impl Ctx<'_> {
    pub fn at(&self, span: Range<usize>) -> Location {
        self.lines.locate(span.start)
    }

    pub fn fail(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::At {
            at: self.at(span),
            message: message.into(),
        }
    }

    pub fn missing(&self, key: &str) -> ConfigError {
        self.fail(
            self.span.clone(),
            t!(
                "cfg-kind-needs",
                check = self.name,
                kind = self.kind.as_str(),
                key = key
            ),
        )
    }
}

/// Declares every kind: `Variant(SpecType) = "name"`. From one list come the
/// [`Kind`] enum and its names, the [`Spec`] enum, and the dispatch from a
/// kind to its builder and its [`Target`] answers.
macro_rules! kinds {
    ($($variant:ident($spec:ty) = $name:literal),+ $(,)?) => {
        /// The kind of a check, as written in `kind = "…"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind {
            $($variant),+
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name),+
                }
            }

            /// The keys this kind takes besides the common ones.
            pub fn keys(self) -> &'static [&'static str] {
                match self {
                    $(Kind::$variant => <$spec as Build>::KEYS),+
                }
            }
        }

        /// What a check probes; one variant per kind, so that adding a kind
        /// makes the compiler list the place in `probe/` to update.
        #[derive(Debug, Clone)]
        pub enum Spec {
            $($variant($spec)),+
        }

        impl Spec {
            pub fn kind(&self) -> Kind {
                match self {
                    $(Spec::$variant(_) => Kind::$variant),+
                }
            }

            fn target_of(&self) -> &dyn Target {
                match self {
                    $(Spec::$variant(s) => s),+
                }
            }

            pub(super) fn build(raw: &mut RawCheck, at: &Ctx) -> Result<Spec, ConfigError> {
                match at.kind {
                    $(Kind::$variant => <$spec as Build>::build(raw, at).map(Spec::$variant)),+
                }
            }
        }
    };
}

kinds! {
    Http(super::HttpSpec) = "http",
    Mx(super::MxSpec) = "mx",
    Tcp(super::TcpSpec) = "tcp",
    OkxStatus(super::OkxStatusSpec) = "okx_status",
    WebSocket(super::WebSocketSpec) = "websocket",
    Browser(super::BrowserSpec) = "browser",
}

impl Spec {
    pub fn host(&self) -> String {
        self.target_of().host()
    }

    pub fn target(&self) -> String {
        self.target_of().target()
    }

    pub fn looked_up(&self) -> Option<String> {
        self.target_of().looked_up()
    }

    pub fn extras(&self) -> Extras<'_> {
        self.target_of().extras()
    }

    pub fn needs_browser(&self) -> bool {
        self.target_of().needs_browser()
    }

    pub fn port(&self) -> Option<u16> {
        self.target_of().port()
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(t: &str) -> Result<Kind, String> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                t!("cfg-unknown-kind", kind = t, kinds = names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_specific_key_belongs_to_a_kind_and_every_kind_key_is_read() {
        let read = RawCheck::KIND_KEYS;
        for kind in Kind::ALL {
            for key in kind.keys() {
                assert!(read.contains(key), "{key} of {kind:?} is not in RawCheck");
            }
        }
        for key in read {
            assert!(
                Kind::ALL.iter().any(|k| k.keys().contains(key)),
                "{key} belongs to no kind"
            );
        }
    }
}
