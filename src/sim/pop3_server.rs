//! The simulated POP3 server session: a sans-IO state machine, with ALL the
//! transitions of the server side of POP3 in this module (the AUTHORIZATION
//! state in `authorization.rs`, TRANSACTION in `transaction.rs`).
//!
//! RFC 1939 exactly: AUTHORIZATION → TRANSACTION → UPDATE. DELE only marks
//! (STAT and LIST leave marked messages out; touching one gives -ERR); RSET
//! unmarks; messages are removed only by QUIT from TRANSACTION (§6); any
//! other end of the session removes nothing (§6: "if the session ends for
//! any other reason … without issuing QUIT, the server MUST NOT enter the
//! UPDATE state"). The maildrop is locked exclusively during TRANSACTION
//! (§8); a second login gets `-ERR [IN-USE]` (RFC 2449 §8.1.1).

use crate::proto::line::{Framed, LineReader, POP3_COMMAND_LINE};
use crate::proto::pop3::apop;
use crate::proto::pop3::command::{self, Command, CommandError};
use crate::proto::pop3::response::{Response, StatusLine};
use crate::sim::sasl_server::{MECHANISMS, SaslServer, SaslStep, StartError};
use crate::sim::smtp_server::AUTH_LINE_LIMIT;
use crate::sim::store::{Locked, StoredMessage};

/// How the POP3 server is set up.
#[derive(Debug, Clone)]
pub struct Pop3Config {
    /// e.g. `pop.wanadoo.fr`.
    pub hostname: String,
    /// Whether STLS is offered (RFC 2595).
    pub stls: bool,
    /// Failed logins before the session is closed.
    pub max_auth_failures: u32,
    /// The n-th failed login is answered after n times this (milliseconds).
    pub auth_failure_delay_ms: u64,
    /// Protocol errors before the session is closed.
    pub max_errors: u32,
    /// USER/PASS, APOP and AUTH only inside TLS (RFC 2595 §2.4 lets a
    /// server refuse them in clear; Dovecot's `disable_plaintext_auth`).
    pub auth_requires_tls: bool,
}

impl Pop3Config {
    pub fn new(hostname: &str) -> Self {
        Pop3Config {
            hostname: hostname.to_string(),
            stls: false,
            max_auth_failures: 3,
            auth_failure_delay_ms: 1000,
            max_errors: 25,
            auth_requires_tls: false,
        }
    }
}

/// What the session asks of the world around it.
pub trait Pop3Backend {
    /// The mailbox (`local@domain`) and secret of a login.
    fn account(&self, login: &str) -> Option<(String, String)>;
    /// Lock a maildrop and get its messages.
    fn lock(&mut self, mailbox: &str) -> Result<Vec<StoredMessage>, Locked>;
    /// Release the lock, removing nothing.
    fn unlock(&mut self, mailbox: &str);
    /// The UPDATE state: remove these messages, then release the lock.
    fn commit(&mut self, mailbox: &str, deleted: &[String]) -> std::io::Result<()>;
    /// Unique numbers for the APOP timestamp and CRAM-MD5 challenges.
    fn nonce(&mut self) -> (u64, u64);
    /// A message was sent down by RETR (the world's itinerary, step 6).
    fn retrieved(&mut self, _mailbox: &str, _msg: u32, _octets: usize) {}
}

pub use crate::sim::Output;

mod authorization;
mod transaction;

#[derive(Debug)]
struct Maildrop {
    mailbox: String,
    messages: Vec<StoredMessage>,
    deleted: Vec<bool>,
}

#[derive(Debug)]
enum State {
    Authorization { user: Option<String> },
    Sasl(SaslServer),
    Transaction(Maildrop),
    Closed,
}

/// One POP3 server session.
#[derive(Debug)]
pub struct Pop3Session {
    cfg: Pop3Config,
    timestamp: String,
    lines: LineReader,
    state: State,
    tls: bool,
    auth_failures: u32,
    errors: u32,
}

fn ok(text: &str) -> Output {
    Output::Send(StatusLine::ok(text).to_wire())
}

fn err(code: Option<&str>, text: &str) -> Output {
    Output::Send(StatusLine::err(code, text).to_wire())
}

fn unknown(verb: &str) -> Output {
    err(
        None,
        &format!(
            "unknown command {:?}",
            crate::proto::visible::visible_str(verb)
        ),
    )
}

fn multiline(status: &str, body: Vec<Vec<u8>>) -> Output {
    Output::Send(
        Response {
            status: StatusLine::ok(status),
            body: Some(body),
            stuffed_lines: 0,
            lost_lines: 0,
        }
        .to_wire(),
    )
}

impl Pop3Session {
    /// A session; `nonce` makes the APOP timestamp (RFC 1939 §7).
    pub fn new(cfg: Pop3Config, nonce: (u64, u64)) -> Self {
        let timestamp = format!("<{}.{}@{}>", nonce.0, nonce.1, cfg.hostname);
        Pop3Session {
            cfg,
            timestamp,
            lines: LineReader::new(POP3_COMMAND_LINE),
            state: State::Authorization { user: None },
            tls: false,
            auth_failures: 0,
            errors: 0,
        }
    }

    /// The greeting, with the APOP timestamp.
    pub fn greeting(&self) -> Output {
        ok(&format!(
            "POP3 server {} ready {}",
            self.cfg.hostname, self.timestamp
        ))
    }

    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// A command line has begun and not ended yet (see the SMTP session's).
    pub fn line_pending(&self) -> bool {
        self.lines.has_partial()
    }

    /// The maildrop held by this session, if in TRANSACTION.
    pub fn mailbox(&self) -> Option<&str> {
        match &self.state {
            State::Transaction(m) => Some(&m.mailbox),
            _ => None,
        }
    }

    /// RFC 2595 §4: after STLS the client must authenticate again; nothing changes but TLS.
    pub fn tls_established(&mut self) {
        self.tls = true;
        self.lines = LineReader::new(POP3_COMMAND_LINE);
    }

    /// The connection ended without QUIT (closed, timed out, killed): the
    /// lock is released and NOTHING is removed (RFC 1939 §6).
    pub fn connection_lost(&mut self, backend: &mut dyn Pop3Backend) {
        if let State::Transaction(m) = std::mem::replace(&mut self.state, State::Closed) {
            backend.unlock(&m.mailbox);
        }
    }

    /// The idle timer fired (RFC 1939 §3: at least 10 minutes).
    pub fn timeout(&mut self, backend: &mut dyn Pop3Backend) -> Vec<Output> {
        self.connection_lost(backend);
        vec![err(None, "autologout: idle for too long"), Output::Close]
    }

    /// Feed bytes from the client.
    pub fn handle(&mut self, input: &[u8], backend: &mut dyn Pop3Backend) -> Vec<Output> {
        crate::sim::feed_lines(self, input, |s, framed, out| {
            s.handle_line(framed, backend, out)
        })
    }

    fn handle_line(
        &mut self,
        framed: Framed,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        if let State::Sasl(_) = self.state {
            let State::Sasl(mut server) =
                std::mem::replace(&mut self.state, State::Authorization { user: None })
            else {
                return;
            };
            self.lines.set_limit(POP3_COMMAND_LINE);
            let step = match &framed {
                Ok(line) => {
                    let accounts = |login: &str| backend.account(login);
                    server.step(&line.content, &accounts)
                }
                Err(_) => SaslStep::Malformed("line too long"),
            };
            self.sasl_step(server, step, backend, out);
            return;
        }
        let line = match framed {
            Ok(l) => l,
            Err(e) => {
                out.push(err(
                    None,
                    &format!(
                        "line too long: {} octets, the limit is {} (RFC 2449 4)",
                        e.length, e.limit
                    ),
                ));
                self.error(backend, out);
                return;
            }
        };
        let cmd = match command::parse(&line.content) {
            Ok(c) => c,
            Err(e) => {
                let text = match &e {
                    CommandError::Syntax { .. } => e.to_string(),
                    _ => format!("bad command line ({e})"),
                };
                out.push(err(None, &text));
                self.error(backend, out);
                return;
            }
        };
        match std::mem::replace(&mut self.state, State::Closed) {
            State::Authorization { user } => self.authorization(cmd, user, backend, out),
            State::Transaction(drop) => self.transaction(cmd, drop, backend, out),
            other => self.state = other,
        }
    }

    fn error(&mut self, backend: &mut dyn Pop3Backend, out: &mut Vec<Output>) {
        self.errors += 1;
        if self.errors >= self.cfg.max_errors {
            out.push(err(None, "too many errors, closing"));
            out.push(Output::Close);
            self.connection_lost(backend);
        }
    }

    fn capa(&self) -> Output {
        let clear_login_refused = self.cfg.auth_requires_tls && !self.tls;
        let mut caps: Vec<Vec<u8>> = [
            "TOP",
            "UIDL",
            "USER",
            "RESP-CODES",
            "AUTH-RESP-CODE",
            "PIPELINING",
        ]
        .iter()
        .filter(|c| !(clear_login_refused && **c == "USER"))
        .map(|s| s.as_bytes().to_vec())
        .collect();
        if !clear_login_refused {
            caps.push(format!("SASL {}", MECHANISMS.join(" ")).into_bytes());
        }
        if self.cfg.stls && !self.tls {
            caps.push(b"STLS".to_vec());
        }
        caps.push(b"IMPLEMENTATION facteur".to_vec());
        multiline("Capability list follows", caps)
    }
}

impl crate::sim::LineSession for Pop3Session {
    const COMMAND_LIMIT: usize = POP3_COMMAND_LINE;

    fn lines(&mut self) -> &mut LineReader {
        &mut self.lines
    }

    fn closed(&self) -> bool {
        self.is_closed()
    }
}
