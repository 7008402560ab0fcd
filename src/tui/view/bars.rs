//! The bottom of the screen — the input line (or the replay's controls) and
//! the status bar with the keys — and the help overlay.

use super::*;
use unicode_width::UnicodeWidthStr;

pub(super) fn input_line(m: &Model, f: &mut Frame, area: Rect) {
    if let Some(r) = m.replay.as_ref().filter(|_| !m.jumping) {
        let state = if r.playing {
            text(m.lang, "tui.replay.playing")
        } else {
            text(m.lang, "tui.replay.paused")
        };
        let speed = crate::session::replay::SPEEDS[r.speed];
        let status = if m.watching {
            fill(m.lang, "tui.watch.status", &[&r.pos, &r.len()])
        } else {
            fill(
                m.lang,
                "tui.replay.status",
                &[&r.pos, &r.len(), &state, &speed],
            )
        };
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            text(
                m.lang,
                if m.watching {
                    "tui.title.watch"
                } else {
                    "tui.input.replay"
                }
            )
        ));
        f.render_widget(Paragraph::new(status).block(block), area);
        return;
    }
    let mode = match &m.live.explainer {
        Explainer::Smtp(e) => match e.state.input_mode() {
            InputMode::Command => "tui.input.command",
            InputMode::Data => "tui.input.data",
            InputMode::AuthResponse => "tui.input.auth",
        },
        Explainer::Pop3(s) if s.sasl.is_some() => "tui.input.auth",
        Explainer::Pop3(_) => "tui.input.command",
    };
    let mode = if m.jumping { "tui.input.jump" } else { mode };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", text(m.lang, mode)));
    let inner_width = area.width.saturating_sub(4) as usize;
    // Columns, not characters: a CJK character or an emoji takes two
    // (unicode-width), and the cursor must land after it.
    let chars: Vec<String> = m
        .input
        .chars()
        .map(|c| crate::proto::visible::visible_str(&c.to_string()))
        .collect();
    let col = |from: usize, to: usize| chars[from..to].iter().map(|c| c.width()).sum::<usize>();
    // Keep the cursor visible on long lines: skip characters until it fits.
    let cursor = m.cursor.min(chars.len());
    let mut skip = 0;
    while skip < cursor && col(skip, cursor) >= inner_width {
        skip += 1;
    }
    let shown: String = chars[skip..].concat();
    f.render_widget(Paragraph::new(format!("› {shown}")).block(block), area);
    if m.focus == Focus::Input && !m.show_help {
        let x = area.x + 3 + col(skip, cursor) as u16;
        f.set_cursor_position((x.min(area.right().saturating_sub(2)), area.y + 1));
    }
}

pub(super) fn status_bar(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let proto = m.live.link.info.proto.name();
    let tls = match (m.live.link.info.tls, m.live.link.insecure) {
        (true, true) => "TLS (--insecure)".to_string(),
        (true, false) => "TLS".to_string(),
        (false, _) => text(m.lang, "tui.status.clear"),
    };
    let world = match (&m.replay, m.live.link.info.remote) {
        (Some(_), _) if m.watching => format!(" {}", text(m.lang, "tui.status.live")),
        (Some(_), _) => format!(" {}", text(m.lang, "tui.status.replay")),
        (None, true) => String::new(),
        (None, false) => " sim".to_string(),
    };
    let head = format!(
        " {}:{} {proto}{world} {tls} {} │ ",
        m.live.link.info.host,
        m.live.link.info.port,
        m.lang.code().to_uppercase(),
    );
    let room = (area.width as usize).saturating_sub(UnicodeWidthStr::width(head.as_str()));
    let status = if m.quit_armed {
        head + &text(m.lang, "tui.quit.confirm")
    } else {
        head + &fit_keys(&text(m.lang, "tui.hint"), room)
    };
    f.render_widget(
        Paragraph::new(status).style(theme.fg(Color::Black).bg(if m.color {
            Color::Gray
        } else {
            Color::Reset
        })),
        area,
    );
}

/// The key hints ("F1 help · F8/F9 … · Ctrl-C quit") that fit in `room`
/// columns, whole: at 80 columns a hint was cut mid-word ("F3 coul") and
/// the last ones never showed. The first (F1: every key) and the last
/// (how to quit) are kept; the others in order while they fit.
fn fit_keys(hints: &str, room: usize) -> String {
    let items: Vec<&str> = hints.split(" · ").collect();
    let w = |s: &str| UnicodeWidthStr::width(s);
    if w(hints) <= room || items.len() < 3 {
        return hints.to_string();
    }
    let (first, last) = (items[0], items[items.len() - 1]);
    let mut kept = vec![first];
    let mut used = w(first) + 3 + w(last);
    for item in &items[1..items.len() - 1] {
        if used + 3 + w(item) <= room {
            used += 3 + w(item);
            kept.push(item);
        }
    }
    kept.push(last);
    kept.join(" · ")
}

pub(super) fn help_overlay(m: &Model, f: &mut Frame) {
    let area = f.area();
    let w = area.width.saturating_sub(4).min(90);
    let h = area.height.saturating_sub(2).min(30);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", text(m.lang, "tui.title.help")))
        .title_bottom(" Page↑ / Page↓ ");
    f.render_widget(
        Paragraph::new(text(
            m.lang,
            if m.watching {
                "tui.help.watch"
            } else {
                "tui.help.body"
            },
        ))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((m.explain_scroll, 0)),
        rect,
    );
}
