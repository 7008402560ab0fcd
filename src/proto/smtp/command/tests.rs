//! Unit tests of `command.rs`, beside it: they reach its private items.

#[cfg(test)]
use super::*;
use crate::proto::smtp::address::Mailbox;

fn cmd(s: &str) -> Command {
    parse(s.as_bytes()).unwrap().command
}

fn path(local: &str, domain: &str) -> Path {
    Path {
        source_route: vec![],
        mailbox: Mailbox {
            local: local.into(),
            domain: domain.into(),
        },
        bracketed: true,
    }
}

fn syntax_err(s: &str) -> (Verb, SyntaxProblem) {
    match parse(s.as_bytes()) {
        Err(CommandError::Syntax { verb, problem }) => (verb, problem),
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn the_seed_session() {
    assert_eq!(
        cmd("EHLO skyrunner.home"),
        Command::Ehlo {
            domain: "skyrunner.home".into()
        }
    );
    assert_eq!(
        cmd("MAIL FROM:<benja.roux@wanadoo.fr>"),
        Command::Mail {
            from: ReversePath::Path(path("benja.roux", "wanadoo.fr")),
            params: vec![]
        }
    );
    assert_eq!(
        cmd("rcpt to:<skyrunner63@hotmail.com>"),
        Command::Rcpt {
            to: ForwardPath::Path(path("skyrunner63", "hotmail.com")),
            params: vec![]
        }
    );
    assert_eq!(cmd("DATA"), Command::Data);
    assert_eq!(cmd("quit"), Command::Quit);
}

#[test]
fn every_verb() {
    assert_eq!(
        cmd("HELO lab"),
        Command::Helo {
            domain: "lab".into()
        }
    );
    assert_eq!(
        cmd("EHLO [192.0.2.1]"),
        Command::Ehlo {
            domain: "[192.0.2.1]".into()
        }
    );
    assert_eq!(cmd("RSET"), Command::Rset);
    assert_eq!(
        cmd("VRFY marc"),
        Command::Vrfy {
            query: "marc".into()
        }
    );
    assert_eq!(
        cmd("EXPN bts-snir"),
        Command::Expn {
            list: "bts-snir".into()
        }
    );
    assert_eq!(cmd("HELP"), Command::Help { topic: None });
    assert_eq!(
        cmd("HELP MAIL"),
        Command::Help {
            topic: Some("MAIL".into())
        }
    );
    assert_eq!(cmd("NOOP"), Command::Noop { arg: None });
    assert_eq!(
        cmd("NOOP hello"),
        Command::Noop {
            arg: Some("hello".into())
        }
    );
    assert_eq!(cmd("STARTTLS"), Command::StartTls);
    assert_eq!(
        cmd("auth plain dGVzdAB0ZXN0ADEyMzQ="),
        Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some("dGVzdAB0ZXN0ADEyMzQ=".into())
        }
    );
    assert_eq!(
        cmd("AUTH LOGIN"),
        Command::Auth {
            mechanism: "LOGIN".into(),
            initial_response: None
        }
    );
    assert_eq!(
        cmd("TURN x"),
        Command::Unknown {
            verb: "TURN".into(),
            rest: "x".into()
        }
    );
}

#[test]
fn null_sender_postmaster_and_parameters() {
    assert_eq!(
        cmd("MAIL FROM:<> SIZE=1024 BODY=8BITMIME SMTPUTF8"),
        Command::Mail {
            from: ReversePath::Null,
            params: vec![
                Parameter {
                    keyword: "SIZE".into(),
                    value: Some("1024".into())
                },
                Parameter {
                    keyword: "BODY".into(),
                    value: Some("8BITMIME".into())
                },
                Parameter {
                    keyword: "SMTPUTF8".into(),
                    value: None
                },
            ]
        }
    );
    assert_eq!(
        cmd("RCPT TO:<Postmaster>"),
        Command::Rcpt {
            to: ForwardPath::Postmaster,
            params: vec![]
        }
    );
    assert_eq!(syntax_err("RCPT TO:<>").1, SyntaxProblem::NullRecipient);
    assert!(matches!(
        syntax_err("MAIL FROM:<a@b.fr> SIZE=").1,
        SyntaxProblem::BadParameter(_)
    ));
    assert!(matches!(
        syntax_err("MAIL FROM:<a@b.fr>SIZE=1").1,
        SyntaxProblem::BadParameter(_)
    ));
}

#[test]
fn liberties_are_accepted_and_recorded() {
    let p = parse(b"MAIL FROM: fred@free.fr").unwrap();
    assert_eq!(
        p.deviations,
        vec![Deviation::SpaceAfterColon, Deviation::NoAngleBrackets]
    );
    let ReversePath::Path(path) = (match p.command {
        Command::Mail { from, .. } => from,
        _ => panic!(),
    }) else {
        panic!()
    };
    assert!(!path.bracketed);
    assert_eq!(path.mailbox.to_string(), "fred@free.fr");
    let p = parse(b"RCPT TO:<@relay.fr:marc@wanadoo.fr>").unwrap();
    assert_eq!(p.deviations, vec![Deviation::SourceRoute]);
    assert_eq!(
        parse(b"NOOP  x").unwrap().deviations,
        vec![Deviation::ExtraSpaces]
    );
}

#[test]
fn errors_teach_the_expected_form() {
    let e = parse(b"MAIL FROM <fred@free.fr>").unwrap_err();
    assert_eq!(
        e.to_string(),
        "MAIL: the \":\" after FROM is missing; expected: MAIL FROM:<reverse-path> [SP mail-parameters]"
    );
    assert_eq!(syntax_err("MAIL").1, SyntaxProblem::MissingArgument);
    assert_eq!(
        syntax_err("MAIL TO:<a@b.fr>").1,
        SyntaxProblem::ExpectedKeyword { expected: "FROM:" }
    );
    assert_eq!(syntax_err("MAIL FROM:").1, SyntaxProblem::MissingAddress);
    assert_eq!(
        syntax_err("MAIL FROM:<fred@free.fr").1,
        SyntaxProblem::Address(AddressError::UnclosedBracket)
    );
    assert_eq!(
        syntax_err("RCPT TO:<marc>").1,
        SyntaxProblem::Address(AddressError::NoAt)
    );
    assert_eq!(syntax_err("HELO").1, SyntaxProblem::MissingArgument);
    assert_eq!(
        syntax_err("DATA now").1,
        SyntaxProblem::UnexpectedArgument("now".into())
    );
    assert_eq!(syntax_err("AUTH").1, SyntaxProblem::MissingArgument);
    assert!(matches!(
        syntax_err("AUTH PL@IN").1,
        SyntaxProblem::BadMechanism(_)
    ));
    assert_eq!(parse(b""), Err(CommandError::Empty));
    assert_eq!(
        parse(b"EHLO \xff"),
        Err(CommandError::NotUtf8 { offset: 5 })
    );
    assert_eq!(
        parse(b"NOOP \x1b[2J"),
        Err(CommandError::ControlChar {
            offset: 5,
            byte: 0x1b
        })
    );
}

#[test]
fn the_closing_bracket_is_the_first_one_outside_quotes() {
    let p = parse(b"MAIL FROM:<\"a>b\"@free.fr> SIZE=10").unwrap();
    let Command::Mail {
        from: ReversePath::Path(path),
        params,
    } = p.command
    else {
        panic!("{p:?}")
    };
    assert_eq!(path.mailbox.local, "\"a>b\"");
    assert_eq!(path.mailbox.domain, "free.fr");
    assert_eq!(params.len(), 1);
}
