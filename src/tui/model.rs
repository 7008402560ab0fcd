//! Everything the TUI shows, as data: the transcript with its explanations,
//! the line being typed, the history, where the student looks, and the
//! simulated world behind the connection. Drawing reads it; only
//! `update` changes it.

use crate::explain::annotation::Annotation;
use crate::explain::lang::Lang;
use crate::net::link::Link;
use crate::session::live::Live;

pub use crate::explain::dialogue::Explainer;
pub use crate::session::explained::Entry;

/// Where the keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Input,
    /// Browsing the transcript; the selected line is explained.
    Session(usize),
}

/// What the right pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RightPane {
    Explanation,
    /// The relay dialogues between simulated MTAs.
    BehindTheScenes,
}

/// The whole state of the TUI: the live session (the engine below any
/// UI) and how it is shown.
#[derive(Debug)]
pub struct Model {
    pub lang: Lang,
    /// The session: its link (and the simulated world), its explained
    /// lines, the explainer's state.
    pub live: Live<Link>,
    /// The line being typed and the cursor (in chars).
    pub input: String,
    pub cursor: usize,
    pub history: Vec<String>,
    pub history_pos: Option<usize>,
    /// Lines scrolled up from the bottom of the transcript.
    pub scroll: usize,
    pub focus: Focus,
    /// Browsing: which annotation of the selected line is pointed at.
    pub note: usize,
    pub right: RightPane,
    pub show_help: bool,
    /// A message from facteur itself (not the server), e.g. "connected to…".
    pub notice: String,
    pub quit: bool,
    /// Colours on (off when NO_COLOR is set).
    pub color: bool,
    /// Bold, high-contrast colours for a classroom projector.
    pub high_contrast: bool,
    /// Show each line's time since the start.
    pub timestamps: bool,
    /// Lines scrolled in the explanation pane.
    pub explain_scroll: u16,
    /// Replaying a transcript (`facteur replay`): `entries` holds it all,
    /// the first `replay.pos` are shown.
    pub replay: Option<crate::session::replay::Replay>,
    /// The replay is a live session being watched (a proxy's connection, a
    /// room's student): it grows, and the keys say so.
    pub watching: bool,
    /// Replay: a line number is being typed (after `g`).
    pub jumping: bool,
    /// The student asked to save the session (the runtime writes the files).
    pub save_requested: bool,
    /// A lesson being run (`facteur lesson ID`).
    pub lesson: Option<crate::lesson::run::Run>,
    /// Rows of the session pane and of the explanation pane, as last drawn
    /// (Page↑/Page↓ move by a page; the runtime sets them).
    pub session_rows: u16,
    pub explain_rows: u16,
    /// The panes are stacked (a narrow terminal): the lesson and the
    /// explanation are below the session, not on its right.
    pub stacked: bool,
    /// `--record FILE`: the session is written when facteur quits.
    pub recorded: bool,
    /// Entries when the session was last saved (F6).
    pub saved_at: usize,
    /// Ctrl-C was pressed once with work not saved: the next one quits.
    pub quit_armed: bool,
    /// What `/dig` or `/queue` last showed behind the scenes.
    pub tool: Option<crate::tui::commands::Tool>,
}

impl Model {
    /// The entries on screen: all of them, or the replayed part.
    pub fn shown(&self) -> &[Entry] {
        match &self.replay {
            Some(r) => &self.live.entries[..r.pos.min(self.live.entries.len())],
            None => &self.live.entries,
        }
    }

    /// Which keys apply now.
    pub fn mode(&self) -> crate::tui::action::Mode {
        use crate::tui::action::Mode;
        match (self.focus, &self.replay) {
            (Focus::Session(_), _) => Mode::Browsing,
            (Focus::Input, Some(_)) if !self.jumping => Mode::Replay,
            (Focus::Input, _) => Mode::Typing,
        }
    }
}

impl Model {
    /// The line to explain in the right pane: the one typed, the one
    /// selected, or the last one.
    pub fn explained(&self) -> Vec<Annotation> {
        let notes = match self.focus {
            // A line inside a multi-line reply is explained with its reply
            // (on the reply's last line).
            Focus::Session(i) => self.notes_of(i, true),
            Focus::Input if self.input.starts_with('/') => tui_command(self.lang, &self.input),
            Focus::Input if !self.input.is_empty() => {
                self.live.explainer.typing(self.lang, &self.input)
            }
            // The newest line shown; a line inside a multi-line reply is
            // explained with its reply (a replay stepping through it, a
            // watched session between two reads).
            Focus::Input => match self.shown().len() {
                0 => Vec::new(),
                n => self.notes_of(n - 1, true),
            },
        };
        most_serious_first(notes)
    }

    /// The notes of shown line `i` — kept with the line, or, in a replay,
    /// explained again on demand. With `reply`, a server line without notes
    /// takes those of the reply it belongs to (its last line).
    pub fn notes_of(&self, i: usize, reply: bool) -> Vec<Annotation> {
        most_serious_first(self.notes_unsorted(i, reply))
    }

    fn notes_unsorted(&self, i: usize, reply: bool) -> Vec<Annotation> {
        use crate::session::transcript::Dir;
        let shown = self.shown();
        let Some(first) = shown.get(i) else {
            return Vec::new();
        };
        let continues = |e: &Entry| reply && e.dir == Dir::Server && first.dir == Dir::Server;
        if let Some(r) = &self.replay {
            // The reply's last line may not be shown yet: it is the same reply.
            let limit = self.live.entries.len();
            let mut k = i;
            let found = r.notes_from(self.lang, i, |notes, e| {
                k += 1;
                notes.is_empty() && continues(e) && k < limit
            });
            return found
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or_default();
        }
        let notes = |j: usize| self.live.notes(j);
        if first.dir != Dir::Server || !reply {
            return notes(i);
        }
        (i..shown.len())
            .take_while(|&j| continues(&shown[j]))
            .map(notes)
            .find(|n| !n.is_empty())
            .unwrap_or_default()
    }
}

/// facteur's own commands (`/open HOST [PORT]`, `/reconnect`), explained
/// as such while typed: they are not sent to the server.
fn tui_command(lang: Lang, input: &str) -> Vec<Annotation> {
    use crate::explain::annotation::Severity;
    let word = input.split_whitespace().next().unwrap_or("/");
    let name = word.trim_start_matches('/').to_ascii_lowercase();
    let key = format!("tui.cmd.{name}");
    if crate::explain::catalog::entry(&key).is_some() {
        vec![Annotation::from_key(
            lang,
            0..input.len(),
            word,
            &key,
            &[],
            Severity::Info,
        )]
    } else {
        let known = [
            "/open",
            "/reconnect",
            "/dig",
            "/queue",
            "/mailq",
            "/flush",
            "/wait",
        ];
        let becoming = known
            .iter()
            .any(|k| k.starts_with(&word.to_ascii_lowercase()));
        vec![Annotation::from_key(
            lang,
            0..input.len(),
            word,
            "tui.cmd.unknown",
            &[&crate::proto::visible::visible_str(word)],
            if becoming {
                Severity::Hint
            } else {
                Severity::Mistake
            },
        )]
    }
}

/// A danger or a mistake is read first (a student at 80×24 may see only
/// the top of the pane); otherwise the engine's order stays.
fn most_serious_first(mut notes: Vec<Annotation>) -> Vec<Annotation> {
    notes.sort_by_key(|n| std::cmp::Reverse(n.severity));
    notes
}
