//! Every word a person reads, in English and Simplified Chinese: one message
//! catalogue per language (Project Fluent, `en.ftl` and `zh-CN.ftl`, embedded
//! in the binary), looked up by id. The command line sets the process's
//! language once ([`set`], from `--lang` or the locale variables) and
//! [`t!`](crate::t) speaks it; the page and the notices name theirs
//! ([`Lang::tr`], through [`tl!`](crate::tl)), since a request or a sink has
//! its own. Machine words (JSON keys, codes, metric names) never come from
//! here. Also the one home of dates, times and durations in words, and of the
//! display width of text in a terminal.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language okx-monitor speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

pub const EN_FTL: &str = include_str!("en.ftl");
pub const ZH_CN_FTL: &str = include_str!("zh-CN.ftl");

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The language tag: `en`, `zh-CN`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The catalogue's source text.
    pub fn catalogue(self) -> &'static str {
        match self {
            Lang::En => EN_FTL,
            Lang::ZhCn => ZH_CN_FTL,
        }
    }

    /// A language tag or locale name: `en`, `en-US`, `zh-CN`, `zh_CN.UTF-8`,
    /// `zh-Hans`, `zh` … ; `None` for a language okx-monitor does not speak.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.split(['.', '@']).next().unwrap_or("").trim();
        let mut parts = tag.split(['-', '_']);
        let language = parts.next().unwrap_or("").to_ascii_lowercase();
        let rest: Vec<String> = parts.map(str::to_ascii_lowercase).collect();
        match language.as_str() {
            "en" | "c" | "posix" => Some(Lang::En),
            // Traditional Chinese is not Simplified: English, until it has its own.
            "zh" if rest
                .iter()
                .any(|p| matches!(p.as_str(), "tw" | "hk" | "mo" | "hant")) =>
            {
                None
            }
            "zh" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// `--lang`'s value: exactly one of the languages, or a sentence saying which there are.
    pub fn from_flag(value: &str) -> Result<Lang, String> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(value))
            .ok_or_else(|| crate::t!("unknown-lang", lang = value))
    }

    /// The language of the locale variables, as POSIX orders them: the first
    /// of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set decides; anything but
    /// Chinese is English.
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(|v| var(v).filter(|s| !s.is_empty()))
            .map(|s| Lang::parse(&s).unwrap_or(Lang::En))
            .next()
            .unwrap_or(Lang::En)
    }

    /// The first language of an `Accept-Language` header okx-monitor speaks,
    /// by the client's weights.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut wanted: Vec<(f32, usize, Lang)> = weighted(header)
            .enumerate()
            .filter_map(|(i, (tag, q))| Some((q, i, Lang::parse(tag)?)))
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        wanted.first().map(|w| w.2)
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] =
            [OnceLock::new(), OnceLock::new()];
        BUNDLES[self as usize].get_or_init(|| {
            let tag = self.code().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![tag]);
            // Plain text for terminals and mail: no bidi isolation marks.
            bundle.set_use_isolating(false);
            // The catalogues are checked by the tests; a fault here would
            // leave messages out, and `tr` then shows their ids.
            let resource = FluentResource::try_new(self.catalogue().to_string())
                .unwrap_or_else(|(partial, _)| partial);
            let _ = bundle.add_resource(resource);
            bundle
        })
    }

    /// Message `id` without arguments, or `None` when the catalogue has none.
    pub fn get(self, id: &str) -> Option<String> {
        self.bundle()
            .get_message(id)
            .and_then(|m| m.value())
            .map(|_| self.tr(id, &[]))
    }

    /// Message `id` with `args`, in this language.
    pub fn tr(self, id: &str, args: &[(&str, Arg)]) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            let value = match value {
                Arg::Text(s) => FluentValue::from(s.as_str()),
                Arg::Count(n) => FluentValue::from(*n),
            };
            fluent.set(*name, value);
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fluent), &mut errors)
            .into_owned()
    }
}

/// The items of an HTTP list with weights (`Accept-Language`,
/// `Accept-Encoding`: `zh-CN,zh;q=0.9`), each with its `q` (1 when absent);
/// an item weighted 0 (refused) or unreadable is left out.
pub fn weighted(list: &str) -> impl Iterator<Item = (&str, f32)> {
    list.split(',').filter_map(|item| {
        let mut parts = item.split(';');
        let token = parts.next()?.trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
        (q > 0.0 && !token.is_empty()).then_some((token, q))
    })
}

/// A placeable's value: text as it is shown, or a count (which chooses a
/// plural form and is shown as a plain integer).
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Count(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

macro_rules! count_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Count(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
count_from!(u8, u16, u32, u64, usize, i32, i64);

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the process's language (the command line does, once, at start).
pub fn set(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

/// The process's language.
pub fn current() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::ZhCn,
        _ => Lang::En,
    }
}

/// A message in the process's language: `t!("id", name = value, …)`.
#[macro_export]
macro_rules! t {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::current().tr($id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),*])
    };
}

/// A message in a named language: `tl!(lang, "id", name = value, …)`.
#[macro_export]
macro_rules! tl {
    ($lang:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $lang.tr($id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),*])
    };
}

pub mod words;

#[cfg(test)]
mod tests;
