//! The SMTP greeting of one mail host, as the `mx` prober uses it: read the 220
//! greeting (multi-line too), EHLO, note STARTTLS, QUIT. Never sends mail.
//! The reply parser ([`parse_line`]) is pure.

use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::reason;
use crate::reason::Reason;

/// A reply line longer than this is a broken peer, not a reason to buffer more.
const MAX_LINE: u64 = 4096;
/// A reply of more lines than this is a broken peer.
const MAX_LINES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// The greeting's reply code (220 when the host accepts us).
    pub code: u16,
    /// The greeting's text, lines joined with a space.
    pub text: String,
    /// Whether the EHLO answer offered STARTTLS.
    pub starttls: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SmtpError {
    Connect(Reason),
    /// The host greeted with something other than 220 (e.g. 554: go away).
    Refused {
        code: u16,
        text: String,
    },
    Protocol(Reason),
}

impl SmtpError {
    pub fn reason(self) -> Reason {
        match self {
            SmtpError::Connect(r) | SmtpError::Protocol(r) => r,
            SmtpError::Refused { code, text } => reason!("smtp_refused", code = code, text = text),
        }
    }
}

/// One reply: its code and the text of each line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

/// Greets the SMTP server at `addr`. The caller bounds it in time.
pub async fn greet(addr: SocketAddr) -> Result<Greeting, SmtpError> {
    let stream = TcpStream::connect(addr).await.map_err(|e| {
        SmtpError::Connect(crate::probe::connect::connect_failed(addr.to_string(), &e))
    })?;
    // An address literal is always a valid EHLO argument (RFC 5321 §4.1.4).
    let ehlo_name = match stream.local_addr() {
        Ok(SocketAddr::V4(a)) => format!("[{}]", a.ip()),
        Ok(SocketAddr::V6(a)) => format!("[IPv6:{}]", a.ip()),
        Err(_) => "[127.0.0.1]".to_string(),
    };
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let greeting = read_reply(&mut read).await?;
    let text = greeting.lines.join(" ");
    if greeting.code != 220 {
        let _ = write.write_all(b"QUIT\r\n").await;
        return Err(SmtpError::Refused {
            code: greeting.code,
            text,
        });
    }
    let io = |e: std::io::Error| SmtpError::Protocol(broke(&e));
    write
        .write_all(format!("EHLO {ehlo_name}\r\n").as_bytes())
        .await
        .map_err(io)?;
    let ehlo = read_reply(&mut read).await?;
    let starttls = ehlo.code == 250
        && ehlo.lines.iter().any(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("STARTTLS"))
        });
    write.write_all(b"QUIT\r\n").await.map_err(io)?;
    // The 221 is a courtesy; a host that hangs up instead has still greeted us.
    let _ = read_reply(&mut read).await;
    Ok(Greeting {
        code: 220,
        text,
        starttls,
    })
}

/// The connection broke while a reply was due.
fn broke(e: &std::io::Error) -> Reason {
    reason!("connection_broke", error = e.to_string())
}

/// Reads one (possibly multi-line) reply.
pub async fn read_reply<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> Result<Reply, SmtpError> {
    let mut lines = Vec::new();
    let mut code = None;
    loop {
        let mut raw = Vec::new();
        let n = (&mut *reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut raw)
            .await
            .map_err(|e| SmtpError::Protocol(broke(&e)))?;
        if n == 0 {
            return Err(SmtpError::Protocol(reason!("smtp_closed")));
        }
        if !raw.ends_with(b"\n") && n as u64 == MAX_LINE {
            return Err(SmtpError::Protocol(reason!(
                "smtp_line_too_long",
                max = MAX_LINE
            )));
        }
        let (c, last, text) = parse_line(&raw).map_err(SmtpError::Protocol)?;
        if *code.get_or_insert(c) != c {
            return Err(SmtpError::Protocol(reason!(
                "smtp_mixed_codes",
                first = code.unwrap_or(c),
                then = c
            )));
        }
        lines.push(text);
        if last {
            return Ok(Reply { code: c, lines });
        }
        if lines.len() >= MAX_LINES {
            return Err(SmtpError::Protocol(reason!(
                "smtp_too_many_lines",
                max = MAX_LINES
            )));
        }
    }
}

/// Parses one reply line: its code, whether it is the last line (`220 ` rather
/// than `220-`), and its text. Invalid UTF-8 is replaced, not refused.
pub fn parse_line(raw: &[u8]) -> Result<(u16, bool, String), Reason> {
    let line = String::from_utf8_lossy(raw);
    let line = line.trim_end_matches(['\r', '\n']);
    let shown = || line.chars().take(60).collect::<String>();
    let code = line
        .get(..3)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (200..600).contains(c))
        .ok_or_else(|| reason!("smtp_not_a_reply", line = shown()))?;
    match line.as_bytes().get(3) {
        None => Ok((code, true, String::new())),
        Some(b' ') => Ok((code, true, line[4..].to_string())),
        Some(b'-') => Ok((code, false, line[4..].to_string())),
        Some(_) => Err(reason!("smtp_not_a_reply", line = shown())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines() {
        assert_eq!(
            parse_line(b"220 mx.okx.com ESMTP\r\n"),
            Ok((220, true, "mx.okx.com ESMTP".into()))
        );
        assert_eq!(
            parse_line(b"250-STARTTLS\r\n"),
            Ok((250, false, "STARTTLS".into()))
        );
        assert_eq!(parse_line(b"221\r\n"), Ok((221, true, String::new())));
        assert_eq!(parse_line(b"554 \xff go away\n").map(|r| r.0), Ok(554));
        for bad in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"22\r\n",
            b"220x\r\n",
            b"999 no\r\n",
            b"",
        ] {
            assert!(parse_line(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn multi_line_reply() {
        let input: &[u8] = b"220-mx.example ESMTP\r\n220-second line\r\n220 ready\r\n250 next";
        let mut r = BufReader::new(input);
        let reply = read_reply(&mut r).await.unwrap();
        assert_eq!(reply.code, 220);
        assert_eq!(
            reply.lines,
            vec!["mx.example ESMTP", "second line", "ready"]
        );
    }

    #[tokio::test]
    async fn an_endless_line_is_refused_with_bounded_memory() {
        let input = vec![b'2'; 1 << 20];
        let mut r = BufReader::new(&input[..]);
        assert!(matches!(
            read_reply(&mut r).await,
            Err(SmtpError::Protocol(_))
        ));
    }
}
