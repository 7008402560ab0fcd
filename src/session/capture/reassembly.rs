//! TCP reassembly of one direction of a connection, as the receiving end
//! does it (RFC 9293 §3.10.7.4): octets in sequence order whatever order the
//! segments came in; a retransmission or an overlap adds nothing (what came
//! first is kept); what the capture never saw becomes a gap of so many
//! octets, never invented data. Memory is bounded: what waits out of order,
//! and what is kept in all.

use std::collections::BTreeMap;

/// Reassembled octets, in order, or a hole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    Data {
        /// Offset in the stream of the first octet (0 is the octet after the SYN).
        off: u64,
        bytes: Vec<u8>,
        /// When these octets could be read in order (µs since 1970).
        ts_us: i64,
        /// The acknowledgment number of the segment that carried them
        /// (what this side had received of the other), if ACK was set.
        ack: Option<u32>,
    },
    Gap {
        off: u64,
        len: u64,
        ts_us: i64,
    },
}

impl Chunk {
    pub fn ts_us(&self) -> i64 {
        match self {
            Chunk::Data { ts_us, .. } | Chunk::Gap { ts_us, .. } => *ts_us,
        }
    }
}

/// A segment waiting for the octets before it.
#[derive(Debug, Clone)]
struct Piece {
    data: Vec<u8>,
    /// Octets after `data` that the snap length cut: known lost.
    hole: u64,
    ts_us: i64,
    ack: Option<u32>,
}

/// What may wait out of order before the missing octets are declared lost.
const MAX_PENDING: usize = 8 << 20;

/// One direction of a TCP connection being put back in order.
#[derive(Debug, Clone)]
pub struct Reassembler {
    /// The sequence number of offset 0: ISN + 1, the SYN occupying one
    /// sequence number (RFC 9293 §3.4); or the first segment seen when the
    /// capture began after the handshake.
    base: Option<u32>,
    /// The offset of the next octet expected in order.
    next: u64,
    pending: BTreeMap<u64, Piece>,
    pending_bytes: usize,
    pub chunks: Vec<Chunk>,
    /// Octets kept in `chunks`, and the most that will be.
    kept: u64,
    limit: u64,
    /// Octets past `limit`: counted, not kept.
    pub dropped: u64,
    /// Octets received twice (retransmissions, overlaps).
    pub repeated: u64,
    /// The offset of the FIN (the end of the stream), once seen.
    fin: Option<u64>,
}

impl Reassembler {
    /// A direction that keeps at most `limit` octets.
    pub fn new(limit: u64) -> Reassembler {
        Reassembler {
            base: None,
            next: 0,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            chunks: Vec::new(),
            kept: 0,
            limit,
            dropped: 0,
            repeated: 0,
            fin: None,
        }
    }

    /// The SYN of this direction: its sequence number is the ISN.
    pub fn syn(&mut self, isn: u32) {
        if self.base.is_none() {
            self.base = Some(isn.wrapping_add(1));
        }
    }

    /// The stream offset of a sequence number, unwrapped around the one
    /// expected next (sequence numbers are modulo 2^32, RFC 9293 §3.4).
    pub fn offset(&self, seq: u32) -> Option<i64> {
        let base = self.base?;
        let expected = base.wrapping_add(self.next as u32);
        Some(self.next as i64 + i64::from(seq.wrapping_sub(expected) as i32))
    }

    /// Octets of the stream received in order so far.
    pub fn received(&self) -> u64 {
        self.next
    }

    /// A segment of this direction: `payload` at `seq`, then `cut` octets
    /// the capture did not keep.
    pub fn segment(
        &mut self,
        seq: u32,
        payload: &[u8],
        cut: u64,
        fin: bool,
        ts_us: i64,
        ack: Option<u32>,
    ) {
        if self.base.is_none() {
            self.base = Some(seq);
        }
        let Some(off) = self.offset(seq) else {
            return;
        };
        let total = payload.len() as u64 + cut;
        if fin && self.fin.is_none() {
            self.fin = Some(off.max(0) as u64 + total);
        }
        if total == 0 {
            return;
        }
        let end = off + total as i64;
        if end <= self.next as i64 {
            self.repeated += payload.len() as u64;
            return;
        }
        // The part already received is dropped: the first copy stands.
        let skip = (self.next as i64 - off).max(0) as u64;
        let off = off + skip as i64;
        let (data, hole) = if skip <= payload.len() as u64 {
            (&payload[skip as usize..], cut)
        } else {
            (&payload[..0], cut - (skip - payload.len() as u64))
        };
        self.repeated += skip.min(payload.len() as u64);
        let off = off as u64;
        let piece = Piece {
            data: data.to_vec(),
            hole,
            ts_us,
            ack,
        };
        let longer = self
            .pending
            .get(&off)
            .is_none_or(|p| p.data.len() as u64 + p.hole < total - skip);
        if longer {
            self.pending_bytes += piece.data.len();
            if let Some(old) = self.pending.insert(off, piece) {
                self.pending_bytes -= old.data.len();
                self.repeated += old.data.len() as u64;
            }
        } else {
            self.repeated += data.len() as u64;
        }
        self.drain(Some(ts_us));
        // Too much waiting: the octets before it are not coming.
        while self.pending_bytes > MAX_PENDING {
            let Some(first) = self.pending.keys().next().copied() else {
                break;
            };
            self.gap(first - self.next, ts_us);
            self.drain(None);
        }
    }

    /// The capture is over: what never came is a gap.
    pub fn finish(&mut self, ts_us: i64) {
        while let Some((&first, piece)) = self.pending.iter().next() {
            let at = piece.ts_us;
            if first > self.next {
                self.gap(first - self.next, at);
            }
            self.drain(None);
        }
        if let Some(fin) = self.fin
            && fin > self.next
        {
            self.gap(fin - self.next, ts_us);
        }
    }

    fn gap(&mut self, len: u64, ts_us: i64) {
        if len == 0 {
            return;
        }
        self.chunks.push(Chunk::Gap {
            off: self.next,
            len,
            ts_us,
        });
        self.next += len;
    }

    /// Deliver the pieces that now follow in order; `now` is when the
    /// segment that made them readable came (None: each at its own time).
    fn drain(&mut self, now: Option<i64>) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > self.next {
                break;
            }
            let (off, piece) = entry.remove_entry();
            self.pending_bytes -= piece.data.len();
            let end = off + piece.data.len() as u64 + piece.hole;
            if end <= self.next {
                self.repeated += piece.data.len() as u64;
                continue;
            }
            let skip = (self.next - off) as usize;
            let ts_us = now.map_or(piece.ts_us, |n| n.max(piece.ts_us));
            if skip < piece.data.len() {
                self.repeated += skip as u64;
                self.deliver(&piece.data[skip..], ts_us, piece.ack);
            }
            if end > self.next {
                self.gap(end - self.next, ts_us);
            }
        }
    }

    fn deliver(&mut self, bytes: &[u8], ts_us: i64, ack: Option<u32>) {
        let room = self.limit.saturating_sub(self.kept) as usize;
        let keep = &bytes[..bytes.len().min(room)];
        if !keep.is_empty() {
            self.chunks.push(Chunk::Data {
                off: self.next,
                bytes: keep.to_vec(),
                ts_us,
                ack,
            });
            self.kept += keep.len() as u64;
        }
        self.dropped += (bytes.len() - keep.len()) as u64;
        self.next += bytes.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: &Reassembler) -> String {
        r.chunks
            .iter()
            .map(|c| match c {
                Chunk::Data { bytes, .. } => String::from_utf8_lossy(bytes).to_string(),
                Chunk::Gap { len, .. } => format!("[{len}]"),
            })
            .collect()
    }

    #[test]
    fn out_of_order_retransmitted_and_overlapping_segments() {
        let mut r = Reassembler::new(1 << 20);
        r.syn(u32::MAX - 3); // the sequence numbers wrap round 2^32
        r.segment(
            (u32::MAX - 2).wrapping_add(6),
            b"world\n",
            0,
            false,
            3,
            None,
        );
        r.segment(u32::MAX - 2, b"hello ", 0, false, 2, None);
        r.segment(u32::MAX - 2, b"hello ", 0, false, 4, None);
        // An overlap whose old part differs: the first copy stands.
        r.segment(
            (u32::MAX - 2).wrapping_add(9),
            b"XXX again\n",
            0,
            true,
            5,
            None,
        );
        r.finish(6);
        assert_eq!(text(&r), "hello world\n again\n");
        assert_eq!(r.repeated, 6 + 3);
    }

    #[test]
    fn what_never_came_is_a_gap_not_data() {
        let mut r = Reassembler::new(1 << 20);
        r.syn(1000);
        r.segment(1001, b"abc", 0, false, 1, None);
        r.segment(1010, b"xyz", 0, true, 2, None);
        r.finish(3);
        assert_eq!(text(&r), "abc[6]xyz");
        // Missing at the end, before the FIN.
        let mut r = Reassembler::new(1 << 20);
        r.syn(0);
        r.segment(1, b"ab", 0, false, 1, None);
        r.segment(10, b"", 0, true, 2, None);
        r.finish(3);
        assert_eq!(text(&r), "ab[7]");
    }

    #[test]
    fn the_snap_length_cut_is_a_known_hole() {
        let mut r = Reassembler::new(1 << 20);
        r.syn(0);
        r.segment(1, b"ab", 4, false, 1, None);
        r.segment(7, b"cd", 0, false, 2, None);
        assert_eq!(text(&r), "ab[4]cd", "no wait for what will never come");
    }

    #[test]
    fn memory_is_bounded() {
        let mut r = Reassembler::new(5);
        r.syn(0);
        r.segment(1, b"abcdefgh", 0, false, 1, None);
        assert_eq!(text(&r), "abcde");
        assert_eq!((r.dropped, r.received()), (3, 8));
    }
}
