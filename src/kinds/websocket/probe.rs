//! The `websocket` prober: resolve, connect, TLS on `wss://`, the opening
//! handshake (HTTP 101), then optionally one text frame sent and a received
//! text frame that must match `expect`; then a clean close. Pings are answered
//! by the protocol layer as frames are read. A refused upgrade is judged as
//! an HTTP answer is ([`crate::probe::refusal`]). Frames and messages are capped, so
//! an endless or enormous stream costs bounded memory; the deadline is the
//! prober's, as for every kind.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::{self, Message, http, protocol::WebSocketConfig};

use super::WebSocketSpec;
use crate::kinds::{Via, unprepared};
use crate::outcome::{Failure, Report, grade};
use crate::probe::resolve::NameResolver;
use crate::probe::{PhaseClock, connect, refusal};
use crate::reason;

/// The largest frame, and message, read: beyond it the peer is misbehaving.
pub const FRAME_CAP: usize = 1024 * 1024;
/// How long a clean close may take once the answer is in.
const CLOSE_WAIT: Duration = Duration::from_millis(300);

impl WebSocketSpec {
    pub async fn probe(&self, via: &Via<'_>, clock: &PhaseClock) -> Report {
        match via.tls {
            Some(tls) => probe(via.resolver, tls, self, via.slow, clock).await,
            None => unprepared(),
        }
    }
}

async fn probe(
    resolver: &NameResolver,
    tls: &Arc<rustls::ClientConfig>,
    spec: &WebSocketSpec,
    slow: std::time::Duration,
    clock: &PhaseClock,
) -> Report {
    let started = Instant::now();
    let secure = spec.url.scheme() == "wss";
    let (stream, tls_not_after) = match connect::open(resolver, tls, &spec.url, secure, clock).await
    {
        Ok(o) => (o.stream, o.tls_not_after),
        Err(report) => return report,
    };
    let config = WebSocketConfig::default()
        .max_frame_size(Some(FRAME_CAP))
        .max_message_size(Some(FRAME_CAP));
    let handshake =
        tokio_tungstenite::client_async_with_config(spec.url.as_str(), stream, Some(config)).await;
    let mut ws = match handshake {
        Ok((ws, _)) => ws,
        Err(tungstenite::Error::Http(answer)) => {
            let mut r = refused_upgrade(&answer, SystemTime::now());
            r.detail.tls_not_after = tls_not_after;
            return r;
        }
        Err(e) => {
            return Report::failed(
                Failure::Protocol,
                reason!("no_handshake", error = e.to_string()),
            );
        }
    };
    clock.handshake_done(started.elapsed());
    let mut report = match exchange(&mut ws, spec, started, clock).await {
        Ok(latency) => {
            let (outcome, reason) = grade(latency, slow);
            let mut r = Report::new(outcome, reason);
            r.latency = Some(latency);
            r
        }
        Err(r) => r,
    };
    report.detail.http_status = Some(101);
    report.detail.tls_not_after = tls_not_after;
    // A polite close, not waited for long: the answer is already in.
    let _ = tokio::time::timeout(CLOSE_WAIT, ws.close(None)).await;
    report
}

/// Sends `send`, then reads until a text frame matches `expect`; the time to
/// it (or to the handshake, when nothing is expected).
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    spec: &WebSocketSpec,
    started: Instant,
    clock: &PhaseClock,
) -> Result<Duration, Report> {
    if let Some(text) = &spec.send {
        ws.send(Message::text(text.as_str())).await.map_err(|e| {
            Report::failed(
                Failure::Protocol,
                reason!("cannot_send", error = e.to_string()),
            )
        })?;
    }
    let Some(expect) = &spec.expect else {
        return Ok(started.elapsed());
    };
    let mut frames = 0u64;
    while let Some(frame) = ws.next().await {
        let text = match frame {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(tungstenite::Error::Capacity(e)) => {
                return Err(Report::failed(
                    Failure::Protocol,
                    reason!("frame_too_large", error = e.to_string()),
                ));
            }
            Err(e) => {
                return Err(Report::failed(
                    Failure::Protocol,
                    reason!("websocket", error = e.to_string()),
                ));
            }
        };
        frames += 1;
        if expect.is_match(text.as_str()) {
            let at = started.elapsed();
            clock.frame_done(at);
            return Ok(at);
        }
    }
    Err(Report::failed(
        Failure::Body,
        reason!(
            "no_matching_frame",
            frames = frames,
            pattern = expect.as_str()
        ),
    ))
}

/// An upgrade answered with an HTTP status instead of 101 (pure).
pub fn refused_upgrade(answer: &http::Response<Option<Vec<u8>>>, now: SystemTime) -> Report {
    let status = answer.status().as_u16();
    let body = answer.body().as_deref().unwrap_or_default();
    let mut r = if let Some((failure, why)) = refusal::refused(status, answer.headers(), body, now)
    {
        let mut r = Report::failed(failure, reason!("upgrade_refused", why = why));
        r.detail.retry_after = refusal::retry_after(answer.headers(), now);
        r
    } else if refusal::blocks(status) {
        Report::failed(Failure::Blocked, refusal::blocked_reason(status))
    } else {
        Report::failed(Failure::Status, reason!("upgrade_status", status = status))
    };
    r.detail.http_status = Some(status);
    r
}
