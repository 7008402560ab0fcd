//! The arguments of a well-formed SMTP command, each explained on its own
//! span: the envelope addresses of MAIL and RCPT, their parameters, the
//! domain of EHLO/HELO, the mechanism of AUTH — so that a student who points
//! at a part of the line sees what that part does.

use std::ops::Range;

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::lang::Lang;
use crate::proto::smtp::command::{Command, ForwardPath, Parameter, ReversePath};

/// One annotation per argument of `cmd`, typed as `line`.
pub fn explain_arguments(lang: Lang, line: &str, cmd: &Command) -> Vec<Annotation> {
    let mut out = Vec::new();
    let note = |span: Range<usize>, title: &str, key: &str, args: &[&dyn std::fmt::Display]| {
        Annotation::from_key(lang, span, title, key, args, Severity::Info)
    };
    match cmd {
        Command::Helo { domain } | Command::Ehlo { domain } => {
            if let Some(span) = find_after(line, 0, domain) {
                out.push(note(span, domain, "arg.client_name", &[]));
            }
        }
        Command::Mail { from, params } => {
            let path = path_span(line);
            match from {
                ReversePath::Null => {
                    out.push(note(path.clone(), "<>", "arg.null_sender", &[]));
                }
                ReversePath::Path(p) => out.push(note(
                    path.clone(),
                    &p.mailbox.to_string(),
                    "arg.sender",
                    &[&p.mailbox.local, &p.mailbox.domain],
                )),
            }
            out.extend(parameters(lang, line, path.end, params));
        }
        Command::Rcpt { to, params } => {
            let path = path_span(line);
            match to {
                ForwardPath::Postmaster => {
                    out.push(note(path.clone(), "<Postmaster>", "arg.postmaster", &[]))
                }
                ForwardPath::Path(p) => out.push(note(
                    path.clone(),
                    &p.mailbox.to_string(),
                    "arg.recipient",
                    &[&p.mailbox.local, &p.mailbox.domain],
                )),
            }
            out.extend(parameters(lang, line, path.end, params));
        }
        Command::Auth { mechanism, .. } => {
            if let Some(span) = find_after(line, 4, mechanism) {
                out.push(note(span, mechanism, "arg.mechanism", &[]));
            }
        }
        _ => {}
    }
    out
}

/// The path after `FROM:` / `TO:`: from the colon to the closing `>` (or
/// the next space when the brackets were left out).
fn path_span(line: &str) -> Range<usize> {
    let colon = line.find(':').map_or(line.len(), |c| c + 1);
    let start = colon + (line[colon..].len() - line[colon..].trim_start().len());
    let rest = &line[start..];
    let len = match (rest.starts_with('<'), rest.find('>')) {
        (true, Some(close)) => close + 1,
        _ => rest.find(' ').unwrap_or(rest.len()),
    };
    start..start + len
}

fn parameters(lang: Lang, line: &str, from: usize, params: &[Parameter]) -> Vec<Annotation> {
    let mut out = Vec::new();
    let mut at = from;
    for p in params {
        let Some(span) = find_after(line, at, &p.keyword) else {
            continue;
        };
        let end = p
            .value
            .as_ref()
            .map_or(span.end, |v| span.end + 1 + v.len())
            .min(line.len());
        at = end;
        let upper = p.keyword.to_ascii_uppercase();
        let key = match upper.as_str() {
            "SIZE" | "BODY" | "SMTPUTF8" | "AUTH" | "RET" | "ENVID" | "NOTIFY" | "ORCPT" => {
                format!("arg.param.{upper}")
            }
            _ => "arg.param.other".to_string(),
        };
        let value = p.value.clone().unwrap_or_default();
        out.push(Annotation::from_key(
            lang,
            span.start..end,
            &upper,
            &key,
            &[&value],
            Severity::Info,
        ));
    }
    out
}

/// Where `needle` is in `line` at or after byte `from` (case-insensitive).
fn find_after(line: &str, from: usize, needle: &str) -> Option<Range<usize>> {
    if needle.is_empty() || from > line.len() {
        return None;
    }
    let hay = line[from..].to_ascii_lowercase();
    let at = hay.find(&needle.to_ascii_lowercase())? + from;
    Some(at..at + needle.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::smtp::command::parse;

    fn spans(line: &str) -> Vec<(String, String)> {
        let cmd = parse(line.as_bytes()).unwrap().command;
        explain_arguments(Lang::En, line, &cmd)
            .into_iter()
            .map(|a| (line[a.span.clone()].to_string(), a.body))
            .collect()
    }

    #[test]
    fn each_argument_on_its_own_span() {
        let s = spans("MAIL FROM:<fred@free.fr> SIZE=1200 BODY=8BITMIME");
        assert_eq!(s[0].0, "<fred@free.fr>");
        assert!(s[0].1.contains("free.fr"), "{s:?}");
        assert_eq!(s[1].0, "SIZE=1200");
        assert!(s[1].1.contains("1200"), "{s:?}");
        assert_eq!(s[2].0, "BODY=8BITMIME");
        let s = spans("rcpt to: <marc@wanadoo.fr>");
        assert_eq!(s[0].0, "<marc@wanadoo.fr>");
        assert!(s[0].1.contains("wanadoo.fr"), "{s:?}");
        let s = spans("MAIL FROM:<>");
        assert_eq!(s[0].0, "<>");
        let s = spans("EHLO lab.lycee.fr");
        assert_eq!(s[0].0, "lab.lycee.fr");
        let s = spans("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=");
        assert_eq!(s[0].0, "PLAIN");
    }
}
