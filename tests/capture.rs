//! Captures read back into sessions: fixtures made by a generator
//! (tests/common/pcapgen.rs) with segments out of order, retransmitted,
//! overlapping, lost, cut by the snap length; every link type; IPv6;
//! STARTTLS and implicit TLS; bad files, each with its clear message and
//! a non-zero exit; and the pcapng writer read back by facteur itself.

mod common;

use common::pcapgen::{Gen, Link, Mess, SMTP, capture};
use facteur::session::capture::{CaptureError, Options, open_with};
use facteur::session::transcript::{Dir, Transcript};
use std::process::{Command, Output};

fn open(bytes: &[u8], opts: &Options) -> Result<facteur::session::capture::Opened, CaptureError> {
    let b = bytes.to_vec();
    open_with(|| Ok(std::io::Cursor::new(b.clone())), opts)
}

/// The (client?, line) pairs of a transcript, holes and TLS left out.
fn lines(t: &Transcript) -> Vec<(bool, String)> {
    t.events
        .iter()
        .filter(|e| e.gap.is_none() && matches!(e.dir, Dir::Client | Dir::Server))
        .map(|e| (e.dir == Dir::Client, e.line.clone().unwrap_or_default()))
        .collect()
}

fn expected(d: &[(bool, &str)]) -> Vec<(bool, String)> {
    d.iter().map(|(c, l)| (*c, l.to_string())).collect()
}

fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("facteur-capture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn facteur(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LANG")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn out_of_order_retransmitted_and_overlapping_segments_give_the_dialogue_exactly() {
    // Every other line shuffled, retransmitted and overlapped; sequence
    // numbers wrap round 2^32 on the way.
    let pcap = capture(
        Link::Ethernet,
        "192.0.2.77:51234",
        "192.0.2.25:25",
        SMTP,
        |i| {
            if i % 2 == 1 {
                Mess::Shuffled
            } else {
                Mess::Clean
            }
        },
    );
    let o = open(&pcap, &Options::default()).unwrap();
    let t = &o.converted.transcript;
    assert_eq!(lines(t), expected(SMTP));
    assert_eq!(o.converted.missing, 0);
    assert_eq!(
        (t.host.as_str(), t.port, t.protocol.as_str()),
        ("192.0.2.25", 25, "smtp")
    );
    // The connection under the first line: handshake, ports, FIN both ways.
    let tcp = t.events[0]
        .tcp
        .as_ref()
        .expect("tcp facts on the first line");
    assert_eq!(
        (tcp.client.as_str(), tcp.server.as_str()),
        ("192.0.2.77:51234", "192.0.2.25:25")
    );
    assert!(tcp.syn_us.is_some() && tcp.syn_ack_us.is_some() && tcp.ack_us.is_some());
    assert_eq!(tcp.ends.len(), 2);
    // Timing from the capture: the lines are 10 ms apart.
    let gap = t.events[2].t_ms - t.events[1].t_ms;
    assert!((9..=12).contains(&gap), "{gap}");
}

#[test]
fn every_link_type_and_ipv6() {
    for link in [Link::Ethernet, Link::Sll, Link::Sll2, Link::Null, Link::Raw] {
        for (client, server) in [
            ("192.0.2.77:40000", "192.0.2.25:587"),
            ("[2001:db8::77]:40000", "[2001:db8::25]:587"),
        ] {
            let pcap = capture(link, client, server, SMTP, |_| Mess::Shuffled);
            let o = open(&pcap, &Options::default()).unwrap_or_else(|e| panic!("{link:?}: {e}"));
            assert_eq!(
                lines(&o.converted.transcript),
                expected(SMTP),
                "{link:?} {server}"
            );
            assert_eq!(o.streams[0].server.to_string(), server);
        }
    }
}

#[test]
fn a_lost_segment_is_a_hole_of_so_many_octets_never_invented() {
    let pcap = capture(
        Link::Ethernet,
        "192.0.2.77:51234",
        "192.0.2.25:25",
        SMTP,
        |i| {
            if i == 7 { Mess::Lost } else { Mess::Clean }
        },
    );
    let o = open(&pcap, &Options::default()).unwrap();
    let t = &o.converted.transcript;
    let hole = t
        .events
        .iter()
        .find(|e| e.gap.is_some())
        .expect("a gap event");
    assert_eq!(hole.gap, Some("MAIL FROM:<fred@free.fr>\r\n".len() as u64));
    assert_eq!(hole.dir, Dir::Client);
    let mut want = expected(SMTP);
    want.remove(7);
    assert_eq!(lines(t), want);
    // The export says so, in place, and exits non-zero with a warning.
    let f = tmp("lost.pcap", &pcap);
    let out = facteur(&[
        "--lang",
        "en",
        "export",
        f.to_str().unwrap(),
        "--format",
        "md",
    ]);
    let (md, err) = text(&out);
    assert!(md.contains("26 octets missing here"), "{md}");
    assert!(
        err.contains("26 octets of this session are missing"),
        "{err}"
    );
    assert!(!out.status.success());
}

#[test]
fn the_snap_length_cut_is_said_and_shown_as_holes() {
    let mut g = Gen::new(Link::Ethernet);
    g.snaplen = 80; // 14 + 20 + 20 = 54 octets of headers, 26 of payload
    let mut c = g.conn("192.0.2.77:51234", "192.0.2.25:25");
    g.handshake(&mut c);
    for (from_client, line) in SMTP {
        g.line(&mut c, *from_client, line, Mess::Clean);
    }
    g.close(&mut c);
    let f = tmp("snap.pcap", &g.pcap());
    let out = facteur(&[
        "--lang",
        "fr",
        "export",
        f.to_str().unwrap(),
        "--format",
        "md",
    ]);
    let (md, err) = text(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("longueur de capture (snaplen) a coupé"),
        "{err}"
    );
    assert!(md.contains("octets manquants ici"), "{md}");
    assert!(common::french::english_words(&err).is_empty(), "{err}");
}

#[test]
fn starttls_shows_the_clear_part_then_one_encrypted_event() {
    let mut g = Gen::new(Link::Ethernet);
    let mut c = g.conn("192.0.2.77:51234", "192.0.2.25:587");
    g.handshake(&mut c);
    for (from_client, line) in [
        (false, "220 smtp.free.fr ESMTP"),
        (true, "EHLO pc"),
        (false, "250 STARTTLS"),
        (true, "STARTTLS"),
        (false, "220 2.0.0 Ready to start TLS"),
    ] {
        g.line(&mut c, from_client, line, Mess::Clean);
    }
    g.bytes(&mut c, true, &client_hello("smtp.free.fr"));
    g.bytes(&mut c, false, &server_hello());
    g.bytes(&mut c, true, &[23, 3, 3, 0, 4, 1, 2, 3, 4]);
    g.close(&mut c);
    let o = open(&g.pcap(), &Options::default()).unwrap();
    let t = &o.converted.transcript;
    let last = t.events.last().unwrap();
    let sealed = last.sealed.as_ref().expect("the encrypted rest");
    assert_eq!(sealed.records, 3);
    assert_eq!(sealed.sni.as_deref(), Some("smtp.free.fr"));
    assert_eq!(sealed.offered.as_deref(), Some("TLS 1.3"));
    assert_eq!(sealed.version.as_deref(), Some("TLS 1.3"));
    assert_eq!(sealed.cipher.as_deref(), Some("TLS_AES_256_GCM_SHA384"));
    assert_eq!(
        lines(t).len(),
        5,
        "nothing after the go-ahead is read as lines"
    );
    let f = tmp("starttls.pcap", &g.pcap());
    let (md, _) = text(&facteur(&[
        "--lang",
        "en",
        "export",
        f.to_str().unwrap(),
        "--format",
        "md",
    ]));
    assert!(
        md.contains("From here on the session is encrypted (TLS)"),
        "{md}"
    );
    assert!(
        md.contains("this is why STARTTLS matters") || md.contains("This is why STARTTLS matters"),
        "{md}"
    );
}

#[test]
fn several_sessions_are_listed_implicit_tls_as_unreadable_and_one_can_be_picked() {
    let mut g = Gen::new(Link::Ethernet);
    let mut tls = g.conn("192.0.2.77:40001", "192.0.2.25:465");
    g.handshake(&mut tls);
    g.bytes(&mut tls, true, &client_hello("smtp.free.fr"));
    g.close(&mut tls);
    let mut pop = g.conn("192.0.2.77:40002", "198.51.100.110:7110");
    g.handshake(&mut pop);
    for (fc, l) in [
        (false, "+OK POP3 ready"),
        (true, "USER marc"),
        (false, "+OK"),
        (true, "QUIT"),
        (false, "+OK bye"),
    ] {
        g.line(&mut pop, fc, l, Mess::Clean);
    }
    g.close(&mut pop);
    let pcap = g.pcap();
    let o = open(&pcap, &Options::default()).unwrap();
    assert_eq!(o.streams.len(), 2, "the POP3 on 7110 found by its greeting");
    assert!(o.streams[0].implicit_tls);
    assert_eq!(o.chosen, 1, "the first readable one is opened");
    assert_eq!(o.converted.transcript.protocol, "pop3");
    let o = open(
        &pcap,
        &Options {
            stream: Some(1),
            ..Options::default()
        },
    )
    .unwrap();
    assert!(
        o.converted.transcript.events[0]
            .sealed
            .as_ref()
            .unwrap()
            .implicit
    );
    let f = tmp("two.pcap", &pcap);
    let (list, _) = text(&facteur(&[
        "--lang",
        "en",
        "replay",
        f.to_str().unwrap(),
        "--list",
    ]));
    assert!(list.contains("2 mail sessions"), "{list}");
    assert!(
        list.contains("TLS from the first octet (port 465): unreadable"),
        "{list}"
    );
    let out = facteur(&[
        "--lang",
        "en",
        "export",
        f.to_str().unwrap(),
        "--stream",
        "3",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out)
            .0
            .contains("there is no session 3: this capture has 2")
    );
}

#[test]
fn bad_files_each_get_a_clear_message_in_the_readers_language_and_fail() {
    let good = capture(
        Link::Ethernet,
        "192.0.2.77:51234",
        "192.0.2.25:25",
        SMTP,
        |_| Mess::Clean,
    );
    let mut http = Gen::new(Link::Ethernet);
    let mut c = http.conn("192.0.2.77:40000", "192.0.2.80:80");
    http.handshake(&mut c);
    http.line(&mut c, true, "GET / HTTP/1.1", Mess::Clean);
    http.close(&mut c);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "vide.pcap",
            Vec::new(),
            "the file is empty",
            "le fichier est vide",
        ),
        (
            "image.pcap",
            b"GIF89a not a capture".to_vec(),
            "not a pcap or pcapng capture",
            "ce n'est pas une capture",
        ),
        (
            "coupe.pcap",
            good[..good.len() - 7].to_vec(),
            "stops in the middle of a packet",
            "s'arrête au milieu d'un paquet",
        ),
        (
            "web.pcap",
            http.pcap(),
            "no SMTP or POP3 session in this capture",
            "aucune session SMTP ou POP3",
        ),
    ];
    for (name, bytes, en, fr) in cases {
        // Magic bytes decide, not the name: a .json that is a capture is one too.
        let f = tmp(name, &bytes);
        for (lang, want) in [("en", en), ("fr", fr)] {
            for args in [
                vec![
                    "--lang",
                    lang,
                    "export",
                    f.to_str().unwrap(),
                    "--format",
                    "md",
                ],
                vec!["--lang", lang, "replay", f.to_str().unwrap(), "--list"],
            ] {
                let out = facteur(&args);
                let (o, e) = text(&out);
                assert!(!out.status.success(), "{name} {args:?}");
                assert!(
                    o.contains(want) || e.contains(want),
                    "{name} {lang}: {o}{e}"
                );
                if lang == "fr" {
                    assert!(
                        common::french::english_words(&(o.clone() + &e)).is_empty(),
                        "{o}{e}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_capture_named_json_is_read_by_its_magic_and_pcapng_round_trips() {
    let pcap = capture(
        Link::Sll2,
        "192.0.2.77:51234",
        "192.0.2.25:25",
        SMTP,
        |_| Mess::Shuffled,
    );
    let f = tmp("capture-named.json", &pcap);
    let out =
        std::env::temp_dir().join(format!("facteur-capture-{}/rt.pcapng", std::process::id()));
    let o = facteur(&[
        "--lang",
        "en",
        "export",
        f.to_str().unwrap(),
        "--format",
        "pcapng",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    // facteur reads its own pcapng back: the same dialogue, the same addresses.
    let bytes = std::fs::read(&out).unwrap();
    let back = open(&bytes, &Options::default()).unwrap();
    assert_eq!(lines(&back.converted.transcript), expected(SMTP));
    assert_eq!(back.streams[0].client.to_string(), "192.0.2.77:51234");
    // pcapng needs a file to write to.
    let o = facteur(&[
        "--lang",
        "en",
        "export",
        f.to_str().unwrap(),
        "--format",
        "pcapng",
    ]);
    assert!(!o.status.success());
}

#[test]
fn a_shipped_transcript_exported_as_pcapng_reads_back_line_for_line() {
    for name in [
        "route-fred-to-marc.json",
        "starttls-facteur-serve.json",
        "rfc1939-pop3-session.json",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("transcripts")
            .join(name);
        let t = Transcript::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (bytes, packets) = facteur::session::capture::pcapng::write(
            facteur::explain::Lang::En,
            &t,
            &facteur::workbench::world_address,
            Default::default(),
        );
        assert!(packets > t.events.len());
        // Each connection of the file (an /open, the TLS part) is a session.
        let first = open(
            &bytes,
            &Options {
                ports: vec![t.port],
                ..Options::default()
            },
        )
        .unwrap();
        let want: Vec<(bool, String)> = t
            .events
            .iter()
            .take_while(|e| e.dir != Dir::Open && !e.tls)
            .filter(|e| matches!(e.dir, Dir::Client | Dir::Server))
            .map(|e| (e.dir == Dir::Client, e.line.clone().unwrap_or_default()))
            .collect();
        assert_eq!(lines(&first.converted.transcript), want, "{name}");
    }
}

/// A ClientHello record with SNI and supported_versions (TLS 1.3).
fn client_hello(sni: &str) -> Vec<u8> {
    let name = sni.as_bytes();
    let list_len = (name.len() + 3) as u16;
    let mut exts = vec![0, 0];
    exts.extend_from_slice(&(list_len + 2).to_be_bytes());
    exts.extend_from_slice(&list_len.to_be_bytes());
    exts.push(0);
    exts.extend_from_slice(&(name.len() as u16).to_be_bytes());
    exts.extend_from_slice(name);
    exts.extend_from_slice(&[0, 43, 0, 5, 4, 3, 4, 3, 3]);
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.push(0);
    body.extend_from_slice(&[0, 2, 0x13, 0x02, 1, 0]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    record(1, &body)
}

/// A ServerHello record choosing TLS 1.3 and TLS_AES_256_GCM_SHA384.
fn server_hello() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[9; 32]);
    body.push(0);
    body.extend_from_slice(&[0x13, 0x02, 0]);
    body.extend_from_slice(&[0, 6, 0, 43, 0, 2, 3, 4]);
    record(2, &body)
}

fn record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut msg = vec![kind, 0, (body.len() >> 8) as u8, body.len() as u8];
    msg.extend_from_slice(body);
    let mut rec = vec![22, 3, 1];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    rec
}
