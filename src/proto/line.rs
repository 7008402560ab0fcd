//! Incremental line framing with the size limits of RFC 5321 §4.5.3.1.
//!
//! Feed any chunk of bytes; get complete lines, each with the ending that
//! really closed it (CRLF, a bare LF or a bare CR), so that a teaching tool can
//! say "you sent a bare LF". A line longer than the limit is never buffered
//! whole: its bytes are counted and dropped, and a typed [`LineTooLong`] is
//! reported once the line ends, so memory stays bounded by the limit.

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.
pub const SMTP_COMMAND_LINE: usize = 512;
/// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including CRLF.
pub const SMTP_REPLY_LINE: usize = 512;
/// RFC 5321 §4.5.3.1.6: a text line (DATA) is at most 1000 octets including CRLF.
pub const SMTP_TEXT_LINE: usize = 1000;
/// RFC 2449 §4: a POP3 command line is at most 255 octets including CRLF.
pub const POP3_COMMAND_LINE: usize = 255;
/// RFC 2449 §4: the first line of a POP3 response is at most 512 octets.
pub const POP3_RESPONSE_LINE: usize = 512;

/// What closed a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// CR LF, the only line ending SMTP and POP3 allow (RFC 5321 §2.3.8).
    CrLf,
    /// A LF without CR before it ("bare LF").
    Lf,
    /// A CR not followed by LF ("bare CR").
    Cr,
    /// The input ended before any line ending (connection closed mid-line).
    Missing,
}

impl Ending {
    /// The bytes of this ending on the wire.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Ending::CrLf => b"\r\n",
            Ending::Lf => b"\n",
            Ending::Cr => b"\r",
            Ending::Missing => b"",
        }
    }

    /// Whether this is the CRLF the protocols require.
    pub fn is_crlf(self) -> bool {
        self == Ending::CrLf
    }
}

/// One complete line: its content (without the ending) and its ending.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    pub content: Vec<u8>,
    pub ending: Ending,
}

impl Line {
    /// The exact bytes of the line as they were on the wire.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.content.len() + 2);
        v.extend_from_slice(&self.content);
        v.extend_from_slice(self.ending.bytes());
        v
    }
}

/// A line over the limit; its content was dropped as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "line too long: {length} octets including the line ending, the limit is {limit} (RFC 5321 §4.5.3.1)"
)]
pub struct LineTooLong {
    /// The limit in force, line ending included.
    pub limit: usize,
    /// How long the line really was, line ending included (saturating).
    pub length: usize,
    /// What closed the over-long line.
    pub ending: Ending,
}

/// One framing result: a line, or the report of a line that was too long.
pub type Framed = Result<Line, LineTooLong>;

/// The incremental line splitter. See the module documentation.
#[derive(Debug, Clone)]
pub struct LineReader {
    buf: Vec<u8>,
    limit: usize,
    /// Octets of the current line seen so far once it went over the limit.
    overflow: Option<usize>,
    /// A CR was the last byte seen; whether it is CRLF or a bare CR depends
    /// on the next byte.
    pending_cr: bool,
}

impl LineReader {
    /// A reader whose lines may be at most `limit` octets including CRLF.
    /// A limit below 3 is raised to 3 (one octet and CRLF).
    pub fn new(limit: usize) -> Self {
        LineReader {
            buf: Vec::new(),
            limit: limit.max(3),
            overflow: None,
            pending_cr: false,
        }
    }

    /// Change the limit for the lines that start from now on (e.g. 512 for
    /// commands, 1000 inside DATA).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit.max(3);
    }

    /// The limit in force, line ending included.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The bytes of the line being received (not yet terminated).
    pub fn partial(&self) -> &[u8] {
        &self.buf
    }

    /// Whether a line has started but not ended.
    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty() || self.overflow.is_some() || self.pending_cr
    }

    /// Take at most one line from `input`, advancing it past what was used.
    /// Returns `None` once `input` is used up (a partial line stays buffered).
    pub fn next_line(&mut self, input: &mut &[u8]) -> Option<Framed> {
        if self.pending_cr {
            let first = *input.first()?;
            self.pending_cr = false;
            if first == b'\n' {
                *input = &input[1..];
                return Some(self.finish(Ending::CrLf));
            }
            return Some(self.finish(Ending::Cr));
        }
        let pos = input.iter().position(|&b| b == b'\r' || b == b'\n');
        match pos {
            None => {
                self.push(input);
                *input = &[];
                None
            }
            Some(i) => {
                let (head, rest) = input.split_at(i);
                self.push(head);
                let terminator = rest.first().copied();
                *input = rest.get(1..).unwrap_or(&[]);
                if terminator == Some(b'\n') {
                    return Some(self.finish(Ending::Lf));
                }
                // A CR: look at the next byte if we have it.
                match input.first() {
                    Some(b'\n') => {
                        *input = &input[1..];
                        Some(self.finish(Ending::CrLf))
                    }
                    Some(_) => Some(self.finish(Ending::Cr)),
                    None => {
                        self.pending_cr = true;
                        None
                    }
                }
            }
        }
    }

    /// All lines in `chunk`, in order.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Vec<Framed> {
        let mut out = Vec::new();
        while let Some(item) = self.next_line(&mut chunk) {
            out.push(item);
        }
        out
    }

    /// The input has ended (connection closed): a pending CR becomes a line
    /// with a bare CR, a partial line one whose ending is [`Ending::Missing`].
    pub fn end_of_input(&mut self) -> Option<Framed> {
        if self.pending_cr {
            self.pending_cr = false;
            return Some(self.finish(Ending::Cr));
        }
        if self.buf.is_empty() && self.overflow.is_none() {
            return None;
        }
        Some(self.finish(Ending::Missing))
    }

    fn push(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(n) = self.overflow.as_mut() {
            *n = n.saturating_add(bytes.len());
            return;
        }
        // Room for content: the limit less the CRLF.
        let room = self.limit - 2;
        if self.buf.len() + bytes.len() > room {
            self.overflow = Some(self.buf.len().saturating_add(bytes.len()));
            self.buf = Vec::new();
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn finish(&mut self, ending: Ending) -> Framed {
        match self.overflow.take() {
            Some(n) => Err(LineTooLong {
                limit: self.limit,
                length: n.saturating_add(ending.bytes().len()),
                ending,
            }),
            None => Ok(Line {
                content: std::mem::take(&mut self.buf),
                ending,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed `input` in chunks of `size` bytes, then signal end of input.
    pub(crate) fn frame_in_chunks(input: &[u8], size: usize, limit: usize) -> Vec<Framed> {
        let mut r = LineReader::new(limit);
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            out.extend(r.feed(chunk));
        }
        out.extend(r.end_of_input());
        out
    }

    fn ok(content: &str, ending: Ending) -> Framed {
        Ok(Line {
            content: content.as_bytes().to_vec(),
            ending,
        })
    }

    #[test]
    fn endings_are_reported_for_every_chunking() {
        let input = b"EHLO a\r\nMAIL\nRCPT\rDATA\r\n\r\nlast";
        let want = vec![
            ok("EHLO a", Ending::CrLf),
            ok("MAIL", Ending::Lf),
            ok("RCPT", Ending::Cr),
            ok("DATA", Ending::CrLf),
            ok("", Ending::CrLf),
            ok("last", Ending::Missing),
        ];
        for size in 1..=input.len() {
            assert_eq!(frame_in_chunks(input, size, 512), want, "chunk size {size}");
        }
    }

    #[test]
    fn cr_at_end_of_input_is_a_bare_cr() {
        assert_eq!(
            frame_in_chunks(b"QUIT\r", 1, 512),
            vec![ok("QUIT", Ending::Cr)]
        );
    }

    #[test]
    fn limit_counts_crlf_and_is_exact() {
        // 510 octets + CRLF = 512: allowed. 511 + CRLF = 513: too long.
        let fits = [vec![b'a'; 510], b"\r\n".to_vec()].concat();
        let over = [vec![b'a'; 511], b"\r\n".to_vec()].concat();
        for size in [1, 7, 512, 1024] {
            let got = frame_in_chunks(&fits, size, SMTP_COMMAND_LINE);
            assert!(matches!(&got[..], [Ok(l)] if l.content.len() == 510));
            let got = frame_in_chunks(&over, size, SMTP_COMMAND_LINE);
            assert_eq!(
                got,
                vec![Err(LineTooLong {
                    limit: 512,
                    length: 513,
                    ending: Ending::CrLf
                })]
            );
        }
    }

    #[test]
    fn reading_goes_on_after_a_long_line_and_memory_stays_bounded() {
        let mut r = LineReader::new(SMTP_COMMAND_LINE);
        let big = vec![b'x'; 1 << 20];
        for _ in 0..10 {
            assert!(r.feed(&big).is_empty());
            assert!(r.buf.capacity() <= SMTP_COMMAND_LINE);
        }
        let got = r.feed(b"\r\nNOOP\r\n");
        assert_eq!(got.len(), 2);
        assert!(matches!(&got[0], Err(e) if e.length == 10 * (1 << 20) + 2));
        assert_eq!(got[1], ok("NOOP", Ending::CrLf));
    }

    #[test]
    fn limit_can_change_between_lines() {
        let mut r = LineReader::new(SMTP_COMMAND_LINE);
        let mut input: &[u8] = b"DATA\r\n";
        assert_eq!(r.next_line(&mut input), Some(ok("DATA", Ending::CrLf)));
        r.set_limit(SMTP_TEXT_LINE);
        let long = [vec![b'b'; 900], b"\r\n".to_vec()].concat();
        let got = r.feed(&long);
        assert!(matches!(&got[..], [Ok(l)] if l.content.len() == 900));
    }

    #[test]
    fn wire_form_round_trips() {
        let input = b"a\r\nb\nc\rd";
        let lines = frame_in_chunks(input, 3, 100);
        let wire: Vec<u8> = lines
            .iter()
            .flat_map(|l| l.as_ref().unwrap().to_wire())
            .collect();
        assert_eq!(wire, input);
    }
}
