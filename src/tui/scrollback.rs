//! The live session's lines: each explained as it arrives; only the last
//! [`KEEP_NOTES`] lines keep their explanations, older ones keep their text
//! and worst severity and are explained again from a snapshot of the
//! explainer (taken every [`SNAPSHOT_EVERY`] lines) when looked at. The
//! scrollback is bounded ([`SCROLLBACK`]) and cut at a snapshot, so every
//! line kept can always be explained again. A 100,000-line session so holds
//! text, not 100,000 explanations.

use std::collections::VecDeque;

use crate::explain::annotation::Annotation;
use crate::explain::session::{Explainer, Proto};
use crate::session::explained::Entry;
use crate::session::transcript::Event;
use crate::tui::model::{Focus, Model};

/// Lines kept in the transcript (older ones are dropped).
pub const SCROLLBACK: usize = 100_000;
/// The newest lines that keep their explanations.
pub const KEEP_NOTES: usize = 2_000;
/// A snapshot of the explainer every this many lines.
pub const SNAPSHOT_EVERY: usize = 256;

/// Explain an event in the session's state and add it.
pub fn push_event(m: &mut Model, event: Event) {
    let abs = m.dropped + m.entries.len();
    if abs.is_multiple_of(SNAPSHOT_EVERY) {
        m.snapshots.push_back((abs, m.explainer.clone()));
    }
    let e = Entry::explained(&mut m.explainer, m.lang, &event);
    m.entries.push(e);
    if let Some(old) = m
        .entries
        .len()
        .checked_sub(KEEP_NOTES + 1)
        .and_then(|i| m.entries.get_mut(i))
    {
        old.notes = Vec::new();
    }
    if m.entries.len() > m.scrollback {
        drop_oldest(m);
    }
}

/// Past the scrollback, the oldest tenth or so goes at once (amortised: no
/// shifting of 100,000 lines at every new one), up to a snapshot.
fn drop_oldest(m: &mut Model) {
    let want = m.dropped + m.entries.len() - m.scrollback * 9 / 10;
    let Some(cut) = m.snapshots.iter().map(|(a, _)| *a).find(|a| *a >= want) else {
        return;
    };
    let excess = cut - m.dropped;
    m.entries.drain(..excess);
    m.dropped = cut;
    while m.snapshots.front().is_some_and(|(a, _)| *a < cut) {
        m.snapshots.pop_front();
    }
    if let Focus::Session(i) = m.focus {
        m.focus = Focus::Session(i.saturating_sub(excess));
    }
}

/// Explain every line again (after a language change): from the first
/// snapshot, in the same pass as new lines are explained.
pub fn reexplain(m: &mut Model, first: Proto) {
    let mut ex = match m.snapshots.front() {
        Some((a, s)) if *a == m.dropped => s.clone(),
        _ => Explainer::for_proto(first),
    };
    let mut snapshots = VecDeque::new();
    let keep_from = m.entries.len().saturating_sub(KEEP_NOTES);
    for (i, e) in m.entries.iter_mut().enumerate() {
        let abs = m.dropped + i;
        if abs.is_multiple_of(SNAPSHOT_EVERY) {
            snapshots.push_back((abs, ex.clone()));
        }
        let again = Entry::explained(&mut ex, m.lang, &e.event());
        e.worst = again.worst;
        e.notes = if i >= keep_from {
            again.notes
        } else {
            Vec::new()
        };
    }
    m.snapshots = snapshots;
    m.explainer = ex;
}

/// The notes of line `i`: kept, or explained again from the nearest snapshot.
pub fn notes(m: &Model, i: usize) -> Vec<Annotation> {
    let Some(e) = m.entries.get(i) else {
        return Vec::new();
    };
    if !e.notes.is_empty() || e.worst.is_none() {
        return e.notes.clone();
    }
    let abs = m.dropped + i;
    let Some((start, snap)) = m.snapshots.iter().rev().find(|(a, _)| *a <= abs) else {
        return Vec::new();
    };
    let mut ex = snap.clone();
    let mut out = Vec::new();
    for e in &m.entries[start - m.dropped..=i] {
        out = Entry::explained(&mut ex, m.lang, &e.event()).notes;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::lang::Lang;
    use crate::sim::mta::Mta;
    use crate::sim::store::Store;
    use crate::sim::world::World;
    use crate::tui::action::Action;
    use crate::tui::update::{connect, update};

    #[test]
    fn old_lines_are_explained_again_exactly() {
        let mut mta = Mta::new(World::default(), Store::in_memory(), 3);
        mta.set_now(1_796_025_600);
        let mut m = connect(Lang::En, mta, "smtp.free.fr").unwrap_or_else(|| panic!("connect"));
        // A small scrollback, so that the oldest lines are dropped too.
        m.scrollback = 5_000;
        // Every line of the session, as it was (the model drops old ones).
        let mut all: Vec<crate::session::transcript::Event> =
            m.entries.iter().map(Entry::event).collect();
        // Lines that differ from one another and whose explanation depends
        // on the state (a period of 7, which 256 is not a multiple of).
        for i in 0..3_000usize {
            let line = match i % 7 {
                0 => "EHLO lab".to_string(),
                1 => format!("MAIL FROM:<u{i}@free.fr>"),
                2 => format!("RCPT TO:<user{}@wanadoo.fr>", i % 11),
                3 => "RCPT TO:<marc@wanadoo.fr>".to_string(),
                4 => format!("VRFY x{i}"),
                5 => format!("NOOP {i}"),
                _ => "RSET".to_string(),
            };
            for c in line.chars() {
                update(&mut m, Action::InsertChar(c));
            }
            update(&mut m, Action::SendLine);
            for j in all.len()..m.dropped + m.entries.len() {
                all.push(m.entries[j - m.dropped].event());
            }
        }
        let kept = m.entries.iter().filter(|e| !e.notes.is_empty()).count();
        assert!(kept <= KEEP_NOTES, "{kept}");
        assert!(
            m.dropped > 0 && m.entries.len() <= 5_000,
            "{} {}",
            m.dropped,
            m.entries.len()
        );
        assert_eq!(m.dropped % SNAPSHOT_EVERY, 0, "cut at a snapshot");
        // The same notes as explaining the whole session from its first
        // line with a fresh explainer (not the model's snapshots).
        let eager = |lang| {
            let mut ex = crate::explain::session::Explainer::for_proto(Proto::Smtp);
            all.iter()
                .map(|e| Entry::explained(&mut ex, lang, e).notes)
                .collect::<Vec<_>>()
        };
        let fresh = eager(Lang::En);
        for i in [0, 1, 5, 255, 256, 257, 1000, 4000, m.entries.len() - 1] {
            assert_eq!(
                notes(&m, i),
                fresh[m.dropped + i],
                "line {i}: {}",
                m.entries[i].text
            );
        }
        update(&mut m, Action::ToggleLanguage);
        let fresh = eager(Lang::Fr);
        for i in [3, 700, m.entries.len() - 2] {
            assert_eq!(notes(&m, i), fresh[m.dropped + i], "line {i} after F2");
        }
    }
}
