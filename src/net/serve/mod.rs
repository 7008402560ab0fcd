//! `facteur serve`: the simulated world on TCP, for a whole lab room.
//!
//! By default one SMTP port and one POP3 port play every host of the world:
//! the SMTP port is the MX of every world domain for strangers (no relaying
//! for them) and, once a user has authenticated, that user's own ISP server
//! (fred → smtp.free.fr, which then relays to the recipient's MX through a
//! recorded SMTP dialogue). The POP3 port serves every mailbox. With
//! `--host-ports`, each host of the world also gets its own port.
//!
//! TLS: a self-signed certificate for every host name is made at start;
//! STARTTLS (RFC 3207) and STLS (RFC 2595) are offered on the plain ports,
//! and `--smtps` / `--pop3s` add implicit-TLS ports (RFC 8314).
//!
//! Limits: a maximum of concurrent connections (the one past it gets 421 /
//! `-ERR [SYS/TEMP]`), an idle timeout (421 4.4.2 / `-ERR`), the message
//! size of the SMTP sessions. One log line per session on stderr.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::explain::catalog::{fill, text};
use crate::net::conn::Conn;
use crate::net::tls;
use crate::session::room::Room;
use crate::sim::mta::Mta;
use crate::sim::world::World;

/// The name the front port uses in its greeting.
pub const FRONT_NAME: &str = "facteur.lab";

/// Connections one address may hold by default. A lab room often reaches
/// the server from behind one NAT address: 30 students, each with a TUI
/// (one connection), a mail client (SMTP and POP3 at once) and a retry or
/// two, need about 100; one hostile address still cannot take the other
/// half of the default 200 slots.
pub const DEFAULT_MAX_PER_IP: usize = 100;

/// How `facteur serve` is set up.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub smtp: SocketAddr,
    pub pop3: SocketAddr,
    /// Implicit-TLS SMTP (submissions, RFC 8314 §3.3).
    pub smtps: Option<SocketAddr>,
    /// Implicit-TLS POP3 (RFC 8314 §3.3).
    pub pop3s: Option<SocketAddr>,
    /// Give each host of the world its own port: SMTP hosts from this port
    /// up, POP3 hosts from this port + 100 up.
    pub host_ports: Option<u16>,
    pub max_connections: usize,
    /// Connections one client address may hold at once.
    pub max_per_ip: usize,
    pub idle_timeout: Duration,
    /// A TLS handshake (STARTTLS, STLS, implicit TLS) must finish within this.
    pub handshake_timeout: Duration,
    /// AUTH (SMTP) and USER/PASS/APOP/AUTH (POP3) only inside TLS
    /// (RFC 4954 §4: a server MUST be configurable so).
    pub require_tls_for_auth: bool,
    pub max_size: usize,
    /// Per mailbox, and for all mailboxes together.
    pub limits: crate::sim::mta::Limits,
    /// The n-th failed login of a session is answered after n times this.
    pub auth_delay: Duration,
    pub store: Option<PathBuf>,
    /// Write the self-signed certificate (PEM) here, for clients to trust.
    pub cert_out: Option<PathBuf>,
    pub world: World,
    /// Read the teacher's commands (mailq, flush, wait, time) on stdin.
    pub console: bool,
    /// The language of the console's answers.
    pub lang: crate::explain::Lang,
    /// Record one transcript per session here (as `facteur proxy` does).
    pub record_dir: Option<PathBuf>,
    /// A watching TUI (`--watch`): every session is published here, and
    /// the log goes there instead of stderr.
    pub room: Option<Arc<Room>>,
    /// The log goes here instead of stderr, without the sessions (the
    /// world behind `facteur proxy --to world`, under the proxy's TUI).
    pub log_room: Option<Arc<Room>>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            smtp: SocketAddr::from(([127, 0, 0, 1], 2525)),
            pop3: SocketAddr::from(([127, 0, 0, 1], 1110)),
            smtps: None,
            pop3s: None,
            host_ports: None,
            max_connections: 200,
            max_per_ip: DEFAULT_MAX_PER_IP,
            idle_timeout: Duration::from_secs(300),
            handshake_timeout: Duration::from_secs(10),
            require_tls_for_auth: false,
            max_size: 10 * 1024 * 1024,
            limits: crate::sim::mta::Limits::default(),
            auth_delay: Duration::from_millis(1000),
            store: None,
            cert_out: None,
            world: World::default(),
            console: false,
            lang: crate::explain::Lang::En,
            record_dir: None,
            room: None,
            log_room: None,
        }
    }
}

/// A line of the log: stderr, or the watching TUI's log pane (stderr
/// would be drawn over the TUI).
fn log_to(room: Option<&Room>, line: String) {
    match room {
        Some(room) => room.log(line),
        None => eprintln!("{line}"),
    }
}

impl Shared {
    fn log(&self, line: String) {
        log_to(
            self.cfg.room.as_deref().or(self.cfg.log_room.as_deref()),
            line,
        );
    }
}

struct Shared {
    mta: Mutex<Mta>,
    slots: Semaphore,
    tls: TlsAcceptor,
    /// The lab certificate, for the recorded handshakes.
    cert_der: Vec<u8>,
    cfg: ServeConfig,
    per_ip: PerIp,
    /// Set when the server stops: every session says goodbye and closes.
    shutdown: tokio::sync::watch::Sender<bool>,
    /// Sessions still running, and a wake-up when the last one ends.
    active: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

use crate::proto::Proto;

mod args;
mod down;
mod error;
pub use error::ServeError;
pub(crate) mod limits;
mod queue;
mod session;
mod startup;

pub use args::ServeArgs;
use limits::PerIp;
use session::connection;
pub use startup::host_ports;

/// The world's lock; a panic elsewhere must not stop the others (the data
/// stays consistent: every change is one call).
fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Mta> {
    shared.mta.lock().unwrap_or_else(|e| e.into_inner())
}

/// One listening port and what it plays.
#[derive(Debug, Clone)]
struct Listener {
    proto: Proto,
    /// The host played, or None for the front port.
    host: Option<String>,
    implicit_tls: bool,
}

impl Listener {
    fn name(&self) -> &str {
        self.host.as_deref().unwrap_or(FRONT_NAME)
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Run the server until Ctrl-C. One thread moves the bytes (sessions are
/// cheap state machines; measured faster than two workers fighting over the
/// world's lock on a 2-core machine); fsyncs run in tokio's blocking pool.
/// Prints one line per listener on stderr (`SMTP facteur.lab listening on
/// 127.0.0.1:2525`), then one per session.
pub fn run(cfg: ServeConfig) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(serve(cfg, None, None))
}

/// The addresses `serve` listens on, as its log names them ("SMTP
/// facteur.lab", "POP3 facteur.lab", …), once they are bound.
pub type Bound = Vec<(String, SocketAddr)>;

/// Start the server on its own thread (with its own runtime) and return
/// once it listens: what `facteur proxy --to world` forwards to, and what
/// `serve --watch` runs behind its TUI. It runs until the process stops,
/// or until [`Background::stop`].
pub fn spawn_background(cfg: ServeConfig) -> Result<(Bound, Background), ServeError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (done_tx, done) = std::sync::mpsc::channel();
    let stop = Arc::new(tokio::sync::Notify::new());
    let fail = tx.clone();
    let told = stop.clone();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                let _ = fail.send(Err(ServeError::Runtime(e)));
                return;
            }
        };
        if let Err(e) = runtime.block_on(serve(cfg, Some(tx), Some(told))) {
            let _ = fail.send(Err(e));
        }
        let _ = done_tx.send(());
    });
    let bound = rx.recv().unwrap_or(Err(ServeError::Ended))?;
    Ok((bound, Background { stop, done }))
}

/// A server started by [`spawn_background`].
#[derive(Debug)]
pub struct Background {
    stop: Arc<tokio::sync::Notify>,
    done: std::sync::mpsc::Receiver<()>,
}

impl Background {
    /// Stop as on Ctrl-C: every session is told (and logged, recorded),
    /// waited for 5 s at most.
    pub fn stop(self) {
        self.stop.notify_one();
        let _ = self.done.recv_timeout(Duration::from_secs(6));
    }
}

async fn serve(
    cfg: ServeConfig,
    ready: Option<std::sync::mpsc::Sender<Result<Bound, ServeError>>>,
    stop: Option<Arc<tokio::sync::Notify>>,
) -> Result<(), ServeError> {
    let cfg_room = cfg.room.clone().or(cfg.log_room.clone());
    let cfg_lang = cfg.lang;
    let store = startup::open_store(&cfg)?;
    let tls = startup::certificate(&cfg)?;
    let seed = (unix_now() as u64) ^ (u64::from(std::process::id()) << 32);
    let mut mta = Mta::new(cfg.world.clone(), store, seed);
    mta.limits = cfg.limits;
    mta.set_now(unix_now());
    let listeners = startup::listeners(&cfg);
    if let Some(dir) = &cfg.record_dir {
        std::fs::create_dir_all(dir).map_err(|source| ServeError::RecordDir {
            path: dir.clone(),
            source,
        })?;
    }
    let shared = Arc::new(Shared {
        mta: Mutex::new(mta),
        slots: Semaphore::new(cfg.max_connections),
        tls: TlsAcceptor::from(tls.config),
        cert_der: tls.cert_der,
        cfg,
        per_ip: PerIp::default(),
        shutdown: tokio::sync::watch::channel(false).0,
        active: std::sync::atomic::AtomicUsize::new(0),
        idle: tokio::sync::Notify::new(),
    });
    let mut tasks = Vec::new();
    let mut bound = Vec::new();
    for (addr, kind) in listeners {
        let listener = listen(addr).map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr().unwrap_or(addr);
        let proto = match (kind.proto, kind.implicit_tls) {
            (Proto::Smtp, false) => "SMTP",
            (Proto::Smtp, true) => "SMTPS",
            (Proto::Pop3, false) => "POP3",
            (Proto::Pop3, true) => "POP3S",
        };
        log_to(
            cfg_room.as_deref(),
            fill(
                cfg_lang,
                "serve.log.listening",
                &[&proto, &kind.name(), &local],
            ),
        );
        bound.push((format!("{proto} {}", kind.name()), local));
        tasks.push(tokio::spawn(accept_loop(listener, kind, shared.clone())));
    }
    // The world's time: the queue is retried as it passes.
    tasks.push(tokio::spawn(queue::manager(shared.clone())));
    if shared.cfg.console {
        tasks.push(tokio::spawn(queue::console(shared.clone())));
    }
    log_to(cfg_room.as_deref(), text(cfg_lang, "serve.log.ready"));
    if let Some(tx) = ready {
        let _ = tx.send(Ok(bound));
    }
    match stop {
        Some(stop) => {
            tokio::select! {
                _ = stop_signal() => {}
                _ = stop.notified() => {}
            }
        }
        None => stop_signal().await,
    }
    log_to(cfg_room.as_deref(), text(cfg_lang, "serve.log.stopping"));
    // A watcher in front (`--watch`) quits with the server (SIGTERM).
    if let Some(room) = &shared.cfg.room {
        room.request_stop();
    }
    // Stop accepting, tell every session (SMTP 421 4.3.2, POP3 -ERR without
    // UPDATE), and wait for them — 5 s at most.
    for t in tasks {
        t.abort();
    }
    let _ = shared.shutdown.send(true);
    let all_closed = async {
        loop {
            let wake = shared.idle.notified();
            if shared.active.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                break;
            }
            wake.await;
        }
    };
    if tokio::time::timeout(Duration::from_secs(5), all_closed)
        .await
        .is_err()
    {
        log_to(cfg_room.as_deref(), text(cfg_lang, "serve.log.lingering"));
    }
    // The store's writes are made durable before each 250; nothing is left to flush.
    Ok(())
}

/// Ctrl-C (SIGINT) or SIGTERM (what systemd and `kill` send).
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A listening socket with a backlog deep enough for a classroom burst
/// (tokio's default of 128 drops connections when 1,000 arrive at once).
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

async fn accept_loop(listener: TcpListener, kind: Listener, shared: Arc<Shared>) {
    loop {
        let (stream, peer) = crate::net::conn::accept(&listener, |e, n| {
            let lang = shared.cfg.lang;
            shared.log(fill(
                lang,
                "net.log.accept_failed",
                &[&crate::explain::diag::io_error(lang, e), &n],
            ))
        })
        .await;
        let shared = shared.clone();
        let kind = kind.clone();
        tokio::spawn(async move {
            let Ok(permit) = shared.slots.try_acquire() else {
                refuse(stream, &kind, false).await;
                shared.log(fill(shared.cfg.lang, "net.log.too_many", &[&peer]));
                return;
            };
            if !shared.per_ip.connect(peer.ip(), shared.cfg.max_per_ip) {
                // The slot is given back before refusing: refusing one
                // address must not take the room's slots from the others.
                drop(permit);
                refuse(stream, &kind, true).await;
                shared.log(fill(shared.cfg.lang, "net.log.too_many_ip", &[&peer]));
                return;
            }
            shared
                .active
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            connection(stream, peer, kind, &shared).await;
            shared.per_ip.disconnect(peer.ip());
            drop(permit);
            if shared
                .active
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst)
                == 1
            {
                shared.idle.notify_waiters();
            }
        });
    }
}

async fn refuse(stream: TcpStream, kind: &Listener, this_address: bool) {
    let line: &[u8] = match (kind.proto, this_address) {
        (Proto::Smtp, false) => b"421 4.7.0 Error: too many connections, try again later\r\n",
        (Proto::Pop3, false) => b"-ERR [SYS/TEMP] too many connections, try again later\r\n",
        // Postfix's anvil says the same for its per-client limit.
        (Proto::Smtp, true) => b"421 4.7.0 Error: too many connections from your address\r\n",
        (Proto::Pop3, true) => b"-ERR [IN-USE] too many connections from your address\r\n",
    };
    // On an implicit-TLS port the connection is closed without a word: a
    // TLS handshake only to say 421 would let a flood of silent
    // connections hold a task and a descriptor each for the whole
    // handshake timeout.
    if kind.implicit_tls {
        return;
    }
    let mut conn = Conn::Plain(stream);
    let say = async {
        let _ = conn.write_all(line).await;
        conn.shutdown().await;
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), say).await;
}
