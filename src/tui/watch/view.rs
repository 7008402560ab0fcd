//! Drawing the list of sessions: a row per seat, columns that fit the
//! width (80 columns: the account and the last line before the count),
//! the log below, the keys or the question at the bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::Watcher;
use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::proto::Proto;
use crate::session::room::SeatInfo;

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
