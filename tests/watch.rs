//! Watching live sessions: `facteur proxy` in a terminal lists a real
//! client's connections and follows one, explained, while it goes on;
//! `facteur serve --watch` does the same for the room, and
//! `serve --record-dir` records every session as the proxy does. The
//! release binary in tmux, at 80×24, as a teacher would use it.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;

use common::french::english_words;
use common::tcp::Server;
use common::tmux::{Tmux, bin};

/// The port in the title "Sessions — 127.0.0.1:PORT …".
fn listening_port(screen: &str) -> u16 {
    let after = screen.split("Sessions — 127.0.0.1:").nth(1).expect(screen);
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect(screen)
}

/// A client the test drives line by line, to watch a session that is
/// still going on.
struct Client {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> (Client, String) {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut c = Client {
            w: s.try_clone().unwrap(),
            r: BufReader::new(s),
        };
        let greeting = c.reply();
        (c, greeting)
    }

    /// One SMTP reply (its last line) or one POP3 line.
    fn reply(&mut self) -> String {
        loop {
            let mut l = String::new();
            self.r.read_line(&mut l).unwrap();
            if l.len() < 4 || l.as_bytes()[3] != b'-' {
                return l;
            }
        }
    }

    fn send(&mut self, line: &str) -> String {
        self.w.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        self.reply()
    }
}

#[test]
fn the_proxy_lists_a_swaks_session_and_follows_a_live_one_in_french_at_80x24() {
    let t = Tmux::start(
        "proxy-watch",
        80,
        24,
        &format!(
            "env LANG=fr_FR.UTF-8 LC_ALL= {} proxy --listen 127.0.0.1:0 --to world",
            bin()
        ),
    );
    let s = t.wait_for("Aucune session pour l'instant");
    let port = listening_port(&s);
    // swaks: STARTTLS (intercepted: the world is facteur's own) and AUTH PLAIN.
    let swaks = Command::new("swaks")
        .args(["--server", &format!("127.0.0.1:{port}")])
        .args(["--from", "fred@free.fr", "--to", "marc@wanadoo.fr"])
        .args(["--tls", "--auth", "PLAIN"])
        .args(["--auth-user", "fred", "--auth-password", "fredpass"])
        .output()
        .expect("swaks is needed for this test (.ci/run installs it)");
    let out = String::from_utf8_lossy(&swaks.stdout);
    assert!(out.contains("250 2.0.0"), "{out}");
    // Its row: client, protocol, the account once logged in, ended.
    let s = t.wait_for("terminée");
    let row = s.lines().find(|l| l.contains("│1 ")).expect(&s);
    assert!(row.contains("SMTP") && row.contains("fred"), "{s}");
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");

    // A session still going on: watched, it shows each new line as it passes.
    let (mut c, greeting) = Client::connect(port);
    assert!(greeting.starts_with("220"), "{greeting}");
    c.send("EHLO salle-b12");
    let s = t.wait_for("│2 ");
    let row = s.lines().find(|l| l.contains("│2 ")).expect(&s);
    assert!(row.contains("présenté") && !row.contains("terminée"), "{s}");
    t.key("Down");
    t.key("Enter");
    let s = t.wait_for("En direct — #2");
    // What passed before the teacher looked: the EHLO's answer, its state.
    assert!(s.contains("S: 250-facteur.lab Hello salle-b12"), "{s}");
    assert!(s.contains("présenté (EHLO/HELO) — possible"), "{s}");
    c.send("MAIL FROM:<fred@free.fr>");
    t.wait_for("C: MAIL FROM:<fred@free.fr>");
    // The newest line, and the state it leads to, explained in French.
    let s = t.wait_for("transaction ouverte (MAIL)");
    assert!(s.contains("S: 250 2.1.0"), "{s}");
    // Read-only: what is typed goes nowhere.
    t.type_text("RSET");
    t.key("Enter");
    c.send("QUIT");
    let s = t.wait_for("Session terminée");
    assert!(!s.contains("C: RSET"), "{s}");
    let notice = s.lines().find(|l| l.starts_with("» ")).unwrap();
    assert!(english_words(notice).is_empty(), "{notice}");
    // Esc: back to the list; nothing open, Ctrl-C quits (and stops the proxy).
    t.key("Escape");
    t.wait_for("Dernière");
    t.key("C-c");
    assert!(t.ended(), "Ctrl-C did not quit:\n{}", t.capture());
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the proxy stopped"
    );
}

#[test]
fn serve_watch_shows_the_room_with_pop3_accounts_in_english() {
    let rec = std::env::temp_dir().join(format!("facteur-watch-rec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&rec);
    let t = Tmux::start(
        "serve-watch",
        80,
        24,
        &format!(
            "{} --lang en serve --smtp 127.0.0.1:0 --pop3 127.0.0.1:0 --auth-delay 0 --watch --record-dir {}",
            bin(),
            rec.display()
        ),
    );
    let s = t.wait_for("No session yet");
    // "POP3 facteur.lab 127.0.0.1:PORT" in the empty list's message.
    let pop3: u16 = s
        .split("POP3 facteur.lab 127.0.0.1:")
        .nth(1)
        .and_then(|r| {
            r.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
        .expect(&s);
    let (mut c, greeting) = Client::connect(pop3);
    assert!(greeting.starts_with("+OK"), "{greeting}");
    c.send("USER marc");
    assert!(c.send("PASS marcpass").starts_with("+OK"));
    let s = t.wait_for("TRANSACTION");
    let row = s.lines().find(|l| l.contains("│1 ")).expect(&s);
    assert!(row.contains("POP3") && row.contains("marc"), "{s}");
    assert!(!row.contains("ended"), "{s}");
    t.key("Enter");
    let s = t.wait_for("Live — #1");
    assert!(s.contains("C: PASS marcpass"), "{s}");
    c.send("STAT");
    t.wait_for("C: STAT");
    c.send("QUIT");
    t.wait_for("Session ended");
    t.key("Escape");
    t.wait_for("ended");
    t.key("C-c");
    assert!(t.ended(), "Ctrl-C did not quit:\n{}", t.capture());
    // --record-dir: the session, named with its account, replays.
    let files: Vec<_> = std::fs::read_dir(&rec)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].to_str().unwrap().ends_with("-marc.json"),
        "{files:?}"
    );
    let _ = std::fs::remove_dir_all(&rec);
}

#[test]
fn serve_record_dir_records_starttls_and_auth_decrypted_for_export() {
    let rec = std::env::temp_dir().join(format!("facteur-serve-rec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&rec);
    let server = Server::start(&["--auth-delay", "0", "--record-dir", rec.to_str().unwrap()]);
    let swaks = Command::new("swaks")
        .args(["--server", &format!("127.0.0.1:{}", server.smtp)])
        .args(["--from", "fred@free.fr", "--to", "marc@wanadoo.fr"])
        .args(["--tls", "--auth", "LOGIN"])
        .args(["--auth-user", "fred", "--auth-password", "fredpass"])
        .output()
        .expect("swaks is needed for this test (.ci/run installs it)");
    let out = String::from_utf8_lossy(&swaks.stdout);
    assert!(out.contains("250 2.0.0"), "{out}");
    server.wait_logged("[recorded ", 1);
    let files: Vec<_> = std::fs::read_dir(&rec)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].to_str().unwrap().ends_with("-fred.json"),
        "{files:?}"
    );
    let md = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["--lang", "en", "export", "--format", "md"])
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(md.status.success());
    let md = String::from_utf8_lossy(&md.stdout);
    // The handshake, then the lines inside TLS (C~/S~), AUTH LOGIN decoded.
    assert!(md.contains("TLS handshake completed"), "{md}");
    assert!(md.contains("**C~** ` AUTH LOGIN"), "{md}");
    assert!(md.contains("fredpass"), "the password decoded:\n{md}");
    assert!(md.contains("**S~** ` 235"), "{md}");
    let _ = std::fs::remove_dir_all(&rec);
}

/// `facteur replay` of a capture holding several mail sessions, none
/// chosen: the TUI lists them (client, protocol, packets, where to), Enter
/// replays one from its start, q goes back to the list, q again quits.
#[test]
fn a_capture_with_several_sessions_opens_on_their_list_at_80x24() {
    use common::pcapgen::{Gen, Link, Mess};
    let mut g = Gen::new(Link::Ethernet);
    let mut session = |client: &str, server: &str, lines: &[(bool, &str)]| {
        let mut c = g.conn(client, server);
        g.handshake(&mut c);
        for (from_client, l) in lines {
            g.line(&mut c, *from_client, l, Mess::Clean);
        }
        g.close(&mut c);
    };
    session(
        "192.0.2.77:51234",
        "192.0.2.25:25",
        &[
            (false, "220 mx.example ESMTP"),
            (true, "EHLO poste-12"),
            (false, "250 mx.example"),
            (true, "QUIT"),
            (false, "221 Bye"),
        ],
    );
    session(
        "192.0.2.78:40002",
        "198.51.100.110:110",
        &[
            (false, "+OK pop ready"),
            (true, "USER marc"),
            (false, "+OK"),
            (true, "PASS secret"),
            (false, "+OK 2 messages"),
            (true, "QUIT"),
            (false, "+OK bye"),
        ],
    );
    let file = std::env::temp_dir().join(format!("facteur-two-{}.pcap", std::process::id()));
    std::fs::write(&file, g.pcap()).unwrap();
    let t = Tmux::start(
        "capture-list",
        80,
        24,
        &format!("{} --lang fr replay {}", bin(), file.display()),
    );
    let s = t.wait_for("Paquets");
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
    let one = s.lines().find(|l| l.contains("│1 ")).expect(&s);
    let two = s.lines().find(|l| l.contains("│2 ")).expect(&s);
    assert!(
        one.contains("192.0.2.77:51234") && one.contains("SMTP"),
        "{s}"
    );
    assert!(
        two.contains("192.0.2.78:40002") && two.contains("POP3"),
        "{s}"
    );
    assert!(two.contains("198.51.100.110:110"), "{s}");
    t.key("Down");
    t.key("Enter");
    let s = t.wait_for("Relecture");
    assert!(s.contains("S: +OK pop ready"), "{s}");
    assert!(!s.contains("USER marc"), "from its start:\n{s}");
    t.key("Right");
    t.wait_for("C: USER marc");
    t.key("End");
    let s = t.wait_for("C: PASS secret");
    assert!(s.contains("POP3"), "{s}");
    t.key("q");
    t.wait_for("Paquets");
    t.key("q");
    assert!(t.ended(), "q did not quit:\n{}", t.capture());
    let _ = std::fs::remove_file(&file);
}

/// `serve --record-dir`: lines a client pipelined after a STARTTLS that was
/// refused were read by the server, and are in the record in their place.
#[test]
fn serve_records_what_follows_a_refused_starttls() {
    let rec = std::env::temp_dir().join(format!("facteur-serve-pipe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&rec);
    let server = Server::start(&["--record-dir", rec.to_str().unwrap()]);
    let mut c = common::tcp::Raw::connect(server.smtp);
    c.send(b"STARTTLS\r\nEHLO pipe\r\nQUIT\r\n");
    let first = c.reply();
    assert!(first.starts_with("503"), "{first}");
    server.wait_logged("[recorded ", 1);
    let file = std::fs::read_dir(&rec)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let t = facteur::session::transcript::Transcript::from_json(
        &std::fs::read_to_string(&file).unwrap(),
    )
    .unwrap();
    let lines: Vec<String> = t
        .events
        .iter()
        .filter_map(|e| e.line.clone().map(|l| format!("{:?} {l}", e.dir)))
        .collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} missing: {lines:#?}"))
    };
    assert!(at("STARTTLS") < at("EHLO pipe"), "{lines:#?}");
    assert!(at("EHLO pipe") < at("QUIT"), "{lines:#?}");
    assert!(at("QUIT") < at("221"), "{lines:#?}");
    assert!(t.simulated, "a record of facteur serve says simulated");
    let _ = std::fs::remove_dir_all(&rec);
}

/// `kill` (SIGTERM) ends the watching proxy and the watching room server
/// in a terminal too, not only their worlds: the TUI quits and the
/// terminal is given back.
#[test]
fn sigterm_ends_the_watching_tui_of_proxy_and_serve() {
    for (tag, args) in [
        ("term-proxy", "proxy --listen 127.0.0.1:0 --to world"),
        (
            "term-serve",
            "serve --smtp 127.0.0.1:0 --pop3 127.0.0.1:0 --watch",
        ),
    ] {
        let t = Tmux::start(tag, 80, 24, &format!("exec {} --lang en {args}", bin()));
        t.wait_for("Sessions —");
        common::tcp::signal(t.pane_pid(), "TERM");
        assert!(
            t.ended(),
            "{tag}: still running after SIGTERM:\n{}",
            t.capture()
        );
    }
}
