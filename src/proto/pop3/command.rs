//! POP3 commands (RFC 1939 §5–7, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH)
//! parsed from one line. Keywords are case-insensitive; message numbers
//! start at 1; each argument is at most 40 characters (RFC 1939 §3).

use std::fmt;

/// The POP3 keywords facteur knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    User,
    Pass,
    Apop,
    Stat,
    List,
    Retr,
    Dele,
    Rset,
    Noop,
    Quit,
    Top,
    Uidl,
    Capa,
    Stls,
    Auth,
}

impl Verb {
    pub const ALL: [Verb; 15] = [
        Verb::User,
        Verb::Pass,
        Verb::Apop,
        Verb::Stat,
        Verb::List,
        Verb::Retr,
        Verb::Dele,
        Verb::Rset,
        Verb::Noop,
        Verb::Quit,
        Verb::Top,
        Verb::Uidl,
        Verb::Capa,
        Verb::Stls,
        Verb::Auth,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Verb::User => "USER",
            Verb::Pass => "PASS",
            Verb::Apop => "APOP",
            Verb::Stat => "STAT",
            Verb::List => "LIST",
            Verb::Retr => "RETR",
            Verb::Dele => "DELE",
            Verb::Rset => "RSET",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::Top => "TOP",
            Verb::Uidl => "UIDL",
            Verb::Capa => "CAPA",
            Verb::Stls => "STLS",
            Verb::Auth => "AUTH",
        }
    }

    /// The expected form, as the RFCs write it.
    pub fn syntax(self) -> &'static str {
        match self {
            Verb::User => "USER name",
            Verb::Pass => "PASS string",
            Verb::Apop => "APOP name digest",
            Verb::Stat => "STAT",
            Verb::List => "LIST [msg]",
            Verb::Retr => "RETR msg",
            Verb::Dele => "DELE msg",
            Verb::Rset => "RSET",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::Top => "TOP msg n",
            Verb::Uidl => "UIDL [msg]",
            Verb::Capa => "CAPA",
            Verb::Stls => "STLS",
            Verb::Auth => "AUTH mechanism [initial-response]",
        }
    }

    /// The RFC section that defines the keyword.
    pub fn rfc(self) -> &'static str {
        match self {
            Verb::User => "RFC 1939 §7 (USER)",
            Verb::Pass => "RFC 1939 §7 (PASS)",
            Verb::Apop => "RFC 1939 §7 (APOP)",
            Verb::Stat => "RFC 1939 §5 (STAT)",
            Verb::List => "RFC 1939 §5 (LIST)",
            Verb::Retr => "RFC 1939 §5 (RETR)",
            Verb::Dele => "RFC 1939 §5 (DELE)",
            Verb::Rset => "RFC 1939 §5 (RSET)",
            Verb::Noop => "RFC 1939 §5 (NOOP)",
            Verb::Quit => "RFC 1939 §6 (QUIT)",
            Verb::Top => "RFC 1939 §7 (TOP)",
            Verb::Uidl => "RFC 1939 §7 (UIDL)",
            Verb::Capa => "RFC 2449 §5",
            Verb::Stls => "RFC 2595 §4",
            Verb::Auth => "RFC 5034 §4",
        }
    }

    pub fn parse(word: &str) -> Option<Verb> {
        Verb::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One POP3 command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    User {
        name: String,
    },
    /// RFC 1939 §7: the password is the rest of the line, spaces included.
    Pass {
        password: String,
    },
    Apop {
        name: String,
        digest: String,
    },
    Stat,
    List {
        msg: Option<u32>,
    },
    Retr {
        msg: u32,
    },
    Dele {
        msg: u32,
    },
    Rset,
    Noop,
    Quit,
    Top {
        msg: u32,
        lines: u32,
    },
    Uidl {
        msg: Option<u32>,
    },
    Capa,
    Stls,
    /// Bare `AUTH` (list mechanisms, an RFC 1734 habit) has no mechanism.
    Auth {
        mechanism: Option<String>,
        initial_response: Option<String>,
    },
    Unknown {
        verb: String,
        rest: String,
    },
}

/// How the server answers a command: one line, or (on +OK) a multi-line
/// body ended by a lone "." (RFC 1939 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Single,
    MultiIfOk,
}

impl Command {
    pub fn verb(&self) -> Option<Verb> {
        Some(match self {
            Command::User { .. } => Verb::User,
            Command::Pass { .. } => Verb::Pass,
            Command::Apop { .. } => Verb::Apop,
            Command::Stat => Verb::Stat,
            Command::List { .. } => Verb::List,
            Command::Retr { .. } => Verb::Retr,
            Command::Dele { .. } => Verb::Dele,
            Command::Rset => Verb::Rset,
            Command::Noop => Verb::Noop,
            Command::Quit => Verb::Quit,
            Command::Top { .. } => Verb::Top,
            Command::Uidl { .. } => Verb::Uidl,
            Command::Capa => Verb::Capa,
            Command::Stls => Verb::Stls,
            Command::Auth { .. } => Verb::Auth,
            Command::Unknown { .. } => return None,
        })
    }

    /// The shape of the response this command gets.
    pub fn response_shape(&self) -> Shape {
        match self {
            Command::List { msg: None }
            | Command::Uidl { msg: None }
            | Command::Retr { .. }
            | Command::Top { .. }
            | Command::Capa => Shape::MultiIfOk,
            // Bare AUTH lists mechanisms in a multi-line response (RFC 1734 habit).
            Command::Auth {
                mechanism: None, ..
            } => Shape::MultiIfOk,
            _ => Shape::Single,
        }
    }
}

/// What is wrong in a line for a known keyword.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxProblem {
    #[error("an argument is missing")]
    MissingArgument,
    #[error("unexpected argument {0:?}")]
    UnexpectedArgument(String),
    #[error("{0:?} is not a message number (digits only)")]
    NotANumber(String),
    #[error("message numbers start at 1")]
    Zero,
    #[error("{0:?} is too large")]
    TooLarge(String),
    #[error("the APOP digest must be 32 hexadecimal digits, found {0:?}")]
    BadDigest(String),
    #[error("an argument is {len} characters long; RFC 1939 §3 allows 40")]
    ArgumentTooLong { len: usize },
}

/// Why a line is not a POP3 command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("empty line: a POP3 command starts with a keyword such as USER")]
    Empty,
    #[error("the line is not valid UTF-8 (byte {offset} is wrong)")]
    NotUtf8 { offset: usize },
    #[error("the line contains control character {byte:#04x} at byte {offset}")]
    ControlChar { offset: usize, byte: u8 },
    #[error("{verb}: {problem}; expected: {}", verb.syntax())]
    Syntax { verb: Verb, problem: SyntaxProblem },
}

/// Parse one command line (without its ending).
pub fn parse(line: &[u8]) -> Result<Command, CommandError> {
    let text = std::str::from_utf8(line).map_err(|e| CommandError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    if let Some((offset, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\t')
    {
        return Err(CommandError::ControlChar {
            offset,
            byte: c as u32 as u8,
        });
    }
    if text.trim().is_empty() {
        return Err(CommandError::Empty);
    }
    let (word, rest) = match text.find(' ') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let Some(verb) = Verb::parse(word) else {
        return Ok(Command::Unknown {
            verb: word.to_string(),
            rest: rest.to_string(),
        });
    };
    let err = |problem| CommandError::Syntax { verb, problem };
    if verb == Verb::Pass {
        if rest.is_empty() {
            return Err(err(SyntaxProblem::MissingArgument));
        }
        return Ok(Command::Pass {
            password: rest.to_string(),
        });
    }
    let args: Vec<&str> = rest.split(' ').filter(|a| !a.is_empty()).collect();
    if let Some(a) = args.iter().find(|a| a.chars().count() > 40)
        && verb != Verb::Auth
    {
        return Err(err(SyntaxProblem::ArgumentTooLong {
            len: a.chars().count(),
        }));
    }
    let count = |min: usize, max: usize| -> Result<(), CommandError> {
        if args.len() < min {
            Err(err(SyntaxProblem::MissingArgument))
        } else if args.len() > max {
            Err(err(SyntaxProblem::UnexpectedArgument(
                args[max..].join(" "),
            )))
        } else {
            Ok(())
        }
    };
    let number = |s: &str, allow_zero: bool| -> Result<u32, CommandError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(SyntaxProblem::NotANumber(s.to_string())));
        }
        let n: u32 = s
            .parse()
            .map_err(|_| err(SyntaxProblem::TooLarge(s.to_string())))?;
        if n == 0 && !allow_zero {
            return Err(err(SyntaxProblem::Zero));
        }
        Ok(n)
    };
    let msg_opt = |args: &[&str]| -> Result<Option<u32>, CommandError> {
        args.first().map(|a| number(a, false)).transpose()
    };
    Ok(match verb {
        Verb::User => {
            count(1, 1)?;
            Command::User {
                name: args[0].to_string(),
            }
        }
        Verb::Apop => {
            count(2, 2)?;
            let digest = args[1];
            if digest.len() != 32 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err(SyntaxProblem::BadDigest(digest.to_string())));
            }
            Command::Apop {
                name: args[0].to_string(),
                digest: digest.to_string(),
            }
        }
        Verb::Stat | Verb::Rset | Verb::Noop | Verb::Quit | Verb::Capa | Verb::Stls => {
            count(0, 0)?;
            match verb {
                Verb::Stat => Command::Stat,
                Verb::Rset => Command::Rset,
                Verb::Noop => Command::Noop,
                Verb::Quit => Command::Quit,
                Verb::Capa => Command::Capa,
                _ => Command::Stls,
            }
        }
        Verb::List => {
            count(0, 1)?;
            Command::List {
                msg: msg_opt(&args)?,
            }
        }
        Verb::Uidl => {
            count(0, 1)?;
            Command::Uidl {
                msg: msg_opt(&args)?,
            }
        }
        Verb::Retr | Verb::Dele => {
            count(1, 1)?;
            let msg = number(args[0], false)?;
            if verb == Verb::Retr {
                Command::Retr { msg }
            } else {
                Command::Dele { msg }
            }
        }
        Verb::Top => {
            count(2, 2)?;
            Command::Top {
                msg: number(args[0], false)?,
                lines: number(args[1], true)?,
            }
        }
        Verb::Auth => {
            count(0, 2)?;
            Command::Auth {
                mechanism: args.first().map(|m| m.to_ascii_uppercase()),
                initial_response: args.get(1).map(|s| s.to_string()),
            }
        }
        Verb::Pass => Command::Pass {
            password: rest.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> Command {
        parse(s.as_bytes()).unwrap()
    }

    fn problem(s: &str) -> SyntaxProblem {
        match parse(s.as_bytes()) {
            Err(CommandError::Syntax { problem, .. }) => problem,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn every_command() {
        assert_eq!(
            cmd("USER toto@titi.fr"),
            Command::User {
                name: "toto@titi.fr".into()
            }
        );
        assert_eq!(
            cmd("pass mot de passe"),
            Command::Pass {
                password: "mot de passe".into()
            }
        );
        assert_eq!(
            cmd("APOP mrose c4c9334bac560ecc979e58001b3e22fb"),
            Command::Apop {
                name: "mrose".into(),
                digest: "c4c9334bac560ecc979e58001b3e22fb".into()
            }
        );
        assert_eq!(cmd("STAT"), Command::Stat);
        assert_eq!(cmd("LIST"), Command::List { msg: None });
        assert_eq!(cmd("list 2"), Command::List { msg: Some(2) });
        assert_eq!(cmd("RETR 1"), Command::Retr { msg: 1 });
        assert_eq!(cmd("DELE 1"), Command::Dele { msg: 1 });
        assert_eq!(cmd("RSET"), Command::Rset);
        assert_eq!(cmd("NOOP"), Command::Noop);
        assert_eq!(cmd("QUIT"), Command::Quit);
        assert_eq!(cmd("TOP 1 0"), Command::Top { msg: 1, lines: 0 });
        assert_eq!(cmd("UIDL"), Command::Uidl { msg: None });
        assert_eq!(cmd("UIDL 3"), Command::Uidl { msg: Some(3) });
        assert_eq!(cmd("CAPA"), Command::Capa);
        assert_eq!(cmd("STLS"), Command::Stls);
        assert_eq!(
            cmd("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm"),
            Command::Auth {
                mechanism: Some("PLAIN".into()),
                initial_response: Some("AHRpbQB0YW5zdGFhZnRhbnN0YWFm".into())
            }
        );
        assert_eq!(
            cmd("XTND x"),
            Command::Unknown {
                verb: "XTND".into(),
                rest: "x".into()
            }
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(cmd("LIST").response_shape(), Shape::MultiIfOk);
        assert_eq!(cmd("LIST 1").response_shape(), Shape::Single);
        assert_eq!(cmd("RETR 1").response_shape(), Shape::MultiIfOk);
        assert_eq!(cmd("TOP 1 5").response_shape(), Shape::MultiIfOk);
        assert_eq!(cmd("UIDL").response_shape(), Shape::MultiIfOk);
        assert_eq!(cmd("CAPA").response_shape(), Shape::MultiIfOk);
        assert_eq!(cmd("STAT").response_shape(), Shape::Single);
        assert_eq!(cmd("AUTH PLAIN").response_shape(), Shape::Single);
    }

    #[test]
    fn errors_teach() {
        assert_eq!(problem("RETR"), SyntaxProblem::MissingArgument);
        assert_eq!(problem("RETR one"), SyntaxProblem::NotANumber("one".into()));
        assert_eq!(problem("DELE 0"), SyntaxProblem::Zero);
        assert_eq!(
            problem("DELE 99999999999"),
            SyntaxProblem::TooLarge("99999999999".into())
        );
        assert_eq!(
            problem("STAT 1"),
            SyntaxProblem::UnexpectedArgument("1".into())
        );
        assert_eq!(problem("TOP 1"), SyntaxProblem::MissingArgument);
        assert_eq!(
            problem("APOP mrose xyz"),
            SyntaxProblem::BadDigest("xyz".into())
        );
        assert_eq!(
            problem(&format!("USER {}", "a".repeat(41))),
            SyntaxProblem::ArgumentTooLong { len: 41 }
        );
        let e = parse(b"RETR").unwrap_err();
        assert_eq!(
            e.to_string(),
            "RETR: an argument is missing; expected: RETR msg"
        );
        assert_eq!(parse(b""), Err(CommandError::Empty));
    }
}
