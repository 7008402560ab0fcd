//! The session engine's connection ([`Wire`]): in memory to a host of the
//! simulated world (what `telnet smtp.free.fr 25` is, without a network:
//! bytes typed go to a sans-IO server session and its outputs come back at
//! once), or to a real server through `net::client` (its bytes come back as
//! events), or none (a replay). The link owns the simulated world, which
//! outlives each connection (`/open` goes to another host of it).

use std::net::{IpAddr, Ipv4Addr};

use crate::net::client::{ConnectOptions, NetCmd, NetEvent, TlsMode};
use crate::proto::line::LineReader;
use crate::sim::Output;
use crate::sim::mta::{Mta, Role};
use crate::sim::pop3_server::{Pop3Config, Pop3Session};
use crate::sim::served::Served;
use crate::sim::smtp_server::{SessionInfo, SmtpConfig, SmtpSession};

/// Network events taken per frame (each at most a 16 KiB read).
const POLL_EVENTS: usize = 16;

/// Fred's machine on Free's network, as the course's itinerary has it.
pub const FRED_PC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 77);

/// The protocol of a link.
pub use crate::proto::Proto;
use crate::session::live::{Incoming, Wire, WireInfo};

/// A real connection's two channels and the partial line being received.
#[derive(Debug)]
pub struct Remote {
    tx: tokio::sync::mpsc::UnboundedSender<NetCmd>,
    rx: tokio::sync::mpsc::Receiver<NetEvent>,
    lines: LineReader,
}

#[derive(Debug)]
enum Kind {
    Sim(Served),
    Net(Remote),
    /// No connection: a transcript being replayed.
    Offline,
}

/// One connection, and the simulated world behind it.
#[derive(Debug)]
pub struct Link {
    pub info: WireInfo,
    /// `--insecure`: the certificate was not checked.
    pub insecure: bool,
    /// How a real connection was made (to make it again).
    pub options: Option<ConnectOptions>,
    /// The simulated world (a real connection has one too: `/open` and the
    /// lessons never need to ask which).
    pub mta: Mta,
    /// The simulated world's STARTTLS/STLS: the go-ahead is sent in clear,
    /// then this handshake is shown as an event and TLS starts.
    handshake: Option<crate::proto::tls::Handshake>,
    kind: Kind,
}

impl Link {
    /// No connection yet, in this world (a replay, or before `open`).
    pub fn offline(mta: Mta, host: &str, port: u16, proto: Proto) -> Link {
        Link {
            info: WireInfo {
                host: host.to_string(),
                port,
                proto,
                tls: false,
                closed: true,
                remote: false,
                detect_proto: false,
            },
            insecure: false,
            options: None,
            mta,
            handshake: None,
            kind: Kind::Offline,
        }
    }

    /// Connect to `host` of the world (port guessed: 25 for SMTP hosts, 110
    /// for POP3 hosts). `home`: the host is the student's own ISP (the PC is
    /// on its network, trusted to relay like Postfix's mynetworks); any other
    /// SMTP host treats the PC as a stranger and relays nothing (RFC 5321
    /// §3.9: a server must not be an open relay). Returns the link and the
    /// greeting bytes, or the world back if there is no such host.
    pub fn open(
        mta: Mta,
        host: &str,
        port: Option<u16>,
        home: bool,
    ) -> Result<(Link, Vec<u8>), Box<Mta>> {
        let mut link = Link::offline(mta, host, port.unwrap_or(0), Proto::Smtp);
        match link.reopen(host, port, home) {
            Some(greeting) => Ok((link, greeting)),
            None => Err(Box::new(link.mta)),
        }
    }

    /// Close this connection and open one to `host` of the same world.
    /// None (and nothing changed) if the world has no such host.
    pub fn reopen(&mut self, host: &str, port: Option<u16>, home: bool) -> Option<Vec<u8>> {
        let host = host.to_ascii_lowercase();
        let smtp = self.mta.world.smtp_hosts().contains(&host);
        let pop = self.mta.world.pop_hosts().contains(&host);
        let proto = match (port, smtp, pop) {
            (Some(110 | 995), _, true) | (None, false, true) => Proto::Pop3,
            (_, true, _) => Proto::Smtp,
            (_, false, true) => Proto::Pop3,
            _ => return None,
        };
        Wire::close(self);
        let (session, greeting) = match proto {
            Proto::Smtp => {
                let mut cfg = SmtpConfig::new(&host);
                cfg.starttls = true;
                // A host the world makes answer 421 (or cut) does so here too.
                cfg.trouble = self.mta.trouble(&host);
                let info = SessionInfo {
                    client_ip: Some(IpAddr::V4(FRED_PC)),
                    trusted: home,
                    ..SessionInfo::default()
                };
                let s = SmtpSession::new(cfg, info);
                let g = s.greeting();
                (Served::smtp(s, Role::Host(host.clone())), g)
            }
            Proto::Pop3 => {
                let mut cfg = Pop3Config::new(&host);
                cfg.stls = true;
                let s = Pop3Session::new(cfg, self.mta.nonce());
                let g = s.greeting();
                (Served::pop3(s, Some(host.clone())), g)
            }
        };
        let default_port = if proto == Proto::Smtp { 25 } else { 110 };
        self.info = WireInfo {
            host,
            port: port.unwrap_or(default_port),
            proto,
            tls: false,
            closed: false,
            remote: false,
            detect_proto: false,
        };
        self.options = None;
        self.insecure = false;
        self.handshake = None;
        self.kind = Kind::Sim(session);
        let bytes = self.outputs(vec![greeting]);
        // A host the world makes answer 421 (or cut) closes at once.
        if let Kind::Sim(s @ Served::Smtp { .. }) = &self.kind
            && s.is_closed()
        {
            self.info.closed = true;
        }
        Some(bytes)
    }

    /// Connect to a real server; what it says arrives through `poll`.
    pub fn connect(mta: Mta, opts: ConnectOptions, proto: Proto) -> Link {
        let mut link = Link::offline(mta, &opts.host, opts.port, proto);
        link.reconnect(opts, proto);
        link
    }

    /// Close this connection and open one to a real server.
    pub fn reconnect(&mut self, opts: ConnectOptions, proto: Proto) {
        Wire::close(self);
        let (tx, rx) = crate::net::client::spawn(opts.clone());
        self.info = WireInfo {
            host: opts.host.clone(),
            port: opts.port,
            proto,
            tls: false,
            closed: false,
            remote: true,
            detect_proto: false,
        };
        self.insecure = opts.insecure;
        self.options = Some(opts);
        self.handshake = None;
        self.kind = Kind::Net(Remote {
            tx,
            rx,
            lines: LineReader::new(crate::proto::pop3::response::BODY_LINE_LIMIT),
        });
    }

    /// A live connection (simulated or real), not a replay.
    pub fn is_live(&self) -> bool {
        !matches!(self.kind, Kind::Offline)
    }

    fn outputs(&mut self, outs: Vec<Output>) -> Vec<u8> {
        let mut bytes = Vec::new();
        for o in outs {
            match o {
                Output::Send(b) => bytes.extend(b),
                Output::SendAfterCommit { ok, failed, full } => {
                    bytes.extend(match self.mta.store.flush() {
                        Ok(()) => ok,
                        Err(e) if crate::sim::is_disk_full(&e) => full,
                        Err(_) => failed,
                    });
                }
                // In the simulated world the handshake is immediate: the
                // go-ahead goes out in clear, then the handshake is shown
                // as an event and TLS is on.
                Output::StartTls => {
                    match &mut self.kind {
                        Kind::Sim(s) => s.tls_established(),
                        Kind::Net(_) | Kind::Offline => {}
                    }
                    self.handshake = Some(simulated_handshake(&self.info.host, self.mta.now()));
                }
                Output::Close => Wire::close(self),
                // One student, in memory: no guessing to slow down.
                Output::Pause(_) => {}
            }
        }
        bytes
    }
}

impl Wire for Link {
    fn info(&self) -> &WireInfo {
        &self.info
    }

    fn info_mut(&mut self) -> &mut WireInfo {
        &mut self.info
    }

    /// What a real server sent since the last call (nothing for the simulated world).
    fn poll(&mut self) -> Vec<Incoming> {
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
                            Ok(line) => out.push(Incoming::Line(line.content, self.info.tls)),
                            Err(e) => out.push(Incoming::Line(
                                format!("[line of {} octets cut]", e.length).into_bytes(),
                                self.info.tls,
                            )),
                        }
                    }
                }
                NetEvent::Tls(h) => {
                    self.info.tls = true;
                    out.push(Incoming::Tls(h));
                }
                NetEvent::Closed => {
                    self.info.closed = true;
                    out.push(Incoming::Closed);
                }
                NetEvent::Failed(why) => {
                    self.info.closed = true;
                    out.push(Incoming::Failed(Box::new(why)));
                }
                NetEvent::Connected {
                    peer,
                    local,
                    handshake_us,
                } => out.push(Incoming::Connected {
                    peer,
                    local,
                    handshake_us,
                }),
                NetEvent::Injected(n) => out.push(Incoming::Injected(n)),
                NetEvent::NotSent(n) => out.push(Incoming::NotSent(n)),
            }
        }
        out
    }

    /// Send what the student typed; get what the server answered (at once
    /// in the simulated world; later, through `poll`, from a real server).
    fn send(&mut self, bytes: &[u8]) -> Vec<Incoming> {
        if self.info.closed {
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
        let outs = session.input(bytes, &mut self.mta);
        let reply = self.outputs(outs);
        let tls = self.info.tls;
        let mut out: Vec<Incoming> = crate::proto::data::split_lines(&reply)
            .into_iter()
            .map(|l| Incoming::Line(l.to_vec(), tls))
            .collect();
        // The simulated STARTTLS: the go-ahead came in clear, now the handshake.
        if let Some(h) = self.handshake.take() {
            self.info.tls = true;
            out.push(Incoming::Tls(h));
        }
        out
    }

    /// End the connection (the student left, or the server closed).
    fn close(&mut self) {
        if self.info.closed {
            return;
        }
        self.info.closed = true;
        match &mut self.kind {
            Kind::Net(r) => {
                let _ = r.tx.send(NetCmd::Close);
            }
            Kind::Offline => {}
            Kind::Sim(s) => s.lost(&mut self.mta),
        }
    }
}

/// What the simulated world's TLS looks like: TLS 1.3 with the lab's
/// self-signed certificate for this host, valid a year from yesterday (as
/// `facteur serve` makes it).
fn simulated_handshake(host: &str, now: i64) -> crate::proto::tls::Handshake {
    let day = |t: i64| {
        let (y, m, d) = crate::proto::date::civil_from_days(t.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02} 00:00:00 UTC")
    };
    crate::proto::tls::Handshake {
        version: "TLSv1_3".into(),
        cipher: "TLS13_AES_256_GCM_SHA384".into(),
        verified: false,
        cert: Some(crate::proto::tls::CertInfo {
            subject: "CN=facteur lab server (self-signed), O=facteur".into(),
            issuer: "CN=facteur lab server (self-signed), O=facteur".into(),
            not_before: day(now - 86_400),
            not_after: day(now + 364 * 86_400),
            names: vec![host.to_string()],
        }),
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

/// `/open HOST [PORT]` in the simulated world: the session goes on to
/// another host of the same world (a new connection, recorded as an `open`
/// line; the explainer starts again). The student's own ISP (the session's
/// first host) trusts the PC to relay. Returns how many old lines the
/// scrollback dropped, or None (nothing changed) if the world has no such
/// host.
pub fn open_in_world(
    live: &mut crate::session::live::Live<Link>,
    host: &str,
    port: Option<u16>,
) -> Option<usize> {
    let home = host.eq_ignore_ascii_case(&live.origin.host);
    let greeting = live.link.reopen(host, port, home)?;
    Some(live.opened() + live.receive(&greeting))
}
