//! The state strip never lies (issue 14): in every state of both protocols
//! reached by a real dialogue with the simulator, the commands the strip
//! lists as "possible now" are exactly the ones the simulator accepts there
//! (no sequence error, no "not implemented"), and the special states —
//! after 334, inside DATA, after QUIT — say what the server waits for.

mod common;
use common::*;
use facteur::explain::Lang;
use facteur::explain::dialogue::{Explainer, Side};
use facteur::proto::smtp::command::Verb;
use facteur::sim::smtp_server::SessionInfo;

/// A representative line for each SMTP verb.
fn smtp_line(v: Verb) -> &'static str {
    match v {
        Verb::Helo => "HELO lab",
        Verb::Ehlo => "EHLO lab",
        Verb::Mail => "MAIL FROM:<fred@free.fr>",
        Verb::Rcpt => "RCPT TO:<marc@wanadoo.fr>",
        Verb::Data => "DATA",
        Verb::Rset => "RSET",
        Verb::Vrfy => "VRFY marc",
        Verb::Expn => "EXPN bts-snir",
        Verb::Help => "HELP",
        Verb::Noop => "NOOP",
        Verb::Quit => "QUIT",
        Verb::StartTls => "STARTTLS",
        // fred / fredpass
        Verb::Auth => "AUTH PLAIN AGZyZWQAZnJlZHBhc3M=",
        Verb::Bdat => "BDAT 10 LAST",
        Verb::Etrn => "ETRN free.fr",
        Verb::Atrn => "ATRN free.fr",
        Verb::Burl => "BURL imap://x LAST",
    }
}

/// Play `script` on smtp.free.fr (Fred's own ISP) and in the explainer;
/// return the explainer after it and whether `last` is then accepted.
fn smtp_after(script: &[&str], last: Option<&str>) -> (Explainer, Option<String>) {
    let mut mta = mta();
    let (mut s, greeting) = Smtp::new(
        "smtp.free.fr",
        SessionInfo {
            trusted: true,
            ..SessionInfo::default()
        },
    );
    s.session = facteur::sim::smtp_server::SmtpSession::new(
        {
            let mut c = facteur::sim::smtp_server::SmtpConfig::new("smtp.free.fr");
            c.starttls = true;
            c
        },
        SessionInfo {
            trusted: true,
            ..SessionInfo::default()
        },
    );
    let mut e = Explainer::for_proto(facteur::proto::Proto::Smtp);
    for l in greeting.lines() {
        e.line(Lang::En, Side::Server, l);
    }
    for line in script {
        let reply = s.raw(&mut mta, format!("{line}\r\n").as_bytes());
        e.line(Lang::En, Side::Client, line);
        for l in reply.lines() {
            e.line(Lang::En, Side::Server, l);
        }
    }
    let answer = last.map(|l| s.raw(&mut mta, format!("{l}\r\n").as_bytes()));
    (e, answer)
}

/// A reply that says the command is not possible now.
fn refused(reply: &str) -> bool {
    ["500", "502", "503", "504", "530", "538", "554 5.5.1"]
        .iter()
        .any(|c| reply.starts_with(c))
}

#[test]
fn every_smtp_state_lists_exactly_what_the_simulator_accepts() {
    let states: &[&[&str]] = &[
        &[],
        &["EHLO lab"],
        &["HELO lab"],
        &["EHLO lab", "AUTH PLAIN AGZyZWQAZnJlZHBhc3M="],
        &["EHLO lab", "MAIL FROM:<fred@free.fr>"],
        &[
            "EHLO lab",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
        ],
        &[
            "EHLO lab",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
            "RSET",
        ],
    ];
    let mut failures = Vec::new();
    for script in states {
        let (e, _) = smtp_after(script, None);
        let Explainer::Smtp(s) = &e else {
            unreachable!()
        };
        let listed = s.state.valid_next();
        for v in Verb::ALL {
            let (_, answer) = smtp_after(script, Some(smtp_line(v)));
            let accepted = !refused(answer.as_deref().unwrap_or(""));
            if accepted != listed.contains(&v) {
                failures.push(format!(
                    "after {script:?}: {} is {} but {}listed (server said {:?})",
                    v.name(),
                    if accepted { "accepted" } else { "refused" },
                    if listed.contains(&v) { "" } else { "not " },
                    answer.unwrap_or_default().lines().next().unwrap_or("")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

use facteur::proto::pop3::command::Verb as PopVerb;

fn pop_line(v: PopVerb) -> &'static str {
    match v {
        PopVerb::User => "USER marc",
        PopVerb::Pass => "PASS marcpass",
        // A well-formed digest (wrong: refused for the credentials, not the state).
        PopVerb::Apop => "APOP marc 0123456789abcdef0123456789abcdef",
        PopVerb::Stat => "STAT",
        PopVerb::List => "LIST",
        PopVerb::Retr => "RETR 1",
        PopVerb::Dele => "DELE 1",
        PopVerb::Rset => "RSET",
        PopVerb::Noop => "NOOP",
        PopVerb::Quit => "QUIT",
        PopVerb::Top => "TOP 1 1",
        PopVerb::Uidl => "UIDL",
        PopVerb::Capa => "CAPA",
        PopVerb::Stls => "STLS",
        PopVerb::Auth => "AUTH",
    }
}

/// Refused for the state, not for the data (a wrong password is
/// `-ERR [AUTH]`: the command itself was possible).
fn pop_refused(reply: &str) -> bool {
    reply.starts_with("-ERR")
        && !reply.starts_with("-ERR [AUTH]")
        && !reply.contains("no such message")
        && !reply.contains("already deleted")
}

fn pop_after(script: &[&str], last: Option<&str>) -> (Explainer, Option<String>) {
    let mut mta = mta();
    mta.store
        .deliver(
            "marc@wanadoo.fr",
            b"Subject: x\r\n\r\nhello\r\n".to_vec(),
            0,
        )
        .unwrap();
    let (mut p, greeting) = Pop::new(&mut mta, "pop.wanadoo.fr");
    // As in the TUI's world: STLS offered.
    let mut cfg = facteur::sim::pop3_server::Pop3Config::new("pop.wanadoo.fr");
    cfg.stls = true;
    p.session = facteur::sim::pop3_server::Pop3Session::new(cfg, mta.nonce());
    let mut e = Explainer::for_proto(facteur::proto::Proto::Pop3);
    e.line(Lang::En, Side::Server, greeting.trim_end());
    for line in script {
        let reply = p.raw(&mut mta, format!("{line}\r\n").as_bytes());
        e.line(Lang::En, Side::Client, line);
        for l in reply.lines() {
            e.line(Lang::En, Side::Server, l);
        }
    }
    let answer = last.map(|l| p.raw(&mut mta, format!("{l}\r\n").as_bytes()));
    (e, answer)
}

#[test]
fn every_pop3_state_lists_exactly_what_the_simulator_accepts() {
    let states: &[&[&str]] = &[
        &[],
        &["USER marc"],
        &["USER marc", "PASS wrong"],
        &["USER marc", "PASS marcpass"],
        &["USER marc", "PASS marcpass", "DELE 1"],
    ];
    let mut failures = Vec::new();
    for script in states {
        let (e, _) = pop_after(script, None);
        let Explainer::Pop3(s) = &e else {
            unreachable!()
        };
        let listed = s.valid_next();
        for v in PopVerb::ALL {
            let (_, answer) = pop_after(script, Some(pop_line(v)));
            let answer = answer.unwrap_or_default();
            let accepted = !pop_refused(&answer);
            if accepted != listed.contains(&v) {
                failures.push(format!(
                    "after {script:?}: {} is {} but {}listed (server said {:?})",
                    v.name(),
                    if accepted { "accepted" } else { "refused" },
                    if listed.contains(&v) { "" } else { "not " },
                    answer.lines().next().unwrap_or("")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the strip says where no command is possible: after 334, in DATA,
/// after QUIT (and POP3's UPDATE).
#[test]
fn the_strip_says_what_the_server_waits_for() {
    use facteur::explain::state::InputMode;
    let (e, _) = smtp_after(&["EHLO lab", "AUTH LOGIN"], None);
    let Explainer::Smtp(s) = &e else {
        unreachable!()
    };
    assert_eq!(s.state.input_mode(), InputMode::AuthResponse);
    assert!(s.state.valid_next().is_empty());
    let (e, _) = smtp_after(
        &[
            "EHLO lab",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
            "DATA",
        ],
        None,
    );
    let Explainer::Smtp(s) = &e else {
        unreachable!()
    };
    assert_eq!(s.state.input_mode(), InputMode::Data);
    let (e, _) = smtp_after(&["EHLO lab", "QUIT"], None);
    let Explainer::Smtp(s) = &e else {
        unreachable!()
    };
    assert!(s.state.valid_next().is_empty());
    let (e, _) = pop_after(&["USER marc", "PASS marcpass", "QUIT"], None);
    let Explainer::Pop3(s) = &e else {
        unreachable!()
    };
    assert!(s.closed && s.valid_next().is_empty());
}
