//! The TUI's model driven and drawn as a person sees it: a line typed and
//! sent, and the whole screen as text (ratatui's test backend).
#![allow(dead_code)]

use facteur::tui::action::Action;
use facteur::tui::model::Model;
use facteur::tui::update::update;
use facteur::tui::view::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Type `s` key by key, then Enter.
pub fn send(m: &mut Model, s: &str) {
    for c in s.chars() {
        update(m, Action::InsertChar(c));
    }
    update(m, Action::SendLine);
}

/// The screen at `w`×`h`, one line of cells per row.
pub fn screen(m: &Model, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(m, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut s = String::new();
    for y in 0..h {
        for x in 0..w {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// One pane of the screen at `w`×`h` (the rectangle `pick` takes from
/// the layout, e.g. `|a| a.right` for the explanation), as text: what a
/// test about that pane pins, and nothing of the others.
pub fn pane(
    m: &mut Model,
    w: u16,
    h: u16,
    pick: impl Fn(&facteur::tui::view::Areas) -> ratatui::layout::Rect,
) -> String {
    let area = ratatui::layout::Rect::new(0, 0, w, h);
    facteur::tui::view::measure(m, area);
    let r = pick(&facteur::tui::view::areas(m, area));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(m, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut s = String::new();
    for y in r.y..r.y + r.height {
        for x in r.x..r.x + r.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}
