//! The only place where the TUI's state changes: `update(model, action)`.
//! Sending a line goes through the in-memory link to the simulated server,
//! exactly as typed, with CRLF — facteur never rewrites a command.

use crate::explain::catalog::{fill, text};
use crate::net::client::ConnectOptions;
use crate::net::link::{Link, Proto};
use crate::proto::tls::Handshake;
use crate::session::live::{Happened, Live};
use crate::session::transcript::Dir;
use crate::sim::mta::Mta;
use crate::tui::action::Action;
use crate::tui::model::{Focus, Model, RightPane};
use crate::tui::modes::replay_to;
pub use crate::tui::modes::{lesson_check, open_lesson, open_replay};

mod link;
pub(crate) use link::new_model;
use link::{at_stake, connected_notice, follow_drop, tell};
pub use link::{connect, connect_remote, network};

pub use crate::session::live::SCROLLBACK;

/// The longest line that can be typed (a message line is at most 1,000
/// octets, RFC 5321 §4.5.3.1.6; a pasted flood stops here).
pub const MAX_INPUT: usize = 64 * 1024;

/// Commands kept in the history.
pub const HISTORY: usize = 1_000;

/// Apply one action.
pub fn update(m: &mut Model, action: Action) {
    // A first Ctrl-C with work at stake only warns; any other key disarms it.
    if !matches!(action, Action::Quit | Action::Tick(_)) {
        m.quit_armed = false;
    }
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
        // A page is the pane's height less one line kept for context; the
        // first line can be reached (it then stands at the top).
        Action::ScrollUp => {
            let page = usize::from(m.session_rows.saturating_sub(1).max(1));
            let top = m
                .shown()
                .len()
                .saturating_sub(usize::from(m.session_rows.max(1)));
            m.scroll = (m.scroll + page).min(top);
        }
        Action::ScrollDown => {
            let page = usize::from(m.session_rows.saturating_sub(1).max(1));
            m.scroll = m.scroll.saturating_sub(page);
        }
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
                m.live.entries = r.take_entries();
                m.live.lang = m.lang;
                m.live.explainer = r.explainer_at(m.lang, r.pos);
                // A watched session keeps what its notice says (it is live).
                if !m.watching {
                    m.notice = fill(m.lang, "tui.replay.loaded", &[&r.name, &r.len()]);
                }
                m.replay = Some(r);
            }
        }
        Action::ToggleLanguage => {
            m.lang = m.lang.other();
            m.live.reexplain(m.lang);
            if !m.live.link.info.remote {
                m.notice = connected_notice(m);
            }
        }
        Action::ToggleHelp => {
            m.show_help = !m.show_help;
            m.explain_scroll = 0;
        }
        Action::ToggleContrast => m.high_contrast = !m.high_contrast,
        Action::ToggleTimestamps => m.timestamps = !m.timestamps,
        // F10: fold / unfold the lesson panel; unfolded, the introduction
        // (accounts, passwords) is shown again.
        Action::ToggleLessonPanel => {
            if let Some(run) = m.lesson.as_mut() {
                if run.folded || !run.show_intro {
                    run.folded = false;
                    run.show_intro = true;
                } else {
                    run.show_intro = false;
                    run.folded = true;
                }
            }
        }
        Action::SaveReport => {
            m.save_requested = true;
            m.saved_at = m.live.entries.len();
        }
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
        Action::PageExplainUp => {
            m.explain_scroll = m
                .explain_scroll
                .saturating_sub(m.explain_rows.saturating_sub(1).max(1))
        }
        Action::PageExplainDown => {
            m.explain_scroll = m
                .explain_scroll
                .saturating_add(m.explain_rows.saturating_sub(1).max(1))
        }
        Action::ToggleBehindTheScenes => {
            m.right = match m.right {
                RightPane::Explanation => RightPane::BehindTheScenes,
                RightPane::BehindTheScenes => RightPane::Explanation,
            }
        }
        // Work at stake — a line half typed, a message half sent in DATA, a
        // live session neither saved (F6) nor recorded (--record): the first
        // Ctrl-C asks, the second quits.
        Action::Quit if !m.quit_armed && at_stake(m) => {
            m.quit_armed = true;
            m.notice = text(m.lang, "tui.quit.confirm");
        }
        Action::Quit => {
            m.live.close();
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
            let now = m.live.elapsed_ms;
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
            m.live.elapsed_ms = now;
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
        let target = format!("{} {}", m.live.link.info.host, m.live.link.info.port);
        open(m, &target);
        lesson_check(m);
        return;
    }
    if line.starts_with('/') {
        // facteur's commands are never sent to the server.
        m.notice = fill(
            m.lang,
            "tui.cmd.unknown",
            &[&crate::proto::visible::visible_str(
                line.split_whitespace().next().unwrap_or("/"),
            )],
        );
        return;
    }
    if m.live.link.info.closed {
        m.notice = text(m.lang, "tui.closed");
        return;
    }
    // The student acts: the introduction has been read; on a small screen
    // the panel folds to one line to leave the explanation its room.
    if let Some(run) = m.lesson.as_mut() {
        run.show_intro = false;
        run.folded = m.stacked;
    }
    let before = m.live.dropped;
    let happened = m.live.send_line(&line);
    follow_drop(m, m.live.dropped - before);
    tell(m, happened);
    if m.live.link.info.closed {
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
    if let Some(opts) = m.live.link.options.clone() {
        let port = port.unwrap_or(opts.port);
        let (proto, tls) = crate::net::link::guess(port);
        let proto = if port == opts.port {
            m.live.link.info.proto
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
        let name = proto.name();
        m.notice = fill(
            m.lang,
            "tui.net.connecting",
            &[&opts.host, &opts.port, &name],
        );
        m.live.link.reconnect(opts, proto);
        opened(m);
        return;
    }
    match crate::net::link::open_in_world(&mut m.live, host, port) {
        Some(dropped) => {
            follow_drop(m, dropped);
            m.focus = Focus::Input;
            m.scroll = 0;
            m.notice = connected_notice(m);
        }
        None => {
            let world = &m.live.link.mta.world;
            let mut hosts = world.smtp_hosts();
            hosts.extend(world.pop_hosts());
            m.notice = fill(m.lang, "tui.no_host", &[&host, &hosts.join(", ")]);
        }
    }
}

/// A new connection goes on in the same session: a separator line that
/// starts the explainer again (and is recorded as an `open` event).
fn opened(m: &mut Model) {
    let dropped = m.live.opened();
    follow_drop(m, dropped);
    m.focus = Focus::Input;
    m.scroll = 0;
}

fn byte_index(s: &str, chars: usize) -> usize {
    s.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}
