//! `facteur proxy`: a real mail client's dialogue relayed to one upstream
//! server, read and explained on the way.
//!
//! Bytes are forwarded unchanged both ways, as they arrive (no line is
//! rewritten, none is delayed for a whole line). Beside the forwarding,
//! each connection has a [`crate::session::watch::Watch`]: both directions framed into
//! lines and pushed into a `session::live::Live`, which explains them in
//! the session's state (protocol from the greeting: `220` SMTP, `+OK`
//! POP3).
//!
//! STARTTLS (RFC 3207) and STLS (RFC 2595) are intercepted, openly: when
//! the upstream gives its go-ahead, the proxy first does TLS with the
//! upstream (rustls, system roots, `--insecure` for a lab server), then
//! passes the go-ahead on and does TLS with the client using its own
//! certificate, made at start, whose name says what it is
//! ([`crate::proto::tls::PROXY_CN`]; `--cert-out` writes it for clients to
//! trust). Every later line is seen decrypted. In real life this is a
//! man-in-the-middle attack; the explanation of the handshake says so.
//!
//! It forwards only to the one upstream it was given (never an open
//! relay). Limits as in `serve`: concurrent connections in all and per
//! address, an idle timeout, a handshake timeout, and bounded memory per
//! connection (a fixed read buffer, backpressure from the peer's socket,
//! lines longer than [`crate::session::watch::WATCH_LINE_LIMIT`] forwarded but not kept).
//! One log line per session on stderr; `--record-dir` writes one
//! transcript per connection.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::net::serve::limits::PerIp;
use crate::proto::Proto;
use crate::proto::tls::Handshake;
use crate::session::room::Room;

mod args;
mod error;
pub use error::ProxyError;
mod intercept;
mod record;
mod relay;

use crate::net::client::io_failure;
use crate::net::failure::{NetFailure, Stage};
use intercept::{client_tls, intercept, upstream_tls};
pub use record::record_name;
use record::{End, finish};
use relay::{ClientSide, NoTls, Side, UpSide, refuse, session};

use crate::session::watch::Watch;
pub use args::ProxyArgs;

/// Where the proxy forwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    Addr {
        host: String,
        port: u16,
    },
    /// The simulated world, started in this process on a free local port.
    World(Proto),
}

impl Upstream {
    /// `HOST:PORT`, `[v6]:PORT`, `world` (SMTP) or `world:pop3`.
    pub fn parse(s: &str) -> Result<Upstream, String> {
        match s.to_ascii_lowercase().as_str() {
            "world" | "world:smtp" => return Ok(Upstream::World(Proto::Smtp)),
            "world:pop3" => return Ok(Upstream::World(Proto::Pop3)),
            _ => {}
        }
        let (host, port) = s
            .rsplit_once(':')
            .ok_or_else(|| format!("--to {s}: HOST:PORT expected"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| format!("--to {s}: the port is not a number"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!("--to {s}: the host is missing"));
        }
        Ok(Upstream::Addr {
            host: host.to_string(),
            port,
        })
    }
}

/// How `facteur proxy` is set up.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    pub listen: SocketAddr,
    pub to: Upstream,
    pub insecure: bool,
    /// Implicit TLS with the clients (SMTPS 465, POP3S 995; RFC 8314).
    pub listen_tls: bool,
    /// Implicit TLS with the upstream.
    pub to_tls: bool,
    pub cert_out: Option<PathBuf>,
    pub record_dir: Option<PathBuf>,
    /// With `--to world`: a second door, for the world's other protocol.
    pub also_listen: Option<SocketAddr>,
    pub max_connections: usize,
    pub max_per_ip: usize,
    pub idle_timeout: Duration,
    pub handshake_timeout: Duration,
}

struct Shared {
    cfg: ProxyConfig,
    lang: Lang,
    host: String,
    port: u16,
    acceptor: TlsAcceptor,
    connector: TlsConnector,
    cert_der: Vec<u8>,
    slots: Semaphore,
    per_ip: PerIp,
    /// With a watching TUI: the connections' seats, and the log (which
    /// then does not go to stderr, under the TUI).
    room: Option<Arc<Room>>,
    /// The world's door: its protocol is known before any greeting.
    proto: Option<Proto>,
    /// Set when the proxy stops: every session says so to its client,
    /// ends, and is logged and recorded.
    stop: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    /// The protocol until the greeting says: known for the world's doors,
    /// else guessed from the upstream's port.
    fn guess(&self) -> Proto {
        self.proto.unwrap_or_else(|| guess_proto(self.port))
    }

    /// A line of the log: stderr, or the watcher's log pane.
    fn log(&self, line: String) {
        match &self.room {
            Some(room) => room.log(line),
            None => eprintln!("{line}"),
        }
    }
}

/// Run the proxy until Ctrl-C, logging to stderr (no terminal: CI, a script).
pub fn run(cfg: ProxyConfig, lang: Lang) -> Result<(), ProxyError> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let doors = setup(cfg, lang, None).await?;
        let shared: Vec<Arc<Shared>> = doors.iter().map(|(_, s)| s.clone()).collect();
        let accepting: Vec<_> = doors
            .into_iter()
            .map(|(listener, s)| tokio::spawn(accept_loop(listener, s)))
            .collect();
        eprintln!("{}", text(lang, "proxy.log.ready"));
        // SIGTERM too (`kill`, systemd): once tokio handles it for the
        // world started inside, its default action no longer applies.
        crate::net::serve::stop_signal().await;
        eprintln!("{}", text(lang, "proxy.log.stopping"));
        for a in &accepting {
            a.abort();
        }
        stop_all(&shared).await;
        Ok(())
    })
}

/// Every session is told to end (the client hears it: SMTP 421 4.3.2,
/// POP3 -ERR), and is logged and recorded; at most 3 s are waited for.
async fn stop_all(doors: &[Arc<Shared>]) {
    // Every door told first, then waited for together.
    for s in doors {
        s.stop.send_replace(true);
    }
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        for s in doors {
            let all = u32::try_from(s.cfg.max_connections).unwrap_or(u32::MAX);
            let _ = s.slots.acquire_many(all).await;
        }
    })
    .await;
}

/// A proxy running in the background, for a watching TUI.
pub struct Running {
    runtime: tokio::runtime::Runtime,
    shared: Vec<Arc<Shared>>,
    accepting: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stop accepting, end every session (each logged and recorded), stop.
    pub fn stop(self) {
        for a in &self.accepting {
            a.abort();
        }
        self.runtime.block_on(stop_all(&self.shared));
        self.runtime.shutdown_background();
    }
}

/// A proxy running in the background for a watching TUI: its connections
/// are published in `room`, its log too. Returns it and what it does, for
/// the TUI's title ("127.0.0.1:2526 → mx.example:25").
pub fn spawn(
    cfg: ProxyConfig,
    lang: Lang,
    room: Arc<Room>,
) -> Result<(Running, String), ProxyError> {
    let runtime = runtime()?;
    let doors = runtime.block_on(setup(cfg, lang, Some(room.clone())))?;
    let title = doors
        .iter()
        .map(|(listener, s)| {
            let local = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            let world = if matches!(s.cfg.to, Upstream::World(_)) {
                "world "
            } else {
                ""
            };
            format!("{local} → {world}{}:{}", s.host, s.port)
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let shared = doors.iter().map(|(_, s)| s.clone()).collect();
    // SIGTERM or SIGINT from outside (`kill`): the watcher quits, and
    // quitting stops the proxy as usual. (The world inside, if any, has
    // taken over these signals' handling: without this the process stays.)
    runtime.spawn(async move {
        crate::net::serve::stop_signal().await;
        room.request_stop();
    });
    let accepting = doors
        .into_iter()
        .map(|(listener, s)| runtime.spawn(accept_loop(listener, s)))
        .collect();
    Ok((
        Running {
            runtime,
            shared,
            accepting,
        },
        title,
    ))
}

fn runtime() -> Result<tokio::runtime::Runtime, ProxyError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ProxyError::Runtime)
}

/// The upstream found (or the world started), the certificate made, the
/// listener bound: one door, or two with `--to world --also-listen`.
async fn setup(
    cfg: ProxyConfig,
    lang: Lang,
    room: Option<Arc<Room>>,
) -> Result<Vec<(TcpListener, Arc<Shared>)>, ProxyError> {
    let mut cfg = cfg;
    // The world is started here, with its own self-signed certificate:
    // there is no authority to check it against, and no one to fool.
    if matches!(cfg.to, Upstream::World(_)) {
        cfg.insecure = true;
    }
    // With --also-listen, the world's other protocol: (listen, host, port).
    let mut also: Option<(SocketAddr, String, u16)> = None;
    let (first_proto, other_proto) = match cfg.to {
        Upstream::World(Proto::Smtp) => (Some(Proto::Smtp), Some(Proto::Pop3)),
        Upstream::World(Proto::Pop3) => (Some(Proto::Pop3), Some(Proto::Smtp)),
        Upstream::Addr { .. } => (None, None),
    };
    let (host, port) = match &cfg.to {
        Upstream::Addr { host, port } => (host.clone(), *port),
        Upstream::World(proto) => {
            let world = crate::net::serve::ServeConfig {
                smtp: SocketAddr::from(([127, 0, 0, 1], 0)),
                pop3: SocketAddr::from(([127, 0, 0, 1], 0)),
                log_room: room.clone(),
                lang,
                ..Default::default()
            };
            // It lives as long as the proxy (the process).
            let (bound, _lives_on) = crate::net::serve::spawn_background(world)?;
            // The world is this proxy's own: a second proxy with --to world
            // would have another one. Say where its other door is.
            let door = |name: &str| {
                bound
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, a)| a.to_string())
                    .unwrap_or_default()
            };
            let line = fill(
                lang,
                "proxy.log.world",
                &[&door("SMTP facteur.lab"), &door("POP3 facteur.lab")],
            );
            match &room {
                Some(room) => room.log(line),
                None => eprintln!("{line}"),
            }
            let (want, other) = match proto {
                Proto::Smtp => ("SMTP facteur.lab", "POP3 facteur.lab"),
                Proto::Pop3 => ("POP3 facteur.lab", "SMTP facteur.lab"),
            };
            if let (Some(listen), Some((_, a))) =
                (cfg.also_listen, bound.iter().find(|(k, _)| k == other))
            {
                also = Some((listen, a.ip().to_string(), a.port()));
            }
            let addr = bound
                .iter()
                .find(|(k, _)| k == want)
                .map(|(_, a)| *a)
                .ok_or(crate::net::serve::ServeError::Ended)?;
            (addr.ip().to_string(), addr.port())
        }
    };
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        crate::net::serve::FRONT_NAME.to_string(),
    ];
    if !names.contains(&host) {
        names.push(host.clone());
    }
    let tls = crate::net::tls::self_signed_as(names, crate::proto::tls::PROXY_CN)?;
    if let Some(path) = &cfg.cert_out {
        std::fs::write(path, &tls.cert_pem).map_err(|source| ProxyError::CertOut {
            path: path.clone(),
            source,
        })?;
        let line = fill(lang, "proxy.log.cert_out", &[&path.display()]);
        match &room {
            Some(room) => room.log(line),
            None => eprintln!("{line}"),
        }
    }
    if let Some(dir) = &cfg.record_dir {
        std::fs::create_dir_all(dir).map_err(|source| ProxyError::RecordDir {
            path: dir.clone(),
            source,
        })?;
    }
    let connector =
        crate::net::client::tls_connector(cfg.insecure).map_err(|_| ProxyError::Connector)?;
    let listener = TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| ProxyError::Bind {
            addr: cfg.listen,
            source,
        })?;
    let acceptor = TlsAcceptor::from(tls.config);
    let door = |listener: &TcpListener, host: String, port: u16, proto: Option<Proto>| {
        let local = listener.local_addr().unwrap_or(cfg.listen);
        let shared = Arc::new(Shared {
            slots: Semaphore::new(cfg.max_connections),
            per_ip: PerIp::default(),
            lang,
            host,
            port,
            acceptor: acceptor.clone(),
            connector: connector.clone(),
            cert_der: tls.cert_der.clone(),
            cfg: cfg.clone(),
            room: room.clone(),
            proto,
            stop: tokio::sync::watch::channel(false).0,
        });
        shared.log(fill(
            shared.lang,
            "proxy.log.listening",
            &[&local, &format!("{}:{}", shared.host, shared.port)],
        ));
        shared
    };
    let first = door(&listener, host, port, first_proto);
    let mut doors = vec![(listener, first)];
    if let Some((addr, host, port)) = also {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ProxyError::Bind { addr, source })?;
        let shared = door(&listener, host, port, other_proto);
        doors.push((listener, shared));
    }
    Ok(doors)
}

/// Accept connections until the runtime stops.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let (stream, peer) = crate::net::conn::accept(&listener, |e, n| {
            shared.log(fill(
                shared.lang,
                "net.log.accept_failed",
                &[&crate::explain::diag::io_error(shared.lang, e), &n],
            ))
        })
        .await;
        let shared = shared.clone();
        tokio::spawn(async move {
            let guess = shared.guess();
            let Ok(permit) = shared.slots.try_acquire() else {
                let mut s = Side::<NoTls>::Plain(stream);
                refuse(&mut s, guess, "4.7.0", "too many connections").await;
                shared.log(fill(shared.lang, "net.log.too_many", &[&peer]));
                return;
            };
            if !shared.per_ip.connect(peer.ip(), shared.cfg.max_per_ip) {
                // The slot is given back before refusing (one address must
                // not take the others' slots).
                drop(permit);
                let mut s = Side::<NoTls>::Plain(stream);
                refuse(
                    &mut s,
                    guess,
                    "4.7.0",
                    "too many connections from your address",
                )
                .await;
                shared.log(fill(shared.lang, "net.log.too_many_ip", &[&peer]));
                return;
            }
            session(stream, peer, &shared).await;
            shared.per_ip.disconnect(peer.ip());
            drop(permit);
        });
    }
}

/// Until the greeting says, the protocol is guessed from the upstream's
/// port (what the proxy says itself if the upstream never answers).
fn guess_proto(port: u16) -> Proto {
    match port {
        110 | 995 | 1110 | 9995 => Proto::Pop3,
        _ => Proto::Smtp,
    }
}

#[cfg(test)]
mod tests;
