//! The daemon's pages for a person: `/` (the status page) and the channel
//! badges. A view over the same [`Status`] the `status` command prints, never
//! a second computation of it. Pure: server-rendered, self-contained (inline
//! CSS and SVG, no script, font or style from anywhere), escaped by
//! construction ([`html::Html`]).

pub mod feeds;
mod grid;
pub mod html;
use grid::{availability_grid, day_strip, latency_grid};

use crate::channel::Channel;
use crate::i18n::{Lang, words};
use crate::outcome::Outcome;
use crate::stamp::Stamp;
use crate::status::{ChannelStatus, Status};
use html::Html;

const STYLE: &str = "<style>
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--card:#f6f8fa;--line:#d0d7de;
--up:#1a7f37;--degraded:#9a6700;--down:#cf222e;--other:#6639ba;--none:#8c959f}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--card:#161b22;--line:#30363d;
--up:#3fb950;--degraded:#d29922;--down:#f85149;--other:#a371f7;--none:#6e7681}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,sans-serif;overflow-wrap:anywhere}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}h3{font-size:1.05rem;margin:1rem 0 .25rem}
.muted{color:var(--muted)}.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}
.up{color:var(--up)}.degraded{color:var(--degraded)}.down{color:var(--down)}.throttled,.blocked,.maintenance,.unknown{color:var(--other)}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;word-break:keep-all;overflow-wrap:normal}
.grids{display:flex;flex-wrap:wrap;gap:1rem}svg{max-width:100%;height:auto}
rect.c{width:13px;height:13px}rect.s{width:3px}
.u{fill:var(--up)}.g{fill:var(--degraded)}.d{fill:var(--down)}.o{fill:var(--other)}.n{fill:var(--none)}
.l0{fill:#c6dbef}.l1{fill:#6baed6}.l2{fill:#2171b5}.l3{fill:#08306b}
path.x{stroke:#fff;stroke-width:1.5}
.grids figure{margin:0;flex:1 1 18rem;max-width:30rem;min-width:0}.grids svg{width:100%}
.legend{font-size:.85rem;color:var(--muted);margin:.25rem 0 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.25rem .9rem}
.key{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-.05em;border-radius:2px}
.key.u{background:var(--up)}.key.g{background:var(--degraded)}.key.d{background:var(--down)}.key.o{background:var(--other)}.key.n{background:var(--none)}
.key.l0{background:#c6dbef}.key.l1{background:#6baed6}.key.l2{background:#2171b5}.key.l3{background:#08306b}
form.tz{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.25rem 0}
form.tz input{font:inherit;padding:.15rem .4rem;max-width:14rem;width:100%}form.tz button{font:inherit}
.asof{display:block;font-size:.85rem;color:var(--muted)}
@media (max-width:600px){body{font-size:15px}main{padding:.6rem}
table.cards thead{display:none}table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{border:1px solid var(--line);border-radius:8px;margin:.5rem 0;padding:.25rem .5rem}
table.cards td,table.cards th{border:0;padding:.1rem 0;word-break:normal;overflow-wrap:anywhere}table.cards td[data-label]::before{content:attr(data-label);color:var(--muted)}}
</style>";

/// A state in a word and a symbol, never in colour alone.
fn symbol(o: Option<Outcome>) -> &'static str {
    match o {
        Some(Outcome::Up) => "✓",
        Some(Outcome::Degraded) => "◐",
        Some(Outcome::Down) => "✗",
        Some(Outcome::Throttled) => "⧗",
        Some(Outcome::Blocked) => "⊘",
        Some(Outcome::Maintenance) => "⚒",
        Some(Outcome::Unknown) | None => "?",
    }
}

fn outcome_class(o: Option<Outcome>) -> &'static str {
    o.map_or("unknown", Outcome::as_str)
}

/// Common zones offered by the time-zone form (any IANA name may be typed).
const ZONES: &[&str] = &[
    "UTC",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Ho_Chi_Minh",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
];

/// What the page shows besides `status`'s answer.
pub struct Extras<'a> {
    /// The incidents of the window, newest first.
    pub incidents: &'a [crate::status::IncidentOut],
    /// The query's other parameters (`lang`, `window`, …), kept by the
    /// time-zone form.
    pub keep: &'a [(String, String)],
}

/// How many incidents the page lists.
const INCIDENTS_SHOWN: usize = 10;

/// When the page was made, as the reference for "near" times.
fn generated(s: &Status) -> chrono::DateTime<chrono::Utc> {
    s.generated_at.utc()
}

/// The status page of `s`, in `lang`.
pub fn render(s: &Status, extras: &Extras<'_>, lang: Lang) -> String {
    let mut h = Html::default();
    let now = generated(s);
    let near = |t: &Stamp| t.near(lang, now);
    h.raw("<!doctype html><html")
        .attr("lang", lang.code())
        .raw("><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        // A wall display stays current without a script.
        .raw("<meta http-equiv=\"refresh\" content=\"30\">")
        .raw("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/history.atom\">");
    h.element("<title>", &tl!(lang, "page-title"), "</title>")
        .raw(STYLE)
        .raw("</head><body><main>");
    headline(&mut h, s, lang);
    let network = match s.local_network {
        Some(n) => n.words(lang),
        None => tl!(lang, "page-not-measured"),
    };
    h.element(
        "<p class=\"muted\">",
        &tl!(
            lang,
            "page-generated",
            at = s.generated_at.day_time(lang),
            seconds = s.generated_at.local().format("%S").to_string(),
            window = s.window.words(lang),
            network = network
        ),
        "</p>",
    );
    tz_form(&mut h, s, extras.keep, lang);
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
            let when = [m.begin, m.end]
                .iter()
                .flatten()
                .map(near)
                .collect::<Vec<_>>()
                .join(" – ");
            let line = tl!(
                lang,
                "page-maintenance-line",
                title = m.title.as_str(),
                state = m.state.words(lang),
                when = when
            );
            h.element("<li>", &line, "</li>");
        }
        h.raw("</ul></section>");
    }
    channel_table(&mut h, s, lang);
    incidents(&mut h, extras.incidents, now, lang);
    for c in &s.channels {
        channel_section(&mut h, c, now, lang);
    }
    h.raw("<p class=\"muted\">okx-monitor · <a href=\"/api/status\">/api/status</a> · <a href=\"/api/v2/summary.json\">/api/v2/summary.json</a> · <a href=\"/api/incidents\">/api/incidents</a> · <a href=\"/history.atom\">/history.atom</a> · <a href=\"/metrics\">/metrics</a></p>");
    h.raw("</main></body></html>\n");
    h.finish()
}

/// A form that sets `?tz=` (and keeps the rest of the query): it works
/// without JavaScript.
fn tz_form(h: &mut Html, s: &Status, keep: &[(String, String)], lang: Lang) {
    h.raw("<form class=\"tz\" method=\"get\" action=\"/\"><label for=\"tz\">")
        .text(&tl!(lang, "page-tz-label"))
        .raw("</label><input id=\"tz\" name=\"tz\" list=\"zones\" autocomplete=\"off\" spellcheck=\"false\"")
        .attr("value", &s.timezone)
        .raw(">");
    for (name, value) in keep.iter().filter(|(n, _)| n != "tz") {
        h.raw("<input type=\"hidden\"")
            .attr("name", name)
            .attr("value", value)
            .raw(">");
    }
    h.raw("<button type=\"submit\">")
        .text(&tl!(lang, "page-tz-button"))
        .raw("</button><datalist id=\"zones\">");
    for z in ZONES {
        h.raw("<option").attr("value", z).raw(">");
    }
    h.raw("</datalist></form>");
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
        _ if s.local_network == Some(Outcome::Down) => tl!(lang, "page-local-down"),
        (Some(c), _) if c.now.is_some_and(Outcome::is_success) => tl!(lang, "page-chat-works"),
        (Some(c), Some(w)) if c.now.is_some() => tl!(
            lang,
            "page-chat-is-use",
            state = c.now.map(|o| o.words(lang)).unwrap_or_default(),
            since = c
                .since
                .map(|t| tl!(lang, "page-since", at = t.day_time(lang)))
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

/// `<td data-label="…">`: on a phone each row is a card and says what each
/// value is.
fn cell(h: &mut Html, label: &str, class: Option<&'static str>) {
    h.raw("<td").attr("data-label", label);
    if let Some(class) = class {
        h.attr("class", class);
    }
    h.raw(">");
}

fn channel_table(h: &mut Html, s: &Status, lang: Lang) {
    let now = generated(s);
    h.raw("<section aria-labelledby=\"ch\"><h2 id=\"ch\">")
        .text(&tl!(lang, "page-channels"))
        .raw("</h2><table class=\"cards\"><thead><tr>");
    let labels = [
        tl!(lang, "page-col-channel"),
        tl!(lang, "page-col-now"),
        tl!(lang, "page-col-since"),
        tl!(lang, "page-col-available"),
        tl!(lang, "page-col-latency"),
        tl!(lang, "page-col-best"),
        tl!(lang, "page-col-avoid"),
    ];
    for l in &labels {
        h.element("<th>", l, "</th>");
    }
    // On a phone each value says what it is: "Now: ✓ up".
    let labels = labels.map(|l| tl!(lang, "page-label", label = l));
    h.raw("</tr></thead><tbody>");
    let dash = || "-".to_string();
    for c in &s.channels {
        let ms = |v: Option<f64>| v.map_or_else(dash, |v| words::millis(lang, v));
        h.element(
            "<tr><th scope=\"row\">",
            &c.channel.words_capitalized(lang),
            "</th>",
        );
        cell(h, &labels[1], None);
        h.raw("<span").attr("class", outcome_class(c.now)).raw(">");
        let state = if c.stale {
            tl!(lang, "now-stale")
        } else {
            c.now
                .map_or_else(|| tl!(lang, "no-data"), |o| o.words(lang))
        };
        h.text(&format!("{} {state}", symbol(c.now))).raw("</span>");
        if let Some(at) = c.as_of {
            let line = if c.stale {
                tl!(lang, "page-stale-since", at = at.near(lang, now))
            } else {
                tl!(lang, "page-as-of", at = at.near(lang, now))
            };
            h.element("<span class=\"asof\">", &line, "</span>");
        }
        h.raw("</td>");
        cell(h, &labels[2], None);
        h.text(&c.since.map_or_else(dash, |t| t.near(lang, now)))
            .raw("</td>");
        cell(h, &labels[3], None);
        h.text(
            &c.availability
                .map_or_else(dash, |a| format!("{:.2}%", a * 100.0)),
        )
        .raw("</td>");
        cell(h, &labels[4], None);
        h.text(&format!("{} / {}", ms(c.p50_ms), ms(c.p95_ms)))
            .raw("</td>");
        cell(h, &labels[5], None);
        h.text(&c.best.first().map_or_else(dash, |w| w.words(lang)))
            .raw("</td>");
        cell(h, &labels[6], None);
        h.text(&c.worst.first().map_or_else(dash, |w| w.words(lang)))
            .raw("</td></tr>");
    }
    h.raw("</tbody></table></section>");
}

/// The recent incidents: what failed, when and for how long.
fn incidents(
    h: &mut Html,
    list: &[crate::status::IncidentOut],
    now: chrono::DateTime<chrono::Utc>,
    lang: Lang,
) {
    h.raw("<section aria-labelledby=\"inc\"><h2 id=\"inc\">")
        .text(&tl!(lang, "page-incidents"))
        .raw("</h2>");
    if list.is_empty() {
        h.element(
            "<p class=\"muted\">",
            &tl!(lang, "page-no-incidents"),
            "</p>",
        );
        h.raw("</section>");
        return;
    }
    h.raw("<ul>");
    for i in list.iter().take(INCIDENTS_SHOWN) {
        h.raw("<li><span").attr("class", i.state.as_str()).raw(">");
        h.text(&format!(
            "{} {}",
            symbol(Some(i.state)),
            feeds::incident_name(i, lang)
        ))
        .raw("</span> ");
        h.text(&feeds::incident_when(i, now, lang));
        let why = feeds::incident_reasons(i, lang);
        if !why.is_empty() {
            h.element("<span class=\"asof\">", &why, "</span>");
        }
        h.raw("</li>");
    }
    h.raw("</ul></section>");
}

fn channel_section(
    h: &mut Html,
    c: &ChannelStatus,
    now: chrono::DateTime<chrono::Utc>,
    lang: Lang,
) {
    h.raw("<section class=\"card\"><h3>")
        .text(&c.channel.words_capitalized(lang))
        .raw("</h3>");
    if let Some(next) = &c.next_best {
        h.element(
            "<p>",
            &tl!(
                lang,
                "page-next-good",
                from = next.start.near(lang, now),
                to = next.end.day_time(lang)
            ),
            "</p>",
        );
    }
    h.raw("<ul>");
    for check in &c.checks {
        let line = format!(
            "{} {}: {}{}",
            symbol(check.now),
            check.check,
            check
                .now
                .map_or_else(|| tl!(lang, "no-data"), |o| o.words(lang)),
            check
                .reason
                .as_ref()
                .map(|r| format!(" — {}", r.reason))
                .unwrap_or_default()
        );
        h.element("<li>", &line, "</li>");
    }
    h.raw("</ul>");
    day_strip(h, &c.last_day, lang);
    h.raw("<div class=\"grids\">");
    availability_grid(h, &c.week, lang);
    latency_grid(h, &c.week, lang);
    h.raw("</div></section>");
}

/// A small badge: the channel's name and its state now.
pub fn badge(c: &ChannelStatus, lang: Lang) -> String {
    let state = if c.stale {
        tl!(lang, "now-stale")
    } else {
        c.now
            .map_or_else(|| tl!(lang, "no-data"), |o| o.words(lang))
    };
    let label = c.channel.words(lang);
    // Each half as wide as its words: about 6.5 px a display column at 11 px.
    let wide = |t: &str| 12 + (words::width(t) as u32 * 13).div_ceil(2);
    let (left, right) = (wide(&label), wide(&state));
    let colour = match c.now {
        Some(Outcome::Up) => "#1a7f37",
        Some(Outcome::Degraded) => "#9a6700",
        Some(Outcome::Down) => "#cf222e",
        Some(_) => "#6639ba",
        None => "#6e7681",
    };
    let mut h = Html::default();
    h.raw("<svg xmlns=\"http://www.w3.org/2000/svg\"")
        .attr("width", &(left + right).to_string())
        .raw(" height=\"20\" role=\"img\"")
        .attr("aria-label", &format!("{label}: {state}"))
        .raw("><rect height=\"20\" fill=\"#555\"")
        .attr("width", &left.to_string())
        .raw("/><rect height=\"20\"")
        .attr("x", &left.to_string())
        .attr("width", &right.to_string())
        .attr("fill", colour)
        .raw("/><g fill=\"#fff\" font-family=\"sans-serif\" font-size=\"11\"><text x=\"6\" y=\"14\">")
        .text(&label)
        .raw("</text><text y=\"14\"")
        .attr("x", &(left + 6).to_string())
        .raw(">")
        .text(&state)
        .raw("</text></g></svg>");
    h.finish()
}

#[cfg(test)]
mod tests;
