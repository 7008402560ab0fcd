//! The only place where the TUI's state changes: `update(model, action)`.
//! Sending a line goes through the in-memory link to the simulated server,
//! exactly as typed, with CRLF — facteur never rewrites a command.

use crate::explain::catalog::{fill, text};
use crate::net::client::{ConnectOptions, NetEvent};
use crate::session::transcript::{Dir, Endpoint, Event, Handshake};
use crate::sim::mta::Mta;
use crate::tui::action::Action;
use crate::tui::link::Link;
use crate::tui::link::{Incoming, Proto};
use crate::tui::model::{Explainer, Focus, Model, RightPane};
use crate::tui::modes::replay_to;
pub use crate::tui::modes::{lesson_check, open_lesson, open_replay};

pub use crate::tui::scrollback::SCROLLBACK;
use crate::tui::scrollback::push_event;

/// The longest line that can be typed (a message line is at most 1,000
/// octets, RFC 5321 §4.5.3.1.6; a pasted flood stops here).
pub const MAX_INPUT: usize = 64 * 1024;

/// Commands kept in the history.
pub const HISTORY: usize = 1_000;

/// A new model connected to `host` of the world (the course's smtp.free.fr by default).
pub fn connect(lang: crate::explain::lang::Lang, mut mta: Mta, host: &str) -> Option<Model> {
    let (link, greeting) = Link::open(&mut mta, host, None, true)?;
    let mut model = new_model(lang, mta, link);
    model.notice = connected_notice(&model);
    receive(&mut model, &greeting);
    Some(model)
}

/// A new model connected to a real server (`facteur connect`).
pub fn connect_remote(
    lang: crate::explain::lang::Lang,
    mta: Mta,
    opts: ConnectOptions,
    proto: Proto,
    given: bool,
) -> Model {
    let mut link = Link::connect(opts, proto);
    link.detect_proto = !given;
    let mut model = new_model(lang, mta, link);
    let name = proto.name();
    model.notice = fill(
        lang,
        "tui.net.connecting",
        &[&model.link.host, &model.link.port, &name],
    );
    model
}

/// The first line of a real server whose protocol was only guessed from
/// the port: `+OK` is POP3 (RFC 1939 §4), `220` SMTP (RFC 5321 §4.3.1).
fn detect_protocol(m: &mut Model, greeting: &[u8]) {
    m.link.detect_proto = false;
    let found = if greeting.starts_with(b"+OK") {
        Proto::Pop3
    } else if greeting.starts_with(b"220") {
        Proto::Smtp
    } else {
        m.notice = text(m.lang, "tui.net.unknown_greeting");
        return;
    };
    if found != m.link.proto {
        m.link.proto = found;
        m.origin.protocol = found.name().to_ascii_lowercase();
        m.explainer = crate::explain::session::Explainer::for_proto(found);
        m.notice = fill(m.lang, "tui.net.proto_detected", &[&found.name()]);
    }
}

/// Take in what a real server sent; true if anything changed.
pub fn network(m: &mut Model) -> bool {
    let incoming = m.link.poll();
    let changed = !incoming.is_empty();
    for i in incoming {
        match i {
            Incoming::Line(l, encrypted) => {
                if m.link.detect_proto {
                    detect_protocol(m, &l);
                }
                push_as(m, Dir::Server, &l, encrypted)
            }
            Incoming::Event(NetEvent::Connected(peer)) => {
                m.notice = fill(m.lang, "tui.net.connected", &[&peer])
            }
            Incoming::Event(NetEvent::Tls(h)) => {
                let cert = if h.verified {
                    text(m.lang, "tui.net.verified")
                } else {
                    text(m.lang, "tui.net.unverified")
                };
                m.notice = fill(m.lang, "tui.net.tls", &[&h.version, &h.cipher, &cert]);
                push_handshake(m, h);
            }
            Incoming::Event(NetEvent::Closed) => m.notice = text(m.lang, "tui.net.closed"),
            Incoming::Event(NetEvent::Failed(why)) => {
                m.notice = fill(m.lang, "tui.net.failed", &[&why.describe(m.lang)])
            }
            Incoming::Event(NetEvent::Injected(n)) => {
                m.notice = fill(m.lang, "tui.net.injected", &[&n])
            }
            Incoming::Event(NetEvent::NotSent(n)) => {
                m.notice = fill(m.lang, "tui.net.not_sent", &[&n])
            }
            Incoming::Event(NetEvent::Data(_)) => {}
        }
    }
    changed
}

pub(crate) fn new_model(lang: crate::explain::lang::Lang, mta: Mta, link: Link) -> Model {
    Model {
        lang,
        entries: Vec::new(),
        explainer: Explainer::for_proto(link.proto),
        input: String::new(),
        cursor: 0,
        history: Vec::new(),
        history_pos: None,
        scroll: 0,
        focus: Focus::Input,
        note: 0,
        origin: Endpoint {
            host: link.host.clone(),
            port: link.port,
            protocol: link.proto.word().into(),
        },
        right: RightPane::Explanation,
        show_help: false,
        notice: String::new(),
        quit: false,
        color: true,
        high_contrast: false,
        timestamps: false,
        explain_scroll: 0,
        started: mta.now(),
        elapsed_ms: 0,
        link,
        mta,
        replay: None,
        jumping: false,
        save_requested: false,
        lesson: None,
        dropped: 0,
        scrollback: SCROLLBACK,
        snapshots: Default::default(),
        tool: None,
    }
}

fn connected_notice(m: &Model) -> String {
    let proto = m.link.proto.name();
    fill(
        m.lang,
        "tui.connected",
        &[&m.link.host, &m.link.port, &proto],
    )
}

fn push(m: &mut Model, dir: Dir, raw: &[u8]) {
    let encrypted = m.link.tls;
    push_as(m, dir, raw, encrypted);
}

fn push_as(m: &mut Model, dir: Dir, raw: &[u8], encrypted: bool) {
    push_event(m, Event::new(m.elapsed_ms, dir, raw, encrypted));
}

/// A TLS handshake, as an event line of the session.
pub fn push_handshake(m: &mut Model, h: Handshake) {
    push_event(m, Event::handshake(m.elapsed_ms, h));
}

/// Server bytes arrive: split into lines (any ending), each explained.
pub fn receive(m: &mut Model, bytes: &[u8]) {
    for line in crate::proto::data::split_lines(bytes) {
        push(m, Dir::Server, line);
    }
}

/// Apply one action.
pub fn update(m: &mut Model, action: Action) {
    match action {
        Action::InsertChar(_) if m.input.len() >= MAX_INPUT => {
            m.notice = fill(m.lang, "tui.input_full", &[&MAX_INPUT]);
        }
        Action::InsertChar(c) => {
            m.explain_scroll = 0;
            let at = byte_index(&m.input, m.cursor);
            m.input.insert(at, c);
            m.cursor += 1;
            m.history_pos = None;
        }
        Action::DeleteBack if m.cursor > 0 => {
            m.cursor -= 1;
            let at = byte_index(&m.input, m.cursor);
            m.input.remove(at);
        }
        Action::DeleteForward if m.cursor < m.input.chars().count() => {
            let at = byte_index(&m.input, m.cursor);
            m.input.remove(at);
        }
        Action::DeleteBack | Action::DeleteForward => {}
        Action::CursorLeft => m.cursor = m.cursor.saturating_sub(1),
        Action::CursorRight => m.cursor = (m.cursor + 1).min(m.input.chars().count()),
        Action::CursorHome => m.cursor = 0,
        Action::CursorEnd => m.cursor = m.input.chars().count(),
        Action::ClearLine => {
            m.input.clear();
            m.cursor = 0;
        }
        Action::DeleteWord => {
            let chars: Vec<char> = m.input.chars().collect();
            let mut start = m.cursor;
            while start > 0 && chars[start - 1] == ' ' {
                start -= 1;
            }
            while start > 0 && chars[start - 1] != ' ' {
                start -= 1;
            }
            m.input = chars[..start].iter().chain(&chars[m.cursor..]).collect();
            m.cursor = start;
        }
        Action::HistoryPrev if !m.history.is_empty() => {
            let pos = match m.history_pos {
                None => m.history.len() - 1,
                Some(p) => p.saturating_sub(1),
            };
            m.history_pos = Some(pos);
            m.input = m.history[pos].clone();
            m.cursor = m.input.chars().count();
        }
        Action::HistoryNext => match m.history_pos {
            Some(p) if p + 1 < m.history.len() => {
                m.history_pos = Some(p + 1);
                m.input = m.history[p + 1].clone();
                m.cursor = m.input.chars().count();
            }
            Some(_) => {
                m.history_pos = None;
                m.input.clear();
                m.cursor = 0;
            }
            None => {}
        },
        Action::HistoryPrev => {}
        Action::SendLine => send_line(m),
        // The help overlay scrolls when it does not fit.
        Action::ScrollUp | Action::WheelUp if m.show_help => {
            m.explain_scroll = m.explain_scroll.saturating_sub(5)
        }
        Action::ScrollDown | Action::WheelDown if m.show_help => {
            m.explain_scroll = m.explain_scroll.saturating_add(5)
        }
        Action::ScrollUp => m.scroll = (m.scroll + 10).min(m.shown().len().saturating_sub(1)),
        Action::ScrollDown => m.scroll = m.scroll.saturating_sub(10),
        Action::WheelUp => m.scroll = (m.scroll + 3).min(m.shown().len().saturating_sub(1)),
        Action::WheelDown => m.scroll = m.scroll.saturating_sub(3),
        Action::BrowseSession if !m.shown().is_empty() => {
            m.focus = Focus::Session(m.shown().len() - 1);
            m.note = 0;
        }
        Action::BrowseSession => {}
        Action::LeaveSession => m.focus = Focus::Input,
        Action::SelectPrev => {
            if let Focus::Session(i) = m.focus {
                m.focus = Focus::Session(i.saturating_sub(1));
                m.note = 0;
                m.explain_scroll = 0;
            }
        }
        Action::SelectNext => {
            if let Focus::Session(i) = m.focus {
                m.focus = Focus::Session((i + 1).min(m.shown().len().saturating_sub(1)));
                m.note = 0;
                m.explain_scroll = 0;
            }
        }
        Action::NotePrev => m.note = m.note.saturating_sub(1),
        Action::NoteNext => {
            if let Focus::Session(i) = m.focus {
                let count = m.notes_of(i, false).len();
                m.note = (m.note + 1).min(count.saturating_sub(1));
            }
        }
        Action::ToggleLanguage if m.replay.is_some() => {
            m.lang = m.lang.other();
            if let Some(r) = m.replay.take() {
                let r = r.relang(m.lang);
                let mut r = r;
                m.entries = r.take_entries();
                m.explainer = r.explainer_at(m.lang, r.pos);
                m.notice = fill(m.lang, "tui.replay.loaded", &[&r.name, &r.len()]);
                m.replay = Some(r);
            }
        }
        Action::ToggleLanguage => {
            m.lang = m.lang.other();
            let first = Proto::parse(&m.origin.protocol).unwrap_or(m.link.proto);
            crate::tui::scrollback::reexplain(m, first);
            if !m.link.remote {
                m.notice = connected_notice(m);
            }
        }
        Action::ToggleHelp => {
            m.show_help = !m.show_help;
            m.explain_scroll = 0;
        }
        Action::ToggleContrast => m.high_contrast = !m.high_contrast,
        Action::ToggleTimestamps => m.timestamps = !m.timestamps,
        Action::SaveReport => m.save_requested = true,
        Action::LessonHint => {
            if let Some(run) = m.lesson.as_mut() {
                let had = run.hints_shown;
                let _ = run.hint();
                if run.hints_shown == had {
                    m.notice = text(m.lang, "lesson.no_more_hints");
                }
            }
        }
        Action::ScrollExplainUp => m.explain_scroll = m.explain_scroll.saturating_sub(3),
        Action::ScrollExplainDown => m.explain_scroll = m.explain_scroll.saturating_add(3),
        Action::ToggleBehindTheScenes => {
            m.right = match m.right {
                RightPane::Explanation => RightPane::BehindTheScenes,
                RightPane::BehindTheScenes => RightPane::Explanation,
            }
        }
        Action::Quit => {
            m.link.close(&mut m.mta);
            m.quit = true;
        }
        Action::ReplayNext | Action::ReplayPrev | Action::ReplayFirst | Action::ReplayLast => {
            if let Some(r) = &m.replay {
                let pos = match action {
                    Action::ReplayNext => r.pos + 1,
                    Action::ReplayPrev => r.pos.saturating_sub(1),
                    Action::ReplayFirst => 0,
                    _ => r.len(),
                };
                replay_to(m, pos);
            }
        }
        Action::ReplayPlay => {
            let now = m.elapsed_ms;
            if let Some(r) = m.replay.as_mut() {
                r.toggle_play(now);
            }
        }
        Action::ReplayFaster | Action::ReplaySlower => {
            if let Some(r) = m.replay.as_mut() {
                if action == Action::ReplayFaster {
                    r.faster()
                } else {
                    r.slower()
                }
            }
        }
        Action::ReplayJump if m.replay.is_some() => {
            m.jumping = true;
            m.input.clear();
            m.cursor = 0;
        }
        Action::ReplayJump => {}
        Action::Tick(now) => {
            m.elapsed_ms = now;
            let moved = m.replay.as_mut().is_some_and(|r| r.tick(now));
            if moved {
                let pos = m.replay.as_ref().map_or(0, |r| r.pos);
                replay_to(m, pos);
            }
        }
    }
}

fn send_line(m: &mut Model) {
    if m.replay.is_some() {
        // Replay: Enter after `g` jumps to the line typed (numbered from 1).
        let line = std::mem::take(&mut m.input);
        m.cursor = 0;
        m.jumping = false;
        match line.trim().parse::<usize>() {
            Ok(n) => replay_to(m, n),
            Err(_) if line.trim().is_empty() => {}
            Err(_) => m.notice = fill(m.lang, "tui.replay.not_a_number", &[&line]),
        }
        return;
    }
    let line = std::mem::take(&mut m.input);
    m.cursor = 0;
    m.history_pos = None;
    m.scroll = 0;
    if !line.is_empty() && m.history.last() != Some(&line) {
        m.history.push(line.clone());
        if m.history.len() > HISTORY {
            m.history.remove(0);
        }
    }
    if crate::tui::commands::handle(m, &line) {
        return lesson_check(m);
    }
    if let Some(rest) = line.strip_prefix("/open") {
        open(m, rest.trim());
        lesson_check(m);
        return;
    }
    if line.trim() == "/reconnect" {
        let target = format!("{} {}", m.link.host, m.link.port);
        open(m, &target);
        lesson_check(m);
        return;
    }
    if m.link.closed {
        m.notice = text(m.lang, "tui.closed");
        return;
    }
    push(m, Dir::Client, line.as_bytes());
    let mut wire = line.into_bytes();
    wire.extend_from_slice(b"\r\n");
    let reply = m.link.send(&mut m.mta, &wire);
    receive(m, &reply);
    if m.link.closed {
        m.notice = text(m.lang, "tui.closed");
    }
    lesson_check(m);
}

/// `/open HOST [PORT]`: a new connection, a new transcript.
fn open(m: &mut Model, args: &str) {
    let mut words = args.split_whitespace();
    let host = words.next().unwrap_or("");
    let port = words.next().and_then(|p| p.parse().ok());
    // Connected to real servers: /open goes to another real server, with the same TLS choices.
    if let Some(opts) = m.link.options.clone() {
        let port = port.unwrap_or(opts.port);
        let (proto, tls) = crate::tui::link::guess(port);
        let proto = if port == opts.port {
            m.link.proto
        } else {
            proto
        };
        let tls = if port == opts.port { opts.tls } else { tls };
        let opts = ConnectOptions {
            host: host.to_string(),
            port,
            tls,
            ..opts
        };
        m.link.close(&mut m.mta);
        let name = proto.name();
        m.notice = fill(
            m.lang,
            "tui.net.connecting",
            &[&opts.host, &opts.port, &name],
        );
        m.link = Link::connect(opts, proto);
        opened(m);
        return;
    }
    let home = host.eq_ignore_ascii_case(&m.origin.host);
    match Link::open(&mut m.mta, host, port, home) {
        Some((link, greeting)) => {
            m.link.close(&mut m.mta);
            m.link = link;
            opened(m);
            m.notice = connected_notice(m);
            receive(m, &greeting);
        }
        None => {
            let mut hosts = m.mta.world.smtp_hosts();
            hosts.extend(m.mta.world.pop_hosts());
            m.notice = fill(m.lang, "tui.no_host", &[&host, &hosts.join(", ")]);
        }
    }
}

/// A new connection goes on in the same session: a separator line that
/// starts the explainer again (and is recorded as an `open` event).
fn opened(m: &mut Model) {
    let to = Endpoint {
        host: m.link.host.clone(),
        port: m.link.port,
        protocol: m.link.proto.word().into(),
    };
    push_event(m, Event::open(m.elapsed_ms, to));
    m.focus = Focus::Input;
    m.scroll = 0;
}

fn byte_index(s: &str, chars: usize) -> usize {
    s.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}
