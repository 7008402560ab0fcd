//! Watching live sessions: `facteur proxy` in a terminal (a real mail
//! client's dialogue) and `facteur serve --watch` (the room's students).
//! A list of the sessions of a [`Room`] — client, protocol, account once
//! logged in, phase, last line — and, on Enter, one of them followed
//! read-only with the TUI's own panes and keys: it is a replay that grows
//! ([`Replay::append`]), so the teacher can step back through it while it
//! goes on, and F6 saves it as any session.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::proto::Proto;
use crate::session::replay::Replay;
use crate::session::room::{Room, SeatInfo};
use crate::session::transcript::Transcript;
use crate::tui::action::{Action, Mode, action_for};
use crate::tui::model::Model;
use crate::tui::modes::replay_to;
use crate::tui::update::update;

/// Opens a session of a capture as a replay, with what the reader should
/// know of it (packets cut, octets missing); or why it cannot.
pub type Loader = Box<dyn FnMut(Lang, u64) -> Result<(Replay, Vec<String>), String>>;

/// `facteur replay` of a capture with several mail sessions: the list is
/// the capture's, Enter replays one (from its start, at the captured pace).
pub struct Picker(pub Loader);

impl std::fmt::Debug for Picker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Picker")
    }
}

/// One session followed.
#[derive(Debug)]
pub struct Watching {
    pub id: u64,
    pub model: Model,
    /// Live (from the room) or a capture's session replayed.
    live: bool,
    /// The absolute number of the next line to take from the room.
    next: usize,
    /// Its end was said in the notice.
    end_said: bool,
}

/// The watcher: the list, or one session.
#[derive(Debug)]
pub struct Watcher {
    pub lang: Lang,
    pub room: Arc<Room>,
    /// What is watched ("127.0.0.1:2526 → mx.example:25").
    pub title: String,
    /// Where clients connect (said while the list is empty).
    pub listen: String,
    pub selected: usize,
    pub watching: Option<Watching>,
    pub quit: bool,
    /// Ctrl-C with sessions open: the next one quits.
    pub quit_armed: bool,
    pub high_contrast: bool,
    pub color: bool,
    /// The sessions are a capture's (not live).
    pub picker: Option<Picker>,
    /// Said under the list (a session that could not be opened).
    pub notice: String,
    now: i64,
    seed: u64,
}

impl Watcher {
    pub fn new(
        lang: Lang,
        room: Arc<Room>,
        title: &str,
        listen: &str,
        now: i64,
        seed: u64,
    ) -> Self {
        Watcher {
            lang,
            room,
            title: title.to_string(),
            listen: listen.to_string(),
            selected: 0,
            watching: None,
            quit: false,
            quit_armed: false,
            high_contrast: false,
            color: true,
            picker: None,
            notice: String::new(),
            now,
            seed,
        }
    }

    /// Replay session `id` of the capture, from its start.
    fn replay(&mut self, id: u64) {
        let Some(Picker(load)) = self.picker.as_mut() else {
            return;
        };
        match load(self.lang, id) {
            Ok((replay, warnings)) => {
                let mut model = crate::tui::modes::open_replay(
                    self.lang,
                    crate::tui::builtin_world(self.now, self.seed),
                    replay,
                );
                model.high_contrast = self.high_contrast;
                model.color = self.color;
                replay_to(&mut model, 1);
                if !warnings.is_empty() {
                    model.notice = format!("{} — {}", model.notice, warnings.join(" "));
                }
                self.notice.clear();
                self.watching = Some(Watching {
                    id,
                    model,
                    live: false,
                    next: 0,
                    end_said: true,
                });
            }
            Err(why) => self.notice = why,
        }
    }

    /// Follow seat `id`: everything it said so far, explained, at its end.
    pub fn watch(&mut self, id: u64) {
        let Some(taken) = self.room.take(id, 0) else {
            return;
        };
        let transcript = Transcript {
            events: taken.events,
            ..taken.header
        };
        let name = format!("#{id} {}", taken.info.client);
        let mut replay = Replay::load(self.lang, &name, transcript);
        let len = replay.len();
        replay.go(len);
        let mut model = crate::tui::modes::open_replay(
            self.lang,
            crate::tui::builtin_world(self.now, self.seed),
            replay,
        );
        model.watching = true;
        model.high_contrast = self.high_contrast;
        model.color = self.color;
        replay_to(&mut model, len);
        model.notice = if taken.missed > 0 {
            fill(self.lang, "tui.watch.missed", &[&taken.missed])
        } else {
            fill(self.lang, "tui.watch.watching", &[&id, &taken.info.client])
        };
        self.watching = Some(Watching {
            id,
            model,
            live: true,
            next: taken.next,
            end_said: false,
        });
        self.tick(0);
    }

    /// Take in what the watched session said since; true if anything changed.
    pub fn tick(&mut self, now_ms: u64) -> bool {
        let lang = self.lang;
        let Some(w) = self.watching.as_mut() else {
            return false;
        };
        let m = &mut w.model;
        update(m, Action::Tick(now_ms));
        if !w.live {
            return false;
        }
        let Some(taken) = self.room.take(w.id, w.next) else {
            m.notice = fill(lang, "tui.watch.gone", &[&w.id]);
            return true;
        };
        // Watched before the greeting, with the protocol guessed from the
        // port: once the greeting says otherwise, start again with it.
        let first = m.replay.as_ref().map(|r| (r.len(), r.first_proto()));
        if let (Some((0, guessed)), Some(found)) = (first, taken.info.proto)
            && guessed != found
        {
            let id = w.id;
            self.watch(id);
            return true;
        }
        // What the watcher holds is bounded as the room is: past twice the
        // room's lines, it starts again from what the room keeps.
        if m.replay
            .as_ref()
            .is_some_and(|r| r.len() > 2 * crate::session::room::MAX_EVENTS)
        {
            let id = w.id;
            self.watch(id);
            return true;
        }
        let mut changed = false;
        if !taken.events.is_empty() {
            let Some(r) = m.replay.as_mut() else {
                return false;
            };
            let follow = r.pos == r.len();
            let entries = r.append(m.lang, taken.events);
            m.live.entries.extend(entries);
            if follow {
                let end = r.len();
                replay_to(m, end);
            }
            changed = true;
        }
        if taken.missed > 0 {
            m.notice = fill(lang, "tui.watch.missed", &[&taken.missed]);
        }
        w.next = taken.next;
        if !taken.info.open && !w.end_said {
            w.end_said = true;
            let why = taken.info.end.unwrap_or_default();
            m.notice = fill(lang, "tui.watch.finished", &[&why]);
            changed = true;
        }
        changed
    }

    /// A key.
    pub fn key(&mut self, key: KeyEvent) {
        if let Some(w) = self.watching.as_mut() {
            let m = &mut w.model;
            let back =
                !m.show_help && !m.jumping && m.mode() == Mode::Replay && key.code == KeyCode::Esc;
            let action = action_for(key, m.mode(), m.show_help, m.input.is_empty());
            if back || action == Some(Action::Quit) {
                self.lang = m.lang;
                self.high_contrast = m.high_contrast;
                self.watching = None;
                // Ctrl-C (the footer says it quits): back to the list, and
                // asked there as there.
                let ctrl_c =
                    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
                if ctrl_c {
                    self.key(key);
                }
                return;
            }
            if let Some(a) = action {
                update(m, a);
            }
            if std::mem::take(&mut m.save_requested) {
                crate::tui::runtime::save(m);
            }
            return;
        }
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c || key.code == KeyCode::Char('q') {
            let open = self.room.seats().iter().filter(|s| s.open).count();
            if open == 0 || self.quit_armed || self.picker.is_some() {
                self.quit = true;
            }
            self.quit_armed = true;
            return;
        }
        self.quit_armed = false;
        let n = self.room.seats().len();
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = n.saturating_sub(1),
            KeyCode::Enter => {
                let Some(id) = self.room.seats().get(self.selected).map(|s| s.id) else {
                    return;
                };
                if self.picker.is_some() {
                    self.replay(id);
                } else {
                    self.watch(id);
                }
            }
            KeyCode::F(2) => self.lang = self.lang.other(),
            KeyCode::F(4) => self.high_contrast = !self.high_contrast,
            _ => {}
        }
    }
}

/// The list of a capture's mail sessions (`facteur replay FILE.pcap` with
/// more than one): a row per session — its client, protocol, packets, and
/// where it went, when, for how long — and `load` to replay one.
pub fn for_capture(
    lang: Lang,
    name: &str,
    streams: &[crate::session::capture::StreamInfo],
    load: Loader,
    now: i64,
    seed: u64,
) -> Watcher {
    let room = Arc::new(Room::new());
    let origin = streams.iter().map(|s| s.start_us).min().unwrap_or(0);
    for s in streams {
        let header = Transcript::header(
            &s.server.ip().to_string(),
            s.server.port(),
            s.proto.unwrap_or(Proto::Smtp).word(),
        );
        let id = room.open(&s.client.to_string(), header);
        let secs = |us: i64| {
            let v = us.max(0) as f64 / 1e6;
            match lang {
                Lang::Fr => format!("{v:.2} s").replace('.', ","),
                Lang::En => format!("{v:.2} s"),
            }
        };
        let last = format!(
            "{} · +{} · {}",
            s.server,
            secs(s.start_us - origin),
            secs(s.end_us - s.start_us)
        );
        let packets = s.packets as usize;
        let (proto, sealed) = (s.proto, s.implicit_tls);
        room.publish(id, Vec::new(), |i| {
            i.proto = proto;
            i.lines = packets;
            i.last = last;
            i.phase = if sealed {
                "tui.watch.sealed"
            } else {
                "tui.watch.captured"
            };
            i.tls = sealed;
        });
    }
    let mut w = Watcher::new(lang, room, name, "", now, seed);
    w.picker = Some(Picker(load));
    w
}

/// The list's row of one seat (a capture's sessions are not open or
/// ended: their state is what was seen).
fn row(lang: Lang, s: &SeatInfo, capture: bool) -> Vec<String> {
    let proto = match s.proto {
        Some(Proto::Smtp) => "SMTP",
        Some(Proto::Pop3) => "POP3",
        None => "?",
    };
    let mut state = text(lang, s.phase);
    if s.tls {
        state.push_str(" · TLS");
    }
    if !s.open && !capture {
        state = text(lang, "tui.watch.ended");
    }
    vec![
        format!("{}", s.id),
        s.client.clone(),
        proto.to_string(),
        s.account.clone().unwrap_or_else(|| "—".into()),
        state,
        s.lines.to_string(),
        s.last.clone(),
    ]
}

/// Draw the list of sessions.
pub fn draw_list(w: &Watcher, f: &mut Frame) {
    let lang = w.lang;
    let style = |c: Color| {
        if w.high_contrast {
            Style::default().add_modifier(Modifier::BOLD)
        } else if w.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    };
    // A capture has no log: the list takes the room.
    let log_rows = if w.picker.is_some() { 0 } else { 5 };
    let [list, log, keys] = Layout::vertical([
        Constraint::Min(5),
        Constraint::Length(log_rows),
        Constraint::Length(1),
    ])
    .areas(f.area());
    let seats = w.room.seats();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", fill(lang, "tui.watch.title", &[&w.title])));
    if seats.is_empty() {
        f.render_widget(
            Paragraph::new(fill(lang, "tui.watch.empty", &[&w.listen]))
                .block(block)
                .wrap(Wrap { trim: false }),
            list,
        );
    } else {
        let capture = w.picker.is_some();
        // (column, width, cell of `row`): a capture has no account but its
        // packets; under 100 columns the count of lines gives way to the
        // account and the last line.
        let wide = list.width >= 100;
        let columns: Vec<(&str, Constraint, usize)> = [
            ("#", Constraint::Length(4), 0),
            ("tui.watch.col.client", Constraint::Length(21), 1),
            ("tui.watch.col.proto", Constraint::Length(5), 2),
            (
                "tui.watch.col.account",
                Constraint::Length(if wide { 16 } else { 12 }),
                3,
            ),
            (
                "tui.watch.col.state",
                Constraint::Length(if wide { 16 } else { 12 }),
                4,
            ),
            (
                if capture {
                    "tui.watch.col.packets"
                } else {
                    "tui.watch.col.lines"
                },
                Constraint::Length(7),
                5,
            ),
            (
                if capture {
                    "tui.watch.col.where"
                } else {
                    "tui.watch.col.last"
                },
                Constraint::Min(8),
                6,
            ),
        ]
        .into_iter()
        .filter(|(k, _, _)| match *k {
            "tui.watch.col.account" => !capture,
            "tui.watch.col.lines" => wide,
            _ => true,
        })
        .collect();
        let header = Row::new(columns.iter().map(|(k, _, _)| {
            if *k == "#" {
                k.to_string()
            } else {
                text(lang, k)
            }
        }))
        .style(style(Color::Cyan).add_modifier(Modifier::BOLD));
        let rows = seats.iter().map(|s| {
            let cells = row(lang, s, capture);
            let r = Row::new(
                columns
                    .iter()
                    .map(|(_, _, i)| Cell::from(cells[*i].clone())),
            );
            if s.open || capture {
                r
            } else {
                r.style(style(Color::DarkGray))
            }
        });
        let widths: Vec<Constraint> = columns.iter().map(|(_, c, _)| *c).collect();
        let table = Table::new(rows, widths)
            .header(header)
            .block(block)
            .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED));
        let mut state = TableState::default().with_selected(Some(w.selected.min(seats.len() - 1)));
        f.render_stateful_widget(table, list, &mut state);
    }
    let lines = w.room.last_log(log.height.saturating_sub(2) as usize);
    if log_rows > 0 {
        f.render_widget(
            Paragraph::new(lines.join("\n"))
                .style(style(Color::Gray))
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(format!(" {} ", text(lang, "tui.watch.log"))),
                ),
            log,
        );
    }
    let open = seats.iter().filter(|s| s.open).count();
    let bottom = if w.quit_armed {
        fill(lang, "tui.watch.quit_confirm", &[&open])
    } else if !w.notice.is_empty() {
        w.notice.clone()
    } else if w.picker.is_some() {
        text(lang, "tui.watch.keys_capture")
    } else {
        text(lang, "tui.watch.keys")
    };
    f.render_widget(Paragraph::new(bottom).style(style(Color::Magenta)), keys);
}

/// Run until the teacher quits; `serve` or `proxy` runs beside it.
pub fn run(mut w: Watcher) -> io::Result<()> {
    let start = Instant::now();
    w.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut terminal = ratatui::init();
    let result = (|| -> io::Result<()> {
        let mut drawn: Option<u64> = None;
        let mut key_came = true;
        while !w.quit {
            let now = start.elapsed().as_millis() as u64;
            let version = w.room.version();
            let changed = w.tick(now);
            // Drawn when something changed: a key, the room, the session.
            if key_came || changed || drawn != Some(version) || w.watching.is_some() {
                let size = terminal.size()?;
                match w.watching.as_mut() {
                    Some(watching) => {
                        let m = &mut watching.model;
                        m.live.elapsed_ms = now;
                        crate::tui::view::measure(
                            m,
                            ratatui::layout::Rect::new(0, 0, size.width, size.height),
                        );
                        terminal.draw(|f| crate::tui::view::draw(m, f))?;
                    }
                    None => {
                        terminal.draw(|f| draw_list(&w, f))?;
                    }
                }
                drawn = Some(version);
            }
            key_came = false;
            if event::poll(Duration::from_millis(100))? {
                if let Event::Key(k) = event::read()?
                    && k.kind != KeyEventKind::Release
                {
                    w.key(k);
                }
                key_came = true;
            }
        }
        Ok(())
    })();
    ratatui::restore();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::Dir;
    use crate::session::transcript::Event;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn room_with_one() -> (Arc<Room>, u64) {
        let room = Arc::new(Room::new());
        let header = Transcript::header("mx", 25, "smtp");
        let id = room.open("127.0.0.1:40000", header);
        room.publish(
            id,
            vec![
                Event::new(0, Dir::Server, b"220 mx ESMTP", false),
                Event::new(1, Dir::Client, b"EHLO lab", false),
            ],
            |_| {},
        );
        (room, id)
    }

    #[test]
    fn enter_watches_new_lines_follow_and_esc_goes_back() {
        let (room, id) = room_with_one();
        let mut w = Watcher::new(Lang::En, room.clone(), "t", "127.0.0.1:2526", 0, 1);
        w.key(key(KeyCode::Enter));
        let m = &w.watching.as_ref().unwrap().model;
        assert_eq!(m.shown().len(), 2);
        assert!(m.watching);
        room.publish(
            id,
            vec![Event::new(2, Dir::Server, b"250 mx", false)],
            |_| {},
        );
        assert!(w.tick(10));
        let m = &w.watching.as_ref().unwrap().model;
        assert_eq!(m.shown().len(), 3, "followed to the new end");
        assert_eq!(m.shown()[2].raw, b"250 mx");
        // Stepping back stops following; a new line does not move it.
        w.key(key(KeyCode::Left));
        room.publish(id, vec![Event::new(3, Dir::Client, b"QUIT", false)], |_| {});
        w.tick(20);
        let m = &w.watching.as_ref().unwrap().model;
        assert_eq!((m.shown().len(), m.live.entries.len()), (2, 4));
        // Nothing typed reaches anything: it is read-only.
        w.key(key(KeyCode::Char('x')));
        assert_eq!(w.watching.as_ref().unwrap().model.input, "");
        room.close(id, "closed after QUIT");
        w.tick(30);
        let m = &w.watching.as_ref().unwrap().model;
        assert!(m.notice.contains("closed after QUIT"), "{}", m.notice);
        w.key(key(KeyCode::Esc));
        assert!(w.watching.is_none());
        assert!(!w.quit);
    }

    #[test]
    fn ctrl_c_with_a_session_open_asks_once() {
        let (room, id) = room_with_one();
        let mut w = Watcher::new(Lang::Fr, room.clone(), "t", "l", 0, 1);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        w.key(ctrl_c);
        assert!(!w.quit && w.quit_armed);
        w.key(key(KeyCode::Down));
        assert!(!w.quit_armed, "another key goes on");
        room.close(id, "x");
        w.key(ctrl_c);
        assert!(w.quit, "nothing open: quits at once");
    }

    #[test]
    fn the_greeting_decides_the_protocol_even_when_watched_before_it() {
        let room = Arc::new(Room::new());
        let header = Transcript::header("up", 40_000, "smtp");
        let id = room.open("c", header);
        let mut w = Watcher::new(Lang::En, room.clone(), "t", "l", 0, 1);
        w.key(key(KeyCode::Enter));
        room.publish(
            id,
            vec![Event::new(0, Dir::Server, b"+OK POP3 ready", false)],
            |i| i.proto = Some(Proto::Pop3),
        );
        w.tick(1);
        room.publish(id, vec![Event::new(1, Dir::Client, b"STAT", false)], |_| {});
        w.tick(2);
        let m = &w.watching.as_ref().unwrap().model;
        assert_eq!(m.live.link.info.proto, Proto::Pop3);
        assert!(matches!(
            m.live.explainer,
            crate::explain::dialogue::Explainer::Pop3(_)
        ));
        assert_eq!(m.shown().len(), 2);
        // And a watcher arriving later loads it as POP3 at once.
        let mut late = Watcher::new(Lang::En, room, "t", "l", 0, 1);
        late.key(key(KeyCode::Enter));
        let m = &late.watching.as_ref().unwrap().model;
        assert_eq!(m.live.link.info.proto, Proto::Pop3);
    }
}
