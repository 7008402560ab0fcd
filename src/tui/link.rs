//! The in-memory link between the TUI and a host of the simulated world:
//! what `telnet smtp.free.fr 25` is, without a network. Bytes typed go to a
//! sans-IO server session; its outputs come back as lines.

use std::net::{IpAddr, Ipv4Addr};

use crate::sim::Output;
use crate::sim::mta::{Mta, PopView, Role};
use crate::sim::pop3_server::{Pop3Config, Pop3Session};
use crate::sim::smtp_server::{SessionInfo, SmtpConfig, SmtpSession};

/// Fred's machine on Free's network, as the course's itinerary has it.
pub const FRED_PC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 77);

/// The protocol of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Smtp,
    Pop3,
}

#[derive(Debug)]
enum Session {
    Smtp(Box<SmtpSession>),
    Pop3(Box<Pop3Session>),
}

/// One connection to a simulated host.
#[derive(Debug)]
pub struct Link {
    pub host: String,
    pub port: u16,
    pub proto: Proto,
    pub tls: bool,
    pub closed: bool,
    session: Session,
}

impl Link {
    /// Connect to `host` of the world (port guessed: 25 for SMTP hosts, 110
    /// for POP3 hosts). Returns the link and the greeting bytes.
    pub fn open(mta: &mut Mta, host: &str, port: Option<u16>) -> Option<(Link, Vec<u8>)> {
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
                // The student's own session is a client of the ISP's
                // network: trusted like Postfix's mynetworks (README).
                let info = SessionInfo {
                    client_ip: Some(IpAddr::V4(FRED_PC)),
                    trusted: true,
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
            session,
        };
        let bytes = link.outputs(vec![greeting], mta);
        Some((link, bytes))
    }

    /// Send what the student typed; get what the server answered.
    pub fn send(&mut self, mta: &mut Mta, bytes: &[u8]) -> Vec<u8> {
        if self.closed {
            return Vec::new();
        }
        let outs = match &mut self.session {
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
                Output::SendAfterCommit { ok, failed } => {
                    bytes.extend(if mta.store.flush().is_ok() {
                        ok
                    } else {
                        failed
                    });
                }
                // In the simulated world the handshake is immediate.
                Output::StartTls => {
                    self.tls = true;
                    match &mut self.session {
                        Session::Smtp(s) => s.tls_established(),
                        Session::Pop3(s) => s.tls_established(),
                    }
                }
                Output::Close => self.close(mta),
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
        match &mut self.session {
            Session::Smtp(s) => s.connection_lost(),
            Session::Pop3(s) => {
                let mut view = PopView {
                    mta,
                    host: Some(self.host.clone()),
                };
                s.connection_lost(&mut view);
            }
        }
    }
}
