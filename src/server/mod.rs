//! `/metrics`, `/healthz` and the pages over HTTP/1.1. Serves what
//! [`Metrics`] and [`crate::page`] render; decides nothing. Stops accepting,
//! drops its connections, and stops the pages' thread on shutdown.

mod pages;

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

pub use pages::{Pages, Source as PagesSource};

/// After the start-up probes (spread over 1.5 s) and a short timeout.
const WARM_AFTER: Duration = Duration::from_secs(3);

/// Serves until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    state: Arc<ServerState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    // The page is computed once the start-up probes have had their turn.
    let warm = tokio::time::sleep(WARM_AFTER);
    tokio::pin!(warm);
    let mut warmed = state.pages.is_none();
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            () = &mut warm, if !warmed => {
                warmed = true;
                if let Some(pages) = &state.pages {
                    pages.warm();
                }
            }
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
    while conns.join_next().await.is_some() {}
    if let Some(pages) = &state.pages {
        pages.stop().await;
    }
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

pub(crate) fn reply(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .unwrap_or_default()
}

async fn handle(req: &Request<Incoming>, state: &ServerState) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
    }
    let path = req.uri().path();
    let wanted = match path {
        "/metrics" => {
            return reply(
                StatusCode::OK,
                "text/plain; version=0.0.4; charset=utf-8",
                state.metrics.render(state.writer.as_deref()),
            );
        }
        "/healthz" => return reply(StatusCode::OK, "text/plain", "ok\n"),
        "/" => pages::Wanted::Page,
        "/api/status" => pages::Wanted::Api,
        "/api/v2/summary.json" => pages::Wanted::Summary,
        "/api/v2/status.json" => pages::Wanted::StatusJson,
        "/api/incidents" => pages::Wanted::Incidents,
        "/history.atom" => pages::Wanted::Atom,
        path if path.starts_with("/badge/") => {
            let name = &path["/badge/".len()..];
            let (name, svg) = match (name.strip_suffix(".svg"), name.strip_suffix(".json")) {
                (Some(n), _) => (n, true),
                (_, Some(n)) => (n, false),
                _ => return reply(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
            };
            match name.parse() {
                Ok(channel) if svg => pages::Wanted::Badge(channel),
                Ok(channel) => pages::Wanted::BadgeJson(channel),
                Err(_) => return reply(StatusCode::NOT_FOUND, "text/plain", "no such channel\n"),
            }
        }
        _ => return reply(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    };
    match &state.pages {
        Some(pages) => pages::respond(req, pages, wanted).await,
        None => reply(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    }
}
