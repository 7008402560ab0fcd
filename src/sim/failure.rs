//! A recipient that could not be delivered (yet), and why — as the
//! bounce (RFC 3464 Status and Diagnostic-Code), the queue and `mailq`
//! need it: temporary (4.x.x, kept for another attempt) or permanent.

use crate::sim::world::World;

/// A recipient that could not be delivered (yet), and why: for the
/// bounce, the queue and `mailq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub rcpt: String,
    /// The enhanced status (RFC 3463): `5.1.1`, `4.7.1` …; a `4` is
    /// temporary, the message stays in the queue.
    pub status: String,
    /// The remote server's reply (`450 4.7.1 …`), or what went wrong in
    /// Postfix's words (`connect to …: Connection refused`).
    pub diagnostic: String,
    /// The host that answered or could not be reached.
    pub remote: Option<String>,
    /// The command the reply answered (`RCPT TO`, `end of DATA` …);
    /// `greeting` for a refusal at connection; None when the diagnostic is
    /// not a reply.
    pub in_reply_to: Option<&'static str>,
}

/// The commands a relay's reply can answer, as Postfix names them in
/// "(in reply to … command)"; `greeting` is a refusal at connection.
pub const COMMANDS: [&str; 6] = [
    "greeting",
    "EHLO",
    "MAIL FROM",
    "RCPT TO",
    "DATA",
    "end of DATA",
];

/// One of [`COMMANDS`], by its name (a queue file read back).
pub fn command_name(name: &str) -> Option<&'static str> {
    COMMANDS.iter().copied().find(|c| *c == name)
}

impl Failure {
    /// A failure that is not a remote server's reply.
    pub(crate) fn local(rcpt: &str, status: &str, diagnostic: String) -> Failure {
        Failure {
            rcpt: rcpt.to_string(),
            status: status.into(),
            diagnostic,
            remote: None,
            in_reply_to: None,
        }
    }

    /// RFC 3463 §3.1: class 4 is a persistent transient failure — the
    /// message stays queued and is tried again.
    pub fn temporary(&self) -> bool {
        self.status.starts_with('4')
    }

    /// The reason as Postfix writes it in `mailq` and in a bounce.
    pub fn reason(&self, world: &World) -> String {
        let host = |h: &str| match world.address(h) {
            Some(ip) => format!("{h}[{ip}]"),
            None => h.to_string(),
        };
        match (&self.remote, self.in_reply_to) {
            (Some(h), Some("greeting")) => {
                format!(
                    "host {} refused to talk to me: {}",
                    host(h),
                    self.diagnostic
                )
            }
            (Some(h), Some(c)) => format!(
                "host {} said: {} (in reply to {c} command)",
                host(h),
                self.diagnostic
            ),
            _ => self.diagnostic.clone(),
        }
    }

    /// RFC 3464 §2.3.6: `smtp; <reply>` for a server's reply, else the
    /// reporting MTA's own type (`X-Postfix;`, as Postfix writes it).
    pub fn diagnostic_code(&self) -> String {
        let is_reply = self.diagnostic.len() > 3
            && self.diagnostic.as_bytes()[..3]
                .iter()
                .all(u8::is_ascii_digit);
        if is_reply {
            format!("smtp; {}", self.diagnostic)
        } else {
            format!("X-Postfix; {}", self.diagnostic)
        }
    }
}
