//! ntfy: the text as the body, the title, priority and tags as headers.

use super::{About, Build, Event, Http, Notice};
use crate::kinds::keys::{KeyError, Keys, UrlValue};

/// POST to an ntfy topic URL.
#[derive(Debug, Clone)]
pub struct NtfySink {
    pub url: reqwest::Url,
}

impl Build for NtfySink {
    const KEYS: &'static [&'static str] = &["url"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        Ok(NtfySink {
            url: keys.required::<UrlValue>("url")?.into_inner().0,
        })
    }
}

impl Http for NtfySink {
    fn request(&self, client: &reqwest::Client, n: &Notice) -> reqwest::RequestBuilder {
        let (priority, tags) = match n.event {
            About::Event(Event::Down | Event::Blocked) => ("high", "rotating_light"),
            About::Event(Event::Recovered) => ("default", "white_check_mark"),
            About::Event(Event::BestWindow) => ("default", "alarm_clock"),
            About::Event(Event::Throttled | Event::Maintenance | Event::OkxIncident)
            | About::LocalNetwork
            | About::Test => ("default", "information_source"),
        };
        client
            .post(self.url.clone())
            .header("Title", header_text(&n.title))
            .header("Priority", priority)
            .header("Tags", tags)
            .body(n.text.clone())
    }
}

/// Text for an HTTP header: as it is when ASCII, else an RFC 2047 encoded
/// word (`=?UTF-8?B?…?=`), which ntfy decodes (a Chinese title, say).
fn header_text(text: &str) -> String {
    if text.is_ascii() {
        text.to_string()
    } else {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(text);
        format!("=?UTF-8?B?{b64}?=")
    }
}
