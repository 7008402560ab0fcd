//! SMTP replies (RFC 5321 §4.2): a three-digit code typed digit by digit, an
//! optional enhanced status code (RFC 3463, RFC 2034) and the text; single
//! and multi-line (`250-` … `250 `). Read incrementally on the client side,
//! written on the server side.

use std::fmt;

use crate::proto::line::{Framed, LineReader, SMTP_REPLY_LINE};

/// First digit (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// 2yz: the action was done.
    PositiveCompletion,
    /// 3yz: go on, more is needed (354 for DATA, 334 for AUTH).
    PositiveIntermediate,
    /// 4yz: not done now, try again later.
    TransientNegative,
    /// 5yz: not done, and trying again the same way will not help.
    PermanentNegative,
}

/// Second digit (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// x0z: syntax.
    Syntax,
    /// x1z: information (help, status).
    Information,
    /// x2z: the transmission channel (connection).
    Connections,
    /// x3z: not specified by RFC 5321 (used by AUTH, RFC 4954).
    Unspecified3,
    /// x4z: not specified by RFC 5321.
    Unspecified4,
    /// x5z: the mail system (mailbox, message).
    MailSystem,
}

/// A reply code, `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2):
/// only a valid one can be made (its fields are private); the codes the
/// simulator sends are constants, named as RFC 5321 §4.2.2–§4.2.3 and
/// RFC 4954 §6 describe them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    severity: Severity,
    category: Category,
    detail: u8,
}

/// A code from its digits, at compile time (the constants below).
const fn code(a: u8, b: u8, c: u8) -> Code {
    let severity = match a {
        2 => Severity::PositiveCompletion,
        3 => Severity::PositiveIntermediate,
        4 => Severity::TransientNegative,
        _ => Severity::PermanentNegative,
    };
    let category = match b {
        0 => Category::Syntax,
        1 => Category::Information,
        2 => Category::Connections,
        3 => Category::Unspecified3,
        4 => Category::Unspecified4,
        _ => Category::MailSystem,
    };
    Code {
        severity,
        category,
        detail: c,
    }
}

impl Code {
    /// 214 Help message (RFC 5321 §4.2.3).
    pub const HELP: Code = code(2, 1, 4);
    /// 220 <domain> Service ready; also STARTTLS's go-ahead (RFC 3207 §4).
    pub const SERVICE_READY: Code = code(2, 2, 0);
    /// 221 <domain> Service closing transmission channel.
    pub const CLOSING: Code = code(2, 2, 1);
    /// 235 Authentication successful (RFC 4954 §6).
    pub const AUTH_SUCCEEDED: Code = code(2, 3, 5);
    /// 250 Requested mail action okay, completed.
    pub const OK: Code = code(2, 5, 0);
    /// 251 User not local; will forward.
    pub const WILL_FORWARD: Code = code(2, 5, 1);
    /// 252 Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VRFY: Code = code(2, 5, 2);
    /// 334 A SASL challenge (RFC 4954 §4).
    pub const AUTH_CHALLENGE: Code = code(3, 3, 4);
    /// 354 Start mail input; end with <CRLF>.<CRLF>.
    pub const START_MAIL_INPUT: Code = code(3, 5, 4);
    /// 421 <domain> Service not available, closing transmission channel.
    pub const NOT_AVAILABLE: Code = code(4, 2, 1);
    /// 450 Requested mail action not taken: mailbox unavailable (busy, greylisted).
    pub const MAILBOX_BUSY: Code = code(4, 5, 0);
    /// 451 Requested action aborted: local error in processing.
    pub const LOCAL_ERROR: Code = code(4, 5, 1);
    /// 452 Requested action not taken: insufficient system storage.
    pub const INSUFFICIENT_STORAGE: Code = code(4, 5, 2);
    /// 454 Temporary authentication failure (RFC 4954 §6).
    pub const AUTH_TEMPORARY_FAILURE: Code = code(4, 5, 4);
    /// 500 Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: Code = code(5, 0, 0);
    /// 501 Syntax error in parameters or arguments.
    pub const PARAMETER_ERROR: Code = code(5, 0, 1);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: Code = code(5, 0, 2);
    /// 503 Bad sequence of commands.
    pub const BAD_SEQUENCE: Code = code(5, 0, 3);
    /// 504 Command parameter not implemented.
    pub const PARAMETER_NOT_IMPLEMENTED: Code = code(5, 0, 4);
    /// 530 Authentication required (RFC 4954 §6).
    pub const AUTH_REQUIRED: Code = code(5, 3, 0);
    /// 534 Authentication mechanism is too weak (RFC 4954 §6).
    pub const AUTH_TOO_WEAK: Code = code(5, 3, 4);
    /// 535 Authentication credentials invalid (RFC 4954 §6).
    pub const AUTH_INVALID: Code = code(5, 3, 5);
    /// 538 Encryption required for requested authentication mechanism (RFC 4954 §6).
    pub const ENCRYPTION_REQUIRED: Code = code(5, 3, 8);
    /// 550 Requested action not taken: mailbox unavailable.
    pub const MAILBOX_UNAVAILABLE: Code = code(5, 5, 0);
    /// 551 User not local; please try <forward-path>.
    pub const USER_NOT_LOCAL: Code = code(5, 5, 1);
    /// 552 Requested mail action aborted: exceeded storage allocation.
    pub const EXCEEDED_STORAGE: Code = code(5, 5, 2);
    /// 553 Requested action not taken: mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: Code = code(5, 5, 3);
    /// 554 Transaction failed (or, as a greeting, no SMTP service here).
    pub const TRANSACTION_FAILED: Code = code(5, 5, 4);
    /// 555 MAIL FROM/RCPT TO parameters not recognized or not implemented.
    pub const PARAMETERS_NOT_RECOGNIZED: Code = code(5, 5, 5);
    /// 556 Domain does not accept mail (RFC 7504).
    pub const DOMAIN_NO_MAIL: Code = code(5, 5, 6);

    /// The first digit: done, go on, try later, failed.
    pub fn severity(self) -> Severity {
        self.severity
    }

    /// The second digit: what the reply is about.
    pub fn category(self) -> Category {
        self.category
    }

    /// The third digit.
    pub fn detail(self) -> u8 {
        self.detail
    }

    /// From a number such as 250.
    pub fn new(value: u16) -> Option<Code> {
        let s = format!("{value:03}");
        Code::parse(s.as_bytes())
    }

    /// From three ASCII digits.
    pub fn parse(digits: &[u8]) -> Option<Code> {
        let [a, b, c] = digits else { return None };
        let severity = match a {
            b'2' => Severity::PositiveCompletion,
            b'3' => Severity::PositiveIntermediate,
            b'4' => Severity::TransientNegative,
            b'5' => Severity::PermanentNegative,
            _ => return None,
        };
        let category = match b {
            b'0' => Category::Syntax,
            b'1' => Category::Information,
            b'2' => Category::Connections,
            b'3' => Category::Unspecified3,
            b'4' => Category::Unspecified4,
            b'5' => Category::MailSystem,
            _ => return None,
        };
        if !c.is_ascii_digit() {
            return None;
        }
        Some(Code {
            severity,
            category,
            detail: c - b'0',
        })
    }

    /// The code as a number, e.g. 354.
    pub fn value(self) -> u16 {
        let a = match self.severity {
            Severity::PositiveCompletion => 2,
            Severity::PositiveIntermediate => 3,
            Severity::TransientNegative => 4,
            Severity::PermanentNegative => 5,
        };
        let b = match self.category {
            Category::Syntax => 0,
            Category::Information => 1,
            Category::Connections => 2,
            Category::Unspecified3 => 3,
            Category::Unspecified4 => 4,
            Category::MailSystem => 5,
        };
        a * 100 + b * 10 + u16::from(self.detail)
    }

    /// The first digit as a number (2 to 5).
    pub fn class_digit(self) -> u8 {
        (self.value() / 100) as u8
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.value())
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463 §2):
/// class 2, 4 or 5; subject and detail of 1 to 3 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl EnhancedCode {
    /// `class.subject.detail`, at compile time: a code the simulator sends
    /// (RFC 3463 §3; the registry of RFC 5248). `class` is 2, 4 or 5.
    pub const fn new(class: u8, subject: u16, detail: u16) -> EnhancedCode {
        EnhancedCode {
            class,
            subject,
            detail,
        }
    }

    /// Parse `5.7.1`.
    pub fn parse(s: &str) -> Option<EnhancedCode> {
        let mut it = s.split('.');
        let (class, subject, detail) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        let num = |p: &str, max: usize| -> Option<u16> {
            if p.is_empty() || p.len() > max || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse().ok()
        };
        let class = num(class, 1)? as u8;
        if !matches!(class, 2 | 4 | 5) {
            return None;
        }
        Some(EnhancedCode {
            class,
            subject: num(subject, 3)?,
            detail: num(detail, 3)?,
        })
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// One line of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    pub code: Code,
    /// `true` for `250 text` (the last line), `false` for `250-text`.
    pub last: bool,
    pub enhanced: Option<EnhancedCode>,
    /// The text after the code and the enhanced code (non-UTF-8 replaced by U+FFFD).
    pub text: String,
}

/// Why a reply line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error(
        "a reply line starts with three digits, the first 2-5 and the second 0-5 (RFC 5321 §4.2)"
    )]
    BadCode,
    #[error(
        "after the code comes a space (last line), a \"-\" (more lines follow) or the end of the line"
    )]
    BadSeparator,
    #[error(
        "line of a multi-line reply with code {found}, but the reply started with {expected} (RFC 5321 §4.2.1)"
    )]
    CodeChanged { expected: Code, found: Code },
    #[error("reply line too long: {length} octets, the limit is {limit} (RFC 5321 §4.5.3.1.5)")]
    TooLong { length: usize, limit: usize },
}

/// Parse one reply line (without its ending).
pub fn parse_line(line: &[u8]) -> Result<ReplyLine, ReplyError> {
    let code = line
        .get(..3)
        .and_then(Code::parse)
        .ok_or(ReplyError::BadCode)?;
    let (last, rest) = match line.get(3) {
        None => (true, &[][..]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return Err(ReplyError::BadSeparator),
    };
    let rest = String::from_utf8_lossy(rest);
    let (enhanced, text) = split_enhanced(&rest, code);
    Ok(ReplyLine {
        code,
        last,
        enhanced,
        text: text.to_string(),
    })
}

/// An enhanced code at the start of the text, if its class matches the
/// reply's first digit (RFC 2034 §4 / RFC 3463 §2).
fn split_enhanced(text: &str, code: Code) -> (Option<EnhancedCode>, &str) {
    // Extra spaces before the code are skipped, as Postfix's client does.
    let trimmed = text.trim_start_matches(' ');
    let (first, rest) = match trimmed.split_once(' ') {
        Some((a, b)) => (a, b),
        None => (trimmed, ""),
    };
    match EnhancedCode::parse(first) {
        Some(e) if e.class == code.class_digit() => (Some(e), rest),
        _ => (None, text),
    }
}

/// A complete reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: Code,
    pub lines: Vec<ReplyLine>,
}

impl Reply {
    /// Build a reply to send: `code`, an optional enhanced code (written on
    /// every line, RFC 2034 §4) and one or more lines of text.
    pub fn new(code: Code, enhanced: Option<EnhancedCode>, texts: &[&str]) -> Reply {
        let texts: Vec<&str> = if texts.is_empty() {
            vec![""]
        } else {
            texts.to_vec()
        };
        let n = texts.len();
        let lines = texts
            .iter()
            .enumerate()
            .map(|(i, t)| ReplyLine {
                code,
                last: i + 1 == n,
                enhanced,
                text: t.to_string(),
            })
            .collect();
        Reply { code, lines }
    }

    /// The enhanced code of the first line.
    pub fn enhanced(&self) -> Option<EnhancedCode> {
        self.lines.first().and_then(|l| l.enhanced)
    }

    /// The texts of all lines joined by newlines.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self.lines.iter().map(|l| l.text.as_str()).collect();
        texts.join("\n")
    }

    /// The reply as it goes on the wire.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for line in &self.lines {
            out.extend_from_slice(self.code.to_string().as_bytes());
            out.push(if line.last { b' ' } else { b'-' });
            if let Some(e) = line.enhanced {
                out.extend_from_slice(e.to_string().as_bytes());
                if !line.text.is_empty() {
                    out.push(b' ');
                }
            }
            out.extend_from_slice(line.text.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out
    }
}

/// What the reader produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyEvent {
    /// A complete reply.
    Reply(Reply),
    /// A line that is not part of a valid reply, with the reason.
    Malformed { line: Vec<u8>, error: ReplyError },
}

/// The client side: reads replies from server bytes, incrementally.
#[derive(Debug, Clone)]
pub struct ReplyReader {
    lines: LineReader,
    pending: Vec<ReplyLine>,
}

impl Default for ReplyReader {
    fn default() -> Self {
        ReplyReader {
            lines: LineReader::new(SMTP_REPLY_LINE),
            pending: Vec::new(),
        }
    }
}

impl ReplyReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Take at most one event from `input`, advancing it.
    pub fn next_event(&mut self, input: &mut &[u8]) -> Option<ReplyEvent> {
        loop {
            let framed = self.lines.next_line(input)?;
            if let Some(ev) = self.take(framed) {
                return Some(ev);
            }
        }
    }

    /// All events in `chunk`.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Vec<ReplyEvent> {
        let mut out = Vec::new();
        while let Some(ev) = self.next_event(&mut chunk) {
            out.push(ev);
        }
        out
    }

    /// Lines of a multi-line reply received so far.
    pub fn pending(&self) -> &[ReplyLine] {
        &self.pending
    }

    fn take(&mut self, framed: Framed) -> Option<ReplyEvent> {
        let line = match framed {
            Ok(l) => l,
            Err(e) => {
                return Some(ReplyEvent::Malformed {
                    line: Vec::new(),
                    error: ReplyError::TooLong {
                        length: e.length,
                        limit: e.limit,
                    },
                });
            }
        };
        let parsed = match parse_line(&line.content) {
            Ok(p) => p,
            Err(error) => {
                return Some(ReplyEvent::Malformed {
                    line: line.content,
                    error,
                });
            }
        };
        if let Some(first) = self.pending.first()
            && first.code != parsed.code
        {
            return Some(ReplyEvent::Malformed {
                line: line.content,
                error: ReplyError::CodeChanged {
                    expected: first.code,
                    found: parsed.code,
                },
            });
        }
        let last = parsed.last;
        let code = parsed.code;
        self.pending.push(parsed);
        if last {
            return Some(ReplyEvent::Reply(Reply {
                code,
                lines: std::mem::take(&mut self.pending),
            }));
        }
        None
    }
}

#[cfg(test)]
mod tests;
