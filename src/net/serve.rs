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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::net::conn::Conn;
use crate::net::tls;
use crate::sim::Output;
use crate::sim::mta::{Mta, PopView, Role};
use crate::sim::pop3_server::{Pop3Config, Pop3Session};
use crate::sim::smtp_server::{SessionInfo, SmtpConfig, SmtpSession};
use crate::sim::store::Store;
use crate::sim::world::World;

/// The name the front port uses in its greeting.
pub const FRONT_NAME: &str = "facteur.lab";

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
    pub idle_timeout: Duration,
    pub max_size: usize,
    /// The n-th failed login of a session is answered after n times this.
    pub auth_delay: Duration,
    pub store: Option<PathBuf>,
    /// Write the self-signed certificate (PEM) here, for clients to trust.
    pub cert_out: Option<PathBuf>,
    pub world: World,
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
            idle_timeout: Duration::from_secs(300),
            max_size: 10 * 1024 * 1024,
            auth_delay: Duration::from_millis(1000),
            store: None,
            cert_out: None,
            world: World::default(),
        }
    }
}

/// The command line of `facteur serve` (its help is translated from the
/// catalog's `cli.serve.*` entries).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// SMTP address (every MX of the world; the user's ISP server after AUTH)
    #[arg(long, default_value = "127.0.0.1:2525", value_name = "ADDR")]
    pub smtp: SocketAddr,
    /// POP3 address (every mailbox of the world)
    #[arg(long, default_value = "127.0.0.1:1110", value_name = "ADDR")]
    pub pop3: SocketAddr,
    /// Also listen with implicit TLS for SMTP (e.g. 127.0.0.1:4465; RFC 8314)
    #[arg(long, value_name = "ADDR")]
    pub smtps: Option<SocketAddr>,
    /// Also listen with implicit TLS for POP3 (e.g. 127.0.0.1:9995; RFC 8314)
    #[arg(long, value_name = "ADDR")]
    pub pop3s: Option<SocketAddr>,
    /// Write the self-signed TLS certificate (PEM) to FILE, for clients to trust
    #[arg(long, value_name = "FILE")]
    pub cert_out: Option<PathBuf>,
    /// Also give each host its own port: SMTP hosts from PORT up, POP3 hosts from PORT+100 up
    #[arg(long, value_name = "PORT")]
    pub host_ports: Option<u16>,
    /// A world described in JSON (domains, users, lists, aliases, hosts)
    #[arg(long, value_name = "FILE")]
    pub world: Option<PathBuf>,
    /// Add N student accounts eleve01… (password = account name) and a list "classe"
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub students: usize,
    /// Keep the mailboxes on disk in DIR (they survive a restart)
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Maximum concurrent connections
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_connections: usize,
    /// Idle timeout in seconds
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// Maximum message size in octets (announced by SIZE)
    #[arg(long, value_name = "OCTETS", default_value_t = 10 * 1024 * 1024)]
    pub max_size: usize,
    /// Failed logins are answered slowly: the n-th after n × MS milliseconds
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub auth_delay: u64,
}

impl ServeArgs {
    /// Load the world (file, students) and make the configuration.
    pub fn into_config(self) -> Result<ServeConfig, crate::sim::world::WorldError> {
        let mut world = match &self.world {
            Some(path) => World::load(path)?,
            None => World::default(),
        };
        world.add_students(self.students);
        Ok(ServeConfig {
            smtp: self.smtp,
            pop3: self.pop3,
            smtps: self.smtps,
            pop3s: self.pop3s,
            host_ports: self.host_ports,
            max_connections: self.max_connections,
            idle_timeout: Duration::from_secs(self.timeout),
            max_size: self.max_size,
            auth_delay: Duration::from_millis(self.auth_delay),
            store: self.store,
            cert_out: self.cert_out,
            world,
        })
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the store {path}: {source}")]
    Store {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Another process holds the store (RFC-less, but one writer per
    /// Maildir counter: two servers would overwrite each other's mail).
    #[error(
        "the store {path} is already used by another facteur serve (PID {}); stop it first, or give another --store",
        pid.map_or_else(|| "?".to_string(), |p| p.to_string())
    )]
    StoreBusy { path: PathBuf, pid: Option<u32> },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsSetupError),
    #[error("cannot write the certificate to {path}: {source}")]
    CertOut {
        path: PathBuf,
        source: std::io::Error,
    },
}

struct Shared {
    mta: Mutex<Mta>,
    slots: Semaphore,
    tls: TlsAcceptor,
    cfg: ServeConfig,
}

use crate::explain::session::Proto;

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

/// The per-host ports of `--host-ports BASE`: (address, host, protocol).
pub fn host_ports(cfg: &ServeConfig, base: u16) -> Vec<(SocketAddr, String, &'static str)> {
    let mut out = Vec::new();
    for (i, h) in cfg.world.smtp_hosts().into_iter().enumerate() {
        out.push((
            SocketAddr::new(cfg.smtp.ip(), base.saturating_add(i as u16)),
            h,
            "SMTP",
        ));
    }
    for (i, h) in cfg.world.pop_hosts().into_iter().enumerate() {
        out.push((
            SocketAddr::new(cfg.pop3.ip(), base.saturating_add(100 + i as u16)),
            h,
            "POP3",
        ));
    }
    out
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
    runtime.block_on(serve(cfg))
}

async fn serve(cfg: ServeConfig) -> Result<(), ServeError> {
    let store = match &cfg.store {
        Some(dir) => {
            let store = Store::open(dir).map_err(|e| match e {
                crate::sim::store::OpenError::Busy { pid } => ServeError::StoreBusy {
                    path: dir.clone(),
                    pid,
                },
                crate::sim::store::OpenError::Io(source) => ServeError::Store {
                    path: dir.clone(),
                    source,
                },
            })?;
            if store.report.converted > 0 {
                eprintln!(
                    "store {}: {} message(s) converted from the earlier format to Maildir (UIDLs kept)",
                    dir.display(),
                    store.report.converted
                );
            }
            for p in &store.report.skipped {
                eprintln!(
                    "store: skipped {} (not a message of a Maildir)",
                    crate::proto::visible::visible_str(&p.display().to_string())
                );
            }
            store
        }
        None => Store::in_memory(),
    };
    let mut names: Vec<String> = cfg.world.smtp_hosts();
    names.extend(cfg.world.pop_hosts());
    names.extend([FRONT_NAME.to_string(), "localhost".to_string()]);
    let tls = tls::self_signed(names)?;
    if let Some(path) = &cfg.cert_out {
        std::fs::write(path, &tls.cert_pem).map_err(|source| ServeError::CertOut {
            path: path.clone(),
            source,
        })?;
        eprintln!(
            "TLS certificate (self-signed) written to {}",
            path.display()
        );
    }
    let seed = (unix_now() as u64) ^ (u64::from(std::process::id()) << 32);
    let mut mta = Mta::new(cfg.world.clone(), store, seed);
    mta.set_now(unix_now());
    let front = |proto, implicit_tls| Listener {
        proto,
        host: None,
        implicit_tls,
    };
    let mut listeners = vec![
        (cfg.smtp, front(Proto::Smtp, false)),
        (cfg.pop3, front(Proto::Pop3, false)),
    ];
    if let Some(a) = cfg.smtps {
        listeners.push((a, front(Proto::Smtp, true)));
    }
    if let Some(a) = cfg.pop3s {
        listeners.push((a, front(Proto::Pop3, true)));
    }
    if let Some(base) = cfg.host_ports {
        for (addr, host, proto) in host_ports(&cfg, base) {
            let proto = if proto == "SMTP" {
                Proto::Smtp
            } else {
                Proto::Pop3
            };
            listeners.push((
                addr,
                Listener {
                    proto,
                    host: Some(host),
                    implicit_tls: false,
                },
            ));
        }
    }
    let shared = Arc::new(Shared {
        mta: Mutex::new(mta),
        slots: Semaphore::new(cfg.max_connections),
        tls: TlsAcceptor::from(tls.config),
        cfg,
    });
    let mut tasks = Vec::new();
    for (addr, kind) in listeners {
        let listener = listen(addr).map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr().unwrap_or(addr);
        let proto = match (kind.proto, kind.implicit_tls) {
            (Proto::Smtp, false) => "SMTP",
            (Proto::Smtp, true) => "SMTPS",
            (Proto::Pop3, false) => "POP3",
            (Proto::Pop3, true) => "POP3S",
        };
        eprintln!("{proto} {} listening on {local}", kind.name());
        tasks.push(tokio::spawn(accept_loop(listener, kind, shared.clone())));
    }
    eprintln!("facteur serve: ready (Ctrl-C stops)");
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("facteur serve: stopping");
    for t in tasks {
        t.abort();
    }
    Ok(())
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
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                eprintln!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let kind = kind.clone();
        tokio::spawn(async move {
            let Ok(permit) = shared.slots.try_acquire() else {
                refuse(stream, &kind, &shared).await;
                eprintln!("{peer}: refused, too many connections");
                return;
            };
            connection(stream, peer, kind, &shared).await;
            drop(permit);
        });
    }
}

async fn refuse(stream: TcpStream, kind: &Listener, shared: &Shared) {
    let line: &[u8] = match kind.proto {
        Proto::Smtp => b"421 4.7.0 Error: too many connections, try again later\r\n",
        Proto::Pop3 => b"-ERR [SYS/TEMP] too many connections, try again later\r\n",
    };
    let mut conn = Conn::Plain(stream);
    if kind.implicit_tls {
        match tokio::time::timeout(Duration::from_secs(5), conn.start_tls(&shared.tls)).await {
            Ok(Ok(c)) => conn = c,
            _ => return,
        }
    }
    let _ = conn.write_all(line).await;
    conn.shutdown().await;
}

/// A server session as the driver sees it: SMTP or POP3.
trait Served {
    fn greeting(&self) -> Output;
    fn input(&mut self, bytes: &[u8], mta: &mut Mta) -> Vec<Output>;
    fn timeout(&mut self, mta: &mut Mta) -> Vec<Output>;
    fn lost(&mut self, mta: &mut Mta);
    fn tls_established(&mut self);
    fn is_closed(&self) -> bool;
    /// A command line is half received.
    fn line_pending(&self) -> bool;
    /// What the log line says of the session.
    fn summary(&self) -> String;
}

struct SmtpServed {
    session: SmtpSession,
    role: Role,
}

impl Served for SmtpServed {
    fn greeting(&self) -> Output {
        self.session.greeting()
    }
    fn input(&mut self, bytes: &[u8], mta: &mut Mta) -> Vec<Output> {
        let mut view = mta.smtp(self.role.clone());
        self.session.handle(bytes, &mut view)
    }
    fn timeout(&mut self, _: &mut Mta) -> Vec<Output> {
        self.session.timeout()
    }
    fn lost(&mut self, _: &mut Mta) {
        self.session.connection_lost();
    }
    fn tls_established(&mut self) {
        self.session.tls_established();
    }
    fn is_closed(&self) -> bool {
        self.session.is_closed()
    }
    fn line_pending(&self) -> bool {
        self.session.line_pending()
    }
    fn summary(&self) -> String {
        let info = self.session.info();
        format!(
            "helo={} auth={}",
            info.helo.as_deref().unwrap_or("-"),
            info.authenticated.as_deref().unwrap_or("-")
        )
    }
}

struct PopServed {
    session: Pop3Session,
    host: Option<String>,
    user: Option<String>,
}

impl Served for PopServed {
    fn greeting(&self) -> Output {
        self.session.greeting()
    }
    fn input(&mut self, bytes: &[u8], mta: &mut Mta) -> Vec<Output> {
        let mut view = PopView {
            mta,
            host: self.host.clone(),
        };
        let outs = self.session.handle(bytes, &mut view);
        if let Some(m) = self.session.mailbox() {
            self.user = Some(m.to_string());
        }
        outs
    }
    fn timeout(&mut self, mta: &mut Mta) -> Vec<Output> {
        let mut view = PopView {
            mta,
            host: self.host.clone(),
        };
        self.session.timeout(&mut view)
    }
    fn lost(&mut self, mta: &mut Mta) {
        // Whatever happened, a maildrop still held is released, removing nothing.
        let mut view = PopView {
            mta,
            host: self.host.clone(),
        };
        self.session.connection_lost(&mut view);
    }
    fn tls_established(&mut self) {
        self.session.tls_established();
    }
    fn is_closed(&self) -> bool {
        self.session.is_closed()
    }
    fn line_pending(&self) -> bool {
        self.session.line_pending()
    }
    fn summary(&self) -> String {
        format!("user={}", self.user.as_deref().unwrap_or("-"))
    }
}

/// The world's lock; a panic elsewhere must not stop the others (the data
/// stays consistent: every change is one call).
fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Mta> {
    shared.mta.lock().unwrap_or_else(|e| e.into_inner())
}

async fn connection(stream: TcpStream, peer: SocketAddr, kind: Listener, shared: &Shared) {
    let started = Instant::now();
    let mut conn = Conn::Plain(stream);
    if kind.implicit_tls {
        match tokio::time::timeout(shared.cfg.idle_timeout, conn.start_tls(&shared.tls)).await {
            Ok(Ok(c)) => conn = c,
            Ok(Err(e)) => {
                eprintln!("{peer}: TLS handshake failed: {e}");
                return;
            }
            Err(_) => {
                eprintln!("{peer}: TLS handshake timed out");
                return;
            }
        }
    }
    let name = kind.name().to_string();
    let mut served: Box<dyn Served + Send> = {
        let mut mta = lock(shared);
        mta.set_now(unix_now());
        match kind.proto {
            Proto::Smtp => {
                let info = SessionInfo {
                    client_ip: Some(peer.ip()),
                    client_host: mta.reverse(peer.ip()),
                    tls: kind.implicit_tls,
                    ..SessionInfo::default()
                };
                let mut cfg = SmtpConfig::new(&name);
                cfg.max_size = shared.cfg.max_size;
                cfg.auth_failure_delay_ms = shared.cfg.auth_delay.as_millis() as u64;
                cfg.starttls = true;
                let role = match &kind.host {
                    Some(h) => Role::Host(h.clone()),
                    None => Role::Front,
                };
                Box::new(SmtpServed {
                    session: SmtpSession::new(cfg, info),
                    role,
                })
            }
            Proto::Pop3 => {
                let mut cfg = Pop3Config::new(&name);
                cfg.stls = true;
                cfg.auth_failure_delay_ms = shared.cfg.auth_delay.as_millis() as u64;
                let mut session = Pop3Session::new(cfg, mta.nonce());
                if kind.implicit_tls {
                    session.tls_established();
                }
                Box::new(PopServed {
                    session,
                    host: kind.host.clone(),
                    user: None,
                })
            }
        }
    };
    let (conn, timed_out, tls) = drive(conn, served.as_mut(), shared, peer).await;
    let mut conn = conn;
    if let Some(c) = conn.as_mut() {
        c.shutdown().await;
    }
    lock(shared).set_now(unix_now());
    served.lost(&mut lock(shared));
    let end = match (timed_out, served.is_closed()) {
        (true, _) => "timeout",
        (false, true) => "closed",
        (false, false) => "client left",
    };
    eprintln!(
        "{} {peer} as {name}: {} tls={} {end} after {:.1}s",
        if kind.proto == Proto::Smtp {
            "smtp"
        } else {
            "pop3"
        },
        served.summary(),
        tls.unwrap_or_else(|| "-".into()),
        started.elapsed().as_secs_f64()
    );
}

/// Move bytes between the connection and the session until it ends.
/// Returns the connection (if still usable), whether it timed out, and the TLS summary.
async fn drive(
    conn: Conn,
    served: &mut (dyn Served + Send),
    shared: &Shared,
    peer: SocketAddr,
) -> (Option<Conn>, bool, Option<String>) {
    let mut conn = conn;
    let mut tls = conn.tls_summary();
    let mut pending = vec![served.greeting()];
    let mut buf = vec![0u8; 16 * 1024];
    let mut timed_out = false;
    let mut line_deadline: Option<tokio::time::Instant> = None;
    let mut to_commit: Vec<crate::sim::store::PendingWrite> = Vec::new();
    loop {
        for o in std::mem::take(&mut pending) {
            match o {
                Output::Send(bytes) => {
                    if conn.write_all(&bytes).await.is_err() {
                        return (None, timed_out, tls);
                    }
                }
                Output::Close => return (Some(conn), timed_out, tls),
                // Only this session waits; the others are served meanwhile.
                Output::Pause(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                Output::SendAfterCommit { ok, failed, full } => {
                    let writes = std::mem::take(&mut to_commit);
                    let result = if writes.is_empty() {
                        Ok(())
                    } else {
                        // fsync off the world's lock, in the blocking pool, so that
                        // sessions commit in parallel.
                        let job = writes.clone();
                        match tokio::task::spawn_blocking(move || {
                            job.iter().try_for_each(|w| w.write())
                        })
                        .await
                        {
                            Ok(r) => r,
                            Err(e) => Err(std::io::Error::other(e.to_string())),
                        }
                    };
                    let bytes = match result {
                        Ok(()) => ok,
                        Err(e) => {
                            eprintln!("{peer}: store write failed, message refused: {e}");
                            lock(shared).store.discard(&writes);
                            if crate::sim::is_disk_full(&e) {
                                full
                            } else {
                                failed
                            }
                        }
                    };
                    if conn.write_all(&bytes).await.is_err() {
                        return (None, timed_out, tls);
                    }
                }
                Output::StartTls => match conn.start_tls(&shared.tls).await {
                    Ok(c) => {
                        conn = c;
                        tls = conn.tls_summary();
                        served.tls_established();
                    }
                    Err(e) => {
                        eprintln!("{peer}: TLS handshake failed: {e}");
                        return (None, timed_out, tls);
                    }
                },
            }
        }
        if timed_out || served.is_closed() {
            return (Some(conn), timed_out, tls);
        }
        // The idle timeout runs from the last read — and, for a command
        // line, from its first byte: dripping bytes does not keep it alive.
        let wait = match line_deadline {
            Some(d) => d.saturating_duration_since(tokio::time::Instant::now()),
            None => shared.cfg.idle_timeout,
        };
        let read = tokio::time::timeout(wait, conn.read(&mut buf)).await;
        let mut mta = lock(shared);
        mta.set_now(unix_now());
        pending = match read {
            Err(_) => {
                timed_out = true;
                served.timeout(&mut mta)
            }
            Ok(Ok(0)) | Ok(Err(_)) => return (None, timed_out, tls),
            Ok(Ok(n)) => served.input(&buf[..n], &mut mta),
        };
        line_deadline = match (served.line_pending(), line_deadline) {
            (false, _) => None,
            (true, Some(d)) => Some(d),
            (true, None) => Some(tokio::time::Instant::now() + shared.cfg.idle_timeout),
        };
        // The writes this step queued belong to this session's next commit.
        to_commit.extend(mta.store.take_pending());
    }
}
