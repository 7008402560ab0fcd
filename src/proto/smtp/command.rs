//! SMTP commands (RFC 5321 §4.1.1, RFC 3207 STARTTLS, RFC 4954 AUTH) parsed
//! from one line. Verbs are case-insensitive (§2.4). A syntax error carries
//! the form that was expected, so the message can teach.
//!
//! The parser is as tolerant as common servers where the RFC is strict
//! (`MAIL FROM: <a@b>` with a space, or without angle brackets), but it
//! records each such liberty as a [`Deviation`] so the explanation can point
//! it out.

use std::fmt;

use crate::proto::smtp::address::{self, AddressError, Path};

/// The verbs facteur knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Rset,
    Vrfy,
    Expn,
    Help,
    Noop,
    Quit,
    StartTls,
    Auth,
    /// RFC 3030 CHUNKING: `BDAT size [LAST]`.
    Bdat,
    /// RFC 1985: `ETRN [@|#]node`, ask a backup MX to flush its queue.
    Etrn,
    /// RFC 2645 On-Demand Mail Relay: `ATRN [domain[,domain…]]`.
    Atrn,
    /// RFC 4468: `BURL imap-url [LAST]`, a message taken from an IMAP server.
    Burl,
}

impl Verb {
    pub const ALL: [Verb; 17] = [
        Verb::Helo,
        Verb::Ehlo,
        Verb::Mail,
        Verb::Rcpt,
        Verb::Data,
        Verb::Rset,
        Verb::Vrfy,
        Verb::Expn,
        Verb::Help,
        Verb::Noop,
        Verb::Quit,
        Verb::StartTls,
        Verb::Auth,
        Verb::Bdat,
        Verb::Etrn,
        Verb::Atrn,
        Verb::Burl,
    ];

    /// The verb in upper case, as the RFCs write it.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Helo => "HELO",
            Verb::Ehlo => "EHLO",
            Verb::Mail => "MAIL",
            Verb::Rcpt => "RCPT",
            Verb::Data => "DATA",
            Verb::Rset => "RSET",
            Verb::Vrfy => "VRFY",
            Verb::Expn => "EXPN",
            Verb::Help => "HELP",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH",
            Verb::Bdat => "BDAT",
            Verb::Etrn => "ETRN",
            Verb::Atrn => "ATRN",
            Verb::Burl => "BURL",
        }
    }

    /// The expected form, from RFC 5321 §4.1.1, RFC 3207 §4 and RFC 4954 §4.
    pub fn syntax(self) -> &'static str {
        match self {
            Verb::Helo => "HELO <SP> domain",
            Verb::Ehlo => "EHLO <SP> ( domain / address-literal )",
            Verb::Mail => "MAIL FROM:<reverse-path> [SP mail-parameters]",
            Verb::Rcpt => "RCPT TO:<forward-path> [SP rcpt-parameters]",
            Verb::Data => "DATA",
            Verb::Rset => "RSET",
            Verb::Vrfy => "VRFY <SP> string",
            Verb::Expn => "EXPN <SP> string",
            Verb::Help => "HELP [SP string]",
            Verb::Noop => "NOOP [SP string]",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH <SP> mechanism [SP initial-response]",
            Verb::Bdat => "BDAT <SP> chunk-size [SP LAST]",
            Verb::Etrn => "ETRN <SP> [@ / #] node-name",
            Verb::Atrn => "ATRN [SP domain *(\",\" domain)]",
            Verb::Burl => "BURL <SP> imap-url [SP LAST]",
        }
    }

    /// The RFC section that defines the verb.
    pub fn rfc(self) -> &'static str {
        match self {
            Verb::Helo | Verb::Ehlo => "RFC 5321 §4.1.1.1",
            Verb::Mail => "RFC 5321 §4.1.1.2",
            Verb::Rcpt => "RFC 5321 §4.1.1.3",
            Verb::Data => "RFC 5321 §4.1.1.4",
            Verb::Rset => "RFC 5321 §4.1.1.5",
            Verb::Vrfy => "RFC 5321 §4.1.1.6",
            Verb::Expn => "RFC 5321 §4.1.1.7",
            Verb::Help => "RFC 5321 §4.1.1.8",
            Verb::Noop => "RFC 5321 §4.1.1.9",
            Verb::Quit => "RFC 5321 §4.1.1.10",
            Verb::StartTls => "RFC 3207 §4",
            Verb::Auth => "RFC 4954 §4",
            Verb::Bdat => "RFC 3030 §2",
            Verb::Etrn => "RFC 1985 §5",
            Verb::Atrn => "RFC 2645 §4",
            Verb::Burl => "RFC 4468 §3",
        }
    }

    /// Recognise a verb, case-insensitively.
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

/// `FROM:<path> params` or `TO:<path> params`.
fn parse_path_arg(
    verb: Verb,
    arg: &str,
    keyword: &'static str,
    deviations: &mut Vec<Deviation>,
) -> Result<(PathArg, Vec<Parameter>), CommandError> {
    let err = |p: SyntaxProblem| CommandError::syntax(verb, p);
    if arg.is_empty() {
        return Err(err(SyntaxProblem::MissingArgument));
    }
    let expected = if keyword == "FROM" { "FROM:" } else { "TO:" };
    let kw_len = keyword.len();
    let head = arg.get(..kw_len).unwrap_or("");
    if !head.eq_ignore_ascii_case(keyword) {
        return Err(err(SyntaxProblem::ExpectedKeyword { expected }));
    }
    let after_kw = &arg[kw_len..];
    let Some(after_colon) = after_kw.strip_prefix(':') else {
        return Err(err(SyntaxProblem::MissingColon { keyword }));
    };
    let path_text = after_colon.trim_start_matches(' ');
    if path_text.len() != after_colon.len() {
        deviations.push(Deviation::SpaceAfterColon);
    }
    if path_text.is_empty() {
        return Err(err(SyntaxProblem::MissingAddress));
    }
    let (path, params_text) = if let Some(inner_start) = path_text.strip_prefix('<') {
        let close = find_closing_bracket(inner_start)
            .ok_or(err(SyntaxProblem::Address(AddressError::UnclosedBracket)))?;
        let inner = &inner_start[..close];
        let after = &inner_start[close + 1..];
        let path = if inner.is_empty() {
            PathArg::Null
        } else if inner.eq_ignore_ascii_case("postmaster") {
            PathArg::Postmaster
        } else {
            PathArg::Path(address::parse_path_inner(inner, true).map_err(|e| err(e.into()))?)
        };
        if !after.is_empty() && !after.starts_with(' ') {
            return Err(err(SyntaxProblem::BadParameter(after.to_string())));
        }
        (path, after)
    } else {
        deviations.push(Deviation::NoAngleBrackets);
        let (addr, after) = match path_text.find(' ') {
            Some(i) => (&path_text[..i], &path_text[i..]),
            None => (path_text, ""),
        };
        let path = if addr.eq_ignore_ascii_case("postmaster") {
            PathArg::Postmaster
        } else {
            PathArg::Path(address::parse_path_inner(addr, false).map_err(|e| err(e.into()))?)
        };
        (path, after)
    };
    if let PathArg::Path(p) = &path
        && !p.source_route.is_empty()
    {
        deviations.push(Deviation::SourceRoute);
    }
    let params = parse_parameters(params_text).map_err(err)?;
    Ok((path, params))
}

fn find_closing_bracket(s: &str) -> Option<usize> {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '>' if !in_quotes => return Some(i),
            _ => {}
        }
    }
    None
}

/// RFC 5321 §4.1.2: `esmtp-param = esmtp-keyword ["=" esmtp-value]`.
fn parse_parameters(text: &str) -> Result<Vec<Parameter>, SyntaxProblem> {
    let mut params = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let (keyword, value) = match word.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (word, None),
        };
        let keyword_ok = keyword
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && keyword
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        // esmtp-value: one or more of %d33-60 / %d62-126 (or UTF-8, RFC 6531).
        let value_ok =
            value.is_none_or(|v| !v.is_empty() && v.chars().all(|c| c != '=' && !c.is_control()));
        if !keyword_ok || !value_ok {
            return Err(SyntaxProblem::BadParameter(word.to_string()));
        }
        params.push(Parameter {
            keyword: keyword.to_string(),
            value: value.map(str::to_string),
        });
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
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
}
