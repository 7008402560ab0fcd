//! SMTP commands (RFC 5321 §4.1.1, RFC 3207 STARTTLS, RFC 4954 AUTH) parsed
//! from one line. Verbs are case-insensitive (§2.4). A syntax error carries
//! the form that was expected, so the message can teach.
//!
//! The parser is as tolerant as common servers where the RFC is strict
//! (`MAIL FROM: <a@b>` with a space, or without angle brackets), but it
//! records each such liberty as a [`Deviation`] so the explanation can point
//! it out.

use crate::proto::smtp::address::{self, AddressError, Path};

mod args;
mod verb;
use args::parse_path_arg;
pub use verb::Verb;

/// An ESMTP parameter after the path, e.g. `SIZE=1024` or `SMTPUTF8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Parameter {
    /// As typed; compare case-insensitively.
    pub keyword: String,
    pub value: Option<String>,
}

/// A reverse-path: `<>` (the null sender, used by bounces) or a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath {
    Null,
    Path(Path),
}

/// A forward-path: `<Postmaster>` (§4.1.1.3, no domain needed) or a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath {
    Postmaster,
    Path(Path),
}

/// One SMTP command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Helo {
        domain: String,
    },
    Ehlo {
        domain: String,
    },
    Mail {
        from: ReversePath,
        params: Vec<Parameter>,
    },
    Rcpt {
        to: ForwardPath,
        params: Vec<Parameter>,
    },
    Data,
    Rset,
    Vrfy {
        query: String,
    },
    Expn {
        list: String,
    },
    Help {
        topic: Option<String>,
    },
    Noop {
        arg: Option<String>,
    },
    Quit,
    StartTls,
    /// `initial_response` is kept as typed (base64, or "=" for empty).
    Auth {
        mechanism: String,
        initial_response: Option<String>,
    },
    /// `BDAT 1024 LAST` (RFC 3030 §2): the next `size` octets are message data.
    Bdat {
        size: u64,
        last: bool,
    },
    /// `ETRN example.org` (RFC 1985 §5), as typed after the verb.
    Etrn {
        node: String,
    },
    /// `ATRN example.org,example.net` (RFC 2645 §4).
    Atrn {
        domains: Vec<String>,
    },
    /// `BURL imap://… LAST` (RFC 4468 §3).
    Burl {
        url: String,
        last: bool,
    },
    /// A verb facteur does not know (the server answers 500).
    Unknown {
        verb: String,
        rest: String,
    },
}

impl Command {
    /// The verb, if known.
    pub fn verb(&self) -> Option<Verb> {
        Some(match self {
            Command::Helo { .. } => Verb::Helo,
            Command::Ehlo { .. } => Verb::Ehlo,
            Command::Mail { .. } => Verb::Mail,
            Command::Rcpt { .. } => Verb::Rcpt,
            Command::Data => Verb::Data,
            Command::Rset => Verb::Rset,
            Command::Vrfy { .. } => Verb::Vrfy,
            Command::Expn { .. } => Verb::Expn,
            Command::Help { .. } => Verb::Help,
            Command::Noop { .. } => Verb::Noop,
            Command::Quit => Verb::Quit,
            Command::StartTls => Verb::StartTls,
            Command::Auth { .. } => Verb::Auth,
            Command::Bdat { .. } => Verb::Bdat,
            Command::Etrn { .. } => Verb::Etrn,
            Command::Atrn { .. } => Verb::Atrn,
            Command::Burl { .. } => Verb::Burl,
            Command::Unknown { .. } => return None,
        })
    }
}

/// A liberty the parser accepted but the RFC does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deviation {
    /// `MAIL FROM: <a@b>`: RFC 5321 §4.1.2 has no space after the colon.
    SpaceAfterColon,
    /// `MAIL FROM:a@b`: RFC 5321 §4.1.2 requires `<` `>` around the path.
    NoAngleBrackets,
    /// More than one space between the verb and its argument (§4.1.1).
    ExtraSpaces,
    /// An obsolete source route `<@a,@b:user@c>` (§4.1.2, Appendix C).
    SourceRoute,
}

/// A command and the liberties taken in writing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub command: Command,
    pub deviations: Vec<Deviation>,
}

/// What is wrong in a line for a known verb.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxProblem {
    #[error("an argument is missing")]
    MissingArgument,
    #[error("this command takes no argument, but {0:?} follows it")]
    UnexpectedArgument(String),
    #[error("expected {expected:?} after the verb")]
    ExpectedKeyword { expected: &'static str },
    #[error("the \":\" after {keyword} is missing")]
    MissingColon { keyword: &'static str },
    #[error("the address is missing")]
    MissingAddress,
    #[error("the null path <> is only allowed in MAIL FROM")]
    NullRecipient,
    #[error("bad address: {0}")]
    Address(#[from] AddressError),
    #[error("bad parameter {0:?} (expected keyword or keyword=value)")]
    BadParameter(String),
    #[error("{0:?} is not a valid domain for the greeting")]
    BadDomain(String),
    #[error("{0:?} is not a valid SASL mechanism name")]
    BadMechanism(String),
    #[error("{0:?} is not a number (digits only)")]
    BadNumber(String),
}

/// Why a line is not a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("empty line: a command starts with a verb such as EHLO")]
    Empty,
    #[error("the line is not valid UTF-8 (byte {offset} is wrong)")]
    NotUtf8 { offset: usize },
    #[error("the line contains control character {byte:#04x} at byte {offset}")]
    ControlChar { offset: usize, byte: u8 },
    #[error("{verb}: {problem}; expected: {}", verb.syntax())]
    Syntax { verb: Verb, problem: SyntaxProblem },
}

impl CommandError {
    fn syntax(verb: Verb, problem: impl Into<SyntaxProblem>) -> Self {
        CommandError::Syntax {
            verb,
            problem: problem.into(),
        }
    }
}

/// Parse one command line (without its line ending).
pub fn parse(line: &[u8]) -> Result<Parsed, CommandError> {
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
    let mut deviations = Vec::new();
    let Some(verb) = Verb::parse(word) else {
        return Ok(Parsed {
            command: Command::Unknown {
                verb: word.to_string(),
                rest: rest.to_string(),
            },
            deviations,
        });
    };
    let arg = {
        let trimmed = rest.trim_start_matches(' ');
        if trimmed.len() != rest.len() {
            deviations.push(Deviation::ExtraSpaces);
        }
        // Trailing spaces are common from hand typing and harmless.
        trimmed.trim_end_matches(' ')
    };
    let command = match verb {
        Verb::Helo | Verb::Ehlo => {
            if arg.is_empty() {
                return Err(CommandError::syntax(verb, SyntaxProblem::MissingArgument));
            }
            let domain = arg.to_string();
            let valid = address::check_domain(arg).is_ok() && !arg.contains(' ');
            if !valid {
                return Err(CommandError::syntax(verb, SyntaxProblem::BadDomain(domain)));
            }
            if verb == Verb::Helo {
                Command::Helo { domain }
            } else {
                Command::Ehlo { domain }
            }
        }
        Verb::Mail => {
            let (path, params) = parse_path_arg(verb, arg, "FROM", &mut deviations)?;
            let from = match path {
                PathArg::Null => ReversePath::Null,
                PathArg::Postmaster => {
                    return Err(CommandError::syntax(verb, AddressError::NoAt));
                }
                PathArg::Path(p) => ReversePath::Path(p),
            };
            Command::Mail { from, params }
        }
        Verb::Rcpt => {
            let (path, params) = parse_path_arg(verb, arg, "TO", &mut deviations)?;
            let to = match path {
                PathArg::Null => {
                    return Err(CommandError::syntax(verb, SyntaxProblem::NullRecipient));
                }
                PathArg::Postmaster => ForwardPath::Postmaster,
                PathArg::Path(p) => ForwardPath::Path(p),
            };
            Command::Rcpt { to, params }
        }
        Verb::Data | Verb::Rset | Verb::Quit | Verb::StartTls => {
            if !arg.is_empty() {
                return Err(CommandError::syntax(
                    verb,
                    SyntaxProblem::UnexpectedArgument(arg.to_string()),
                ));
            }
            match verb {
                Verb::Data => Command::Data,
                Verb::Rset => Command::Rset,
                Verb::Quit => Command::Quit,
                _ => Command::StartTls,
            }
        }
        Verb::Vrfy | Verb::Expn => {
            if arg.is_empty() {
                return Err(CommandError::syntax(verb, SyntaxProblem::MissingArgument));
            }
            if verb == Verb::Vrfy {
                Command::Vrfy {
                    query: arg.to_string(),
                }
            } else {
                Command::Expn {
                    list: arg.to_string(),
                }
            }
        }
        Verb::Help => Command::Help {
            topic: (!arg.is_empty()).then(|| arg.to_string()),
        },
        Verb::Noop => Command::Noop {
            arg: (!arg.is_empty()).then(|| arg.to_string()),
        },
        Verb::Auth => {
            let mut parts = arg.split(' ').filter(|p| !p.is_empty());
            let Some(mechanism) = parts.next() else {
                return Err(CommandError::syntax(verb, SyntaxProblem::MissingArgument));
            };
            // RFC 4422 §3.1: mechanism names are 1-20 of A-Z, 0-9, "-", "_".
            let valid = mechanism.len() <= 20
                && mechanism
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(CommandError::syntax(
                    verb,
                    SyntaxProblem::BadMechanism(mechanism.to_string()),
                ));
            }
            let initial_response = parts.next().map(str::to_string);
            if let Some(extra) = parts.next() {
                return Err(CommandError::syntax(
                    verb,
                    SyntaxProblem::UnexpectedArgument(extra.to_string()),
                ));
            }
            Command::Auth {
                mechanism: mechanism.to_ascii_uppercase(),
                initial_response,
            }
        }
        Verb::Bdat | Verb::Burl => {
            // RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ];
            // RFC 4468 §3: burl-cmd = "BURL" SP absolute-URI [ SP end-marker ].
            let mut parts = arg.split(' ').filter(|p| !p.is_empty());
            let Some(first) = parts.next() else {
                return Err(CommandError::syntax(verb, SyntaxProblem::MissingArgument));
            };
            let last = match parts.next() {
                None => false,
                Some(m) if m.eq_ignore_ascii_case("LAST") => true,
                Some(other) => {
                    return Err(CommandError::syntax(
                        verb,
                        SyntaxProblem::UnexpectedArgument(other.to_string()),
                    ));
                }
            };
            if let Some(extra) = parts.next() {
                return Err(CommandError::syntax(
                    verb,
                    SyntaxProblem::UnexpectedArgument(extra.to_string()),
                ));
            }
            if verb == Verb::Burl {
                Command::Burl {
                    url: first.to_string(),
                    last,
                }
            } else {
                let size = first
                    .parse::<u64>()
                    .ok()
                    .filter(|_| first.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        CommandError::syntax(verb, SyntaxProblem::BadNumber(first.to_string()))
                    })?;
                Command::Bdat { size, last }
            }
        }
        Verb::Etrn => {
            if arg.is_empty() {
                return Err(CommandError::syntax(verb, SyntaxProblem::MissingArgument));
            }
            // RFC 1985 §5: an optional "@" (subdomains too) or "#" (a queue name).
            let name = arg.trim_start_matches(['@', '#']);
            if !arg.starts_with('#') && address::check_domain(name).is_err() {
                return Err(CommandError::syntax(
                    verb,
                    SyntaxProblem::BadDomain(arg.to_string()),
                ));
            }
            Command::Etrn {
                node: arg.to_string(),
            }
        }
        Verb::Atrn => {
            let domains: Vec<String> = arg
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(bad) = domains.iter().find(|d| address::check_domain(d).is_err()) {
                return Err(CommandError::syntax(
                    verb,
                    SyntaxProblem::BadDomain(bad.clone()),
                ));
            }
            Command::Atrn { domains }
        }
    };
    Ok(Parsed {
        command,
        deviations,
    })
}

enum PathArg {
    Null,
    Postmaster,
    Path(Path),
}

#[cfg(test)]
mod tests;
