//! Server replies explained: the code digit by digit (RFC 5321 §4.2.1), the
//! code's own meaning (§4.2.2–4.2.3, RFC 4954, RFC 3207, RFC 1870), the
//! enhanced status code class.subject.detail (RFC 3463, RFC 5248 registry),
//! what the reply means after the command it answers, each EHLO keyword, and
//! the base64 of an AUTH challenge.

use crate::explain::annotation::{Annotation, Severity, human_size};
use crate::explain::catalog::{entry, fill, text};
use crate::explain::decode::{Verdict, classify};
use crate::explain::lang::Lang;
use crate::proto::sasl::base64::decode as decode_base64;
use crate::proto::smtp::ehlo::{EhloInfo, parse_extension};
use crate::proto::smtp::reply::{Code, EnhancedCode, Reply};
use crate::proto::visible::visible;

/// What a reply answers: the greeting, or the verb of the client's command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answering<'a> {
    Greeting,
    Verb(&'a str),
    /// A continuation line of an AUTH exchange.
    AuthStep,
    Unknown,
}

/// The explanation of a whole reply.
pub fn explain_reply(
    lang: Lang,
    reply: &Reply,
    answering: Answering<'_>,
    tls: bool,
) -> Vec<Annotation> {
    let mut out = Vec::new();
    let code = reply.code;
    let first_len = reply.lines.first().map(|l| l.text.len() + 4).unwrap_or(3);
    out.push(code_annotation(lang, code, 0..3));
    // What the text says, when a rule of the real-world table knows it.
    out.extend(crate::explain::realworld::smtp_annotations(
        lang,
        code.value(),
        reply.enhanced(),
        &reply.text(),
        0..first_len,
    ));
    if reply.lines.len() > 1 {
        out.push(Annotation::from_key(
            lang,
            0..first_len,
            text(lang, "reply.title").replace("{0}", &code.to_string()),
            "reply.multiline",
            &[&reply.lines.len(), &code],
            Severity::Info,
        ));
    }
    if let Some(e) = reply.enhanced().or_else(|| mismatched_enhanced(reply)) {
        out.extend(enhanced_annotations(
            lang,
            e,
            code,
            4..4 + e.to_string().len(),
        ));
    }
    let verb = match answering {
        Answering::Greeting => "GREETING",
        Answering::Verb(v) => v,
        Answering::AuthStep => "AUTH",
        Answering::Unknown => "",
    };
    if let Some(a) = context_annotation(lang, verb, code, first_len) {
        out.push(a);
    }
    if verb.eq_ignore_ascii_case("EHLO")
        && let Some(info) = EhloInfo::from_reply(reply)
    {
        out.extend(ehlo_annotations(lang, &info, tls));
    }
    if code.value() == 334 {
        out.extend(challenge_annotation(lang, &reply.text(), first_len));
    }
    out
}

/// The code, digit by digit, then its own meaning.
pub fn code_annotation(lang: Lang, code: Code, span: std::ops::Range<usize>) -> Annotation {
    let value = code.value();
    let digits = value.to_string();
    let d1 = &digits[0..1];
    let d2 = &digits[1..2];
    let own = format!("reply.code.{value}");
    let mut body = vec![
        text(lang, &format!("reply.d1.{d1}")),
        text(lang, &format!("reply.d2.{d2}")),
        text(lang, "reply.d3").replace("{0}", &digits[2..3]),
    ];
    let rfc = match entry(&own) {
        Some(_) => {
            body.push(text(lang, &own));
            crate::explain::catalog::rfc(&own)
        }
        None => {
            body.push(text(lang, "reply.unknown").replace("{0}", &digits));
            crate::explain::catalog::rfc("reply.unknown")
        }
    };
    let severity = match code.severity() {
        crate::proto::smtp::reply::Severity::PositiveCompletion
        | crate::proto::smtp::reply::Severity::PositiveIntermediate => Severity::Info,
        _ => Severity::Mistake,
    };
    Annotation {
        span,
        title: text(lang, "reply.title").replace("{0}", &digits),
        body: body.join("\n"),
        rfc: rfc.map(str::to_string),
        severity,
    }
}

/// The catalog key of an enhanced code's detail: a class of its own where
/// real servers use the code otherwise than the registry says (4.7.1 for
/// greylisting, where RFC 3463 keeps X.7.1 for permanent failures).
pub fn detail_key(e: EnhancedCode) -> String {
    let own = format!("esc.detail.{}.{}.{}", e.class, e.subject, e.detail);
    if entry(&own).is_some() {
        own
    } else {
        format!("esc.detail.{}.{}", e.subject, e.detail)
    }
}

/// An enhanced code of another class than the reply's (`550 4.2.2 …`):
/// the parser does not take it as the reply's enhanced code (RFC 3463 §2:
/// their classes must agree), but the explanation says it is there.
fn mismatched_enhanced(reply: &Reply) -> Option<EnhancedCode> {
    let first = reply.lines.first()?.text.split_whitespace().next()?;
    EnhancedCode::parse(first).filter(|e| e.class != reply.code.class_digit())
}

/// The subject (second number) of an enhanced code in words: 0 to 7 are
/// RFC 3463's; a higher one (the syntax allows up to three digits) is
/// unknown, and RFC 3463 §2 says a client that does not know a code still
/// acts on its class.
pub fn subject_text(lang: Lang, subject: u16) -> String {
    let key = format!("esc.subject.{subject}");
    if entry(&key).is_some() {
        text(lang, &key)
    } else {
        fill(lang, "esc.subject.unknown", &[&subject])
    }
}

/// class, subject, detail of an enhanced code.
pub fn enhanced_annotations(
    lang: Lang,
    e: EnhancedCode,
    code: Code,
    span: std::ops::Range<usize>,
) -> Vec<Annotation> {
    let mut lines = vec![
        text(lang, &format!("esc.class.{}", e.class)),
        subject_text(lang, e.subject),
    ];
    let detail_key = detail_key(e);
    let rfc = if entry(&detail_key).is_some() {
        lines.push(text(lang, &detail_key));
        crate::explain::catalog::rfc(&detail_key)
    } else {
        lines.push(text(lang, "esc.detail.unknown").replace("{0}", &e.detail.to_string()));
        crate::explain::catalog::rfc("esc.detail.unknown")
    };
    let mut out = vec![Annotation {
        span: span.clone(),
        title: text(lang, "esc.title").replace("{0}", &e.to_string()),
        body: lines.join("\n"),
        rfc: rfc.map(str::to_string),
        severity: Severity::Info,
    }];
    if e.class != code.class_digit() {
        out.push(Annotation::from_key(
            lang,
            span,
            text(lang, "esc.title").replace("{0}", &e.to_string()),
            "esc.mismatch",
            &[&e.class, &code.class_digit()],
            Severity::Hint,
        ));
    }
    out
}

/// What the reply means after this command: `reply.ctx.VERB.CODE`, else
/// `reply.ctx.VERB.Nxx`, else `reply.ctx.ANY.CODE`.
fn context_annotation(lang: Lang, verb: &str, code: Code, len: usize) -> Option<Annotation> {
    let verb = verb.to_ascii_uppercase();
    let value = code.value();
    let class = format!("{}xx", value / 100);
    let key = [
        format!("reply.ctx.{verb}.{value}"),
        format!("reply.ctx.{verb}.{class}"),
        format!("reply.ctx.ANY.{value}"),
    ]
    .into_iter()
    .find(|k| entry(k).is_some())?;
    let severity = if value == 454 && verb == "STARTTLS" {
        Severity::Danger
    } else if value >= 400 {
        Severity::Mistake
    } else {
        Severity::Info
    };
    let title = if verb.is_empty() || verb == "ANY" {
        code.to_string()
    } else if verb == "GREETING" {
        format!("{} → {value}", text(lang, "reply.greeting"))
    } else {
        format!("{verb} → {value}")
    };
    Some(Annotation::from_key(
        lang,
        0..len,
        title,
        &key,
        &[],
        severity,
    ))
}

/// Each EHLO line: the server name, then every keyword.
pub fn ehlo_annotations(lang: Lang, info: &EhloInfo, tls: bool) -> Vec<Annotation> {
    let mut out = vec![Annotation::from_key(
        lang,
        0..0,
        info.domain.clone(),
        "ehlo.first",
        &[&info.domain],
        Severity::Info,
    )];
    for ext in &info.extensions {
        let sep = if ext.legacy_equals { "=" } else { " " };
        let line = if ext.params.is_empty() {
            ext.keyword.clone()
        } else {
            format!("{}{sep}{}", ext.keyword, ext.params.join(" "))
        };
        out.push(keyword_annotation(lang, &line, tls));
    }
    out
}

/// One EHLO keyword line, e.g. `SIZE 10485760` or `AUTH PLAIN LOGIN`.
pub fn keyword_annotation(lang: Lang, line: &str, tls: bool) -> Annotation {
    let ext = parse_extension(line);
    let title = text(lang, "ehlo.title").replace("{0}", &ext.keyword);
    let kw = ext.keyword.as_str();
    if ext.legacy_equals && kw == "AUTH" {
        return Annotation::from_key(
            lang,
            0..line.len(),
            title,
            "ehlo.AUTH=",
            &[],
            Severity::Info,
        );
    }
    match kw {
        "SIZE" => match ext.params.first().and_then(|p| p.parse::<u64>().ok()) {
            Some(n) if n > 0 => Annotation::from_key(
                lang,
                0..line.len(),
                title,
                "ehlo.SIZE",
                &[&human_size(lang, n)],
                Severity::Info,
            ),
            _ => Annotation::from_key(
                lang,
                0..line.len(),
                title,
                "ehlo.SIZE0",
                &[],
                Severity::Info,
            ),
        },
        "AUTH" => {
            let mechs = ext.params.join(", ");
            let clear = ext
                .params
                .iter()
                .any(|m| m.eq_ignore_ascii_case("PLAIN") || m.eq_ignore_ascii_case("LOGIN"));
            let severity = if clear && !tls {
                Severity::Hint
            } else {
                Severity::Info
            };
            let key = if tls { "ehlo.AUTH.tls" } else { "ehlo.AUTH" };
            Annotation::from_key(lang, 0..line.len(), title, key, &[&mechs], severity)
        }
        _ if entry(&format!("ehlo.{kw}")).is_some() => Annotation::from_key(
            lang,
            0..line.len(),
            title,
            &format!("ehlo.{kw}"),
            &[],
            Severity::Info,
        ),
        _ if kw.starts_with('X') => {
            Annotation::from_key(lang, 0..line.len(), title, "ehlo.X", &[], Severity::Info)
        }
        _ => Annotation::from_key(
            lang,
            0..line.len(),
            title,
            "ehlo.UNKNOWN",
            &[],
            Severity::Info,
        ),
    }
}

/// The base64 after `334`: a LOGIN prompt, a CRAM-MD5 challenge, or nothing (PLAIN).
fn challenge_annotation(lang: Lang, challenge: &str, len: usize) -> Option<Annotation> {
    let challenge = challenge.trim();
    if challenge.is_empty() {
        return Some(Annotation::from_key(
            lang,
            0..len,
            "334",
            "sasl.empty_challenge",
            &[],
            Severity::Info,
        ));
    }
    let bytes = decode_base64(challenge).ok()?;
    let (key, sev) = match classify(&bytes) {
        Verdict::LoginPrompt(_) => ("sasl.login_prompt", Severity::Info),
        Verdict::CramChallenge(_) => ("sasl.cram_challenge", Severity::Info),
        _ => ("sasl.other_challenge", Severity::Info),
    };
    Some(Annotation::from_key(
        lang,
        4..len,
        "334",
        key,
        &[&visible(&bytes)],
        sev,
    ))
}
