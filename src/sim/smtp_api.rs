//! What an SMTP server session is given and what it asks of the world:
//! its configuration (with the fault the world may give its host), what it
//! knows of its client, the envelope, and the backend's answers to RCPT,
//! VRFY and DATA. The session's transitions are in `smtp_server.rs`.

use std::net::IpAddr;

use crate::proto::smtp::address::Mailbox;
use crate::sim::scenario::Point;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The name in the greeting, in EHLO and in Received, e.g. `smtp.free.fr`.
    pub hostname: String,
    /// The maximum message size announced by SIZE (RFC 1870).
    pub max_size: usize,
    /// RFC 5321 §4.5.3.1.8: at least 100 recipients must be accepted.
    pub max_recipients: usize,
    /// Whether STARTTLS is offered (the driver must be able to do TLS).
    pub starttls: bool,
    /// Refuse AUTH before TLS with 538 5.7.11 (RFC 4954 §4).
    pub auth_requires_tls: bool,
    /// Failed AUTH attempts before the session is closed with 421.
    pub max_auth_failures: u32,
    /// The n-th failed AUTH is answered after n times this (milliseconds).
    pub auth_failure_delay_ms: u64,
    /// Protocol errors before the session is closed with 421.
    pub max_errors: u32,
    /// A fault the world gives this host: `421` and close, or the
    /// connection cut without a word, at this point of the dialogue.
    pub trouble: Option<(Trouble, Point)>,
}

/// How a faulty server ends a session (RFC 5321 §3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// `421 4.3.2 … Service not available, closing transmission channel`.
    Unavailable,
    /// The connection is cut: no reply at all.
    Drop,
}

impl SmtpConfig {
    pub fn new(hostname: &str) -> Self {
        SmtpConfig {
            hostname: hostname.to_string(),
            max_size: 10 * 1024 * 1024,
            max_recipients: 100,
            starttls: false,
            auth_requires_tls: false,
            max_auth_failures: 3,
            auth_failure_delay_ms: 1000,
            max_errors: 25,
            trouble: None,
        }
    }
}

/// What the session knows about its client; the backend reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionInfo {
    /// The name given in HELO/EHLO.
    pub helo: Option<String>,
    /// EHLO (true) or HELO (false).
    pub esmtp: bool,
    pub client_ip: Option<IpAddr>,
    /// The client's name from (simulated) reverse DNS, if any.
    pub client_host: Option<String>,
    pub tls: bool,
    /// The account that authenticated, e.g. `fred@free.fr`.
    pub authenticated: Option<String>,
    /// A trusted network (Postfix's `mynetworks`): may relay without AUTH.
    pub trusted: bool,
}

/// The envelope of one message (RFC 5321 §2.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `None` for the null reverse-path `<>`.
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
}

/// The backend's answer to RCPT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RcptDecision {
    Accept,
    /// 550 5.1.1: a local domain without that user.
    UnknownUser,
    /// 554 5.7.1: not a local domain and the client may not relay.
    RelayDenied,
    /// 550 5.7.1: percent-hack or bang-path routing through a local domain.
    RoutingDenied,
    /// 552 5.2.2: the mailbox is over its quota (RFC 3463 §3.3).
    MailboxFull,
    /// 452 4.2.2: the mailbox is over its quota, try again later.
    MailboxFullTemporary,
    /// 450 4.7.1: greylisted (RFC 6647): this client, sender and
    /// recipient were never seen; try again in `delay` seconds.
    Greylisted {
        delay: i64,
    },
    /// 556 5.1.10: the recipient's domain has a null MX (RFC 7505 §4.1).
    NullMx,
}

/// The backend's answer to VRFY (RFC 5321 §3.5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VrfyAnswer {
    /// 250 with the full name and address.
    Known {
        full_name: Option<String>,
        address: String,
    },
    /// 252: not verifiable here, but mail will be accepted and tried.
    CannotVerify,
    /// 550 5.1.1
    Unknown,
    /// 553 5.1.4 with the candidates.
    Ambiguous(Vec<String>),
}

/// Why a message could not be accepted after DATA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// 451 4.3.0: the store failed; nothing was kept.
    #[error("local error in processing: {0}")]
    Storage(String),
    /// 452 4.3.1: no room.
    #[error("insufficient system storage")]
    NoSpace,
}

/// What the session asks of the world around it.
pub trait SmtpBackend {
    /// RCPT: may this client send from `from` to `rcpt`?
    fn check_recipient(
        &mut self,
        info: &SessionInfo,
        from: Option<&Mailbox>,
        rcpt: &Mailbox,
    ) -> RcptDecision;
    fn verify(&self, query: &str) -> VrfyAnswer;
    /// Members of a mailing list, for EXPN.
    fn expand(&self, list: &str) -> Option<Vec<String>>;
    /// The canonical account name and its secret, for AUTH.
    fn account(&self, login: &str) -> Option<(String, String)>;
    /// Take the message; return the queue id once it is stored for good.
    fn submit(
        &mut self,
        info: &SessionInfo,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<String, SubmitError>;
    /// Unique numbers for CRAM-MD5 challenges: (random, Unix time).
    fn nonce(&mut self) -> (u64, u64);
    /// Where `<Postmaster>` (no domain) goes on this server, whose name is
    /// `hostname`. RFC 5321 §4.5.1: every SMTP server MUST accept it.
    fn postmaster(&self, hostname: &str) -> Mailbox {
        Mailbox {
            local: "postmaster".into(),
            domain: hostname.to_string(),
        }
    }
}
