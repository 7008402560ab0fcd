//! What the student can do, named by intent, and the keymap — a table from
//! keys to actions — so that help and behaviour cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// An intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    InsertChar(char),
    DeleteBack,
    DeleteForward,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    ClearLine,
    DeleteWord,
    HistoryPrev,
    HistoryNext,
    SendLine,
    ScrollUp,
    ScrollDown,
    BrowseSession,
    LeaveSession,
    SelectPrev,
    SelectNext,
    /// Within the selected line: the previous / next annotation (its span is highlighted).
    NotePrev,
    NoteNext,
    ToggleLanguage,
    ToggleHelp,
    ToggleBehindTheScenes,
    ToggleContrast,
    ToggleTimestamps,
    /// Save the session: its transcript (JSON) and the annotated report (HTML).
    SaveReport,
    /// A lesson: reveal the next hint of the current step.
    LessonHint,
    /// A lesson: fold or unfold its panel (unfolded, with its introduction).
    ToggleLessonPanel,
    /// The mouse wheel over the session pane.
    WheelUp,
    WheelDown,
    /// The mouse wheel over the explanation pane.
    ScrollExplainUp,
    ScrollExplainDown,
    /// The explanation pane, a page at a time, from the keyboard.
    PageExplainUp,
    PageExplainDown,
    Quit,
    /// Replay: one line forward / back, to the start / end.
    ReplayNext,
    ReplayPrev,
    ReplayFirst,
    ReplayLast,
    /// Replay: auto-play on or off.
    ReplayPlay,
    ReplayFaster,
    ReplaySlower,
    /// Replay: type a line number, Enter jumps there.
    ReplayJump,
    /// The clock (milliseconds since the start), for auto-play.
    Tick(u64),
}

/// When a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Typing,
    Browsing,
    /// Watching a replay (nothing is typed, except a line number after `g`).
    Replay,
    Any,
}

/// The keymap: (key, modifiers, mode, action). Printable characters not
/// listed here are typed.
pub const KEYMAP: &[(KeyCode, KeyModifiers, Mode, Action)] = &[
    (
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
        Mode::Any,
        Action::Quit,
    ),
    (
        KeyCode::Char('d'),
        KeyModifiers::CONTROL,
        Mode::Any,
        Action::Quit,
    ),
    (
        KeyCode::F(1),
        KeyModifiers::NONE,
        Mode::Any,
        Action::ToggleHelp,
    ),
    (
        KeyCode::F(2),
        KeyModifiers::NONE,
        Mode::Any,
        Action::ToggleLanguage,
    ),
    (
        KeyCode::F(3),
        KeyModifiers::NONE,
        Mode::Any,
        Action::ToggleBehindTheScenes,
    ),
    (
        KeyCode::F(4),
        KeyModifiers::NONE,
        Mode::Any,
        Action::ToggleContrast,
    ),
    (
        KeyCode::F(5),
        KeyModifiers::NONE,
        Mode::Any,
        Action::ToggleTimestamps,
    ),
    (
        KeyCode::F(6),
        KeyModifiers::NONE,
        Mode::Any,
        Action::SaveReport,
    ),
    (
        KeyCode::F(7),
        KeyModifiers::NONE,
        Mode::Any,
        Action::LessonHint,
    ),
    (
        KeyCode::PageUp,
        KeyModifiers::NONE,
        Mode::Any,
        Action::ScrollUp,
    ),
    // The explanation pane from the keyboard (80×24: it rarely fits).
    (
        KeyCode::PageUp,
        KeyModifiers::ALT,
        Mode::Any,
        Action::PageExplainUp,
    ),
    (
        KeyCode::PageDown,
        KeyModifiers::ALT,
        Mode::Any,
        Action::PageExplainDown,
    ),
    (
        KeyCode::Up,
        KeyModifiers::ALT,
        Mode::Any,
        Action::ScrollExplainUp,
    ),
    (
        KeyCode::Down,
        KeyModifiers::ALT,
        Mode::Any,
        Action::ScrollExplainDown,
    ),
    (
        KeyCode::F(10),
        KeyModifiers::NONE,
        Mode::Any,
        Action::ToggleLessonPanel,
    ),
    (
        KeyCode::F(8),
        KeyModifiers::NONE,
        Mode::Any,
        Action::PageExplainUp,
    ),
    (
        KeyCode::F(9),
        KeyModifiers::NONE,
        Mode::Any,
        Action::PageExplainDown,
    ),
    (
        KeyCode::PageDown,
        KeyModifiers::NONE,
        Mode::Any,
        Action::ScrollDown,
    ),
    (
        KeyCode::Tab,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::BrowseSession,
    ),
    (
        KeyCode::Enter,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::SendLine,
    ),
    (
        KeyCode::Backspace,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::DeleteBack,
    ),
    (
        KeyCode::Delete,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::DeleteForward,
    ),
    (
        KeyCode::Left,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::CursorLeft,
    ),
    (
        KeyCode::Right,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::CursorRight,
    ),
    (
        KeyCode::Home,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::CursorHome,
    ),
    (
        KeyCode::End,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::CursorEnd,
    ),
    (
        KeyCode::Char('a'),
        KeyModifiers::CONTROL,
        Mode::Typing,
        Action::CursorHome,
    ),
    (
        KeyCode::Char('e'),
        KeyModifiers::CONTROL,
        Mode::Typing,
        Action::CursorEnd,
    ),
    (
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
        Mode::Typing,
        Action::ClearLine,
    ),
    (
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
        Mode::Typing,
        Action::DeleteWord,
    ),
    (
        KeyCode::Up,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::HistoryPrev,
    ),
    (
        KeyCode::Down,
        KeyModifiers::NONE,
        Mode::Typing,
        Action::HistoryNext,
    ),
    (
        KeyCode::Up,
        KeyModifiers::NONE,
        Mode::Browsing,
        Action::SelectPrev,
    ),
    (
        KeyCode::Down,
        KeyModifiers::NONE,
        Mode::Browsing,
        Action::SelectNext,
    ),
    (
        KeyCode::Left,
        KeyModifiers::NONE,
        Mode::Browsing,
        Action::NotePrev,
    ),
    (
        KeyCode::Right,
        KeyModifiers::NONE,
        Mode::Browsing,
        Action::NoteNext,
    ),
    (
        KeyCode::Esc,
        KeyModifiers::NONE,
        Mode::Browsing,
        Action::LeaveSession,
    ),
    (
        KeyCode::Tab,
        KeyModifiers::NONE,
        Mode::Browsing,
        Action::LeaveSession,
    ),
    (
        KeyCode::Right,
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayNext,
    ),
    (
        KeyCode::Char('n'),
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayNext,
    ),
    (
        KeyCode::Down,
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayNext,
    ),
    (
        KeyCode::Left,
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayPrev,
    ),
    (
        KeyCode::Char('p'),
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayPrev,
    ),
    (
        KeyCode::Up,
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayPrev,
    ),
    (
        KeyCode::Home,
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayFirst,
    ),
    (
        KeyCode::End,
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayLast,
    ),
    (
        KeyCode::Char(' '),
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayPlay,
    ),
    (
        KeyCode::Char('+'),
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayFaster,
    ),
    (
        KeyCode::Char('-'),
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplaySlower,
    ),
    (
        KeyCode::Char('g'),
        KeyModifiers::NONE,
        Mode::Replay,
        Action::ReplayJump,
    ),
    (
        KeyCode::Tab,
        KeyModifiers::NONE,
        Mode::Replay,
        Action::BrowseSession,
    ),
    (
        KeyCode::Char('q'),
        KeyModifiers::NONE,
        Mode::Replay,
        Action::Quit,
    ),
];

/// The action for a key, in the current mode.
pub fn action_for(key: KeyEvent, mode: Mode, help_open: bool, input_empty: bool) -> Option<Action> {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    if help_open && matches!(key.code, KeyCode::Esc | KeyCode::Char('?')) {
        return Some(Action::ToggleHelp);
    }
    let bound = KEYMAP.iter().find(|(code, m, when, _)| {
        *code == key.code && *m == mods && (*when == mode || *when == Mode::Any)
    });
    if let Some((_, _, _, a)) = bound {
        return Some(*a);
    }
    match key.code {
        // "?" opens help when nothing is typed (it is also a character).
        KeyCode::Char('?') if mode != Mode::Typing || input_empty => Some(Action::ToggleHelp),
        KeyCode::Char(c) if mods.is_empty() && mode == Mode::Typing => Some(Action::InsertChar(c)),
        _ => None,
    }
}

/// A pasted block as actions: its characters are typed, each line break
/// (CRLF, LF or CR) sends the line — pasting a message body in DATA mode
/// sends it line by line, as a terminal would. Other control characters
/// are dropped (never sent to a server unseen).
pub fn paste_actions(text: &str) -> Vec<Action> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(Action::SendLine);
            }
            '\n' => out.push(Action::SendLine),
            c if c.is_control() => {}
            c => out.push(Action::InsertChar(c)),
        }
    }
    out
}
