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

/// A line of the message after 354.
pub fn explain_data_line(lang: Lang, line: &str, state: &SmtpState) -> Vec<Annotation> {
    let all = 0..line.len();
    let mut out = Vec::new();
    if line.len() + 2 > SMTP_TEXT_LINE {
        out.push(Annotation::from_key(
            lang,
            all.clone(),
            "1000",
            "data.too_long",
            &[&(line.len() + 2)],
            Severity::Mistake,
        ));
    }
    if line == "." {
        out.push(Annotation::from_key(
            lang,
            all,
            ".",
            "data.end",
            &[],
            Severity::Info,
        ));
        return out;
    }
    if let Some(rest) = line.strip_prefix('.') {
        out.push(Annotation::from_key(
            lang,
            0..1,
            ".",
            "data.stuffed",
            &[&visible_str(rest)],
            Severity::Info,
        ));
    }
    let word = line.split([' ', ':']).next().unwrap_or("");
    if Verb::parse(word).is_some() && !line.contains(':') {
        out.push(Annotation::from_key(
            lang,
            all.clone(),
            word,
            "data.command_in_body",
            &[&visible_str(line)],
            Severity::Hint,
        ));
    }
    if state.body_started {
        out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.body",
            &[],
            Severity::Info,
        ));
        return out;
    }
    if line.is_empty() {
        out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.blank",
            &[],
            Severity::Info,
        ));
        return out;
    }
    if line.starts_with([' ', '\t']) {
        out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.continuation",
            &[],
            Severity::Info,
        ));
        return out;
    }
    match line.split_once(':') {
        Some((name, value))
            if !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b)) =>
        {
            out.push(header_annotation(lang, name, 0..name.len()));
            // The same engine as `facteur headers`: the parts of the value,
            // an obsolete date, raw 8-bit text where RFC 2047 was due.
            out.extend(crate::explain::fields::value_notes(
                lang,
                name,
                value,
                name.len() + 1..line.len(),
            ));
            if name.eq_ignore_ascii_case("Bcc") {
                out.push(Annotation::from_key(
                    lang,
                    all,
                    name,
                    "data.bcc",
                    &[],
                    Severity::Hint,
                ));
            }
        }
        _ => out.push(Annotation::from_key(
            lang,
            all,
            "DATA",
            "data.not_header",
            &[],
            Severity::Mistake,
        )),
    }
    out
}

/// One header field name explained (RFC 5322 §3.6 and the MIME RFCs).
pub fn header_annotation(lang: Lang, name: &str, span: std::ops::Range<usize>) -> Annotation {
    let lower = name.to_ascii_lowercase();
    let key = format!("hdr.{lower}");
    if entry(&key).is_some() {
        return Annotation::from_key(lang, span, name, &key, &[], Severity::Info);
    }
    // A family of fields (X-MS-Exchange-*, X-Spam-*, List-*…): the longest
    // prefix the catalog knows.
    let family = lower
        .char_indices()
        .filter(|&(_, c)| c == '-')
        .map(|(i, _)| format!("hdr.family.{}", &lower[..=i]))
        .rev()
        .find(|k| entry(k).is_some());
    let (key, args): (String, Vec<String>) = match family {
        Some(k) => (k, vec![visible_str(name)]),
        None if lower.starts_with("x-") && entry("hdr.x_field").is_some() => {
            ("hdr.x_field".into(), vec![visible_str(name)])
        }
        None if lower.starts_with("x-") => ("hdr.x".into(), vec![]),
        None => ("hdr.unknown".into(), vec![]),
    };
    let args: Vec<&dyn std::fmt::Display> =
        args.iter().map(|a| a as &dyn std::fmt::Display).collect();
    Annotation::from_key(lang, span, name, &key, &args, Severity::Info)
}

/// The base64 answer during AUTH.
fn explain_auth_answer(
    lang: Lang,
    line: &str,
    state: &SmtpState,
    secret: Option<&str>,
) -> Vec<Annotation> {
    let mech = state.auth.as_ref().map(|(m, _)| m.as_str()).unwrap_or("");
    explain_sasl_payload(lang, mech, line, state, secret, line.len())
}

/// A base64 SASL payload (initial response or continuation) for `mechanism`.
pub fn explain_sasl_payload(
    lang: Lang,
    mechanism: &str,
    payload: &str,
    state: &SmtpState,
    secret: Option<&str>,
    len: usize,
) -> Vec<Annotation> {
    let all = 0..len;
    let title = format!("AUTH {mechanism}");
    let payload = payload.trim();
    if payload == "*" {
        return vec![Annotation::from_key(
            lang,
            all,
            title,
            "sasl.cancel",
            &[],
            Severity::Info,
        )];
    }
    if payload.is_empty() {
        return vec![];
    }
    let bytes = match decode_base64(payload) {
        Ok(b) => b,
        Err(e) => {
            let why = describe_base64_error(lang, &e);
            return vec![Annotation::from_key(
                lang,
                all,
                title,
                "sasl.invalid",
                &[&why],
                Severity::Mistake,
            )];
        }
    };
    let mut out = Vec::new();
    // A password readable on the wire while TLS was on offer.
    let warn_clear = |out: &mut Vec<Annotation>| {
        if !state.tls && state.offers("STARTTLS") {
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                "sasl.plain_clear",
                &[],
                Severity::Danger,
            ));
        }
    };
    match (mechanism, classify(&bytes)) {
        // Google's XOAUTH2 and RFC 7628's OAUTHBEARER carry an OAuth 2.0
        // bearer token, not a password: "user=U^Aauth=Bearer T^A^A" /
        // "n,a=U,^Ahost=…^Aauth=Bearer T^A^A".
        ("XOAUTH2" | "OAUTHBEARER", _) => {
            let text = String::from_utf8_lossy(&bytes);
            let field = |name: &str| {
                text.split(['\u{1}', ','])
                    .find_map(|f| f.strip_prefix(name))
                    .map(str::to_string)
            };
            let user = field("user=").or_else(|| field("a=")).unwrap_or_default();
            let token = field("auth=Bearer ").unwrap_or_default();
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                "sasl.oauth",
                &[&visible_str(&user), &token.len()],
                Severity::Info,
            ));
            if !state.tls {
                out.push(Annotation::from_key(
                    lang,
                    all,
                    title,
                    "sasl.oauth_clear",
                    &[],
                    Severity::Danger,
                ));
            }
        }
        ("PLAIN", Verdict::Plain { fields }) => {
            let [z, c, p] = &fields;
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                if state.tls {
                    "sasl.plain.tls"
                } else {
                    "sasl.plain"
                },
                &[&visible(z), &visible(c), &visible(p), &visible(&bytes)],
                Severity::Hint,
            ));
            warn_clear(&mut out);
        }
        ("PLAIN", _) => {
            let why = match crate::proto::sasl::plain::PlainCredentials::from_message(&bytes) {
                Err(e) => e.describe(lang),
                Ok(_) => String::new(),
            };
            out.push(Annotation::from_key(
                lang,
                all,
                title,
                "sasl.plain_bad",
                &[&why],
                Severity::Mistake,
            ));
        }
        ("CRAM-MD5", _) => match CramResponse::from_text(&bytes) {
            Ok(r) => {
                out.push(Annotation::from_key(
                    lang,
                    all.clone(),
                    title.clone(),
                    "sasl.cram_response",
                    &[&visible_str(&r.user), &r.digest],
                    Severity::Info,
                ));
                if let (Some(secret), Some((_, challenge))) = (secret, state.auth.as_ref()) {
                    let key = if r.verify(challenge, secret.as_bytes()) {
                        "sasl.cram_ok"
                    } else {
                        "sasl.cram_bad"
                    };
                    let sev = if key == "sasl.cram_ok" {
                        Severity::Info
                    } else {
                        Severity::Mistake
                    };
                    out.push(Annotation::from_key(lang, all, title, key, &[], sev));
                }
            }
            Err(e) => out.push(Annotation::from_key(
                lang,
                all,
                title,
                "sasl.plain_bad",
                &[&e.describe(lang)],
                Severity::Mistake,
            )),
        },
        (_, Verdict::Binary { offset }) => {
            out.push(Annotation::from_key(
                lang,
                all,
                title,
                "sasl.binary",
                &[
                    &(offset + 1),
                    &format!("{:02X}", bytes.get(offset).copied().unwrap_or(0)),
                    &bytes.len(),
                ],
                Severity::Mistake,
            ));
        }
        _ => {
            out.push(Annotation::from_key(
                lang,
                all.clone(),
                title.clone(),
                "sasl.login_answer",
                &[&visible(&bytes)],
                Severity::Hint,
            ));
            warn_clear(&mut out);
        }
    }
    out
}
