//! `/`, `/api/status`, the badges, the Statuspage and shields shapes, the
//! incidents and their feed, as the daemon serves them. Two parts: the
//! history's (the hour-of-week statistics and the stored incidents of the
//! window), computed on one low-priority thread of its own (a page never takes
//! a core from the probes' scheduler) and kept for the minute; and what holds
//! *now* ([`Live`]: every probe's latest sample and the open incidents),
//! composed over it at every request, so that every answer says what the last
//! probe said. A page is rendered again only when a probe came in or the
//! minute turned, and sent gzipped with an `ETag`.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use crate::channel::Channel;
use crate::i18n::Lang;
use crate::incident::Incident;
use crate::live::Live;
use crate::status::Patterns;
use crate::status::{Input, Options, Status, Summary};

mod query;
mod worker;
use worker::Worker;

/// Scripts, styles, fonts and images from anywhere else are forbidden; the
/// page's own inline CSS and SVG are all it has, and its one form (the time
/// zone) goes back to it.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                      base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// What the pages are computed from: the same as the `status` command's, and
/// what holds now.
pub struct Pages {
    db: std::path::PathBuf,
    tz: chrono_tz::Tz,
    min_samples: u64,
    /// Channels configured now, shown even before they have data.
    configured: Vec<Channel>,
    /// Each channel's longest probe interval, for freshness.
    intervals: Intervals,
    /// This instance's vantage, part of the feeds' ids.
    vantage: String,
    /// Whether the pages are served over TLS (for the feeds' absolute links).
    tls: bool,
    live: Arc<Live>,
    cache: Arc<Mutex<PageCache>>,
    /// Computes the history's part (up to a second at 1,000 checks).
    worker: Worker,
    /// Composes what holds now over it and renders (milliseconds): a lane of
    /// its own, so that an answer about now never waits behind the history.
    composer: Worker,
}

/// Each channel's longest probe interval.
pub type Intervals = std::collections::BTreeMap<Channel, std::time::Duration>;

/// What [`Pages`] serves.
pub struct Source {
    pub db: std::path::PathBuf,
    pub tz: chrono_tz::Tz,
    pub min_samples: u64,
    pub configured: Vec<Channel>,
    pub intervals: Intervals,
    pub vantage: String,
    pub tls: bool,
    pub live: Arc<Live>,
}

/// How old the history's part may be served while the newer one is computed.
const STALE_MINUTES: i64 = 5;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain data: a panic elsewhere mid-update leaves it usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Pages {
    /// Starts the thread that computes the answers.
    pub fn new(source: Source) -> std::io::Result<Pages> {
        Ok(Pages {
            db: source.db,
            tz: source.tz,
            min_samples: source.min_samples,
            configured: source.configured,
            intervals: source.intervals,
            vantage: source.vantage,
            tls: source.tls,
            live: source.live,
            cache: Arc::default(),
            worker: Worker::start("okx-pages")?,
            composer: Worker::start("okx-now")?,
        })
    }

    /// Computes the history's part of the plain page (no query) in both
    /// languages behind the scenes, so that even the first visitor after a
    /// start waits for none.
    pub fn warm(&self) {
        let minute = chrono::Utc::now().timestamp().div_euclid(60);
        for lang in Lang::ALL {
            let key = format!("{}|", lang.code());
            let Ok(opts) = query::options(self.tz, self.min_samples, &key) else {
                continue;
            };
            let (job, cache) = (Job::new(self), self.cache.clone());
            // A full queue: the page is computed when first asked for instead.
            let _ = self.worker.submit(move || {
                if let Ok(e) = job.history(&opts, minute, key, Patterns::EachChannel) {
                    lock(&cache).put(e.cache_key(), e);
                }
            });
        }
    }

    /// Ends the thread and waits for it (after the page in hand, if any).
    pub async fn stop(&self) {
        self.worker.stop().await;
        self.composer.stop().await;
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, PageCache> {
        lock(&self.cache)
    }
}

/// Which of the pages a request asks for.
pub(super) enum Wanted {
    Page,
    Api,
    Badge(Channel),
    BadgeJson(Channel),
    Summary,
    StatusJson,
    Incidents,
    Atom,
}

impl Wanted {
    /// Whose patterns its answer needs: the JSON lists each check's own history.
    fn patterns(&self) -> Patterns {
        match self {
            Wanted::Api => Patterns::EachCheck,
            _ => Patterns::EachChannel,
        }
    }
}

type Failure = (StatusCode, String);

/// The page's base URL from the request's `Host`, when it is a plain host
/// (and port): it goes into the feeds' links, so nothing else is taken.
fn base_url(req: &Request<Incoming>, tls: bool) -> Option<String> {
    let host = req.headers().get(hyper::header::HOST)?.to_str().ok()?;
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    plain.then(|| format!("{}://{host}/", if tls { "https" } else { "http" }))
}

/// The answer to `req` for `wanted`.
pub(super) async fn respond(
    req: &Request<Incoming>,
    pages: &Pages,
    wanted: Wanted,
) -> Response<Full<Bytes>> {
    // The answer depends on the query and, through the language, on
    // `Accept-Language`: both are the cache's key.
    let browser = req
        .headers()
        .get(hyper::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_else(crate::i18n::current);
    let query = format!("{}|{}", browser.code(), req.uri().query().unwrap_or(""));
    let minute = chrono::Utc::now().timestamp().div_euclid(60);
    let result = match query::options(pages.tz, pages.min_samples, &query) {
        Ok(opts) => match history(pages, query, &opts, minute, wanted.patterns()).await {
            Ok(entry) => {
                let base = base_url(req, pages.tls);
                answer(req, pages, wanted, entry, opts, base).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|(code, why)| {
        super::reply(
            code,
            "application/json",
            serde_json::json!({ "error": why }).to_string(),
        )
    })
}

/// What holds now over `entry`, answered as `wanted` asks.
async fn answer(
    req: &Request<Incoming>,
    pages: &Pages,
    wanted: Wanted,
    entry: Arc<Entry>,
    opts: Options,
    base: Option<String>,
) -> Result<Response<Full<Bytes>>, Failure> {
    if let Wanted::Page = wanted {
        let version = pages.live.version();
        let ready = lock(&entry.page)
            .as_ref()
            .filter(|(v, _)| *v == version)
            .map(|(_, p)| p.clone());
        let page = match ready {
            Some(p) => p,
            None => {
                let (job, live, e) = (Job::new(pages), pages.live.clone(), entry.clone());
                let (version, page) = pages
                    .composer
                    .run(move || {
                        let now = live.now();
                        let version = now.version;
                        let (status, incidents) = job.compose(&e, &opts, now);
                        let keep = query::kept_query(&e.query);
                        let extras = crate::page::Extras {
                            incidents: &incidents.incidents,
                            keep: &keep,
                        };
                        let page = Rendered::new(crate::page::render(&status, &extras, opts.lang));
                        (version, Arc::new(page))
                    })
                    .await?;
                *lock(&entry.page) = Some((version, page.clone()));
                page
            }
        };
        return Ok(send_page(req, &page));
    }
    let (job, live, e) = (Job::new(pages), pages.live.clone(), entry);
    let vantage = pages.vantage.clone();
    let lang = opts.lang;
    pages
        .composer
        .run(move || {
            let (status, incidents) = job.compose(&e, &opts, live.now());
            let site = crate::page::feeds::Site {
                base: base.as_deref(),
                vantage: &vantage,
            };
            let json = |v: &serde_json::Value| {
                fresh(super::reply(
                    StatusCode::OK,
                    "application/json",
                    serde_json::to_string_pretty(v).unwrap_or_default(),
                ))
            };
            let channel = |c: Channel| status.channels.iter().find(|s| s.channel == c);
            let no_channel =
                || super::reply(StatusCode::NOT_FOUND, "text/plain", "no such channel\n");
            match wanted {
                Wanted::Page => unreachable!("answered above"),
                Wanted::Api => json(&serde_json::to_value(&status).unwrap_or_default()),
                Wanted::Badge(c) => channel(c).map_or_else(no_channel, |c| {
                    fresh(super::reply(
                        StatusCode::OK,
                        "image/svg+xml",
                        crate::page::badge(c, lang),
                    ))
                }),
                Wanted::BadgeJson(c) => channel(c)
                    .map_or_else(no_channel, |c| json(&crate::page::feeds::shields(c, lang))),
                Wanted::Summary => json(&crate::page::feeds::statuspage_summary(
                    &status,
                    &incidents.incidents,
                    &site,
                    lang,
                )),
                Wanted::StatusJson => {
                    json(&crate::page::feeds::statuspage_status(&status, &site, lang))
                }
                Wanted::Incidents => json(&serde_json::to_value(&incidents).unwrap_or_default()),
                Wanted::Atom => fresh(super::reply(
                    StatusCode::OK,
                    "application/atom+xml; charset=utf-8",
                    crate::page::feeds::atom(
                        &incidents.incidents,
                        &status.generated_at,
                        &site,
                        lang,
                    ),
                )),
            }
        })
        .await
}

/// An answer about now: a cache may keep it only to ask again.
fn fresh(mut r: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    r.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-cache"),
    );
    r
}

fn send_page(req: &Request<Incoming>, p: &Rendered) -> Response<Full<Bytes>> {
    if req
        .headers()
        .get(hyper::header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == p.etag.as_bytes())
    {
        return with_headers(Response::builder().status(StatusCode::NOT_MODIFIED), p)
            .body(Full::default())
            .unwrap_or_default();
    }
    let builder =
        with_headers(Response::builder(), p).header("content-type", "text/html; charset=utf-8");
    let (builder, body) = if accepts_gzip(req) {
        (builder.header("content-encoding", "gzip"), p.gzip.clone())
    } else {
        (builder, p.html.clone())
    };
    builder.body(Full::new(body)).unwrap_or_default()
}

fn with_headers(
    builder: hyper::http::response::Builder,
    p: &Rendered,
) -> hyper::http::response::Builder {
    builder
        .header("etag", p.etag.as_str())
        // Now changes with every probe: ask again (a 304 when nothing did).
        .header("cache-control", "no-cache")
        .header("vary", "accept-encoding, accept-language")
        .header("content-security-policy", POLICY)
        .header("x-content-type-options", "nosniff")
}

fn accepts_gzip(req: &Request<Incoming>) -> bool {
    req.headers()
        .get_all(hyper::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(crate::i18n::weighted)
        .any(|(coding, _)| coding.eq_ignore_ascii_case("gzip"))
}

/// The history's part for `query`: this minute's from the cache; one of the
/// last few minutes' from the cache while this minute's is computed behind
/// it; else computed now.
async fn history(
    pages: &Pages,
    query: String,
    opts: &Options,
    minute: i64,
    patterns: Patterns,
) -> Result<Arc<Entry>, Failure> {
    let hit = pages.cached().get(&Entry::key(&query, patterns));
    if let Some(e) = hit.as_ref() {
        if e.minute == minute {
            return Ok(e.clone());
        }
        if minute - e.minute <= STALE_MINUTES {
            refresh(pages, opts.clone(), minute, e);
            return Ok(e.clone());
        }
    }
    let (opts, job) = (opts.clone(), Job::new(pages));
    let e = pages
        .worker
        .run(move || job.history(&opts, minute, query, patterns))
        .await??;
    pages.cached().put(e.cache_key(), e.clone());
    Ok(e)
}

/// Starts computing this minute's history behind `stale`, once.
fn refresh(pages: &Pages, opts: Options, minute: i64, stale: &Entry) {
    if stale.refreshing.swap(true, Ordering::AcqRel) {
        return;
    }
    let (job, cache) = (Job::new(pages), pages.cache.clone());
    let (query, patterns) = (stale.query.clone(), stale.patterns);
    // Busy: the stale answer stays, and the next request tries again.
    let queued = pages.worker.submit(move || {
        if let Ok(e) = job.history(&opts, minute, query, patterns) {
            lock(&cache).put(e.cache_key(), e);
        }
    });
    if queued.is_err() {
        stale.refreshing.store(false, Ordering::Release);
    }
}

/// What the worker needs to compute an answer.
struct Job {
    db: std::path::PathBuf,
    configured: Vec<Channel>,
    intervals: Intervals,
}

impl Job {
    fn new(pages: &Pages) -> Job {
        Job {
            db: pages.db.clone(),
            configured: pages.configured.clone(),
            intervals: pages.intervals.clone(),
        }
    }

    /// The history's part at `minute`: the summary and the stored incidents.
    fn history(
        self,
        opts: &Options,
        minute: i64,
        query: String,
        patterns: Patterns,
    ) -> Result<Arc<Entry>, Failure> {
        let unavailable =
            |e: crate::store::StoreError| (StatusCode::SERVICE_UNAVAILABLE, e.to_string());
        let now = chrono::Utc::now();
        let store = crate::store::Store::open_existing(&self.db).map_err(unavailable)?;
        let input =
            crate::status::from_store(&store, Vec::new(), opts.window, opts.tz, now, patterns)
                .map_err(unavailable)?;
        let summary = crate::status::summarize(&input, opts, now);
        let stored = store
            .incidents(crate::status::window_start(
                now.timestamp_millis(),
                opts.window,
            ))
            .map_err(unavailable)?;
        Ok(Entry::new(
            query,
            patterns,
            minute,
            Arc::new(summary),
            Arc::new(stored),
        ))
    }

    /// `status`'s answer and the incidents, with what holds `now` over the
    /// history's part in `e`.
    fn compose(
        self,
        e: &Entry,
        opts: &Options,
        now: crate::live::Now,
    ) -> (Status, crate::status::Incidents) {
        let at = chrono::Utc::now();
        let input = Input {
            latest: now.latest,
            configured: self.configured,
            intervals: self.intervals,
            judged: now.judged,
            ..Input::default()
        };
        let status = crate::status::compose(&e.summary, &input, opts, at);
        let from_ms = crate::status::window_start(at.timestamp_millis(), opts.window);
        let merged = crate::incident::merge_now((*e.stored).clone(), &now.incidents, from_ms);
        let merged: Vec<Incident> = merged
            .into_iter()
            .filter(|i| opts.channels.is_empty() || opts.channels.contains(&i.channel))
            .collect();
        let incidents = crate::status::incidents_out(
            &merged,
            opts.tz,
            opts.lang,
            opts.window,
            at.timestamp_millis(),
        );
        (status, incidents)
    }
}

/// A page as sent: plain and gzipped, and its tag.
struct Rendered {
    etag: String,
    html: Bytes,
    gzip: Bytes,
}

impl Rendered {
    fn new(html: String) -> Rendered {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        html.hash(&mut hasher);
        // Level 6: ~15 KB for the 200 KB of a 15-check page, in ~2 ms, once a minute.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        let gzip = gz.write_all(html.as_bytes()).and_then(|()| gz.finish());
        let html = Bytes::from(html);
        Rendered {
            etag: format!("\"{:016x}\"", hasher.finish()),
            // Writing to memory does not fail; if it did, the page goes plain.
            gzip: gzip.map_or_else(|_| html.clone(), Bytes::from),
            html,
        }
    }
}

/// One query's history part of one minute, and its page as last rendered
/// (with the [`Live`] version it was rendered at).
struct Entry {
    /// The key it answers (the browser's language and the query).
    query: String,
    /// Whose patterns its summary was read for.
    patterns: Patterns,
    minute: i64,
    summary: Arc<Summary>,
    /// The incidents stored for the window, newest first.
    stored: Arc<Vec<Incident>>,
    page: Mutex<Option<(u64, Arc<Rendered>)>>,
    /// A newer history part is being computed behind this one.
    refreshing: AtomicBool,
}

impl Entry {
    fn new(
        query: String,
        patterns: Patterns,
        minute: i64,
        summary: Arc<Summary>,
        stored: Arc<Vec<Incident>>,
    ) -> Arc<Entry> {
        Arc::new(Entry {
            query,
            patterns,
            minute,
            summary,
            stored,
            page: Mutex::new(None),
            refreshing: AtomicBool::new(false),
        })
    }

    /// The cache's key for `query` read for `patterns`: the page and the JSON
    /// of one query are kept apart, since only the JSON lists each check's history.
    fn key(query: &str, patterns: Patterns) -> String {
        match patterns {
            Patterns::EachChannel => query.to_string(),
            Patterns::EachCheck => format!("{query}\nchecks"),
        }
    }

    fn cache_key(&self) -> String {
        Entry::key(&self.query, self.patterns)
    }
}

/// query → the answer computed in its minute; at most [`PageCache::MAX`] kept.
#[derive(Default)]
struct PageCache {
    answers: HashMap<String, Arc<Entry>>,
}

impl PageCache {
    const MAX: usize = 64;

    fn get(&self, query: &str) -> Option<Arc<Entry>> {
        self.answers.get(query).cloned()
    }

    /// Keeps `entry` unless a newer answer is already there.
    fn put(&mut self, query: String, entry: Arc<Entry>) {
        if self
            .answers
            .get(&query)
            .is_some_and(|e| e.minute > entry.minute)
        {
            return;
        }
        if self.answers.len() >= Self::MAX {
            let minute = entry.minute;
            self.answers.retain(|_, e| e.minute == minute);
            if self.answers.len() >= Self::MAX {
                self.answers.clear();
            }
        }
        self.answers.insert(query, entry);
    }
}

#[cfg(test)]
mod tests;
