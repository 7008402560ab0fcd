//! One line on its own, with no session around it (`facteur explain`): read
//! in its most likely context. A reply line (its code, its enhanced code,
//! the continuation hyphen, the first line or a keyword of an EHLO reply, a
//! 334 challenge); a POP3 status line (a greeting — with its APOP
//! timestamp —, a STAT/LIST answer, a SASL "+" challenge); a line of a
//! multi-line POP3 answer (a CAPA tag, a LIST or UIDL line); a client
//! command (POP3 login commands in the AUTHORIZATION state where they are
//! valid, the others in TRANSACTION).

use crate::explain::annotation::{Annotation, Severity, human_size};
use crate::explain::catalog::{entry, text};
use crate::explain::command::explain_smtp_input;
use crate::explain::lang::Lang;
use crate::explain::reply::{Answering, explain_reply, keyword_annotation};
use crate::explain::state::SmtpState;
use crate::proto::pop3::command::Verb as Pop3Verb;
use crate::proto::pop3::response::{parse_scan_line, parse_stat, parse_uid_line};
use crate::proto::sasl::base64::decode as decode_base64;
use crate::proto::smtp::reply::{Reply, parse_line};
use crate::proto::visible::{visible, visible_str};

/// Explain a line out of context.
pub fn explain_line(lang: Lang, line: &str) -> Vec<Annotation> {
    let line = line.trim_end_matches(['\r', '\n']);
    if let Some(a) = port_or_protocol(lang, line.trim()) {
        return vec![a];
    }
    let starts_with_code = line.len() >= 3 && line.as_bytes()[..3].iter().all(u8::is_ascii_digit);
    if starts_with_code {
        return reply_line(lang, line);
    }
    if line == "+" || line.starts_with("+ ") {
        return vec![sasl_challenge(lang, line)];
    }
    if line.starts_with("+OK") || line.starts_with("-ERR") {
        return pop3_status(lang, line);
    }
    // The end of a multi-line answer, or a dot-stuffed line inside one.
    if line == "." {
        return vec![Annotation::from_key(
            lang,
            0..1,
            ".",
            "pop3.end",
            &[],
            Severity::Info,
        )];
    }
    if line.starts_with("..") {
        return vec![Annotation::from_key(
            lang,
            0..1,
            "..",
            "pop3.stuffed",
            &[],
            Severity::Info,
        )];
    }
    // A sending MTA's own words (mailq, its log, a bounce's text).
    if let Some(out) = crate::explain::delivery::explain_reason(lang, line) {
        return out;
    }
    let word = line.split(' ').next().unwrap_or("");
    let upper = word.to_ascii_uppercase();
    let pop3_verb = Pop3Verb::parse(word);
    let smtp_verb = crate::proto::smtp::command::Verb::parse(word);
    // A line of a CAPA answer (RFC 2449 §6) when it is not a valid command.
    let capa = entry(&format!("capa.{upper}")).is_some() && upper != "AUTH";
    let valid_pop3 = crate::proto::pop3::command::parse(line.as_bytes()).is_ok();
    if capa && !(pop3_verb.is_some() && valid_pop3) && smtp_verb.is_none() {
        return vec![capa_line(lang, line, &upper)];
    }
    if pop3_verb.is_none()
        && smtp_verb.is_none()
        && let Some(a) = scan_or_uid_line(lang, line)
    {
        return vec![a];
    }
    // A POP3 command (the verbs SMTP does not have; AUTH, NOOP, RSET, QUIT
    // are read as SMTP, whose explanation covers the same syntax).
    if pop3_verb.is_some() && smtp_verb.is_none() {
        let mut state = crate::explain::pop3::Pop3State::new();
        // USER, PASS, APOP, AUTH, STLS and CAPA belong to AUTHORIZATION.
        match pop3_verb {
            Some(
                Pop3Verb::User | Pop3Verb::Apop | Pop3Verb::Auth | Pop3Verb::Stls | Pop3Verb::Capa,
            ) => {}
            Some(Pop3Verb::Pass) => state.user_sent = true,
            _ => {
                state.transaction = true;
                state.user_sent = true;
            }
        }
        let mut out = crate::explain::pop3::explain_pop3_input(lang, line, &state);
        if capa && valid_pop3 {
            out.push(capa_line(lang, line, &upper));
        }
        return out;
    }
    let mut out = explain_smtp_input(lang, line, &SmtpState::out_of_context(), None);
    // RSET, QUIT, NOOP exist in both protocols: say what each does in POP3 too.
    if let (Some(v), Some(_)) = (pop3_verb, smtp_verb)
        && v != Pop3Verb::Auth
    {
        out.push(Annotation::from_key(
            lang,
            0..word.len(),
            format!("POP3 {}", v.name()),
            &format!("pop3.{}", v.name()),
            &[],
            Severity::Info,
        ));
    }
    out
}

fn reply_line(lang: Lang, line: &str) -> Vec<Annotation> {
    let mut l = match parse_line(line.as_bytes()) {
        Ok(l) => l,
        Err(e) => {
            return vec![Annotation::from_key(
                lang,
                0..line.len(),
                "?",
                "reply.malformed",
                &[&crate::explain::diag::Describe::describe(&e, lang)],
                Severity::Mistake,
            )];
        }
    };
    let continued = !l.last;
    l.last = true;
    let reply = Reply {
        code: l.code,
        lines: vec![l.clone()],
    };
    let mut out = explain_reply(lang, &reply, Answering::Unknown, false);
    if continued {
        out.insert(
            1.min(out.len()),
            Annotation::from_key(
                lang,
                3..4,
                format!("{}-", l.code),
                "reply.continuation",
                &[&l.code],
                Severity::Info,
            ),
        );
    }
    let first = l.text.split([' ', '=']).next().unwrap_or("");
    let word = first.to_ascii_uppercase();
    if l.code.value() == 250 {
        if entry(&format!("ehlo.{word}")).is_some() || word.starts_with('X') && !first.contains('.')
        {
            out.push(keyword_annotation(lang, &l.text, false));
        } else if continued && (first.contains('.') || first.starts_with('[')) {
            // The first line of an EHLO reply: the server's name.
            out.push(Annotation::from_key(
                lang,
                4..4 + first.len(),
                visible_str(first),
                "reply.ehlo_first",
                &[&visible_str(first)],
                Severity::Info,
            ));
        }
    }
    out
}

/// `+ base64`: a SASL challenge (RFC 5034 §4), decoded like SMTP's 334.
fn sasl_challenge(lang: Lang, line: &str) -> Annotation {
    let payload = line.get(1..).unwrap_or("").trim();
    if payload.is_empty() {
        return Annotation::from_key(
            lang,
            0..line.len(),
            "+",
            "pop3.sasl_empty",
            &[],
            Severity::Info,
        );
    }
    let decoded = match decode_base64(payload) {
        Ok(b) => visible(&b),
        Err(e) => crate::explain::decode::describe_base64_error(lang, &e),
    };
    Annotation::from_key(
        lang,
        0..line.len(),
        "+",
        "pop3.sasl_challenge",
        &[&decoded],
        Severity::Info,
    )
}

/// `+OK …` / `-ERR …` alone: a greeting, a STAT or LIST answer, or a
/// status whose text a rule knows.
fn pop3_status(lang: Lang, line: &str) -> Vec<Annotation> {
    let mut state = crate::explain::pop3::Pop3State::new();
    let rest = line.split_once(' ').map_or("", |(_, r)| r).trim();
    let timestamp = apop_timestamp(rest);
    let lower = rest.to_ascii_lowercase();
    // The answer to QUIT (RFC 1939 §6): "+OK dewey POP3 server signing
    // off", Dovecot's "+OK Logging out, messages deleted." — not a greeting,
    // though it names the server.
    let farewell = line.starts_with("+OK")
        && ["signing off", "logging out", "bye"]
            .iter()
            .any(|w| lower.contains(w));
    let greeting_like = line.starts_with("+OK")
        && !farewell
        && (timestamp.is_some()
            || [
                "ready", "pop3", "pop ", "hello", "server", "service", "gpop", "welcome",
            ]
            .iter()
            .any(|w| lower.contains(w)));
    if !greeting_like {
        state.server_line(lang, "+OK");
    }
    let mut out = state.server_line(lang, line);
    if let Some(ts) = timestamp {
        let start = line.find(ts).unwrap_or(0);
        out.push(Annotation::from_key(
            lang,
            start..start + ts.len(),
            "APOP",
            "pop3.apop_timestamp",
            &[&visible_str(ts)],
            Severity::Info,
        ));
    }
    // "+OK 2 messages:" opens a LIST or UIDL answer, "+OK 1337 octets" a
    // RETR or TOP one (Dovecot's words): a number and a word, not a UIDL
    // answer's number and identifier.
    let mut words = lower.split_whitespace();
    let counted = match (words.next(), words.next()) {
        (Some(n), Some(w)) if n.bytes().all(|b| b.is_ascii_digit()) => {
            w.trim_end_matches([':', '.', ',']).to_string()
        }
        _ => String::new(),
    };
    // What a text rule already said (the line's meaning) is not said twice.
    let rule_said = out.len() > 1;
    let retr_open = !greeting_like && matches!(counted.as_str(), "octets" | "octet" | "bytes");
    if farewell || retr_open {
        if !rule_said {
            let (title, key) = if farewell {
                ("QUIT", "pop3.alone.quit")
            } else {
                ("RETR / TOP", "pop3.alone.retr_open")
            };
            out.push(Annotation::from_key(
                lang,
                0..line.len(),
                title,
                key,
                &[],
                Severity::Info,
            ));
        }
    } else if !greeting_like && line.starts_with("+OK") {
        let list_open = rest.ends_with(':')
            || lower.contains("scan listing")
            || matches!(counted.as_str(), "message" | "messages");
        if list_open {
            out.push(Annotation::from_key(
                lang,
                0..line.len(),
                "LIST",
                "pop3.alone.list_open",
                &[],
                Severity::Info,
            ));
        } else if let Some((n, size)) = parse_stat(rest) {
            out.push(Annotation::from_key(
                lang,
                0..line.len(),
                "STAT / LIST",
                "pop3.alone.stat_or_list",
                &[&n, &human_size(lang, size)],
                Severity::Info,
            ));
        } else if let Some((n, uid)) = parse_uid_line(rest) {
            out.push(Annotation::from_key(
                lang,
                0..line.len(),
                "UIDL",
                "pop3.alone.uid",
                &[&n, &visible_str(&uid.to_string())],
                Severity::Info,
            ));
        }
    }
    out
}

/// The `<…@…>` of an APOP greeting (RFC 1939 §7).
fn apop_timestamp(text: &str) -> Option<&str> {
    let start = text.find('<')?;
    let len = text[start..].find('>')? + 1;
    let ts = &text[start..start + len];
    ts.contains('@').then_some(ts)
}

/// A line of a CAPA answer.
fn capa_line(lang: Lang, line: &str, tag: &str) -> Annotation {
    let params: Vec<&str> = line.split(' ').skip(1).filter(|p| !p.is_empty()).collect();
    let key = format!("capa.{tag}");
    let mut a = Annotation::from_key(
        lang,
        0..line.len(),
        crate::explain::fill(lang, "capa.title", &[&tag]),
        &key,
        &[&visible_str(&params.join(" "))],
        Severity::Info,
    );
    if a.body.is_empty() {
        a.body = text(lang, "capa.unknown");
    }
    a
}

/// `1 120` (LIST) or `1 whqtswO00WBw418f9t5JxYwZ` (UIDL).
fn scan_or_uid_line(lang: Lang, line: &str) -> Option<Annotation> {
    if let Some((n, size)) = parse_scan_line(line) {
        return Some(Annotation::from_key(
            lang,
            0..line.len(),
            "LIST",
            "pop3.alone.scan",
            &[&n, &human_size(lang, size)],
            Severity::Info,
        ));
    }
    let (n, uid) = parse_uid_line(line)?;
    Some(Annotation::from_key(
        lang,
        0..line.len(),
        "UIDL",
        "pop3.alone.uid",
        &[&n, &visible_str(&uid.to_string())],
        Severity::Info,
    ))
}

/// A port number (`110`) or a protocol's name (`IMAP`, `MUA`, `RFC 2821`)
/// asked on its own: what the course says of it.
fn port_or_protocol(lang: Lang, word: &str) -> Option<Annotation> {
    if !word.is_empty() && word.len() <= 5 && word.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = word.parse().ok()?;
        let key = format!("port.{n}");
        let title = crate::explain::fill(lang, "port.title", &[&n]);
        if entry(&key).is_some() {
            return Some(Annotation::from_key(
                lang,
                0..word.len(),
                title,
                &key,
                &[],
                Severity::Info,
            ));
        }
        // Three digits that make a reply code (250, 550) are read as one.
        if crate::proto::smtp::reply::Code::parse(word.as_bytes()).is_some() {
            return None;
        }
        return Some(Annotation::from_key(
            lang,
            0..word.len(),
            title,
            "port.unknown",
            &[&n],
            Severity::Info,
        ));
    }
    let name: String = word
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let key = format!("proto.{name}");
    entry(&key).map(|_| Annotation::from_key(lang, 0..word.len(), word, &key, &[], Severity::Info))
}
