//! One line on its own, with no session around it (`facteur explain`): a
//! reply line (its code, its enhanced code, an EHLO keyword, a 334
//! challenge) or a client command.

use crate::explain::annotation::Annotation;
use crate::explain::catalog::entry;
use crate::explain::command::explain_smtp_input;
use crate::explain::lang::Lang;
use crate::explain::reply::{Answering, explain_reply, keyword_annotation};
use crate::explain::state::SmtpState;
use crate::proto::smtp::reply::{Reply, parse_line};

/// Explain a line out of context.
pub fn explain_line(lang: Lang, line: &str) -> Vec<Annotation> {
    let line = line.trim_end_matches(['\r', '\n']);
    let starts_with_code = line.len() >= 3 && line.as_bytes()[..3].iter().all(u8::is_ascii_digit);
    if starts_with_code {
        match parse_line(line.as_bytes()) {
            Ok(mut l) => {
                l.last = true;
                let reply = Reply {
                    code: l.code,
                    lines: vec![l.clone()],
                };
                let mut out = explain_reply(lang, &reply, Answering::Unknown, false);
                let word = l
                    .text
                    .split([' ', '='])
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                if l.code.value() == 250
                    && (entry(&format!("ehlo.{word}")).is_some() || word.starts_with("X-"))
                {
                    out.push(keyword_annotation(lang, &l.text, false));
                }
                return out;
            }
            Err(e) => {
                return vec![Annotation::from_key(
                    lang,
                    0..line.len(),
                    "?",
                    "reply.malformed",
                    &[&crate::explain::diag::Describe::describe(&e, lang)],
                    crate::explain::annotation::Severity::Mistake,
                )];
            }
        }
    }
    // A POP3 response.
    if line.starts_with("+OK") || line.starts_with("-ERR") || line == "+" || line.starts_with("+ ")
    {
        let mut state = crate::explain::pop3::Pop3State::new();
        state.server_line(lang, "+OK");
        return state.server_line(lang, line);
    }
    // A POP3 command (the verbs that SMTP does not have).
    let word = line.split(' ').next().unwrap_or("");
    let pop3_only = crate::proto::pop3::command::Verb::parse(word).is_some()
        && crate::proto::smtp::command::Verb::parse(word).is_none();
    if pop3_only {
        let mut state = crate::explain::pop3::Pop3State::new();
        state.transaction = true;
        state.user_sent = true;
        return crate::explain::pop3::explain_pop3_input(lang, line, &state);
    }
    explain_smtp_input(lang, line, &SmtpState::out_of_context(), None)
}
