//! One server session of the simulated world, SMTP or POP3, as its drivers
//! see it: `facteur serve` over a socket and the in-memory link of the TUI
//! and the lessons (`net::link`) both drive this one type, so a session
//! behaves the same whether a student types it in facteur or through
//! telnet, Thunderbird or swaks.

use crate::sim::Output;
use crate::sim::mta::{Mta, PopView, Role};
use crate::sim::pop3_server::Pop3Session;
use crate::sim::smtp_server::SmtpSession;

/// A server session and what it needs of the world.
#[derive(Debug)]
pub enum Served {
    Smtp {
        session: Box<SmtpSession>,
        /// Which host of the world this is (or the room's front port).
        role: Role,
    },
    Pop3 {
        session: Box<Pop3Session>,
        /// Which POP3 host of the world this is (None: the front port).
        host: Option<String>,
        /// The mailbox once logged in (for the log).
        user: Option<String>,
    },
}

impl Served {
    pub fn smtp(session: SmtpSession, role: Role) -> Served {
        Served::Smtp {
            session: Box::new(session),
            role,
        }
    }

    pub fn pop3(session: Pop3Session, host: Option<String>) -> Served {
        Served::Pop3 {
            session: Box::new(session),
            host,
            user: None,
        }
    }

    pub fn greeting(&self) -> Output {
        match self {
            Served::Smtp { session, .. } => session.greeting(),
            Served::Pop3 { session, .. } => session.greeting(),
        }
    }

    /// Bytes from the client; what to do in answer.
    pub fn input(&mut self, bytes: &[u8], mta: &mut Mta) -> Vec<Output> {
        match self {
            Served::Smtp { session, role } => {
                let mut view = mta.smtp(role.clone());
                session.handle(bytes, &mut view)
            }
            Served::Pop3 {
                session,
                host,
                user,
            } => {
                let mut view = PopView {
                    mta,
                    host: host.clone(),
                };
                let outs = session.handle(bytes, &mut view);
                if let Some(m) = session.mailbox() {
                    *user = Some(m.to_string());
                }
                outs
            }
        }
    }

    /// The client said nothing for too long.
    pub fn timeout(&mut self, mta: &mut Mta) -> Vec<Output> {
        match self {
            Served::Smtp { session, .. } => session.timeout(),
            Served::Pop3 { session, host, .. } => {
                let mut view = PopView {
                    mta,
                    host: host.clone(),
                };
                session.timeout(&mut view)
            }
        }
    }

    /// The connection is gone: whatever happened, a maildrop still held is
    /// released, removing nothing (RFC 1939 §6: no UPDATE without QUIT).
    pub fn lost(&mut self, mta: &mut Mta) {
        match self {
            Served::Smtp { session, .. } => session.connection_lost(),
            Served::Pop3 { session, host, .. } => {
                let mut view = PopView {
                    mta,
                    host: host.clone(),
                };
                session.connection_lost(&mut view);
            }
        }
    }

    pub fn tls_established(&mut self) {
        match self {
            Served::Smtp { session, .. } => session.tls_established(),
            Served::Pop3 { session, .. } => session.tls_established(),
        }
    }

    pub fn is_closed(&self) -> bool {
        match self {
            Served::Smtp { session, .. } => session.is_closed(),
            Served::Pop3 { session, .. } => session.is_closed(),
        }
    }

    /// A command line is half received.
    pub fn line_pending(&self) -> bool {
        match self {
            Served::Smtp { session, .. } => session.line_pending(),
            Served::Pop3 { session, .. } => session.line_pending(),
        }
    }

    /// Whether one command can produce a reply much bigger than itself
    /// (POP3's RETR, TOP, LIST, UIDL): such a session is fed one line at a
    /// time. An SMTP reply is at most a few lines, so a whole read goes in
    /// at once.
    pub fn amplifies(&self) -> bool {
        matches!(self, Served::Pop3 { .. })
    }

    /// The server is stopping: what to say before closing.
    pub fn shutdown(&mut self) -> Vec<Output> {
        let line: &[u8] = match self {
            // RFC 5321 §3.8: 421 before closing; a DATA in progress is not
            // acknowledged, so the client keeps the message and retries.
            Served::Smtp { .. } => {
                b"421 4.3.2 Service shutting down, closing transmission channel\r\n"
            }
            // No UPDATE state: nothing marked is deleted (RFC 1939 §6); the
            // maildrop is released when the connection is dropped.
            Served::Pop3 { .. } => b"-ERR [SYS/TEMP] server shutting down, nothing was deleted\r\n",
        };
        vec![Output::Send(line.to_vec()), Output::Close]
    }

    /// What the log line says of the session.
    pub fn summary(&self) -> String {
        match self {
            Served::Smtp { session, .. } => {
                let info = session.info();
                format!(
                    "helo={} auth={}",
                    info.helo.as_deref().unwrap_or("-"),
                    info.authenticated.as_deref().unwrap_or("-")
                )
            }
            Served::Pop3 { user, .. } => {
                format!("user={}", user.as_deref().unwrap_or("-"))
            }
        }
    }
}
