//! Drawing: the session on the left, the explanation on the right (stacked
//! when the terminal is narrow), the input line, the status bar, the help
//! overlay. Drawing reads the model and changes nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::explain::annotation::Severity;
use crate::explain::catalog::{fill, text};
use crate::explain::state::{InputMode, Phase};
use crate::session::transcript::Dir;
use crate::tui::model::{Explainer, Focus, Model, RightPane};

mod bars;
mod session;
use bars::{help_overlay, input_line, status_bar};
use session::{session_pane, state_strip};

/// Under this width the panes are stacked.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 100;

pub(crate) struct Theme {
    color: bool,
    contrast: bool,
}

impl Theme {
    pub(crate) fn fg(&self, c: Color) -> Style {
        match (self.color, self.contrast) {
            (_, true) => Style::default()
                .fg(Color::White)
                .bg(Color::Black)
                .add_modifier(Modifier::BOLD),
            (true, false) => Style::default().fg(c),
            (false, false) => Style::default(),
        }
    }
    /// The span the pointed annotation is about.
    pub(crate) fn pointed(&self) -> Style {
        if self.color && !self.contrast {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }
    pub(crate) fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Info => self.fg(Color::Gray),
            Severity::Hint => self.fg(Color::Yellow),
            Severity::Mistake => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Severity::Danger => self
                .fg(Color::Red)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        }
    }
}

/// Where each part of the screen goes (used to draw, and to know which
/// pane the mouse is over).
pub struct Areas {
    pub main: Rect,
    pub notice: Rect,
    pub input: Rect,
    pub status: Rect,
    pub left: Rect,
    pub right: Rect,
}

/// The layout for a screen of this size.
pub fn areas(m: &Model, area: Rect) -> Areas {
    // facteur's own messages (connected, TLS up, failures) get their own lines.
    let notice_rows = match m.notice.chars().count() + 2 {
        2 => 0,
        n if n <= area.width as usize => 1,
        _ => 2,
    };
    let [main, notice, input, status] = Layout::vertical([
        Constraint::Min(6),
        Constraint::Length(notice_rows),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let direction = if main.width >= SIDE_BY_SIDE_MIN_WIDTH {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    // Stacked with a lesson: the instructions and explanation need the room.
    let left_share = if direction == Direction::Vertical && m.lesson.is_some() {
        38
    } else {
        55
    };
    let [left, right] = Layout::default()
        .direction(direction)
        .constraints([
            Constraint::Percentage(left_share),
            Constraint::Percentage(100 - left_share),
        ])
        .areas(main);
    Areas {
        main,
        notice,
        input,
        status,
        left,
        right,
    }
}

/// What the update needs to know of the layout: the panes' heights (for
/// Page↑/Page↓) and whether they are stacked (for "above" vs "on the right").
pub fn measure(m: &mut Model, area: Rect) {
    let a = areas(m, area);
    m.session_rows = a.left.height.saturating_sub(2);
    m.stacked = a.main.width < SIDE_BY_SIDE_MIN_WIDTH;
    // The explanation is what the lesson panel leaves of the right pane.
    let explanation = explanation_area(m, a.right);
    m.explain_rows = explanation.height.saturating_sub(2);
    if m.right == RightPane::Explanation && !m.show_help {
        settle_explain_scroll(m, explanation);
    }
}

/// The explanation pane's rectangle within the right pane (below the
/// lesson panel when a lesson runs).
fn explanation_area(m: &Model, right: Rect) -> Rect {
    match &m.lesson {
        Some(run) => {
            let theme = Theme {
                color: false,
                contrast: false,
            };
            let lines = crate::tui::panels::lesson_lines(m, run, &theme);
            lesson_split(run, &lines, right).1
        }
        None => right,
    }
}

/// The lesson panel as tall as its wrapped text (at most 60 % of the right
/// pane, 80 % while the introduction shows), and what remains below it.
fn lesson_split(run: &crate::lesson::run::Run, lines: &[Line<'_>], right: Rect) -> (Rect, Rect) {
    let width = right.width.saturating_sub(2).max(1) as usize;
    let needed: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(width))
        .sum::<usize>()
        + 2;
    let share = if run.show_intro { 8 } else { 6 };
    let cap = (right.height as usize * share / 10).max(3);
    let [top, rest] = Layout::vertical([
        Constraint::Length(needed.min(cap) as u16),
        Constraint::Min(0),
    ])
    .areas(right);
    (top, rest)
}

/// Draw the whole screen.
pub fn draw(m: &Model, f: &mut Frame) {
    let theme = Theme {
        color: m.color,
        contrast: m.high_contrast,
    };
    let Areas {
        main: _,
        notice,
        input,
        status,
        left,
        right,
    } = areas(m, f.area());
    f.render_widget(
        Paragraph::new(format!("» {}", m.notice))
            .style(theme.fg(Color::Magenta))
            .wrap(Wrap { trim: false }),
        notice,
    );
    session_pane(m, &theme, f, left);
    // A lesson takes the top of the right pane.
    let right = match &m.lesson {
        Some(run) => {
            let lines = crate::tui::panels::lesson_lines(m, run, &theme);
            let (top, rest) = lesson_split(run, &lines, right);
            crate::tui::panels::lesson_pane(m, run, lines, f, top);
            rest
        }
        None => right,
    };
    match m.right {
        RightPane::Explanation => explanation_pane(m, &theme, f, right),
        RightPane::BehindTheScenes => crate::tui::panels::behind_pane(m, &theme, f, right),
    }
    input_line(m, f, input);
    status_bar(m, &theme, f, status);
    if m.show_help {
        help_overlay(m, f);
    }
}

/// The explanation pane's lines, wrapped to `width` (display columns) so
/// that continuation lines keep their indent; and the line where each
/// note starts (to keep the pointed one in view).
fn explanation_lines(m: &Model, theme: &Theme, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let wrap = |s: &str| -> Vec<String> {
        textwrap::wrap(s, textwrap::Options::new(width.max(10)))
            .into_iter()
            .map(|c| c.into_owned())
            .collect()
    };
    let mut lines: Vec<Line<'static>> = wrap(&state_strip(m))
        .into_iter()
        .map(|l| Line::styled(l, theme.fg(Color::Magenta)))
        .collect();
    lines.push(Line::raw(""));
    let notes = m.explained();
    if notes.is_empty() {
        // A replay at its start has nothing to type: say how to move.
        let key = if m.replay.is_some() {
            "tui.nothing.replay"
        } else {
            "tui.nothing"
        };
        lines.extend(wrap(&text(m.lang, key)).into_iter().map(Line::raw));
    }
    let browsing = matches!(m.focus, Focus::Session(_)) && notes.len() > 1;
    let mut starts = Vec::with_capacity(notes.len());
    for (k, n) in notes.into_iter().enumerate() {
        starts.push(lines.len());
        let style = theme.severity(n.severity);
        let marker = if browsing && k == m.note { "▶" } else { "" };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{} ", n.severity.symbol()), style),
            Span::styled(n.title.clone(), style.add_modifier(Modifier::BOLD)),
        ]));
        for body in n.body.lines() {
            for piece in wrap(body) {
                lines.push(Line::raw(format!("  {piece}")));
            }
        }
        if let Some(r) = &n.rfc {
            lines.push(Line::styled(format!("  [{r}]"), theme.fg(Color::DarkGray)));
        }
    }
    (lines, starts)
}

/// Keep the explanation's scroll within its text, and the pointed note in view.
fn settle_explain_scroll(m: &mut Model, area: Rect) {
    let theme = Theme {
        color: false,
        contrast: false,
    };
    let (lines, starts) = explanation_lines(m, &theme, usize::from(area.width.saturating_sub(4)));
    let rows = usize::from(area.height.saturating_sub(2)).max(1);
    let max = lines.len().saturating_sub(rows);
    let mut scroll = usize::from(m.explain_scroll).min(max);
    if let (Focus::Session(_), Some(&start)) = (m.focus, starts.get(m.note)) {
        let end = starts.get(m.note + 1).copied().unwrap_or(lines.len());
        if start < scroll {
            scroll = start;
        } else if end > scroll + rows {
            scroll = (end.saturating_sub(rows)).min(start).min(max);
        }
    }
    m.explain_scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
}

fn explanation_pane(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", text(m.lang, "tui.title.explain")));
    let (lines, _) = explanation_lines(m, theme, usize::from(area.width.saturating_sub(4)));
    let rows = area.height.saturating_sub(2);
    let max = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(rows);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((m.explain_scroll.min(max), 0)),
        area,
    );
}
