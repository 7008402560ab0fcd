//! One captured session made a [`Transcript`], so that replay and export
//! read it as any recorded session: each direction cut into lines, the two
//! merged in the order they really happened (what a side had acknowledged
//! when it spoke decides, then the capture's clock), gaps kept as gaps,
//! and after STARTTLS/STLS's go-ahead one event for the encrypted rest.

use super::flows::StreamInfo;
use super::reassembly::Chunk;
use super::stream::Collected;
use super::tls::{Records, client_hello, server_hello};
use crate::proto::Proto;
use crate::session::transcript::{Dir, Event, Sealed, TcpEnd, TcpFacts, Transcript, VERSION};

/// A line longer than this is cut (a binary blob has no line ends).
const MAX_LINE: usize = 1 << 20;

/// A line, or a hole, of one direction.
#[derive(Debug, Clone)]
enum Item {
    Line {
        bytes: Vec<u8>,
        /// The stream offset after its last octet.
        end: u64,
        ts_us: i64,
        ack: Option<u32>,
    },
    Gap {
        len: u64,
        end: u64,
        ts_us: i64,
    },
}

impl Item {
    fn ts_us(&self) -> i64 {
        match self {
            Item::Line { ts_us, .. } | Item::Gap { ts_us, .. } => *ts_us,
        }
    }
    fn end(&self) -> u64 {
        match self {
            Item::Line { end, .. } | Item::Gap { end, .. } => *end,
        }
    }
    fn ack(&self) -> Option<u32> {
        match self {
            Item::Line { ack, .. } => *ack,
            Item::Gap { .. } => None,
        }
    }
}

/// Lines out of one direction's chunks, one at a time.
struct Framer<'a> {
    chunks: &'a [Chunk],
    i: usize,
    pos: usize,
}

impl Framer<'_> {
    fn next_item(&mut self) -> Option<Item> {
        let mut cur = Vec::new();
        let mut last = (0u64, 0i64, None);
        loop {
            let Some(chunk) = self.chunks.get(self.i) else {
                let (end, ts_us, ack) = last;
                return (!cur.is_empty()).then_some(Item::Line {
                    bytes: cur,
                    end,
                    ts_us,
                    ack,
                });
            };
            match chunk {
                Chunk::Gap { off, len, ts_us } => {
                    if !cur.is_empty() {
                        let (end, ts_us, ack) = last;
                        return Some(Item::Line {
                            bytes: cur,
                            end,
                            ts_us,
                            ack,
                        });
                    }
                    self.i += 1;
                    self.pos = 0;
                    return Some(Item::Gap {
                        len: *len,
                        end: off + len,
                        ts_us: *ts_us,
                    });
                }
                Chunk::Data {
                    off,
                    bytes,
                    ts_us,
                    ack,
                } => {
                    let rest = bytes.get(self.pos..).unwrap_or_default();
                    let room = MAX_LINE.saturating_sub(cur.len()).max(1);
                    let newline = rest.iter().take(room).position(|&b| b == b'\n');
                    let n = newline.map_or(rest.len().min(room), |n| n + 1);
                    cur.extend_from_slice(&rest[..n]);
                    self.pos += n;
                    let end = off + self.pos as u64;
                    if self.pos >= bytes.len() {
                        self.i += 1;
                        self.pos = 0;
                    }
                    last = (end, *ts_us, *ack);
                    if newline.is_some() || cur.len() >= MAX_LINE {
                        if cur.ends_with(b"\n") {
                            cur.pop();
                            if cur.ends_with(b"\r") {
                                cur.pop();
                            }
                        }
                        return Some(Item::Line {
                            bytes: cur,
                            end,
                            ts_us: *ts_us,
                            ack: *ack,
                        });
                    }
                }
            }
        }
    }
}

/// The session, ready for replay and export, and what it lacks.
#[derive(Debug, Clone)]
pub struct Converted {
    pub transcript: Transcript,
    /// Octets never captured (gaps), kept octets past the bound, packets cut short.
    pub missing: u64,
    pub dropped: u64,
    pub cut_packets: u64,
}

/// The STARTTLS (SMTP, RFC 3207 §4) or STLS (POP3, RFC 2595 §4) command.
fn is_starttls(line: &[u8]) -> bool {
    let t = String::from_utf8_lossy(line).trim().to_ascii_uppercase();
    t == "STARTTLS" || t == "STLS"
}

/// A server line that ends a reply: SMTP's `220 …` go-ahead (a final line
/// has a space, or nothing, after the code: RFC 5321 §4.2.1), POP3's `+OK`.
/// Some(true) to go ahead, Some(false) for a refusal, None mid-reply.
fn go_ahead(line: &[u8]) -> Option<bool> {
    if line.starts_with(b"+OK") {
        return Some(true);
    }
    if line.starts_with(b"-ERR") {
        return Some(false);
    }
    match line.get(3) {
        Some(b'-') => None,
        _ => Some(line.starts_with(b"220")),
    }
}

/// Count the TLS records of one direction's chunks from `from` on, and keep
/// its first handshake octets; the time of its first octet.
fn records(chunks: &[Chunk], from: u64) -> (Records, Option<i64>) {
    let mut r = Records::default();
    let mut first = None;
    for c in chunks {
        match c {
            Chunk::Data {
                off, bytes, ts_us, ..
            } => {
                let end = off + bytes.len() as u64;
                if end <= from {
                    continue;
                }
                let skip = from.saturating_sub(*off) as usize;
                first.get_or_insert(*ts_us);
                r.feed(bytes.get(skip..).unwrap_or_default());
            }
            Chunk::Gap { off, len, .. } if off + len > from => {
                r.bytes += len;
                r.gap();
            }
            Chunk::Gap { .. } => {}
        }
    }
    (r, first)
}

/// Build the transcript of a collected session.
pub fn convert(info: &StreamInfo, c: &Collected) -> Converted {
    let first_us = [
        c.first_us.unwrap_or(info.start_us),
        c.syn_us.unwrap_or(i64::MAX),
    ]
    .into_iter()
    .min()
    .unwrap_or(0);
    let started = first_us
        .div_euclid(1_000_000)
        .clamp(0, crate::session::transcript::LATEST);
    let zero = started * 1_000_000;
    let rel_us = |ts: i64| ts.saturating_sub(zero).max(0) as u64;
    let t_ms = |ts: i64| rel_us(ts) / 1000;
    let proto = info.proto.unwrap_or(Proto::Smtp);
    let mut events = Vec::new();
    let mut missing = 0;
    // Where TLS starts in each direction (client, server), if it does.
    let mut cut: Option<(u64, u64, i64)> = info.implicit_tls.then_some((0, 0, first_us));
    if cut.is_none() {
        let mut up = Framer {
            chunks: &c.up.chunks,
            i: 0,
            pos: 0,
        };
        let mut down = Framer {
            chunks: &c.down.chunks,
            i: 0,
            pos: 0,
        };
        let (mut a, mut b) = (up.next_item(), down.next_item());
        let mut asked: Option<u64> = None;
        loop {
            let client_first = match (&a, &b) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(x), Some(y)) => {
                    // RFC 9293 §3.4: an acknowledgment says what was received.
                    let y_saw_x = y
                        .ack()
                        .and_then(|k| c.up.offset(k))
                        .is_some_and(|o| o >= x.end() as i64);
                    let x_saw_y = x
                        .ack()
                        .and_then(|k| c.down.offset(k))
                        .is_some_and(|o| o >= y.end() as i64);
                    y_saw_x || (!x_saw_y && x.ts_us() <= y.ts_us())
                }
            };
            let (item, dir) = if client_first {
                let item = std::mem::replace(&mut a, up.next_item());
                (item, Dir::Client)
            } else {
                let item = std::mem::replace(&mut b, down.next_item());
                (item, Dir::Server)
            };
            let Some(item) = item else { break };
            match &item {
                Item::Gap { len, ts_us, .. } => {
                    missing += len;
                    events.push(Event::gap(t_ms(*ts_us), dir, *len));
                }
                Item::Line {
                    bytes, ts_us, end, ..
                } => {
                    events.push(Event::new(t_ms(*ts_us), dir, bytes, false));
                    if dir == Dir::Client {
                        asked = is_starttls(bytes).then_some(*end);
                    } else if let Some(client_end) = asked {
                        match go_ahead(bytes) {
                            Some(true) => {
                                cut = Some((client_end, *end, *ts_us));
                                break;
                            }
                            Some(false) => asked = None,
                            None => {}
                        }
                    }
                }
            }
        }
    }
    if let Some((client_from, server_from, at)) = cut {
        let (up, t_up) = records(&c.up.chunks, client_from);
        let (down, t_down) = records(&c.down.chunks, server_from);
        let mut sealed = Sealed {
            records: up.records + down.records,
            bytes: up.bytes + down.bytes,
            implicit: info.implicit_tls,
            ..Sealed::default()
        };
        client_hello(&up.hello, &mut sealed);
        server_hello(&down.hello, &mut sealed);
        let at = [t_up, t_down].into_iter().flatten().min().unwrap_or(at);
        events.push(Event::sealed(t_ms(at), sealed));
    }
    if let Some(first) = events.first_mut() {
        first.tcp = Some(Box::new(TcpFacts {
            client: c.client.to_string(),
            server: c.server.to_string(),
            syn_us: c.syn_us.map(rel_us),
            syn_ack_us: c.syn_ack_us.map(rel_us),
            ack_us: c.ack_us.map(rel_us),
            ends: c
                .ends
                .iter()
                .map(|e| TcpEnd {
                    by: if e.by_client {
                        Dir::Client
                    } else {
                        Dir::Server
                    },
                    flag: if e.rst { "rst" } else { "fin" }.to_string(),
                    t_us: rel_us(e.ts_us),
                })
                .collect(),
        }));
    }
    Converted {
        transcript: Transcript {
            version: VERSION,
            host: c.server.ip().to_string(),
            port: c.server.port(),
            protocol: proto.word().to_string(),
            simulated: false,
            started,
            events,
        },
        missing,
        dropped: c.up.dropped + c.down.dropped,
        cut_packets: c.cut_packets,
    }
}
