//! A whole SMTP dialogue explained line by line, the state carried from one
//! line to the next — what the replay view, the lesson checker and the
//! exporters will show, and what the golden tests pin down.

use crate::explain::annotation::Annotation;
use crate::explain::command::explain_smtp_input;
use crate::explain::lang::Lang;
use crate::explain::pop3::Pop3State;
use crate::explain::reply::explain_reply;
use crate::explain::state::SmtpState;
use crate::proto::Dir;
pub use crate::proto::Proto;
use crate::proto::smtp::reply::{ReplyEvent, ReplyReader};
use crate::proto::tls::Handshake;

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
            Dir::Open => return Vec::new(),
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
                crate::explain::command::explain_smtp_typing(lang, line, &e.state)
            }
            Explainer::Pop3(s) => crate::explain::pop3::explain_pop3_typing(lang, line, s),
        }
    }
}

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// One explained line (a server reply may span several lines: it is
/// explained once, on its last line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub side: Side,
    pub line: String,
    pub notes: Vec<Annotation>,
}

/// Explains an SMTP session one line at a time, carrying the state.
#[derive(Debug, Clone, Default)]
pub struct SmtpExplainer {
    pub state: SmtpState,
    replies: ReplyReader,
}

impl SmtpExplainer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A line the client sent: explained in the state before it, then recorded.
    pub fn client(&mut self, lang: Lang, line: &str, secret: Option<&str>) -> Vec<Annotation> {
        let notes = explain_smtp_input(lang, line, &self.state, secret);
        self.state.client_line(line.as_bytes());
        notes
    }

    /// A line the server sent; a multi-line reply is explained on its last line.
    pub fn server(&mut self, lang: Lang, line: &str) -> Vec<Annotation> {
        let mut notes = Vec::new();
        for ev in self.replies.feed(format!("{line}\r\n").as_bytes()) {
            match ev {
                ReplyEvent::Reply(r) => {
                    let tls = self.state.tls;
                    let answering = self.state.server_reply(&r);
                    notes.extend(explain_reply(lang, &r, answering, tls));
                }
                ReplyEvent::Malformed { error, .. } => notes.push(Annotation::from_key(
                    lang,
                    0..line.len(),
                    "?",
                    "reply.malformed",
                    &[&error],
                    crate::explain::annotation::Severity::Mistake,
                )),
            }
        }
        notes
    }
}

/// Explain an SMTP dialogue given as (side, line) pairs, lines without
/// their CRLF. `secret` is used to check a CRAM-MD5 answer when known.
pub fn explain_smtp_dialogue(
    lang: Lang,
    lines: &[(Side, &str)],
    secret: Option<&str>,
) -> Vec<Explained> {
    let mut ex = SmtpExplainer::new();
    lines
        .iter()
        .map(|(side, line)| Explained {
            side: *side,
            line: line.to_string(),
            notes: match side {
                Side::Client => ex.client(lang, line, secret),
                Side::Server => ex.server(lang, line),
            },
        })
        .collect()
}

/// The explained dialogue as text: `C: line` / `S: line`, then the notes.
pub fn render_dialogue(explained: &[Explained]) -> String {
    let mut s = String::new();
    for e in explained {
        let who = match e.side {
            Side::Client => "C:",
            Side::Server => "S:",
        };
        s.push_str(&format!(
            "{who} {}\n",
            crate::proto::visible::visible_str(&e.line)
        ));
        for n in &e.notes {
            s.push_str(&format!("     {}\n", n.render().replace('\n', "\n       ")));
        }
    }
    s
}

/// Explain a POP3 dialogue the same way.
pub fn explain_pop3_dialogue(lang: Lang, lines: &[(Side, &str)]) -> Vec<Explained> {
    let mut ex = Explainer::for_proto(Proto::Pop3);
    lines
        .iter()
        .map(|(side, line)| Explained {
            side: *side,
            line: line.to_string(),
            notes: ex.line(lang, *side, line),
        })
        .collect()
}
