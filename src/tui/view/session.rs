//! The session pane on the left: the dialogue, C: and S: lines, the pointed
//! span, and the state strip that says where the session is (drawn atop the
//! explanation).

use super::*;

pub(super) fn session_pane(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let title = match &m.replay {
        Some(r) if m.watching => format!(" {} — {} ", text(m.lang, "tui.title.watch"), r.name),
        Some(r) => format!(" {} — {} ", text(m.lang, "tui.title.replay"), r.name),
        None => format!(
            " {} — {}:{} ",
            text(m.lang, "tui.title.session"),
            m.live.link.info.host,
            m.live.link.info.port
        ),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let rows = area.height.saturating_sub(2) as usize;
    let shown = m.shown();
    let total = shown.len();
    // The window: follow the selection when browsing, else the scroll offset.
    let end = match m.focus {
        Focus::Session(i) => (i + 1).max(rows.min(total)).min(total),
        Focus::Input => total.saturating_sub(m.scroll),
    };
    let start = end.saturating_sub(rows);
    let mut lines: Vec<Line> = Vec::with_capacity(rows + 1);
    for (i, e) in shown[start..end]
        .iter()
        .enumerate()
        .map(|(k, e)| (start + k, e))
    {
        // swaks marks encrypted lines too: "~" instead of ":".
        let (prefix, color) = match (e.dir, e.encrypted) {
            (Dir::Client, false) => ("C: ", Color::Cyan),
            (Dir::Server, false) => ("S: ", Color::Green),
            (Dir::Client, true) => ("C~ ", Color::Cyan),
            (Dir::Server, true) => ("S~ ", Color::Green),
            (Dir::Tls | Dir::Open, _) => ("", Color::Magenta),
        };
        let mut style = theme.fg(color);
        if e.worst.is_some_and(|w| w >= Severity::Mistake) {
            style = style.add_modifier(Modifier::UNDERLINED);
        }
        if m.focus == Focus::Session(i) {
            style = style.add_modifier(Modifier::REVERSED);
        }
        let mut spans = Vec::with_capacity(3);
        if m.timestamps {
            spans.push(Span::styled(
                format!("{:>7.1}s ", e.at_ms as f64 / 1000.0),
                theme.fg(Color::DarkGray),
            ));
        }
        spans.push(Span::styled(prefix, style));
        match pointed_span(m, i) {
            // The bytes the pointed annotation is about, highlighted (as Wireshark does).
            Some((before, mid, after)) => {
                spans.push(Span::styled(before, style));
                spans.push(Span::styled(mid, theme.pointed()));
                spans.push(Span::styled(after, style));
            }
            None => spans.push(Span::styled(e.text.as_str(), style)),
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// When line `i` is selected and its pointed annotation covers part of
/// it: the visible text before, inside and after that span.
fn pointed_span(m: &Model, i: usize) -> Option<(String, String, String)> {
    if m.focus != Focus::Session(i) {
        return None;
    }
    let e = m.shown().get(i)?;
    let notes = m.notes_of(i, false);
    let span = &notes.get(m.note)?.span;
    if span.start >= span.end || span.end > e.raw.len() {
        return None;
    }
    use crate::proto::visible::visible;
    Some((
        visible(&e.raw[..span.start]),
        visible(&e.raw[span.start..span.end]),
        visible(&e.raw[span.end..]),
    ))
}

/// What a closed connection waits for: a new one (/reconnect, /open) when
/// typing; nothing in a replay or a watched session, where nothing is typed.
fn closed_key(m: &Model) -> &'static str {
    if m.replay.is_some() {
        "tui.waits.closed_replay"
    } else {
        "tui.waits.closed"
    }
}

pub(super) fn state_strip(m: &Model) -> String {
    match &m.live.explainer {
        Explainer::Smtp(e) => {
            let phase = match e.state.phase {
                Phase::Connected => "Connected",
                Phase::Greeted => "Greeted",
                Phase::Mail => "Mail",
                Phase::Rcpt => "Rcpt",
                Phase::Data => "Data",
                Phase::Closed => "Closed",
            };
            let mut name = text(m.lang, &format!("tui.phase.{phase}"));
            // Live, the link says whether TLS is up (a 220 is not a handshake).
            let tls = if m.live.link.is_live() {
                m.live.link.info.tls
            } else {
                e.state.tls
            };
            if tls {
                name.push_str(" · TLS");
            }
            if e.state.authenticated {
                name.push_str(" · AUTH");
            }
            // Where no command is possible, what the server waits for.
            let waits = match (e.state.input_mode(), e.state.phase) {
                (InputMode::AuthResponse, _) => Some("tui.waits.auth"),
                (InputMode::Data, _) => Some("tui.waits.data"),
                (_, Phase::Closed) => Some(closed_key(m)),
                _ => None,
            };
            if let Some(k) = waits {
                return fill(m.lang, "tui.state.waits", &[&name, &text(m.lang, k)]);
            }
            let next: Vec<&str> = e.state.valid_next().iter().map(|v| v.name()).collect();
            fill(m.lang, "tui.state", &[&name, &next.join(" ")])
        }
        Explainer::Pop3(s) => {
            let name = if s.closed && s.transaction {
                text(m.lang, "tui.pop3.update")
            } else if s.closed {
                text(m.lang, "tui.phase.Closed")
            } else if s.transaction {
                text(m.lang, "tui.pop3.transaction")
            } else {
                text(m.lang, "tui.pop3.authorization")
            };
            if s.closed {
                return fill(
                    m.lang,
                    "tui.state.waits",
                    &[&name, &text(m.lang, closed_key(m))],
                );
            }
            if s.sasl.is_some() {
                return fill(
                    m.lang,
                    "tui.state.waits",
                    &[&name, &text(m.lang, "tui.waits.auth")],
                );
            }
            let next: Vec<&str> = s.valid_next().iter().map(|v| v.name()).collect();
            fill(m.lang, "tui.state", &[&name, &next.join(" ")])
        }
    }
}
