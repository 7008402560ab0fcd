//! Everything the TUI shows, as data: the transcript with its explanations,
//! the line being typed, the history, where the student looks, and the
//! simulated world behind the connection. Drawing reads it; only
//! `update` changes it.

use crate::explain::annotation::Annotation;
use crate::explain::lang::Lang;
use crate::explain::pop3::Pop3State;
use crate::explain::session::{Side, SmtpExplainer};
use crate::session::transcript::{Dir, Handshake};
use crate::sim::mta::Mta;
use crate::tui::link::{Link, Proto};

/// The session's explainer, by protocol.
#[derive(Debug, Clone)]
pub enum Explainer {
    Smtp(Box<SmtpExplainer>),
    Pop3(Box<Pop3State>),
}

impl Explainer {
    pub fn for_proto(proto: Proto) -> Explainer {
        match proto {
            Proto::Smtp => Explainer::Smtp(Box::default()),
            Proto::Pop3 => Explainer::Pop3(Box::default()),
        }
    }

    /// Explain an entry (a line, or a handshake) and move the state on.
    pub fn entry(
        &mut self,
        lang: Lang,
        dir: Dir,
        raw: &[u8],
        handshake: Option<&Handshake>,
    ) -> Vec<Annotation> {
        let side = match dir {
            Dir::Client => Side::Client,
            Dir::Server => Side::Server,
            Dir::Tls => {
                return handshake
                    .map(|h| crate::explain::tls::explain_handshake(lang, h))
                    .unwrap_or_default();
            }
        };
        self.line(lang, side, &String::from_utf8_lossy(raw))
    }

    /// Explain a line and move the state on.
    pub fn line(&mut self, lang: Lang, side: Side, line: &str) -> Vec<Annotation> {
        match (self, side) {
            (Explainer::Smtp(e), Side::Client) => e.client(lang, line, None),
            (Explainer::Smtp(e), Side::Server) => e.server(lang, line),
            (Explainer::Pop3(s), Side::Client) => {
                let notes = crate::explain::pop3::explain_pop3_input(lang, line, s);
                s.client_line(line.as_bytes());
                notes
            }
            (Explainer::Pop3(s), Side::Server) => s.server_line(lang, line),
        }
    }

    /// Explain the line being typed, without moving the state.
    pub fn typing(&self, lang: Lang, line: &str) -> Vec<Annotation> {
        match self {
            Explainer::Smtp(e) => {
                crate::explain::command::explain_smtp_input(lang, line, &e.state, None)
            }
            Explainer::Pop3(s) => crate::explain::pop3::explain_pop3_input(lang, line, s),
        }
    }
}

/// One line of the transcript, or a TLS handshake.
#[derive(Debug, Clone)]
pub struct Entry {
    pub dir: Dir,
    /// For `Dir::Tls`: what was negotiated and the certificate.
    pub handshake: Option<Handshake>,
    /// Made visible already: no escape sequence from a server ever reaches the terminal.
    pub text: String,
    pub notes: Vec<Annotation>,
    /// Sent or received inside TLS.
    pub encrypted: bool,
    /// The exact bytes (without the line ending), for `--record`.
    pub raw: Vec<u8>,
    /// Milliseconds since the session started.
    pub at_ms: u64,
}

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

/// The whole state of the TUI.
#[derive(Debug)]
pub struct Model {
    pub lang: Lang,
    pub entries: Vec<Entry>,
    pub explainer: Explainer,
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
    /// Unix time the session started, and milliseconds since (the runtime
    /// reads the clock and sets them; the model never does).
    pub started: i64,
    pub elapsed_ms: u64,
    pub link: Link,
    pub mta: Mta,
}

impl Model {
    /// The line to explain in the right pane: the one typed, the one
    /// selected, or the last one.
    pub fn explained(&self) -> Vec<Annotation> {
        match self.focus {
            Focus::Session(i) => self
                .entries
                .get(i)
                .map(|e| e.notes.clone())
                .unwrap_or_default(),
            Focus::Input if !self.input.is_empty() => self.explainer.typing(self.lang, &self.input),
            Focus::Input => self
                .entries
                .last()
                .map(|e| e.notes.clone())
                .unwrap_or_default(),
        }
    }
}

impl Model {
    /// The session as a transcript (for `--record`).
    pub fn transcript(&self) -> crate::session::transcript::Transcript {
        use crate::session::transcript::{Event, Transcript, VERSION};
        Transcript {
            version: VERSION,
            host: self.link.host.clone(),
            port: self.link.port,
            protocol: match self.link.proto {
                Proto::Smtp => "smtp".into(),
                Proto::Pop3 => "pop3".into(),
            },
            simulated: !self.link.remote,
            started: self.started,
            events: self
                .entries
                .iter()
                .map(|e| match &e.handshake {
                    Some(h) => Event::handshake(e.at_ms, h.clone()),
                    None => Event::new(e.at_ms, e.dir, &e.raw, e.encrypted),
                })
                .collect(),
        }
    }
}
