//! The way every connecting kind reaches its peer: the name through the check's
//! resolver, TCP to the first address that accepts, and TLS where the scheme
//! asks for it — each phase timed into the probe's clock, each failure the
//! report of the phase that failed. `tcp`, `http`, `okx_status` and
//! `websocket` all connect through here.

use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::clock::PhaseClock;
use super::resolve::NameResolver;
use crate::outcome::{Failure, Report};
use crate::reason;
use crate::reason::Reason;

/// A TCP or TLS stream.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// An open connection, and the certificate's expiry when it speaks TLS.
pub struct Opened {
    pub stream: Box<dyn Stream>,
    /// Unix seconds.
    pub tls_not_after: Option<i64>,
}

/// Resolves `host` and connects to `port`: the `dns` and `connect` phases.
pub async fn tcp(
    resolver: &NameResolver,
    host: &str,
    port: u16,
    clock: &PhaseClock,
) -> Result<TcpStream, Report> {
    let (stream, connecting) = reach(resolver, host, port, clock).await?;
    clock.connect_done(connecting.elapsed());
    Ok(stream)
}

/// Resolves `url`'s host, connects to its port and, when `secure`, shakes
/// hands in TLS with `tls`: the `dns`, `connect` (TCP) and `tls` phases, each
/// unset while it has not ended.
pub async fn open(
    resolver: &NameResolver,
    tls: &Arc<rustls::ClientConfig>,
    url: &reqwest::Url,
    secure: bool,
    clock: &PhaseClock,
) -> Result<Opened, Report> {
    let host = url.host_str().unwrap_or_default();
    let port = url
        .port_or_known_default()
        .unwrap_or(if secure { 443 } else { 80 });
    // Brackets belong to the URL, not to the name looked up or verified.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let (tcp, connecting) = reach(resolver, bare, port, clock).await?;
    clock.connect_done(connecting.elapsed());
    if !secure {
        return Ok(Opened {
            stream: Box::new(tcp),
            tls_not_after: None,
        });
    }
    let name = rustls::pki_types::ServerName::try_from(bare.to_string()).map_err(|e| {
        Report::failed(
            Failure::Tls,
            reason!("tls_name", host = host, error = e.to_string()),
        )
    })?;
    let shaking = Instant::now();
    let stream = tokio_rustls::TlsConnector::from(tls.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| Report::failed(Failure::Tls, tls_reason(&e)))?;
    clock.tls_done(shaking.elapsed());
    let tls_not_after = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| crate::tls_cert::not_after(c));
    Ok(Opened {
        stream: Box::new(stream),
        tls_not_after,
    })
}

/// Resolves (the `dns` phase) and connects; when the connecting began.
async fn reach(
    resolver: &NameResolver,
    host: &str,
    port: u16,
    clock: &PhaseClock,
) -> Result<(TcpStream, Instant), Report> {
    let started = Instant::now();
    let addrs = resolver
        .lookup_ip(host)
        .await
        .map_err(|e| Report::failed(Failure::Dns, e.0))?;
    clock.dns_done(started.elapsed(), &addrs);
    let connecting = Instant::now();
    let stream = connect_any(&addrs, port)
        .await
        .map_err(|e| Report::failed(Failure::Connect, e))?;
    Ok((stream, connecting))
}

/// Connects to the first address that accepts, in the resolver's order.
pub async fn connect_any(addrs: &[std::net::IpAddr], port: u16) -> Result<TcpStream, Reason> {
    let mut last = reason!("no_address_to_connect");
    for ip in addrs {
        match TcpStream::connect((*ip, port)).await {
            Ok(s) => return Ok(s),
            Err(e) => last = connect_failed(addr(*ip, port), &e),
        }
    }
    Err(last)
}

/// `ip:port`, with brackets around an IPv6 address.
pub fn addr(ip: std::net::IpAddr, port: u16) -> String {
    std::net::SocketAddr::new(ip, port).to_string()
}

/// A connection that failed otherwise than refused: the kinds a person
/// can act on by their own code, the rest with the system's words.
pub fn connect_failed(addr: String, e: &std::io::Error) -> Reason {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => reason!("connect_refused", addr = addr),
        K::TimedOut => reason!("connect_timed_out", addr = addr),
        K::HostUnreachable => reason!("host_unreachable", addr = addr),
        K::NetworkUnreachable => reason!("network_unreachable", addr = addr),
        K::ConnectionReset => reason!("connection_reset", addr = addr),
        _ => reason!("connect_failed", addr = addr, error = e.to_string()),
    }
}

/// A failed TLS handshake: the certificate faults a person can act on by
/// their own code, the rest with rustls's words. `e` is the rustls error,
/// or an I/O error wrapping it.
pub fn tls_reason(e: &(dyn std::error::Error + 'static)) -> Reason {
    use rustls::CertificateError as C;
    let rustls = e.downcast_ref::<rustls::Error>().or_else(|| {
        e.downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    });
    match rustls {
        Some(rustls::Error::InvalidCertificate(c)) => match c {
            C::Expired | C::ExpiredContext { .. } => reason!("tls_cert_expired"),
            C::NotValidYet | C::NotValidYetContext { .. } => reason!("tls_cert_not_yet_valid"),
            C::UnknownIssuer => reason!("tls_unknown_issuer"),
            C::NotValidForName | C::NotValidForNameContext { .. } => reason!("tls_wrong_name"),
            other => reason!(
                "tls",
                error = rustls::Error::InvalidCertificate(other.clone()).to_string()
            ),
        },
        Some(other) => reason!("tls", error = other.to_string()),
        None => reason!("tls", error = e.to_string()),
    }
}
