//! The TUI's connection: in memory to a host of the simulated world (what
//! `telnet smtp.free.fr 25` is, without a network: bytes typed go to a
//! sans-IO server session and its outputs come back at once), or to a real
//! server through `net::client` (its bytes come back as events).

use std::net::{IpAddr, Ipv4Addr};

use crate::net::client::{ConnectOptions, NetCmd, NetEvent, TlsMode};
use crate::proto::line::LineReader;
use crate::sim::Output;
use crate::sim::mta::{Mta, PopView, Role};
use crate::sim::pop3_server::{Pop3Config, Pop3Session};
use crate::sim::smtp_server::{SessionInfo, SmtpConfig, SmtpSession};

/// Network events taken per frame (each at most a 16 KiB read).
const POLL_EVENTS: usize = 16;

/// Fred's machine on Free's network, as the course's itinerary has it.
pub const FRED_PC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 77);

/// The protocol of a link.
pub use crate::explain::session::Proto;

#[derive(Debug)]
enum Session {
    Smtp(Box<SmtpSession>),
    Pop3(Box<Pop3Session>),
}

/// A real connection's two channels and the partial line being received.
#[derive(Debug)]
pub struct Remote {
    tx: tokio::sync::mpsc::UnboundedSender<NetCmd>,
    rx: tokio::sync::mpsc::Receiver<NetEvent>,
    lines: LineReader,
}

#[derive(Debug)]
enum Kind {
    Sim(Session),
    Net(Remote),
    /// No connection: a transcript being replayed.
    Offline,
}

/// What a real connection brought since the last look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A complete line from the server (without its ending), and whether
    /// it came inside TLS.
    Line(Vec<u8>, bool),
    /// Something about the connection itself (connected, TLS up, closed, failed).
    Event(NetEvent),
}

/// One connection.
#[derive(Debug)]
pub struct Link {
    pub host: String,
    pub port: u16,
    pub proto: Proto,
    pub tls: bool,
    pub closed: bool,
    /// A real server (not the simulated world).
    pub remote: bool,
    /// `--insecure`: the certificate was not checked.
    pub insecure: bool,
    /// How a real connection was made (to make it again).
    pub options: Option<ConnectOptions>,
    /// The protocol was guessed from the port: the greeting decides
    /// (`+OK` → POP3, `220` → SMTP).
    pub detect_proto: bool,
    kind: Kind,
}

impl Link {
    /// Connect to `host` of the world (port guessed: 25 for SMTP hosts, 110
    /// for POP3 hosts). `home`: the host is the student's own ISP (the PC is
    /// on its network, trusted to relay like Postfix's mynetworks); any other
    /// SMTP host treats the PC as a stranger and relays nothing (RFC 5321
    /// §3.9: a server must not be an open relay). Returns the link and the
    /// greeting bytes.
    pub fn open(
        mta: &mut Mta,
        host: &str,
        port: Option<u16>,
        home: bool,
    ) -> Option<(Link, Vec<u8>)> {
        let host = host.to_ascii_lowercase();
        let smtp = mta.world.smtp_hosts().contains(&host);
        let pop = mta.world.pop_hosts().contains(&host);
        let proto = match (port, smtp, pop) {
            (Some(110 | 995), _, true) | (None, false, true) => Proto::Pop3,
            (_, true, _) => Proto::Smtp,
            (_, false, true) => Proto::Pop3,
            _ => return None,
        };
        let (session, greeting) = match proto {
            Proto::Smtp => {
                let mut cfg = SmtpConfig::new(&host);
                cfg.starttls = true;
                // A host the world makes answer 421 (or cut) does so here too.
                cfg.trouble = mta.trouble(&host);
                let info = SessionInfo {
                    client_ip: Some(IpAddr::V4(FRED_PC)),
                    trusted: home,
                    ..SessionInfo::default()
                };
                let s = SmtpSession::new(cfg, info);
                let g = s.greeting();
                (Session::Smtp(Box::new(s)), g)
            }
            Proto::Pop3 => {
                let mut cfg = Pop3Config::new(&host);
                cfg.stls = true;
                let s = Pop3Session::new(cfg, mta.nonce());
                let g = s.greeting();
                (Session::Pop3(Box::new(s)), g)
            }
        };
        let default_port = if proto == Proto::Smtp { 25 } else { 110 };
        let mut link = Link {
            host,
            port: port.unwrap_or(default_port),
            proto,
            tls: false,
            closed: false,
            remote: false,
            insecure: false,
            options: None,
            detect_proto: false,
            kind: Kind::Sim(session),
        };
        let bytes = link.outputs(vec![greeting], mta);
        if let Kind::Sim(Session::Smtp(s)) = &link.kind
            && s.is_closed()
        {
            link.closed = true;
        }
        Some((link, bytes))
    }

    /// No connection at all (replaying a recording of `host`).
    pub fn offline(host: &str, port: u16, proto: Proto) -> Link {
        Link {
            host: host.to_string(),
            port,
            proto,
            tls: false,
            closed: true,
            remote: false,
            insecure: false,
            options: None,
            detect_proto: false,
            kind: Kind::Offline,
        }
    }

    /// Connect to a real server; what it says arrives through [`Link::poll`].
    pub fn connect(opts: ConnectOptions, proto: Proto) -> Link {
        let (tx, rx) = crate::net::client::spawn(opts.clone());
        Link {
            host: opts.host.clone(),
            port: opts.port,
            proto,
            tls: false,
            closed: false,
            remote: true,
            insecure: opts.insecure,
            options: Some(opts.clone()),
            detect_proto: false,
            kind: Kind::Net(Remote {
                tx,
                rx,
                lines: LineReader::new(crate::proto::pop3::response::BODY_LINE_LIMIT),
            }),
        }
    }

    /// A live connection (simulated or real), not a replay.
    pub fn is_live(&self) -> bool {
        !matches!(self.kind, Kind::Offline)
    }

    /// What a real server sent since the last call (nothing for the simulated world).
    pub fn poll(&mut self) -> Vec<Incoming> {
        let Kind::Net(r) = &mut self.kind else {
            return Vec::new();
        };
        let mut out = Vec::new();
        // A few reads per frame: a flooding server cannot starve the keyboard,
        // and what is not taken waits in the bounded queue (then in the socket).
        for _ in 0..POLL_EVENTS {
            let Ok(ev) = r.rx.try_recv() else { break };
            match ev {
                NetEvent::Data(bytes) => {
                    for framed in r.lines.feed(&bytes) {
                        match framed {
                            Ok(line) => out.push(Incoming::Line(line.content, self.tls)),
                            Err(e) => out.push(Incoming::Line(
                                format!("[line of {} octets cut]", e.length).into_bytes(),
                                self.tls,
                            )),
                        }
                    }
                }
                NetEvent::Tls { .. } => {
                    self.tls = true;
                    out.push(Incoming::Event(ev));
                }
                NetEvent::Closed | NetEvent::Failed(_) => {
                    self.closed = true;
                    out.push(Incoming::Event(ev));
                }
                NetEvent::Connected(_) | NetEvent::Injected(_) | NetEvent::NotSent(_) => {
                    out.push(Incoming::Event(ev))
                }
            }
        }
        out
    }

    /// Send what the student typed; get what the server answered (at once
    /// in the simulated world; later, through `poll`, from a real server).
    pub fn send(&mut self, mta: &mut Mta, bytes: &[u8]) -> Vec<u8> {
        if self.closed {
            return Vec::new();
        }
        let session = match &mut self.kind {
            Kind::Sim(s) => s,
            Kind::Net(r) => {
                let _ = r.tx.send(NetCmd::Send(bytes.to_vec()));
                return Vec::new();
            }
            Kind::Offline => return Vec::new(),
        };
        let outs = match session {
            Session::Smtp(s) => {
                let role = Role::Host(self.host.clone());
                let mut view = mta.smtp(role);
                s.handle(bytes, &mut view)
            }
            Session::Pop3(s) => {
                let mut view = PopView {
                    mta,
                    host: Some(self.host.clone()),
                };
                s.handle(bytes, &mut view)
            }
        };
        self.outputs(outs, mta)
    }

    fn outputs(&mut self, outs: Vec<Output>, mta: &mut Mta) -> Vec<u8> {
        let mut bytes = Vec::new();
        for o in outs {
            match o {
                Output::Send(b) => bytes.extend(b),
                Output::SendAfterCommit { ok, failed, full } => {
                    bytes.extend(match mta.store.flush() {
                        Ok(()) => ok,
                        Err(e) if crate::sim::is_disk_full(&e) => full,
                        Err(_) => failed,
                    });
                }
                // In the simulated world the handshake is immediate.
                Output::StartTls => {
                    self.tls = true;
                    match &mut self.kind {
                        Kind::Sim(Session::Smtp(s)) => s.tls_established(),
                        Kind::Sim(Session::Pop3(s)) => s.tls_established(),
                        Kind::Net(_) | Kind::Offline => {}
                    }
                }
                Output::Close => self.close(mta),
                // One student, in memory: no guessing to slow down.
                Output::Pause(_) => {}
            }
        }
        bytes
    }

    /// End the connection (the student left, or the server closed).
    pub fn close(&mut self, mta: &mut Mta) {
        if self.closed {
            return;
        }
        self.closed = true;
        match &mut self.kind {
            Kind::Net(r) => {
                let _ = r.tx.send(NetCmd::Close);
            }
            Kind::Offline => {}
            Kind::Sim(Session::Smtp(s)) => s.connection_lost(),
            Kind::Sim(Session::Pop3(s)) => {
                let mut view = PopView {
                    mta,
                    host: Some(self.host.clone()),
                };
                s.connection_lost(&mut view);
            }
        }
    }
}

/// The protocol a port usually speaks, and whether TLS is implicit there.
pub fn guess(port: u16) -> (Proto, TlsMode) {
    match port {
        110 | 1110 => (Proto::Pop3, TlsMode::Plain),
        995 | 9995 => (Proto::Pop3, TlsMode::Implicit),
        465 | 4465 => (Proto::Smtp, TlsMode::Implicit),
        _ => (Proto::Smtp, TlsMode::Plain),
    }
}
