//! What other tools read without glue, all views over `status`'s answer and
//! the incident history (pure): Atlassian Statuspage's v2 `summary.json` and
//! `status.json`, shields.io's endpoint badge, and an Atom 1.0 feed of the
//! incidents.

use serde_json::{Value, json};

use super::html::Html;
use crate::channel::Channel;
use crate::i18n::{Lang, words};
use crate::outcome::{MaintenanceState, Outcome};
use crate::stamp::Stamp;
use crate::status::{ChannelStatus, IncidentOut, Status};

/// Where the pages are served, as the request named it: `http://host:port/`.
pub struct Site<'a> {
    /// The page's base URL, when the request's `Host` was a plain host name.
    pub base: Option<&'a str>,
    /// This instance's vantage: part of every id, so two instances' feeds differ.
    pub vantage: &'a str,
}

impl Site<'_> {
    fn url(&self, path: &str) -> Value {
        self.base
            .map_or(Value::Null, |b| Value::String(format!("{b}{path}")))
    }

    fn page_id(&self) -> String {
        format!("okx-monitor-{}", self.vantage)
    }

    /// A stable `urn:uuid:` from `parts` and the vantage (Atom ids must be IRIs).
    fn urn(&self, parts: &str) -> String {
        use std::hash::{Hash, Hasher};
        let half = |salt: u8| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (salt, self.vantage, parts).hash(&mut h);
            h.finish()
        };
        let (a, b) = (half(1), half(2));
        format!(
            "urn:uuid:{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

/// "Live chat down": an incident's name.
pub fn incident_name(i: &IncidentOut, lang: Lang) -> String {
    tl!(
        lang,
        "incident-name",
        channel = i.channel.words_capitalized(lang),
        state = i.state.words(lang)
    )
}

/// The state a component shows: the channel's now, or its last judged state
/// while it is unknown or stale (`None` when never judged).
fn shown(c: &ChannelStatus) -> Option<Outcome> {
    match c.now {
        Some(Outcome::Unknown) | None => c.judged,
        _ if c.stale => c.judged,
        now => now,
    }
}

/// Statuspage's status of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Operational,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
    UnderMaintenance,
}

impl Component {
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Operational => "operational",
            Component::DegradedPerformance => "degraded_performance",
            Component::PartialOutage => "partial_outage",
            Component::MajorOutage => "major_outage",
            Component::UnderMaintenance => "under_maintenance",
        }
    }
}

impl serde::Serialize for Component {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Statuspage's component status of a channel.
pub fn component_status(c: &ChannelStatus) -> Component {
    match shown(c) {
        Some(Outcome::Degraded) => Component::DegradedPerformance,
        Some(Outcome::Throttled) => Component::PartialOutage,
        Some(Outcome::Down | Outcome::Blocked) => Component::MajorOutage,
        Some(Outcome::Maintenance) => Component::UnderMaintenance,
        Some(Outcome::Up | Outcome::Unknown) | None => Component::Operational,
    }
}

/// Statuspage's indicator over the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    None,
    Minor,
    Major,
    Critical,
}

impl Indicator {
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::None => "none",
            Indicator::Minor => "minor",
            Indicator::Major => "major",
            Indicator::Critical => "critical",
        }
    }

    /// Statuspage's own description of it.
    fn words(self, lang: Lang) -> String {
        match self {
            Indicator::None => tl!(lang, "sp-none"),
            Indicator::Minor => tl!(lang, "sp-minor"),
            Indicator::Major => tl!(lang, "sp-major"),
            Indicator::Critical => tl!(lang, "sp-critical"),
        }
    }
}

/// Statuspage's indicator over the components: none when every one is
/// operational, critical when every one is a major outage, major when one is,
/// minor otherwise.
pub fn indicator(statuses: &[Component]) -> Indicator {
    if statuses.iter().all(|s| *s == Component::Operational) {
        Indicator::None
    } else if statuses.iter().all(|s| *s == Component::MajorOutage) {
        Indicator::Critical
    } else if statuses.contains(&Component::MajorOutage) {
        Indicator::Major
    } else {
        Indicator::Minor
    }
}

fn components(s: &Status) -> Vec<&ChannelStatus> {
    s.channels
        .iter()
        .filter(|c| c.channel != Channel::Control)
        .collect()
}

fn updated_at(s: &Status) -> Stamp {
    s.channels
        .iter()
        .filter_map(|c| c.as_of)
        .max_by_key(Stamp::ms)
        .unwrap_or(s.generated_at)
}

fn page(s: &Status, site: &Site<'_>, lang: Lang) -> Value {
    json!({
        "id": site.page_id(),
        "name": tl!(lang, "sp-page-name", vantage = site.vantage),
        "url": site.url(""),
        "time_zone": s.timezone,
        "updated_at": updated_at(s),
    })
}

fn status_object(s: &Status, lang: Lang) -> Value {
    let statuses: Vec<Component> = components(s).into_iter().map(component_status).collect();
    let indicator = indicator(&statuses);
    json!({
        "indicator": indicator.as_str(),
        "description": indicator.words(lang),
    })
}

fn component(c: &ChannelStatus, position: usize, site: &Site<'_>, s: &Status, lang: Lang) -> Value {
    let updated = c.as_of.unwrap_or(s.generated_at);
    json!({
        "id": c.channel.as_str(),
        "name": c.channel.words_capitalized(lang),
        "status": component_status(c),
        "created_at": updated,
        "updated_at": updated,
        "position": position,
        "description": Value::Null,
        "showcase": true,
        "start_date": Value::Null,
        "group_id": Value::Null,
        "page_id": site.page_id(),
        "group": false,
        "only_show_if_degraded": false,
    })
}

/// `/api/v2/status.json`: the page and its indicator.
pub fn statuspage_status(s: &Status, site: &Site<'_>, lang: Lang) -> Value {
    json!({ "page": page(s, site, lang), "status": status_object(s, lang) })
}

/// `/api/v2/summary.json`: the page, its indicator, one component per
/// channel, the open incidents and OKX's announced maintenance.
pub fn statuspage_summary(s: &Status, open: &[IncidentOut], site: &Site<'_>, lang: Lang) -> Value {
    let comps: Vec<Value> = components(s)
        .into_iter()
        .enumerate()
        .map(|(i, c)| component(c, i + 1, site, s, lang))
        .collect();
    let now = super::generated(s);
    let incidents: Vec<Value> = open
        .iter()
        .filter(|i| i.end.is_none())
        .map(|i| {
            let id = format!("{}-{}", i.channel, i.start_ms);
            let affected: Vec<Value> = s
                .channels
                .iter()
                .filter(|c| c.channel == i.channel)
                .map(|c| component(c, 0, site, s, lang))
                .collect();
            json!({
                "id": id,
                "name": incident_name(i, lang),
                "status": "investigating",
                "created_at": i.start,
                "updated_at": i.start,
                "monitoring_at": Value::Null,
                "resolved_at": Value::Null,
                "impact": crate::incident::impact(i.state),
                "shortlink": site.url(""),
                "started_at": i.start,
                "page_id": site.page_id(),
                "incident_updates": [{
                    "id": format!("{id}-0"),
                    "status": "investigating",
                    "body": incident_body(i, now, lang),
                    "incident_id": id,
                    "created_at": i.start,
                    "updated_at": i.start,
                    "display_at": i.start,
                    "affected_components": Value::Null,
                }],
                "components": affected,
            })
        })
        .collect();
    let maintenances: Vec<Value> = s
        .maintenance
        .iter()
        .map(|m| {
            let begin = m.begin.unwrap_or(s.generated_at);
            let status = if m.state == MaintenanceState::Ongoing {
                "in_progress"
            } else {
                "scheduled"
            };
            json!({
                "id": site.urn(&format!("maintenance|{}|{begin}", m.title)).trim_start_matches("urn:uuid:"),
                "name": m.title,
                "status": status,
                "created_at": begin,
                "updated_at": begin,
                "monitoring_at": Value::Null,
                "resolved_at": Value::Null,
                "impact": "maintenance",
                "shortlink": site.url(""),
                "started_at": begin,
                "page_id": site.page_id(),
                "incident_updates": [],
                "components": [],
                "scheduled_for": m.begin,
                "scheduled_until": m.end,
            })
        })
        .collect();
    json!({
        "page": page(s, site, lang),
        "components": comps,
        "incidents": incidents,
        "scheduled_maintenances": maintenances,
        "status": status_object(s, lang),
    })
}

/// shields.io's endpoint badge of a channel.
pub fn shields(c: &ChannelStatus, lang: Lang) -> Value {
    let message = if c.stale {
        tl!(lang, "now-stale")
    } else {
        c.now
            .map_or_else(|| tl!(lang, "no-data"), |o| o.words(lang))
    };
    let color = match c.now {
        _ if c.stale => "lightgrey",
        Some(Outcome::Up) => "brightgreen",
        Some(Outcome::Degraded) => "yellow",
        Some(Outcome::Throttled) => "orange",
        Some(Outcome::Down | Outcome::Blocked) => "red",
        Some(Outcome::Maintenance) => "blue",
        Some(Outcome::Unknown) | None => "lightgrey",
    };
    json!({
        "schemaVersion": 1,
        "label": c.channel.words(lang),
        "message": message,
        "color": color,
    })
}

/// When an incident was, as a person reads it at `now`: "Thu 22:10 – Thu
/// 22:31 (21 min)", or "since Thu 22:10, still going (5 min so far)".
pub fn incident_when(i: &IncidentOut, now: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let start = i.start.near(lang, now);
    let lasted = words::duration(lang, i.duration_s);
    match &i.end {
        Some(end) => tl!(
            lang,
            "page-incident-ended",
            start = start,
            end = end.near(lang, now),
            lasted = lasted
        ),
        None => tl!(lang, "page-incident-open", start = start, lasted = lasted),
    }
}

/// Each check's reason ("web: HTTP 500"), as one list; empty without checks.
pub fn incident_reasons(i: &IncidentOut, lang: Lang) -> String {
    let why: Vec<String> = i
        .checks
        .iter()
        .map(|c| match &c.reason {
            Some(r) => format!("{}: {r}", c.check),
            None => format!("{}: {}", c.check, c.outcome.words(lang)),
        })
        .collect();
    words::list(lang, &why)
}

/// What an incident was, in a sentence: when, how long, and each check's reason.
fn incident_body(i: &IncidentOut, now: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let when = incident_when(i, now, lang);
    let why = incident_reasons(i, lang);
    if why.is_empty() {
        when
    } else {
        format!("{when} — {why}")
    }
}

/// `/history.atom`: one entry per incident (updated when it ends), in `lang`.
pub fn atom(list: &[IncidentOut], generated_at: &Stamp, site: &Site<'_>, lang: Lang) -> String {
    let updated = |i: &IncidentOut| i.end.unwrap_or(i.start);
    let feed_updated = list
        .iter()
        .map(updated)
        .max_by_key(Stamp::ms)
        .unwrap_or(*generated_at)
        .rfc3339();
    let now = generated_at.utc();
    let mut x = Html::default();
    x.raw(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
    )
    .attr("xml:lang", lang.code())
    .raw(">\n");
    x.element("<title>", &tl!(lang, "feed-title"), "</title>\n");
    x.element("<id>", &site.urn("feed"), "</id>\n");
    x.element("<updated>", &feed_updated, "</updated>\n");
    x.raw("<author><name>okx-monitor</name></author>\n");
    if let Some(base) = site.base {
        x.raw("<link rel=\"self\" type=\"application/atom+xml\"")
            .attr("href", &format!("{base}history.atom"))
            .raw("/>\n<link rel=\"alternate\" type=\"text/html\"")
            .attr("href", base)
            .raw("/>\n");
    }
    for i in list {
        x.raw("<entry>");
        x.element("<title>", &incident_name(i, lang), "</title>");
        x.element(
            "<id>",
            &site.urn(&format!("incident|{}|{}", i.channel, i.start_ms)),
            "</id>",
        );
        x.element("<published>", &i.start.rfc3339(), "</published>");
        x.element("<updated>", &updated(i).rfc3339(), "</updated>");
        if let Some(base) = site.base {
            x.raw("<link rel=\"alternate\"")
                .attr("href", base)
                .raw("/>");
        }
        x.raw("<category").attr("term", i.state.as_str()).raw("/>");
        x.raw("<content type=\"text\">")
            .text(&incident_body(i, now, lang))
            .raw("</content></entry>\n");
    }
    x.raw("</feed>\n");
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indicator_follows_statuspage() {
        use Component::*;
        let said = |list: &[Component]| indicator(list).as_str();
        assert_eq!(said(&[]), "none");
        assert_eq!(said(&[Operational, Operational]), "none");
        assert_eq!(said(&[MajorOutage, MajorOutage]), "critical");
        assert_eq!(said(&[MajorOutage, Operational]), "major");
        assert_eq!(said(&[DegradedPerformance, Operational]), "minor");
        assert_eq!(said(&[UnderMaintenance]), "minor");
    }

    fn channel(now: Option<Outcome>, stale: bool, judged: Option<Outcome>) -> ChannelStatus {
        ChannelStatus {
            channel: Channel::Chat,
            now,
            since: None,
            last_probe: None,
            as_of: None,
            stale,
            availability: None,
            p50_ms: None,
            p95_ms: None,
            samples: 0,
            best: Vec::new(),
            worst: Vec::new(),
            next_best: None,
            next_best_skipped: Vec::new(),
            enough_data: false,
            checks: Vec::new(),
            judged,
            week: Default::default(),
            last_day: Vec::new(),
        }
    }

    #[test]
    fn components_follow_the_contracts_mapping() {
        use Outcome::*;
        let status = |now, stale, judged| component_status(&channel(now, stale, judged)).as_str();
        assert_eq!(status(Some(Up), false, Some(Up)), "operational");
        assert_eq!(status(Some(Degraded), false, None), "degraded_performance");
        assert_eq!(status(Some(Throttled), false, None), "partial_outage");
        assert_eq!(status(Some(Down), false, None), "major_outage");
        assert_eq!(status(Some(Blocked), false, None), "major_outage");
        assert_eq!(status(Some(Maintenance), false, None), "under_maintenance");
        // Unknown or stale: the last judged status, operational when never judged.
        assert_eq!(status(Some(Unknown), false, Some(Down)), "major_outage");
        assert_eq!(
            status(Some(Unknown), true, Some(Degraded)),
            "degraded_performance"
        );
        assert_eq!(status(Some(Unknown), false, None), "operational");
        assert_eq!(status(None, false, None), "operational");
        let badge = shields(&channel(Some(Unknown), true, Some(Up)), Lang::En);
        assert_eq!(
            (badge["message"].as_str(), badge["color"].as_str()),
            (Some("no fresh data"), Some("lightgrey"))
        );
    }

    #[test]
    fn a_peers_words_never_become_markup_in_the_feed() {
        let list = vec![IncidentOut {
            channel: Channel::Chat,
            state: Outcome::Down,
            start: "2026-12-03T22:10:00Z".into(),
            end: None,
            duration_s: 60,
            checks: vec![crate::status::CheckOut {
                check: "web".into(),
                outcome: Outcome::Down,
                reason: Some("</content><script>x</script>&".into()),
                reason_code: None,
            }],
            start_ms: 0,
        }];
        let site = Site {
            base: Some("http://127.0.0.1:9786/"),
            vantage: "home",
        };
        let feed = atom(&list, &"2026-12-03T22:11:00Z".into(), &site, Lang::En);
        assert!(!feed.contains("<script>"), "{feed}");
        assert!(
            feed.contains("&lt;/content&gt;&lt;script&gt;x&lt;/script&gt;&amp;"),
            "{feed}"
        );
        assert!(feed.contains("<title>Live chat down</title>"), "{feed}");
        assert!(
            feed.contains("<updated>2026-12-03T22:10:00Z</updated>"),
            "open: updated is its start"
        );
    }

    #[test]
    fn ids_are_stable_uuids() {
        let site = Site {
            base: None,
            vantage: "home",
        };
        let a = site.urn("feed");
        assert_eq!(a, site.urn("feed"));
        assert_ne!(a, site.urn("other"));
        let hex = a.trim_start_matches("urn:uuid:");
        let groups: Vec<usize> = hex.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{a}");
    }
}
