//! The page's pictures, as inline SVG: a week's 7×24 grid and the last
//! day's strip of quarter-hours, each with its labels and a legend, and
//! never colour alone (crosses, bar heights). Pure.

use super::html::Html;
use crate::i18n::{Lang, words};
use crate::outcome::Outcome;
use crate::pattern::{HOURS, Hour, Week};

/// A 7×24 grid as inline SVG, with the hours of the day along the top, a
/// hover title on every cell, a cross on the cells that failed most (so
/// colour is never the only sign) and a legend under it.
fn grid(
    h: &mut Html,
    week: &Week,
    title: &str,
    lang: Lang,
    cell: impl Fn(&Hour) -> Option<(&'static str, String)>,
    legend: &[(&'static str, String)],
) {
    const CELL: usize = 14;
    const TOP: usize = 22;
    h.raw("<figure><figcaption>")
        .text(title)
        .raw("</figcaption>");
    h.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 376 122\" role=\"img\"")
        .attr("aria-label", title)
        .raw(">");
    for hr in (0..24).step_by(3) {
        h.raw("<text font-size=\"9\" fill=\"currentColor\"")
            .attr("x", &(40 + hr * CELL).to_string())
            .attr("y", "14")
            .raw(">")
            .text(&format!("{hr:02}"))
            .raw("</text>");
    }
    let no_data = tl!(lang, "no-data");
    for d in 0..7 {
        let day = words::weekday_short(lang, d as u32 + 1);
        h.raw("<text font-size=\"9\" fill=\"currentColor\"")
            .attr("x", "0")
            .attr("y", &(d * CELL + TOP + 10).to_string())
            .raw(">")
            .text(&day)
            .raw("</text>");
        for hr in 0..24 {
            let hour = &week.hours[(d * 24 + hr) % HOURS];
            let (class, what) = cell(hour).unwrap_or(("c n", no_data.clone()));
            let (x, y) = (40 + hr * CELL, d * CELL + TOP);
            h.raw("<rect")
                .attr("class", class)
                .attr("x", &x.to_string())
                .attr("y", &y.to_string())
                .raw("><title>")
                .text(&format!("{day} {hr:02}:00 {what}"))
                .raw("</title></rect>");
            if class == "c d" {
                h.raw("<path class=\"x\"")
                    .attr("d", &format!("M{} {}l7 7m-7 0l7-7", x + 3, y + 3))
                    .raw("/>");
            }
        }
    }
    h.raw("</svg><ul class=\"legend\">");
    for (class, words) in legend {
        h.raw("<li><span").attr("class", class).raw("></span>");
        h.text(words).raw("</li>");
    }
    h.raw("</ul></figure>");
}

/// The last 24 hours, a quarter-hour a bar, oldest first: the taller the
/// bar, the worse the quarter-hour (so height says it as well as colour).
pub(super) fn day_strip(h: &mut Html, day: &[Option<Outcome>], lang: Lang) {
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
        let (class, tall) = match o {
            None => ("s n", 2),
            Some(Outcome::Up) => ("s u", 6),
            Some(Outcome::Degraded) => ("s g", 12),
            Some(Outcome::Down) => ("s d", 20),
            Some(_) => ("s o", 16),
        };
        let ago = (day.len() - i) * 15;
        h.raw("<rect")
            .attr("class", class)
            .attr("x", &(i * 4).to_string())
            .attr("y", &(20 - tall).to_string())
            .attr("height", &tall.to_string())
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
    h.raw("</svg><ul class=\"legend\">");
    for (class, o) in [
        ("key u", Outcome::Up),
        ("key g", Outcome::Degraded),
        ("key o", Outcome::Throttled),
        ("key d", Outcome::Down),
    ] {
        let label = if class == "key o" {
            tl!(lang, "page-legend-refused")
        } else {
            o.words(lang)
        };
        h.raw("<li><span").attr("class", class).raw("></span>");
        h.text(&label).raw("</li>");
    }
    h.raw("</ul></figure>");
}

/// A week's availability, hour by hour: good, fair, poor or no data.
pub(super) fn availability_grid(h: &mut Html, week: &Week, lang: Lang) {
    grid(
        h,
        week,
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
        &[
            ("key u", tl!(lang, "page-legend-good")),
            ("key g", tl!(lang, "page-legend-fair")),
            ("key d", tl!(lang, "page-legend-poor")),
            ("key n", tl!(lang, "no-data")),
        ],
    );
}

/// A week's typical latency, hour by hour.
pub(super) fn latency_grid(h: &mut Html, week: &Week, lang: Lang) {
    // Latency in four shades of one colour around the typical hour (as
    // `status --heatmap`): slower is not broken.
    let bands = crate::pattern::LatencyBands::of(week, 1);
    let legend: Vec<(&'static str, String)> = match bands {
        Some(b) => vec![
            (
                "key l0",
                tl!(
                    lang,
                    "page-legend-faster",
                    ms = words::millis(lang, b.cuts[0])
                ),
            ),
            (
                "key l1",
                tl!(
                    lang,
                    "page-legend-typical",
                    ms = words::millis(lang, b.cuts[1])
                ),
            ),
            (
                "key l2",
                tl!(
                    lang,
                    "page-legend-slow",
                    ms = words::millis(lang, b.cuts[2])
                ),
            ),
            (
                "key l3",
                tl!(
                    lang,
                    "page-legend-slower",
                    ms = words::millis(lang, b.cuts[2])
                ),
            ),
            ("key n", tl!(lang, "no-data")),
        ],
        None => vec![("key n", tl!(lang, "no-data"))],
    };
    grid(
        h,
        week,
        &tl!(lang, "page-latency-grid"),
        lang,
        move |hour| {
            let ms = hour.latency.quantile(0.5)?;
            let class = ["c l0", "c l1", "c l2", "c l3"][bands.map_or(0, |b| b.band(ms))];
            Some((class, words::millis(lang, ms)))
        },
        &legend,
    );
}
