//! `/`, `/api/status` and the badges as the daemon serves them: the query
//! read into `status`'s options, the answer computed on one low-priority
//! thread of its own (a page never takes a core from the probes' scheduler),
//! kept for the minute (probes run minutes apart), and the page sent gzipped
//! with an `ETag`, so a wall display refreshing every 30 s costs a lookup.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use crate::channel::Channel;
use crate::i18n::Lang;
use crate::status::{Options, Status};

/// Scripts, styles, fonts and images from anywhere else are forbidden; the
/// page's own inline CSS and SVG are all it has.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                      base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What the status page is computed from: the same as the `status` command's.
pub struct Pages {
    db: std::path::PathBuf,
    tz: chrono_tz::Tz,
    min_samples: u64,
    /// Channels configured now, shown even before they have data.
    configured: Vec<Channel>,
    /// Each channel's longest probe interval, for freshness.
    intervals: Intervals,
    cache: Arc<Mutex<PageCache>>,
    worker: Worker,
}

/// Each channel's longest probe interval.
pub type Intervals = std::collections::BTreeMap<Channel, std::time::Duration>;

/// How old an answer may be served while the newer one is computed.
const STALE_MINUTES: i64 = 5;

fn lock(cache: &Mutex<PageCache>) -> std::sync::MutexGuard<'_, PageCache> {
    // Plain data: a panic elsewhere mid-update leaves it usable.
    cache.lock().unwrap_or_else(|p| p.into_inner())
}

impl Pages {
    /// Starts the thread that computes the answers.
    pub fn new(
        db: std::path::PathBuf,
        tz: chrono_tz::Tz,
        min_samples: u64,
        configured: Vec<Channel>,
        intervals: Intervals,
    ) -> std::io::Result<Pages> {
        Ok(Pages {
            db,
            tz,
            min_samples,
            configured,
            intervals,
            cache: Arc::default(),
            worker: Worker::start()?,
        })
    }

    /// Computes the plain page (no query) in both languages behind the
    /// scenes, so that even the first visitor after a start waits for none.
    pub fn warm(&self) {
        let minute = chrono::Utc::now().timestamp().div_euclid(60);
        for lang in Lang::ALL {
            let key = format!("{}|", lang.code());
            let Ok(opts) = options(self, &key) else {
                continue;
            };
            let (job, cache) = (Job::new(self), self.cache.clone());
            // A full queue: the page is computed when first asked for instead.
            let _ = self.worker.submit(move || {
                if let Ok(e) = job.entry(&opts, minute, None, true) {
                    lock(&cache).put(key, e);
                }
            });
        }
    }

    /// Ends the thread and waits for it (after the page in hand, if any).
    pub async fn stop(&self) {
        self.worker.stop().await;
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
}

type Failure = (StatusCode, String);

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
    let result = match wanted {
        Wanted::Page => entry(pages, query, minute, true).await.map(|e| {
            let Some(p) = e.page.get() else {
                return super::reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "no page\n");
            };
            let gzip = accepts_gzip(req);
            if req
                .headers()
                .get(hyper::header::IF_NONE_MATCH)
                .is_some_and(|v| v.as_bytes() == p.etag.as_bytes())
            {
                return with_headers(Response::builder().status(StatusCode::NOT_MODIFIED), p)
                    .body(Full::default())
                    .unwrap_or_default();
            }
            let builder = with_headers(Response::builder(), p)
                .header("content-type", "text/html; charset=utf-8");
            let (builder, body) = if gzip {
                (builder.header("content-encoding", "gzip"), p.gzip.clone())
            } else {
                (builder, p.html.clone())
            };
            builder.body(Full::new(body)).unwrap_or_default()
        }),
        Wanted::Api => entry(pages, query, minute, false).await.map(|e| {
            super::reply(
                StatusCode::OK,
                "application/json",
                serde_json::to_string_pretty(&*e.status).unwrap_or_default(),
            )
        }),
        Wanted::Badge(channel) => entry(pages, query, minute, false).await.map(|e| {
            match e.status.channels.iter().find(|c| c.channel == channel) {
                Some(c) => super::reply(StatusCode::OK, "image/svg+xml", crate::page::badge(c)),
                None => super::reply(StatusCode::NOT_FOUND, "text/plain", "no such channel\n"),
            }
        }),
    };
    result.unwrap_or_else(|(code, why)| {
        super::reply(
            code,
            "application/json",
            serde_json::json!({ "error": why }).to_string(),
        )
    })
}

fn with_headers(
    builder: hyper::http::response::Builder,
    p: &Rendered,
) -> hyper::http::response::Builder {
    builder
        .header("etag", p.etag.as_str())
        .header("cache-control", "max-age=30")
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

/// The answer to `query` (with its page when `want_page`): this minute's
/// from the cache; one of the last few minutes' from the cache while this
/// minute's is computed behind it; else computed now.
async fn entry(
    pages: &Pages,
    query: String,
    minute: i64,
    want_page: bool,
) -> Result<Arc<Entry>, Failure> {
    let hit = pages.cached().get(&query);
    if let Some(e) = hit
        .as_ref()
        .filter(|e| !want_page || e.page.get().is_some())
    {
        if e.minute == minute {
            return Ok(e.clone());
        }
        if minute - e.minute <= STALE_MINUTES {
            refresh(pages, query, minute, e);
            return Ok(e.clone());
        }
    }
    let opts = options(pages, &query)?;
    let known = hit.filter(|e| e.minute == minute).map(|e| e.status.clone());
    let job = Job::new(pages);
    let e = pages
        .worker
        .run(move || job.entry(&opts, minute, known, want_page))
        .await??;
    pages.cached().put(query, e.clone());
    Ok(e)
}

/// Starts computing this minute's answer behind `stale`, once.
fn refresh(pages: &Pages, query: String, minute: i64, stale: &Entry) {
    if stale.refreshing.swap(true, Ordering::AcqRel) {
        return;
    }
    let Ok(opts) = options(pages, &query) else {
        return;
    };
    let (job, cache, want_page) = (
        Job::new(pages),
        pages.cache.clone(),
        stale.page.get().is_some(),
    );
    // Busy: the stale answer stays, and the next request tries again.
    let queued = pages.worker.submit(move || {
        if let Ok(e) = job.entry(&opts, minute, None, want_page) {
            lock(&cache).put(query, e);
        }
    });
    if queued.is_err() {
        stale.refreshing.store(false, Ordering::Release);
    }
}

/// `status`'s options from the page's key (the browser's language, then the
/// query: its `tz`, `window`, `span`, `channel`, `lang`); a bad one is a 400
/// with one sentence.
fn options(pages: &Pages, key: &str) -> Result<Options, Failure> {
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    let (browser, query) = key.split_once('|').unwrap_or(("en", key));
    let lang = Lang::from_flag(browser).unwrap_or_default();
    let mut opts = Options {
        tz: pages.tz,
        window: crate::status::DEFAULT_WINDOW,
        span: crate::status::DEFAULT_SPAN,
        min_samples: pages.min_samples,
        channels: Vec::new(),
        lang,
    };
    let url =
        reqwest::Url::parse(&format!("http://page/?{query}")).map_err(|e| bad(e.to_string()))?;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "tz" => {
                opts.tz = value
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

    /// The answer of `minute`, from `known` when its status is already computed.
    fn entry(
        self,
        opts: &Options,
        minute: i64,
        known: Option<Arc<Status>>,
        want_page: bool,
    ) -> Result<Arc<Entry>, Failure> {
        let status = match known {
            Some(s) => s,
            None => Arc::new(self.status(opts)?),
        };
        let e = Entry::new(minute, status);
        if want_page {
            let _ = e.page.set(Arc::new(Rendered::new(crate::page::render(
                &e.status, opts.lang,
            ))));
        }
        Ok(e)
    }

    fn status(self, opts: &Options) -> Result<Status, Failure> {
        let unavailable =
            |e: crate::store::StoreError| (StatusCode::SERVICE_UNAVAILABLE, e.to_string());
        let now = chrono::Utc::now();
        let store = crate::store::Store::open_existing(&self.db).map_err(unavailable)?;
        let mut input =
            crate::status::from_store(&store, self.configured, opts.window, opts.tz, now)
                .map_err(unavailable)?;
        input.intervals = self.intervals;
        Ok(crate::status::build(&input, opts, now))
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

/// One query's answer of one minute, and its page once rendered.
struct Entry {
    minute: i64,
    status: Arc<Status>,
    page: OnceLock<Arc<Rendered>>,
    /// A newer answer is being computed behind this one.
    refreshing: AtomicBool,
}

impl Entry {
    fn new(minute: i64, status: Arc<Status>) -> Arc<Entry> {
        Arc::new(Entry {
            minute,
            status,
            page: OnceLock::new(),
            refreshing: AtomicBool::new(false),
        })
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

type Task = Box<dyn FnOnce() + Send>;

fn busy() -> Failure {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the status page is busy: try again".to_string(),
    )
}

/// One thread at a lower scheduling priority that computes pages, a few
/// requests queued at most (more: 503), stopped and waited for.
struct Worker {
    jobs: Mutex<Option<SyncSender<Task>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Worker {
    const QUEUE: usize = 8;
    /// Nice 10: the probes' threads always come first.
    const NICE: libc::c_int = 10;

    fn start() -> std::io::Result<Worker> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Task>(Self::QUEUE);
        let thread = std::thread::Builder::new()
            .name("okx-pages".into())
            .spawn(move || {
                // On Linux a thread has its own nice value; a failure leaves it at the default.
                // SAFETY: plain system calls on this thread's own id, no memory shared.
                unsafe {
                    let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
                    libc::setpriority(libc::PRIO_PROCESS, tid, Self::NICE);
                }
                while let Ok(task) = rx.recv() {
                    task();
                }
            })?;
        Ok(Worker {
            jobs: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// `f`'s result from the worker thread; a 503 when the queue is full or
    /// the worker has stopped.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Failure> {
        self.submit(f)?.await.map_err(|_| busy())
    }

    /// Queues `f`: its result will come through the receiver.
    fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<T>, Failure> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task: Task = Box::new(move || {
            let _ = tx.send(f());
        });
        let sent = match &*self.jobs.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(jobs) => jobs.try_send(task),
            None => Err(TrySendError::Disconnected(task)),
        };
        sent.map_err(|_| busy())?;
        Ok(rx)
    }

    async fn stop(&self) {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner()).take();
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(minute: i64) -> Arc<Entry> {
        Entry::new(
            minute,
            Arc::new(Status {
                generated_at: String::new(),
                timezone: "UTC".into(),
                window: "28d".into(),
                channels: Vec::new(),
                advice: Vec::new(),
                local_network: None,
                maintenance: Vec::new(),
                okx_declares: Vec::new(),
                closed_paths: Vec::new(),
            }),
        )
    }

    #[test]
    fn an_answer_is_kept_by_query_newest_first_and_bounded() {
        let mut c = PageCache::default();
        c.put("tz=UTC".into(), entry(10));
        assert_eq!(c.get("tz=UTC").unwrap().minute, 10);
        c.put("tz=UTC".into(), entry(9));
        assert_eq!(c.get("tz=UTC").unwrap().minute, 10, "never an older one");
        assert!(c.get("").is_none(), "another query");
        for i in 0..200 {
            c.put(format!("q{i}"), entry(12));
        }
        assert!(c.answers.len() <= PageCache::MAX, "bounded");
    }

    #[test]
    fn a_page_is_gzipped_and_tagged_by_its_content() {
        let a = Rendered::new("<p>x</p>".repeat(1000));
        let b = Rendered::new("<p>y</p>".repeat(1000));
        assert_ne!(a.etag, b.etag);
        assert_eq!(a.etag, Rendered::new("<p>x</p>".repeat(1000)).etag);
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&a.gzip[..]), &mut plain)
            .unwrap();
        assert_eq!(plain.as_bytes(), &a.html[..]);
        assert!(a.gzip.len() * 10 < a.html.len());
    }

    #[tokio::test]
    async fn the_worker_answers_refuses_when_full_and_stops() {
        let w = Worker::start().unwrap();
        assert_eq!(w.run(|| 6 * 7).await.unwrap(), 42);
        let (started, running) = std::sync::mpsc::channel::<()>();
        let (hold, wait) = std::sync::mpsc::channel::<()>();
        let blocked = w
            .submit(move || {
                started.send(()).unwrap();
                wait.recv().is_ok()
            })
            .unwrap();
        running.recv().unwrap();
        // One running, QUEUE waiting; the next is refused at once.
        let queued: Vec<_> = (0..Worker::QUEUE)
            .map(|_| w.submit(|| ()).unwrap())
            .collect();
        let refused = w.submit(|| ()).unwrap_err();
        assert_eq!(refused.0, StatusCode::SERVICE_UNAVAILABLE);
        hold.send(()).unwrap();
        assert!(blocked.await.unwrap());
        for r in queued {
            r.await.unwrap();
        }
        w.stop().await;
        assert!(w.run(|| ()).await.is_err(), "stopped");
    }
}
