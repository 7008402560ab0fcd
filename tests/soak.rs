//! The TUI model under a random storm: 100,000 random keys, pastes, server
//! lines full of escapes and garbage, connections opened and closed, frames
//! drawn at random sizes — no panic, memory bounded. And real servers that
//! misbehave: a 1 MB reply line, no answer at all, a close mid-reply.

use facteur::explain::Lang;
use facteur::sim::mta::Mta;
use facteur::sim::store::Store;
use facteur::sim::world::World;
use facteur::tui::action::{Action, action_for, paste_actions};
use facteur::tui::model::Model;
use facteur::tui::update::{HISTORY, MAX_INPUT, SCROLLBACK, connect, update};
use facteur::tui::view::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const ITERATIONS: u32 = 100_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

fn frame(m: &Model, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(m, f)).unwrap();
}

#[test]
fn a_hundred_thousand_random_actions() {
    let mut mta = Mta::new(World::default(), Store::in_memory(), 5);
    mta.set_now(1_796_025_600);
    let mut m = connect(Lang::Fr, mta, "smtp.free.fr").unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let lines: &[&str] = &[
        "EHLO lab",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        ".",
        "AUTH PLAIN AGZyZWQAZnJlZHBhc3M=",
        "AUTH LOGIN",
        "STARTTLS",
        "QUIT",
        "/reconnect",
        "/open pop.wanadoo.fr",
        "/open smtp.free.fr",
        "/open nowhere",
        "USER marc",
        "PASS marcpass",
        "RETR 1",
        "DELE 1",
        "LIST",
    ];
    let garbage: &[&[u8]] = &[
        b"\x1b[2J\x1b[H\x1b]0;pwned\x07",
        b"250-\x00\x01\x02\xff\xfe",
        b"\x9b31m red \x1bP+q\x1b\\",
        b"220 \xe2\x80\xae reversed \xcc\x81\xcc\x81\xcc\x81 combining \xf0\x9f\x93\xa7",
        b"+OK \r\n-ERR [IN-USE]\n354 x\r250 ok",
        b"",
        b"\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t",
    ];
    let keys = [
        KeyCode::Enter,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Tab,
        KeyCode::Esc,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::F(1),
        KeyCode::F(3),
        KeyCode::F(4),
        KeyCode::F(5),
        KeyCode::F(7),
    ];
    for i in 0..ITERATIONS {
        match rng.below(100) {
            // A key through the keymap, as the runtime does.
            0..=49 => {
                let code = if rng.below(2) == 0 {
                    *rng.pick(&keys)
                } else {
                    KeyCode::Char(char::from_u32(rng.below(0x3000) as u32).unwrap_or('x'))
                };
                let mods = *rng.pick(&[
                    KeyModifiers::NONE,
                    KeyModifiers::CONTROL,
                    KeyModifiers::SHIFT,
                ]);
                if code == KeyCode::Char('c') || code == KeyCode::Char('d') {
                    continue; // Ctrl-C / Ctrl-D would quit
                }
                if let Some(a) = action_for(
                    KeyEvent::new(code, mods),
                    m.mode(),
                    m.show_help,
                    m.input.is_empty(),
                ) && a != Action::Quit
                {
                    update(&mut m, a);
                }
            }
            // A whole command, typed and sent.
            50..=69 => {
                for c in rng.pick(lines).chars() {
                    update(&mut m, Action::InsertChar(c));
                }
                update(&mut m, Action::SendLine);
            }
            // A paste, sometimes big.
            70..=74 => {
                let n = rng.below(600) as usize;
                let text: String = (0..n)
                    .map(|k| if k % 97 == 0 { '\n' } else { 'p' })
                    .collect();
                for a in paste_actions(&text) {
                    update(&mut m, a);
                }
            }
            // Garbage from the server.
            75..=89 => {
                let g = rng.pick(garbage);
                m.live.receive(g);
            }
            // Mouse, clock.
            90..=96 => update(
                &mut m,
                *rng.pick(&[
                    Action::WheelUp,
                    Action::WheelDown,
                    Action::ScrollExplainUp,
                    Action::ScrollExplainDown,
                    Action::Tick(i as u64),
                ]),
            ),
            _ => {}
        }
        // F2 explains the whole session again: now and then, not at every other key.
        if i % 10_000 == 5_000 {
            update(&mut m, Action::ToggleLanguage);
        }
        if i % 500 == 0 {
            let w = 1 + rng.below(250) as u16;
            let h = 1 + rng.below(70) as u16;
            frame(&m, w, h);
        }
        assert!(!m.quit);
        assert!(m.live.entries.len() <= SCROLLBACK);
        assert!(m.input.len() <= MAX_INPUT + 4, "{}", m.input.len());
        assert!(m.history.len() <= HISTORY);
    }
    // Nothing a server sent reaches the terminal raw.
    for e in &m.live.entries {
        assert!(
            !e.text.contains('\u{1b}') && !e.text.contains('\u{9b}') && !e.text.contains('\u{7}'),
            "{:?}",
            e.text
        );
    }
    frame(&m, 80, 24);
    frame(&m, 250, 70);
}

/// A real server that misbehaves, on a local socket: the model stays responsive.
#[test]
fn a_real_server_that_floods_stalls_or_hangs_up() {
    use facteur::net::client::{ConnectOptions, TlsMode};
    use facteur::net::link::Proto;
    use facteur::tui::update::{connect_remote, network};
    use std::io::Write;
    use std::time::{Duration, Instant};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        // 1: a 1 MB line, then a normal one, then silence.
        let (mut a, _) = listener.accept().unwrap();
        a.write_all(b"220 flood\r\n").unwrap();
        a.write_all(&vec![b'A'; 1 << 20]).unwrap();
        a.write_all(b"\r\n250 after the flood\r\n").unwrap();
        // 2: says nothing at all.
        let (b, _) = listener.accept().unwrap();
        // 3: hangs up in the middle of a multi-line reply.
        let (mut c, _) = listener.accept().unwrap();
        c.write_all(b"220 short\r\n250-first\r\n250-sec").unwrap();
        drop(c);
        std::thread::sleep(Duration::from_secs(3));
        drop((a, b));
    });
    let opts = ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::Plain,
        insecure: false,
        timeout: Duration::from_secs(5),
    };
    let mta = || Mta::new(World::default(), Store::in_memory(), 1);
    let until = |m: &mut Model, what: &str| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            let t = Instant::now();
            network(m);
            frame(m, 120, 40);
            assert!(
                t.elapsed() < Duration::from_millis(500),
                "a step took {:?}",
                t.elapsed()
            );
            if m.live.entries.iter().any(|e| e.text.contains(what)) || m.notice.contains(what) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "{what:?} never came: {:?}",
            m.live
                .entries
                .iter()
                .map(|e| e.text.clone())
                .collect::<Vec<_>>()
        );
    };
    let mut m = connect_remote(Lang::En, mta(), opts.clone(), Proto::Smtp, true);
    until(&mut m, "250 after the flood");
    let cut = m
        .live
        .entries
        .iter()
        .find(|e| e.text.contains("octets cut"))
        .expect("the flood is reported, not kept");
    assert!(cut.text.len() < 200);
    // 2: silence — typing and sending still work at once.
    let mut m = connect_remote(Lang::En, mta(), opts.clone(), Proto::Smtp, true);
    // Connected, and the server says nothing: typing must still be instant.
    until(&mut m, "connected to");
    for c in "EHLO lab".chars() {
        let t = Instant::now();
        update(&mut m, Action::InsertChar(c));
        frame(&m, 120, 40);
        assert!(t.elapsed() < Duration::from_millis(200));
    }
    update(&mut m, Action::SendLine);
    assert_eq!(m.live.entries.last().unwrap().text, "EHLO lab");
    // 3: the close mid-reply is said; what came is shown.
    let mut m = connect_remote(Lang::En, mta(), opts, Proto::Smtp, true);
    until(&mut m, "250-first");
    until(&mut m, "closed");
    assert!(m.live.link.info.closed);
    server.join().unwrap();
}

/// The limits are reached, not only respected: a 70 KiB paste without a
/// line break stops the typed line at MAX_INPUT, and a server sending more
/// lines than the scrollback keeps makes it drop its oldest ones.
#[test]
fn the_input_and_scrollback_limits_are_reached_and_hold() {
    let mut mta = Mta::new(World::default(), Store::in_memory(), 5);
    mta.set_now(1_796_000_000);
    let mut m = connect(Lang::En, mta, "smtp.free.fr").unwrap();
    let long: String = "x".repeat(70 * 1024);
    for a in paste_actions(&long) {
        update(&mut m, a);
    }
    assert_eq!(
        m.input.len(),
        MAX_INPUT,
        "the typed line stops at its limit"
    );
    assert!(
        m.notice.contains("KiB") || !m.notice.is_empty(),
        "{}",
        m.notice
    );
    update(&mut m, Action::ClearLine);
    let flood = "250 ok\r\n".repeat(SCROLLBACK + 5_000);
    m.live.receive(flood.as_bytes());
    assert!(
        m.live.entries.len() <= SCROLLBACK,
        "{}",
        m.live.entries.len()
    );
    assert!(
        m.live.dropped >= 5_000,
        "the oldest lines were dropped: {}",
        m.live.dropped
    );
    // Still usable.
    for c in "NOOP".chars() {
        update(&mut m, Action::InsertChar(c));
    }
    update(&mut m, Action::SendLine);
    assert!(m.live.entries.last().unwrap().text.starts_with("250"));
}
