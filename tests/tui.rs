//! The TUI without a terminal: key sequences on the model, frames rendered
//! into ratatui's TestBackend (80×24 and 120×40), and one end-to-end run of
//! the real binary in tmux.

#[path = "common/screen.rs"]
mod screen;
use screen::{pane, screen, send};
#[path = "common/french.rs"]
mod french;
use french::english_words;
#[path = "common/tmux.rs"]
mod tmux;
use tmux::{Tmux, bin};

use facteur::explain::Lang;
use facteur::sim::mta::Mta;
use facteur::sim::store::Store;
use facteur::sim::world::World;
use facteur::tui::action::{Action, Mode, action_for};
use facteur::tui::model::{Focus, Model};
use facteur::tui::update::{connect, update};
use facteur::tui::view::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn model(lang: Lang) -> Model {
    let mut mta = Mta::new(World::default(), Store::in_memory(), 7);
    mta.set_now(1_796_000_000);
    let mut m = connect(lang, mta, "smtp.free.fr").unwrap();
    m.color = false;
    m
}

fn type_str(m: &mut Model, s: &str) {
    for c in s.chars() {
        update(m, Action::InsertChar(c));
    }
}

#[test]
fn first_screen_at_80x24_and_120x40() {
    let m = model(Lang::En);
    let small = screen(&m, 80, 24);
    assert!(small.contains("220 smtp.free.fr ESMTP facteur"), "{small}");
    assert!(small.contains("Session — smtp.free.fr:25"));
    // Stacked: the explanation's title is below the session's.
    let session_row = small.lines().position(|l| l.contains("Session —")).unwrap();
    let explain_row = small
        .lines()
        .position(|l| l.contains("Explanation"))
        .unwrap();
    assert!(explain_row > session_row);
    assert!(small.lines().last().unwrap().contains("help"));
    let big = screen(&m, 120, 40);
    let row = big.lines().find(|l| l.contains("Session —")).unwrap();
    assert!(
        row.contains("Explanation"),
        "side by side at 120 columns: {row}"
    );
}

#[test]
fn typing_mail_from_half_way_is_explained_live() {
    let mut m = model(Lang::En);
    send(&mut m, "EHLO lab");
    type_str(&mut m, "MAIL FROM:<fre");
    let s = screen(&m, 120, 40);
    assert!(s.contains("MAIL FROM:<reverse-path>"), "{s}");
    assert!(s.contains("› MAIL FROM:<fre"));
    assert!(s.contains("State: introduced (EHLO/HELO)"));
    // Nothing was sent yet.
    assert!(!m.live.entries.iter().any(|e| e.text.starts_with("MAIL")));
}

#[test]
fn a_535_and_an_auth_plain_exchange_are_explained() {
    let mut m = model(Lang::En);
    send(&mut m, "EHLO lab");
    send(&mut m, "AUTH PLAIN");
    assert!(m.live.entries.last().unwrap().text.starts_with("334"));
    type_str(&mut m, "AGZyZWQAd3Jvbmc=");
    let live = screen(&m, 120, 40);
    assert!(live.contains("password \"wrong\""), "{live}");
    update(&mut m, Action::SendLine);
    let last = m.live.entries.last().unwrap();
    assert!(last.text.starts_with("535 5.7.8"));
    let s = screen(&m, 120, 40);
    assert!(s.contains("Credentials refused"), "{s}");
}

#[test]
fn the_route_to_marc_and_the_received_chain_at_pop_wanadoo() {
    let mut m = model(Lang::Fr);
    for l in [
        "EHLO lab",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "Subject: Salut",
        "",
        "Bonjour",
        ".",
    ] {
        send(&mut m, l);
    }
    assert!(
        m.live
            .entries
            .last()
            .unwrap()
            .text
            .starts_with("250 2.0.0 Ok: queued")
    );
    update(&mut m, Action::ToggleBehindTheScenes);
    let s = screen(&m, 120, 40);
    assert!(s.contains("smtp.free.fr → smtp.wanadoo.fr"), "{s}");
    update(&mut m, Action::ToggleBehindTheScenes);
    for l in [
        "/open pop.wanadoo.fr",
        "USER marc",
        "PASS marcpass",
        "RETR 1",
    ] {
        send(&mut m, l);
    }
    let received: Vec<&str> = m
        .live
        .entries
        .iter()
        .map(|e| e.text.as_str())
        .filter(|t| t.starts_with("Received:"))
        .collect();
    assert_eq!(received.len(), 2, "{received:?}");
    let s = screen(&m, 120, 40);
    assert!(
        s.contains("pop.wanadoo.fr:110") && s.contains("TRANSACTION"),
        "{s}"
    );
    type_str(&mut m, "QUIT");
    let notes = m.explained();
    assert!(notes.iter().any(|n| n.body.contains("QUIT")), "{notes:?}");
    update(&mut m, Action::SendLine);
    // Behind the scenes: the handout's itinerary, steps 1 to 6, in order.
    update(&mut m, Action::ToggleBehindTheScenes);
    let s = screen(&m, 200, 50).replace(['\u{a0}', '\u{202f}'], " ");
    let order = [
        "  1 MUA → MTA : smtp.free.fr accepte par SMTP le message",
        "  2 MTA → MTA : smtp.free.fr relaie vers smtp.wanadoo.fr",
        "  3 MTA → MDA : smtp.wanadoo.fr remet le message au MDA",
        "4-5 MUA → serveur POP : marc@wanadoo.fr s'authentifie",
        "  6 serveur POP → MUA : RETR envoie le message 1",
        "  6 QUIT : état UPDATE, 0 message(s) supprimé(s)",
    ];
    let rows: Vec<usize> = order
        .iter()
        .map(|want| {
            s.lines()
                .position(|l| l.contains(want))
                .unwrap_or_else(|| panic!("{want:?} not on screen:\n{s}"))
        })
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}\n{s}");
}

#[test]
fn help_overlay_language_toggle_and_browsing() {
    let mut m = model(Lang::En);
    update(&mut m, Action::ToggleHelp);
    let s = screen(&m, 80, 24);
    assert!(s.contains("Help — keys") && s.contains("/open HOST"), "{s}");
    update(&mut m, Action::ToggleHelp);
    update(&mut m, Action::ToggleLanguage);
    assert_eq!(m.lang, Lang::Fr);
    let s = screen(&m, 120, 40);
    assert!(s.contains("Explication") && s.contains("bannière"), "{s}");
    update(&mut m, Action::BrowseSession);
    assert_eq!(m.focus, Focus::Session(0));
    update(&mut m, Action::LeaveSession);
    assert_eq!(m.focus, Focus::Input);
}

#[test]
fn line_editing_and_history() {
    let mut m = model(Lang::En);
    type_str(&mut m, "NOOP hello world");
    update(&mut m, Action::DeleteWord);
    assert_eq!(m.input, "NOOP hello ");
    update(&mut m, Action::CursorHome);
    update(&mut m, Action::DeleteForward);
    assert_eq!(m.input, "OOP hello ");
    update(&mut m, Action::ClearLine);
    assert!(m.input.is_empty());
    send(&mut m, "NOOP");
    send(&mut m, "HELP");
    update(&mut m, Action::HistoryPrev);
    assert_eq!(m.input, "HELP");
    update(&mut m, Action::HistoryPrev);
    assert_eq!(m.input, "NOOP");
    update(&mut m, Action::HistoryNext);
    update(&mut m, Action::HistoryNext);
    assert!(m.input.is_empty());
    // What is typed is sent exactly: lower case and all.
    send(&mut m, "noop");
    assert!(m.live.entries.iter().any(|e| e.text == "noop"));
}

#[test]
fn escapes_are_shown_inert() {
    let mut m = model(Lang::En);
    send(&mut m, "\u{1b}[2J\u{7}");
    let s = screen(&m, 120, 40);
    assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'));
    assert!(s.contains("␛[2J␇"), "{s}");
}

#[test]
fn the_keymap() {
    let key = |c, m| KeyEvent::new(c, m);
    assert_eq!(
        action_for(
            key(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Mode::Typing,
            false,
            true
        ),
        Some(Action::Quit)
    );
    assert_eq!(
        action_for(
            key(KeyCode::Char('?'), KeyModifiers::NONE),
            Mode::Typing,
            false,
            true
        ),
        Some(Action::ToggleHelp)
    );
    assert_eq!(
        action_for(
            key(KeyCode::Char('?'), KeyModifiers::NONE),
            Mode::Typing,
            false,
            false
        ),
        Some(Action::InsertChar('?'))
    );
    assert_eq!(
        action_for(
            key(KeyCode::Char('M'), KeyModifiers::SHIFT),
            Mode::Typing,
            false,
            true
        ),
        Some(Action::InsertChar('M'))
    );
    assert_eq!(
        action_for(
            key(KeyCode::Up, KeyModifiers::NONE),
            Mode::Browsing,
            false,
            true
        ),
        Some(Action::SelectPrev)
    );
    assert_eq!(
        action_for(
            key(KeyCode::Esc, KeyModifiers::NONE),
            Mode::Typing,
            true,
            true
        ),
        Some(Action::ToggleHelp)
    );
    assert_eq!(
        action_for(
            key(KeyCode::F(2), KeyModifiers::NONE),
            Mode::Browsing,
            false,
            true
        ),
        Some(Action::ToggleLanguage)
    );
}

/// The real binary in tmux, typed into as a person would.
#[test]
fn end_to_end_in_tmux() {
    // .ci/run builds the release binary and names it (FACTEUR_E2E_BIN), as a student runs it.
    let record = std::env::temp_dir().join(format!("facteur-e2e-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&record);
    let t = Tmux::start(
        "e2e",
        100,
        30,
        &format!(
            "env LANG=fr_FR.UTF-8 {} --record {}",
            bin(),
            record.display()
        ),
    );
    t.wait_for("220 smtp.free.fr");
    for line in [
        "EHLO lab",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "Subject: essai",
        "",
        "Bonjour",
        ".",
    ] {
        t.type_text(line);
        t.key("Enter");
    }
    let s = t.wait_for("250 2.0.0 Ok: queued as");
    assert!(s.contains("Explication"), "{s}");
    t.type_text("QUIT");
    t.key("Enter");
    t.wait_for("221 2.0.0");
    t.key("C-c");
    assert!(t.ended(), "Ctrl-C did not quit:\n{}", t.capture());
    let json = std::fs::read_to_string(&record).expect("the --record file");
    let tr = facteur::session::transcript::Transcript::from_json(&json).unwrap();
    assert_eq!(
        (tr.host.as_str(), tr.port, tr.simulated),
        ("smtp.free.fr", 25, true)
    );
    assert!(
        tr.events
            .iter()
            .any(|e| e.line.as_deref() == Some("RCPT TO:<marc@wanadoo.fr>"))
    );
    assert_eq!(
        tr.events.last().unwrap().line.as_deref().map(|l| &l[..3]),
        Some("221")
    );
    let _ = std::fs::remove_file(&record);
}

#[test]
fn connect_options_from_the_command_line() {
    use facteur::net::client::TlsMode;
    use facteur::net::link::Proto;
    use facteur::workbench::connect_options;
    let (o, p) =
        connect_options(Lang::En, "smtp.example.org:465", None, false, false, false).unwrap();
    assert_eq!(
        (o.host.as_str(), o.port, o.tls, p),
        ("smtp.example.org", 465, TlsMode::Implicit, Proto::Smtp)
    );
    let (o, p) =
        connect_options(Lang::En, "pop.example.org:995", None, false, false, true).unwrap();
    assert_eq!(
        (o.tls, p, o.insecure),
        (TlsMode::Implicit, Proto::Pop3, true)
    );
    let (o, p) = connect_options(Lang::En, "127.0.0.1:1110", None, false, false, false).unwrap();
    assert_eq!((o.tls, p), (TlsMode::Plain, Proto::Pop3));
    let (o, _) = connect_options(Lang::En, "mx.example.org", None, false, true, false).unwrap();
    assert_eq!((o.port, o.tls), (25, TlsMode::Plain));
    let (_, p) =
        connect_options(Lang::En, "[::1]:2525", Some("pop3"), false, false, false).unwrap();
    assert_eq!(p, Proto::Pop3);
    assert!(connect_options(Lang::En, "x:notaport", None, false, false, false).is_err());
    assert!(connect_options(Lang::En, "x:25", Some("imap"), false, false, false).is_err());
}

/// A real TCP session from the TUI's model to `facteur serve`, STARTTLS included.
#[test]
fn a_real_server_with_starttls_and_a_refused_connection() {
    use facteur::net::client::{ConnectOptions, TlsMode};
    use facteur::net::link::Proto;
    use facteur::tui::update::{connect_remote, network};
    use std::io::BufRead;
    /// Killed even if the test fails.
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut port = 0;
    for l in lines.by_ref() {
        let l = l.unwrap();
        if l.starts_with("SMTP facteur.lab listening on ") {
            port = l.rsplit(':').next().unwrap().parse().unwrap();
        }
        if l.contains("ready") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let server = Killed(child);
    let mta = Mta::new(World::default(), Store::in_memory(), 1);
    let opts = ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::Plain,
        insecure: true,
        timeout: std::time::Duration::from_secs(5),
    };
    let mut m = connect_remote(Lang::En, mta, opts.clone(), Proto::Smtp, true);
    let wait = |m: &mut Model, want: &str| {
        for _ in 0..200 {
            network(m);
            if m.live
                .entries
                .last()
                .is_some_and(|e| e.text.starts_with(want))
                || m.notice.contains(want)
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("{want:?} never came; notice {:?}", m.notice);
    };
    wait(&mut m, "220 facteur.lab");
    send(&mut m, "EHLO lab");
    wait(&mut m, "250 HELP");
    send(&mut m, "STARTTLS");
    wait(&mut m, "TLS established");
    let ready = m
        .live
        .entries
        .iter()
        .find(|e| e.text.starts_with("220 2.0.0"))
        .unwrap();
    assert!(!ready.encrypted, "the go-ahead itself came in clear");
    // The handshake is an event of the session, with the certificate read from its DER.
    let tls = m
        .live
        .entries
        .iter()
        .find(|e| e.dir == facteur::session::transcript::Dir::Tls)
        .expect("a TLS event");
    let cert = tls.handshake.as_ref().and_then(|h| h.cert.clone()).unwrap();
    assert!(cert.subject.contains("CN="), "{cert:?}");
    assert!(cert.not_before < cert.not_after, "{cert:?}");
    assert!(cert.not_after.ends_with(" UTC"), "{cert:?}");
    let notes: String = tls.notes.iter().map(|n| n.render() + "\n").collect();
    assert!(notes.contains("Valid from"), "{notes}");
    assert!(notes.contains("NOT verified"), "{notes}");
    let t = m.live.transcript();
    let back = facteur::session::transcript::Transcript::from_json(&t.to_json()).unwrap();
    assert_eq!(back, t, "the handshake survives the transcript");
    send(&mut m, "EHLO lab");
    wait(&mut m, "250 HELP");
    let last = m.live.entries.last().unwrap();
    assert!(last.encrypted);
    let s = screen(&m, 120, 40);
    assert!(s.contains("S~ 250 HELP"), "{s}");
    drop(server);
    // Nothing listens any more: a clear message, no panic.
    let mta = Mta::new(World::default(), Store::in_memory(), 1);
    let mut m = connect_remote(Lang::En, mta, opts, Proto::Smtp, true);
    wait(&mut m, "connection refused");
    assert!(m.live.link.info.closed);
}

#[test]
fn the_session_as_a_transcript() {
    let mut m = model(Lang::En);
    m.live.elapsed_ms = 1500;
    send(&mut m, "EHLO lab");
    let t = m.live.transcript();
    assert_eq!(t.protocol, "smtp");
    assert_eq!(
        t.events[0].line.as_deref(),
        Some("220 smtp.free.fr ESMTP facteur")
    );
    assert_eq!(t.events[1].t_ms, 1500);
    let back = facteur::session::transcript::Transcript::from_json(&t.to_json()).unwrap();
    assert_eq!(back, t);
}

/// Snapshots (committed under tests/snapshots/; review a change with
/// `cargo insta review`, or accept it with INSTA_UPDATE=always): whole
/// screens at 80×24, where the layout itself is the subject; only the
/// explanation pane at 120×40, where the explanation is — and a French one
/// is checked to hold no English sentence before it is compared.
mod snapshots {
    use super::*;

    /// As the runtime does before drawing: the panes' sizes for the update.
    fn screen_measured(m: &mut Model, w: u16, h: u16) -> String {
        facteur::tui::view::measure(m, ratatui::layout::Rect::new(0, 0, w, h));
        screen(m, w, h)
    }

    fn lesson(id: &str) -> Model {
        let lesson = facteur::lesson::shipped()
            .into_iter()
            .find(|l| l.id.starts_with(id))
            .unwrap();
        let mut mta = Mta::new(World::default(), Store::in_memory(), 7);
        mta.set_now(1_796_000_000);
        let mut m = facteur::tui::update::open_lesson(Lang::Fr, mta, lesson).unwrap();
        m.color = false;
        m
    }

    #[test]
    fn handout_session_80x24_fr() {
        let mut m = model(Lang::Fr);
        for l in [
            "EHLO skyrunner.home",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
            "DATA",
            "Subject: test",
            "",
            "Bonjour",
            ".",
        ] {
            send(&mut m, l);
        }
        insta::assert_snapshot!(screen_measured(&mut m, 80, 24));
    }

    /// At 80×24 the lesson panel is a few lines high: whatever the lesson,
    /// its first step and the start of its instruction are on screen at
    /// the start (the introduction comes after them and is what is cut),
    /// in French and in English.
    #[test]
    fn every_lesson_shows_its_first_instruction_at_80x24() {
        for lang in [Lang::Fr, Lang::En] {
            for lesson in facteur::lesson::shipped() {
                let id = lesson.id.clone();
                let first: String = {
                    let text = lesson.steps[0].instruction.get(lang);
                    let words: Vec<&str> = text.split_whitespace().take(4).collect();
                    words.join(" ")
                };
                let mut mta = Mta::new(World::default(), Store::in_memory(), 7);
                mta.set_now(1_796_000_000);
                let mut m = facteur::tui::update::open_lesson(lang, mta, lesson).unwrap();
                m.color = false;
                let screen = screen_measured(&mut m, 80, 24);
                let step = if lang == Lang::Fr {
                    "Étape 1/"
                } else {
                    "Step 1/"
                };
                assert!(screen.contains(step), "{id} {lang:?}:\n{screen}");
                assert!(
                    screen.contains(&first),
                    "{id} {lang:?}: {first:?} not on screen:\n{screen}"
                );
            }
        }
    }

    #[test]
    fn lesson_07_start_80x24_fr() {
        let mut m = lesson("07");
        insta::assert_snapshot!(screen_measured(&mut m, 80, 24));
    }

    #[test]
    fn lesson_09_after_retr_80x24_fr() {
        let mut m = lesson("09");
        for l in [
            "EHLO pc-fred.free.fr",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
            "DATA",
            "Subject: itinéraire",
            "",
            "Bonjour",
            ".",
            "QUIT",
            "/open pop.wanadoo.fr",
            "USER marc",
            "PASS marcpass",
            "RETR 1",
        ] {
            facteur::tui::view::measure(&mut m, ratatui::layout::Rect::new(0, 0, 80, 24));
            send(&mut m, l);
        }
        // The hops, brought into view from the keyboard (F9).
        for _ in 0..2 {
            update(&mut m, Action::PageExplainDown);
            facteur::tui::view::measure(&mut m, ratatui::layout::Rect::new(0, 0, 80, 24));
        }
        insta::assert_snapshot!(screen_measured(&mut m, 80, 24));
    }

    #[test]
    fn tab_browsing_80x24_fr() {
        let mut m = model(Lang::Fr);
        send(&mut m, "EHLO lab");
        send(&mut m, "MAIL FROM: <fred@free.fr> SIZE=1000");
        update(&mut m, Action::BrowseSession);
        update(&mut m, Action::SelectPrev);
        update(&mut m, Action::NoteNext);
        update(&mut m, Action::NoteNext);
        insta::assert_snapshot!(screen_measured(&mut m, 80, 24));
    }

    #[test]
    fn first_screen_80x24() {
        insta::assert_snapshot!(screen(&model(Lang::Fr), 80, 24));
    }

    #[test]
    fn mail_from_half_typed_120x40() {
        let mut m = model(Lang::Fr);
        send(&mut m, "EHLO lab");
        type_str(&mut m, "MAIL FROM:<fred@fr");
        let p = pane(&mut m, 120, 40, |a| a.right);
        assert!(english_words(&p).is_empty(), "{:?}\n{p}", english_words(&p));
        insta::assert_snapshot!(p);
    }

    #[test]
    fn reply_535_explained_120x40() {
        let mut m = model(Lang::En);
        send(&mut m, "EHLO lab");
        send(&mut m, "AUTH PLAIN AGZyZWQAd3Jvbmc=");
        insta::assert_snapshot!(pane(&mut m, 120, 40, |a| a.right));
    }

    #[test]
    fn auth_plain_decoded_120x40() {
        let mut m = model(Lang::Fr);
        send(&mut m, "EHLO lab");
        send(&mut m, "AUTH PLAIN");
        type_str(&mut m, "AGZyZWQAZnJlZHBhc3M=");
        let p = pane(&mut m, 120, 40, |a| a.right);
        assert!(english_words(&p).is_empty(), "{:?}\n{p}", english_words(&p));
        insta::assert_snapshot!(p);
    }

    #[test]
    fn received_chain_at_pop_wanadoo_120x40() {
        let mut m = model(Lang::Fr);
        for l in [
            "EHLO lab",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
            "DATA",
            "Subject: Salut",
            "",
            "Bonjour",
            ".",
        ] {
            send(&mut m, l);
        }
        for l in [
            "/open pop.wanadoo.fr",
            "USER marc",
            "PASS marcpass",
            "RETR 1",
        ] {
            send(&mut m, l);
        }
        update(&mut m, Action::BrowseSession);
        let p = pane(&mut m, 120, 40, |a| a.right);
        assert!(english_words(&p).is_empty(), "{:?}\n{p}", english_words(&p));
        insta::assert_snapshot!(p);
    }

    #[test]
    fn help_overlay_80x24() {
        let mut m = model(Lang::En);
        update(&mut m, Action::ToggleHelp);
        insta::assert_snapshot!(screen(&m, 80, 24));
    }
}

#[test]
fn timestamps_contrast_and_wheel() {
    let mut m = model(Lang::En);
    m.live.elapsed_ms = 2500;
    send(&mut m, "NOOP");
    update(&mut m, Action::ToggleTimestamps);
    let s = screen(&m, 120, 40);
    assert!(s.contains("    2.5s C: NOOP"), "{s}");
    update(&mut m, Action::ToggleContrast);
    assert!(m.high_contrast);
    for _ in 0..30 {
        send(&mut m, "NOOP");
    }
    update(&mut m, Action::WheelUp);
    assert_eq!(m.scroll, 3);
    update(&mut m, Action::WheelDown);
    assert_eq!(m.scroll, 0);
    update(&mut m, Action::ScrollExplainDown);
    assert_eq!(m.explain_scroll, 3);
    type_str(&mut m, "X");
    assert_eq!(m.explain_scroll, 0, "a new explanation starts at its top");
}

#[test]
fn reconnect_after_the_server_closed() {
    let mut m = model(Lang::En);
    send(&mut m, "QUIT");
    assert!(m.live.link.info.closed);
    assert!(m.notice.contains("/reconnect"));
    send(&mut m, "NOOP");
    assert_eq!(
        m.live.entries.last().unwrap().text,
        "221 2.0.0 smtp.free.fr Bye",
        "nothing sent on a closed link"
    );
    send(&mut m, "/reconnect");
    assert!(!m.live.link.info.closed);
    // The session goes on: a separator for the new connection, then its greeting.
    let n = m.live.entries.len();
    assert_eq!(n, 5, "220, QUIT, 221, the new connection, 220");
    assert_eq!(m.live.entries[n - 2].text, "── smtp.free.fr:25 (SMTP) ──");
    assert!(m.live.entries[n - 1].text.starts_with("220 smtp.free.fr"));
    // The recording keeps both connections.
    let t = m.live.transcript();
    let back = facteur::session::transcript::Transcript::from_json(&t.to_json()).unwrap();
    assert_eq!(back.events.len(), 5);
    assert_eq!(back.events[3].open.as_ref().unwrap().host, "smtp.free.fr");
    send(&mut m, "/open nowhere.example");
    assert!(
        m.notice.contains("Unknown host") && m.notice.contains("pop.wanadoo.fr"),
        "{}",
        m.notice
    );
}

/// Browsing a past line, ←/→ points at one annotation after another and
/// the bytes it is about are highlighted in the session pane.
#[test]
fn the_pointed_annotation_highlights_its_span() {
    let mut m = model(Lang::En);
    m.color = true;
    send(&mut m, "EHLO lab");
    send(&mut m, "MAIL FROM:<fred@free.fr>");
    update(&mut m, Action::BrowseSession);
    // Up to the MAIL line (the last entry is the server's 250).
    update(&mut m, Action::SelectPrev);
    let Focus::Session(i) = m.focus else {
        panic!("browsing")
    };
    assert_eq!(m.live.entries[i].text, "MAIL FROM:<fred@free.fr>");
    let notes = m.live.entries[i].notes.clone();
    // Find an annotation about a part of the line, not all of it.
    let k = notes
        .iter()
        .position(|n| n.span.start > 0 && n.span.end > n.span.start)
        .expect("an annotation about part of the line");
    for _ in 0..k {
        update(&mut m, Action::NoteNext);
    }
    assert_eq!(m.note, k);
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| draw(&m, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let row = (0..40)
        .find(|&y| {
            (0..60)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .contains("C: MAIL FROM")
        })
        .unwrap();
    // The column (cells, not bytes: the border "│" is one cell of three
    // bytes) where the line's text starts, after "C: ".
    let cell = |x: u16| buf[(x, row)].symbol().to_string();
    let x0 = (0..110u16)
        .find(|&x| cell(x) == "C" && cell(x + 1) == ":" && cell(x + 3) == "M")
        .expect("the C: prefix")
        + 3;
    let highlighted: String = (0..60u16)
        .filter(|&x| buf[(x, row)].bg == ratatui::style::Color::Yellow)
        .map(cell)
        .collect();
    let span = &notes[k].span;
    assert_eq!(highlighted, &m.live.entries[i].text[span.clone()]);
    // Exactly the span's cells: its first and last are highlighted, the
    // cells just outside are not.
    let (first, last) = (x0 + span.start as u16, x0 + span.end as u16 - 1);
    assert_eq!(buf[(first, row)].bg, ratatui::style::Color::Yellow);
    assert_eq!(buf[(last, row)].bg, ratatui::style::Color::Yellow);
    assert_ne!(buf[(first - 1, row)].bg, ratatui::style::Color::Yellow);
    assert_ne!(buf[(last + 1, row)].bg, ratatui::style::Color::Yellow);
    // The explanation marks the pointed annotation.
    let s = screen(&m, 120, 40);
    assert!(
        s.contains(&format!(
            "▶{} {}",
            notes[k].severity.symbol(),
            notes[k].title
        )),
        "{s}"
    );
    // Moving to another line starts again at its first annotation.
    update(&mut m, Action::SelectNext);
    assert_eq!(m.note, 0);
}

/// A pasted message body in DATA mode goes out line by line.
#[test]
fn a_pasted_block_sends_its_lines() {
    use facteur::tui::action::paste_actions;
    let mut m = model(Lang::En);
    let body = "EHLO lab\r\nMAIL FROM:<fred@free.fr>\nRCPT TO:<marc@wanadoo.fr>\rDATA\r\nSubject: collé\r\n\r\nBonjour\x1b[2J\r\n.\r\n";
    for a in paste_actions(body) {
        update(&mut m, a);
    }
    let sent: Vec<&str> = m
        .live
        .entries
        .iter()
        .filter(|e| e.dir == facteur::session::transcript::Dir::Client)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        sent,
        [
            "EHLO lab",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
            "DATA",
            "Subject: collé",
            "",
            "Bonjour[2J",
            "."
        ]
    );
    assert!(
        m.live.entries.last().unwrap().text.starts_with("250"),
        "{:?}",
        m.live.entries.last()
    );
}

/// `facteur replay`: a shipped transcript stepped, played, jumped into.
#[test]
fn replaying_a_transcript() {
    use facteur::session::replay::load_file;
    use facteur::tui::update::open_replay;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("transcripts/route-fred-to-marc.json");
    let r = load_file(Lang::En, &path).unwrap();
    let total = r.entries.len();
    let mut m = open_replay(
        Lang::En,
        Mta::new(World::default(), Store::in_memory(), 1),
        r,
    );
    m.color = false;
    assert_eq!(m.mode(), Mode::Replay);
    assert!(m.shown().is_empty());
    let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
    let act = |m: &mut Model, c: KeyCode| {
        if let Some(a) = action_for(key(c), m.mode(), m.show_help, m.input.is_empty()) {
            update(m, a);
        }
    };
    act(&mut m, KeyCode::Right);
    act(&mut m, KeyCode::Right);
    assert_eq!(m.shown().len(), 2);
    // Stepped onto the first line of the EHLO reply (a continuation line):
    // it is explained with its reply, not left blank.
    act(&mut m, KeyCode::Right);
    assert!(
        m.shown()[2].text.starts_with("250-"),
        "{}",
        m.shown()[2].text
    );
    let notes = m.explained();
    assert!(
        notes.iter().any(|n| n.render().contains("Reply 250")),
        "{:?}",
        notes.iter().map(|n| n.title.clone()).collect::<Vec<_>>()
    );
    act(&mut m, KeyCode::Left);
    let s = screen(&m, 120, 40);
    assert!(s.contains("Replay — route-fred-to-marc.json"), "{s}");
    assert!(s.contains(&format!("line 2/{total}")), "{s}");
    assert!(s.contains("C: EHLO pc-fred.free.fr"), "{s}");
    // The state strip follows the position.
    assert!(
        s.contains("Connected") || s.contains("not introduced"),
        "{s}"
    );
    act(&mut m, KeyCode::Left);
    assert_eq!(m.shown().len(), 1);
    // g, a number, Enter: jump.
    act(&mut m, KeyCode::Char('g'));
    assert_eq!(m.mode(), Mode::Typing);
    for c in "30".chars() {
        act(&mut m, KeyCode::Char(c));
    }
    act(&mut m, KeyCode::Enter);
    assert_eq!(m.shown().len(), 30);
    assert_eq!(m.mode(), Mode::Replay);
    // Auto-play at 64×: the clock brings every line.
    act(&mut m, KeyCode::Char(' '));
    for _ in 0..8 {
        act(&mut m, KeyCode::Char('+'));
    }
    let mut t = m.live.elapsed_ms;
    while m.replay.as_ref().unwrap().playing {
        t += 100;
        update(&mut m, Action::Tick(t));
        assert!(t < 1_000_000, "auto-play never ended");
    }
    assert_eq!(m.shown().len(), total);
    let s = screen(&m, 120, 40);
    assert!(s.contains("signing off"), "{s}");
    // Browse a line of the replay; the explanation of marc's RETR is there.
    act(&mut m, KeyCode::Home);
    assert!(m.shown().is_empty());
    act(&mut m, KeyCode::End);
    act(&mut m, KeyCode::Tab);
    assert_eq!(m.mode(), Mode::Browsing);
    // Explanations are computed when a line is looked at (not kept in memory).
    for _ in 0..8 {
        act(&mut m, KeyCode::Up);
    }
    let Focus::Session(i) = m.focus else { panic!() };
    assert!(m.live.entries[i].notes.is_empty());
    let notes = m.explained();
    assert!(
        !notes.is_empty(),
        "line {i} {:?} is explained",
        m.live.entries[i].text
    );
    // French at once, at the same place.
    update(&mut m, Action::ToggleLanguage);
    assert_eq!(m.shown().len(), total);
    update(&mut m, Action::LeaveSession);
    let s = screen(&m, 120, 40);
    assert!(s.contains(&format!("ligne {total}/{total}")), "{s}");
}
