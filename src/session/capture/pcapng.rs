//! A transcript written as a pcapng capture that Wireshark dissects as real
//! SMTP, POP3 and IMF: a synthetic but exact TCP connection per session
//! (three-way handshake, one segment per line or per MSS, true sequence and
//! acknowledgment numbers and checksums, FIN at the end), raw IP packets
//! between the addresses of the simulated world (RFC 5737) or the real
//! ones, and on each packet a comment with facteur's one-line explanation.
//! What was inside TLS is written in clear, as facteur saw it, in a
//! connection of its own that says so: no encryption is faked.
//!
//! The file format is draft-ietf-opsawg-pcapng: a Section Header Block,
//! one Interface Description Block (LINKTYPE_RAW, microseconds), then an
//! Enhanced Packet Block per packet with its `opt_comment`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use etherparse::PacketBuilder;

use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::session::explained::{Entry, explain_transcript};
use crate::session::transcript::{Dir, Transcript};

/// The largest TCP payload of one segment (Ethernet's 1500 octets less
/// the IPv4 and TCP headers, RFC 9293 §3.7.1).
pub const MSS: usize = 1460;

/// LINKTYPE_RAW: each packet starts with its IPv4 or IPv6 header.
const LINKTYPE_RAW: u16 = 101;

/// Where a transcript's connections go when it does not say.
#[derive(Debug, Clone, Copy)]
pub struct Addresses {
    /// The client's address (Fred's machine in the simulated world).
    pub client: IpAddr,
    /// For a host name the transcript does not resolve: a documentation
    /// address (RFC 5737).
    pub fallback_server: IpAddr,
}

impl Default for Addresses {
    fn default() -> Self {
        Addresses {
            client: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 77)),
            fallback_server: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 25)),
        }
    }
}

/// One packet: when, its octets, its comment.
struct Packet {
    ts_us: i64,
    data: Vec<u8>,
    comment: String,
}

/// One TCP connection being written.
struct Conn {
    client: SocketAddr,
    server: SocketAddr,
    /// The next sequence number of each side.
    c_seq: u32,
    s_seq: u32,
}

/// The packets of a whole capture.
struct Writer {
    packets: Vec<Packet>,
    last_us: i64,
}

impl Writer {
    fn push(&mut self, ts_us: i64, data: Vec<u8>, comment: String) {
        // Packets in time order, at least a microsecond apart.
        let ts_us = ts_us.max(self.last_us + 1);
        self.last_us = ts_us;
        self.packets.push(Packet {
            ts_us,
            data,
            comment,
        });
    }

    /// A segment of `conn` from the client (or the server), with flags.
    fn segment(&mut self, conn: &mut Conn, from_client: bool, seg: Seg<'_>, ts_us: i64) {
        let (src, dst, seq, ack) = if from_client {
            (conn.client, conn.server, conn.c_seq, conn.s_seq)
        } else {
            (conn.server, conn.client, conn.s_seq, conn.c_seq)
        };
        let ip = match (src.ip(), dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => PacketBuilder::ipv4(s.octets(), d.octets(), 64),
            (s, d) => PacketBuilder::ipv6(v6(s).octets(), v6(d).octets(), 64),
        };
        let mut b = ip.tcp(src.port(), dst.port(), seq, 65535);
        // Every segment but the first SYN acknowledges what it received.
        if !(seg.syn && from_client) {
            b = b.ack(ack);
        }
        if seg.syn {
            b = b.syn();
        }
        if seg.fin {
            b = b.fin();
        }
        if !seg.payload.is_empty() {
            b = b.psh();
        }
        let mut data = Vec::with_capacity(b.size(seg.payload.len()));
        if b.write(&mut data, seg.payload).is_err() {
            return;
        }
        // SYN and FIN each take one sequence number (RFC 9293 §3.4).
        let used = seg.payload.len() as u32 + u32::from(seg.syn) + u32::from(seg.fin);
        if from_client {
            conn.c_seq = conn.c_seq.wrapping_add(used);
        } else {
            conn.s_seq = conn.s_seq.wrapping_add(used);
        }
        self.push(ts_us, data, seg.comment);
    }

    /// SYN, SYN-ACK, ACK (RFC 9293 §3.5).
    fn open(&mut self, lang: Lang, conn: &mut Conn, ts_us: i64, why: String) {
        let note = text(lang, "capture.pcap.handshake");
        let first = if why.is_empty() {
            note.clone()
        } else {
            format!("{why} — {note}")
        };
        self.segment(conn, true, Seg::flags(true, false, first), ts_us - 300);
        self.segment(
            conn,
            false,
            Seg::flags(true, false, note.clone()),
            ts_us - 200,
        );
        self.segment(conn, true, Seg::flags(false, false, note), ts_us - 100);
    }

    /// FIN from the client, FIN from the server, the last ACK (RFC 9293 §3.6).
    fn close(&mut self, lang: Lang, conn: &mut Conn, ts_us: i64) {
        let note = text(lang, "capture.pcap.close");
        self.segment(
            conn,
            true,
            Seg::flags(false, true, note.clone()),
            ts_us + 100,
        );
        self.segment(
            conn,
            false,
            Seg::flags(false, true, note.clone()),
            ts_us + 200,
        );
        self.segment(conn, true, Seg::flags(false, false, note), ts_us + 300);
    }
}

/// What one segment carries.
struct Seg<'a> {
    syn: bool,
    fin: bool,
    payload: &'a [u8],
    comment: String,
}

impl Seg<'_> {
    fn flags(syn: bool, fin: bool, comment: String) -> Seg<'static> {
        Seg {
            syn,
            fin,
            payload: b"",
            comment,
        }
    }
}

fn v6(a: IpAddr) -> Ipv6Addr {
    match a {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

/// facteur's explanation of an entry on one line: its first note.
fn one_line(lang: Lang, e: &Entry) -> String {
    let Some(n) = e.notes.first() else {
        return match e.dir {
            Dir::Server if e.raw.get(3) == Some(&b'-') => text(lang, "capture.pcap.continued"),
            _ => String::new(),
        };
    };
    let first = n.body.lines().next().unwrap_or_default();
    let first = first.split(". ").next().unwrap_or_default();
    let mut s = format!("{} — {}", n.title, first.trim_end_matches('.'));
    if s.chars().count() > 300 {
        s = s.chars().take(299).collect::<String>() + "…";
    }
    if let Some(r) = &n.rfc {
        s.push_str(&format!(" [{r}]"));
    }
    s
}

/// The connection of a session to `host:port`: the capture's own
/// addresses when it came from one, else the addresses given.
fn conn_for(
    host: &str,
    port: u16,
    first: Option<&crate::session::transcript::Event>,
    resolve: &dyn Fn(&str) -> Option<IpAddr>,
    addrs: Addresses,
    k: u32,
) -> Conn {
    let real = first.and_then(|e| e.tcp.as_ref()).and_then(|t| {
        Some((
            t.client.parse::<SocketAddr>().ok()?,
            t.server.parse::<SocketAddr>().ok()?,
        ))
    });
    let (client, server) = real.unwrap_or_else(|| {
        let server = host
            .parse::<IpAddr>()
            .ok()
            .or_else(|| resolve(host))
            .unwrap_or(addrs.fallback_server);
        let client = match server {
            IpAddr::V4(s) if s.is_loopback() => server,
            IpAddr::V6(s) if s.is_loopback() => server,
            IpAddr::V6(_) if addrs.client.is_ipv4() => {
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x77))
            }
            _ => addrs.client,
        };
        (
            SocketAddr::new(client, 50_000u16.wrapping_add(k as u16 * 7)),
            SocketAddr::new(server, port),
        )
    });
    // Initial sequence numbers as a real stack would pick: anything (RFC 9293 §3.4.1).
    Conn {
        client,
        server,
        c_seq: 0x1000_0000u32.wrapping_mul(k + 1).wrapping_add(0x2345),
        s_seq: 0x9000_0000u32.wrapping_add(k.wrapping_mul(0x0101_0101)),
    }
}

/// The capture of a transcript, as the octets of a pcapng file, and its
/// number of packets; `resolve` gives the address of a host name (the
/// simulated world's).
pub fn write(
    lang: Lang,
    t: &Transcript,
    resolve: &dyn Fn(&str) -> Option<IpAddr>,
    addrs: Addresses,
) -> (Vec<u8>, usize) {
    let entries = explain_transcript(lang, t);
    let base = t.started.saturating_mul(1_000_000);
    let at = |e: &Entry| base.saturating_add((e.at_ms as i64).saturating_mul(1000));
    let mut w = Writer {
        packets: Vec::new(),
        last_us: i64::MIN / 2,
    };
    let mut k = 0;
    let mut conn = conn_for(&t.host, t.port, t.events.first(), resolve, addrs, k);
    let first_ts = entries.first().map_or(base, at);
    w.open(lang, &mut conn, first_ts, String::new());
    // The connection that carries, in clear, what was inside TLS.
    let mut twin: Option<Conn> = None;
    let mut pending = String::new();
    for (i, e) in entries.iter().enumerate() {
        let ts = at(e);
        match (e.dir, &e.open) {
            (Dir::Open, Some(to)) => {
                w.close(lang, &mut conn, ts - 1000);
                if let Some(mut c) = twin.take() {
                    w.close(lang, &mut c, ts - 1000);
                }
                k += 1;
                conn = conn_for(&to.host, to.port, t.events.get(i + 1), resolve, addrs, k);
                w.open(lang, &mut conn, ts, one_line(lang, e));
                continue;
            }
            (Dir::Client | Dir::Server, _) => {}
            _ => {
                // A handshake or the encrypted rest: said on the next packet.
                pending = one_line(lang, e);
                continue;
            }
        }
        let from_client = e.dir == Dir::Client;
        let mut comment = one_line(lang, e);
        if !pending.is_empty() {
            comment = format!("{} | {comment}", std::mem::take(&mut pending));
        }
        let target = if e.encrypted {
            if twin.is_none() {
                k += 1;
                let mut c = conn_for(&t.host, conn.server.port(), None, resolve, addrs, k);
                c.client = SocketAddr::new(conn.client.ip(), conn.client.port().wrapping_add(1));
                c.server = conn.server;
                w.open(lang, &mut c, ts, text(lang, "capture.pcap.tls_stream"));
                twin = Some(c);
            }
            twin.as_mut().unwrap_or(&mut conn)
        } else {
            &mut conn
        };
        if let Some(octets) = e.gap.or(e.long) {
            // What a capture missed stays missing: the sequence numbers jump.
            let n = octets as u32;
            if from_client {
                target.c_seq = target.c_seq.wrapping_add(n);
            } else {
                target.s_seq = target.s_seq.wrapping_add(n);
            }
            pending = comment;
            continue;
        }
        let mut line = e.raw.clone();
        line.extend_from_slice(b"\r\n");
        for (j, part) in line.chunks(MSS).enumerate() {
            let seg = Seg {
                syn: false,
                fin: false,
                payload: part,
                comment: if j == 0 {
                    comment.clone()
                } else {
                    String::new()
                },
            };
            w.segment(target, from_client, seg, ts);
        }
    }
    let end = w.last_us;
    if let Some(mut c) = twin.take() {
        w.close(lang, &mut c, end);
    }
    w.close(lang, &mut conn, end);
    let mut out = section_header(&fill(lang, "capture.pcap.synthetic", &[&t.host]));
    out.extend(interface());
    for p in &w.packets {
        out.extend(enhanced_packet(p));
    }
    (out, w.packets.len())
}

/// A block: type, total length, body, total length again (§3.1), with
/// the body padded to 32 bits.
fn block(kind: u32, body: &[u8]) -> Vec<u8> {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    let mut out = Vec::with_capacity(total as usize);
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.resize(8 + padded, 0);
    out.extend_from_slice(&total.to_le_bytes());
    out
}

/// An option: code, length, value padded to 32 bits (§3.5).
fn option(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    let len = value.len().min(u16::MAX as usize - 3);
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&value[..len]);
    out.resize(out.len().div_ceil(4) * 4, 0);
}

/// The Section Header Block (§4.1): little-endian, version 1.0, length
/// unknown; the writing application and a comment.
fn section_header(comment: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes());
    option(&mut body, 1, comment.as_bytes());
    let app = format!("facteur {}", env!("CARGO_PKG_VERSION"));
    option(&mut body, 4, app.as_bytes()); // shb_userappl
    option(&mut body, 0, b""); // opt_endofopt
    block(0x0A0D_0D0A, &body)
}

/// The Interface Description Block (§4.2): raw IP, no snap length, if_tsresol 6 (µs).
fn interface() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&0u32.to_le_bytes());
    option(&mut body, 9, &[6]);
    option(&mut body, 0, b"");
    block(1, &body)
}

/// An Enhanced Packet Block (§4.3) with its comment (opt_comment, §3.5).
fn enhanced_packet(p: &Packet) -> Vec<u8> {
    let ts = p.ts_us.max(0) as u64;
    let mut body = Vec::with_capacity(p.data.len() + p.comment.len() + 40);
    body.extend_from_slice(&0u32.to_le_bytes());
    body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(ts as u32).to_le_bytes());
    body.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
    body.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
    body.extend_from_slice(&p.data);
    body.resize(body.len().div_ceil(4) * 4, 0);
    if !p.comment.is_empty() {
        option(&mut body, 1, p.comment.as_bytes());
    }
    option(&mut body, 0, b"");
    block(6, &body)
}
