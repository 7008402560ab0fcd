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

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::explain::catalog::fill;
use crate::explain::lang::Lang;
use crate::session::replay::Replay;
use crate::session::room::Room;
use crate::session::transcript::Transcript;
use crate::tui::action::{Action, Mode, action_for};
use crate::tui::model::Model;
use crate::tui::modes::replay_to;
use crate::tui::update::update;

mod capture;
mod view;
pub use capture::for_capture;
pub use view::draw_list;

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
            // Following: the new lines show. A teacher browsing (Tab) or
            // reading down the explanation keeps where they are.
            if follow && m.focus == crate::tui::model::Focus::Input && m.explain_scroll == 0 {
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

/// Run until the teacher quits; `serve` or `proxy` runs beside it.
pub fn run(mut w: Watcher) -> io::Result<()> {
    let start = Instant::now();
    w.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut terminal = ratatui::init();
    let result = (|| -> io::Result<()> {
        let mut drawn: Option<u64> = None;
        let mut key_came = true;
        while !w.quit && !w.room.stop_requested() {
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
    use crate::proto::Proto;
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
        // F1 says the watching keys, not the typing ones; Esc closes it.
        w.key(key(KeyCode::F(1)));
        let m = &w.watching.as_ref().unwrap().model;
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 40)).unwrap();
        t.draw(|f| crate::tui::view::draw(m, f)).unwrap();
        let screen: String = t
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(screen.contains("A session watched live"), "{screen}");
        assert!(!screen.contains("/open HOST"), "{screen}");
        w.key(key(KeyCode::Esc));
        assert!(w.watching.is_some(), "Esc closed the help, not the session");
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
