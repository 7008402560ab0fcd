//! A test generator of capture files (classic pcap, written here byte by
//! byte, independent of facteur's pcapng writer): TCP dialogues on any link
//! type, IPv4 or IPv6, with segments out of order, retransmitted,
//! overlapping, lost, or cut by a snap length.

use std::net::{IpAddr, SocketAddr};

use etherparse::PacketBuilder;

/// The link layer of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Ethernet,
    Sll,
    Sll2,
    Null,
    Raw,
}

impl Link {
    fn linktype(self) -> u32 {
        match self {
            Link::Ethernet => 1,
            Link::Sll => 113,
            Link::Sll2 => 276,
            Link::Null => 0,
            Link::Raw => 101,
        }
    }
}

/// How a line's segments reach the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mess {
    /// In order, one segment.
    Clean,
    /// Split in two, second half first, then the first, then the first
    /// again (a retransmission), then an overlap of both.
    Shuffled,
    /// The segment is never captured.
    Lost,
}

pub struct Conn {
    pub client: SocketAddr,
    pub server: SocketAddr,
    c_seq: u32,
    s_seq: u32,
}

pub struct Gen {
    link: Link,
    pub snaplen: u32,
    pub t_us: i64,
    packets: Vec<(i64, Vec<u8>)>,
}

impl Gen {
    pub fn new(link: Link) -> Gen {
        Gen {
            link,
            snaplen: 262_144,
            t_us: 1_796_000_000_000_000,
            packets: Vec::new(),
        }
    }

    pub fn conn(&self, client: &str, server: &str) -> Conn {
        Conn {
            client: client.parse().unwrap(),
            server: server.parse().unwrap(),
            c_seq: 0xfffff000, // wraps round 2^32 during the dialogue
            s_seq: 0x12345678,
        }
    }

    fn frame(&self, ip: &[u8]) -> Vec<u8> {
        let v6 = ip[0] >> 4 == 6;
        let ethertype: u16 = if v6 { 0x86dd } else { 0x0800 };
        let mut f = Vec::new();
        match self.link {
            Link::Ethernet => {
                f.extend_from_slice(&[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
                f.extend_from_slice(&ethertype.to_be_bytes());
            }
            Link::Sll => {
                f.extend_from_slice(&[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
                f.extend_from_slice(&ethertype.to_be_bytes());
            }
            Link::Sll2 => {
                f.extend_from_slice(&ethertype.to_be_bytes());
                f.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0, 1, 0, 6]);
                f.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0, 0]);
            }
            Link::Null => {
                let family: u32 = if v6 { 30 } else { 2 };
                f.extend_from_slice(&family.to_ne_bytes());
            }
            Link::Raw => {}
        }
        f.extend_from_slice(ip);
        f
    }

    /// One raw segment.
    #[allow(clippy::too_many_arguments)]
    pub fn raw(
        &mut self,
        c: &Conn,
        from_client: bool,
        seq: u32,
        payload: &[u8],
        syn: bool,
        fin: bool,
        ack: bool,
    ) {
        let (src, dst, ackn) = if from_client {
            (c.client, c.server, c.s_seq)
        } else {
            (c.server, c.client, c.c_seq)
        };
        let ipb = match (src.ip(), dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => PacketBuilder::ipv4(s.octets(), d.octets(), 64),
            (IpAddr::V6(s), IpAddr::V6(d)) => PacketBuilder::ipv6(s.octets(), d.octets(), 64),
            _ => panic!("mixed families"),
        };
        let mut b = ipb.tcp(src.port(), dst.port(), seq, 65535);
        if ack {
            b = b.ack(ackn);
        }
        if syn {
            b = b.syn();
        }
        if fin {
            b = b.fin();
        }
        let mut ip = Vec::new();
        b.write(&mut ip, payload).unwrap();
        let frame = self.frame(&ip);
        self.t_us += 150;
        self.packets.push((self.t_us, frame));
    }

    pub fn handshake(&mut self, c: &mut Conn) {
        let (cs, ss) = (c.c_seq, c.s_seq);
        self.raw(c, true, cs, b"", true, false, false);
        self.raw(c, false, ss, b"", true, false, true);
        c.c_seq = cs.wrapping_add(1);
        c.s_seq = ss.wrapping_add(1);
        let seq = c.c_seq;
        self.raw(c, true, seq, b"", false, false, true);
    }

    /// A line (CRLF added) from one side, reaching the capture as `mess` says.
    pub fn line(&mut self, c: &mut Conn, from_client: bool, line: &str, mess: Mess) {
        let data = format!("{line}\r\n").into_bytes();
        let seq = if from_client { c.c_seq } else { c.s_seq };
        let at = |k: usize| seq.wrapping_add(k as u32);
        match mess {
            Mess::Clean => self.raw(c, from_client, seq, &data, false, false, true),
            Mess::Lost => {}
            Mess::Shuffled => {
                let half = data.len() / 2;
                self.raw(c, from_client, at(half), &data[half..], false, false, true);
                self.raw(c, from_client, seq, &data[..half], false, false, true);
                self.raw(c, from_client, seq, &data[..half], false, false, true);
                let from = half.saturating_sub(2);
                self.raw(c, from_client, at(from), &data[from..], false, false, true);
            }
        }
        let next = seq.wrapping_add(data.len() as u32);
        if from_client {
            c.c_seq = next;
        } else {
            c.s_seq = next;
        }
        self.t_us += 10_000;
    }

    /// Octets from one side, as they are (no CRLF added).
    pub fn bytes(&mut self, c: &mut Conn, from_client: bool, data: &[u8]) {
        let seq = if from_client { c.c_seq } else { c.s_seq };
        self.raw(c, from_client, seq, data, false, false, true);
        let next = seq.wrapping_add(data.len() as u32);
        if from_client {
            c.c_seq = next;
        } else {
            c.s_seq = next;
        }
    }

    /// FIN from the client, FIN from the server, last ACK.
    pub fn close(&mut self, c: &mut Conn) {
        let seq = c.c_seq;
        self.raw(c, true, seq, b"", false, true, true);
        c.c_seq = seq.wrapping_add(1);
        let seq = c.s_seq;
        self.raw(c, false, seq, b"", false, true, true);
        c.s_seq = seq.wrapping_add(1);
        let seq = c.c_seq;
        self.raw(c, true, seq, b"", false, false, true);
    }

    /// The classic pcap file (microseconds, little-endian).
    pub fn pcap(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0xa1b2c3d4u32.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&4u16.to_le_bytes());
        out.extend_from_slice(&0i32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&self.snaplen.to_le_bytes());
        out.extend_from_slice(&self.link.linktype().to_le_bytes());
        for (ts, frame) in &self.packets {
            let cap = frame.len().min(self.snaplen as usize);
            out.extend_from_slice(&((ts / 1_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&((ts % 1_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&(cap as u32).to_le_bytes());
            out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            out.extend_from_slice(&frame[..cap]);
        }
        out
    }
}

/// The handout's kind of SMTP dialogue: (from the client, line).
pub const SMTP: &[(bool, &str)] = &[
    (false, "220 smtp.free.fr ESMTP facteur"),
    (true, "EHLO pc-fred.free.fr"),
    (false, "250-smtp.free.fr"),
    (false, "250-AUTH PLAIN LOGIN"),
    (false, "250 STARTTLS"),
    (true, "AUTH PLAIN AGZyZWQAZnJlZHBhc3M="),
    (false, "235 2.7.0 Authentication successful"),
    (true, "MAIL FROM:<fred@free.fr>"),
    (false, "250 2.1.0 Ok"),
    (true, "RCPT TO:<marc@wanadoo.fr>"),
    (false, "250 2.1.5 Ok"),
    (true, "DATA"),
    (false, "354 End data with <CR><LF>.<CR><LF>"),
    (true, "Subject: Salut"),
    (true, ""),
    (true, "Bonjour Marc"),
    (true, "."),
    (false, "250 2.0.0 Ok: queued as 42"),
    (true, "QUIT"),
    (false, "221 2.0.0 Bye"),
];

/// A whole capture of `dialogue` between `client` and `server`, every line
/// reaching the capture as `mess(i)` says.
pub fn capture(
    link: Link,
    client: &str,
    server: &str,
    dialogue: &[(bool, &str)],
    mess: impl Fn(usize) -> Mess,
) -> Vec<u8> {
    let mut g = Gen::new(link);
    let mut c = g.conn(client, server);
    g.handshake(&mut c);
    for (i, (from_client, line)) in dialogue.iter().enumerate() {
        g.line(&mut c, *from_client, line, mess(i));
    }
    g.close(&mut c);
    g.pcap()
}
