//! A server-side connection that starts in clear and may switch to TLS in
//! the middle (STARTTLS, STLS), or start in TLS (SMTPS, POP3S).

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Clear or TLS.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf).await,
            Conn::Tls(s) => s.read(buf).await,
        }
    }

    pub async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.write_all(bytes).await,
            Conn::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
        }
    }

    /// Close (TLS: send close_notify first), within 5 s: a peer that
    /// stopped reading must not hold the connection open for ever.
    pub async fn shutdown(&mut self) {
        let close = async {
            let _ = match self {
                Conn::Plain(s) => s.shutdown().await,
                Conn::Tls(s) => s.shutdown().await,
            };
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), close).await;
    }

    /// Do the TLS handshake as the server. A connection already in TLS is an error.
    pub async fn start_tls(self, acceptor: &TlsAcceptor) -> io::Result<Conn> {
        match self {
            Conn::Plain(s) => Ok(Conn::Tls(Box::new(acceptor.accept(s).await?))),
            Conn::Tls(_) => Err(io::Error::other("TLS is already active")),
        }
    }

    /// The handshake as data (for a watched or recorded session): the lab
    /// server's own certificate `cert_der`, which no authority vouches for.
    pub fn handshake(&self, cert_der: &[u8]) -> Option<crate::proto::tls::Handshake> {
        match self {
            Conn::Plain(_) => None,
            Conn::Tls(s) => {
                let (version, cipher) = crate::net::tls::tls_facts(s.get_ref().1);
                Some(crate::proto::tls::Handshake {
                    version,
                    cipher,
                    verified: false,
                    cert: crate::net::client::cert_info(cert_der),
                })
            }
        }
    }

    /// "TLSv1.3 TLS13_AES_256_GCM_SHA384", for the log.
    pub fn tls_summary(&self) -> Option<String> {
        match self {
            Conn::Plain(_) => None,
            Conn::Tls(s) => {
                let (_, c) = s.get_ref();
                let version = c
                    .protocol_version()
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_default();
                let suite = c
                    .negotiated_cipher_suite()
                    .map(|s| format!("{:?}", s.suite()))
                    .unwrap_or_default();
                Some(format!("{version} {suite}"))
            }
        }
    }
}

/// The next connection of a listener. A failed accept (out of file
/// descriptors, a connection reset before it was taken) is said on stderr
/// and tried again after 50 ms rather than ending the loop; Nagle is off
/// (a reply line goes out at once).
pub async fn accept(
    listener: &tokio::net::TcpListener,
    log: impl Fn(&io::Error, u64),
) -> (TcpStream, std::net::SocketAddr) {
    // Out of descriptors, accept fails 20 times a second: said once, then
    // at most every 10 s with how many failed meanwhile (it filled the
    // teacher's terminal with 600 lines in 8 s).
    let mut said: Option<std::time::Instant> = None;
    let mut since = 0u64;
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                return (stream, peer);
            }
            Err(e) => {
                since += 1;
                if said.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(10)) {
                    log(&e, since);
                    said = Some(std::time::Instant::now());
                    since = 0;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}
