//! Every kind of check, one folder each: `kinds/<kind>/mod.rs` holds its
//! spec, its keys and how it is built from them, and what the rest of the
//! program asks of any check ([`Target`]); `kinds/<kind>/probe.rs` probes it
//! and judges the answer. This file is the registry: `kinds!` names each
//! kind once, and from that one list come [`Kind`], [`Spec`] and the
//! dispatch to a kind's builder, its answers and its probe. Nothing outside
//! this folder names a kind; the machinery the kinds share (connecting, the
//! refusal rules, the page rules, the browser process) is [`crate::probe`],
//! below them.

pub mod keys;

mod browser;
mod dns;
mod http;
pub(crate) mod mx;
pub(crate) mod okx_status;
mod tcp;
mod websocket;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use keys::{KeyError, Keys, Secret};

use crate::outcome::{Failure, Report};
use crate::probe::PhaseClock;
use crate::probe::chromium::Chromium;
use crate::probe::resolve::NameResolver;
use crate::reason;
use crate::reason::Reason;

/// How a kind is read from a `[[check]]` table.
trait Build: Sized {
    /// The keys of a `[[check]]` this kind takes besides the common ones
    /// (`name`, `channel`, `kind`, `schedule`, `timeout`, `slow`, `resolver`, `covers`).
    const KEYS: &'static [&'static str];
    /// Takes this kind's keys out of `keys` and checks them.
    fn build(keys: &mut Keys) -> Result<Self, KeyError>;
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
    /// `Some` for a kind that speaks TLS: the extra CA file it trusts, if any.
    fn tls(&self) -> Option<Option<&Path>> {
        None
    }
    /// This check's own keys pinned to what a click opened (`explain
    /// --pin`), as TOML values; `None` when nothing counted or the kind
    /// has no click.
    fn pinned(&self, _websocket: Option<&str>, _frame: Option<&str>) -> Option<toml::Table> {
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

/// What a probe is given: the resolver of its check, the TLS set-up for its
/// CA file (for the kinds that speak TLS) and the browser (for `browser`).
pub struct Via<'a> {
    pub resolver: &'a Arc<NameResolver>,
    pub tls: Option<&'a Arc<rustls::ClientConfig>>,
    pub browser: Option<Browser<'a>>,
    /// The check's `slow` and the probe's deadline (its timeout from now).
    pub slow: Duration,
    pub deadline: Instant,
}

/// The one browser and its bound of pages at once.
#[derive(Clone, Copy)]
pub struct Browser<'a> {
    pub chromium: &'a Chromium,
    pub pages: &'a tokio::sync::Semaphore,
}

/// Why a check cannot be probed on this machine (not an outcome: no sample).
pub fn no_browser() -> Reason {
    reason!("no_browser")
}

/// The report of a probe whose set-up is missing: a caller's bug, reported
/// as the check's outcome rather than a panic.
fn unprepared() -> Report {
    Report::failed(Failure::Protocol, reason!("internal_unprepared"))
}

/// Declares every kind: `Variant(SpecType) = "name"`. From one list come the
/// [`Kind`] enum and its names, the [`Spec`] enum, and the dispatch from a
/// kind to its builder, its [`Target`] answers and its probe (an inherent
/// `async fn probe(&self, via: &Via<'_>, clock: &PhaseClock) -> Report` of
/// the spec type, in the kind's `probe.rs`).
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

        /// What a check probes; one variant per kind.
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

            /// Builds the spec of a check of `kind` from its keys.
            pub fn build(kind: Kind, keys: &mut Keys) -> Result<Spec, KeyError> {
                match kind {
                    $(Kind::$variant => <$spec as Build>::build(keys).map(Spec::$variant)),+
                }
            }

            /// Probes once; the caller bounds it by the deadline in `via`.
            pub async fn probe(&self, via: &Via<'_>, clock: &PhaseClock) -> Report {
                match self {
                    $(Spec::$variant(s) => s.probe(via, clock).await),+
                }
            }
        }
    };
}

kinds! {
    Http(http::HttpSpec) = "http",
    Mx(mx::MxSpec) = "mx",
    Tcp(tcp::TcpSpec) = "tcp",
    OkxStatus(okx_status::OkxStatusSpec) = "okx_status",
    WebSocket(websocket::WebSocketSpec) = "websocket",
    Browser(browser::BrowserSpec) = "browser",
    Dns(dns::DnsSpec) = "dns",
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

    pub fn tls(&self) -> Option<Option<&Path>> {
        self.target_of().tls()
    }

    pub fn pinned(&self, websocket: Option<&str>, frame: Option<&str>) -> Option<toml::Table> {
        self.target_of().pinned(websocket, frame)
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

    /// The keys every check takes, read by the configuration above.
    const COMMON: &[&str] = &[
        "name", "channel", "kind", "schedule", "timeout", "slow", "resolver", "covers",
    ];

    #[test]
    fn a_kind_lists_each_of_its_keys_once_and_none_of_the_common_ones() {
        for kind in Kind::ALL {
            let keys = kind.keys();
            for (i, key) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(key), "{key} twice in {kind:?}");
                assert!(!COMMON.contains(key), "{key} of {kind:?} is a common key");
            }
        }
    }
}
