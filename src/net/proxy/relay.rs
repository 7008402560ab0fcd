//! One proxied connection: its two sides (clear, then maybe TLS), the
//! relay loop that forwards both ways as bytes arrive and feeds the
//! connection's watch, and what the proxy says itself when the upstream
//! cannot go on.

use super::*;

/// One side of the relay: clear, then maybe TLS.
pub(super) enum Side<T> {
    Plain(TcpStream),
    Tls(Box<T>),
    Gone,
}

/// A side that never goes TLS (a refusal).
pub(super) type NoTls = tokio_rustls::server::TlsStream<TcpStream>;

impl<T: AsyncRead + AsyncWrite + Unpin> Side<T> {
    pub(super) async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Side::Plain(s) => s.read(buf).await,
            Side::Tls(s) => s.read(buf).await,
            Side::Gone => Ok(0),
        }
    }

    pub(super) async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Side::Plain(s) => s.write_all(bytes).await,
            Side::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Side::Gone => Err(std::io::Error::from(std::io::ErrorKind::NotConnected)),
        }
    }

    pub(super) async fn shutdown(&mut self) {
        let _ = match self {
            Side::Plain(s) => s.shutdown().await,
            Side::Tls(s) => s.shutdown().await,
            Side::Gone => Ok(()),
        };
    }

    /// The clear TCP stream, to start TLS on (None once TLS is up).
    pub(super) fn take_plain(&mut self) -> Option<TcpStream> {
        match std::mem::replace(self, Side::Gone) {
            Side::Plain(s) => Some(s),
            other => {
                *self = other;
                None
            }
        }
    }
}

/// What the proxy says itself when the upstream cannot go on: SMTP 421
/// with an enhanced code (RFC 3463 §3.5: 4.4.1 no answer, 4.4.2 bad
/// connection), POP3 `-ERR [SYS/TEMP]` (RFC 3206).
pub(super) fn refusal(proto: Proto, code: &str, why: &str) -> String {
    let why = crate::proto::visible::visible_str(why);
    match proto {
        Proto::Smtp => format!("421 {code} facteur proxy: {why}\r\n"),
        Proto::Pop3 => format!("-ERR [SYS/TEMP] facteur proxy: {why}\r\n"),
    }
}

pub(super) async fn refuse<T: AsyncRead + AsyncWrite + Unpin>(
    side: &mut Side<T>,
    proto: Proto,
    code: &str,
    why: &str,
) {
    let _ = side.write_all(refusal(proto, code, why).as_bytes()).await;
    side.shutdown().await;
}

/// What woke the relay up.
enum Step {
    Client(std::io::Result<usize>),
    Upstream(std::io::Result<usize>),
    Idle,
    /// The proxy stops.
    Stop,
}

pub(super) type ClientSide = Side<tokio_rustls::server::TlsStream<TcpStream>>;
pub(super) type UpSide = Side<tokio_rustls::client::TlsStream<TcpStream>>;

/// One connection, relayed and watched until either side ends it.
pub(super) async fn session(stream: TcpStream, peer: SocketAddr, shared: &Shared) {
    let start = Instant::now();
    let started = unix_now();
    let ms = || start.elapsed().as_millis() as u64;
    let mut watch = Watch::new(
        shared.lang,
        &shared.host,
        shared.port,
        shared.guess(),
        started,
    )
    .unexplained();
    if let Some(room) = &shared.room {
        watch.watched_in(room.clone(), &peer.to_string());
    }
    let mut stop = shared.stop.subscribe();
    // Accepted as the proxy stops: it ends at once, said and recorded.
    let stopping = *stop.borrow();
    let mut client: ClientSide = Side::Plain(stream);
    let target = format!("{}:{}", shared.host, shared.port);
    let connect = tokio::time::timeout(
        shared.cfg.handshake_timeout,
        TcpStream::connect((shared.host.as_str(), shared.port)),
    )
    .await;
    let mut up: UpSide = match connect {
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            Side::Plain(s)
        }
        Ok(Err(e)) => {
            let why = End::Unreachable(crate::net::client::connect_error(target.clone(), &e));
            say(&mut client, &mut watch, ms(), "4.4.1", &why).await;
            finish(peer, shared, &mut watch, None, &why);
            return;
        }
        Err(_) => {
            let why = End::Unreachable(NetFailure::ConnectTimeout {
                addr: target.clone(),
                secs: shared.cfg.handshake_timeout.as_secs(),
            });
            say(&mut client, &mut watch, ms(), "4.4.1", &why).await;
            finish(peer, shared, &mut watch, None, &why);
            return;
        }
    };
    let mut tls_summary: Option<String> = None;
    // Implicit TLS (ports 465, 995; RFC 8314): before any line.
    if shared.cfg.to_tls
        && let Some(tcp) = up.take_plain()
    {
        match upstream_tls(tcp, shared).await {
            Ok((tls, summary)) => {
                up = Side::Tls(Box::new(tls));
                tls_summary = Some(summary);
            }
            Err(why) => {
                if !shared.cfg.listen_tls {
                    say(&mut client, &mut watch, ms(), "4.4.2", &why).await;
                }
                finish(peer, shared, &mut watch, None, &why);
                return;
            }
        }
    }
    if shared.cfg.listen_tls
        && let Some(tcp) = client.take_plain()
    {
        match client_tls(tcp, shared).await {
            Ok((tls, h)) => {
                client = Side::Tls(Box::new(tls));
                watch.tls_up(ms(), h);
                tls_summary.get_or_insert_with(|| "client side only".to_string());
            }
            Err(why) => {
                up.shutdown().await;
                finish(peer, shared, &mut watch, None, &why);
                return;
            }
        }
    }
    let mut cbuf = vec![0u8; 16 * 1024];
    let mut ubuf = vec![0u8; 16 * 1024];
    let mut held: Vec<u8> = Vec::new();
    let mut client_done = false;
    let mut stopping = stopping;
    let end = loop {
        let awaiting = watch.awaiting_tls();
        let step = if std::mem::take(&mut stopping) {
            Step::Stop
        } else {
            tokio::select! {
            r = client.read(&mut cbuf), if !awaiting && !client_done => Step::Client(r),
            r = up.read(&mut ubuf) => Step::Upstream(r),
            _ = tokio::time::sleep(shared.cfg.idle_timeout) => Step::Idle,
            _ = stop.changed() => Step::Stop,
            }
        };
        match step {
            Step::Stop => {
                let why = End::Stopped;
                say(&mut client, &mut watch, ms(), "4.3.2", &why).await;
                break why;
            }
            Step::Idle => {
                let why = End::Idle;
                say(&mut client, &mut watch, ms(), "4.4.2", &why).await;
                break why;
            }
            Step::Client(Err(_)) => break End::ClientClosed,
            Step::Client(Ok(0)) => {
                // The client has finished sending (it may still read, as
                // after a half-close): the upstream is told the same way,
                // and its answer still goes back.
                client_done = true;
                up.shutdown().await;
            }
            Step::Client(Ok(n)) => {
                let data = &cbuf[..n];
                let cut = watch.client(ms(), data);
                let fwd = cut.unwrap_or(n);
                if let Err(e) = up.write_all(&data[..fwd]).await {
                    let why = End::Upstream(io_failure(&target, Stage::Write, &e));
                    say(&mut client, &mut watch, ms(), "4.4.2", &why).await;
                    break why;
                }
                if let Some(c) = cut {
                    held = data[c..].to_vec();
                }
            }
            Step::Upstream(r) => {
                let n = match r {
                    Ok(0) | Err(_) if watch.quit => break End::AfterQuit,
                    Ok(0) | Err(_) if client_done => break End::ClientClosed,
                    Ok(0) => {
                        let why = End::UpstreamClosed(target.clone());
                        say(&mut client, &mut watch, ms(), "4.4.2", &why).await;
                        break why;
                    }
                    Err(e) => {
                        let why = End::Upstream(io_failure(&target, Stage::Read, &e));
                        say(&mut client, &mut watch, ms(), "4.4.2", &why).await;
                        break why;
                    }
                    Ok(n) => n,
                };
                let data = &ubuf[..n];
                match watch.server(ms(), data) {
                    None => {
                        if client.write_all(data).await.is_err() {
                            break End::ClientClosed;
                        }
                    }
                    Some((_, false)) => {
                        if client.write_all(data).await.is_err() {
                            break End::ClientClosed;
                        }
                        // Refused: what the client sent after STARTTLS goes on.
                        let rest = std::mem::take(&mut held);
                        if !rest.is_empty() {
                            if let Some(c) = watch.client(ms(), &rest) {
                                held = rest[c..].to_vec();
                            }
                            let fwd = rest.len() - held.len();
                            if let Err(e) = up.write_all(&rest[..fwd]).await {
                                break End::Upstream(io_failure(&target, Stage::Write, &e));
                            }
                        }
                    }
                    Some((reply_end, true)) => {
                        // Octets after the go-ahead on either side, in the
                        // same packet, are not part of the TLS session
                        // (CVE-2011-0411): dropped.
                        let dropped = (n - reply_end) + std::mem::take(&mut held).len();
                        if dropped > 0 {
                            shared.log(fill(shared.lang, "proxy.log.injected", &[&peer, &dropped]));
                        }
                        let go_ahead = data[..reply_end].to_vec();
                        match intercept(&mut client, &mut up, &go_ahead, shared).await {
                            Ok((h, up_summary)) => {
                                watch.tls_up(ms(), h);
                                tls_summary = Some(up_summary);
                            }
                            Err((client_usable, why)) => {
                                if client_usable {
                                    say(&mut client, &mut watch, ms(), "4.4.2", &why).await;
                                }
                                break why;
                            }
                        }
                    }
                }
            }
        }
    };
    client.shutdown().await;
    up.shutdown().await;
    finish(peer, shared, &mut watch, tls_summary.as_deref(), &end);
}

/// The proxy speaks itself (the upstream failed): to the client, and in
/// the session, as what the client saw from the server's side.
async fn say(client: &mut ClientSide, watch: &mut Watch, ms: u64, code: &str, why: &End) {
    let text = refusal(watch.proto_or_guess(), code, &why.describe(Lang::En));
    watch.server(ms, text.as_bytes());
    let _ = client.write_all(text.as_bytes()).await;
}

pub(super) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
