//! The daemon's pages for a person: `/` (the status page) and the channel
//! badges. A view over the same [`Status`] the `status` command prints, never
//! a second computation of it. Pure: server-rendered, self-contained (inline
//! CSS and SVG, no script, font or style from anywhere), escaped by
//! construction ([`html::Html`]).

pub mod html;

use crate::channel::Channel;
use crate::i18n::{Lang, words};
use crate::outcome::Outcome;
use crate::pattern::{HOURS, Hour, Week};
use crate::status::{ChannelStatus, Status};
use html::Html;

const STYLE: &str = "<style>
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--card:#f6f8fa;--line:#d0d7de;
--up:#1a7f37;--degraded:#9a6700;--down:#cf222e;--other:#6639ba;--none:#8c959f}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--card:#161b22;--line:#30363d;
--up:#3fb950;--degraded:#d29922;--down:#f85149;--other:#a371f7;--none:#6e7681}}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,sans-serif}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}h3{font-size:1.05rem;margin:1rem 0 .25rem}
.muted{color:var(--muted)}.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}
.up{color:var(--up)}.degraded{color:var(--degraded)}.down{color:var(--down)}.throttled,.blocked,.maintenance,.unknown{color:var(--other)}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
.grids{display:flex;flex-wrap:wrap;gap:1rem}svg{max-width:100%;height:auto}
rect.c{width:13px;height:13px}rect.s{width:3px;height:20px}
.u{fill:var(--up)}.g{fill:var(--degraded)}.d{fill:var(--down)}.o{fill:var(--other)}.n{fill:var(--none)}
.l0{fill:#c6dbef}.l1{fill:#6baed6}.l2{fill:#2171b5}.l3{fill:#08306b}
.grids figure{margin:0;flex:1 1 20rem;max-width:30rem}.grids svg{width:100%}
td,th{word-break:keep-all}.scroll{overflow-x:auto}
@media (max-width:600px){.wide{display:none}body{font-size:15px}}
</style>";

fn outcome_class(o: Option<Outcome>) -> &'static str {
    o.map_or("unknown", Outcome::as_str)
}

/// The status page of `s`, in `lang`.
pub fn render(s: &Status, lang: Lang) -> String {
    let mut h = Html::default();
    h.raw("<!doctype html><html")
        .attr("lang", lang.code())
        .raw("><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        // A wall display stays current without a script; the server's answer
        // changes at most once a minute.
        .raw("<meta http-equiv=\"refresh\" content=\"60\">");
    h.element("<title>", &tl!(lang, "page-title"), "</title>")
        .raw(STYLE)
        .raw("</head><body><main>");
    headline(&mut h, s, lang);
    let network = match s.local_network {
        Some(n) => n
            .parse::<Outcome>()
            .map_or_else(|_| n.to_string(), |o| o.words(lang)),
        None => tl!(lang, "page-not-measured"),
    };
    h.element(
        "<p class=\"muted\">",
        &tl!(
            lang,
            "page-meta",
            zone = &s.timezone,
            window = &s.window,
            network = network
        ),
        "</p>",
    );
    for c in &s.closed_paths {
        h.element(
            "<p class=\"muted\">",
            &tl!(lang, "page-path-closed", channel = c.words(lang)),
            "</p>",
        );
    }
    h.raw("<section aria-labelledby=\"now\"><h2 id=\"now\">")
        .text(tl!(lang, "what-to-do").trim_end_matches([':', '：']))
        .raw("</h2><ol>");
    for a in &s.advice {
        h.element("<li>", a, "</li>");
    }
    h.raw("</ol></section>");
    if !s.maintenance.is_empty() {
        h.raw("<section aria-labelledby=\"mt\"><h2 id=\"mt\">")
            .text(&tl!(lang, "page-maintenance"))
            .raw("</h2><ul>");
        for m in &s.maintenance {
            let when = [m.begin.as_deref(), m.end.as_deref()]
                .into_iter()
                .flatten()
                .map(|t| words::rfc3339_day_time(lang, t))
                .collect::<Vec<_>>()
                .join(" – ");
            h.element(
                "<li>",
                &format!("{} ({}) {when}", m.title, m.state),
                "</li>",
            );
        }
        h.raw("</ul></section>");
    }
    channel_table(&mut h, s, lang);
    for c in &s.channels {
        channel_section(&mut h, c, lang);
    }
    h.raw("<p class=\"muted\">okx-monitor · <a href=\"/api/status\">/api/status</a> · <a href=\"/metrics\">/metrics</a></p>");
    h.raw("</main></body></html>\n");
    h.finish()
}

fn headline(h: &mut Html, s: &Status, lang: Lang) {
    let chat = s.channels.iter().find(|c| c.channel == Channel::Chat);
    let working = Channel::PREFERENCE.iter().find_map(|p| {
        s.channels
            .iter()
            .find(|c| c.channel == *p && c.now.is_some_and(Outcome::is_success))
    });
    let text = match (chat, working) {
        // Nothing about OKX can be told from a machine without a network.
        _ if s.local_network == Some("down") => tl!(lang, "page-local-down"),
        (Some(c), _) if c.now.is_some_and(Outcome::is_success) => tl!(lang, "page-chat-works"),
        (Some(c), Some(w)) if c.now.is_some() => tl!(
            lang,
            "page-chat-is-use",
            state = c.now.map(|o| o.words(lang)).unwrap_or_default(),
            since = c
                .since
                .as_deref()
                .map(|t| tl!(lang, "page-since", at = words::rfc3339_day_time(lang, t)))
                .unwrap_or_default(),
            channel = w.channel.words(lang)
        ),
        (_, Some(w)) => tl!(
            lang,
            "page-works",
            channel = w.channel.words_capitalized(lang)
        ),
        _ if s.channels.iter().any(|c| c.now.is_some()) => tl!(lang, "page-none-answers"),
        _ => tl!(lang, "page-no-data"),
    };
    // OKX's own word comes first: it declares a disruption.
    if let Some(d) = s.okx_declares.first() {
        h.element(
            "<h1 class=\"declared\">",
            &tl!(lang, "page-okx-declares", title = d.title.as_str()),
            "</h1>",
        );
        if let Some(first) = crate::status::declared_advice(&s.okx_declares, lang) {
            h.element("<p>", &first, "</p>");
        }
    }
    h.element("<h1>", &text, "</h1>");
}

fn channel_table(h: &mut Html, s: &Status, lang: Lang) {
    h.raw("<section aria-labelledby=\"ch\"><h2 id=\"ch\">")
        .text(&tl!(lang, "page-channels"))
        .raw("</h2><div class=\"scroll\"><table><thead><tr>");
    h.element("<th>", &tl!(lang, "page-col-channel"), "</th>")
        .element("<th>", &tl!(lang, "page-col-now"), "</th>")
        .element("<th>", &tl!(lang, "page-col-since"), "</th>")
        .element("<th>", &tl!(lang, "page-col-available"), "</th>")
        .element(
            "<th class=\"wide\">",
            &tl!(lang, "page-col-latency"),
            "</th>",
        )
        .element("<th>", &tl!(lang, "page-col-best"), "</th>")
        .element("<th class=\"wide\">", &tl!(lang, "page-col-avoid"), "</th>")
        .raw("</tr></thead><tbody>");
    let dash = || "-".to_string();
    for c in &s.channels {
        let ms = |v: Option<f64>| v.map_or_else(dash, |v| words::millis(lang, v));
        h.element("<tr><td>", &c.channel.words_capitalized(lang), "</td>");
        h.raw("<td><span")
            .attr("class", outcome_class(c.now))
            .raw(">");
        h.text(&if c.stale {
            tl!(lang, "now-stale")
        } else {
            c.now
                .map_or_else(|| tl!(lang, "no-data"), |o| o.words(lang))
        })
        .raw("</span></td>");
        h.element(
            "<td>",
            &c.since
                .as_deref()
                .map_or_else(dash, |t| words::rfc3339_day_time(lang, t)),
            "</td>",
        );
        h.element(
            "<td>",
            &c.availability
                .map_or_else(dash, |a| format!("{:.2}%", a * 100.0)),
            "</td>",
        );
        h.element(
            "<td class=\"wide\">",
            &format!("{} / {}", ms(c.p50_ms), ms(c.p95_ms)),
            "</td>",
        );
        let best = c.best.first().map_or_else(dash, |w| w.words(lang));
        h.element("<td>", &best, "</td>");
        h.element(
            "<td class=\"wide\">",
            &c.worst.first().map_or_else(dash, |w| w.words(lang)),
            "</td></tr>",
        );
    }
    h.raw("</tbody></table></div></section>");
}

fn channel_section(h: &mut Html, c: &ChannelStatus, lang: Lang) {
    h.raw("<section class=\"card\"><h3>")
        .text(&c.channel.words_capitalized(lang))
        .raw("</h3>");
    if let Some(next) = &c.next_best {
        h.element(
            "<p>",
            &tl!(
                lang,
                "page-next-good",
                from = words::rfc3339_day_time(lang, &next.start),
                to = words::rfc3339_day_time(lang, &next.end)
            ),
            "</p>",
        );
    }
    h.raw("<ul>");
    for check in &c.checks {
        let line = format!(
            "{}: {}{}",
            check.check,
            check
                .now
                .map_or_else(|| tl!(lang, "no-data"), |o| o.words(lang)),
            check
                .reason
                .as_deref()
                .map(|r| format!(" — {r}"))
                .unwrap_or_default()
        );
        h.element("<li>", &line, "</li>");
    }
    h.raw("</ul>");
    day_strip(h, &c.last_day, lang);
    h.raw("<div class=\"grids\">");
    grid(
        h,
        &c.week,
        &tl!(lang, "page-availability-grid"),
        lang,
        |hour| {
            crate::pattern::availability(hour).map(|a| {
                let colour = if a >= 0.995 {
                    "c u"
                } else if a >= 0.95 {
                    "c g"
                } else {
                    "c d"
                };
                (
                    colour,
                    tl!(
                        lang,
                        "page-cell-availability",
                        percent = format!("{:.1}", a * 100.0),
                        n = hour.samples()
                    ),
                )
            })
        },
    );
    // Latency in four shades of one colour around the typical hour (as
    // `status --heatmap`): slower is not broken.
    let bands = crate::pattern::LatencyBands::of(&c.week, 1);
    grid(
        h,
        &c.week,
        &tl!(lang, "page-latency-grid"),
        lang,
        move |hour| {
            let ms = hour.latency.quantile(0.5)?;
            let class = ["c l0", "c l1", "c l2", "c l3"][bands.map_or(0, |b| b.band(ms))];
            Some((class, words::millis(lang, ms)))
        },
    );
    h.raw("</div></section>");
}

/// A 7×24 grid as inline SVG; every cell has a hover title.
fn grid(
    h: &mut Html,
    week: &Week,
    title: &str,
    lang: Lang,
    cell: impl Fn(&Hour) -> Option<(&'static str, String)>,
) {
    const CELL: usize = 14;
    h.raw("<figure><figcaption>")
        .text(title)
        .raw("</figcaption>");
    h.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 376 110\" role=\"img\"")
        .attr("aria-label", title)
        .raw(">");
    let no_data = tl!(lang, "no-data");
    for d in 0..7 {
        let day = words::weekday_short(lang, d as u32 + 1);
        h.raw("<text font-size=\"9\" fill=\"currentColor\"")
            .attr("x", "0")
            .attr("y", &(d * CELL + 20).to_string())
            .raw(">")
            .text(&day)
            .raw("</text>");
        for hr in 0..24 {
            let hour = &week.hours[(d * 24 + hr) % HOURS];
            let (class, what) = cell(hour).unwrap_or(("c n", no_data.clone()));
            h.raw("<rect")
                .attr("class", class)
                .attr("x", &(40 + hr * CELL).to_string())
                .attr("y", &(d * CELL + 10).to_string())
                .raw("><title>")
                .text(&format!("{day} {hr:02}:00 {what}"))
                .raw("</title></rect>");
        }
    }
    h.raw("</svg></figure>");
}

/// The last 24 hours, a quarter-hour a bar, oldest first.
fn day_strip(h: &mut Html, day: &[Option<Outcome>], lang: Lang) {
    if day.iter().all(Option::is_none) {
        return;
    }
    h.element(
        "<figure><figcaption>",
        &tl!(lang, "page-last-day"),
        "</figcaption>",
    );
    h.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 384 20\" role=\"img\"")
        .attr("aria-label", &tl!(lang, "page-last-day-label"))
        .raw(">");
    for (i, o) in day.iter().enumerate() {
        let class = match o {
            None => "s n",
            Some(Outcome::Up) => "s u",
            Some(Outcome::Degraded) => "s g",
            Some(Outcome::Down) => "s d",
            Some(_) => "s o",
        };
        let ago = (day.len() - i) * 15;
        h.raw("<rect")
            .attr("class", class)
            .attr("x", &(i * 4).to_string())
            .raw("><title>")
            .text(&tl!(
                lang,
                "page-ago",
                hours = ago / 60,
                minutes = format!("{:02}", ago % 60),
                what = o.map_or_else(|| tl!(lang, "not-probed"), |o| o.words(lang))
            ))
            .raw("</title></rect>");
    }
    h.raw("</svg></figure>");
}

/// A small badge: the channel's name and its state now.
pub fn badge(c: &ChannelStatus) -> String {
    let state = if c.stale {
        "stale"
    } else {
        c.now.map_or("no data", Outcome::as_str)
    };
    let colour = match c.now {
        Some(Outcome::Up) => "#1a7f37",
        Some(Outcome::Degraded) => "#9a6700",
        Some(Outcome::Down) => "#cf222e",
        Some(_) => "#6639ba",
        None => "#6e7681",
    };
    let mut h = Html::default();
    h.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"180\" height=\"20\" role=\"img\"")
        .attr("aria-label", &format!("{}: {state}", c.channel))
        .raw("><rect width=\"100\" height=\"20\" fill=\"#555\"/><rect x=\"100\" width=\"80\" height=\"20\"")
        .attr("fill", colour)
        .raw("/><g fill=\"#fff\" font-family=\"sans-serif\" font-size=\"11\"><text x=\"6\" y=\"14\">")
        .text(c.channel.as_str())
        .raw("</text><text x=\"106\" y=\"14\">")
        .text(state)
        .raw("</text></g></svg>");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(local_network: Option<&'static str>) -> Status {
        Status {
            generated_at: String::new(),
            timezone: "UTC".into(),
            window: "28d".into(),
            channels: Vec::new(),
            advice: Vec::new(),
            local_network,
            maintenance: Vec::new(),
            okx_declares: Vec::new(),
            closed_paths: Vec::new(),
        }
    }

    #[test]
    fn the_headline_blames_no_channel_when_this_machine_is_offline() {
        let page = render(&status(Some("down")), Lang::En);
        assert!(
            page.contains("<h1>This machine&#39;s network is down"),
            "{page}"
        );
        let page = render(&status(Some("down")), Lang::ZhCn);
        assert!(page.contains("<h1>这台机器的网络断了"), "{page}");
        let page = render(&status(Some("up")), Lang::En);
        assert!(page.contains("<h1>No data yet"), "{page}");
    }
}
