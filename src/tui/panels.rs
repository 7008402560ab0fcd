//! The right pane's other faces: the lesson panel (instruction, hints,
//! what is missing, the summary) and "behind the scenes" (the itinerary,
//! steps 1 to 6, and the relay dialogues). Drawing only, like view.rs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::explain::annotation::Severity;
use crate::explain::catalog::{fill, text};
use crate::sim::dns::Route;
use crate::sim::itinerary::Step;
use crate::sim::mta::Direction as RelayDirection;
use crate::tui::model::Model;
use crate::tui::view::Theme;

pub(crate) fn lesson_pane(
    m: &Model,
    run: &crate::lesson::run::Run,
    lines: Vec<Line<'static>>,
    f: &mut Frame,
    area: Rect,
) {
    let l = m.lang;
    let block = Block::default().borders(Borders::ALL).title(format!(
        " {} — {} ",
        text(l, "lesson.panel.title"),
        run.lesson.title.get(l)
    ));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The lesson panel's text: the step, its instruction, the hints shown,
/// what is still missing, then the introduction when it is shown; the
/// summary at the end. What to do comes first: at 80×24 the panel is a
/// few lines high, and what does not fit is cut at the bottom — the
/// introduction (F10 shows it again), never the step's instruction.
pub(crate) fn lesson_lines(
    m: &Model,
    run: &crate::lesson::run::Run,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let l = m.lang;
    let bold = theme.fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    let Some(step) = run.lesson.steps.get(run.step) else {
        lines.push(Line::styled(text(l, "lesson.panel.done"), bold));
        lines.push(Line::raw(fill(
            l,
            "lesson.panel.summary",
            &[&run.step, &run.total(), &run.hints_used, &run.mistakes],
        )));
        for (n, line) in &run.mistake_lines {
            lines.push(Line::styled(
                fill(
                    l,
                    "lesson.panel.mistake",
                    &[n, &crate::proto::visible::visible_str(line)],
                ),
                theme.severity(Severity::Mistake),
            ));
        }
        return lines;
    };
    let hints = |lines: &mut Vec<Line<'static>>| {
        for h in run.shown_hints() {
            lines.push(Line::styled(
                format!("→ {}", h.get(l)),
                theme.severity(Severity::Hint),
            ));
        }
    };
    // Folded: the step and how to unfold it, the hints asked for (F7 must
    // show something) and what is still missing (the feedback).
    if run.folded {
        lines.push(Line::styled(
            fill(l, "lesson.panel.folded", &[&(run.step + 1), &run.total()]),
            bold,
        ));
        hints(&mut lines);
        for miss in &run.missing {
            lines.push(Line::styled(
                format!("  · {miss}"),
                theme.severity(Severity::Mistake),
            ));
        }
        return lines;
    }
    lines.push(Line::styled(
        fill(l, "lesson.panel.step", &[&(run.step + 1), &run.total()]),
        bold,
    ));
    lines.push(Line::raw(step.instruction.get(l).to_string()));
    hints(&mut lines);
    if !run.missing.is_empty() {
        lines.push(Line::styled(
            text(l, "lesson.panel.missing"),
            theme.severity(Severity::Mistake),
        ));
        for miss in &run.missing {
            lines.push(Line::raw(format!("  · {miss}")));
        }
    }
    let left = step.hints.len().saturating_sub(run.hints_shown);
    if left > 0 {
        lines.push(Line::styled(
            fill(l, "lesson.panel.hints", &[&left]),
            theme.fg(Color::DarkGray),
        ));
    }
    if run.show_intro {
        lines.push(Line::raw(String::new()));
        lines.push(Line::styled(text(l, "lesson.panel.intro"), bold));
        for para in run.lesson.intro.get(l).lines() {
            lines.push(Line::raw(para.to_string()));
        }
    }
    lines
}

pub(crate) fn behind_pane(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", text(m.lang, "tui.title.behind")));
    let mut lines = Vec::new();
    let head = |key: &str| {
        Line::styled(
            text(m.lang, key),
            theme.fg(Color::Magenta).add_modifier(Modifier::BOLD),
        )
    };
    if let Some(tool) = &m.tool {
        tool_lines(m, tool, theme, &mut lines);
        lines.push(Line::raw(""));
    }
    lines.push(head("tui.itinerary"));
    if m.live.link.mta.itinerary.steps.is_empty() {
        lines.push(Line::raw(text(m.lang, "tui.no_relay")));
    }
    // The last steps, oldest first, numbered as in the handout's figure.
    let steps: Vec<_> = m.live.link.mta.itinerary.iter().rev().take(12).collect();
    for step in steps.into_iter().rev() {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>3} ", step.number()),
                theme.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ),
            Span::raw(step_text(m, step)),
        ]));
    }
    if !m.live.link.mta.relay_log.is_empty() {
        lines.push(Line::raw(""));
        lines.push(head("tui.relays"));
    }
    for rec in m.live.link.mta.relay_log.iter().rev().take(3) {
        lines.push(Line::styled(
            format!("{} → {}", rec.from_host, rec.to_host),
            theme.fg(Color::Magenta).add_modifier(Modifier::BOLD),
        ));
        if let Some(note) = &rec.note {
            lines.push(Line::styled(
                format!("✗ {}", crate::proto::visible::visible_str(note)),
                theme.severity(Severity::Mistake),
            ));
        }
        for (dir, l) in &rec.lines {
            let (p, c) = match dir {
                RelayDirection::ClientToServer => ("C: ", Color::Cyan),
                RelayDirection::ServerToClient => ("S: ", Color::Green),
            };
            lines.push(Line::styled(
                format!("{p}{}", crate::proto::visible::visible(l)),
                theme.fg(c),
            ));
        }
        lines.push(Line::raw(""));
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((m.explain_scroll, 0)),
        area,
    );
}

/// What `/dig` or `/queue` shows: the tool's output, then what it means.
fn tool_lines(
    m: &Model,
    tool: &crate::tui::commands::Tool,
    theme: &Theme,
    lines: &mut Vec<Line<'static>>,
) {
    use crate::tui::commands::Shown;
    for shown in crate::tui::commands::lines(m.lang, &m.live.link.mta, tool) {
        match shown {
            Shown::Title(t) => lines.push(Line::styled(
                t,
                theme.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            )),
            Shown::Output(o) => lines.push(Line::styled(
                crate::proto::visible::visible_str(&o),
                theme.fg(Color::Green),
            )),
            Shown::Note(a) => {
                let rfc = a.rfc.map(|r| format!(" [{r}]")).unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} {} — ", a.severity.symbol(), a.title),
                        theme.severity(a.severity).add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!("{}{rfc}", a.body)),
                ]));
            }
        }
    }
}

/// One step of the itinerary, in words.
fn step_text(m: &Model, step: &Step) -> String {
    let l = m.lang;
    match step {
        Step::Submitted { host, from, to, id } => {
            fill(l, "tui.step.Submitted", &[host, id, from, &to.join(", ")])
        }
        Step::Relayed {
            from_host,
            to_host,
            accepted,
        } => {
            let key = if *accepted {
                "tui.step.Relayed.ok"
            } else {
                "tui.step.Relayed.refused"
            };
            fill(l, key, &[from_host, to_host])
        }
        Step::MxLookup {
            host,
            domain,
            route,
        } => match route {
            Route::Hosts(list) if list.first().is_some_and(|(p, h)| *p == 0 && h == domain) => {
                fill(l, "tui.step.MxLookup.implicit", &[host, domain])
            }
            Route::Hosts(list) => {
                let mx: Vec<String> = list.iter().map(|(p, h)| format!("{p} {h}")).collect();
                fill(l, "tui.step.MxLookup", &[host, domain, &mx.join(", ")])
            }
            Route::Null => fill(l, "tui.step.MxLookup.null", &[host, domain]),
            Route::NotFound => fill(l, "tui.step.MxLookup.notfound", &[host, domain]),
        },
        Step::Unreachable {
            from_host,
            to_host,
            timeout,
        } => {
            let key = if *timeout {
                "tui.step.Unreachable.timeout"
            } else {
                "tui.step.Unreachable.refused"
            };
            fill(l, key, &[from_host, to_host])
        }
        Step::Deferred {
            host,
            id,
            rcpts,
            next,
        } => fill(
            l,
            "tui.step.Deferred",
            &[
                host,
                id,
                &rcpts.join(", "),
                &crate::sim::queue::local_time(*next),
            ],
        ),
        Step::Bounced { host, to, delayed } => {
            let key = if *delayed {
                "tui.step.Warned"
            } else {
                "tui.step.Bounced"
            };
            fill(l, key, &[host, to])
        }
        Step::Delivered { host, mailbox } => fill(l, "tui.step.Delivered", &[host, mailbox]),
        Step::MaildropOpened { mailbox, messages } => {
            fill(l, "tui.step.MaildropOpened", &[mailbox, messages])
        }
        Step::Retrieved {
            mailbox,
            msg,
            octets,
        } => fill(l, "tui.step.Retrieved", &[mailbox, msg, octets]),
        Step::Updated { mailbox, removed } => fill(l, "tui.step.Updated", &[mailbox, removed]),
    }
}
