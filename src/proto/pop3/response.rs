//! POP3 responses: a status line (`+OK`, `-ERR`, or `+ ` during AUTH), with
//! an optional RFC 2449 §8 response code such as `[IN-USE]`, and for some
//! commands a multi-line body, byte-stuffed and ended by a lone "."
//! (RFC 1939 §3). The client must know which responses are multi-line: it
//! tells the reader the [`Shape`] of each command it sends, in order, which
//! also makes pipelining (RFC 2449 §6.6) work.

use std::collections::VecDeque;
use std::fmt;

use crate::proto::data::unstuff_line;
use crate::proto::line::{LineReader, POP3_RESPONSE_LINE};
use crate::proto::pop3::command::Shape;

/// Body lines of real messages may exceed 1000 octets; they are accepted up
/// to this many before being dropped (and counted).
pub const BODY_LINE_LIMIT: usize = 64 * 1024;

/// The status indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `+OK`
    Ok,
    /// `-ERR`
    Err,
    /// `+ ` — a SASL continuation during AUTH (RFC 5034 §4).
    Continuation,
}

/// An extended response code (RFC 2449 §8), e.g. `SYS/TEMP` → ["SYS", "TEMP"].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespCode(pub Vec<String>);

impl RespCode {
    /// The top level, e.g. `SYS` for `SYS/TEMP`.
    pub fn top(&self) -> &str {
        self.0.first().map(String::as_str).unwrap_or("")
    }
}

impl fmt::Display for RespCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

/// The first line of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub status: Status,
    pub code: Option<RespCode>,
    /// The text after the indicator and the code (non-UTF-8 replaced).
    pub text: String,
}

impl StatusLine {
    pub fn ok(text: &str) -> Self {
        StatusLine {
            status: Status::Ok,
            code: None,
            text: text.to_string(),
        }
    }

    pub fn err(code: Option<&str>, text: &str) -> Self {
        StatusLine {
            status: Status::Err,
            code: code.map(|c| RespCode(c.split('/').map(str::to_string).collect())),
            text: text.to_string(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The line as sent, CRLF included.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut s = String::from(match self.status {
            Status::Ok => "+OK",
            Status::Err => "-ERR",
            Status::Continuation => "+",
        });
        if let Some(code) = &self.code {
            s.push_str(&format!(" [{code}]"));
        }
        if !self.text.is_empty() || self.status == Status::Continuation {
            s.push(' ');
            s.push_str(&self.text);
        }
        s.push_str("\r\n");
        s.into_bytes()
    }
}

/// Why a response line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("a POP3 response starts with \"+OK\" or \"-ERR\" (RFC 1939 §3)")]
    BadStatus,
    #[error("a response code opened with \"[\" is not closed with \"]\" (RFC 2449 §8)")]
    UnclosedCode,
    #[error("response line too long: {length} octets, the limit is {limit} (RFC 2449 §4)")]
    TooLong { length: usize, limit: usize },
    #[error("the connection closed in the middle of a multi-line response")]
    Unterminated,
}

/// Parse a status line (without its ending).
pub fn parse_status_line(line: &[u8]) -> Result<StatusLine, ResponseError> {
    let text = String::from_utf8_lossy(line);
    let upper = text.to_ascii_uppercase();
    let (status, rest) = if upper.starts_with("+OK") {
        (Status::Ok, &text[3..])
    } else if upper.starts_with("-ERR") {
        (Status::Err, &text[4..])
    } else if text == "+" || text.starts_with("+ ") {
        (Status::Continuation, &text[1..])
    } else {
        return Err(ResponseError::BadStatus);
    };
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return Err(ResponseError::BadStatus);
    }
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    if status == Status::Continuation {
        return Ok(StatusLine {
            status,
            code: None,
            text: rest.to_string(),
        });
    }
    let (code, text) = match rest.strip_prefix('[') {
        Some(inner) => {
            let close = inner.find(']').ok_or(ResponseError::UnclosedCode)?;
            let code = RespCode(inner[..close].split('/').map(str::to_string).collect());
            let after = inner[close + 1..]
                .strip_prefix(' ')
                .unwrap_or(&inner[close + 1..]);
            (Some(code), after)
        }
        None => (None, rest),
    };
    Ok(StatusLine {
        status,
        code,
        text: text.to_string(),
    })
}

/// A complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: StatusLine,
    /// The body of a multi-line response, un-stuffed, one entry per line.
    pub body: Option<Vec<Vec<u8>>>,
    /// How many body lines were byte-stuffed (started with "..").
    pub stuffed_lines: usize,
    /// Body lines over [`BODY_LINE_LIMIT`], dropped.
    pub lost_lines: usize,
}

impl Response {
    /// The response as a server sends it: status line, then the body
    /// byte-stuffed and ended by "." (for a multi-line response).
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = self.status.to_wire();
        if let Some(body) = &self.body {
            let joined: Vec<u8> = body
                .iter()
                .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
                .collect();
            out.extend(crate::proto::data::dot_stuff(&joined));
        }
        out
    }
}

/// What the reader produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseEvent {
    Response(Response),
    Malformed { line: Vec<u8>, error: ResponseError },
}

#[derive(Debug, Clone)]
struct Collecting {
    status: StatusLine,
    body: Vec<Vec<u8>>,
    stuffed: usize,
    lost: usize,
}

/// The client side: reads responses incrementally.
#[derive(Debug, Clone)]
pub struct ResponseReader {
    lines: LineReader,
    expected: VecDeque<Shape>,
    collecting: Option<Collecting>,
}

impl Default for ResponseReader {
    fn default() -> Self {
        ResponseReader {
            lines: LineReader::new(POP3_RESPONSE_LINE),
            expected: VecDeque::new(),
            collecting: None,
        }
    }
}

impl ResponseReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Say that a command was sent whose response has this shape. Responses
    /// with no expectation queued (the greeting) are single-line.
    pub fn expect(&mut self, shape: Shape) {
        self.expected.push_back(shape);
    }

    /// Whether the reader is in the middle of a multi-line body.
    pub fn in_body(&self) -> bool {
        self.collecting.is_some()
    }

    /// Take at most one event from `input`, advancing it.
    pub fn next_event(&mut self, input: &mut &[u8]) -> Option<ResponseEvent> {
        loop {
            let framed = self.lines.next_line(input)?;
            if let Some(ev) = self.take(framed) {
                return Some(ev);
            }
        }
    }

    /// All events in `chunk`.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Vec<ResponseEvent> {
        let mut out = Vec::new();
        while let Some(ev) = self.next_event(&mut chunk) {
            out.push(ev);
        }
        out
    }

    /// The connection closed: a body in progress is reported as unterminated.
    pub fn end_of_input(&mut self) -> Option<ResponseEvent> {
        self.collecting.take().map(|_| ResponseEvent::Malformed {
            line: Vec::new(),
            error: ResponseError::Unterminated,
        })
    }

    fn take(&mut self, framed: crate::proto::line::Framed) -> Option<ResponseEvent> {
        if let Some(c) = self.collecting.as_mut() {
            let line = match framed {
                Ok(l) => l,
                Err(_) => {
                    c.lost += 1;
                    return None;
                }
            };
            if line.content == b"." {
                self.lines.set_limit(POP3_RESPONSE_LINE);
                let c = self.collecting.take()?;
                return Some(ResponseEvent::Response(Response {
                    status: c.status,
                    body: Some(c.body),
                    stuffed_lines: c.stuffed,
                    lost_lines: c.lost,
                }));
            }
            let (content, stuffed) = unstuff_line(&line.content);
            c.stuffed += usize::from(stuffed);
            c.body.push(content.to_vec());
            return None;
        }
        let line = match framed {
            Ok(l) => l,
            Err(e) => {
                self.expected.pop_front();
                return Some(ResponseEvent::Malformed {
                    line: Vec::new(),
                    error: ResponseError::TooLong {
                        length: e.length,
                        limit: e.limit,
                    },
                });
            }
        };
        let status = match parse_status_line(&line.content) {
            Ok(s) => s,
            Err(error) => {
                return Some(ResponseEvent::Malformed {
                    line: line.content,
                    error,
                });
            }
        };
        // A SASL continuation does not answer the command: keep its expectation.
        if status.status == Status::Continuation {
            return Some(ResponseEvent::Response(Response {
                status,
                body: None,
                stuffed_lines: 0,
                lost_lines: 0,
            }));
        }
        let shape = self.expected.pop_front().unwrap_or(Shape::Single);
        if shape == Shape::MultiIfOk && status.is_ok() {
            self.lines.set_limit(BODY_LINE_LIMIT);
            self.collecting = Some(Collecting {
                status,
                body: Vec::new(),
                stuffed: 0,
                lost: 0,
            });
            return None;
        }
        Some(ResponseEvent::Response(Response {
            status,
            body: None,
            stuffed_lines: 0,
            lost_lines: 0,
        }))
    }
}

/// `+OK nn mm` after STAT (RFC 1939 §5): message count and total octets.
pub fn parse_stat(text: &str) -> Option<(u32, u64)> {
    let mut it = text.split(' ');
    let n = it.next()?.parse().ok()?;
    let size = it.next()?.parse().ok()?;
    Some((n, size))
}

/// A scan listing `msg octets` (LIST, RFC 1939 §5).
pub fn parse_scan_line(text: &str) -> Option<(u32, u64)> {
    parse_stat(text)
}

/// A unique-id listing `msg uid` (UIDL, RFC 1939 §7): the uid is 1 to 70
/// characters in the range 0x21 to 0x7E.
pub fn parse_uid_line(text: &str) -> Option<(u32, String)> {
    let (n, uid) = text.split_once(' ')?;
    let uid = uid.split(' ').next()?;
    let ok = (1..=70).contains(&uid.len()) && uid.bytes().all(|b| (0x21..=0x7e).contains(&b));
    ok.then(|| Some((n.parse().ok()?, uid.to_string())))?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1939 §10's example session, server side.
    const RFC1939: &[u8] = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n\
+OK mrose's maildrop has 2 messages (320 octets)\r\n\
+OK 2 320\r\n\
+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n\
+OK 120 octets\r\nSubject: hi\r\n\r\n..dot line\r\n.\r\n\
+OK message 1 deleted\r\n\
+OK dewey POP3 server signing off (maildrop empty)\r\n";

    /// Greeting, APOP, STAT, LIST, RETR 1, DELE 1, QUIT.
    fn shapes() -> [Shape; 7] {
        use Shape::*;
        [Single, Single, Single, MultiIfOk, MultiIfOk, Single, Single]
    }

    #[test]
    fn rfc_1939_session_every_chunking_crlf_and_lf() {
        let lf: Vec<u8> = RFC1939.iter().copied().filter(|&b| b != b'\r').collect();
        for input in [RFC1939.to_vec(), lf] {
            for size in 1..=input.len() {
                let mut r = ResponseReader::new();
                for s in shapes() {
                    r.expect(s);
                }
                let mut events = Vec::new();
                for chunk in input.chunks(size) {
                    events.extend(r.feed(chunk));
                }
                assert_eq!(events.len(), 7, "chunk {size}");
                let ResponseEvent::Response(stat) = &events[2] else {
                    panic!()
                };
                assert_eq!(parse_stat(&stat.status.text), Some((2, 320)));
                let ResponseEvent::Response(list) = &events[3] else {
                    panic!()
                };
                let body = list.body.as_ref().unwrap();
                assert_eq!(body.len(), 2);
                assert_eq!(
                    parse_scan_line(&String::from_utf8_lossy(&body[1])),
                    Some((2, 200))
                );
                let ResponseEvent::Response(retr) = &events[4] else {
                    panic!()
                };
                assert_eq!(retr.body.as_ref().unwrap()[2], b".dot line");
                assert_eq!(retr.stuffed_lines, 1);
            }
        }
    }

    #[test]
    fn status_lines_and_codes() {
        let s = parse_status_line(b"-ERR [IN-USE] maildrop already locked").unwrap();
        assert_eq!(s.status, Status::Err);
        assert_eq!(s.code.as_ref().unwrap().to_string(), "IN-USE");
        assert_eq!(s.text, "maildrop already locked");
        let s = parse_status_line(b"-ERR [SYS/TEMP] try later").unwrap();
        assert_eq!(s.code.unwrap().0, ["SYS", "TEMP"]);
        assert_eq!(parse_status_line(b"+OK").unwrap().text, "");
        assert_eq!(
            parse_status_line(b"+ ").unwrap().status,
            Status::Continuation
        );
        assert_eq!(parse_status_line(b"OK fine"), Err(ResponseError::BadStatus));
        assert_eq!(parse_status_line(b"+OKAY"), Err(ResponseError::BadStatus));
        assert_eq!(
            parse_status_line(b"-ERR [IN-USE"),
            Err(ResponseError::UnclosedCode)
        );
        let wire = StatusLine::err(Some("IN-USE"), "locked").to_wire();
        assert_eq!(wire, b"-ERR [IN-USE] locked\r\n".to_vec());
    }

    #[test]
    fn errors_to_multiline_commands_are_single_and_continuations_keep_the_queue() {
        let mut r = ResponseReader::new();
        r.expect(Shape::MultiIfOk);
        r.expect(Shape::Single);
        let ev = r.feed(b"-ERR no such message\r\n+ \r\n+OK done\r\n");
        assert_eq!(ev.len(), 3);
        assert!(!r.in_body());
    }

    #[test]
    fn server_side_stuffing_round_trips() {
        let resp = Response {
            status: StatusLine::ok("2 octets"),
            body: Some(vec![b".".to_vec(), b"a".to_vec()]),
            stuffed_lines: 0,
            lost_lines: 0,
        };
        let wire = resp.to_wire();
        assert_eq!(wire, b"+OK 2 octets\r\n..\r\na\r\n.\r\n".to_vec());
        let mut r = ResponseReader::new();
        r.expect(Shape::MultiIfOk);
        let ev = r.feed(&wire);
        let ResponseEvent::Response(back) = &ev[0] else {
            panic!()
        };
        assert_eq!(back.body, resp.body);
        assert_eq!(r.end_of_input(), None);
        r.expect(Shape::MultiIfOk);
        r.feed(b"+OK\r\npartial\r\n");
        assert!(matches!(
            r.end_of_input(),
            Some(ResponseEvent::Malformed {
                error: ResponseError::Unterminated,
                ..
            })
        ));
    }

    #[test]
    fn uid_lines() {
        assert_eq!(
            parse_uid_line("1 whqtswO00WBw418f9t5JxYwZ"),
            Some((1, "whqtswO00WBw418f9t5JxYwZ".into()))
        );
        assert_eq!(parse_uid_line("1"), None);
    }
}
