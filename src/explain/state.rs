//! Where an SMTP session stands, as seen from the transcript (what the
//! client sent, what the server answered): connected → greeted →
//! (authenticated) → in a transaction → with recipients → sending data →
//! done; whether TLS is on; what the server offered. It tells the
//! explanation which commands are valid next and how the line being typed
//! will be read (a command, message text, or an AUTH answer).

use std::collections::VecDeque;

use crate::explain::reply::Answering;
use crate::proto::smtp::command::Verb;
use crate::proto::smtp::ehlo::EhloInfo;
use crate::proto::smtp::reply::Reply;

/// The phase of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Connected, waiting for (or after) the greeting; no EHLO/HELO yet.
    Connected,
    /// EHLO/HELO accepted; no transaction.
    Greeted,
    /// MAIL accepted.
    Mail,
    /// At least one RCPT accepted.
    Rcpt,
    /// 354 received: the client is sending the message.
    Data,
    /// QUIT answered, or the server closed.
    Closed,
}

/// How the next client line will be read by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    Command,
    /// Message text after 354, until a lone ".".
    Data,
    /// A base64 answer after 334.
    AuthResponse,
}

/// The session as the transcript shows it.
#[derive(Debug, Clone)]
pub struct SmtpState {
    pub phase: Phase,
    pub esmtp: bool,
    pub tls: bool,
    pub authenticated: bool,
    /// The last EHLO answer.
    pub ehlo: Option<EhloInfo>,
    /// The AUTH mechanism in progress and the last decoded challenge.
    pub auth: Option<(String, Vec<u8>)>,
    /// The message's header section is over (an empty line was sent in DATA).
    pub body_started: bool,
    pub recipients: usize,
    /// What each awaited reply answers, oldest first (pipelining).
    awaiting: VecDeque<Awaited>,
    greeted_by_server: bool,
    /// The mechanism of the AUTH command awaiting its reply.
    pending_mech: Option<String>,
    /// No session around the line (`facteur explain`): say nothing of order.
    pub out_of_context: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Awaited {
    Verb(String),
    EndOfData,
    AuthStep,
}

impl Default for SmtpState {
    fn default() -> Self {
        SmtpState {
            phase: Phase::Connected,
            esmtp: false,
            tls: false,
            authenticated: false,
            ehlo: None,
            auth: None,
            body_started: false,
            recipients: 0,
            awaiting: VecDeque::new(),
            greeted_by_server: false,
            pending_mech: None,
            out_of_context: false,
        }
    }
}

impl SmtpState {
    pub fn new() -> Self {
        Self::default()
    }

    /// A session that starts in TLS (SMTPS).
    pub fn with_tls() -> Self {
        SmtpState {
            tls: true,
            ..Self::default()
        }
    }

    /// A line with no session around it: no sequence rule applies.
    pub fn out_of_context() -> Self {
        SmtpState {
            out_of_context: true,
            phase: Phase::Greeted,
            esmtp: true,
            ..Self::default()
        }
    }

    /// How the server will read the next client line.
    pub fn input_mode(&self) -> InputMode {
        if self.phase == Phase::Data {
            InputMode::Data
        } else if self.auth.is_some() {
            InputMode::AuthResponse
        } else {
            InputMode::Command
        }
    }

    /// Record a line the client sent (without its line ending).
    pub fn client_line(&mut self, line: &[u8]) {
        match self.input_mode() {
            InputMode::Data => {
                if line == b"." {
                    self.awaiting.push_back(Awaited::EndOfData);
                    self.phase = Phase::Greeted;
                    self.body_started = false;
                } else if line.is_empty() {
                    self.body_started = true;
                }
            }
            InputMode::AuthResponse => self.awaiting.push_back(Awaited::AuthStep),
            InputMode::Command => {
                let text = String::from_utf8_lossy(line);
                let mut words = text.split(' ');
                let verb = words.next().unwrap_or("").to_ascii_uppercase();
                if verb == "AUTH" {
                    self.pending_mech = words.next().map(str::to_ascii_uppercase);
                }
                self.awaiting.push_back(Awaited::Verb(verb));
            }
        }
    }

    /// Record a reply; returns what it answered, for the explanation.
    pub fn server_reply(&mut self, reply: &Reply) -> Answering<'static> {
        let code = reply.code.value();
        if code == 421 {
            self.phase = Phase::Closed;
        }
        if !self.greeted_by_server {
            self.greeted_by_server = true;
            return Answering::Greeting;
        }
        let Some(awaited) = self.awaiting.pop_front() else {
            return Answering::Unknown;
        };
        match awaited {
            Awaited::EndOfData => Answering::Verb("DATA"),
            Awaited::AuthStep => {
                self.auth_reply(reply);
                Answering::AuthStep
            }
            Awaited::Verb(verb) => {
                let ok = (200..400).contains(&code);
                let answering = static_verb(&verb);
                match (verb.as_str(), ok) {
                    ("EHLO", true) => {
                        self.greet(true);
                        self.ehlo = EhloInfo::from_reply(reply);
                    }
                    ("HELO", true) => self.greet(false),
                    ("MAIL", true) => {
                        self.phase = Phase::Mail;
                        self.recipients = 0;
                    }
                    ("RCPT", true) if self.phase == Phase::Mail || self.phase == Phase::Rcpt => {
                        self.phase = Phase::Rcpt;
                        self.recipients += 1;
                    }
                    ("DATA", true) if code == 354 => {
                        self.phase = Phase::Data;
                        self.body_started = false;
                    }
                    ("RSET", true) if self.phase != Phase::Connected => self.phase = Phase::Greeted,
                    ("STARTTLS", true) if code == 220 => {
                        // RFC 3207 §4.2: everything is forgotten.
                        self.tls = true;
                        self.phase = Phase::Connected;
                        self.esmtp = false;
                        self.ehlo = None;
                        self.authenticated = false;
                    }
                    ("AUTH", _) => self.auth_reply(reply),
                    ("QUIT", _) => self.phase = Phase::Closed,
                    _ => {}
                }
                answering
            }
        }
    }

    fn greet(&mut self, esmtp: bool) {
        self.phase = Phase::Greeted;
        self.esmtp = esmtp;
        self.recipients = 0;
    }

    fn auth_reply(&mut self, reply: &Reply) {
        match reply.code.value() {
            334 => {
                let challenge =
                    crate::proto::sasl::decode_base64(reply.text().trim()).unwrap_or_default();
                let mech = match &self.auth {
                    Some((m, _)) => m.clone(),
                    None => self.pending_mech.clone().unwrap_or_default(),
                };
                self.auth = Some((mech, challenge));
            }
            235 => {
                self.authenticated = true;
                self.auth = None;
            }
            _ => self.auth = None,
        }
    }

    /// Whether the server announced this EHLO keyword.
    pub fn offers(&self, keyword: &str) -> bool {
        self.ehlo.as_ref().is_some_and(|e| e.has(keyword))
    }

    /// The commands a server accepts now, most useful first — exactly
    /// those the simulator accepts in this state (`tests/state_strip.rs`
    /// checks it command by command). RFC 5321 §4.1.4: RSET, NOOP, HELP,
    /// VRFY, EXPN and EHLO/HELO (which resets a transaction) are valid at
    /// any time; RFC 4954 §4: no AUTH during a transaction, nor twice;
    /// STARTTLS only if EHLO offered it, outside a transaction (as Postfix).
    pub fn valid_next(&self) -> Vec<Verb> {
        use Verb::*;
        let anytime = [Rset, Noop, Help, Vrfy, Expn, Ehlo, Helo, Quit];
        // After 334 the server waits for a base64 line (or "*"), no command.
        if self.auth.is_some() {
            return Vec::new();
        }
        let mut v = match self.phase {
            Phase::Connected => vec![Ehlo, Helo, Vrfy, Expn, Help, Noop, Rset, Quit],
            Phase::Greeted => {
                let mut v = vec![Mail];
                if self.offers("AUTH") && !self.authenticated {
                    v.push(Auth);
                }
                if self.offers("STARTTLS") && !self.tls && self.esmtp {
                    v.push(StartTls);
                }
                v.extend(anytime);
                v
            }
            Phase::Mail => [&[Rcpt][..], &anytime].concat(),
            Phase::Rcpt => [&[Rcpt, Data][..], &anytime].concat(),
            Phase::Data | Phase::Closed => vec![],
        };
        v.dedup();
        v
    }
}

fn static_verb(verb: &str) -> Answering<'static> {
    match Verb::parse(verb) {
        Some(v) => Answering::Verb(v.name()),
        None => Answering::Unknown,
    }
}
