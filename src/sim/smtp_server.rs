//! The simulated SMTP server session: a sans-IO state machine. Bytes in,
//! [`Output`]s out; the driver (tokio, or the in-memory link) only moves
//! bytes. ALL state transitions of the server side of SMTP are in this file.
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

    fn helo(&mut self, domain: String, esmtp: bool, out: &mut Vec<Output>) {
        // RFC 5321 §4.1.4: EHLO/HELO in a session resets any transaction.
        self.tx = None;
        self.greeted = true;
        self.info.esmtp = esmtp;
        self.info.helo = Some(domain.clone());
        let hello = format!("{} Hello {domain}", self.cfg.hostname);
        if !esmtp {
            out.push(reply(Code::OK, None, &hello));
            return;
        }
        let mut lines = vec![
            hello,
            "PIPELINING".to_string(),
            format!("SIZE {}", self.cfg.max_size),
            "8BITMIME".to_string(),
            "ENHANCEDSTATUSCODES".to_string(),
        ];
        if !self.cfg.auth_requires_tls || self.info.tls {
            lines.push("AUTH PLAIN LOGIN CRAM-MD5".to_string());
        }
        if self.cfg.starttls && !self.info.tls {
            lines.push("STARTTLS".to_string());
        }
        lines.push("HELP".to_string());
        out.push(multi(Code::OK, None, &lines));
    }

    fn need_greeting(&mut self, out: &mut Vec<Output>) -> bool {
        if !self.greeted {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: send HELO/EHLO first",
            ));
            self.error(out);
            return false;
        }
        true
    }

    fn mail(&mut self, from: ReversePath, params: Vec<Parameter>, out: &mut Vec<Output>) {
        if !self.need_greeting(out) {
            return;
        }
        if self.tx.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: nested MAIL command (send RSET to start over)",
            ));
            self.error(out);
            return;
        }
        for p in &params {
            let kw = p.keyword.to_ascii_uppercase();
            let value = p.value.as_deref().unwrap_or("");
            match kw.as_str() {
                // RFC 1870 §6: SIZE=n; more than the maximum gets 552.
                "SIZE" if self.info.esmtp => match value.parse::<usize>() {
                    Ok(n) if n > self.cfg.max_size => {
                        out.push(reply(
                            Code::EXCEEDED_STORAGE,
                            esc(5, 3, 4),
                            "Message size exceeds fixed maximum message size",
                        ));
                        return;
                    }
                    Ok(_) => {}
                    Err(_) => {
                        out.push(reply(
                            Code::PARAMETER_ERROR,
                            esc(5, 5, 4),
                            "Syntax: SIZE=<number of octets>",
                        ));
                        return;
                    }
                },
                // RFC 6152: BODY=7BIT or BODY=8BITMIME.
                "BODY"
                    if self.info.esmtp
                        && (value.eq_ignore_ascii_case("7BIT")
                            || value.eq_ignore_ascii_case("8BITMIME")) => {}
                // RFC 4954 §5: AUTH=<mailbox> or AUTH=<>; accepted, not trusted.
                "AUTH" if self.info.esmtp => {}
                _ => {
                    // RFC 5321 §4.1.1.11: parameters not recognized → 555.
                    out.push(reply(
                        Code::PARAMETERS_NOT_RECOGNIZED,
                        esc(5, 5, 4),
                        &format!(
                            "Error: MAIL parameter {} not recognized or not implemented",
                            p.keyword
                        ),
                    ));
                    return;
                }
            }
        }
        let from = match from {
            ReversePath::Null => None,
            ReversePath::Path(p) => Some(p.mailbox),
        };
        let shown = from.as_ref().map(|m| m.to_string()).unwrap_or_default();
        self.tx = Some(Transaction {
            from,
            rcpts: Vec::new(),
        });
        out.push(reply(
            Code::OK,
            esc(2, 1, 0),
            &format!("Sender <{shown}> OK"),
        ));
    }

    fn rcpt(
        &mut self,
        to: ForwardPath,
        params: Vec<Parameter>,
        backend: &mut dyn SmtpBackend,
        out: &mut Vec<Output>,
    ) {
        if !self.need_greeting(out) {
            return;
        }
        let Some(tx) = self.tx.as_mut() else {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: need MAIL command before RCPT",
            ));
            self.error(out);
            return;
        };
        if let Some(p) = params.first() {
            out.push(reply(
                Code::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                &format!(
                    "Error: RCPT parameter {} not recognized or not implemented",
                    p.keyword
                ),
            ));
            return;
        }
        if tx.rcpts.len() >= self.cfg.max_recipients {
            // RFC 5321 §4.5.3.1.10: "452 Too many recipients".
            out.push(reply(
                Code::INSUFFICIENT_STORAGE,
                esc(4, 5, 3),
                "Error: too many recipients",
            ));
            return;
        }
        let mailbox = match to {
            // RFC 5321 §4.1.1.3, §4.5.1: <Postmaster> must be accepted
            // without a domain, on every port.
            ForwardPath::Postmaster => backend.postmaster(&self.cfg.hostname),
            // A source route may be ignored (RFC 5321 Appendix C): the mailbox decides.
            ForwardPath::Path(p) => p.mailbox,
        };
        let from = tx.from.clone();
        let decision = backend.check_recipient(&self.info, from.as_ref(), &mailbox);
        let tx = match self.tx.as_mut() {
            Some(tx) => tx,
            None => return,
        };
        match decision {
            RcptDecision::Accept => {
                tx.rcpts.push(mailbox.clone());
                out.push(reply(Code::OK, esc(2, 1, 5), &format!("Recipient <{mailbox}> OK")));
            }
            RcptDecision::UnknownUser => out.push(reply(
                Code::MAILBOX_UNAVAILABLE,
                esc(5, 1, 1),
                &format!("<{mailbox}>: Recipient address rejected: User unknown"),
            )),
            RcptDecision::RelayDenied => out.push(reply(
                Code::TRANSACTION_FAILED,
                esc(5, 7, 1),
                &format!("<{mailbox}>: Relay access denied"),
            )),
            // Dovecot's LMTP answers the same when the quota is reached
            // (quota_full_tempfail = no): the sender gets it back at once.
            RcptDecision::MailboxFull => out.push(reply(
                Code::EXCEEDED_STORAGE,
                esc(5, 2, 2),
                &format!("<{mailbox}>: Mailbox full (quota exceeded)"),
            )),
            // As Dovecot's LMTP with quota_full_tempfail = yes.
            RcptDecision::MailboxFullTemporary => out.push(reply(
                Code::INSUFFICIENT_STORAGE,
                esc(4, 2, 2),
                &format!("<{mailbox}>: Mailbox full (quota exceeded), try again later"),
            )),
            // RFC 6647 §2.1: a temporary refusal of an unknown triplet.
            RcptDecision::Greylisted { delay } => out.push(reply(
                Code::MAILBOX_BUSY,
                esc(4, 7, 1),
                &format!(
                    "<{mailbox}>: Recipient address rejected: Greylisted for {delay} seconds, try again later (RFC 6647)"
                ),
            )),
            // RFC 7505 §4.1, Postfix's wording.
            RcptDecision::NullMx => out.push(reply(
                Code::DOMAIN_NO_MAIL,
                esc(5, 1, 10),
                &format!(
                    "<{mailbox}>: Recipient address rejected: Domain {} does not accept mail (nullMX)",
                    mailbox.domain_lower()
                ),
            )),
            RcptDecision::RoutingDenied => out.push(reply(
                Code::MAILBOX_UNAVAILABLE,
                esc(5, 7, 1),
                &format!("<{mailbox}>: routing with % or ! is not accepted (relay access denied)"),
            )),
        }
    }

    fn data(&mut self, out: &mut Vec<Output>) {
        if !self.need_greeting(out) {
            return;
        }
        match &self.tx {
            None => {
                out.push(reply(
                    Code::BAD_SEQUENCE,
                    esc(5, 5, 1),
                    "Error: need MAIL command",
                ));
                self.error(out);
            }
            // RFC 5321 §3.3: no valid recipient → 503 or 554.
            Some(tx) if tx.rcpts.is_empty() => {
                out.push(reply(
                    Code::TRANSACTION_FAILED,
                    esc(5, 5, 1),
                    "Error: no valid recipients (need RCPT command)",
                ));
                self.error(out);
            }
            Some(_) => {
                out.push(reply(
                    Code::START_MAIL_INPUT,
                    None,
                    "End data with <CR><LF>.<CR><LF>",
                ));
                self.lines.set_limit(SMTP_TEXT_LINE);
                self.phase = Phase::Data(Box::new(DataReceiver::new(self.cfg.max_size)));
            }
        }
    }

    fn end_of_data(
        &mut self,
        rx: DataReceiver,
        backend: &mut dyn SmtpBackend,
        out: &mut Vec<Output>,
    ) {
        if self.trouble_at(Point::EndOfData, out) {
            self.tx = None;
            return;
        }
        let Some(tx) = self.tx.take() else {
            return;
        };
        let data = rx.finish();
        if data.too_big {
            out.push(reply(
                Code::EXCEEDED_STORAGE,
                esc(5, 3, 4),
                "Message size exceeds fixed maximum message size",
            ));
            return;
        }
        if data.lost_lines() {
            out.push(reply(
                Code::SYNTAX_ERROR,
                esc(5, 5, 2),
                "Line too long: a message line is at most 1000 octets with CRLF (RFC 5321 4.5.3.1.6); nothing delivered",
            ));
            return;
        }
        let envelope = Envelope {
            from: tx.from,
            to: tx.rcpts,
        };
        out.push(match backend.submit(&self.info, &envelope, &data.message) {
            Ok(id) => Output::SendAfterCommit {
                ok: wire(Code::OK, esc(2, 0, 0), &format!("Ok: queued as {id}")),
                // RFC 5321 §4.2.2: 451 local error, 452 insufficient storage;
                // RFC 3463: 4.3.0 other mail system problem, 4.3.1 mail system full.
                failed: wire(
                    Code::LOCAL_ERROR,
                    esc(4, 3, 0),
                    "Error: local error in processing; nothing was kept, try again later",
                ),
                full: wire(
                    Code::INSUFFICIENT_STORAGE,
                    esc(4, 3, 1),
                    "Insufficient system storage: the disk is full; nothing was kept, try again later",
                ),
            },
            Err(SubmitError::NoSpace) => reply(Code::INSUFFICIENT_STORAGE, esc(4, 3, 1), "Insufficient system storage"),
            Err(SubmitError::Storage(_)) => reply(
                Code::LOCAL_ERROR,
                esc(4, 3, 0),
                "Error: local error in processing; nothing was kept, try again later",
            ),
        });
    }

    fn help(&self, topic: Option<&str>) -> Output {
        match topic {
            None => {
                let verbs: Vec<&str> = Verb::ALL.iter().map(|v| v.name()).collect();
                multi(
                    Code::HELP,
                    esc(2, 0, 0),
                    &[
                        format!(
                            "{} — facteur, the simulated mail server for learning SMTP",
                            self.cfg.hostname
                        ),
                        format!("Commands: {}", verbs.join(" ")),
                        "HELP <command> shows its syntax; see RFC 5321 section 4.1".to_string(),
                        "End of HELP info".to_string(),
                    ],
                )
            }
            Some(t) => match Verb::parse(t.trim()) {
                Some(v) => multi(
                    Code::HELP,
                    esc(2, 0, 0),
                    &[
                        format!("Syntax: {}", v.syntax()),
                        format!("Defined in {}", v.rfc()),
                    ],
                ),
                None => reply(
                    Code::PARAMETER_NOT_IMPLEMENTED,
                    esc(5, 5, 1),
                    &format!(
                        "HELP topic {:?} unknown",
                        crate::proto::visible::visible_str(t)
                    ),
                ),
            },
        }
    }

    fn starttls(&mut self, out: &mut Vec<Output>) {
        if !self.cfg.starttls {
            out.push(reply(
                Code::NOT_IMPLEMENTED,
                esc(5, 5, 1),
                "Error: command not implemented (no TLS on this server)",
            ));
            return;
        }
        if self.info.tls {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: TLS already active",
            ));
            return;
        }
        // STARTTLS is an ESMTP extension: only after EHLO announced it;
        // and not in the middle of a transaction (Postfix answers the same).
        if !self.greeted || !self.info.esmtp {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: send EHLO first",
            ));
            return;
        }
        if self.tx.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: MAIL transaction in progress",
            ));
            return;
        }
        out.push(reply(
            Code::SERVICE_READY,
            esc(2, 0, 0),
            "Ready to start TLS",
        ));
        out.push(Output::StartTls);
    }

    fn auth(
        &mut self,
        mechanism: &str,
        initial: Option<&str>,
        backend: &mut dyn SmtpBackend,
        out: &mut Vec<Output>,
    ) {
        if !self.greeted || !self.info.esmtp {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: send EHLO first (AUTH is an ESMTP extension)",
            ));
            self.error(out);
            return;
        }
        if self.info.authenticated.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: already authenticated",
            ));
            self.error(out);
            return;
        }
        if self.tx.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: AUTH not permitted during a mail transaction",
            ));
            self.error(out);
            return;
        }
        if self.cfg.auth_requires_tls && !self.info.tls {
            out.push(reply(
                Code::ENCRYPTION_REQUIRED,
                esc(5, 7, 11),
                "Encryption required for requested authentication mechanism",
            ));
            return;
        }
        let nonce = backend.nonce();
        let accounts = |login: &str| backend.account(login);
        match SaslServer::start(mechanism, initial, nonce, &self.cfg.hostname, &accounts) {
            Ok((server, step)) => self.auth_step(server, step, out),
            Err(StartError::InitialResponseNotAllowed) => out.push(reply(
                Code::PARAMETER_ERROR,
                esc(5, 5, 2),
                "Error: CRAM-MD5 does not take an initial response",
            )),
            Err(StartError::Unsupported) => out.push(reply(
                Code::PARAMETER_NOT_IMPLEMENTED,
                esc(5, 5, 4),
                "Error: unrecognized authentication type (try PLAIN, LOGIN or CRAM-MD5)",
            )),
        }
    }

    /// Turn a SASL step into SMTP replies (RFC 4954 §4 and §6).
    fn auth_step(&mut self, server: SaslServer, step: SaslStep, out: &mut Vec<Output>) {
        match step {
            SaslStep::Challenge(c) => {
                out.push(reply(Code::AUTH_CHALLENGE, None, &c));
                self.lines.set_limit(AUTH_LINE_LIMIT);
                self.phase = Phase::Auth(server);
            }
            SaslStep::Success(account) => {
                self.info.authenticated = Some(account);
                out.push(reply(
                    Code::AUTH_SUCCEEDED,
                    esc(2, 7, 0),
                    "Authentication successful",
                ));
            }
            SaslStep::Failure => {
                // RFC 4954 §4 leaves the pace to the server: each failure
                // is answered more slowly (1 s, 2 s, …), then 421 after
                // `max_auth_failures`, so guessing passwords costs time.
                let n = u64::from(self.auth_failures) + 1;
                out.push(Output::Pause(
                    self.cfg.auth_failure_delay_ms.saturating_mul(n),
                ));
                out.push(reply(
                    Code::AUTH_INVALID,
                    esc(5, 7, 8),
                    "Authentication credentials invalid",
                ));
                self.auth_failed(out);
            }
            SaslStep::Cancelled => out.push(reply(
                Code::PARAMETER_ERROR,
                esc(5, 7, 0),
                "Authentication cancelled",
            )),
            SaslStep::Malformed(why) => out.push(reply(
                Code::PARAMETER_ERROR,
                esc(5, 5, 2),
                &format!("Cannot decode response ({why})"),
            )),
        }
    }

    fn auth_failed(&mut self, out: &mut Vec<Output>) {
        self.auth_failures += 1;
        if self.auth_failures >= self.cfg.max_auth_failures {
            out.push(reply(
                Code::NOT_AVAILABLE,
                esc(4, 7, 0),
                &format!(
                    "{} Error: too many failed authentications",
                    self.cfg.hostname
                ),
            ));
            out.push(Output::Close);
            self.phase = Phase::Closed;
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
