//! The TUI's link to a real server (issue 13): STARTTLS starts on the
//! complete go-ahead reply whatever the segmentation, lines typed after
//! STARTTLS wait for TLS (never sent in clear), octets injected after the
//! go-ahead are discarded and reported, and a refused STARTTLS sends
//! nothing typed for TLS. A scripted server plays each case over real TCP
//! (and real TLS: rustls with facteur's lab certificate).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use facteur::net::client::{ConnectOptions, NetCmd, NetEvent, TlsMode, spawn};

/// A line from a plain stream.
fn line(r: &mut BufReader<TcpStream>) -> String {
    let mut s = String::new();
    r.read_line(&mut s).unwrap();
    s
}

fn options(port: u16) -> ConnectOptions {
    ConnectOptions {
        host: "localhost".into(),
        port,
        tls: TlsMode::Plain,
        insecure: true,
        timeout: Duration::from_secs(10),
    }
}

/// Every event until `until` matches (10 s at most).
fn events_until(
    rx: &mut tokio::sync::mpsc::Receiver<NetEvent>,
    until: impl Fn(&NetEvent) -> bool,
) -> Vec<NetEvent> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut out = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(ev) => {
                let done = until(&ev);
                out.push(ev);
                if done {
                    return out;
                }
            }
            Err(_) => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no such event; got {out:?}"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// A scripted SMTP server: greeting, then STARTTLS answered by `go_ahead`
/// written in `pieces` (separate TCP segments); returns, through the
/// channel, the first line it read inside TLS.
fn scripted(go_ahead: &'static [&'static [u8]]) -> (u16, std::thread::JoinHandle<String>) {
    scripted_gated(go_ahead, None)
}

/// The same, the answer to STARTTLS written only once `gate` says so.
fn scripted_gated(
    go_ahead: &'static [&'static [u8]],
    gate: Option<std::sync::mpsc::Receiver<()>>,
) -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = facteur::net::tls::self_signed(vec!["localhost".into()]).unwrap();
    let config: Arc<rustls::ServerConfig> = tls.config;
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_nodelay(true).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut w = stream.try_clone().unwrap();
        let mut r = BufReader::new(stream.try_clone().unwrap());
        w.write_all(b"220 scripted ESMTP\r\n").unwrap();
        assert_eq!(line(&mut r), "STARTTLS\r\n");
        if let Some(gate) = gate {
            gate.recv().unwrap();
        }
        for (i, piece) in go_ahead.iter().enumerate() {
            if i > 0 {
                // Separate TCP segments: the scenario itself, not a wait.
                std::thread::sleep(Duration::from_millis(150));
            }
            w.write_all(piece).unwrap();
            w.flush().unwrap();
        }
        let refused = !go_ahead.concat().starts_with(b"220");
        if refused {
            // Whatever comes next arrives in clear.
            let mut rest = String::new();
            let _ = r.read_to_string(&mut rest);
            return rest;
        }
        // Nothing may have been sent in clear meanwhile.
        assert!(r.buffer().is_empty(), "clear bytes after STARTTLS");
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, stream);
        let mut first = Vec::new();
        let mut byte = [0u8; 1];
        while !first.ends_with(b"\n") {
            if tls.read(&mut byte).unwrap_or(0) == 0 {
                break;
            }
            first.push(byte[0]);
        }
        String::from_utf8_lossy(&first).to_string()
    });
    (port, handle)
}

#[test]
fn a_go_ahead_split_in_two_segments_and_lines_typed_meanwhile() {
    let (port, server) = scripted(&[b"22", b"0 2.0.0 Ready to start TLS\r\n"]);
    let (tx, mut rx) = spawn(options(port));
    events_until(
        &mut rx,
        |e| matches!(e, NetEvent::Data(d) if d.starts_with(b"220 scripted")),
    );
    tx.send(NetCmd::Send(b"STARTTLS\r\n".to_vec())).unwrap();
    // Typed (or pasted) before the reply: must wait for TLS.
    tx.send(NetCmd::Send(b"EHLO inside\r\n".to_vec())).unwrap();
    let evs = events_until(&mut rx, |e| matches!(e, NetEvent::Tls(_)));
    assert!(
        !evs.iter().any(|e| matches!(e, NetEvent::Failed(_))),
        "{evs:?}"
    );
    assert_eq!(server.join().unwrap(), "EHLO inside\r\n");
}

#[test]
fn octets_injected_after_the_go_ahead_are_discarded_and_reported() {
    let (port, server) = scripted(&[b"220 go ahead\r\n250 injected\r\n"]);
    let (tx, mut rx) = spawn(options(port));
    events_until(&mut rx, |e| matches!(e, NetEvent::Data(_)));
    tx.send(NetCmd::Send(b"STARTTLS\r\n".to_vec())).unwrap();
    let evs = events_until(&mut rx, |e| matches!(e, NetEvent::Tls(_)));
    assert!(evs.contains(&NetEvent::Injected(14)), "{evs:?}");
    assert!(
        !evs.iter()
            .any(|e| matches!(e, NetEvent::Data(d) if d.windows(8).any(|w| w == b"injected"))),
        "{evs:?}"
    );
    tx.send(NetCmd::Send(b"QUIT\r\n".to_vec())).unwrap();
    assert_eq!(server.join().unwrap(), "QUIT\r\n");
}

#[test]
fn a_refused_starttls_sends_nothing_meant_for_tls() {
    // The refusal is written once both lines are typed: AUTH was typed
    // before the answer came, so it is meant for TLS and must not leave.
    let (gate, gated) = std::sync::mpsc::channel();
    let (port, server) = scripted_gated(&[b"454 4.7.0 TLS not available\r\n"], Some(gated));
    let (tx, mut rx) = spawn(options(port));
    events_until(&mut rx, |e| matches!(e, NetEvent::Data(_)));
    tx.send(NetCmd::Send(b"STARTTLS\r\n".to_vec())).unwrap();
    tx.send(NetCmd::Send(
        b"AUTH PLAIN AGZyZWQAZnJlZHBhc3M=\r\n".to_vec(),
    ))
    .unwrap();
    gate.send(()).unwrap();
    let evs = events_until(&mut rx, |e| matches!(e, NetEvent::NotSent(_)));
    assert!(evs.contains(&NetEvent::NotSent(1)), "{evs:?}");
    tx.send(NetCmd::Close).unwrap();
    let clear = server.join().unwrap();
    assert!(!clear.contains("AUTH"), "sent in clear: {clear:?}");
}

#[test]
fn a_flooding_server_is_read_only_as_fast_as_the_screen_takes_it() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        // A write that cannot proceed for 2 s means the client stopped reading.
        stream
            .set_write_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let line = [b"250-".as_slice(), &[b'x'; 1020], b"\r\n"].concat();
        let mut written = 0usize;
        // Bounded: 512 MiB at most, or until the client stops reading.
        while written < 512 << 20 {
            match stream.write_all(&line) {
                Ok(()) => written += line.len(),
                Err(_) => break,
            }
        }
        written
    });
    // The screen never takes anything.
    let (tx, rx) = spawn(options(port));
    let written = server.join().unwrap();
    assert!(
        written < 64 << 20,
        "the client kept reading: {} MiB accepted",
        written >> 20
    );
    drop((tx, rx));
}

mod common;

/// `facteur connect` on a port it cannot guess reads the greeting:
/// `+OK` is POP3, whatever the port said.
#[test]
fn connect_knows_its_protocol_from_the_greeting() {
    use facteur::explain::Lang;
    use facteur::net::link::Proto;
    use facteur::tui::update::{connect_remote, network};
    let server = common::tcp::Server::start(&[]);
    let mta = facteur::sim::mta::Mta::new(
        facteur::sim::world::World::default(),
        facteur::sim::store::Store::in_memory(),
        1,
    );
    // The POP3 port, guessed as SMTP (an unknown port number).
    let mut m = connect_remote(Lang::En, mta, options(server.pop3), Proto::Smtp, false);
    common::tcp::eventually(Duration::from_secs(10), "the greeting", || {
        network(&mut m);
        !m.live.entries.is_empty()
    });
    assert_eq!(m.live.link.info.proto, Proto::Pop3);
    assert!(matches!(
        m.live.explainer,
        facteur::explain::dialogue::Explainer::Pop3(_)
    ));
    assert!(m.notice.contains("POP3"), "{}", m.notice);
    let notes: String = m.live.entries[0].notes.iter().map(|n| n.render()).collect();
    assert!(
        !notes.contains("malformed") && !notes.contains("Invalid"),
        "{notes}"
    );
}
