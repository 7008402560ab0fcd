//! The POP3 client's line as it is typed: the command it is becoming, its
//! syntax, whether the state allows it (RFC 1939 §3), what QUIT will delete
//! now; during AUTH, the base64 answer decoded.

use super::*;

/// Explain the POP3 command being typed, in the current state.
pub fn explain_pop3_input(lang: Lang, line: &str, state: &Pop3State) -> Vec<Annotation> {
    let all = 0..line.len();
    if let Some(mech) = &state.sasl {
        let context = crate::explain::state::SmtpState::out_of_context();
        return crate::explain::command::explain_sasl_payload(
            lang,
            mech,
            line,
            &context,
            None,
            line.len(),
        );
    }
    let word = line.split(' ').next().unwrap_or("");
    let Some(verb) = Verb::parse(word) else {
        let upper = word.to_ascii_uppercase();
        let candidates: Vec<String> = Verb::ALL
            .iter()
            .filter(|v| v.name().starts_with(&upper))
            .map(|v| crate::explain::diag::pop3_syntax(lang, *v))
            .collect();
        if !line.contains(' ') && !candidates.is_empty() {
            return vec![Annotation::from_key(
                lang,
                all,
                word,
                "cmd.becoming",
                &[&candidates.join(" | ")],
                Severity::Hint,
            )];
        }
        return vec![Annotation::from_key(
            lang,
            all,
            visible_str(word),
            "pop3.unknown",
            &[&visible_str(word)],
            Severity::Mistake,
        )];
    };
    let mut out = vec![Annotation::from_key(
        lang,
        0..word.len(),
        verb.name(),
        &format!("pop3.{}", verb.name()),
        &[],
        Severity::Info,
    )];
    let mut syntax = Annotation::from_key(
        lang,
        all.clone(),
        verb.name(),
        "cmd.syntax",
        &[&crate::explain::diag::pop3_syntax(lang, verb)],
        Severity::Info,
    );
    syntax.rfc = Some(verb.rfc().to_string());
    out.push(syntax);
    let needs_login = matches!(
        verb,
        Verb::Stat
            | Verb::List
            | Verb::Retr
            | Verb::Dele
            | Verb::Rset
            | Verb::Noop
            | Verb::Top
            | Verb::Uidl
    );
    let only_before = matches!(
        verb,
        Verb::User | Verb::Pass | Verb::Apop | Verb::Auth | Verb::Stls
    );
    let mistake = |key: &str, args: &[&dyn std::fmt::Display], sev| {
        Annotation::from_key(lang, all.clone(), verb.name(), key, args, sev)
    };
    if needs_login && !state.transaction {
        out.push(mistake("pop3.seq.need_login", &[], Severity::Mistake));
    } else if only_before && state.transaction {
        out.push(mistake("pop3.seq.already", &[], Severity::Mistake));
    } else if verb == Verb::Pass && !state.user_sent {
        out.push(mistake(
            "pop3.seq.pass_without_user",
            &[],
            Severity::Mistake,
        ));
    }
    if verb == Verb::Quit {
        if state.transaction {
            let sev = if state.marked.is_empty() {
                Severity::Info
            } else {
                Severity::Hint
            };
            out.push(mistake(
                "pop3.quit_will_delete",
                &[&state.marked.len()],
                sev,
            ));
        } else {
            out.push(mistake("pop3.quit_no_login", &[], Severity::Info));
        }
    }
    if let Err(e @ CommandError::Syntax { .. }) = command::parse(line.as_bytes()) {
        out.push(mistake(
            "pop3.error",
            &[&e.describe(lang)],
            Severity::Mistake,
        ));
    }
    if let Ok(Command::Dele { msg }) = command::parse(line.as_bytes())
        && state.marked.contains(&msg)
    {
        out.push(mistake(
            "pop3.error",
            &[&format!("message {msg} already deleted")],
            Severity::Mistake,
        ));
    }
    out
}

/// The POP3 line being typed: a syntax error that more typing can fix
/// (`RETR` on its way to `RETR 1`) is "not finished yet", not a mistake.
pub fn explain_pop3_typing(lang: Lang, line: &str, state: &Pop3State) -> Vec<Annotation> {
    let notes = explain_pop3_input(lang, line, state);
    if state.sasl.is_some() || command::parse(line.as_bytes()).is_ok() {
        return notes;
    }
    let becoming = [" 1", "1", " x", "x", " 1 1", " 1"]
        .iter()
        .any(|t| command::parse(format!("{line}{t}").as_bytes()).is_ok());
    if becoming {
        crate::explain::command::soften(lang, notes)
    } else {
        notes
    }
}
