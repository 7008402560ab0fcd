//! Dialogue helpers shared by the simulator tests: `cmd("RCPT TO:<marc@wanadoo.fr>", "250")`.
#![allow(dead_code)]

pub mod french;
pub mod pcapgen;
pub mod tcp;
pub mod tmux;

use facteur::sim::mta::{Mta, PopView, Role};
use facteur::sim::pop3_server::{self, Pop3Config, Pop3Session};
use facteur::sim::smtp_server::{Output, SessionInfo, SmtpConfig, SmtpSession};
use facteur::sim::store::Store;
use facteur::sim::world::World;

pub const NOW: i64 = 1_796_000_000; // Thu, 30 Nov 2026 (a fixed time: no clock in tests)

pub fn mta() -> Mta {
    let mut m = Mta::new(World::default(), Store::in_memory(), 42);
    m.set_now(NOW);
    m
}

/// An SMTP dialogue with one simulated server.
pub struct Smtp {
    pub session: SmtpSession,
    pub role: Role,
    pub closed: bool,
    pub starttls: bool,
}

fn text(
    outs: Vec<facteur::sim::smtp_server::Output>,
    mta: &mut Mta,
    closed: &mut bool,
    tls: &mut bool,
) -> String {
    let mut s = String::new();
    for o in outs {
        match o {
            Output::Send(b) => s.push_str(&String::from_utf8(b).unwrap()),
            Output::SendAfterCommit { ok, failed, .. } => {
                let b = if mta.store.flush().is_ok() {
                    ok
                } else {
                    failed
                };
                s.push_str(&String::from_utf8(b).unwrap())
            }
            Output::Close => *closed = true,
            Output::StartTls => *tls = true,
            // The driver's business (tests/hostile.rs times it over TCP).
            Output::Pause(_) => {}
        }
    }
    s
}

impl Smtp {
    pub fn new(host: &str, info: SessionInfo) -> (Smtp, String) {
        Smtp::with_config(SmtpConfig::new(host), Role::Host(host.to_string()), info)
    }

    pub fn with_config(cfg: SmtpConfig, role: Role, info: SessionInfo) -> (Smtp, String) {
        let session = SmtpSession::new(cfg, info);
        let greeting = match session.greeting() {
            Output::Send(b) => String::from_utf8(b).unwrap(),
            _ => String::new(),
        };
        (
            Smtp {
                session,
                role,
                closed: false,
                starttls: false,
            },
            greeting,
        )
    }

    /// Send raw bytes; get every reply line sent back.
    pub fn raw(&mut self, mta: &mut Mta, bytes: &[u8]) -> String {
        let mut view = mta.smtp(self.role.clone());
        let outs = self.session.handle(bytes, &mut view);
        text(outs, mta, &mut self.closed, &mut self.starttls)
    }

    /// Send one command line; the reply must start with `expect`.
    pub fn cmd(&mut self, mta: &mut Mta, line: &str, expect: &str) -> String {
        let got = self.raw(mta, format!("{line}\r\n").as_bytes());
        assert!(
            got.starts_with(expect),
            "C: {line}\nS: {got}(expected {expect})"
        );
        got
    }
}

/// A POP3 dialogue with one simulated server.
pub struct Pop {
    pub session: Pop3Session,
    pub host: Option<String>,
    pub closed: bool,
}

impl Pop {
    pub fn new(mta: &mut Mta, host: &str) -> (Pop, String) {
        let session = Pop3Session::new(Pop3Config::new(host), mta.nonce());
        let greeting = match session.greeting() {
            pop3_server::Output::Send(b) => String::from_utf8(b).unwrap(),
            _ => String::new(),
        };
        (
            Pop {
                session,
                host: Some(host.to_string()),
                closed: false,
            },
            greeting,
        )
    }

    pub fn raw(&mut self, mta: &mut Mta, bytes: &[u8]) -> String {
        let mut view = PopView {
            mta,
            host: self.host.clone(),
        };
        let mut s = String::new();
        for o in self.session.handle(bytes, &mut view) {
            match o {
                pop3_server::Output::Send(b) => s.push_str(&String::from_utf8(b).unwrap()),
                pop3_server::Output::Close => self.closed = true,
                pop3_server::Output::StartTls
                | pop3_server::Output::SendAfterCommit { .. }
                | pop3_server::Output::Pause(_) => {}
            }
        }
        s
    }

    pub fn cmd(&mut self, mta: &mut Mta, line: &str, expect: &str) -> String {
        let got = self.raw(mta, format!("{line}\r\n").as_bytes());
        assert!(
            got.starts_with(expect),
            "C: {line}\nS: {got}(expected {expect})"
        );
        got
    }

    /// The connection drops without QUIT.
    pub fn drop_connection(&mut self, mta: &mut Mta) {
        let mut view = PopView {
            mta,
            host: self.host.clone(),
        };
        self.session.connection_lost(&mut view);
    }
}

/// Fred's machine as smtp.free.fr sees it (a client of the ISP).
pub fn fred_info() -> SessionInfo {
    SessionInfo {
        client_ip: Some("192.0.2.77".parse().unwrap()),
        ..SessionInfo::default()
    }
}
