//! The session engine alone, without the TUI: old lines explained again
//! exactly from snapshots, and any link (here a scripted one) driven the
//! same way as the simulated world.

use facteur::explain::Lang;
use facteur::explain::dialogue::Explainer;
use facteur::net::link::Link;
use facteur::proto::tls::Handshake;
use facteur::proto::{Dir, Proto};
use facteur::session::explained::Entry;
use facteur::session::live::{
    Happened, Incoming, KEEP_NOTES, Live, SNAPSHOT_EVERY, Wire, WireInfo,
};
use facteur::sim::mta::Mta;
use facteur::sim::store::Store;
use facteur::sim::world::World;

#[test]
fn old_lines_are_explained_again_exactly() {
    let mut mta = Mta::new(World::default(), Store::in_memory(), 3);
    mta.set_now(1_796_025_600);
    let (link, greeting) = Link::open(mta, "smtp.free.fr", None, true).unwrap();
    let mut live = Live::new(Lang::En, link, 1_796_025_600);
    live.receive(&greeting);
    // A small scrollback, so that the oldest lines are dropped too.
    live.scrollback = 5_000;
    // Every line of the session, as it was (the engine drops old ones).
    let mut all: Vec<_> = live.entries.iter().map(Entry::event).collect();
    // Lines that differ from one another and whose explanation depends on
    // the state (a period of 7, which 256 is not a multiple of).
    for i in 0..3_000usize {
        let line = match i % 7 {
            0 => "EHLO lab".to_string(),
            1 => format!("MAIL FROM:<u{i}@free.fr>"),
            2 => format!("RCPT TO:<user{}@wanadoo.fr>", i % 11),
            3 => "RCPT TO:<marc@wanadoo.fr>".to_string(),
            4 => format!("VRFY x{i}"),
            5 => format!("NOOP {i}"),
            _ => "RSET".to_string(),
        };
        live.send_line(&line);
        for j in all.len()..live.dropped + live.entries.len() {
            all.push(live.entries[j - live.dropped].event());
        }
    }
    let kept = live.entries.iter().filter(|e| !e.notes.is_empty()).count();
    assert!(kept <= KEEP_NOTES, "{kept}");
    assert!(
        live.dropped > 0 && live.entries.len() <= 5_000,
        "{} {}",
        live.dropped,
        live.entries.len()
    );
    assert_eq!(live.dropped % SNAPSHOT_EVERY, 0, "cut at a snapshot");
    // The same notes as explaining the whole session from its first line
    // with a fresh explainer (not the engine's snapshots).
    let eager = |lang| {
        let mut ex = Explainer::for_proto(Proto::Smtp);
        all.iter()
            .map(|e| Entry::explained(&mut ex, lang, e).notes)
            .collect::<Vec<_>>()
    };
    let fresh = eager(Lang::En);
    for i in [0, 1, 5, 255, 256, 257, 1000, 4000, live.entries.len() - 1] {
        assert_eq!(
            live.notes(i),
            fresh[live.dropped + i],
            "line {i}: {}",
            live.entries[i].text
        );
    }
    live.reexplain(Lang::Fr);
    let fresh = eager(Lang::Fr);
    for i in [3, 700, live.entries.len() - 2] {
        assert_eq!(live.notes(i), fresh[live.dropped + i], "line {i} after F2");
    }
}

/// A link that answers from a script: what a proxy or a test double is.
#[derive(Debug)]
struct Scripted {
    info: WireInfo,
    answers: Vec<Vec<Incoming>>,
    sent: Vec<Vec<u8>>,
}

impl Wire for Scripted {
    fn info(&self) -> &WireInfo {
        &self.info
    }
    fn info_mut(&mut self) -> &mut WireInfo {
        &mut self.info
    }
    fn send(&mut self, bytes: &[u8]) -> Vec<Incoming> {
        self.sent.push(bytes.to_vec());
        Vec::new()
    }
    fn poll(&mut self) -> Vec<Incoming> {
        if self.answers.is_empty() {
            Vec::new()
        } else {
            self.answers.remove(0)
        }
    }
    fn close(&mut self) {
        self.info.closed = true;
    }
}

#[test]
fn any_link_is_driven_the_same_way() {
    let line = |s: &str, tls| Incoming::Line(s.as_bytes().to_vec(), tls);
    let hs = Handshake {
        version: "TLSv1_3".into(),
        cipher: "TLS13_AES_128_GCM_SHA256".into(),
        verified: true,
        cert: None,
    };
    let link = Scripted {
        info: WireInfo {
            host: "mail.example".into(),
            port: 2525,
            // Guessed wrong from the port: the greeting decides.
            proto: Proto::Smtp,
            tls: false,
            closed: false,
            remote: true,
            detect_proto: true,
        },
        answers: vec![
            vec![
                Incoming::Connected {
                    peer: "192.0.2.1:2525".into(),
                    local: "192.0.2.77:50123".into(),
                    handshake_us: 1_500,
                },
                line("+OK POP3 ready", false),
            ],
            vec![line("+OK Begin TLS negotiation", false), Incoming::Tls(hs)],
            vec![line("+OK", true), Incoming::Closed],
        ],
        sent: Vec::new(),
    };
    let mut live = Live::new(Lang::Fr, link, 0);
    let h = live.poll();
    assert!(matches!(h[0], Happened::Connected(_)), "{h:?}");
    assert!(matches!(h[1], Happened::ProtoFound(Proto::Pop3)), "{h:?}");
    assert_eq!(live.origin.protocol, "pop3");
    live.send_line("STLS");
    assert_eq!(
        live.link.sent,
        [b"STLS\r\n".to_vec()],
        "sent exactly, with CRLF"
    );
    let h = live.poll();
    assert!(matches!(h[0], Happened::Tls(_)), "{h:?}");
    assert!(live.link.info.tls);
    live.send_line("QUIT");
    let h = live.poll();
    assert!(matches!(h[0], Happened::Closed), "{h:?}");
    assert!(live.link.info.closed);
    // A closed link sends nothing more.
    live.send_line("NOOP");
    assert_eq!(live.link.sent.len(), 2);
    let dirs: Vec<_> = live.entries.iter().map(|e| (e.dir, e.encrypted)).collect();
    assert_eq!(
        dirs,
        [
            (Dir::Server, false),
            (Dir::Client, false),
            (Dir::Server, false),
            (Dir::Tls, true),
            (Dir::Client, true),
            (Dir::Server, true),
        ]
    );
    // Explained as POP3 (the greeting's protocol), in French.
    let t = live.transcript();
    assert_eq!(t.protocol, "pop3");
    assert!(!t.simulated);
    // The real connection, with the first line: its addresses and the
    // handshake as connect() saw it (RFC 9293 §3.5).
    let tcp = t.events[0]
        .tcp
        .as_deref()
        .expect("TCP facts on the first line");
    assert_eq!(
        (tcp.client.as_str(), tcp.server.as_str()),
        ("192.0.2.77:50123", "192.0.2.1:2525")
    );
    assert_eq!(
        tcp.syn_ack_us.zip(tcp.syn_us).map(|(b, a)| b - a),
        Some(1_500)
    );
    assert!(t.events[1..].iter().all(|e| e.tcp.is_none()));
    // A pcapng export of it carries those addresses, not documentation ones:
    // read back with the capture reader, the session is 192.0.2.77 → 192.0.2.1.
    let (pcapng, _) = facteur::session::capture::pcapng::write(
        Lang::En,
        &t,
        &|_| None,
        facteur::session::capture::pcapng::Addresses::default(),
    );
    let opened = facteur::session::capture::open_with(
        || Ok(std::io::Cursor::new(pcapng.clone())),
        &facteur::session::capture::Options {
            ports: vec![2525],
            stream: None,
        },
    )
    .unwrap();
    let s = &opened.streams[0];
    assert_eq!(
        (s.client.to_string(), s.server.to_string()),
        ("192.0.2.77:50123".to_string(), "192.0.2.1:2525".to_string())
    );
    assert!(
        live.notes(1).iter().any(|n| n.render().contains("STLS")),
        "{:?}",
        live.notes(1)
    );
}
