//! Diagnostics in the reader's language. The protocol core's typed errors
//! (`SyntaxProblem`, `CommandError`, `AddressError`, `ReplyError`,
//! `ResponseError`, `SaslError`, `Base64Error`, `LineTooLong`) keep an
//! English `Display` for logs; everything a person reads goes through
//! [`Describe`], whose every variant maps to a catalog key in
//! `catalog/diag.json` — so a French screen never shows an English sentence.

use crate::explain::catalog::{fill, text};
use crate::explain::decode::describe_base64_error;
use crate::explain::lang::Lang;
use crate::proto::line::LineTooLong;
use crate::proto::pop3::command as pop3;
use crate::proto::pop3::response::ResponseError;
use crate::proto::sasl::{Base64Error, Field, SaslError};
use crate::proto::smtp::address::AddressError;
use crate::proto::smtp::command as smtp;
use crate::proto::smtp::reply::ReplyError;
use crate::proto::visible::visible_str;

/// A diagnostic that can be said in French or English.
pub trait Describe: std::fmt::Debug {
    fn describe(&self, lang: Lang) -> String;
}

/// The expected form of an SMTP command, in the reader's language.
pub fn smtp_syntax(lang: Lang, verb: smtp::Verb) -> String {
    syntax(lang, "smtp", verb.name(), verb.syntax())
}

/// The expected form of a POP3 command, in the reader's language.
pub fn pop3_syntax(lang: Lang, verb: pop3::Verb) -> String {
    syntax(lang, "pop3", verb.name(), verb.syntax())
}

fn syntax(lang: Lang, proto: &str, name: &str, fallback: &str) -> String {
    let key = format!("syntax.{proto}.{name}");
    match crate::explain::catalog::entry(&key) {
        Some(e) => e.get(lang).to_string(),
        None => fallback.to_string(),
    }
}

fn control(lang: Lang, offset: usize, byte: u8) -> String {
    fill(
        lang,
        "diag.control_char",
        &[&format!("{byte:#04x}"), &offset],
    )
}

impl Describe for smtp::CommandError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            smtp::CommandError::Empty => text(lang, "diag.smtp.empty"),
            smtp::CommandError::NotUtf8 { offset } => fill(lang, "diag.not_utf8", &[offset]),
            smtp::CommandError::ControlChar { offset, byte } => control(lang, *offset, *byte),
            smtp::CommandError::Syntax { verb, problem } => fill(
                lang,
                "diag.syntax",
                &[
                    &verb.name(),
                    &problem.describe(lang),
                    &smtp_syntax(lang, *verb),
                ],
            ),
        }
    }
}

impl Describe for smtp::SyntaxProblem {
    fn describe(&self, lang: Lang) -> String {
        use smtp::SyntaxProblem as P;
        match self {
            P::MissingArgument => text(lang, "diag.smtp.missing_argument"),
            P::UnexpectedArgument(a) => {
                fill(lang, "diag.smtp.unexpected_argument", &[&visible_str(a)])
            }
            P::ExpectedKeyword { expected } => {
                fill(lang, "diag.smtp.expected_keyword", &[expected])
            }
            P::MissingColon { keyword } => fill(lang, "diag.smtp.missing_colon", &[keyword]),
            P::MissingAddress => text(lang, "diag.smtp.missing_address"),
            P::NullRecipient => text(lang, "diag.smtp.null_recipient"),
            P::Address(e) => fill(lang, "diag.smtp.bad_address", &[&e.describe(lang)]),
            P::BadParameter(p) => fill(lang, "diag.smtp.bad_parameter", &[&visible_str(p)]),
            P::BadDomain(d) => fill(lang, "diag.smtp.bad_domain", &[&visible_str(d)]),
            P::BadMechanism(m) => fill(lang, "diag.smtp.bad_mechanism", &[&visible_str(m)]),
            P::BadNumber(n) => fill(lang, "diag.smtp.bad_number", &[&visible_str(n)]),
        }
    }
}

impl Describe for AddressError {
    fn describe(&self, lang: Lang) -> String {
        use AddressError as A;
        match self {
            A::Empty => text(lang, "diag.addr.empty"),
            A::NoAt => text(lang, "diag.addr.no_at"),
            A::EmptyLocalPart => text(lang, "diag.addr.empty_local"),
            A::EmptyDomain => text(lang, "diag.addr.empty_domain"),
            A::BadLocalChar(c) => fill(
                lang,
                "diag.addr.bad_local_char",
                &[&visible_str(&c.to_string())],
            ),
            A::BadDots => text(lang, "diag.addr.bad_dots"),
            A::UnterminatedQuote => text(lang, "diag.addr.unterminated_quote"),
            A::BadDomain(d) => fill(lang, "diag.addr.bad_domain", &[&visible_str(d)]),
            A::BadAddressLiteral(l) => fill(lang, "diag.addr.bad_literal", &[&visible_str(l)]),
            A::LocalPartTooLong => text(lang, "diag.addr.local_too_long"),
            A::DomainTooLong => text(lang, "diag.addr.domain_too_long"),
            A::UnclosedBracket => text(lang, "diag.addr.unclosed_bracket"),
            A::BadSourceRoute(r) => fill(lang, "diag.addr.bad_source_route", &[&visible_str(r)]),
        }
    }
}

impl Describe for ReplyError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            ReplyError::BadCode => text(lang, "diag.reply.bad_code"),
            ReplyError::BadSeparator => text(lang, "diag.reply.bad_separator"),
            ReplyError::CodeChanged { expected, found } => {
                fill(lang, "diag.reply.code_changed", &[found, expected])
            }
            ReplyError::TooLong { length, limit } => {
                fill(lang, "diag.reply.too_long", &[length, limit])
            }
        }
    }
}

impl Describe for LineTooLong {
    fn describe(&self, lang: Lang) -> String {
        fill(lang, "diag.line.too_long", &[&self.length, &self.limit])
    }
}

impl Describe for pop3::CommandError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            pop3::CommandError::Empty => text(lang, "diag.pop3.empty"),
            pop3::CommandError::NotUtf8 { offset } => fill(lang, "diag.not_utf8", &[offset]),
            pop3::CommandError::ControlChar { offset, byte } => control(lang, *offset, *byte),
            pop3::CommandError::Syntax { verb, problem } => fill(
                lang,
                "diag.syntax",
                &[
                    &verb.name(),
                    &problem.describe(lang),
                    &pop3_syntax(lang, *verb),
                ],
            ),
        }
    }
}

impl Describe for pop3::SyntaxProblem {
    fn describe(&self, lang: Lang) -> String {
        use pop3::SyntaxProblem as P;
        match self {
            P::MissingArgument => text(lang, "diag.smtp.missing_argument"),
            P::UnexpectedArgument(a) => {
                fill(lang, "diag.pop3.unexpected_argument", &[&visible_str(a)])
            }
            P::NotANumber(n) => fill(lang, "diag.pop3.not_a_number", &[&visible_str(n)]),
            P::Zero => text(lang, "diag.pop3.zero"),
            P::TooLarge(n) => fill(lang, "diag.pop3.too_large", &[&visible_str(n)]),
            P::BadDigest(d) => fill(lang, "diag.pop3.bad_digest", &[&visible_str(d)]),
            P::ArgumentTooLong { len } => fill(lang, "diag.pop3.argument_too_long", &[len]),
        }
    }
}

impl Describe for ResponseError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            ResponseError::BadStatus => text(lang, "diag.pop3.bad_status"),
            ResponseError::UnclosedCode => text(lang, "diag.pop3.unclosed_code"),
            ResponseError::TooLong { length, limit } => {
                fill(lang, "diag.pop3.too_long", &[length, limit])
            }
            ResponseError::Unterminated => text(lang, "diag.pop3.unterminated"),
        }
    }
}

/// A SASL field's name in the reader's language.
pub fn field_name(lang: Lang, f: Field) -> String {
    let key = match f {
        Field::Authzid => "diag.field.authzid",
        Field::Authcid => "diag.field.authcid",
        Field::Password => "diag.field.password",
        Field::Username => "diag.field.user",
        Field::Challenge => "diag.field.challenge",
        Field::Digest => "diag.field.digest",
    };
    text(lang, key)
}

impl Describe for SaslError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            SaslError::Base64(e) => fill(lang, "diag.sasl.base64", &[&e.describe(lang)]),
            SaslError::PlainFieldCount { found } => fill(lang, "diag.sasl.plain_fields", &[found]),
            SaslError::NotUtf8 { field, offset } => fill(
                lang,
                "diag.sasl.not_utf8",
                &[&field_name(lang, *field), offset],
            ),
            SaslError::EmptyField { field } => {
                fill(lang, "diag.sasl.empty_field", &[&field_name(lang, *field)])
            }
            SaslError::ContainsNul { field } => {
                fill(lang, "diag.sasl.contains_nul", &[&field_name(lang, *field)])
            }
            SaslError::CramNoSpace => text(lang, "diag.sasl.cram_no_space"),
            SaslError::CramDigest(d) => fill(lang, "diag.sasl.cram_digest", &[&visible_str(d)]),
            SaslError::Cancelled => text(lang, "diag.sasl.cancelled"),
        }
    }
}

impl Describe for Base64Error {
    fn describe(&self, lang: Lang) -> String {
        describe_base64_error(lang, self)
    }
}

/// A system error in words, by its kind (the OS's own text is English):
/// the error number is kept for whoever needs to look it up.
pub fn io_kind(lang: Lang, kind: std::io::ErrorKind, os: Option<i32>) -> String {
    use std::io::ErrorKind as K;
    let key = match kind {
        K::NotFound => "diag.io.not_found",
        K::PermissionDenied => "diag.io.permission_denied",
        K::IsADirectory => "diag.io.is_a_directory",
        K::InvalidData => "diag.io.invalid_data",
        K::ConnectionRefused => "diag.io.connection_refused",
        K::ConnectionReset | K::ConnectionAborted => "diag.io.connection_reset",
        K::BrokenPipe => "diag.io.broken_pipe",
        K::TimedOut => "diag.io.timed_out",
        K::AddrInUse => "diag.io.addr_in_use",
        K::AddrNotAvailable => "diag.io.addr_not_available",
        K::NetworkUnreachable | K::HostUnreachable => "diag.io.unreachable",
        K::FileTooLarge => "diag.io.too_large",
        K::StorageFull | K::QuotaExceeded => "diag.io.storage_full",
        K::UnexpectedEof => "diag.io.unexpected_eof",
        _ => {
            let code = os.map_or_else(|| format!("{kind:?}"), |n| format!("errno {n}"));
            return fill(lang, "diag.io.other", &[&code]);
        }
    };
    text(lang, key)
}

/// A system error in words.
pub fn io_error(lang: Lang, e: &std::io::Error) -> String {
    io_kind(lang, e.kind(), e.raw_os_error())
}

/// A message kept as a catalog key and its arguments, said later in the
/// reader's language (lesson, world and transcript loaders use it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub key: &'static str,
    pub args: Vec<String>,
}

impl Said {
    pub fn new(key: &'static str, args: &[&dyn std::fmt::Display]) -> Said {
        Said {
            key,
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    pub fn describe(&self, lang: Lang) -> String {
        let args: Vec<&dyn std::fmt::Display> = self
            .args
            .iter()
            .map(|a| a as &dyn std::fmt::Display)
            .collect();
        fill(lang, self.key, &args)
    }
}

/// A JSON reading error, from serde_json's message (serde_json has no
/// variants for these; its messages are stable, documented forms): the
/// names between backquotes are kept, the English around them is not.
pub fn json_problem(lang: Lang, serde_message: &str) -> String {
    let quoted: Vec<&str> = serde_message.split('`').skip(1).step_by(2).collect();
    let first = quoted.first().copied().unwrap_or("");
    let m = serde_message;
    if m.starts_with("missing field") {
        fill(lang, "diag.json.missing_field", &[&first])
    } else if m.starts_with("unknown field") {
        fill(
            lang,
            "diag.json.unknown_field",
            &[&first, &quoted.get(1..).unwrap_or(&[]).join(", ")],
        )
    } else if m.starts_with("unknown variant") {
        fill(
            lang,
            "diag.json.unknown_variant",
            &[&first, &quoted.get(1..).unwrap_or(&[]).join(", ")],
        )
    } else if m.starts_with("duplicate field") {
        fill(lang, "diag.json.duplicate_field", &[&first])
    } else if m.starts_with("invalid type") {
        text(lang, "diag.json.invalid_type")
    } else if m.starts_with("invalid value") || m.starts_with("invalid length") {
        text(lang, "diag.json.invalid_value")
    } else if m.starts_with("EOF") {
        text(lang, "diag.json.eof")
    } else if m.starts_with("trailing") {
        text(lang, "diag.json.trailing")
    } else {
        text(lang, "diag.json.syntax")
    }
}
