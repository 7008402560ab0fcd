//! The message body after DATA (and POP3 multi-line bodies): dot-stuffing in
//! both directions and end-of-data detection.
//!
//! RFC 5321 §4.5.2: before sending a line that starts with ".", the client
//! adds one more "."; the receiver removes the first "." of any line that has
//! other characters after it. RFC 5321 §4.1.1.4: the data ends with
//! `CRLF . CRLF` — and only that. A "." line reached through a bare LF or a
//! bare CR is *not* an end: taking it for one is what "SMTP smuggling"
//! exploits, so it is recorded as an attempt and kept as body text.
//! RFC 1939 §3 uses the same byte-stuffing for POP3 multi-line responses.

use crate::proto::line::{Ending, Framed, LineReader};

/// Turn a message into its wire form after DATA: every line ended by CRLF
/// (bare LF and bare CR become CRLF), lines starting with "." doubled, and the
/// final `.` CRLF appended.
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 32 + 5);
    for content in split_lines(message) {
        if content.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// Remove the stuffing of one received line (RFC 5321 §4.5.2 step 2).
/// Returns the content and whether a "." was removed.
pub fn unstuff_line(content: &[u8]) -> (&[u8], bool) {
    match content {
        [b'.', rest @ ..] if !rest.is_empty() => (rest, true),
        _ => (content, false),
    }
}

/// Split a message into line contents, accepting CRLF, LF or CR as endings.
/// A final line without ending is kept; a trailing ending adds no empty line.
pub fn split_lines(message: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < message.len() {
        match message[i] {
            b'\n' => {
                lines.push(&message[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&message[start..i]);
                i += if message.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < message.len() {
        lines.push(&message[start..]);
    }
    lines
}

/// Something unusual seen in a DATA body; `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataAnomaly {
    /// A line ended by a bare LF (RFC 5321 §2.3.8 forbids it).
    BareLf { line: usize },
    /// A line ended by a bare CR.
    BareCr { line: usize },
    /// A lone "." that is not `CRLF . CRLF`: an SMTP smuggling attempt,
    /// kept as body text and not taken as the end of the data.
    SmugglingDot {
        line: usize,
        before: Ending,
        after: Ending,
    },
    /// A line over the 1000-octet text limit (RFC 5321 §4.5.3.1.6); its
    /// content was dropped.
    LineTooLong { line: usize, length: usize },
}

/// Whether the body goes on after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataProgress {
    More,
    End,
}

/// The received message once `CRLF . CRLF` was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedData {
    /// The message, unstuffed, every line ended by CRLF. Empty if it went
    /// over the size limit (it was not kept).
    pub message: Vec<u8>,
    /// The size of the unstuffed message in octets (counted even past the limit).
    pub size: usize,
    /// The message went over `max_size` (RFC 1870: reply 552).
    pub too_big: bool,
    /// The first [`MAX_ANOMALIES`] anomalies, in order.
    pub anomalies: Vec<DataAnomaly>,
    /// Anomalies past the first [`MAX_ANOMALIES`], counted only.
    pub more_anomalies: usize,
    /// Some line was too long and lost (kept apart from the list, which
    /// may have stopped before it).
    pub lost_lines: bool,
}

/// How many anomalies a message keeps: what a reader needs to see the
/// kind of fault. A client sending only bare LFs must not make the server
/// keep one record per line (a 90 MB DATA of "\n" was 2 GB of records);
/// past this they are counted, as Postfix counts them.
pub const MAX_ANOMALIES: usize = 64;

impl ReceivedData {
    /// Whether some line was too long and lost: the message is not whole.
    pub fn lost_lines(&self) -> bool {
        self.lost_lines
    }
}

/// The server side of DATA: fed framed lines, it detects the end, unstuffs,
/// and bounds what it keeps to `max_size` octets.
#[derive(Debug, Clone)]
pub struct DataReceiver {
    max_size: usize,
    message: Vec<u8>,
    size: usize,
    too_big: bool,
    previous: Ending,
    line_no: usize,
    anomalies: Vec<DataAnomaly>,
    more_anomalies: usize,
    lost_lines: bool,
}

impl DataReceiver {
    /// Start receiving after the 354 reply. The DATA command's own CRLF counts
    /// as the CRLF before the first line, so an empty message `.` CRLF ends.
    pub fn new(max_size: usize) -> Self {
        DataReceiver {
            max_size,
            message: Vec::new(),
            size: 0,
            too_big: false,
            previous: Ending::CrLf,
            line_no: 0,
            anomalies: Vec::new(),
            more_anomalies: 0,
            lost_lines: false,
        }
    }

    /// Keep an anomaly, or only count it past [`MAX_ANOMALIES`].
    fn note(&mut self, a: DataAnomaly) {
        if self.anomalies.len() < MAX_ANOMALIES {
            self.anomalies.push(a);
        } else {
            self.more_anomalies += 1;
        }
    }

    /// Lines received so far.
    pub fn lines(&self) -> usize {
        self.line_no
    }

    /// Take one framed line (from a [`LineReader`] at the text-line limit).
    pub fn push(&mut self, framed: Framed) -> DataProgress {
        self.line_no += 1;
        let line_no = self.line_no;
        let line = match framed {
            Ok(line) => line,
            Err(e) => {
                self.lost_lines = true;
                self.note(DataAnomaly::LineTooLong {
                    line: line_no,
                    length: e.length,
                });
                self.previous = e.ending;
                return DataProgress::More;
            }
        };
        let before = self.previous;
        self.previous = line.ending;
        match line.ending {
            Ending::Lf => self.note(DataAnomaly::BareLf { line: line_no }),
            Ending::Cr => self.note(DataAnomaly::BareCr { line: line_no }),
            Ending::CrLf | Ending::Missing => {}
        }
        if line.content == b"." {
            if before.is_crlf() && line.ending.is_crlf() {
                return DataProgress::End;
            }
            self.note(DataAnomaly::SmugglingDot {
                line: line_no,
                before,
                after: line.ending,
            });
        }
        let (content, _) = unstuff_line(&line.content);
        let add = content.len() + 2;
        self.size = self.size.saturating_add(add);
        if self.size > self.max_size {
            self.too_big = true;
            self.message = Vec::new();
        } else {
            self.message.extend_from_slice(content);
            self.message.extend_from_slice(b"\r\n");
        }
        DataProgress::More
    }

    /// The message, once [`DataProgress::End`] was returned (or to see what
    /// arrived before a connection was lost).
    pub fn finish(self) -> ReceivedData {
        ReceivedData {
            message: self.message,
            size: self.size,
            too_big: self.too_big,
            anomalies: self.anomalies,
            more_anomalies: self.more_anomalies,
            lost_lines: self.lost_lines,
        }
    }
}

/// Read a whole DATA body from raw bytes: a convenience for tests and tools.
/// Returns the data and the bytes that followed the end, or `None` if the
/// end was not reached.
pub fn receive_all(wire: &[u8], max_size: usize) -> Option<(ReceivedData, &[u8])> {
    let mut reader = LineReader::new(crate::proto::line::SMTP_TEXT_LINE);
    let mut rx = DataReceiver::new(max_size);
    let mut input = wire;
    while let Some(framed) = reader.next_line(&mut input) {
        if rx.push(framed) == DataProgress::End {
            return Some((rx.finish(), input));
        }
    }
    None
}

/// Where to stop feeding SMTP input: just after the first line from `from`
/// on that is "." alone (the end of a message, ended by CRLF or a bare LF),
/// else the end of what was read.
pub fn through_dot_line(input: &[u8], from: usize) -> usize {
    let mut start = from;
    loop {
        let rest = &input[start..];
        if rest.starts_with(b".\r\n") {
            return start + 3;
        }
        if rest.starts_with(b".\n") {
            return start + 2;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => start += i + 1,
            None => return input.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeding_stops_after_a_line_that_is_a_dot_alone() {
        let wire = b"Subject: a\r\n..x\r\n.\r\nMAIL FROM:<a@b>\r\n.\nQUIT\r\n";
        assert_eq!(through_dot_line(wire, 0), 20);
        assert_eq!(&wire[..20], b"Subject: a\r\n..x\r\n.\r\n");
        assert_eq!(through_dot_line(wire, 20), 39);
        assert_eq!(&wire[20..39], b"MAIL FROM:<a@b>\r\n.\n");
        assert_eq!(through_dot_line(wire, 39), wire.len());
        // A dot inside a line is not an end; a dot line at the start is.
        assert_eq!(through_dot_line(b"a.\r\nb", 0), 5);
        assert_eq!(through_dot_line(b".\r\n", 0), 3);
    }

    /// A million bare LFs: the first 64 are kept, the rest counted; the
    /// receiver's memory does not follow the client's input.
    #[test]
    fn anomalies_are_kept_up_to_a_bound_then_counted() {
        let mut rx = DataReceiver::new(1000);
        let mut reader = LineReader::new(crate::proto::line::SMTP_TEXT_LINE);
        let chunk = vec![b'\n'; 100_000];
        for _ in 0..10 {
            let mut input = &chunk[..];
            while let Some(f) = reader.next_line(&mut input) {
                assert_eq!(rx.push(f), DataProgress::More);
            }
        }
        // A line too long after the bound still says the message lost a line.
        let long = vec![b'x'; crate::proto::line::SMTP_TEXT_LINE + 10];
        let mut input = &long[..];
        while let Some(f) = reader.next_line(&mut input) {
            rx.push(f);
        }
        let mut input = &b"\r\n.\r\n"[..];
        let mut end = false;
        while let Some(f) = reader.next_line(&mut input) {
            end |= rx.push(f) == DataProgress::End;
        }
        assert!(end);
        let got = rx.finish();
        assert_eq!(got.anomalies.len(), 64);
        assert_eq!(got.anomalies[0], DataAnomaly::BareLf { line: 1 });
        // The million bare LFs and the long line, less the 64 kept.
        assert_eq!(got.more_anomalies, 1_000_000 + 1 - 64);
        assert!(got.lost_lines());
        assert!(got.too_big);
    }

    #[test]
    fn stuffing_round_trips() {
        let msg = b"Subject: x\r\n\r\n.hidden\r\n..two\r\n.\r\nend\r\n";
        let wire = dot_stuff(msg);
        assert_eq!(
            wire,
            b"Subject: x\r\n\r\n..hidden\r\n...two\r\n..\r\nend\r\n.\r\n".to_vec()
        );
        for size in 1..=wire.len() {
            let mut reader = LineReader::new(1000);
            let mut rx = DataReceiver::new(1 << 20);
            let mut done = false;
            for chunk in wire.chunks(size) {
                for f in reader.feed(chunk) {
                    assert!(!done, "line after the end");
                    done = rx.push(f) == DataProgress::End;
                }
            }
            assert!(done, "chunk {size}");
            let got = rx.finish();
            assert_eq!(got.message, msg.to_vec());
            assert!(got.anomalies.is_empty());
        }
    }

    #[test]
    fn bare_lf_endings_are_normalised_when_stuffing() {
        assert_eq!(dot_stuff(b"a\nb\rc"), b"a\r\nb\r\nc\r\n.\r\n".to_vec());
        assert_eq!(dot_stuff(b""), b".\r\n".to_vec());
    }

    #[test]
    fn smuggled_dots_never_end_the_data() {
        for wire in [
            &b"a\n.\nMAIL FROM:<x@y>\r\n.\r\n"[..],
            b"a\r.\r\nRCPT\r\n.\r\n",
            b"a\n.\r\nRSET\r\n.\r\n",
            b"a\r\n.\nQUIT\r\n.\r\n",
        ] {
            let (got, rest) = receive_all(wire, 1 << 20).unwrap();
            assert!(rest.is_empty());
            assert!(
                got.anomalies
                    .iter()
                    .any(|a| matches!(a, DataAnomaly::SmugglingDot { .. })),
                "{:?}",
                String::from_utf8_lossy(wire)
            );
            // The smuggled command stayed inside the message.
            assert_eq!(got.message.iter().filter(|&&b| b == b'\n').count(), 3);
        }
    }

    #[test]
    fn size_limit_is_counted_but_not_kept() {
        let wire = b"0123456789\r\n0123456789\r\n.\r\nNOOP\r\n";
        let (got, rest) = receive_all(wire, 15).unwrap();
        assert!(got.too_big);
        assert_eq!(got.size, 24);
        assert!(got.message.is_empty());
        assert_eq!(rest, b"NOOP\r\n");
    }

    #[test]
    fn a_long_line_is_reported_and_the_end_still_found() {
        let wire = [vec![b'x'; 5000], b"\r\n.\r\n".to_vec()].concat();
        let (got, _) = receive_all(&wire, 1 << 20).unwrap();
        assert!(got.lost_lines());
    }

    #[test]
    fn unterminated_data_is_not_an_end() {
        assert!(receive_all(b"hello\r\n.", 100).is_none());
    }
}
