//! `diagnose`: "I can't reach support" — is it this machine's network, its DNS,
//! a block, or OKX? The verdict and the advice are pure functions of the
//! [`Evidence`] gathered now ([`gather`] does the I/O).
//!
//! Precedence (first that holds): `local_network` (every control check fails) →
//! `dns_failure` (the resolver answers for no OKX name while the network works)
//! → `dns_tampering` (for some OKX name, the resolver's addresses share nothing
//! with any reference resolver's) → `throttled` (an OKX check is refused: rate
//! limit or bot challenge) → `blocked` (an OKX check refuses this network
//! outright: 451, a 403 that is no challenge) → `okx_down` (every OKX check down) →
//! `channels_down` (some channel has no working check) → `ok`.

pub mod gather;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

use crate::channel::Channel;
use crate::i18n::{Lang, words};
use crate::outcome::{self, Failure, Outcome};
use crate::reason::{Reason, Said};
use crate::status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    LocalNetwork,
    DnsFailure,
    DnsTampering,
    Throttled,
    Blocked,
    OkxDown,
    ChannelsDown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::LocalNetwork => "local_network",
            Verdict::DnsFailure => "dns_failure",
            Verdict::DnsTampering => "dns_tampering",
            Verdict::Throttled => "throttled",
            Verdict::Blocked => "blocked",
            Verdict::OkxDown => "okx_down",
            Verdict::ChannelsDown => "channels_down",
        }
    }
}

/// One check's result in this run.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub check: String,
    pub channel: Channel,
    pub outcome: Outcome,
    pub failure: Option<Failure>,
    pub latency_ms: Option<f64>,
    /// Why, in the process's language beside its code.
    #[serde(flatten)]
    pub reason: Said,
    /// `Retry-After` of a throttled answer, in seconds.
    pub retry_after_s: Option<f64>,
    /// A failed `browser` check whose page loaded and showed its launcher: the
    /// chat itself failed, not the site.
    #[serde(skip)]
    pub page_loaded: bool,
    /// A control check with `covers`: it vouches for some channels' path,
    /// not for this machine's network.
    #[serde(skip)]
    pub path_control: bool,
    /// The one port the check reaches, when it has one.
    #[serde(skip)]
    pub port: Option<u16>,
}

/// A name's answers: through the configured (or system) resolver and through
/// each reference resolver. `Err` is why a look-up failed.
#[derive(Debug, Clone, Serialize)]
pub struct NameAnswers {
    pub name: String,
    /// `None`: the system resolver.
    pub resolver: Option<SocketAddr>,
    pub answer: Result<Vec<IpAddr>, Reason>,
    pub references: Vec<(SocketAddr, Result<Vec<IpAddr>, Reason>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub checks: Vec<CheckResult>,
    /// OKX host names (never the control targets').
    pub names: Vec<NameAnswers>,
    /// Maintenance OKX announces as ongoing now (titles).
    pub maintenance: Vec<String>,
    /// Disruptions OKX itself reports as ongoing now: its own word.
    pub okx_declares: Vec<status::Declared>,
}

impl Evidence {
    fn controls(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.channel == Channel::Control)
    }

    fn okx(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.channel != Channel::Control)
    }

    /// Every general control check (without `covers`) failed (false with none).
    pub fn network_down(&self) -> bool {
        let general = self.controls().filter(|c| !c.path_control);
        outcome::local_network_up(general.map(|c| c.outcome)) == Some(false)
    }

    /// The channels whose path is closed on this network (their failures are
    /// `unknown` because every control covering them failed), with the port
    /// those controls reach when they share one.
    pub fn closed_paths(&self) -> Vec<(Channel, Option<u16>)> {
        outcome::closed_paths(self.okx().map(|c| (c.channel, c.failure)))
            .into_iter()
            .map(|ch| {
                let port = self.okx().find(|c| c.channel == ch).and_then(|c| c.port);
                (ch, port)
            })
            .collect()
    }

    /// The resolver answered for none of the OKX names looked up.
    pub fn dns_fails(&self) -> bool {
        !self.names.is_empty() && self.names.iter().all(|n| n.answer.is_err())
    }

    /// The names whose resolver answer shares no address with any reference
    /// resolver's answer (where one answered).
    pub fn tampered(&self) -> Vec<&NameAnswers> {
        self.names
            .iter()
            .filter(|n| {
                let Ok(mine) = &n.answer else { return false };
                let theirs: BTreeSet<&IpAddr> = n
                    .references
                    .iter()
                    .filter_map(|(_, r)| r.as_ref().ok())
                    .flatten()
                    .collect();
                !mine.is_empty() && !theirs.is_empty() && !mine.iter().any(|ip| theirs.contains(ip))
            })
            .collect()
    }

    /// Each support channel's state now (control excluded), in a fixed order.
    pub fn channels(&self) -> Vec<(Channel, Outcome)> {
        Channel::ALL
            .into_iter()
            .filter(|c| *c != Channel::Control)
            .filter_map(|c| {
                let outcomes: Vec<Outcome> = self
                    .checks
                    .iter()
                    .filter(|r| r.channel == c)
                    .map(|r| r.outcome)
                    .collect();
                status::channel_now(&outcomes).map(|o| (c, o))
            })
            .collect()
    }
}

pub fn verdict(e: &Evidence) -> Verdict {
    if e.network_down() {
        return Verdict::LocalNetwork;
    }
    if e.dns_fails() {
        return Verdict::DnsFailure;
    }
    if !e.tampered().is_empty() {
        return Verdict::DnsTampering;
    }
    if e.okx().any(|c| c.outcome == Outcome::Throttled) {
        return Verdict::Throttled;
    }
    if e.okx().any(|c| c.outcome == Outcome::Blocked) {
        return Verdict::Blocked;
    }
    let mut okx = e.okx().peekable();
    if okx.peek().is_some() && okx.all(|c| c.outcome == Outcome::Down) {
        return Verdict::OkxDown;
    }
    if e.channels().iter().any(|(_, o)| *o == Outcome::Down) {
        return Verdict::ChannelsDown;
    }
    Verdict::Ok
}

/// Concrete, ordered advice in `lang`: what to try on this machine, which
/// channel to use, and (from the recorded pattern, when there is one) the
/// next good window.
pub fn advice(
    verdict: Verdict,
    e: &Evidence,
    next_window: Option<&str>,
    lang: Lang,
) -> Vec<String> {
    // OKX's own word first; the verdict still says what works from here.
    let mut out: Vec<String> = status::declared_advice(&e.okx_declares, lang)
        .into_iter()
        .collect();
    out.extend(about_the_verdict(verdict, e, lang));
    for (channel, port) in e.closed_paths() {
        out.push(match (channel, port) {
            (Channel::Email, Some(port)) => tl!(lang, "diag-port-blocked-email", port = port),
            _ => tl!(lang, "diag-path-closed", channel = channel.words(lang)),
        });
    }
    for title in &e.maintenance {
        out.push(tl!(lang, "diag-maintenance", title = title));
    }
    out.extend(channel_to_use(verdict, e, lang));
    if let Some(w) = next_window {
        out.push(tl!(lang, "diag-next-window", when = w));
    }
    out
}

fn ips(v: &[IpAddr]) -> String {
    v.iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the verdict means and what to do about it on this machine.
fn about_the_verdict(verdict: Verdict, e: &Evidence, lang: Lang) -> Vec<String> {
    let refusing = |o: Outcome| {
        e.okx()
            .filter(|c| c.outcome == o)
            .map(|c| c.check.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match verdict {
        Verdict::LocalNetwork => vec![
            tl!(lang, "diag-local-1"),
            tl!(lang, "diag-local-2"),
            tl!(lang, "diag-local-3"),
        ],
        Verdict::DnsFailure => {
            let first = match e.names.first().and_then(|n| n.resolver) {
                None => tl!(lang, "diag-dns-system"),
                Some(r) => tl!(lang, "diag-dns-server", server = r.to_string()),
            };
            vec![first, tl!(lang, "diag-dns-switch")]
        }
        Verdict::DnsTampering => about_tampering(e, lang),
        Verdict::Throttled => about_throttling(e, refusing(Outcome::Throttled), lang),
        Verdict::Blocked => vec![tl!(
            lang,
            "diag-blocked",
            checks = refusing(Outcome::Blocked)
        )],
        Verdict::OkxDown => vec![tl!(lang, "diag-okx-down-1"), tl!(lang, "diag-okx-down-2")],
        Verdict::ChannelsDown | Verdict::Ok => Vec::new(),
    }
}

/// Which answers look tampered with, and how to stay safe.
fn about_tampering(e: &Evidence, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for n in e.tampered().into_iter().take(3) {
        let theirs: Vec<IpAddr> = n
            .references
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .flatten()
            .copied()
            .collect();
        out.push(tl!(
            lang,
            "diag-tampered",
            ours = ips(n.answer.as_deref().unwrap_or(&[])),
            name = &n.name,
            theirs = ips(&theirs)
        ));
    }
    out.push(tl!(lang, "diag-tampered-resolver"));
    out.push(tl!(lang, "diag-tampered-address"));
    out
}

/// Who refuses us, and how long to wait.
fn about_throttling(e: &Evidence, names: String, lang: Lang) -> Vec<String> {
    let wait = e
        .okx()
        .filter(|c| c.outcome == Outcome::Throttled)
        .filter_map(|c| c.retry_after_s)
        .reduce(f64::max);
    vec![
        tl!(lang, "diag-throttled", checks = names),
        match wait {
            Some(wait) => tl!(
                lang,
                "diag-throttled-wait",
                wait = words::seconds(lang, wait)
            ),
            None => tl!(lang, "diag-throttled-wait-some"),
        },
        tl!(lang, "diag-throttled-browser"),
    ]
}

/// Which channel to use now, for every verdict where something answers.
fn channel_to_use(verdict: Verdict, e: &Evidence, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let channels = e.channels();
    let works = |c: Channel| channels.iter().any(|(x, o)| *x == c && o.is_success());
    // A channel that cannot be judged from here (`unknown`) is not "not working".
    let down: Vec<Channel> = channels
        .iter()
        .filter(|(_, o)| !o.is_success() && *o != Outcome::Unknown)
        .map(|(c, _)| *c)
        .collect();
    let chat_page_loaded = e.okx().any(|c| c.channel == Channel::Chat && c.page_loaded);
    if verdict == Verdict::ChannelsDown && chat_page_loaded && !works(Channel::Chat) {
        out.push(tl!(lang, "diag-chat-itself"));
    }
    if let Some(best) = Channel::PREFERENCE.into_iter().find(|c| works(*c)) {
        if verdict == Verdict::ChannelsDown || (!down.is_empty() && down.contains(&Channel::Chat)) {
            let names: Vec<String> = down.iter().map(|c| c.words(lang)).collect();
            out.push(tl!(
                lang,
                "diag-not-working",
                channels = words::list(lang, &names)
            ));
        }
        let tip = match best {
            Channel::Email => tl!(lang, "diag-tip-email"),
            Channel::Ticket => tl!(lang, "diag-tip-ticket"),
            Channel::Social => tl!(lang, "diag-tip-social"),
            _ => String::new(),
        };
        out.push(tl!(lang, "diag-use", channel = best.words(lang), tip = tip));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, channel: Channel, outcome: Outcome) -> CheckResult {
        CheckResult {
            check: name.into(),
            channel,
            outcome,
            failure: None,
            latency_ms: None,
            reason: Said::new(&crate::reason!("ok"), Lang::En),
            retry_after_s: None,
            page_loaded: false,
            path_control: false,
            port: None,
        }
    }

    fn name(
        answer: Result<Vec<IpAddr>, Reason>,
        reference: Option<Result<Vec<IpAddr>, Reason>>,
    ) -> NameAnswers {
        NameAnswers {
            name: "www.okx.com".into(),
            resolver: None,
            answer,
            references: reference
                .into_iter()
                .map(|r| ("1.1.1.1:53".parse().unwrap(), r))
                .collect(),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// The rule of each verdict, stated apart from `verdict` and combined only
    /// by precedence, to check it against every combination.
    fn expected(
        controls: &[Outcome],
        dns: Option<bool>,
        tampered: bool,
        okx: &[(Channel, Outcome)],
    ) -> Verdict {
        let network_down = !controls.is_empty()
            && controls
                .iter()
                .all(|o| matches!(o, Outcome::Down | Outcome::Unknown));
        let dns_fails = dns == Some(false);
        let throttled = okx.iter().any(|(_, o)| *o == Outcome::Throttled);
        let blocked = okx.iter().any(|(_, o)| *o == Outcome::Blocked);
        let all_down = !okx.is_empty() && okx.iter().all(|(_, o)| *o == Outcome::Down);
        // A channel is down when none of its checks works and one is down.
        let some_channel_down = Channel::ALL.iter().any(|c| {
            let mine: Vec<Outcome> = okx
                .iter()
                .filter(|(x, _)| x == c)
                .map(|(_, o)| *o)
                .collect();
            !mine.iter().any(|o| o.is_success()) && mine.contains(&Outcome::Down)
        });
        if network_down {
            Verdict::LocalNetwork
        } else if dns_fails {
            Verdict::DnsFailure
        } else if tampered && dns == Some(true) {
            Verdict::DnsTampering
        } else if throttled {
            Verdict::Throttled
        } else if blocked {
            Verdict::Blocked
        } else if all_down {
            Verdict::OkxDown
        } else if some_channel_down {
            Verdict::ChannelsDown
        } else {
            Verdict::Ok
        }
    }

    #[test]
    fn every_combination_of_check_states_decides_by_precedence() {
        use Outcome::*;
        let states = [Up, Degraded, Throttled, Down, Maintenance, Blocked];
        let control_sets: [&[Outcome]; 4] = [&[], &[Down, Down], &[Up, Down], &[Up, Up]];
        let mut seen = BTreeSet::new();
        let mut cases = 0;
        for controls in control_sets {
            for dns in [None, Some(true), Some(false)] {
                for tampered in [false, true] {
                    // Two checks of chat and one of e-mail, in every state.
                    for a in states {
                        for b in states {
                            for c in states {
                                let okx =
                                    [(Channel::Chat, a), (Channel::Chat, b), (Channel::Email, c)];
                                let mut e = Evidence::default();
                                for (i, o) in controls.iter().enumerate() {
                                    e.checks.push(check(
                                        &format!("control-{i}"),
                                        Channel::Control,
                                        *o,
                                    ));
                                }
                                for (i, (ch, o)) in okx.iter().enumerate() {
                                    e.checks.push(check(&format!("okx-{i}"), *ch, *o));
                                }
                                match dns {
                                    None => {}
                                    Some(false) => e.names.push(name(
                                        Err(crate::reason!("dns_no_answer", name = "www.okx.com")),
                                        Some(Ok(vec![ip("192.0.2.1")])),
                                    )),
                                    Some(true) => {
                                        let reference = if tampered {
                                            ip("192.0.2.9")
                                        } else {
                                            ip("192.0.2.1")
                                        };
                                        e.names.push(name(
                                            Ok(vec![ip("192.0.2.1")]),
                                            Some(Ok(vec![reference])),
                                        ));
                                    }
                                }
                                let got = verdict(&e);
                                assert_eq!(
                                    got,
                                    expected(controls, dns, tampered, &okx),
                                    "{controls:?} dns {dns:?} tampered {tampered} {okx:?}"
                                );
                                seen.insert(got.as_str());
                                cases += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 4 * 3 * 2 * 216);
        assert_eq!(seen.len(), 8, "every verdict is reached: {seen:?}");
    }

    #[test]
    fn tampering_needs_a_reference_answer_and_disjoint_addresses() {
        let mut e = Evidence::default();
        e.names.push(name(
            Ok(vec![ip("10.0.0.1")]),
            Some(Err(crate::reason!("dns_no_answer", name = "www.okx.com"))),
        ));
        assert!(
            e.tampered().is_empty(),
            "no reference answer: nothing to compare"
        );
        e.names[0].references.push((
            "9.9.9.9:53".parse().unwrap(),
            Ok(vec![ip("10.0.0.1"), ip("10.0.0.2")]),
        ));
        assert!(e.tampered().is_empty(), "one shared address is enough");
        e.names[0].answer = Ok(vec![ip("198.51.100.7")]);
        assert_eq!(e.tampered().len(), 1);
    }

    #[test]
    fn a_chat_that_does_not_open_beside_a_working_website_is_named() {
        let mut e = Evidence::default();
        let mut chat = check("live-chat", Channel::Chat, Outcome::Down);
        chat.page_loaded = true;
        e.checks.push(chat);
        e.checks
            .push(check("website", Channel::HelpCenter, Outcome::Up));
        let v = verdict(&e);
        assert_eq!(v, Verdict::ChannelsDown);
        let a = advice(v, &e, None, Lang::En);
        assert!(
            a.iter().any(|l| l.contains("the chat itself fails")),
            "{a:?}"
        );
    }

    #[test]
    fn advice_names_the_channel_to_use() {
        let mut e = Evidence::default();
        e.checks
            .push(check("control", Channel::Control, Outcome::Up));
        e.checks
            .push(check("website-chat", Channel::Chat, Outcome::Down));
        e.checks
            .push(check("support-mail", Channel::Email, Outcome::Up));
        let v = verdict(&e);
        assert_eq!(v, Verdict::ChannelsDown);
        let a = advice(v, &e, Some("today 06:00–08:00, in 5 h"), Lang::En);
        assert_eq!(a[0], "Not working now: live chat.");
        assert_eq!(
            a[1],
            "Use e-mail to support now (write to the support address; the mail servers greet)."
        );
        assert!(a[2].contains("today 06:00–08:00"));
    }

    #[test]
    fn advice_for_a_throttled_machine_says_how_long_to_wait() {
        let mut e = Evidence::default();
        let mut c = check("website-chat", Channel::Chat, Outcome::Throttled);
        c.retry_after_s = Some(120.0);
        e.checks.push(c);
        let a = advice(Verdict::Throttled, &e, None, Lang::En);
        assert!(a[1].starts_with("Wait 2 min before trying again"), "{a:?}");
    }
}
