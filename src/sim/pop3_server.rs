//! The simulated POP3 server session: a sans-IO state machine, with ALL the
//! transitions of the server side of POP3 in this file.
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

    fn authorization(
        &mut self,
        cmd: Command,
        user: Option<String>,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        self.state = State::Authorization { user: None };
        let login = matches!(
            cmd,
            Command::User { .. }
                | Command::Pass { .. }
                | Command::Apop { .. }
                | Command::Auth {
                    mechanism: Some(_),
                    ..
                }
        );
        if login && self.cfg.auth_requires_tls && !self.tls {
            // Dovecot's words for the same refusal (disable_plaintext_auth).
            out.push(err(
                Some("AUTH"),
                "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
            ));
            return;
        }
        match cmd {
            Command::User { name } => {
                // RFC 1939 §7: +OK whether or not the name exists, so that
                // nobody learns which mailboxes exist.
                out.push(ok(&format!("send PASS for {name}")));
                self.state = State::Authorization { user: Some(name) };
            }
            Command::Pass { password } => match user {
                None => {
                    out.push(err(None, "send USER first"));
                    self.error(backend, out);
                }
                Some(name) => {
                    let account = backend
                        .account(&name)
                        .filter(|(_, secret)| *secret == password);
                    self.login(account.map(|(m, _)| m), backend, out);
                }
            },
            Command::Apop { name, digest } => {
                let account = backend
                    .account(&name)
                    .filter(|(_, secret)| apop::verify(&self.timestamp, secret, &digest));
                self.login(account.map(|(m, _)| m), backend, out);
            }
            Command::Auth {
                mechanism: None, ..
            } => {
                let body = MECHANISMS.iter().map(|m| m.as_bytes().to_vec()).collect();
                out.push(multiline("SASL mechanisms follow", body));
            }
            Command::Auth {
                mechanism: Some(mech),
                initial_response,
            } => {
                let nonce = backend.nonce();
                let accounts = |login: &str| backend.account(login);
                match SaslServer::start(
                    &mech,
                    initial_response.as_deref(),
                    nonce,
                    &self.cfg.hostname,
                    &accounts,
                ) {
                    Ok((server, step)) => self.sasl_step(server, step, backend, out),
                    Err(StartError::Unsupported) => out.push(err(
                        None,
                        "unrecognized authentication type (try PLAIN, LOGIN or CRAM-MD5)",
                    )),
                    Err(StartError::InitialResponseNotAllowed) => {
                        out.push(err(None, "CRAM-MD5 does not take an initial response"))
                    }
                }
            }
            Command::Capa => out.push(self.capa()),
            Command::Stls => {
                if !self.cfg.stls {
                    out.push(err(None, "STLS not available on this server"));
                } else if self.tls {
                    out.push(err(None, "TLS already active"));
                } else {
                    out.push(ok("Begin TLS negotiation"));
                    out.push(Output::StartTls);
                }
            }
            Command::Quit => {
                out.push(ok(&format!(
                    "{} POP3 server signing off",
                    self.cfg.hostname
                )));
                out.push(Output::Close);
                self.state = State::Closed;
            }
            Command::Unknown { verb, .. } => {
                out.push(unknown(&verb));
                self.error(backend, out);
            }
            other => {
                let verb = other.verb().map(|v| v.name()).unwrap_or("?");
                out.push(err(
                    None,
                    &format!("{verb} is not allowed before login (AUTHORIZATION state: USER/PASS, APOP or AUTH first)"),
                ));
                self.error(backend, out);
            }
        }
    }

    fn sasl_step(
        &mut self,
        server: SaslServer,
        step: SaslStep,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        match step {
            SaslStep::Challenge(c) => {
                out.push(Output::Send(format!("+ {c}\r\n").into_bytes()));
                self.lines.set_limit(AUTH_LINE_LIMIT);
                self.state = State::Sasl(server);
            }
            SaslStep::Success(account) => self.login(Some(account), backend, out),
            SaslStep::Failure => self.login(None, backend, out),
            SaslStep::Cancelled => out.push(err(None, "authentication cancelled")),
            SaslStep::Malformed(why) => {
                out.push(err(None, &format!("cannot decode response ({why})")))
            }
        }
    }

    /// After credentials were checked: lock the maildrop and enter TRANSACTION.
    fn login(
        &mut self,
        mailbox: Option<String>,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        let Some(mailbox) = mailbox else {
            // RFC 3206 §4: [AUTH] says the credentials were wrong; answered
            // more slowly at each failure (RFC 1939 §13: guard against guessing).
            let n = u64::from(self.auth_failures) + 1;
            out.push(Output::Pause(
                self.cfg.auth_failure_delay_ms.saturating_mul(n),
            ));
            out.push(err(Some("AUTH"), "authentication failed"));
            self.auth_failures += 1;
            if self.auth_failures >= self.cfg.max_auth_failures {
                out.push(err(None, "too many failed logins, closing"));
                out.push(Output::Close);
                self.state = State::Closed;
            }
            return;
        };
        match backend.lock(&mailbox) {
            Err(_) => out.push(err(
                Some("IN-USE"),
                "unable to lock maildrop: another session is using it",
            )),
            Ok(messages) => {
                let total: usize = messages.iter().map(|m| m.data.len()).sum();
                out.push(ok(&format!(
                    "{mailbox}'s maildrop has {} messages ({total} octets)",
                    messages.len()
                )));
                let deleted = vec![false; messages.len()];
                self.state = State::Transaction(Maildrop {
                    mailbox,
                    messages,
                    deleted,
                });
            }
        }
    }

    fn transaction(
        &mut self,
        cmd: Command,
        mut drop: Maildrop,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        // Look up a message number that is valid and not marked (RFC 1939 §5).
        let get = |drop: &Maildrop, n: u32| -> Result<usize, Output> {
            let i = (n as usize)
                .checked_sub(1)
                .filter(|&i| i < drop.messages.len());
            match i {
                None => Err(err(
                    None,
                    &format!(
                        "no such message, only {} messages in maildrop",
                        drop.messages.len()
                    ),
                )),
                Some(i) if drop.deleted[i] => {
                    Err(err(None, &format!("message {n} already deleted")))
                }
                Some(i) => Ok(i),
            }
        };
        match cmd {
            Command::Stat => {
                let (n, size) =
                    live(&drop).fold((0, 0), |(n, s), (_, m)| (n + 1, s + m.data.len()));
                out.push(ok(&format!("{n} {size}")));
            }
            Command::List { msg: None } => {
                let (n, size) =
                    live(&drop).fold((0, 0), |(n, s), (_, m)| (n + 1, s + m.data.len()));
                let body = live(&drop)
                    .map(|(i, m)| format!("{} {}", i + 1, m.data.len()).into_bytes())
                    .collect();
                out.push(multiline(&format!("{n} messages ({size} octets)"), body));
            }
            Command::List { msg: Some(n) } => out.push(match get(&drop, n) {
                Ok(i) => ok(&format!("{n} {}", drop.messages[i].data.len())),
                Err(e) => e,
            }),
            Command::Uidl { msg: None } => {
                let body = live(&drop)
                    .map(|(i, m)| format!("{} {}", i + 1, m.uid).into_bytes())
                    .collect();
                out.push(multiline("unique-id listing follows", body));
            }
            Command::Uidl { msg: Some(n) } => out.push(match get(&drop, n) {
                Ok(i) => ok(&format!("{n} {}", drop.messages[i].uid)),
                Err(e) => e,
            }),
            // With --store the octets are read from the Maildir file now;
            // a file that cannot be read is a temporary failure (RFC 2449 §8.1.2).
            Command::Retr { msg } => out.push(match get(&drop, msg) {
                Ok(i) => match drop.messages[i].data.read() {
                    Ok(data) => {
                        backend.retrieved(&drop.mailbox, msg, data.len());
                        let body = crate::proto::data::split_lines(&data)
                            .into_iter()
                            .map(<[u8]>::to_vec)
                            .collect();
                        multiline(&format!("{} octets", data.len()), body)
                    }
                    Err(_) => err(Some("SYS/TEMP"), "cannot read the message now, try again"),
                },
                Err(e) => e,
            }),
            Command::Top { msg, lines } => out.push(match get(&drop, msg) {
                Ok(i) => match drop.messages[i].data.read() {
                    Ok(data) => multiline("top of message follows", top(&data, lines as usize)),
                    Err(_) => err(Some("SYS/TEMP"), "cannot read the message now, try again"),
                },
                Err(e) => e,
            }),
            Command::Dele { msg } => out.push(match get(&drop, msg) {
                Ok(i) => {
                    drop.deleted[i] = true;
                    ok(&format!("message {msg} deleted"))
                }
                Err(e) => e,
            }),
            Command::Rset => {
                drop.deleted.iter_mut().for_each(|d| *d = false);
                let (n, size) =
                    live(&drop).fold((0, 0), |(n, s), (_, m)| (n + 1, s + m.data.len()));
                out.push(ok(&format!("maildrop has {n} messages ({size} octets)")));
            }
            Command::Noop => out.push(ok("")),
            Command::Capa => out.push(self.capa()),
            Command::Quit => {
                // RFC 1939 §6: the UPDATE state removes the marked messages.
                let uids: Vec<String> = drop
                    .messages
                    .iter()
                    .zip(&drop.deleted)
                    .filter(|(_, d)| **d)
                    .map(|(m, _)| m.uid.clone())
                    .collect();
                let left = drop.messages.len() - uids.len();
                match backend.commit(&drop.mailbox, &uids) {
                    Ok(()) => out.push(ok(&format!(
                        "{} POP3 server signing off ({left} messages left)",
                        self.cfg.hostname
                    ))),
                    Err(_) => {
                        backend.unlock(&drop.mailbox);
                        out.push(err(Some("SYS/TEMP"), "some deleted messages not removed"));
                    }
                }
                out.push(Output::Close);
                self.state = State::Closed;
                return;
            }
            Command::Unknown { verb, .. } => {
                out.push(unknown(&verb));
                self.state = State::Transaction(drop);
                self.error(backend, out);
                return;
            }
            other => {
                let verb = other.verb().map(|v| v.name()).unwrap_or("?");
                out.push(err(
                    None,
                    &format!("{verb} is not allowed after login (TRANSACTION state)"),
                ));
            }
        }
        self.state = State::Transaction(drop);
    }
}

/// Messages not marked as deleted, with their index.
fn live(drop: &Maildrop) -> impl Iterator<Item = (usize, &StoredMessage)> {
    drop.messages
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.deleted[*i])
}

/// RFC 1939 §7 TOP: the headers, the blank line, then `n` lines of the body.
fn top(data: &[u8], n: usize) -> Vec<Vec<u8>> {
    let lines = crate::proto::data::split_lines(data);
    let mut out = Vec::new();
    let mut in_body = false;
    let mut body_lines = 0;
    for l in lines {
        if in_body {
            if body_lines >= n {
                break;
            }
            body_lines += 1;
        } else if l.is_empty() {
            in_body = true;
        }
        out.push(l.to_vec());
    }
    out
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
