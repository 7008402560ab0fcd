//! Replaying a transcript: every line explained once at load, a position
//! that moves forward and back, auto-play at an adjustable speed. Pure: the
//! TUI gives the time (`tick`) and draws `entries[..pos]`.

use crate::explain::dialogue::{Explainer, Proto};
use crate::explain::lang::Lang;
use crate::session::explained::Entry;
use crate::session::transcript::{Event, Transcript};

/// How often the explainer's state is kept, to rebuild it at any position
/// quickly (at most this many lines are explained again per step).
const SNAPSHOT_EVERY: usize = 256;

/// Speeds of auto-play, as multiples of the recorded pace.
pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 64.0];

/// A transcript being replayed.
#[derive(Debug, Clone)]
pub struct Replay {
    /// Where it came from (shown in the title).
    pub name: String,
    pub transcript: Transcript,
    /// Every event, with its text and its worst severity; the notes
    /// themselves are computed again when a line is looked at
    /// ([`Replay::notes_from`]), so a 100,000-line transcript does not hold
    /// 100,000 explanations. The TUI takes them with [`Replay::take_entries`];
    /// the count stays in `len()`.
    pub entries: Vec<Entry>,
    /// How many lines are shown (0 ..= len()).
    pub pos: usize,
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// When auto-play shows the next line (milliseconds of the TUI's clock).
    pub due_ms: Option<u64>,
    first: Proto,
    snapshots: Vec<Explainer>,
    /// The explainer after the last line (a watched session grows: see
    /// [`Replay::append`]).
    tail: Explainer,
}

/// Read and explain a transcript file; the error names the file and the place.
pub fn load_file(lang: Lang, path: &std::path::Path) -> Result<Replay, String> {
    use crate::explain::fill;
    let at = |why: String| fill(lang, "diag.file", &[&path.display(), &why]);
    let text = std::fs::read(path).map_err(|e| at(crate::explain::diag::io_error(lang, &e)))?;
    let text = String::from_utf8(text).map_err(|e| {
        at(fill(
            lang,
            "diag.not_utf8",
            &[&e.utf8_error().valid_up_to()],
        ))
    })?;
    let t = Transcript::from_json(&text).map_err(|e| at(e.describe(lang)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(Replay::load(lang, &name, t))
}

impl Replay {
    /// Explain the whole transcript once (in `lang`).
    pub fn load(lang: Lang, name: &str, transcript: Transcript) -> Replay {
        let first = Proto::parse(&transcript.protocol).unwrap_or(Proto::Smtp);
        let mut ex = Explainer::for_proto(first);
        let mut snapshots = Vec::with_capacity(transcript.events.len() / SNAPSHOT_EVERY + 1);
        let mut entries = Vec::with_capacity(transcript.events.len());
        for (i, e) in transcript.events.iter().enumerate() {
            if i % SNAPSHOT_EVERY == 0 {
                snapshots.push(ex.clone());
            }
            let mut entry = Entry::explained(&mut ex, lang, e);
            entry.notes = Vec::new();
            entries.push(entry);
        }
        Replay {
            tail: ex,
            name: name.to_string(),
            transcript,
            entries,
            pos: 0,
            playing: false,
            speed: 2,
            due_ms: None,
            first,
            snapshots,
        }
    }

    /// The same transcript explained in another language, at the same place.
    pub fn relang(&self, lang: Lang) -> Replay {
        let mut r = Replay::load(lang, &self.name, self.transcript.clone());
        r.pos = self.pos;
        r.playing = self.playing;
        r.speed = self.speed;
        r.due_ms = self.due_ms;
        r
    }

    /// Lines that came after the load (a session being watched): explained
    /// on from where the transcript ended, added to it, and returned for
    /// the TUI to show (their notes are computed again when looked at, as
    /// for the others). At the end before, the position follows.
    pub fn append(&mut self, lang: Lang, events: Vec<Event>) -> Vec<Entry> {
        let follow = self.pos == self.len();
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            if self.transcript.events.len().is_multiple_of(SNAPSHOT_EVERY) {
                self.snapshots.push(self.tail.clone());
            }
            let mut entry = Entry::explained(&mut self.tail, lang, &e);
            entry.notes = Vec::new();
            out.push(entry);
            self.transcript.events.push(e);
        }
        if follow {
            self.pos = self.len();
        }
        out
    }

    /// How many lines the transcript has.
    pub fn len(&self) -> usize {
        self.transcript.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.transcript.events.is_empty()
    }

    /// Hand the explained entries over (the TUI shows them; no second copy).
    pub fn take_entries(&mut self) -> Vec<Entry> {
        std::mem::take(&mut self.entries)
    }

    /// The protocol of the first connection.
    pub fn first_proto(&self) -> Proto {
        self.first
    }

    /// The explainer's state after the first `pos` lines (for the state strip).
    pub fn explainer_at(&self, lang: Lang, pos: usize) -> Explainer {
        let pos = pos.min(self.len());
        let k = (pos / SNAPSHOT_EVERY).min(self.snapshots.len().saturating_sub(1));
        let Some(snap) = self.snapshots.get(k) else {
            return Explainer::for_proto(self.first);
        };
        let mut ex = snap.clone();
        for e in &self.transcript.events[k * SNAPSHOT_EVERY..pos] {
            let _ = Entry::explained(&mut ex, lang, e);
        }
        ex
    }

    /// The notes of line `i` and of the lines after it, as long as `more`
    /// asks for them (at most 1,000): explained again from the nearest
    /// snapshot, in `lang`.
    pub fn notes_from(
        &self,
        lang: Lang,
        i: usize,
        mut more: impl FnMut(&[crate::explain::annotation::Annotation], &Entry) -> bool,
    ) -> Vec<Vec<crate::explain::annotation::Annotation>> {
        let events = &self.transcript.events;
        if i >= events.len() {
            return Vec::new();
        }
        let mut ex = self.explainer_at(lang, i);
        let mut out = Vec::new();
        for e in events[i..].iter().take(1000) {
            let entry = Entry::explained(&mut ex, lang, e);
            let go_on = more(&entry.notes, &entry);
            out.push(entry.notes);
            if !go_on {
                break;
            }
        }
        out
    }

    /// Move to `pos` (clamped); auto-play stops at the end.
    pub fn go(&mut self, pos: usize) {
        self.pos = pos.min(self.len());
        if self.pos == self.len() {
            self.playing = false;
            self.due_ms = None;
        }
    }

    pub fn step(&mut self, forward: bool) {
        let to = if forward {
            self.pos + 1
        } else {
            self.pos.saturating_sub(1)
        };
        self.go(to);
    }

    /// Play or pause; playing from the end starts again at the top.
    pub fn toggle_play(&mut self, now_ms: u64) {
        self.playing = !self.playing;
        if self.playing && self.pos == self.len() {
            self.pos = 0;
        }
        self.due_ms = self.playing.then(|| now_ms + self.delay());
    }

    pub fn faster(&mut self) {
        self.speed = (self.speed + 1).min(SPEEDS.len() - 1);
    }

    pub fn slower(&mut self) {
        self.speed = self.speed.saturating_sub(1);
    }

    /// The recorded pause before the next line, at the chosen speed
    /// (long pauses are cut to 2 s, so a class does not wait for a student
    /// who went for coffee).
    pub fn delay(&self) -> u64 {
        let events: &[Event] = &self.transcript.events;
        let gap = match (
            self.pos.checked_sub(1).and_then(|i| events.get(i)),
            events.get(self.pos),
        ) {
            (Some(a), Some(b)) => b.t_ms.saturating_sub(a.t_ms).min(2_000),
            _ => 300,
        };
        ((gap as f64 / SPEEDS[self.speed]) as u64).max(20)
    }

    /// The clock moved: show the lines that are due. True if the position moved.
    pub fn tick(&mut self, now_ms: u64) -> bool {
        let mut moved = false;
        // Bounded: at most a screenful per tick, even after a long pause.
        for _ in 0..64 {
            match self.due_ms {
                Some(due) if self.playing && now_ms >= due => {
                    self.step(true);
                    moved = true;
                    if self.playing {
                        self.due_ms = Some(due + self.delay());
                    }
                }
                _ => break,
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::transcript::{Dir, VERSION};

    /// A dialogue whose lines differ and whose explanations depend on the
    /// state: seven exchanges in turn (256 is no multiple of 7), with the
    /// index in the addresses.
    fn transcript(n: usize) -> Transcript {
        let mut events = vec![Event::new(0, Dir::Server, b"220 h ESMTP", false)];
        for i in 0..n {
            let (c, s) = match i % 7 {
                0 => ("EHLO lab".to_string(), "250 h Hello".to_string()),
                1 => (format!("MAIL FROM:<u{i}@free.fr>"), "250 2.1.0 Ok".into()),
                2 => (
                    format!("RCPT TO:<x{}@wanadoo.fr>", i % 11),
                    "250 2.1.5 Ok".into(),
                ),
                3 => (
                    "RCPT TO:<y@wanadoo.fr>".into(),
                    "550 5.1.1 User unknown".into(),
                ),
                4 => (format!("VRFY v{i}"), "252 2.5.2 Cannot VRFY".into()),
                5 => ("DATA".into(), "554 5.5.1 Error: no valid recipients".into()),
                _ => ("RSET".into(), "250 2.0.0 Ok".into()),
            };
            events.push(Event::new(
                1000 * i as u64 + 500,
                Dir::Client,
                c.as_bytes(),
                false,
            ));
            events.push(Event::new(
                1000 * i as u64 + 600,
                Dir::Server,
                s.as_bytes(),
                false,
            ));
        }
        Transcript {
            version: VERSION,
            host: "h".into(),
            port: 25,
            protocol: "smtp".into(),
            simulated: false,
            started: 0,
            events,
        }
    }

    #[test]
    fn stepping_and_the_state_at_any_position() {
        let t = transcript(400);
        let mut r = Replay::load(Lang::En, "t", t);
        assert_eq!(r.entries.len(), 801);
        r.go(1);
        // The state after the greeting, rebuilt from a snapshot, equals a fresh run's.
        for pos in [0, 1, 2, 255, 256, 257, 700, 801] {
            let Explainer::Smtp(at) = r.explainer_at(Lang::En, pos) else {
                panic!()
            };
            let mut ex = Explainer::for_proto(Proto::Smtp);
            for e in &r.transcript.events[..pos] {
                let _ = Entry::explained(&mut ex, Lang::En, e);
            }
            let Explainer::Smtp(fresh) = ex else { panic!() };
            assert_eq!(
                format!("{:?}", at.state),
                format!("{:?}", fresh.state),
                "{pos}"
            );
        }
        r.step(false);
        r.step(false);
        assert_eq!(r.pos, 0);
        r.go(10_000);
        assert_eq!(r.pos, 801);
    }

    #[test]
    fn notes_computed_on_demand_are_the_ones_explained_in_one_go() {
        let t = transcript(300);
        let eager = crate::session::explained::explain_transcript(Lang::En, &t);
        let r = Replay::load(Lang::En, "t", t);
        assert!(r.entries.iter().all(|e| e.notes.is_empty()), "not kept");
        for i in [0, 1, 2, 255, 256, 257, 600] {
            let lazy = r.notes_from(Lang::En, i, |_, _| false);
            assert_eq!(lazy.len(), 1);
            assert!(!lazy[0].is_empty(), "line {i} is explained");
            assert_eq!(lazy[0], eager[i].notes, "line {i}");
            assert_eq!(r.entries[i].worst, eager[i].worst);
        }
        // Asked for more: the following lines, in order.
        let three = r.notes_from(Lang::En, 10, |_, _| true);
        assert_eq!(three.len(), 591);
        assert_eq!(three[2], eager[12].notes);
    }

    #[test]
    fn auto_play_follows_the_recorded_pace_and_the_speed() {
        let mut r = Replay::load(Lang::En, "t", transcript(3));
        r.go(1);
        r.toggle_play(0);
        // Line 2 came 500 ms after line 1: at 1×, due at 500.
        assert_eq!(r.due_ms, Some(500));
        assert!(!r.tick(499));
        assert!(r.tick(500));
        assert_eq!(r.pos, 2);
        r.faster();
        r.faster(); // 4×: the next gap (100 ms) takes 25 ms
        assert_eq!(r.delay(), 25);
        assert!(r.tick(10_000));
        assert_eq!(r.pos, 7, "played to the end");
        assert!(!r.playing, "and stopped there");
        r.toggle_play(20_000);
        assert_eq!(r.pos, 0, "play from the end starts again");
    }

    #[test]
    fn a_watched_session_grows_and_explains_as_if_loaded_whole() {
        let whole = transcript(300);
        let eager = crate::session::explained::explain_transcript(Lang::En, &whole);
        let mut start = whole.clone();
        let rest = start.events.split_off(100);
        let mut r = Replay::load(Lang::En, "live", start);
        r.go(100);
        let mut shown = r.take_entries();
        // In pieces of uneven size, across snapshot boundaries.
        let mut rest = rest.into_iter();
        for size in [1, 155, 3, 250, 10_000] {
            let piece: Vec<Event> = rest.by_ref().take(size).collect();
            shown.extend(r.append(Lang::En, piece));
            assert_eq!(r.pos, shown.len(), "at the end, it follows");
        }
        assert_eq!(shown.len(), 601);
        for i in [100, 101, 255, 256, 257, 511, 512, 600] {
            assert_eq!(shown[i].worst, eager[i].worst, "line {i}");
            let lazy = r.notes_from(Lang::En, i, |_, _| false);
            assert_eq!(lazy[0], eager[i].notes, "line {i}");
        }
        // Not at the end: the position stays where the teacher looks.
        r.go(5);
        r.append(Lang::En, vec![Event::new(0, Dir::Client, b"NOOP", false)]);
        assert_eq!((r.pos, r.len()), (5, 602));
    }
}
