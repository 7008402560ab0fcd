//! `facteur serve`: the simulated world on TCP, for a whole lab room.
//!
//! By default one SMTP port and one POP3 port play every host of the world:
//! the SMTP port is the MX of every world domain for strangers (no relaying
//! for them) and, once a user has authenticated, that user's own ISP server
//! (fred → smtp.free.fr, which then relays to the recipient's MX through a
//! recorded SMTP dialogue). The POP3 port serves every mailbox. With
//! `--host-ports`, each host of the world also gets its own port.
//!
//! Limits: a maximum of concurrent connections (the one past it gets 421 /
//! `-ERR [SYS/TEMP]`), an idle timeout (421 4.4.2 / `-ERR`), the message
//! size of the SMTP sessions. One log line per session on stderr.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::sim::mta::{Mta, PopView, Role};
use crate::sim::pop3_server::{self, Pop3Config, Pop3Session};
use crate::sim::smtp_server::{self, SessionInfo, SmtpConfig, SmtpSession};
use crate::sim::store::Store;
use crate::sim::world::World;

/// The name the front port uses in its greeting.
pub const FRONT_NAME: &str = "facteur.lab";

/// How `facteur serve` is set up.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub smtp: SocketAddr,
    pub pop3: SocketAddr,
    /// Give each host of the world its own port: SMTP hosts from this port
    /// up, POP3 hosts from `pop3 port + 1000`… (see [`host_ports`]).
    pub host_ports: Option<u16>,
    pub max_connections: usize,
    pub idle_timeout: Duration,
    pub max_size: usize,
    pub store: Option<PathBuf>,
    pub world: World,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            smtp: SocketAddr::from(([127, 0, 0, 1], 2525)),
            pop3: SocketAddr::from(([127, 0, 0, 1], 1110)),
            host_ports: None,
            max_connections: 200,
            idle_timeout: Duration::from_secs(300),
            max_size: 10 * 1024 * 1024,
            store: None,
            world: World::default(),
        }
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
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
}

struct Shared {
    mta: Mutex<Mta>,
    slots: Semaphore,
    cfg: ServeConfig,
}

#[derive(Debug, Clone)]
enum Listener {
    Smtp { role: Role, name: String },
    Pop3 { host: Option<String>, name: String },
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The extra per-host ports: (listener address, what it plays).
fn host_ports(cfg: &ServeConfig, base: u16) -> Vec<(SocketAddr, Listener)> {
    let mut out = Vec::new();
    for (i, h) in cfg.world.smtp_hosts().into_iter().enumerate() {
        let addr = SocketAddr::new(cfg.smtp.ip(), base.saturating_add(i as u16));
        out.push((
            addr,
            Listener::Smtp {
                role: Role::Host(h.clone()),
                name: h,
            },
        ));
    }
    let pop_base = base.saturating_add(100);
    for (i, h) in cfg.world.pop_hosts().into_iter().enumerate() {
        let addr = SocketAddr::new(cfg.pop3.ip(), pop_base.saturating_add(i as u16));
        out.push((
            addr,
            Listener::Pop3 {
                host: Some(h.clone()),
                name: h,
            },
        ));
    }
    out
}

/// Run the server until Ctrl-C. Prints one line per listener on stderr
/// (`SMTP facteur.lab listening on 127.0.0.1:2525`), then one per session.
pub fn run(cfg: ServeConfig) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(serve(cfg))
}

async fn serve(cfg: ServeConfig) -> Result<(), ServeError> {
    let store = match &cfg.store {
        Some(dir) => Store::open(dir).map_err(|source| ServeError::Store {
            path: dir.clone(),
            source,
        })?,
        None => Store::in_memory(),
    };
    let seed = (unix_now() as u64) ^ (u64::from(std::process::id()) << 32);
    let mut mta = Mta::new(cfg.world.clone(), store, seed);
    mta.set_now(unix_now());
    let mut listeners = vec![
        (
            cfg.smtp,
            Listener::Smtp {
                role: Role::Front,
                name: FRONT_NAME.into(),
            },
        ),
        (
            cfg.pop3,
            Listener::Pop3 {
                host: None,
                name: FRONT_NAME.into(),
            },
        ),
    ];
    if let Some(base) = cfg.host_ports {
        listeners.extend(host_ports(&cfg, base));
    }
    let shared = Arc::new(Shared {
        mta: Mutex::new(mta),
        slots: Semaphore::new(cfg.max_connections),
        cfg,
    });
    let mut tasks = Vec::new();
    for (addr, kind) in listeners {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr().unwrap_or(addr);
        let (proto, name) = match &kind {
            Listener::Smtp { name, .. } => ("SMTP", name.clone()),
            Listener::Pop3 { name, .. } => ("POP3", name.clone()),
        };
        eprintln!("{proto} {name} listening on {local}");
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
                refuse(stream, &kind).await;
                eprintln!("{peer}: refused, too many connections");
                return;
            };
            match kind {
                Listener::Smtp { role, name } => {
                    smtp_connection(stream, peer, role, &name, &shared).await
                }
                Listener::Pop3 { host, name } => {
                    pop3_connection(stream, peer, host, &name, &shared).await
                }
            }
            drop(permit);
        });
    }
}

async fn refuse(mut stream: TcpStream, kind: &Listener) {
    let line: &[u8] = match kind {
        Listener::Smtp { .. } => b"421 4.7.0 Error: too many connections, try again later\r\n",
        Listener::Pop3 { .. } => b"-ERR [SYS/TEMP] too many connections, try again later\r\n",
    };
    let _ = stream.write_all(line).await;
    let _ = stream.shutdown().await;
}

/// How a session ended, for the log line.
fn end_reason(closed_by_server: bool, timed_out: bool) -> &'static str {
    match (closed_by_server, timed_out) {
        (_, true) => "timeout",
        (true, false) => "closed",
        (false, false) => "client left",
    }
}

async fn smtp_connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    role: Role,
    name: &str,
    shared: &Shared,
) {
    let started = Instant::now();
    let client_host = lock(shared).reverse(peer.ip());
    let info = SessionInfo {
        client_ip: Some(peer.ip()),
        client_host,
        ..SessionInfo::default()
    };
    let mut cfg = SmtpConfig::new(name);
    cfg.max_size = shared.cfg.max_size;
    let mut session = SmtpSession::new(cfg, info);
    let mut wire_in = 0usize;
    let greeting = session.greeting();
    let mut closed = !write_smtp(&mut stream, vec![greeting]).await;
    let mut timed_out = false;
    let mut buf = vec![0u8; 16 * 1024];
    while !closed {
        let n = match tokio::time::timeout(shared.cfg.idle_timeout, stream.read(&mut buf)).await {
            Err(_) => {
                timed_out = true;
                let outs = session.timeout();
                write_smtp(&mut stream, outs).await;
                break;
            }
            Ok(Ok(0)) | Ok(Err(_)) => {
                session.connection_lost();
                break;
            }
            Ok(Ok(n)) => n,
        };
        wire_in += n;
        let outs = {
            let mut mta = lock(shared);
            mta.set_now(unix_now());
            let mut view = mta.smtp(role.clone());
            session.handle(&buf[..n], &mut view)
        };
        closed = !write_smtp(&mut stream, outs).await;
    }
    let _ = stream.shutdown().await;
    let info = session.info();
    eprintln!(
        "smtp {peer} as {name}: helo={} auth={} in={wire_in}B {} after {:.1}s",
        info.helo.as_deref().unwrap_or("-"),
        info.authenticated.as_deref().unwrap_or("-"),
        end_reason(session.is_closed(), timed_out),
        started.elapsed().as_secs_f64()
    );
}

/// Write outputs; false once the session must end.
async fn write_smtp(stream: &mut TcpStream, outs: Vec<smtp_server::Output>) -> bool {
    for o in outs {
        match o {
            smtp_server::Output::Send(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return false;
                }
            }
            smtp_server::Output::Close => return false,
            // STARTTLS is not offered on these ports (no TLS configured).
            smtp_server::Output::StartTls => return false,
        }
    }
    true
}

async fn pop3_connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    host: Option<String>,
    name: &str,
    shared: &Shared,
) {
    let started = Instant::now();
    let mut session = {
        let mut mta = lock(shared);
        mta.set_now(unix_now());
        let nonce = mta.nonce();
        Pop3Session::new(Pop3Config::new(name), nonce)
    };
    let mut closed = !write_pop3(&mut stream, vec![session.greeting()]).await;
    let mut timed_out = false;
    let mut user = None;
    let mut buf = vec![0u8; 16 * 1024];
    while !closed {
        let read = tokio::time::timeout(shared.cfg.idle_timeout, stream.read(&mut buf)).await;
        let outs = {
            let mut mta = lock(shared);
            mta.set_now(unix_now());
            let mut view = PopView {
                mta: &mut mta,
                host: host.clone(),
            };
            let outs = match read {
                Err(_) => {
                    timed_out = true;
                    session.timeout(&mut view)
                }
                Ok(Ok(0)) | Ok(Err(_)) => {
                    session.connection_lost(&mut view);
                    Vec::new()
                }
                Ok(Ok(n)) => session.handle(&buf[..n], &mut view),
            };
            if let Some(m) = session.mailbox() {
                user = Some(m.to_string());
            }
            outs
        };
        if session.is_closed() && outs.is_empty() {
            break;
        }
        closed = !write_pop3(&mut stream, outs).await || timed_out;
    }
    {
        // Whatever happened, a maildrop still held is released, removing nothing.
        let mut mta = lock(shared);
        let mut view = PopView {
            mta: &mut mta,
            host: host.clone(),
        };
        session.connection_lost(&mut view);
    }
    let _ = stream.shutdown().await;
    eprintln!(
        "pop3 {peer} as {name}: user={} {} after {:.1}s",
        user.as_deref().unwrap_or("-"),
        end_reason(session.is_closed(), timed_out),
        started.elapsed().as_secs_f64()
    );
}

async fn write_pop3(stream: &mut TcpStream, outs: Vec<pop3_server::Output>) -> bool {
    for o in outs {
        match o {
            pop3_server::Output::Send(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return false;
                }
            }
            pop3_server::Output::Close | pop3_server::Output::StartTls => return false,
        }
    }
    true
}

/// The world's lock; a panic elsewhere must not stop the others (the data
/// stays consistent: every change is one call).
fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Mta> {
    shared.mta.lock().unwrap_or_else(|e| e.into_inner())
}

/// For the README and `--help`: where each host listens with `--host-ports`.
pub fn describe_host_ports(cfg: &ServeConfig, base: u16) -> Vec<(String, SocketAddr)> {
    host_ports(cfg, base)
        .into_iter()
        .map(|(addr, l)| match l {
            Listener::Smtp { name, .. } | Listener::Pop3 { name, .. } => (name, addr),
        })
        .collect()
}

/// Whether an address binds every interface (a deliberate choice for a lab room).
pub fn is_wildcard(ip: IpAddr) -> bool {
    ip.is_unspecified()
}
