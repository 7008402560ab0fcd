//! POP3 explained: each command (what it does, whether the state allows
//! it, what QUIT will delete now), each response (+OK / -ERR / "+", the RFC
//! 2449 codes in brackets, STAT and LIST/UIDL lines decoded, the "."
//! terminator and byte-stuffing), and the AUTHORIZATION → TRANSACTION →
//! UPDATE state (RFC 1939 §3).

use std::collections::BTreeSet;
use std::collections::VecDeque;

use crate::explain::annotation::{Annotation, Severity, human_size};
use crate::explain::diag::Describe;
use crate::explain::lang::Lang;
use crate::proto::pop3::command::{self, Command, CommandError, Shape, Verb};
use crate::proto::pop3::response::{
    Status, parse_scan_line, parse_stat, parse_status_line, parse_uid_line,
};
use crate::proto::visible::visible_str;

mod input;
pub use input::{explain_pop3_input, explain_pop3_typing};

/// The session as the transcript shows it.
#[derive(Debug, Clone, Default)]
pub struct Pop3State {
    /// Logged in (TRANSACTION).
    pub transaction: bool,
    pub user_sent: bool,
    /// Messages marked by DELE.
    pub marked: BTreeSet<u32>,
    pub closed: bool,
    /// Commands awaiting their response, oldest first.
    awaiting: VecDeque<Command>,
    /// The command whose multi-line body is being read.
    in_body: Option<Command>,
    /// The message being received by RETR/TOP (un-stuffed, CRLF endings).
    message: Vec<u8>,
    /// The SASL mechanism whose "+" continuation awaits a base64 line (RFC 5034 §4).
    pub sasl: Option<String>,
    greeted: bool,
    /// STLS was answered +OK: TLS is up, and STLS may not be sent again
    /// (RFC 2595 §4).
    pub tls: bool,
}

impl Pop3State {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a command the client sent.
    pub fn client_line(&mut self, line: &[u8]) {
        // A base64 answer after "+" is not a command.
        if self.sasl.take().is_some() {
            return;
        }
        if let Ok(c) = command::parse(line) {
            self.awaiting.push_back(c);
        }
    }

    /// Record a server line; returns its explanation.
    pub fn server_line(&mut self, lang: Lang, line: &str) -> Vec<Annotation> {
        let all = 0..line.len();
        if let Some(cmd) = &self.in_body {
            if line == "." {
                let cmd = self.in_body.take();
                let mut notes = vec![Annotation::from_key(
                    lang,
                    all,
                    ".",
                    "pop3.end",
                    &[],
                    Severity::Info,
                )];
                if matches!(cmd, Some(Command::Retr { .. } | Command::Top { .. })) {
                    let report = crate::explain::message::explain_message(lang, &self.message);
                    notes.extend(crate::explain::message::route_annotations(lang, &report));
                }
                self.message.clear();
                return notes;
            }
            let retr = matches!(cmd, Command::Retr { .. } | Command::Top { .. });
            // Still in the message's header section (no blank line yet)?
            let in_header = retr
                && !self.message.starts_with(b"\r\n")
                && !self.message.windows(4).any(|w| w == b"\r\n\r\n");
            if retr && self.message.len() < 1 << 20 {
                self.message
                    .extend_from_slice(line.strip_prefix('.').unwrap_or(line).as_bytes());
                self.message.extend_from_slice(b"\r\n");
            }
            let text = line.strip_prefix('.').unwrap_or(line);
            let mut out = Vec::new();
            if line.starts_with("..") {
                out.push(Annotation::from_key(
                    lang,
                    0..1,
                    "..",
                    "pop3.stuffed",
                    &[],
                    Severity::Info,
                ));
            }
            if in_header {
                out.extend(header_line(lang, text));
            } else if retr && out.is_empty() {
                // A line of the message's text, sent as it is (RFC 1939 §5).
                out.push(Annotation::from_key(
                    lang,
                    all.clone(),
                    "RETR",
                    "pop3.body_line",
                    &[],
                    Severity::Info,
                ));
            }
            match cmd {
                Command::List { msg: None } => {
                    out.extend(scan_note(lang, text, line.len()));
                }
                Command::Uidl { msg: None } => {
                    if let Some((n, uid)) = parse_uid_line(text) {
                        out.push(Annotation::from_key(
                            lang,
                            all,
                            "UIDL",
                            "pop3.uid",
                            &[&n, &uid],
                            Severity::Info,
                        ));
                    }
                }
                _ => {}
            }
            return out;
        }
        let status = match parse_status_line(line.as_bytes()) {
            Ok(s) => s,
            Err(e) => {
                return vec![Annotation::from_key(
                    lang,
                    all,
                    "?",
                    "pop3.error",
                    &[&e.describe(lang)],
                    Severity::Mistake,
                )];
            }
        };
        let mut out = Vec::new();
        let (key, sev) = match status.status {
            Status::Ok => ("pop3.ok", Severity::Info),
            Status::Err => ("pop3.err", Severity::Mistake),
            Status::Continuation => ("pop3.cont", Severity::Info),
        };
        let indicator = line.split(' ').next().unwrap_or("");
        out.push(Annotation::from_key(
            lang,
            0..indicator.len(),
            indicator,
            key,
            &[],
            sev,
        ));
        if let Some(a) = crate::explain::realworld::pop3_annotation(lang, line) {
            out.push(a);
        }
        if let Some(code) = &status.code {
            let k = format!("pop3.code.{code}");
            let k = if crate::explain::catalog::entry(&k).is_some() {
                k
            } else {
                "pop3.code.other".into()
            };
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                format!("[{code}]"),
                &k,
                &[code],
                Severity::Hint,
            ));
        }
        if !self.greeted {
            self.greeted = true;
            out.push(Annotation::from_key(
                lang,
                all,
                "POP3",
                "pop3.greeting",
                &[],
                Severity::Info,
            ));
            return out;
        }
        if status.status == Status::Continuation {
            if let Some(Command::Auth {
                mechanism: Some(m), ..
            }) = self.awaiting.front()
            {
                self.sasl = Some(m.clone());
            }
            return out;
        }
        let Some(cmd) = self.awaiting.pop_front() else {
            return out;
        };
        let ok = status.status == Status::Ok;
        match (&cmd, ok) {
            (Command::User { .. }, true) => self.user_sent = true,
            (Command::Stls, true) => self.tls = true,
            // RFC 1939 §7: after a failed PASS the server wants USER again.
            (Command::Pass { .. } | Command::Apop { .. }, false) => self.user_sent = false,
            (
                Command::Pass { .. }
                | Command::Apop { .. }
                | Command::Auth {
                    mechanism: Some(_), ..
                },
                true,
            ) => {
                self.transaction = true;
                self.marked.clear();
            }
            (Command::Stat, true) => {
                if let Some((n, size)) = parse_stat(&status.text) {
                    out.push(Annotation::from_key(
                        lang,
                        all,
                        "STAT",
                        "pop3.stat",
                        &[&n, &human_size(lang, size)],
                        Severity::Info,
                    ));
                }
            }
            (Command::List { msg: Some(_) }, true) => {
                out.extend(scan_note(lang, &status.text, line.len()));
            }
            (Command::Dele { msg }, true) => {
                self.marked.insert(*msg);
                out.push(Annotation::from_key(
                    lang,
                    all,
                    format!("DELE {msg}"),
                    "pop3.did.dele",
                    &[msg, &numbers(&self.marked)],
                    Severity::Info,
                ));
            }
            (Command::Rset, true) => {
                out.push(Annotation::from_key(
                    lang,
                    all,
                    "RSET",
                    "pop3.did.rset",
                    &[&numbers(&self.marked)],
                    Severity::Info,
                ));
                self.marked.clear();
            }
            (Command::Quit, _) => {
                // RFC 1939 §6: QUIT from TRANSACTION enters UPDATE.
                let (key, args) = if self.transaction && !self.marked.is_empty() {
                    ("pop3.did.quit_update", numbers(&self.marked))
                } else if self.transaction {
                    ("pop3.did.quit_nothing", String::new())
                } else {
                    ("pop3.did.quit_auth", String::new())
                };
                out.push(Annotation::from_key(
                    lang,
                    all,
                    "QUIT",
                    key,
                    &[&args],
                    Severity::Info,
                ));
                self.closed = true;
            }
            _ => {}
        }
        if ok && cmd.response_shape() == Shape::MultiIfOk {
            self.in_body = Some(cmd);
        }
        out
    }

    /// The commands that make sense now (RFC 1939 §3: which state allows what).
    pub fn valid_next(&self) -> Vec<Verb> {
        use Verb::*;
        if self.closed {
            vec![]
        } else if self.transaction {
            vec![Stat, List, Retr, Dele, Rset, Noop, Top, Uidl, Capa, Quit]
        } else {
            let mut v = if self.user_sent {
                vec![Pass, User, Apop, Auth, Capa, Stls, Quit]
            } else {
                vec![User, Apop, Auth, Capa, Stls, Quit]
            };
            // RFC 2595 §4: STLS only once, and never inside TLS.
            if self.tls {
                v.retain(|c| *c != Stls);
            }
            v
        }
    }

    /// The state in words.
    pub fn describe(&self, lang: Lang) -> Annotation {
        if self.transaction {
            Annotation::from_key(
                lang,
                0..0,
                "TRANSACTION",
                "pop3.state.transaction",
                &[&self.marked.len()],
                Severity::Info,
            )
        } else {
            Annotation::from_key(
                lang,
                0..0,
                "AUTHORIZATION",
                "pop3.state.authorization",
                &[],
                Severity::Info,
            )
        }
    }
}

/// A scan listing `msg octets` decoded (LIST, RFC 1939 §5).
fn scan_note(lang: Lang, text: &str, len: usize) -> Option<Annotation> {
    let (n, size) = parse_scan_line(text)?;
    Some(Annotation::from_key(
        lang,
        0..len,
        "LIST",
        "pop3.scan",
        &[&n, &human_size(lang, size)],
        Severity::Info,
    ))
}

/// A header line of a message read by RETR/TOP, explained with the same
/// engine as `facteur headers` (field, its parts, obsolete dates, 8-bit).
fn header_line(lang: Lang, line: &str) -> Vec<Annotation> {
    if line.starts_with([' ', '\t']) || line.is_empty() {
        return Vec::new();
    }
    let Some((name, value)) = line.split_once(':') else {
        return Vec::new();
    };
    if name.is_empty() || !name.bytes().all(|b| (33..=126).contains(&b)) {
        return Vec::new();
    }
    let mut out = vec![crate::explain::command::header_annotation(
        lang,
        name,
        0..name.len(),
    )];
    out.extend(crate::explain::fields::value_notes(
        lang,
        name,
        value,
        name.len() + 1..line.len(),
    ));
    out
}

/// Message numbers as a student reads them: `1, 3, 4`.
fn numbers(set: &BTreeSet<u32>) -> String {
    set.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
