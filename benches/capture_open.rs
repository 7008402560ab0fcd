//! Benchmark: opening a 100 MB capture for replay — both passes over the
//! file (list the connections, reassemble the session chosen), the
//! transcript made, every line explained as `facteur replay` does (goal:
//! ≤ 2 s and ≤ 200 MB of peak RSS). Anchor, in the same run: merely reading
//! the file's packets with pcap-parser alone. The capture is written to
//! FACTEUR_BENCH_FILE (default: a temporary file), a packet at a time:
//! 300 small SMTP sessions, one carrying a 6 MB message, and a bulk HTTP
//! download for the rest. FACTEUR_BENCH_MB sets the size (100).
//! Run: `cargo bench --bench capture_open`.

use std::io::Write;
use std::net::Ipv4Addr;
use std::time::Instant;

use etherparse::PacketBuilder;
use facteur::explain::Lang;
use facteur::session::capture::{Options, open};
use facteur::session::replay::Replay;

struct Out {
    w: std::io::BufWriter<std::fs::File>,
    t_us: u64,
    bytes: u64,
}

impl Out {
    fn packet(
        &mut self,
        src: (u8, u16),
        dst: (u8, u16),
        seq: u32,
        ack: u32,
        flags: &str,
        payload: &[u8],
    ) {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, src.0], [2, 0, 0, 0, 0, dst.0])
            .ipv4(
                Ipv4Addr::new(192, 0, 2, src.0).octets(),
                Ipv4Addr::new(192, 0, 2, dst.0).octets(),
                64,
            )
            .tcp(src.1, dst.1, seq, 65535);
        // The opening SYN alone has no ACK (RFC 9293 §3.5).
        let mut b = if flags == "S" { b } else { b.ack(ack) };
        if flags.contains('S') {
            b = b.syn();
        }
        if flags.contains('F') {
            b = b.fin();
        }
        let mut frame = Vec::with_capacity(payload.len() + 54);
        b.write(&mut frame, payload).unwrap();
        self.t_us += 20;
        let mut head = Vec::with_capacity(16);
        head.extend_from_slice(&((self.t_us / 1_000_000) as u32 + 1_796_000_000).to_le_bytes());
        head.extend_from_slice(&((self.t_us % 1_000_000) as u32).to_le_bytes());
        head.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        head.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.w.write_all(&head).unwrap();
        self.w.write_all(&frame).unwrap();
        self.bytes += 16 + frame.len() as u64;
    }
}

/// A TCP session, one segment per line (or per 1448 octets).
struct Session {
    client: (u8, u16),
    server: (u8, u16),
    c: u32,
    s: u32,
}

impl Session {
    fn open(out: &mut Out, client: (u8, u16), server: (u8, u16)) -> Session {
        out.packet(client, server, 999, 0, "S", b"");
        out.packet(server, client, 4999, 1000, "SA", b"");
        out.packet(client, server, 1000, 5000, "A", b"");
        Session {
            client,
            server,
            c: 1000,
            s: 5000,
        }
    }
    fn send(&mut self, out: &mut Out, from_client: bool, data: &[u8]) {
        for part in data.chunks(1448) {
            if from_client {
                out.packet(self.client, self.server, self.c, self.s, "A", part);
                self.c = self.c.wrapping_add(part.len() as u32);
            } else {
                out.packet(self.server, self.client, self.s, self.c, "A", part);
                self.s = self.s.wrapping_add(part.len() as u32);
            }
        }
    }
    fn close(&mut self, out: &mut Out) {
        out.packet(self.client, self.server, self.c, self.s, "FA", b"");
        out.packet(self.server, self.client, self.s, self.c + 1, "FA", b"");
    }
}

fn smtp(out: &mut Out, port: u16, body_octets: usize) {
    let mut s = Session::open(out, (77, port), (25, 25));
    let mut say = |from_client: bool, line: &str, out: &mut Out| {
        s.send(out, from_client, format!("{line}\r\n").as_bytes());
    };
    say(false, "220 smtp.free.fr ESMTP facteur", out);
    say(true, "EHLO pc-fred.free.fr", out);
    say(
        false,
        "250-smtp.free.fr\r\n250-SIZE 10485760\r\n250 AUTH PLAIN",
        out,
    );
    say(true, "AUTH PLAIN AGZyZWQAZnJlZHBhc3M=", out);
    say(false, "235 2.7.0 Authentication successful", out);
    say(true, "MAIL FROM:<fred@free.fr>", out);
    say(false, "250 2.1.0 Ok", out);
    say(true, "RCPT TO:<marc@wanadoo.fr>", out);
    say(false, "250 2.1.5 Ok", out);
    say(true, "DATA", out);
    say(false, "354 End data with <CR><LF>.<CR><LF>", out);
    let mut body = String::from("Subject: TP\r\nFrom: Fred <fred@free.fr>\r\n\r\n");
    while body.len() < body_octets {
        body.push_str("Bonjour Marc, voici encore une ligne du message du TP de BTS SNIR.\r\n");
    }
    body.push_str(".\r\n");
    s.send(out, true, body.as_bytes());
    let mut say = |from_client: bool, line: &str, out: &mut Out| {
        s.send(out, from_client, format!("{line}\r\n").as_bytes());
    };
    say(false, "250 2.0.0 Ok: queued as 42", out);
    say(true, "QUIT", out);
    say(false, "221 2.0.0 Bye", out);
    s.close(out);
}

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let mb: u64 = std::env::var("FACTEUR_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let path = std::env::var_os("FACTEUR_BENCH_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("facteur-bench-capture.pcap"));
    let file = std::fs::File::create(&path).unwrap();
    let mut out = Out {
        w: std::io::BufWriter::new(file),
        t_us: 0,
        bytes: 24,
    };
    let mut head = Vec::new();
    head.extend_from_slice(&0xa1b2c3d4u32.to_le_bytes());
    head.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    head.extend_from_slice(&262_144u32.to_le_bytes());
    head.extend_from_slice(&1u32.to_le_bytes());
    out.w.write_all(&head).unwrap();
    // The bulk download, interleaved with the mail sessions.
    let mut http = Session::open(&mut out, (77, 40_000), (80, 80));
    let chunk = vec![b'x'; 1448 * 64];
    let target = mb * 1_000_000;
    for i in 0..300u16 {
        smtp(
            &mut out,
            41_000 + i,
            if i == 150 { 6_000_000 } else { 1000 },
        );
        while out.bytes < target * u64::from(i + 1) / 300 {
            http.send(&mut out, false, &chunk);
        }
    }
    http.close(&mut out);
    out.w.flush().unwrap();
    drop(out);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    // Anchor: the packets read with pcap-parser alone.
    let t = Instant::now();
    let mut reader =
        pcap_parser::create_reader(1 << 18, std::fs::File::open(&path).unwrap()).unwrap();
    let mut packets = 0u64;
    loop {
        match reader.next() {
            Ok((offset, _)) => {
                packets += 1;
                reader.consume(offset);
            }
            Err(pcap_parser::PcapError::Eof) => break,
            Err(pcap_parser::PcapError::Incomplete(_)) => reader.refill().unwrap(),
            Err(e) => panic!("{e:?}"),
        }
    }
    let anchor = t.elapsed().as_secs_f64();

    let before = rss_kb("VmHWM:");
    let t = Instant::now();
    // The big session: the 151st (the HTTP download is no mail session).
    let opened = open(
        &path,
        &Options {
            stream: Some(151),
            ..Options::default()
        },
    )
    .unwrap();
    let read = t.elapsed().as_secs_f64();
    let lines = opened.converted.transcript.events.len();
    let replay = Replay::load(Lang::Fr, "bench", opened.converted.transcript);
    let total = t.elapsed().as_secs_f64();
    let peak = rss_kb("VmHWM:");
    println!(
        "open a {:.0} MB capture ({packets} packets, {} mail sessions) on its largest session ({lines} lines) for replay: {total:.3} s (read and reassemble {read:.3} s, explain {:.3} s; goal ≤ 2 s), peak RSS {} MB (before {} MB; goal ≤ 200 MB); anchor: pcap-parser alone reads the packets in {anchor:.3} s; file {}",
        size as f64 / 1e6,
        opened.streams.len(),
        total - read,
        peak / 1024,
        before / 1024,
        path.display()
    );
    drop(replay);
}
