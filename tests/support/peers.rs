//! In-process fake peers: an HTTP server whose every answer is scripted,
//! including hostile ones (tarpit, endless body, trickle), a TLS variant, and a
//! scripted SMTP server. Each is bound to 127.0.0.1:0 and stops when dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the fake does with one connection.
#[derive(Clone)]
pub enum Answer {
    /// Writes these bytes (a whole HTTP response) and closes.
    Raw(Vec<u8>),
    /// Waits, then answers.
    After(Duration, Box<Answer>),
    /// Accepts and never says anything.
    Tarpit,
    /// Sends a 200 head and then body bytes without end.
    EndlessBody,
}

/// A complete HTTP/1.1 response.
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    Answer::Raw(bytes)
}

/// A fake server; it stops when dropped.
pub struct Peer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Peer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

type Script = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// The path of a request head.
pub fn path(head: &str) -> &str {
    head.split_whitespace().nth(1).unwrap_or("/")
}

/// An HTTP server on 127.0.0.1:0 that answers each request by `script(head)`,
/// `head` being the request line and headers.
pub async fn http(script: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Peer {
    serve(Arc::new(script), None).await
}

/// Like [`http`] over TLS with `tls`.
pub async fn https(
    tls: Arc<rustls::ServerConfig>,
    script: impl Fn(&str) -> Answer + Send + Sync + 'static,
) -> Peer {
    serve(Arc::new(script), Some(tokio_rustls::TlsAcceptor::from(tls))).await
}

async fn serve(script: Script, tls: Option<tokio_rustls::TlsAcceptor>) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    accept_each(listener, move |stream| {
        let (script, tls) = (script.clone(), tls.clone());
        async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(s) = acceptor.accept(stream).await {
                        answer(s, &script).await;
                    }
                }
                None => answer(stream, &script).await,
            }
        }
    })
}

/// Serves every connection of `listener` with `session` until the peer is dropped.
fn accept_each<F, Fut>(listener: TcpListener, session: F) -> Peer
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            conns.spawn(session(stream));
            while conns.try_join_next().is_some() {}
        }
    });
    Peer { addr, task }
}

async fn answer<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut s: S,
    script: &Script,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut answer = script(&head);
    loop {
        match answer {
            Answer::After(d, next) => {
                tokio::time::sleep(d).await;
                answer = *next;
            }
            Answer::Raw(bytes) => {
                let _ = s.write_all(&bytes).await;
                let _ = s.shutdown().await;
                return;
            }
            Answer::Tarpit => {
                std::future::pending::<()>().await;
            }
            Answer::EndlessBody => {
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n")
                    .await;
                let chunk = vec![b'x'; 64 * 1024];
                while s.write_all(&chunk).await.is_ok() {}
                return;
            }
        }
    }
}

/// A TCP port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A listener that accepts and never speaks (for tcp-level tarpits).
pub async fn tarpit() -> Peer {
    http(|_| Answer::Tarpit).await
}

/// A scripted SMTP server on `ip`:0 that sends `greeting` (raw bytes, CRLF
/// included) and then answers EHLO with 250 and QUIT with 221.
pub async fn smtp(ip: &str, greeting: &'static [u8]) -> Peer {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    smtp_on(listener, greeting)
}

/// Like [`smtp`] on a given listener (to share one port across two loopback addresses).
pub fn smtp_on(listener: TcpListener, greeting: &'static [u8]) -> Peer {
    accept_each(listener, move |s| smtp_session(s, greeting))
}

async fn smtp_session(mut s: TcpStream, greeting: &'static [u8]) {
    if greeting.is_empty() {
        std::future::pending::<()>().await;
    }
    if s.write_all(greeting).await.is_err() {
        return;
    }
    let mut buf = [0u8; 512];
    loop {
        let n = match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let line = String::from_utf8_lossy(&buf[..n]).to_ascii_uppercase();
        if line.starts_with("EHLO") {
            let _ = s
                .write_all(b"250-fake.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
                .await;
        } else if line.starts_with("QUIT") {
            let _ = s.write_all(b"221 bye\r\n").await;
            return;
        } else {
            let _ = s.write_all(b"502 no\r\n").await;
        }
    }
}

/// A CA and a server certificate for 127.0.0.1 signed by it; `not_after` is
/// `(year, month, day)` of the server certificate's expiry.
pub struct TestPki {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
    pub server_cert_pem: String,
    pub server_key_pem: String,
}

pub fn pki(not_after: (i32, u8, u8)) -> TestPki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let cert = params.signed_by(&key, &issuer).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    TestPki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
        server_cert_pem: cert.pem(),
        server_key_pem: key.serialize_pem(),
    }
}

/// A scripted DNS server on 127.0.0.1 (UDP and TCP on one port). Over UDP it
/// answers every query by `udp` (SERVFAIL, truncated, or the records); over
/// TCP always with the records. The records: MX 10 `mx1.<name>` for MX
/// queries, 127.0.0.1 for A queries, nothing for others.
pub struct Dns {
    pub addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Dns {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UdpDns {
    ServFail,
    Truncated,
    Answer,
}

pub async fn dns(udp: UdpDns) -> Dns {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let sock = tokio::net::UdpSocket::bind(addr).await.unwrap();
    let udp_task = tokio::spawn(async move {
        let mut buf = [0u8; 512];
        loop {
            let Ok((n, from)) = sock.recv_from(&mut buf).await else {
                continue;
            };
            let reply = dns_reply(&buf[..n], udp);
            let _ = sock.send_to(&reply, from).await;
        }
    });
    let tcp_task = tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = tcp.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut len = [0u8; 2];
                while s.read_exact(&mut len).await.is_ok() {
                    let mut q = vec![0u8; u16::from_be_bytes(len) as usize];
                    if s.read_exact(&mut q).await.is_err() {
                        return;
                    }
                    let reply = dns_reply(&q, UdpDns::Answer);
                    let mut out = (reply.len() as u16).to_be_bytes().to_vec();
                    out.extend(reply);
                    if s.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Dns {
        addr,
        tasks: vec![udp_task, tcp_task],
    }
}

/// A reply to DNS query `q` (RFC 1035 wire format).
fn dns_reply(q: &[u8], how: UdpDns) -> Vec<u8> {
    if q.len() < 12 {
        return Vec::new();
    }
    // The question: labels, then type and class.
    let mut i = 12;
    while i < q.len() && q[i] != 0 {
        i += 1 + q[i] as usize;
    }
    let qend = (i + 5).min(q.len());
    let qtype = u16::from_be_bytes([q[(i + 1).min(q.len() - 1)], q[(i + 2).min(q.len() - 1)]]);
    let mut r = q[..2].to_vec();
    let (flags, answers): (u16, Vec<Vec<u8>>) = match how {
        UdpDns::ServFail => (0x8182, vec![]),
        UdpDns::Truncated => (0x8380, vec![]),
        UdpDns::Answer => {
            let mut rr = vec![0xc0, 0x0c];
            match qtype {
                15 => {
                    let mut rdata = 10u16.to_be_bytes().to_vec();
                    rdata.extend([3, b'm', b'x', b'1']);
                    rdata.extend([0xc0, 0x0c]);
                    rr.extend([0, 15, 0, 1, 0, 0, 0, 60]);
                    rr.extend((rdata.len() as u16).to_be_bytes());
                    rr.extend(rdata);
                    (0x8180, vec![rr])
                }
                1 => {
                    rr.extend([0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
                    (0x8180, vec![rr])
                }
                _ => (0x8180, vec![]),
            }
        }
    };
    r.extend(flags.to_be_bytes());
    r.extend([0, 1]);
    r.extend((answers.len() as u16).to_be_bytes());
    r.extend([0, 0, 0, 0]);
    r.extend(&q[12..qend]);
    for a in answers {
        r.extend(a);
    }
    r
}

/// An HTTP peer that sends a status line and then headers a byte at a time, every `gap`.
pub async fn trickle(gap: Duration) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    accept_each(listener, move |mut s| async move {
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf).await;
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n").await;
        for b in b"x-slow: ".iter().chain(std::iter::repeat(&b'a')) {
            if s.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(gap).await;
        }
    })
}
