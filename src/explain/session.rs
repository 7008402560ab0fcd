//! A whole SMTP dialogue explained line by line, the state carried from one
//! line to the next — what the replay view, the lesson checker and the
//! exporters will show, and what the golden tests pin down.

use crate::explain::annotation::Annotation;
use crate::explain::command::explain_smtp_input;
use crate::explain::lang::Lang;
use crate::explain::reply::explain_reply;
use crate::explain::state::SmtpState;
use crate::proto::smtp::reply::{ReplyEvent, ReplyReader};

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

/// Explain an SMTP dialogue given as (side, line) pairs, lines without
/// their CRLF. `secret` is used to check a CRAM-MD5 answer when known.
pub fn explain_smtp_dialogue(
    lang: Lang,
    lines: &[(Side, &str)],
    secret: Option<&str>,
) -> Vec<Explained> {
    let mut state = SmtpState::new();
    let mut replies = ReplyReader::new();
    let mut out = Vec::new();
    for (side, line) in lines {
        let notes = match side {
            Side::Client => {
                let notes = explain_smtp_input(lang, line, &state, secret);
                state.client_line(line.as_bytes());
                notes
            }
            Side::Server => {
                let mut notes = Vec::new();
                for ev in replies.feed(format!("{line}\r\n").as_bytes()) {
                    match ev {
                        ReplyEvent::Reply(r) => {
                            let tls = state.tls;
                            let answering = state.server_reply(&r);
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
        };
        out.push(Explained {
            side: *side,
            line: line.to_string(),
            notes,
        });
    }
    out
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
