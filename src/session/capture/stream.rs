//! The second pass over a capture, for the one session chosen: its
//! segments put back in order in each direction, and the TCP events around
//! it — the three-way handshake, FIN and RST — with their times.

use std::net::SocketAddr;

use super::flows::StreamInfo;
use super::packets::Segment;
use super::reassembly::Reassembler;

/// What one side kept at most (the rest is counted, and said).
pub const MAX_STREAM: u64 = 32 << 20;

/// A FIN or RST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    pub by_client: bool,
    pub rst: bool,
    pub ts_us: i64,
}

/// One session's two directions and its TCP events.
#[derive(Debug, Clone)]
pub struct Collected {
    pub client: SocketAddr,
    pub server: SocketAddr,
    first_packet: u64,
    last_packet: u64,
    /// Client to server, and back.
    pub up: Reassembler,
    pub down: Reassembler,
    pub syn_us: Option<i64>,
    pub syn_ack_us: Option<i64>,
    pub ack_us: Option<i64>,
    /// The first FIN and the first RST of each side, in order.
    pub ends: Vec<End>,
    /// The first and last packets' times.
    pub first_us: Option<i64>,
    pub last_us: i64,
    /// Packets the snap length cut.
    pub cut_packets: u64,
}

impl Collected {
    pub fn new(info: &StreamInfo) -> Collected {
        Collected {
            client: info.client,
            server: info.server,
            first_packet: info.first_packet,
            last_packet: info.last_packet,
            up: Reassembler::new(MAX_STREAM),
            down: Reassembler::new(MAX_STREAM),
            syn_us: None,
            syn_ack_us: None,
            ack_us: None,
            ends: Vec::new(),
            first_us: None,
            last_us: info.start_us,
            cut_packets: 0,
        }
    }

    /// A segment of the capture: taken if it belongs to this session.
    pub fn add(&mut self, s: &Segment) {
        if s.index < self.first_packet || s.index > self.last_packet {
            return;
        }
        let by_client = if s.src == self.client && s.dst == self.server {
            true
        } else if s.src == self.server && s.dst == self.client {
            false
        } else {
            return;
        };
        self.first_us.get_or_insert(s.ts_us);
        self.last_us = s.ts_us;
        if s.cut > 0 {
            self.cut_packets += 1;
        }
        // RFC 9293 §3.5: SYN (client), SYN-ACK (server), then the client's ACK.
        match (s.syn, s.has_ack, by_client) {
            (true, false, true) => {
                self.syn_us.get_or_insert(s.ts_us);
                self.up.syn(s.seq);
            }
            (true, true, false) => {
                self.syn_ack_us.get_or_insert(s.ts_us);
                self.down.syn(s.seq);
            }
            (false, true, true) if self.syn_ack_us.is_some() && self.ack_us.is_none() => {
                self.ack_us = Some(s.ts_us);
            }
            _ => {}
        }
        for (flag, rst) in [(s.fin, false), (s.rst, true)] {
            let seen = self
                .ends
                .iter()
                .any(|e| e.by_client == by_client && e.rst == rst);
            if flag && !seen {
                self.ends.push(End {
                    by_client,
                    rst,
                    ts_us: s.ts_us,
                });
            }
        }
        if s.syn {
            return;
        }
        let ack = s.has_ack.then_some(s.ack);
        let dir = if by_client {
            &mut self.up
        } else {
            &mut self.down
        };
        // A RST carries no data to deliver (RFC 9293 §3.10.7.4, "If the RST bit is set").
        if s.rst {
            return;
        }
        dir.segment(s.seq, s.payload, s.cut, s.fin, s.ts_us, ack);
    }

    /// The capture is over.
    pub fn finish(&mut self) {
        self.up.finish(self.last_us);
        self.down.finish(self.last_us);
    }
}
