//! The first pass over a capture: every TCP connection in a small record
//! (who opened it, when, how much, its first octets), so that the mail
//! sessions can be found — by port, or by a greeting (`220 `, `+OK`) on
//! any port — and listed, without keeping any payload.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::packets::Segment;
use crate::proto::Proto;

/// The ports of mail sessions: SMTP (25, submission 587, implicit TLS 465,
/// the lab's 2525) and POP3 (110, implicit TLS 995, the lab's 1110).
pub const MAIL_PORTS: [u16; 7] = [25, 465, 587, 2525, 110, 995, 1110];

/// Connections followed at most; past that they are counted only.
const MAX_FLOWS: usize = 200_000;

/// A mail session found in the capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    /// Its number in the list, from 1.
    pub number: usize,
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// From the greeting, else from the port.
    pub proto: Option<Proto>,
    /// TLS from the first octet: unreadable.
    pub implicit_tls: bool,
    /// The packets (numbered from 1) where it starts and ends.
    pub first_packet: u64,
    pub last_packet: u64,
    pub start_us: i64,
    pub end_us: i64,
    pub packets: u64,
    /// Payload octets, both directions.
    pub bytes: u64,
}

/// The first octets of one side's payload.
#[derive(Debug, Clone, Default)]
struct Head {
    bytes: [u8; 4],
    len: usize,
}

impl Head {
    fn take(&mut self, payload: &[u8]) {
        if self.len == 0 && !payload.is_empty() {
            let n = payload.len().min(4);
            self.bytes[..n].copy_from_slice(&payload[..n]);
            self.len = n;
        }
    }

    fn get(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// A server's greeting: SMTP's 220 (RFC 5321 §4.2), POP3's +OK (RFC 1939 §4).
    fn greeting(&self) -> Option<Proto> {
        let h = self.get();
        if h.starts_with(b"220") {
            Some(Proto::Smtp)
        } else if h.starts_with(b"+OK") {
            Some(Proto::Pop3)
        } else {
            None
        }
    }

    /// A TLS handshake record (RFC 8446 §5.1: type 22, version 3.x).
    fn tls(&self) -> bool {
        matches!(self.get(), [0x16, 0x03, ..])
    }
}

/// One TCP connection, sides `a` and `b` as first seen.
#[derive(Debug, Clone)]
struct Flow {
    a: SocketAddr,
    b: SocketAddr,
    /// `a` sent the SYN (Some(true)), or `b` did.
    a_opened: Option<bool>,
    /// The SYN's sequence number (a new SYN with another one is a new connection).
    isn: Option<u32>,
    first: u64,
    last: u64,
    start_us: i64,
    end_us: i64,
    packets: u64,
    bytes: u64,
    head_a: Head,
    head_b: Head,
    closed: bool,
}

/// Every connection of the capture, as its packets come.
#[derive(Debug, Default)]
pub struct Index {
    flows: Vec<Flow>,
    by_pair: HashMap<(SocketAddr, SocketAddr), usize>,
    /// Connections not followed (past the bound).
    pub untracked: u64,
}

fn pair(x: SocketAddr, y: SocketAddr) -> (SocketAddr, SocketAddr) {
    if x <= y { (x, y) } else { (y, x) }
}

impl Index {
    pub fn add(&mut self, s: &Segment) {
        let key = pair(s.src, s.dst);
        let opening = s.syn && !s.has_ack;
        let known = self.by_pair.get(&key).copied();
        let reuse = known.and_then(|i| self.flows.get(i)).is_some_and(|f| {
            // RFC 9293 §3.4: a new incarnation of the same pair starts with
            // a SYN of its own (a retransmitted SYN has the same number).
            opening && f.isn != Some(s.seq) && (f.closed || f.bytes > 0 || f.isn.is_some())
        });
        let i = match known {
            Some(i) if !reuse => i,
            _ => {
                if self.flows.len() >= MAX_FLOWS {
                    self.untracked += 1;
                    return;
                }
                self.flows.push(Flow {
                    a: s.src,
                    b: s.dst,
                    a_opened: None,
                    isn: None,
                    first: s.index,
                    last: s.index,
                    start_us: s.ts_us,
                    end_us: s.ts_us,
                    packets: 0,
                    bytes: 0,
                    head_a: Head::default(),
                    head_b: Head::default(),
                    closed: false,
                });
                let i = self.flows.len() - 1;
                self.by_pair.insert(key, i);
                i
            }
        };
        let Some(f) = self.flows.get_mut(i) else {
            return;
        };
        let from_a = s.src == f.a;
        if s.syn {
            // The SYN's sender opened it; the SYN-ACK's receiver did.
            f.a_opened.get_or_insert(from_a == opening);
            if opening {
                f.isn.get_or_insert(s.seq);
            }
        }
        f.last = s.index;
        f.end_us = s.ts_us;
        f.packets += 1;
        f.bytes += s.payload.len() as u64;
        f.closed |= s.fin || s.rst;
        if from_a {
            f.head_a.take(s.payload);
        } else {
            f.head_b.take(s.payload);
        }
    }

    /// The mail sessions, in the order they started: the server on one of
    /// `ports`, or greeting as a mail server does.
    pub fn streams(&self, ports: &[u16]) -> Vec<StreamInfo> {
        let mut out = Vec::new();
        for f in &self.flows {
            if f.bytes == 0 {
                continue;
            }
            let a_server = match f.a_opened {
                Some(a_opened) => !a_opened,
                None => match (ports.contains(&f.a.port()), ports.contains(&f.b.port())) {
                    (true, false) => true,
                    (false, true) => false,
                    _ if f.head_a.greeting().is_some() => true,
                    _ if f.head_b.greeting().is_some() => false,
                    _ => f.a.port() < f.b.port(),
                },
            };
            let (client, server, ch, sh) = if a_server {
                (f.b, f.a, &f.head_b, &f.head_a)
            } else {
                (f.a, f.b, &f.head_a, &f.head_b)
            };
            let greeting = sh.greeting();
            if greeting.is_none() && !ports.contains(&server.port()) {
                continue;
            }
            let implicit_tls = greeting.is_none() && (ch.tls() || sh.tls());
            out.push(StreamInfo {
                number: out.len() + 1,
                client,
                server,
                proto: greeting.or(match server.port() {
                    25 | 465 | 587 | 2525 => Some(Proto::Smtp),
                    110 | 995 | 1110 => Some(Proto::Pop3),
                    _ => None,
                }),
                implicit_tls,
                first_packet: f.first,
                last_packet: f.last,
                start_us: f.start_us,
                end_us: f.end_us,
                packets: f.packets,
                bytes: f.bytes,
            });
        }
        out
    }

    /// How many connections were seen.
    pub fn connections(&self) -> u64 {
        self.flows.len() as u64 + self.untracked
    }
}
