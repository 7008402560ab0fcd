//! The simulated SMTP server session: a sans-IO state machine. Bytes in,
//! [`Output`]s out; the driver (tokio, or the in-memory link) only moves
//! bytes. ALL state transitions of the server side of SMTP are in this module:
//! commands here, HELO/EHLO and HELP in `hello.rs`, the mail transaction in `transaction.rs`, STARTTLS and
//! AUTH in `security.rs`.
//!
//! It follows RFC 5321 to the letter, because students learn from it:
//! commands out of order get 503 with what was expected (§4.1.4, §3.3), a
//! second MAIL is refused (Mailpit once said 250), `CRLF.CRLF` alone ends the
//! data (§4.1.1.4), STARTTLS forgets everything (RFC 3207 §4.2), AUTH follows
//! RFC 4954 §4 (one success per session, never inside a transaction, `*`
//! cancels with 501, bad base64 gives 501 5.5.2, wrong credentials 535 5.7.8).

use crate::proto::data::{DataProgress, DataReceiver};
use crate::proto::line::{Framed, LineReader, SMTP_COMMAND_LINE, SMTP_TEXT_LINE};
use crate::proto::smtp::address::Mailbox;
use crate::proto::smtp::command::{
    self, Command, CommandError, ForwardPath, Parameter, ReversePath, Verb,
};
use crate::proto::smtp::reply::{Code, EnhancedCode, Reply};
use crate::sim::sasl_server::{SaslServer, SaslStep, StartError};
use crate::sim::scenario::Point;

/// RFC 4954 §4: a server must accept AUTH continuation lines of at least 12288 octets.
pub const AUTH_LINE_LIMIT: usize = 12_288;

pub use crate::sim::smtp_api::{
    Envelope, RcptDecision, SessionInfo, SmtpBackend, SmtpConfig, SubmitError, Trouble, VrfyAnswer,
};

pub use crate::sim::Output;

mod hello;
mod security;
mod transaction;

#[derive(Debug, Clone)]
struct Transaction {
    from: Option<Mailbox>,
    rcpts: Vec<Mailbox>,
}

#[derive(Debug)]
enum Phase {
    /// Reading commands.
    Command,
    /// Reading the message after 354.
    Data(Box<DataReceiver>),
    /// Reading a SASL continuation after 334.
    Auth(SaslServer),
    Closed,
}

/// One SMTP server session.
#[derive(Debug)]
pub struct SmtpSession {
    cfg: SmtpConfig,
    info: SessionInfo,
    lines: LineReader,
    phase: Phase,
    greeted: bool,
    tx: Option<Transaction>,
    auth_failures: u32,
    errors: u32,
}

/// An enhanced status code the simulator sends (RFC 3463 §3).
pub const fn esc(class: u8, subject: u16, detail: u16) -> Option<EnhancedCode> {
    Some(EnhancedCode::new(class, subject, detail))
}

/// A reply as bytes.
pub fn reply(code: Code, enhanced: Option<EnhancedCode>, text: &str) -> Output {
    Output::Send(wire(code, enhanced, text))
}

fn wire(code: Code, enhanced: Option<EnhancedCode>, text: &str) -> Vec<u8> {
    Reply::new(code, enhanced, &[text]).to_wire()
}

fn multi(code: Code, enhanced: Option<EnhancedCode>, lines: &[String]) -> Output {
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    Output::Send(Reply::new(code, enhanced, &refs).to_wire())
}

impl SmtpSession {
    pub fn new(cfg: SmtpConfig, info: SessionInfo) -> Self {
        let phase = match cfg.trouble {
            Some((_, Point::Greeting)) => Phase::Closed,
            _ => Phase::Command,
        };
        SmtpSession {
            cfg,
            info,
            lines: LineReader::new(SMTP_COMMAND_LINE),
            phase,
            greeted: false,
            tx: None,
            auth_failures: 0,
            errors: 0,
        }
    }

    /// The 220 greeting (RFC 5321 §4.3.1), to send first — or, from a
    /// host that is unavailable, 421 (the session is then closed, §3.1).
    pub fn greeting(&self) -> Output {
        match self.cfg.trouble {
            Some((Trouble::Unavailable, Point::Greeting)) => self.unavailable(),
            Some((Trouble::Drop, Point::Greeting)) => Output::Close,
            _ => reply(
                Code::SERVICE_READY,
                None,
                &format!("{} ESMTP facteur", self.cfg.hostname),
            ),
        }
    }

    fn unavailable(&self) -> Output {
        reply(
            Code::NOT_AVAILABLE,
            esc(4, 3, 2),
            &format!(
                "{} Service not available, closing transmission channel",
                self.cfg.hostname
            ),
        )
    }

    /// The world's fault strikes at `point`: 421 and close, or a cut.
    fn trouble_at(&mut self, point: Point, out: &mut Vec<Output>) -> bool {
        match self.cfg.trouble {
            Some((t, p)) if p == point => {
                if t == Trouble::Unavailable {
                    out.push(self.unavailable());
                }
                out.push(Output::Close);
                self.phase = Phase::Closed;
                true
            }
            _ => false,
        }
    }

    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub fn config(&self) -> &SmtpConfig {
        &self.cfg
    }

    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Whether the session is reading a message body.
    pub fn in_data(&self) -> bool {
        matches!(self.phase, Phase::Data(_))
    }

    /// A command line has begun and not ended yet (not inside DATA, where
    /// RFC 5321 §4.5.3.2.5 times each read instead). The driver gives the
    /// whole line the idle timeout, so a client dripping one byte at a time
    /// (slowloris) is closed like an idle one.
    pub fn line_pending(&self) -> bool {
        !self.in_data() && self.lines.has_partial()
    }

    /// The TLS handshake succeeded: RFC 3207 §4.2, the server discards all
    /// knowledge obtained from the client (HELO, transaction, AUTH).
    pub fn tls_established(&mut self) {
        self.info.tls = true;
        self.info.helo = None;
        self.info.esmtp = false;
        self.info.authenticated = None;
        self.greeted = false;
        self.tx = None;
        self.phase = Phase::Command;
        self.lines = LineReader::new(SMTP_COMMAND_LINE);
    }

    /// The driver's idle timer fired (RFC 5321 §4.5.3.2).
    pub fn timeout(&mut self) -> Vec<Output> {
        self.phase = Phase::Closed;
        vec![
            reply(
                Code::NOT_AVAILABLE,
                esc(4, 4, 2),
                &format!("{} Error: timeout exceeded", self.cfg.hostname),
            ),
            Output::Close,
        ]
    }

    /// The server is shutting down.
    pub fn shutdown(&mut self) -> Vec<Output> {
        self.phase = Phase::Closed;
        vec![
            reply(
                Code::NOT_AVAILABLE,
                esc(4, 3, 2),
                &format!(
                    "{} Service shutting down, closing transmission channel",
                    self.cfg.hostname
                ),
            ),
            Output::Close,
        ]
    }

    /// Feed bytes from the client; get what to do.
    pub fn handle(&mut self, input: &[u8], backend: &mut dyn SmtpBackend) -> Vec<Output> {
        crate::sim::feed_lines(self, input, |s, framed, out| {
            s.handle_line(framed, backend, out)
        })
    }

    /// The connection was lost: an unfinished DATA delivers nothing.
    pub fn connection_lost(&mut self) {
        self.phase = Phase::Closed;
        self.tx = None;
    }

    fn handle_line(
        &mut self,
        framed: Framed,
        backend: &mut dyn SmtpBackend,
        out: &mut Vec<Output>,
    ) {
        match std::mem::replace(&mut self.phase, Phase::Command) {
            Phase::Data(mut rx) => {
                if rx.push(framed) == DataProgress::End {
                    self.lines.set_limit(SMTP_COMMAND_LINE);
                    self.end_of_data(*rx, backend, out);
                } else {
                    self.phase = Phase::Data(rx);
                }
            }
            Phase::Auth(mut server) => {
                self.lines.set_limit(SMTP_COMMAND_LINE);
                match framed {
                    Ok(line) => {
                        let accounts = |login: &str| backend.account(login);
                        let step = server.step(&line.content, &accounts);
                        self.auth_step(server, step, out);
                    }
                    Err(_) => {
                        out.push(reply(
                            Code::SYNTAX_ERROR,
                            esc(5, 5, 6),
                            "Authentication Exchange line is too long",
                        ));
                        self.auth_failed(out);
                    }
                }
            }
            Phase::Command => match framed {
                Ok(line) => self.command(&line.content, backend, out),
                Err(e) => {
                    out.push(reply(
                        Code::SYNTAX_ERROR,
                        esc(5, 5, 2),
                        &format!(
                            "Line too long: {} octets, the limit is {} (RFC 5321 4.5.3.1.4)",
                            e.length, e.limit
                        ),
                    ));
                    self.error(out);
                }
            },
            Phase::Closed => self.phase = Phase::Closed,
        }
    }

    /// Count a protocol error; too many close the session (hostile client).
    fn error(&mut self, out: &mut Vec<Output>) {
        self.errors += 1;
        if self.errors >= self.cfg.max_errors {
            out.push(reply(
                Code::NOT_AVAILABLE,
                esc(4, 7, 0),
                &format!("{} Error: too many errors", self.cfg.hostname),
            ));
            out.push(Output::Close);
            self.phase = Phase::Closed;
        }
    }

    fn command(&mut self, line: &[u8], backend: &mut dyn SmtpBackend, out: &mut Vec<Output>) {
        let parsed = match command::parse(line) {
            Ok(p) => p,
            Err(e) => {
                out.push(match &e {
                    CommandError::Syntax { verb, .. } => reply(
                        Code::PARAMETER_ERROR,
                        esc(5, 5, 4),
                        &format!("Syntax: {} ({})", verb.syntax(), e),
                    ),
                    CommandError::Empty => reply(
                        Code::SYNTAX_ERROR,
                        esc(5, 5, 2),
                        "Error: bad syntax (empty line)",
                    ),
                    CommandError::NotUtf8 { .. } | CommandError::ControlChar { .. } => reply(
                        Code::SYNTAX_ERROR,
                        esc(5, 5, 2),
                        &format!("Error: bad syntax ({e})"),
                    ),
                });
                self.error(out);
                return;
            }
        };
        let point = match &parsed.command {
            Command::Helo { .. } | Command::Ehlo { .. } => Some(Point::Ehlo),
            Command::Mail { .. } => Some(Point::Mail),
            Command::Rcpt { .. } => Some(Point::Rcpt),
            Command::Data => Some(Point::Data),
            _ => None,
        };
        if point.is_some_and(|p| self.trouble_at(p, out)) {
            return;
        }
        match parsed.command {
            Command::Helo { domain } => self.helo(domain, false, out),
            Command::Ehlo { domain } => self.helo(domain, true, out),
            Command::Mail { from, params } => self.mail(from, params, out),
            Command::Rcpt { to, params } => self.rcpt(to, params, backend, out),
            Command::Data => self.data(out),
            Command::Rset => {
                self.tx = None;
                out.push(reply(Code::OK, esc(2, 0, 0), "Ok"));
            }
            Command::Noop { .. } => out.push(reply(Code::OK, esc(2, 0, 0), "Ok")),
            Command::Quit => {
                out.push(reply(
                    Code::CLOSING,
                    esc(2, 0, 0),
                    &format!("{} Bye", self.cfg.hostname),
                ));
                out.push(Output::Close);
                self.phase = Phase::Closed;
            }
            Command::Vrfy { query } => out.push(match backend.verify(&query) {
                VrfyAnswer::Known {
                    full_name: Some(n),
                    address,
                } => reply(Code::OK, esc(2, 1, 5), &format!("{n} <{address}>")),
                VrfyAnswer::Known {
                    full_name: None,
                    address,
                } => reply(Code::OK, esc(2, 1, 5), &format!("<{address}>")),
                VrfyAnswer::CannotVerify => reply(
                    Code::CANNOT_VRFY,
                    esc(2, 5, 2),
                    "Cannot VRFY user, but will accept message and attempt delivery",
                ),
                VrfyAnswer::Unknown => reply(
                    Code::MAILBOX_UNAVAILABLE,
                    esc(5, 1, 1),
                    &format!("<{query}>: User unknown"),
                ),
                VrfyAnswer::Ambiguous(list) => {
                    let lines: Vec<String> = list
                        .iter()
                        .map(|a| format!("Ambiguous; possibilities are <{a}>"))
                        .collect();
                    multi(Code::MAILBOX_NAME_NOT_ALLOWED, esc(5, 1, 4), &lines)
                }
            }),
            Command::Expn { list } => out.push(match backend.expand(&list) {
                Some(members) => multi(
                    Code::OK,
                    esc(2, 1, 5),
                    &members.iter().map(|m| format!("<{m}>")).collect::<Vec<_>>(),
                ),
                None => reply(
                    Code::MAILBOX_UNAVAILABLE,
                    esc(5, 1, 1),
                    &format!("<{list}>: not a mailing list"),
                ),
            }),
            Command::Help { topic } => out.push(self.help(topic.as_deref())),
            Command::StartTls => self.starttls(out),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response.as_deref(), backend, out),
            // RFC 5321 §4.2.4: 502 for a command recognised but not
            // implemented; CHUNKING, ETRN, ATRN and BURL are not announced
            // by this server (RFC 3030 §2, RFC 1985, RFC 2645, RFC 4468).
            Command::Bdat { .. }
            | Command::Etrn { .. }
            | Command::Atrn { .. }
            | Command::Burl { .. } => {
                out.push(reply(
                    Code::NOT_IMPLEMENTED,
                    esc(5, 5, 1),
                    "Error: command not implemented",
                ));
                self.error(out);
            }
            Command::Unknown { verb, .. } => {
                out.push(reply(
                    Code::SYNTAX_ERROR,
                    esc(5, 5, 1),
                    &format!(
                        "Error: command {:?} not recognized (try HELP)",
                        crate::proto::visible::visible_str(&verb)
                    ),
                ));
                self.error(out);
            }
        }
    }
}

impl crate::sim::LineSession for SmtpSession {
    const COMMAND_LIMIT: usize = SMTP_COMMAND_LINE;

    fn lines(&mut self) -> &mut LineReader {
        &mut self.lines
    }

    fn closed(&self) -> bool {
        self.is_closed()
    }
}
