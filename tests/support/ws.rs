//! In-process WebSocket peers on 127.0.0.1, port 0: well-behaved and hostile.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// What a peer does with each connection.
#[derive(Clone)]
pub enum Behaviour {
    /// Answers a subscribe with `{"event":"subscribe",…}`, and pings first.
    Acknowledge,
    /// Completes the handshake and then says nothing.
    Silent,
    /// Answers the upgrade with this raw HTTP response.
    Refuse(&'static str),
    /// Accepts TCP and never answers the upgrade.
    NoHandshake,
    /// After the handshake, an endless stream of frames that never match.
    Endless,
    /// After the handshake, one text frame of this many bytes.
    Huge(usize),
}

pub struct WsPeer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for WsPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WsPeer {
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}/ws", self.addr)
    }
}

pub async fn peer(behaviour: Behaviour) -> WsPeer {
    serve(behaviour, None).await
}

pub async fn peer_tls(behaviour: Behaviour, tls: Arc<rustls::ServerConfig>) -> WsPeer {
    serve(behaviour, Some(tokio_rustls::TlsAcceptor::from(tls))).await
}

async fn serve(behaviour: Behaviour, tls: Option<tokio_rustls::TlsAcceptor>) -> WsPeer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        while let Ok((tcp, _)) = listener.accept().await {
            let (b, tls) = (behaviour.clone(), tls.clone());
            conns.spawn(async move {
                match tls {
                    Some(t) => {
                        if let Ok(s) = t.accept(tcp).await {
                            handle(b, s).await;
                        }
                    }
                    None => handle(b, tcp).await,
                }
            });
        }
    });
    WsPeer { addr, task }
}

async fn handle<S>(b: Behaviour, mut s: S)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    match b {
        Behaviour::Refuse(answer) => {
            let mut buf = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
            let _ = s.write_all(answer.as_bytes()).await;
            let _ = s.shutdown().await;
        }
        Behaviour::NoHandshake => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        b => {
            let Ok(mut ws) = tokio_tungstenite::accept_async(s).await else {
                return;
            };
            match b {
                Behaviour::Acknowledge => {
                    let _ = ws.send(Message::Ping(vec![1, 2, 3].into())).await;
                    while let Some(Ok(m)) = ws.next().await {
                        if let Message::Text(t) = m
                            && t.contains("subscribe")
                        {
                            let ack =
                                r#"{"event":"subscribe","arg":{"channel":"status"},"connId":"a1"}"#;
                            let _ = ws.send(Message::text(ack)).await;
                        }
                    }
                }
                Behaviour::Silent => tokio::time::sleep(Duration::from_secs(3600)).await,
                Behaviour::Endless => loop {
                    if ws.send(Message::text("{\"noise\":1}")).await.is_err() {
                        return;
                    }
                },
                Behaviour::Huge(n) => {
                    let _ = ws.send(Message::text("x".repeat(n))).await;
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                _ => {}
            }
        }
    }
}
