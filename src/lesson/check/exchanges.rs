//! Which reply answered which command: the last line of a multi-line SMTP
//! reply carries its code (RFC 5321 §4.2.1), the end of DATA (§4.1.1.4)
//! and AUTH's continuations are followed through the whole session, and a
//! reply answers the last command typed before it (lessons are typed a line
//! at a time) — with what was typed (header names, a RCPT's address): what
//! a lesson's checks look at.

use super::*;

/// A command and the reply that answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Index of the reply's entry.
    pub at: usize,
    /// The verb in upper case; `.` for the end of DATA; `AUTH` for SASL answers.
    pub verb: String,
    /// `250`, `+OK`, `-ERR`, `+` (a POP3 continuation).
    pub code: String,
    /// The client's line the reply answers (empty for the end of DATA).
    pub line: String,
}

/// Pair each command with its reply, through the whole session (the modes
/// — DATA, AUTH — need the whole history).
pub fn exchanges(entries: &[Entry], first: Proto) -> Vec<Exchange> {
    let mut out = Vec::new();
    let mut proto = first;
    let mut pending: Option<String> = None;
    let mut pending_line = String::new();
    let mut data = false;
    let mut auth = false;
    for (i, e) in entries.iter().enumerate() {
        match e.dir {
            Dir::Open => {
                proto = e
                    .open
                    .as_ref()
                    .and_then(|o| Proto::parse(&o.protocol))
                    .unwrap_or(proto);
                (pending, data, auth) = (None, false, false);
            }
            Dir::Tls => {}
            Dir::Client if data => {
                if e.raw == b"." {
                    data = false;
                    pending = Some(".".into());
                }
            }
            Dir::Client if auth => {
                auth = false;
                pending = Some("AUTH".into());
            }
            Dir::Client => {
                let line = String::from_utf8_lossy(&e.raw);
                let verb = line.split([' ', ':']).next().unwrap_or("");
                pending = Some(verb.to_ascii_uppercase());
                pending_line = line.to_string();
            }
            Dir::Server => {
                let raw = &e.raw;
                let code = match proto {
                    Proto::Smtp => {
                        let digits = raw.len() >= 3 && raw[..3].iter().all(u8::is_ascii_digit);
                        let last = raw.len() == 3 || raw.get(3) == Some(&b' ');
                        (digits && last).then(|| String::from_utf8_lossy(&raw[..3]).to_string())
                    }
                    Proto::Pop3 if raw.starts_with(b"+OK") => Some("+OK".into()),
                    Proto::Pop3 if raw.starts_with(b"-ERR") => Some("-ERR".into()),
                    Proto::Pop3 if raw.starts_with(b"+ ") || raw == b"+" => Some("+".into()),
                    Proto::Pop3 => None,
                };
                let (Some(code), Some(verb)) = (code, pending.clone()) else {
                    continue;
                };
                pending = None;
                data = code == "354";
                auth = code == "334" || code == "+";
                out.push(Exchange {
                    at: i,
                    verb,
                    code,
                    line: std::mem::take(&mut pending_line),
                });
            }
        }
    }
    out
}

/// The header names the student typed in DATA from entry `since` on: the
/// lines after a 354 up to the first blank line.
pub(crate) fn typed_header_names(entries: &[Entry], since: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_headers = false;
    // From the entry before the step began: its 354 may open the DATA.
    for e in entries.iter().skip(since.saturating_sub(1)) {
        match e.dir {
            Dir::Server if e.raw.starts_with(b"354") => in_headers = true,
            Dir::Client if in_headers => {
                if e.raw.is_empty() || e.raw == b"." {
                    in_headers = false;
                } else if !e.raw.starts_with(b" ") && !e.raw.starts_with(b"\t") {
                    let line = String::from_utf8_lossy(&e.raw);
                    if let Some((name, _)) = line.split_once(':') {
                        out.push(name.trim().to_string());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The address of a MAIL/RCPT line: what stands between `<` and `>`; or,
/// without them (`MAIL FROM: fred@free.fr`, the handout's form, which RFC
/// 5321 §4.1.2 does not allow but servers accept), the word after the `:`.
pub(super) fn address_of(line: &str) -> String {
    if let Some(start) = line.find('<').map(|i| i + 1) {
        let end = line[start..].find('>').map_or(line.len(), |i| start + i);
        return line.get(start..end).unwrap_or("").trim().to_string();
    }
    let after = line.split_once(':').map_or("", |(_, rest)| rest);
    after.split_whitespace().next().unwrap_or("").to_string()
}

/// Whether `code` matches `pattern` (`2xx`, `250|251`, `+OK`).
pub fn code_matches(pattern: &str, code: &str) -> bool {
    pattern.split('|').any(|p| {
        let p = p.trim();
        p.len() == code.len()
            && p.chars()
                .zip(code.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&'x') || a == b)
    })
}
