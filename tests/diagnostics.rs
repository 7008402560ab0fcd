//! Every diagnostic a person can read exists in French and English: each
//! variant of each error enum of the protocol core, the network failures
//! and the loaders is described in both languages, with no missing catalog
//! key and no English word on the French side. Each enum is listed through
//! an exhaustive `match`, so a new variant cannot be forgotten here.

use facteur::explain::Lang;
use facteur::explain::diag::{Describe, io_kind};
use facteur::net::failure::{NetFailure, Stage, TlsFailure};
use facteur::proto::pop3::command as pop3;
use facteur::proto::pop3::response::ResponseError;
use facteur::proto::sasl::{Base64Error, Field, SaslError};
use facteur::proto::smtp::address::AddressError;
use facteur::proto::smtp::command as smtp;
use facteur::proto::smtp::reply::{Code, ReplyError};
use facteur::session::transcript::TranscriptError;

mod common;
use common::french::english_words;

fn both(what: &str, describe: &dyn Fn(Lang) -> String, failures: &mut Vec<String>) {
    let fr = describe(Lang::Fr);
    let en = describe(Lang::En);
    for (lang, s) in [("fr", &fr), ("en", &en)] {
        if s.trim().is_empty() || s.contains('⟦') {
            failures.push(format!("{what} ({lang}): {s:?}"));
        }
    }
    let words = english_words(&fr);
    if !words.is_empty() {
        failures.push(format!("{what}: English in French {words:?}: {fr}"));
    }
}

fn address_errors() -> Vec<AddressError> {
    use AddressError as A;
    let all = vec![
        A::Empty,
        A::NoAt,
        A::EmptyLocalPart,
        A::EmptyDomain,
        A::BadLocalChar('('),
        A::BadDots,
        A::UnterminatedQuote,
        A::BadDomain("x..y".into()),
        A::BadAddressLiteral("[1.2]".into()),
        A::LocalPartTooLong,
        A::DomainTooLong,
        A::UnclosedBracket,
        A::BadSourceRoute("@a".into()),
    ];
    for e in &all {
        match e {
            A::Empty
            | A::NoAt
            | A::EmptyLocalPart
            | A::EmptyDomain
            | A::BadLocalChar(_)
            | A::BadDots
            | A::UnterminatedQuote
            | A::BadDomain(_)
            | A::BadAddressLiteral(_)
            | A::LocalPartTooLong
            | A::DomainTooLong
            | A::UnclosedBracket
            | A::BadSourceRoute(_) => {}
        }
    }
    all
}

fn smtp_problems() -> Vec<smtp::SyntaxProblem> {
    use smtp::SyntaxProblem as P;
    let mut all = vec![
        P::MissingArgument,
        P::UnexpectedArgument("x".into()),
        P::ExpectedKeyword { expected: "FROM" },
        P::MissingColon { keyword: "TO" },
        P::MissingAddress,
        P::NullRecipient,
        P::BadParameter("=x".into()),
        P::BadDomain("a b".into()),
        P::BadMechanism("PL@IN".into()),
        P::BadNumber("x1".into()),
    ];
    all.extend(address_errors().into_iter().map(P::Address));
    for e in &all {
        match e {
            P::MissingArgument
            | P::UnexpectedArgument(_)
            | P::ExpectedKeyword { .. }
            | P::MissingColon { .. }
            | P::MissingAddress
            | P::NullRecipient
            | P::Address(_)
            | P::BadParameter(_)
            | P::BadDomain(_)
            | P::BadMechanism(_)
            | P::BadNumber(_) => {}
        }
    }
    all
}

fn pop3_problems() -> Vec<pop3::SyntaxProblem> {
    use pop3::SyntaxProblem as P;
    let all = vec![
        P::MissingArgument,
        P::UnexpectedArgument("x".into()),
        P::NotANumber("x".into()),
        P::Zero,
        P::TooLarge("99999999999".into()),
        P::BadDigest("xyz".into()),
        P::ArgumentTooLong { len: 41 },
    ];
    for e in &all {
        match e {
            P::MissingArgument
            | P::UnexpectedArgument(_)
            | P::NotANumber(_)
            | P::Zero
            | P::TooLarge(_)
            | P::BadDigest(_)
            | P::ArgumentTooLong { .. } => {}
        }
    }
    all
}

#[test]
fn every_protocol_diagnostic_is_said_in_both_languages() {
    let mut failures = Vec::new();
    let mut n = 0;
    let mut say = |what: String, d: &dyn Fn(Lang) -> String| {
        n += 1;
        both(&what, d, &mut failures);
    };
    for verb in smtp::Verb::ALL {
        for p in smtp_problems() {
            let e = smtp::CommandError::Syntax {
                verb,
                problem: p.clone(),
            };
            say(format!("{e:?}"), &|l| e.describe(l));
        }
    }
    for e in [
        smtp::CommandError::Empty,
        smtp::CommandError::NotUtf8 { offset: 3 },
        smtp::CommandError::ControlChar { offset: 1, byte: 7 },
    ] {
        match e {
            smtp::CommandError::Empty
            | smtp::CommandError::NotUtf8 { .. }
            | smtp::CommandError::ControlChar { .. }
            | smtp::CommandError::Syntax { .. } => {}
        }
        say(format!("{e:?}"), &|l| e.describe(l));
    }
    for verb in pop3::Verb::ALL {
        for p in pop3_problems() {
            let e = pop3::CommandError::Syntax {
                verb,
                problem: p.clone(),
            };
            say(format!("{e:?}"), &|l| e.describe(l));
        }
    }
    for e in [
        pop3::CommandError::Empty,
        pop3::CommandError::NotUtf8 { offset: 3 },
        pop3::CommandError::ControlChar { offset: 1, byte: 7 },
    ] {
        say(format!("{e:?}"), &|l| e.describe(l));
    }
    let code = |v| Code::new(v).unwrap();
    for e in [
        ReplyError::BadCode,
        ReplyError::BadSeparator,
        ReplyError::CodeChanged {
            expected: code(250),
            found: code(251),
        },
        ReplyError::TooLong {
            length: 600,
            limit: 512,
        },
    ] {
        match e {
            ReplyError::BadCode
            | ReplyError::BadSeparator
            | ReplyError::CodeChanged { .. }
            | ReplyError::TooLong { .. } => {}
        }
        say(format!("{e:?}"), &|l| e.describe(l));
    }
    for e in [
        ResponseError::BadStatus,
        ResponseError::UnclosedCode,
        ResponseError::TooLong {
            length: 600,
            limit: 512,
        },
        ResponseError::Unterminated,
    ] {
        match e {
            ResponseError::BadStatus
            | ResponseError::UnclosedCode
            | ResponseError::TooLong { .. }
            | ResponseError::Unterminated => {}
        }
        say(format!("{e:?}"), &|l| e.describe(l));
    }
    let b64 = [
        Base64Error::Empty,
        Base64Error::InvalidChar {
            position: 2,
            ch: '!',
        },
        Base64Error::PaddingInside { position: 1 },
        Base64Error::Length {
            len: 5,
            leftover: 1,
            padded: false,
        },
        Base64Error::TooMuchPadding { count: 3 },
        Base64Error::TrailingBits { ch: 'B' },
    ];
    for e in &b64 {
        match e {
            Base64Error::Empty
            | Base64Error::InvalidChar { .. }
            | Base64Error::PaddingInside { .. }
            | Base64Error::Length { .. }
            | Base64Error::TooMuchPadding { .. }
            | Base64Error::TrailingBits { .. } => {}
        }
        say(format!("{e:?}"), &|l| e.describe(l));
    }
    let fields = [
        Field::Authzid,
        Field::Authcid,
        Field::Password,
        Field::Username,
        Field::Challenge,
        Field::Digest,
    ];
    let mut sasl = vec![
        SaslError::PlainFieldCount { found: 2 },
        SaslError::CramNoSpace,
        SaslError::CramDigest("x".into()),
        SaslError::Cancelled,
    ];
    sasl.extend(b64.iter().cloned().map(SaslError::Base64));
    for f in fields {
        sasl.push(SaslError::NotUtf8 {
            field: f,
            offset: 1,
        });
        sasl.push(SaslError::EmptyField { field: f });
        sasl.push(SaslError::ContainsNul { field: f });
    }
    for e in &sasl {
        match e {
            SaslError::Base64(_)
            | SaslError::PlainFieldCount { .. }
            | SaslError::NotUtf8 { .. }
            | SaslError::EmptyField { .. }
            | SaslError::ContainsNul { .. }
            | SaslError::CramNoSpace
            | SaslError::CramDigest(_)
            | SaslError::Cancelled => {}
        }
        say(format!("{e:?}"), &|l| e.describe(l));
    }
    for e in [
        TranscriptError::Parse {
            line: 1,
            column: 2,
            path: String::new(),
            message: "missing field `events`".into(),
        },
        TranscriptError::Parse {
            line: 4,
            column: 9,
            path: "events[3].dir".into(),
            message: "unknown variant `sever`, expected one of `client`, `server`, `tls`, `open`"
                .into(),
        },
        TranscriptError::Version(9),
        TranscriptError::NoLine { index: 0 },
        TranscriptError::NoHandshake { index: 0 },
        TranscriptError::NoEndpoint { index: 0 },
        TranscriptError::Protocol("imap".into()),
        TranscriptError::Started(i64::MAX),
    ] {
        say(format!("{e:?}"), &|l| e.describe(l));
    }
    assert!(n > 400, "{n} diagnostics");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_network_failure_is_said_in_both_languages() {
    use std::io::ErrorKind as K;
    let mut failures = Vec::new();
    let tls = [
        TlsFailure::UnknownIssuer,
        TlsFailure::NotValidForName,
        TlsFailure::Expired,
        TlsFailure::NotYetValid,
        TlsFailure::Revoked,
        TlsFailure::BadSignature,
        TlsFailure::OtherCertificate,
        TlsFailure::Alert("HandshakeFailure".into()),
        TlsFailure::Incompatible,
        TlsFailure::NotTls,
        TlsFailure::Closed,
        TlsFailure::Other,
    ];
    let mut all = vec![
        NetFailure::ConnectTimeout {
            addr: "192.0.2.1:25".into(),
            secs: 10,
        },
        NetFailure::Refused {
            addr: "127.0.0.1:1".into(),
        },
        NetFailure::BadServerName { host: "a b".into() },
        NetFailure::TlsTimeout { secs: 10 },
        NetFailure::TlsConfig,
        NetFailure::Runtime,
    ];
    for why in tls {
        for insecure in [false, true] {
            all.push(NetFailure::Tls {
                why: why.clone(),
                insecure,
            });
        }
    }
    for kind in [
        K::NotFound,
        K::PermissionDenied,
        K::ConnectionRefused,
        K::ConnectionReset,
        K::BrokenPipe,
        K::TimedOut,
        K::AddrInUse,
        K::UnexpectedEof,
        K::Other,
    ] {
        for stage in [Stage::Connect, Stage::Read, Stage::Write] {
            all.push(NetFailure::Io {
                addr: "h:25".into(),
                stage,
                kind,
                os: Some(99),
            });
        }
        both(
            &format!("{kind:?}"),
            &|l| io_kind(l, kind, None),
            &mut failures,
        );
    }
    for f in &all {
        match f {
            NetFailure::ConnectTimeout { .. }
            | NetFailure::Refused { .. }
            | NetFailure::Io { .. }
            | NetFailure::BadServerName { .. }
            | NetFailure::TlsTimeout { .. }
            | NetFailure::Tls { .. }
            | NetFailure::TlsConfig
            | NetFailure::Runtime => {}
        }
        both(&format!("{f:?}"), &|l| f.describe(l), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The JSON loaders' errors (serde's English messages) are said in French.
#[test]
fn json_errors_of_worlds_lessons_and_transcripts_are_said_in_french() {
    let mut failures = Vec::new();
    let bad = [
        "{",
        "{\"id\": 1}",
        "{\"version\": 1, \"x\": }",
        "[1, 2",
        "{} x",
        "{\"a\" 1}",
    ];
    for text in bad {
        if let Err(e) = facteur::session::transcript::Transcript::from_json(text) {
            both(
                &format!("transcript {text}"),
                &|l| e.describe(l),
                &mut failures,
            );
        }
        if let Err(e) = facteur::sim::world::World::from_json(text) {
            both(&format!("world {text}"), &|l| e.describe(l), &mut failures);
        }
        if let Err(p) = facteur::lesson::Lesson::from_json(text) {
            both(&format!("lesson {text}"), &|l| p.describe(l), &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
