//! The support channels, in the user's words: what each is called, and the
//! order a person in trouble should try them in. Plain data; imports nothing of
//! the crate.

use std::fmt;
use std::str::FromStr;

use crate::i18n::Lang;

/// A way to reach OKX's support (README, "Configuration"). `Control` is not one:
/// it marks the targets OKX does not run, which tell this machine's network
/// from OKX's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Chat,
    HelpCenter,
    Ticket,
    Email,
    Social,
    Community,
    Status,
    Control,
}

impl Channel {
    pub const ALL: [Channel; 8] = [
        Channel::Chat,
        Channel::HelpCenter,
        Channel::Ticket,
        Channel::Email,
        Channel::Social,
        Channel::Community,
        Channel::Status,
        Channel::Control,
    ];

    /// The support channels in the order a user in trouble should try them.
    pub const PREFERENCE: [Channel; 6] = [
        Channel::Chat,
        Channel::Ticket,
        Channel::Email,
        Channel::HelpCenter,
        Channel::Social,
        Channel::Community,
    ];

    /// The code used in configuration, metrics and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::HelpCenter => "help_center",
            Channel::Ticket => "ticket",
            Channel::Email => "email",
            Channel::Social => "social",
            Channel::Community => "community",
            Channel::Status => "status",
            Channel::Control => "control",
        }
    }

    /// The channel as a sentence names it ("Use {words} now"), in `lang`.
    pub fn words(self, lang: Lang) -> String {
        self.message(lang, "")
    }

    /// [`words`](Channel::words) at the start of a sentence ("Live chat").
    pub fn words_capitalized(self, lang: Lang) -> String {
        self.message(lang, "-cap")
    }

    /// The channel in a table's column: its code in English ("chat"), the
    /// name people use in Chinese ("在线客服").
    pub fn column(self, lang: Lang) -> String {
        self.message(lang, "-col")
    }

    fn message(self, lang: Lang, form: &str) -> String {
        lang.tr(&format!("ch-{}{form}", self.as_str()), &[])
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| t!("unknown-channel", name = s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_preference_holds_every_support_channel() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
        }
        let support = Channel::ALL
            .iter()
            .filter(|c| !matches!(c, Channel::Status | Channel::Control))
            .count();
        assert_eq!(Channel::PREFERENCE.len(), support);
    }
}
