//! The TUI's commands for the world behind the connection, typed on the
//! input line like `/open`: `/dig NAME [MX|A|AAAA]` asks the world's DNS
//! (as `dig` would answer), `/queue` (or `/mailq`) shows the queue as
//! Postfix's `mailq` with its schedule, `/flush` retries it now (as
//! `postqueue -f`), `/wait 10m` lets simulated time pass (each retry due on
//! the way happens), and `/open` of a host that is down is refused as
//! telnet would be. Their output goes to the behind-the-scenes pane (F3).

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::{fill, text};
use crate::explain::lang::Lang;
use crate::sim::dns::{Dig, Finding, QType, TTL};
use crate::sim::mta::Mta;
use crate::sim::queue::{QueueEvent, local_time};
use crate::sim::scenario::{FaultKind, Secs};
use crate::tui::model::{Model, RightPane};

/// What the behind-the-scenes pane shows above the itinerary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// The answer to `/dig` (asked again when drawn: the world's DNS is data).
    Dig { name: String, qtype: QType, id: u16 },
    /// The queue, as it is now.
    Queue,
}

/// How a line of the tool's output is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// A heading.
    Title(String),
    /// The tool's own output (dig's, mailq's), verbatim.
    Output(String),
    /// An explanation.
    Note(Annotation),
}

/// Handle `line` if it is one of these commands (true), else leave it.
pub fn handle(m: &mut Model, line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [cmd, rest @ ..] if cmd.eq_ignore_ascii_case("/dig") => dig(m, rest),
        [cmd] if cmd.eq_ignore_ascii_case("/queue") || cmd.eq_ignore_ascii_case("/mailq") => {
            show(m, Tool::Queue);
            m.notice = fill(
                m.lang,
                "tui.cmd.queue.count",
                &[&m.live.link.mta.queue.len()],
            );
        }
        [cmd] if cmd.eq_ignore_ascii_case("/flush") => {
            let events = m.live.link.mta.flush();
            show(m, Tool::Queue);
            m.notice = fill(m.lang, "tui.cmd.flush.done", &[&summary(m.lang, &events)]);
        }
        [cmd, d] if cmd.eq_ignore_ascii_case("/wait") && Secs::parse(d).is_some() => {
            let secs = Secs::parse(d).unwrap_or(Secs(0));
            let events = m.live.link.mta.advance(secs.0);
            if !events.is_empty() || !m.live.link.mta.queue.is_empty() {
                show(m, Tool::Queue);
            }
            m.notice = fill(
                m.lang,
                "tui.cmd.wait.done",
                &[
                    &secs.short(),
                    &local_time(m.live.link.mta.now()),
                    &summary(m.lang, &events),
                ],
            );
        }
        [cmd, ..] if cmd.eq_ignore_ascii_case("/wait") => {
            m.notice = text(m.lang, "tui.cmd.wait.usage");
        }
        [cmd, host, ..] if cmd.eq_ignore_ascii_case("/open") => return open_down(m, host),
        _ => return false,
    }
    true
}

/// Time passed on its own (the runtime read the clock): what fell due in
/// the queue is tried; true if anything happened.
pub fn time_passed(m: &mut Model) -> bool {
    if m.live
        .link
        .mta
        .queue
        .next_due()
        .is_none_or(|t| t > m.live.link.mta.now())
    {
        return false;
    }
    let events = m.live.link.mta.run_queue();
    if events.is_empty() {
        return false;
    }
    m.notice = fill(m.lang, "tui.cmd.time_passed", &[&summary(m.lang, &events)]);
    true
}

fn show(m: &mut Model, tool: Tool) {
    m.tool = Some(tool);
    m.right = RightPane::BehindTheScenes;
    m.explain_scroll = 0;
}

fn dig(m: &mut Model, args: &[&str]) {
    let (name, qtype) = match args {
        [name] => (name, Some(QType::A)),
        [name, t] => (name, QType::parse(t)),
        _ => (&"", None),
    };
    let Some(qtype) = qtype.filter(|_| !name.is_empty()) else {
        m.notice = text(m.lang, "tui.cmd.dig.usage");
        return;
    };
    let answer = m.live.link.mta.dig(name, qtype);
    let id = (m.live.link.mta.dns_log.len() as u16).wrapping_mul(7919) ^ 0x2a5f;
    show(
        m,
        Tool::Dig {
            name: answer.name.clone(),
            qtype,
            id,
        },
    );
    m.notice = fill(
        m.lang,
        "tui.cmd.dig.done",
        &[&answer.name, &qtype.name(), &answer.answer.len()],
    );
}

/// `/open HOST` of a host that is down: refused here, as telnet says it.
fn open_down(m: &mut Model, host: &str) -> bool {
    if m.live.link.info.remote || m.live.link.options.is_some() {
        return false;
    }
    let key = match m.live.link.mta.fault(host).map(|f| f.kind) {
        Some(FaultKind::Refused) => "tui.cmd.open.refused",
        Some(FaultKind::Timeout) => "tui.cmd.open.timeout",
        _ => return false,
    };
    m.notice = fill(m.lang, key, &[&host.to_ascii_lowercase()]);
    true
}

/// What a queue run did, in a few words.
fn summary(lang: Lang, events: &[QueueEvent]) -> String {
    if events.is_empty() {
        return text(lang, "tui.cmd.events.none");
    }
    let (mut sent, mut waiting, mut returned, mut warned) = (0, 0, 0, 0);
    for e in events {
        match e {
            QueueEvent::Delivered { .. } => sent += 1,
            QueueEvent::Deferred { .. } => waiting += 1,
            QueueEvent::Bounced { .. } => returned += 1,
            QueueEvent::Warned { .. } => warned += 1,
        }
    }
    fill(
        lang,
        "tui.cmd.events",
        &[&sent, &waiting, &returned, &warned],
    )
}

/// The lines of the tool's output, explained, for the pane.
pub fn lines(lang: Lang, mta: &Mta, tool: &Tool) -> Vec<Shown> {
    match tool {
        Tool::Dig { name, qtype, id } => {
            let answer = crate::sim::dns::dig(&mta.world, name, *qtype);
            let mut out = vec![Shown::Title(fill(
                lang,
                "tui.cmd.dig.title",
                &[name, &qtype.name()],
            ))];
            out.extend(answer.lines(*id).into_iter().map(Shown::Output));
            out.extend(dig_notes(lang, &answer).into_iter().map(Shown::Note));
            out
        }
        Tool::Queue => queue_lines(lang, mta),
    }
}

fn queue_lines(lang: Lang, mta: &Mta) -> Vec<Shown> {
    let mut out = vec![Shown::Title(text(lang, "tui.cmd.queue.title"))];
    out.extend(mta.mailq().into_iter().map(Shown::Output));
    let q = mta.world.queue;
    let now = mta.now();
    for e in &mta.queue.entries {
        let warn = if e.warned || q.delay_warning_time.0 == 0 {
            "—".to_string()
        } else {
            local_time(e.arrival + q.delay_warning_time.0)
        };
        out.push(Shown::Note(Annotation {
            span: 0..0,
            title: e.id.clone(),
            body: fill(
                lang,
                "tui.cmd.queue.entry",
                &[
                    &e.host,
                    &e.attempts,
                    &local_time(e.next_try),
                    &Secs((e.next_try - now).max(0)).short(),
                    &warn,
                    &local_time(e.arrival + q.maximal_queue_lifetime.0),
                    &q.maximal_queue_lifetime.short(),
                ],
            ),
            rfc: Some("RFC 5321 §4.5.4.1".into()),
            severity: Severity::Hint,
        }));
        if let Some(f) = e.pending.first() {
            let reason = f.reason(&mta.world);
            let notes = crate::explain::delivery::explain_reason(lang, &reason)
                .or_else(|| Some(crate::explain::line::explain_line(lang, &reason)))
                .unwrap_or_default();
            out.extend(notes.into_iter().take(3).map(Shown::Note));
        }
    }
    out
}

/// What a `dig` answer means for mail.
pub fn dig_notes(lang: Lang, d: &Dig) -> Vec<Annotation> {
    let note = |title: String, key: &str, args: &[&dyn std::fmt::Display], s| {
        Annotation::from_key(lang, 0..0, title, key, args, s)
    };
    let ttl = || {
        note(
            fill(lang, "dns.title.ttl", &[&TTL]),
            "dns.ttl",
            &[&TTL],
            Severity::Info,
        )
    };
    let name = d.name.as_str();
    match &d.finding {
        Finding::Mx { best, count } => vec![
            note(
                text(lang, "dns.title.mx"),
                "dns.mx",
                &[&name, count, best],
                Severity::Info,
            ),
            ttl(),
        ],
        Finding::NullMx => vec![note(
            text(lang, "dns.title.null"),
            "dns.null",
            &[&name],
            Severity::Mistake,
        )],
        Finding::ImplicitMx { address: Some(a) } => vec![note(
            text(lang, "dns.title.implicit"),
            "dns.implicit",
            &[&name, a],
            Severity::Hint,
        )],
        Finding::ImplicitMx { address: None } => vec![note(
            text(lang, "dns.title.implicit"),
            "dns.implicit.none",
            &[&name],
            Severity::Mistake,
        )],
        Finding::Address => {
            let data = d.answer.first().map(|r| r.data.clone()).unwrap_or_default();
            vec![
                note(
                    fill(lang, "dns.title.address", &[&d.qtype.name()]),
                    "dns.address",
                    &[&name, &data],
                    Severity::Info,
                ),
                ttl(),
            ]
        }
        Finding::NoData => vec![note(
            fill(lang, "dns.title.nodata", &[&d.qtype.name()]),
            "dns.nodata",
            &[&name],
            Severity::Hint,
        )],
        Finding::NxDomain => vec![note(
            text(lang, "dns.title.nxdomain"),
            "dns.nxdomain",
            &[&name],
            Severity::Mistake,
        )],
    }
}
