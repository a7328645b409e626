//! A page request's query: the answer's options (`tz`, `window`, `span`,
//! `channel`, `lang`; anything else is a 400 naming it), and the pairs the
//! time-zone form keeps. Pure.

use hyper::StatusCode;

use super::Failure;
use crate::i18n::Lang;
use crate::status::Options;

/// The query's parameters but the language the browser sent, for the
/// time-zone form to keep.
pub(super) fn kept_query(key: &str) -> Vec<(String, String)> {
    let query = key.split_once('|').map_or(key, |(_, q)| q);
    reqwest::Url::parse(&format!("http://page/?{query}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// `status`'s options from the page's key (the browser's language, then the
/// query: its `tz`, `window`, `span`, `channel`, `lang`); a bad one is a 400
/// with one sentence.
pub(super) fn options(tz: chrono_tz::Tz, min_samples: u64, key: &str) -> Result<Options, Failure> {
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    let (browser, query) = key.split_once('|').unwrap_or(("en", key));
    let lang = Lang::from_flag(browser).unwrap_or_default();
    let mut opts = Options {
        tz,
        window: crate::status::DEFAULT_WINDOW,
        span: crate::status::DEFAULT_SPAN,
        min_samples,
        channels: Vec::new(),
        lang,
    };
    let url =
        reqwest::Url::parse(&format!("http://page/?{query}")).map_err(|e| bad(e.to_string()))?;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "tz" => {
                opts.tz = value
                    .trim()
                    .parse()
                    .map_err(|_| bad(tl!(lang, "unknown-tz", zone = value.as_ref())))?
            }
            "window" => {
                opts.window = crate::duration::parse_positive(&value)
                    .ok()
                    .ok_or_else(|| bad(tl!(lang, "page-bad-window", window = value.as_ref())))?
            }
            "span" => {
                opts.span = value
                    .parse()
                    .ok()
                    .filter(|s| (1..=crate::status::MAX_SPAN).contains(s))
                    .ok_or_else(|| bad(tl!(lang, "page-bad-span", span = value.as_ref())))?
            }
            "channel" => opts.channels.push(value.parse().map_err(bad)?),
            "lang" => opts.lang = Lang::from_flag(&value).map_err(bad)?,
            other => return Err(bad(tl!(lang, "page-bad-parameter", name = other))),
        }
    }
    Ok(opts)
}
