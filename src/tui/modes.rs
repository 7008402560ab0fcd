//! The two other ways the TUI runs besides a live session: replaying a
//! transcript (no connection, a position that moves) and running a lesson
//! (a check after every exchange). Called by update.rs, the only place the
//! model changes.

use crate::explain::catalog::{fill, text};
use crate::net::link::Link;
use crate::session::live::Live;
use crate::sim::mta::Mta;
use crate::tui::model::{Focus, Model};
use crate::tui::update::new_model;

/// A model replaying a transcript: no connection, every line explained,
/// nothing shown yet (→ shows the first line, Space plays).
pub fn open_replay(
    lang: crate::explain::lang::Lang,
    mta: Mta,
    replay: crate::session::replay::Replay,
) -> Model {
    let t = &replay.transcript;
    let link = Link::offline(mta, &t.host, t.port, replay.first_proto());
    let mut m = new_model(lang, link);
    m.live.started = t.started;
    let mut replay = replay;
    m.live.entries = replay.take_entries();
    m.notice = fill(lang, "tui.replay.loaded", &[&replay.name, &replay.len()]);
    m.replay = Some(replay);
    m
}

/// A model running a lesson on the built-in world (see
/// [`crate::lesson::run::start`]).
pub fn open_lesson(
    lang: crate::explain::lang::Lang,
    mta: Mta,
    lesson: crate::lesson::Lesson,
) -> Option<Model> {
    let (live, run) = crate::lesson::run::start(lang, mta, &lesson)?;
    let mut m = new_model(lang, live.link);
    m.live = Live {
        link: m.live.link,
        ..live
    };
    m.notice = fill(lang, "lesson.started", &[&lesson.title.get(lang)]);
    m.lesson = Some(run);
    Some(m)
}

/// After each exchange: the lesson's check against what happened.
pub fn lesson_check(m: &mut Model) {
    let Some(mut run) = m.lesson.take() else {
        return;
    };
    let passed = run.check(&mut m.live);
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
    m.live.explainer = r.explainer_at(m.lang, r.pos);
    m.focus = Focus::Input;
    m.scroll = 0;
    m.explain_scroll = 0;
    m.live.link.info.tls = m.shown().last().is_some_and(|e| e.encrypted);
}
