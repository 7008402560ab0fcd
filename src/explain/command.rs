//! What the client is typing, explained as it is typed: which command it is
//! becoming, its syntax, what it does, whether it is valid now, and the
//! likely mistake — or, inside DATA, which part of the message this line
//! is; or, during AUTH, what the base64 answer carries.

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::entry;
use crate::explain::decode::{Verdict, classify, describe_base64_error};
use crate::explain::diag::Describe;
use crate::explain::lang::Lang;
use crate::explain::state::{InputMode, Phase, SmtpState};
use crate::proto::line::{SMTP_COMMAND_LINE, SMTP_TEXT_LINE};
use crate::proto::sasl::cram_md5::CramResponse;
use crate::proto::sasl::decode_base64;
use crate::proto::smtp::command::{self, Command, CommandError, Verb};
use crate::proto::visible::{visible, visible_str};

mod data;
mod sasl;
pub use data::{explain_data_line, header_annotation};
use sasl::explain_auth_answer;
pub use sasl::explain_sasl_payload;

/// Explain the line being typed (possibly unfinished) in the current state.
/// `secret` is the password of the user when known (the simulator knows
/// it), to check a CRAM-MD5 answer.
pub fn explain_smtp_input(
    lang: Lang,
    line: &str,
    state: &SmtpState,
    secret: Option<&str>,
) -> Vec<Annotation> {
    let notes = match state.input_mode() {
        InputMode::Data => explain_data_line(lang, line, state),
        InputMode::AuthResponse => explain_auth_answer(lang, line, state, secret),
        InputMode::Command => explain_command(lang, line, state),
    };
    dedup(notes)
}

/// The same note twice (the same title and text) is said once.
pub fn dedup(notes: Vec<Annotation>) -> Vec<Annotation> {
    let mut out: Vec<Annotation> = Vec::with_capacity(notes.len());
    for n in notes {
        if !out.iter().any(|o| o.title == n.title && o.body == n.body) {
            out.push(n);
        }
    }
    out
}

/// The line being typed, before Enter: a syntax error in a line that can
/// still become right by typing more (`MAIL FROM:<fred@fr` is on its way to
/// `…free.fr>`) is shown as "not finished yet", not as a mistake.
pub fn explain_smtp_typing(lang: Lang, line: &str, state: &SmtpState) -> Vec<Annotation> {
    let notes = explain_smtp_input(lang, line, state, None);
    if state.input_mode() != InputMode::Command || !still_becoming(line) {
        return notes;
    }
    soften(lang, notes)
}

/// Mistakes of an unfinished line become hints that say so.
pub fn soften(lang: Lang, notes: Vec<Annotation>) -> Vec<Annotation> {
    notes
        .into_iter()
        .map(|mut n| {
            if n.severity == Severity::Mistake {
                n.severity = Severity::Hint;
                n.body = crate::explain::catalog::fill(lang, "cmd.incomplete", &[&n.body]);
            }
            n
        })
        .collect()
}

/// Whether typing more characters can make `line` a valid command.
fn still_becoming(line: &str) -> bool {
    if command::parse(line.as_bytes()).is_ok() {
        return false;
    }
    let word = line.split(' ').next().unwrap_or("");
    let Some(verb) = Verb::parse(word) else {
        return false;
    };
    // Completions of each form a student may be in the middle of.
    let examples: &[&str] = match verb {
        Verb::Mail => &["MAIL FROM:<fred@free.fr>"],
        Verb::Rcpt => &["RCPT TO:<marc@wanadoo.fr>"],
        Verb::Auth => &["AUTH PLAIN"],
        Verb::Bdat => &["BDAT 1 LAST"],
        Verb::Burl => &["BURL imap://x LAST"],
        _ => &[],
    };
    let tails = [
        ">",
        ".fr>",
        "fr>",
        "r>",
        "@x.fr>",
        "x@x.fr>",
        "<x@x.fr>",
        ":<x@x.fr>",
        "x",
        " x",
        "x.fr",
        ".fr",
    ];
    let upper = line.to_ascii_uppercase();
    let from_example = examples.iter().filter_map(|ex| {
        let ex_up = ex.to_ascii_uppercase();
        (ex_up.starts_with(&upper) && ex.len() > line.len())
            .then(|| format!("{line}{}", &ex[line.len()..]))
    });
    tails
        .iter()
        .map(|t| format!("{line}{t}"))
        .chain(from_example)
        .any(|candidate| command::parse(candidate.as_bytes()).is_ok())
}

fn names(verbs: &[Verb]) -> String {
    verbs
        .iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn explain_command(lang: Lang, line: &str, state: &SmtpState) -> Vec<Annotation> {
    let mut out = Vec::new();
    let all = 0..line.len();
    if state.phase == Phase::Closed {
        out.push(Annotation::from_key(
            lang,
            all,
            "QUIT",
            "cmd.closed",
            &[],
            Severity::Hint,
        ));
        return out;
    }
    let word = line.split(' ').next().unwrap_or("");
    let valid = state.valid_next();
    if word.is_empty() {
        out.push(Annotation::from_key(
            lang,
            all,
            "SMTP",
            "cmd.valid_now",
            &[&names(&valid)],
            Severity::Hint,
        ));
        return out;
    }
    if line.len() + 2 > SMTP_COMMAND_LINE {
        out.push(Annotation::from_key(
            lang,
            all.clone(),
            "512",
            "cmd.too_long",
            &[&(line.len() + 2)],
            Severity::Mistake,
        ));
    }
    let Some(verb) = Verb::parse(word) else {
        // Still typing the verb?
        let upper = word.to_ascii_uppercase();
        let candidates: Vec<Verb> = Verb::ALL
            .into_iter()
            .filter(|v| v.name().starts_with(&upper))
            .collect();
        if !line.contains(' ') && !candidates.is_empty() {
            let forms: Vec<String> = candidates
                .iter()
                .map(|v| crate::explain::diag::smtp_syntax(lang, *v))
                .collect();
            out.push(Annotation::from_key(
                lang,
                all,
                word,
                "cmd.becoming",
                &[&forms.join(" | ")],
                Severity::Hint,
            ));
        } else {
            out.push(Annotation::from_key(
                lang,
                0..word.len(),
                visible_str(word),
                "cmd.unknown",
                &[&visible_str(word)],
                Severity::Mistake,
            ));
        }
        return out;
    };
    let title = verb.name();
    out.push(Annotation::from_key(
        lang,
        0..word.len(),
        title,
        &format!("cmd.{}", verb.name()),
        &[],
        Severity::Info,
    ));
    let mut syntax = Annotation::from_key(
        lang,
        all.clone(),
        title,
        "cmd.syntax",
        &[&crate::explain::diag::smtp_syntax(lang, verb)],
        Severity::Info,
    );
    syntax.rfc = Some(verb.rfc().to_string());
    out.push(syntax);
    if word != verb.name() {
        out.push(Annotation::from_key(
            lang,
            0..word.len(),
            title,
            "cmd.lowercase",
            &[&word, &verb.name()],
            Severity::Info,
        ));
    }
    if !state.out_of_context {
        out.extend(sequence_mistakes(lang, verb, line, state));
    }
    match command::parse(line.as_bytes()) {
        Ok(parsed) => {
            out.extend(crate::explain::arguments::explain_arguments(
                lang,
                line,
                &parsed.command,
            ));
            for d in &parsed.deviations {
                out.push(Annotation::from_key(
                    lang,
                    all.clone(),
                    title,
                    &format!("cmd.dev.{d:?}"),
                    &[],
                    Severity::Hint,
                ));
            }
            if let Command::Auth {
                mechanism,
                initial_response: Some(ir),
            } = &parsed.command
            {
                out.extend(explain_sasl_payload(
                    lang,
                    mechanism,
                    ir,
                    state,
                    None,
                    line.len(),
                ));
            }
        }
        Err(e) => {
            if let CommandError::Syntax {
                verb: Verb::Quit,
                problem: command::SyntaxProblem::UnexpectedArgument(_),
            } = &e
            {
                out.push(Annotation::from_key(
                    lang,
                    all.clone(),
                    title,
                    "cmd.quit_extra.real",
                    &[],
                    Severity::Hint,
                ));
            }
            let key = match e {
                CommandError::Syntax { .. } => "cmd.error",
                _ => "cmd.bad_line",
            };
            out.push(Annotation::from_key(
                lang,
                all,
                title,
                key,
                &[&e.describe(lang)],
                Severity::Mistake,
            ));
        }
    }
    out
}

/// Commands that the state makes wrong (RFC 5321 §4.1.4, RFC 4954 §4, RFC 3207 §4).
fn sequence_mistakes(lang: Lang, verb: Verb, line: &str, state: &SmtpState) -> Vec<Annotation> {
    let all = 0..line.len();
    let title = verb.name();
    let mistake = |key: &str, args: &[&dyn std::fmt::Display], sev| {
        Annotation::from_key(lang, all.clone(), title, key, args, sev)
    };
    let mut out = Vec::new();
    let greeted = state.phase != Phase::Connected;
    match verb {
        Verb::Helo => out.push(mistake("cmd.helo_vs_ehlo", &[], Severity::Hint)),
        Verb::Mail if !greeted => out.push(mistake("cmd.seq.need_ehlo", &[], Severity::Mistake)),
        Verb::Mail if matches!(state.phase, Phase::Mail | Phase::Rcpt) => {
            out.push(mistake("cmd.seq.nested_mail", &[], Severity::Mistake))
        }
        Verb::Rcpt if !greeted => out.push(mistake("cmd.seq.need_ehlo", &[], Severity::Mistake)),
        Verb::Rcpt if state.phase == Phase::Greeted => {
            out.push(mistake("cmd.seq.rcpt_before_mail", &[], Severity::Mistake))
        }
        Verb::Data if !greeted || state.phase == Phase::Greeted => {
            out.push(mistake("cmd.seq.data_without_mail", &[], Severity::Mistake))
        }
        Verb::Data if state.phase == Phase::Mail => {
            out.push(mistake("cmd.seq.data_without_rcpt", &[], Severity::Mistake))
        }
        Verb::Auth => {
            let mech = line.split(' ').nth(1).unwrap_or("").to_ascii_uppercase();
            let offered = state
                .ehlo
                .as_ref()
                .map(|e| e.auth_mechanisms())
                .unwrap_or_default();
            if state.authenticated {
                out.push(mistake("cmd.auth.already", &[], Severity::Mistake));
            } else if matches!(state.phase, Phase::Mail | Phase::Rcpt) {
                out.push(mistake("cmd.auth.in_transaction", &[], Severity::Mistake));
            } else if !state.offers("AUTH") {
                out.push(mistake("cmd.auth.not_offered", &[], Severity::Mistake));
            } else if !mech.is_empty() && !offered.contains(&mech) {
                out.push(mistake(
                    "cmd.auth.mech_not_offered",
                    &[&mech, &offered.join(" ")],
                    Severity::Mistake,
                ));
            }
            if (mech == "PLAIN" || mech == "LOGIN") && !state.tls && state.offers("STARTTLS") {
                out.push(mistake("cmd.auth.before_tls", &[&mech], Severity::Danger));
            }
        }
        Verb::StartTls if state.tls => {
            out.push(mistake("cmd.starttls.already", &[], Severity::Mistake))
        }
        Verb::StartTls if greeted && !state.offers("STARTTLS") => {
            out.push(mistake("cmd.starttls.not_offered", &[], Severity::Mistake))
        }
        _ => {}
    }
    out
}
