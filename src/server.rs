//! `/metrics` and `/healthz` over HTTP/1.1. Serves what [`Metrics`] renders;
//! decides nothing. Stops accepting, and drops its connections, on shutdown.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::metrics::Metrics;
use crate::store::writer::WriterStats;

pub struct ServerState {
    pub metrics: Arc<Metrics>,
    pub writer: Option<Arc<WriterStats>>,
    /// TLS and basic authentication (`--web-config`); `None`: plain HTTP, open.
    pub web: Option<Arc<crate::webconfig::WebConfig>>,
    /// Where the status page and `/api/status` read from; `None`: no pages.
    pub pages: Option<Pages>,
}

/// What the status page is computed from: the same as the `status` command's.
#[derive(Clone)]
pub struct Pages {
    pub db: std::path::PathBuf,
    pub tz: chrono_tz::Tz,
    pub min_samples: u64,
    /// Channels configured now, shown even before they have data.
    pub configured: Vec<crate::channel::Channel>,
    /// Answers of this minute by query: a page fetched many times a minute
    /// reads and tests the history once (probes run minutes apart).
    pub cache: Arc<std::sync::Mutex<PageCache>>,
}

/// (query, unix minute) → the answer computed then; at most [`PageCache::MAX`] kept.
#[derive(Default)]
pub struct PageCache {
    answers: std::collections::HashMap<String, (i64, Arc<crate::status::Status>)>,
}

impl PageCache {
    const MAX: usize = 64;

    fn get(&self, query: &str, minute: i64) -> Option<Arc<crate::status::Status>> {
        self.answers
            .get(query)
            .filter(|(m, _)| *m == minute)
            .map(|(_, s)| s.clone())
    }

    fn put(&mut self, query: String, minute: i64, status: Arc<crate::status::Status>) {
        if self.answers.len() >= Self::MAX {
            self.answers.retain(|_, (m, _)| *m == minute);
            if self.answers.len() >= Self::MAX {
                self.answers.clear();
            }
        }
        self.answers.insert(query, (minute, status));
    }
}

/// Serves until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    state: Arc<ServerState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                conns.spawn(async move {
                    let tls = state.web.as_ref().and_then(|w| w.tls.clone());
                    match tls {
                        None => serve_connection(stream, state).await,
                        Some(config) => {
                            let acceptor = tokio_rustls::TlsAcceptor::from(config);
                            // A client that stalls the handshake cannot hold a connection.
                            if let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                                serve_connection(tls, state).await;
                            }
                        }
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
}

async fn serve_connection<S>(stream: S, state: Arc<ServerState>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(authorized(req, state).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // A scraper that trickles its request cannot hold a connection.
        .header_read_timeout(Duration::from_secs(10))
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Checks basic authentication (bcrypt, off the async threads) before `handle`.
async fn authorized(req: Request<Incoming>, state: Arc<ServerState>) -> Response<Full<Bytes>> {
    if let Some(web) = state.web.clone().filter(|w| w.needs_auth()) {
        let header = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let admitted = tokio::task::spawn_blocking(move || web.admits(header.as_deref()))
            .await
            .unwrap_or(false);
        if !admitted {
            return Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header("www-authenticate", "Basic realm=\"okx-monitor\"")
                .header("content-type", "text/plain")
                .body(Full::new(Bytes::from_static(b"Unauthorized\n")))
                .unwrap_or_default();
        }
    }
    handle(&req, &state).await
}

async fn handle(req: &Request<Incoming>, state: &ServerState) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, content_type: &str, body: String| {
        Response::builder()
            .status(status)
            .header("content-type", content_type)
            .body(Full::new(Bytes::from(body)))
            .unwrap_or_default()
    };
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "GET only\n".into(),
        );
    }
    match req.uri().path() {
        "/metrics" => reply(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            state.metrics.render(state.writer.as_deref()),
        ),
        "/healthz" => reply(StatusCode::OK, "text/plain", "ok\n".into()),
        "/" | "/api/status" => match page_status(req, state).await {
            // Rendered off the runtime thread, like the reading: the probes'
            // scheduler shares that thread.
            Ok(status) if req.uri().path() == "/" => {
                let html = tokio::task::spawn_blocking(move || crate::page::render(&status))
                    .await
                    .unwrap_or_default();
                reply(StatusCode::OK, "text/html; charset=utf-8", html)
            }
            Ok(status) => reply(
                StatusCode::OK,
                "application/json",
                serde_json::to_string_pretty(&*status).unwrap_or_default(),
            ),
            Err((code, why)) => reply(
                code,
                "application/json",
                serde_json::json!({ "error": why }).to_string(),
            ),
        },
        path if path.starts_with("/badge/") && path.ends_with(".svg") => {
            let name = &path["/badge/".len()..path.len() - ".svg".len()];
            let Ok(channel) = name.parse::<crate::channel::Channel>() else {
                return reply(
                    StatusCode::NOT_FOUND,
                    "text/plain",
                    "no such channel\n".into(),
                );
            };
            match page_status(req, state).await {
                Ok(s) => match s.channels.iter().find(|c| c.channel == channel) {
                    Some(c) => reply(StatusCode::OK, "image/svg+xml", crate::page::badge(c)),
                    None => reply(
                        StatusCode::NOT_FOUND,
                        "text/plain",
                        "no such channel\n".into(),
                    ),
                },
                Err((code, why)) => reply(code, "text/plain", format!("{why}\n")),
            }
        }
        _ => reply(StatusCode::NOT_FOUND, "text/plain", "not found\n".into()),
    }
}

/// `status`'s answer for a page request: the history read on a blocking
/// thread, the query's `tz`, `window`, `span` and `channel` applied; errors
/// as (status code, one sentence).
async fn page_status(
    req: &Request<Incoming>,
    state: &ServerState,
) -> Result<Arc<crate::status::Status>, (StatusCode, String)> {
    let pages = state
        .pages
        .clone()
        .ok_or((StatusCode::NOT_FOUND, "no status page here".to_string()))?;
    let query = req.uri().query().unwrap_or("").to_string();
    let minute = chrono::Utc::now().timestamp().div_euclid(60);
    let lock = |c: &std::sync::Mutex<PageCache>| {
        // Plain data: a panic elsewhere mid-update leaves it usable.
        c.lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&query, minute)
    };
    if let Some(hit) = lock(&pages.cache) {
        return Ok(hit);
    }
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    let mut opts = crate::status::Options {
        tz: pages.tz,
        window: crate::status::DEFAULT_WINDOW,
        span: crate::status::DEFAULT_SPAN,
        min_samples: pages.min_samples,
        channels: Vec::new(),
    };
    let url =
        reqwest::Url::parse(&format!("http://page/?{query}")).map_err(|e| bad(e.to_string()))?;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "tz" => {
                opts.tz = value
                    .parse()
                    .map_err(|_| bad(format!("unknown time zone `{value}`")))?
            }
            "window" => {
                opts.window = crate::duration::parse(&value)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| bad(format!("invalid window `{value}`")))?
            }
            "span" => {
                opts.span = value
                    .parse()
                    .ok()
                    .filter(|s| (1..=168).contains(s))
                    .ok_or_else(|| bad(format!("invalid span `{value}`: 1 to 168 hours")))?
            }
            "channel" => opts.channels.push(value.parse().map_err(bad)?),
            // The language: English until the catalogue lands.
            "lang" => {}
            other => return Err(bad(format!("unknown parameter `{other}`"))),
        }
    }
    let cache = pages.cache.clone();
    let status = tokio::task::spawn_blocking(move || {
        let now = chrono::Utc::now();
        let store = crate::store::Store::open_existing(&pages.db)
            .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        let input =
            crate::status::from_store(&store, pages.configured.clone(), opts.window, opts.tz, now)
                .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        Ok(Arc::new(crate::status::build(&input, &opts, now)))
    })
    .await
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .put(query, minute, status.clone());
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> Arc<crate::status::Status> {
        Arc::new(crate::status::Status {
            timezone: "UTC".into(),
            window: "28d".into(),
            channels: Vec::new(),
            advice: Vec::new(),
            local_network: None,
            maintenance: Vec::new(),
        })
    }

    #[test]
    fn an_answer_serves_its_minute_and_query_only() {
        let mut c = PageCache::default();
        c.put("tz=UTC".into(), 10, status());
        assert!(c.get("tz=UTC", 10).is_some());
        assert!(c.get("tz=UTC", 11).is_none(), "a new minute reads again");
        assert!(c.get("", 10).is_none(), "another query");
        for i in 0..200 {
            c.put(format!("q{i}"), 12, status());
        }
        assert!(c.answers.len() <= PageCache::MAX, "bounded");
    }
}
