//! The shipped transcripts (transcripts/*.json): each loads, each line is
//! explained without a single "unknown", and the built-in world's route is
//! exactly what the simulator says today, byte for byte.

use facteur::explain::Lang;
use facteur::explain::annotation::Severity;
use facteur::explain::catalog::text;
use facteur::session::explained::{Entry, explain_transcript};
use facteur::session::transcript::{Dir, Transcript};

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("transcripts")
}

pub fn load(name: &str) -> Transcript {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Transcript::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The fixed start of each "unknown …" explanation, in both languages.
fn unknown_marks() -> Vec<String> {
    let mut marks = Vec::new();
    for key in [
        "cmd.unknown",
        "data.header_unknown",
        "esc.detail.unknown",
        "hdr.unknown",
        "pop3.unknown",
        "reply.unknown",
        "reply.malformed",
    ] {
        for lang in [Lang::Fr, Lang::En] {
            // The longest stretch without a placeholder.
            let t = text(lang, key);
            let fixed = t
                .split(['{', '}'])
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, s)| s)
                .max_by_key(|s| s.len())
                .unwrap_or("")
                .to_string();
            assert!(fixed.len() >= 8, "{key}: {t}");
            marks.push(fixed);
        }
    }
    marks
}

/// The first note that says "unknown" (or shows a missing catalog key).
fn first_unknown(entries: &[Entry]) -> Option<String> {
    let marks = unknown_marks();
    for e in entries {
        for n in &e.notes {
            let missing_key = n.body.contains('⟦') || n.title.contains('⟦');
            if missing_key || marks.iter().any(|m| n.body.contains(m.as_str())) {
                return Some(format!("{:?}: {}", e.text, n.render()));
            }
        }
    }
    None
}

fn assert_no_unknown(name: &str, entries: &[Entry]) {
    if let Some(u) = first_unknown(entries) {
        panic!("{name}: explained as unknown: {u}");
    }
}

#[test]
fn an_unknown_command_or_reply_is_caught_by_this_check() {
    let json = r#"{"version": 1, "host": "h", "port": 25, "protocol": "smtp", "simulated": false, "started": 0,
      "events": [{"t_ms": 0, "dir": "server", "line": "220 h ESMTP"},
                 {"t_ms": 1, "dir": "client", "line": "FOO bar"},
                 {"t_ms": 2, "dir": "server", "line": "500 5.5.1 what?"}]}"#;
    let t = Transcript::from_json(json).unwrap();
    for lang in [Lang::Fr, Lang::En] {
        let u = first_unknown(&explain_transcript(lang, &t));
        assert!(u.as_deref().is_some_and(|u| u.contains("FOO")), "{u:?}");
    }
}

#[test]
fn every_shipped_transcript_loads_and_is_explained_without_unknowns() {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 12, "{names:?}");
    for name in &names {
        let t = load(name);
        assert!(!t.events.is_empty(), "{name}");
        for lang in [Lang::Fr, Lang::En] {
            let entries = explain_transcript(lang, &t);
            assert_eq!(entries.len(), t.events.len());
            assert_no_unknown(name, &entries);
            // Every client line is explained (server continuation lines are
            // explained with their reply's last line).
            for e in entries.iter().filter(|e| e.dir == Dir::Client) {
                assert!(
                    !e.notes.is_empty(),
                    "{name}: {:?} has no explanation",
                    e.text
                );
            }
        }
        // Times never go back.
        assert!(
            t.events.windows(2).all(|w| w[0].t_ms <= w[1].t_ms),
            "{name}"
        );
        // Written back, it is the same file.
        let again = Transcript::from_json(&t.to_json()).unwrap();
        assert_eq!(again, t, "{name}");
    }
}

/// What each of the handout's and the RFCs' transcripts must teach.
#[test]
fn the_transcripts_say_what_they_are_for() {
    let find = |name: &str, line: &str| -> Entry {
        let t = load(name);
        explain_transcript(Lang::En, &t)
            .into_iter()
            .find(|e| e.text == line)
            .unwrap_or_else(|| panic!("{name}: no line {line:?}"))
    };
    let all = |e: &Entry| {
        e.notes
            .iter()
            .map(|n| n.render())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plain = find("seed-auth-plain.json", "dGVzdAB0ZXN0ADEvMzQ=");
    assert!(all(&plain).contains("password \"1/34\""), "{}", all(&plain));
    let login = find("seed-auth-login.json", "lkujsefxlj");
    assert!(
        login.notes.iter().any(|n| n.severity == Severity::Mistake),
        "{}",
        all(&login)
    );
    let cram = find(
        "seed-auth-cram-md5.json",
        "cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA==",
    );
    assert!(all(&cram).contains("rjs3"), "{}", all(&cram));
    let missing_blank = find("seed-telnet-wanadoo.json", "Test SMTP");
    assert!(
        missing_blank
            .notes
            .iter()
            .any(|n| n.severity == Severity::Mistake)
    );
    let refused = find("rfc5321-d1-typical.json", "550 No such user here");
    assert!(all(&refused).contains("5 = permanent"), "{}", all(&refused));
    let vrfy = find(
        "rfc5321-d4-verify-and-send.json",
        "250 Mark Crispin <Admin.MRC@foo.com>",
    );
    assert!(!vrfy.notes.is_empty());
    // STARTTLS: the handshake is recorded, every line after it is inside TLS, none before.
    let t = load("starttls-facteur-serve.json");
    let at = t
        .events
        .iter()
        .position(|e| e.dir == Dir::Tls)
        .expect("a tls event");
    let h = t.events[at].handshake.as_ref().unwrap();
    assert!(h.version.starts_with("TLSv1_"), "{h:?}");
    assert!(h.cert.as_ref().is_some_and(|c| !c.subject.is_empty()));
    assert!(t.events[..at].iter().all(|e| !e.tls));
    assert!(t.events[at + 1..].iter().all(|e| e.tls));
    assert_eq!(
        String::from_utf8_lossy(&t.events[at - 1].bytes()),
        "220 2.0.0 Ready to start TLS"
    );
    let apop = find(
        "rfc1939-pop3-session.json",
        "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
    );
    assert!(all(&apop).contains("APOP"), "{}", all(&apop));
}

/// The course's route in the built-in world — fred@free.fr writes to
/// marc@wanadoo.fr through smtp.free.fr, marc reads it at pop.wanadoo.fr —
/// typed into the TUI's model. Each reply is checked against what a person
/// wrote here from the RFCs (the oracle is not the code under test), and
/// the shipped file must still be what the simulator says, byte for byte
/// (after a deliberate change, record it again with `facteur --record`).
#[test]
fn the_route_transcript_is_what_the_simulator_says() {
    use facteur::sim::mta::Mta;
    use facteur::sim::store::Store;
    use facteur::sim::world::World;
    use facteur::tui::action::Action;
    use facteur::tui::update::{connect, update};
    let mut mta = Mta::new(World::default(), Store::in_memory(), 2026);
    mta.set_now(1_796_025_600);
    let mut m = connect(Lang::Fr, mta, "smtp.free.fr").unwrap();
    let typed = [
        "EHLO pc-fred.free.fr",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "Date: Mon, 30 Nov 2026 09:00:08 +0100",
        "From: Fred <fred@free.fr>",
        "To: Marc <marc@wanadoo.fr>",
        "Subject: Rendez-vous",
        "",
        "Salut Marc, on se voit demain au labo ?",
        "Fred",
        ".",
        "QUIT",
        "/open pop.wanadoo.fr 110",
        "USER marc",
        "PASS marcpass",
        "STAT",
        "LIST",
        "RETR 1",
        "DELE 1",
        "QUIT",
    ];
    for (i, line) in typed.iter().enumerate() {
        m.live.elapsed_ms = 2_000 * (i as u64 + 1);
        // The world's clock moves with the session's, as the runtime does.
        m.live.link.mta.set_now(1_796_025_600 + 2 * (i as i64 + 1));
        for c in line.chars() {
            update(&mut m, Action::InsertChar(c));
        }
        update(&mut m, Action::SendLine);
    }
    // Written by hand: the reply each command must get (RFC 5321 §4.2,
    // RFC 1939 §5), in order.
    // Written by hand: the first line of the reply each command must get
    // (RFC 5321 §4.2, RFC 1939 §5), in order.
    let want: &[(&str, &str)] = &[
        ("EHLO pc-fred.free.fr", "250-smtp.free.fr"),
        ("MAIL FROM:<fred@free.fr>", "250 2.1.0"),
        ("RCPT TO:<marc@wanadoo.fr>", "250 2.1.5"),
        ("DATA", "354 "),
        (".", "250 2.0.0 Ok: queued as "),
        ("QUIT", "221 2.0.0"),
        ("USER marc", "+OK"),
        (
            "PASS marcpass",
            "+OK marc@wanadoo.fr's maildrop has 1 messages",
        ),
        ("STAT", "+OK 1 "),
        ("LIST", "+OK"),
        ("RETR 1", "+OK"),
        ("DELE 1", "+OK"),
        ("QUIT", "+OK"),
    ];
    use facteur::session::transcript::Dir as D;
    // Each command with the server lines that follow it, up to the next
    // line the student typed.
    let mut got: Vec<(String, Vec<String>)> = Vec::new();
    for e in &m.live.entries {
        match e.dir {
            D::Client => {
                if want.iter().any(|(c, _)| *c == e.text) {
                    got.push((e.text.clone(), Vec::new()));
                }
            }
            D::Server => {
                if let Some(last) = got.last_mut() {
                    last.1.push(e.text.clone());
                }
            }
            // A new connection: what follows is not the last command's reply.
            _ => got.push((format!("{:?}", e.dir), Vec::new())),
        }
    }
    got.retain(|(c, _)| want.iter().any(|(w, _)| w == c));
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((c, r), (wc, wr)) in got.iter().zip(want) {
        assert_eq!(c, wc);
        let first = r.first().map(String::as_str).unwrap_or("");
        assert!(first.starts_with(wr), "{c} → {r:?}, wanted {wr:?}");
    }
    // The EHLO reply is multi-line and its last line says "250 " (§4.2.1).
    let ehlo = &got[0].1;
    assert!(
        ehlo.iter()
            .take(ehlo.len() - 1)
            .all(|l| l.starts_with("250-")),
        "{ehlo:?}"
    );
    assert!(ehlo.last().unwrap().starts_with("250 "), "{ehlo:?}");
    // QUIT's reply is the last thing that connection says (§4.1.1.10).
    assert_eq!(got[5].1.len(), 1, "{:?}", got[5]);
    let json = m.live.transcript().to_json() + "\n";
    let path = dir().join("route-fred-to-marc.json");
    let shipped = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        shipped, json,
        "the simulator no longer says what transcripts/route-fred-to-marc.json says"
    );
    let t = load("route-fred-to-marc.json");
    assert!(t.simulated);
    let lines: Vec<String> = t
        .events
        .iter()
        .map(|e| String::from_utf8_lossy(&e.bytes()).to_string())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("250 2.0.0 Ok: queued as")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("+OK marc@wanadoo.fr's maildrop has 1 messages")),
        "{lines:?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("Received: from"))
            .count(),
        2,
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("1 messages deleted") || l.contains("signing off")),
        "{lines:?}"
    );
}
