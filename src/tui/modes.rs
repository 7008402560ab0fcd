//! The two other ways the TUI runs besides a live session: replaying a
//! transcript (no connection, a position that moves) and running a lesson
//! (a check after every exchange). Called by update.rs, the only place the
//! model changes.

use crate::explain::catalog::{fill, text};
use crate::sim::mta::Mta;
use crate::tui::link::Link;
use crate::tui::model::{Focus, Model};
use crate::tui::update::{connect, new_model};

/// A model replaying a transcript: no connection, every line explained,
/// nothing shown yet (→ shows the first line, Space plays).
pub fn open_replay(
    lang: crate::explain::lang::Lang,
    mta: Mta,
    replay: crate::session::replay::Replay,
) -> Model {
    let t = &replay.transcript;
    let link = Link::offline(&t.host, t.port, replay.first_proto());
    let mut m = new_model(lang, mta, link);
    m.started = t.started;
    let mut replay = replay;
    m.entries = replay.take_entries();
    m.notice = fill(lang, "tui.replay.loaded", &[&replay.name, &replay.len()]);
    m.replay = Some(replay);
    m
}

/// A model running a lesson on the built-in world: its messages put in
/// their mailboxes, connected to its start host. None if that host is not
/// in the world (`lesson check` reports it first).
pub fn open_lesson(
    lang: crate::explain::lang::Lang,
    mut mta: Mta,
    lesson: crate::lesson::Lesson,
) -> Option<Model> {
    crate::lesson::run::prepare(&lesson, &mut mta).ok()?;
    let start = lesson.start.clone();
    let mut m = connect(lang, mta, &start)?;
    let stage = m.mta.itinerary.next_seq();
    m.notice = fill(lang, "lesson.started", &[&lesson.title.get(lang)]);
    m.lesson = Some(crate::lesson::run::Run::new(lesson, m.entries.len(), stage));
    lesson_check(&mut m);
    Some(m)
}

/// After each exchange: the lesson's check against what happened.
pub fn lesson_check(m: &mut Model) {
    let Some(mut run) = m.lesson.take() else {
        return;
    };
    let first = crate::explain::session::Proto::parse(&m.origin.protocol).unwrap_or(m.link.proto);
    let facts = crate::lesson::check::Facts {
        entries: &m.entries,
        first,
        since: 0,
        since_stage: 0,
        since_dns: 0,
        mta: &m.mta,
        explainer: &m.explainer,
        host: &m.link.host,
        open: !m.link.closed,
    };
    let passed = run.evaluate(m.lang, facts);
    for i in passed.clone() {
        if let Some(mailbox) = run.lesson.steps.get(i).and_then(|s| s.release.clone()) {
            m.mta.store.unlock(&mailbox.to_ascii_lowercase());
        }
    }
    if !passed.is_empty() {
        m.notice = if run.done() {
            text(m.lang, "lesson.all_done")
        } else {
            fill(m.lang, "lesson.step_done", &[&passed.end, &run.total()])
        };
    }
    m.lesson = Some(run);
}

/// Move a replay to `pos`; the state strip follows.
pub(crate) fn replay_to(m: &mut Model, pos: usize) {
    let Some(r) = m.replay.as_mut() else { return };
    r.go(pos);
    m.explainer = r.explainer_at(m.lang, r.pos);
    m.focus = Focus::Input;
    m.scroll = 0;
    m.explain_scroll = 0;
    m.link.tls = m.shown().last().is_some_and(|e| e.encrypted);
}
