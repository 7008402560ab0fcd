//! Real servers say what happened in the *text* of their replies: a data
//! table (`catalog/rules_smtp.json`, `catalog/rules_pop3.json`) recognises
//! the well-known cases — greylisting, blocklists, SPF/DKIM/DMARC, missing
//! reverse DNS, quotas, rate limits, Microsoft's and Gmail's own codes,
//! qmail's `(#5.7.1)`, Dovecot's `[AUTH] Plaintext authentication
//! disallowed` … — and explains each specifically, in French and English,
//! with the RFC it rests on and, in the data, the source of the rule (a
//! server's source file or published error reference).
//!
//! Rules are tried in file order; the first match wins. Where a vendor
//! uses an enhanced code for something other than its registered meaning
//! (Microsoft's 5.1.10 for "recipient not found"), the rule says so and
//! the explanation gives both readings (RFC 3463 §2 leaves the text as the
//! authority on what happened).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::explain::annotation::{Annotation, Severity};
use crate::explain::catalog::{entry, fill, text, unpack};
use crate::explain::lang::Lang;
use crate::proto::smtp::reply::EnhancedCode;

/// What kind of case a rule recognises: it decides the severity and what
/// the student is told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Temporary,
    Policy,
    Address,
    Mailbox,
    Auth,
    Tls,
    Protocol,
    Info,
}

/// A rule about an SMTP reply's text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpRule {
    pub id: String,
    /// Prefixes of the three-digit code ("4", "45", "450"); empty: any.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Case-insensitive substrings: any one of them matches.
    pub any: Vec<String>,
    /// Case-insensitive substrings that must all be there too.
    #[serde(default)]
    pub all: Vec<String>,
    /// The enhanced codes the rule is for; empty: any.
    #[serde(default)]
    pub enhanced: Vec<String>,
    pub kind: Kind,
    #[serde(default)]
    pub registry_differs: bool,
    #[serde(default)]
    pub meaning_fr: String,
    #[serde(default)]
    pub meaning_en: String,
    pub fr: String,
    pub en: String,
    pub rfc: String,
    pub source: String,
}

/// A rule about a POP3 response's text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pop3Rule {
    pub id: String,
    /// "+OK", "-ERR", or "" for any.
    pub status: String,
    pub any: Vec<String>,
    #[serde(default)]
    pub all: Vec<String>,
    pub kind: Kind,
    pub fr: String,
    pub en: String,
    pub rfc: String,
    pub source: String,
}

/// The rule files, deflated like the catalog (build.rs).
pub const SMTP_RULES: &[u8] = crate::explain::catalog::packed!("rules_smtp");
pub const POP3_RULES: &[u8] = crate::explain::catalog::packed!("rules_pop3");

/// The SMTP rules (a file that does not parse gives none; a test parses it).
pub fn smtp_rules() -> &'static [SmtpRule] {
    static RULES: OnceLock<Vec<SmtpRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<SmtpRule> =
            serde_json::from_str(&unpack(SMTP_RULES)).unwrap_or_default();
        for r in &mut rules {
            lowered(&mut r.any);
            lowered(&mut r.all);
        }
        rules
    })
}

/// The POP3 rules.
pub fn pop3_rules() -> &'static [Pop3Rule] {
    static RULES: OnceLock<Vec<Pop3Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<Pop3Rule> =
            serde_json::from_str(&unpack(POP3_RULES)).unwrap_or_default();
        for r in &mut rules {
            lowered(&mut r.any);
            lowered(&mut r.all);
        }
        rules
    })
}

/// Whether the lower-cased text holds any of `any` and all of `all`
/// (the rule words are lower-cased once, when the table is loaded).
fn words_match(lower: &str, any: &[String], all: &[String]) -> bool {
    any.iter().any(|n| lower.contains(n.as_str())) && all.iter().all(|n| lower.contains(n.as_str()))
}

fn lowered(words: &mut [String]) {
    for w in words {
        *w = w.to_lowercase();
    }
}

/// qmail writes its enhanced code at the end of the text: `… (#5.7.1)`.
pub fn trailing_enhanced(text: &str) -> Option<EnhancedCode> {
    let t = text.trim_end();
    let inner = t.strip_suffix(')')?;
    let start = inner.rfind("(#")?;
    EnhancedCode::parse(&inner[start + 2..])
}

/// The first SMTP rule for a reply: its code, enhanced code and whole text.
pub fn match_smtp(
    code: u16,
    enhanced: Option<EnhancedCode>,
    text: &str,
) -> Option<&'static SmtpRule> {
    let digits = code.to_string();
    let enhanced = enhanced
        .or_else(|| trailing_enhanced(text))
        .map(|e| e.to_string());
    let lower = text.to_lowercase();
    smtp_rules().iter().find(|r| {
        (r.codes.is_empty() || r.codes.iter().any(|c| digits.starts_with(c.as_str())))
            && (r.enhanced.is_empty()
                || enhanced
                    .as_ref()
                    .is_some_and(|e| r.enhanced.iter().any(|x| x == e)))
            && words_match(&lower, &r.any, &r.all)
    })
}

/// The first POP3 rule for a status line (`+OK …` / `-ERR …`).
pub fn match_pop3(line: &str) -> Option<&'static Pop3Rule> {
    let status = if line.starts_with("+OK") {
        "+OK"
    } else if line.starts_with("-ERR") {
        "-ERR"
    } else {
        return None;
    };
    let lower = line.to_lowercase();
    pop3_rules().iter().find(|r| {
        (r.status.is_empty() || r.status == status) && words_match(&lower, &r.any, &r.all)
    })
}

fn severity(kind: Kind, failure: bool) -> Severity {
    match kind {
        Kind::Info => Severity::Info,
        Kind::Temporary => Severity::Hint,
        _ if failure => Severity::Mistake,
        _ => Severity::Hint,
    }
}

fn kind_title(lang: Lang, kind: Kind) -> String {
    let k = match kind {
        Kind::Temporary => "rule.kind.temporary",
        Kind::Policy => "rule.kind.policy",
        Kind::Address => "rule.kind.address",
        Kind::Mailbox => "rule.kind.mailbox",
        Kind::Auth => "rule.kind.auth",
        Kind::Tls => "rule.kind.tls",
        Kind::Protocol => "rule.kind.protocol",
        Kind::Info => "rule.kind.info",
    };
    text(lang, k)
}

/// What the reply's text says, when a rule knows it.
pub fn smtp_annotations(
    lang: Lang,
    code: u16,
    enhanced: Option<EnhancedCode>,
    text_all: &str,
    span: std::ops::Range<usize>,
) -> Vec<Annotation> {
    let mut out = Vec::new();
    let joined = text_all.replace('\n', " ");
    let text_all = joined.as_str();
    let trailing = enhanced
        .is_none()
        .then(|| trailing_enhanced(text_all))
        .flatten();
    if let Some(e) = trailing {
        out.push(Annotation::from_key(
            lang,
            span.clone(),
            format!("(#{e})"),
            "rule.qmail_code",
            &[&e],
            Severity::Info,
        ));
    }
    let Some(rule) = match_smtp(code, enhanced, text_all) else {
        return out;
    };
    let body = match lang {
        Lang::Fr => rule.fr.clone(),
        Lang::En => rule.en.clone(),
    };
    out.push(Annotation {
        span: span.clone(),
        title: kind_title(lang, rule.kind),
        body,
        rfc: Some(rule.rfc.clone()),
        severity: severity(rule.kind, code >= 400),
    });
    if let (true, Some(e)) = (rule.registry_differs, enhanced.or(trailing)) {
        let short = format!("esc.short.{}.{}", e.subject, e.detail);
        let registry = if entry(&short).is_some() {
            text(lang, &short)
        } else {
            text(lang, "esc.short.unknown")
        };
        let meaning = match lang {
            Lang::Fr => &rule.meaning_fr,
            Lang::En => &rule.meaning_en,
        };
        out.push(Annotation {
            span,
            title: text(lang, "rule.vendor.title"),
            body: fill(lang, "esc.vendor", &[&e, &registry, meaning]),
            rfc: Some("RFC 3463 §2".into()),
            severity: Severity::Hint,
        });
    }
    out
}

/// What a POP3 status line's text says, when a rule knows it.
pub fn pop3_annotation(lang: Lang, line: &str) -> Option<Annotation> {
    let rule = match_pop3(line)?;
    Some(Annotation {
        span: 0..line.len(),
        title: kind_title(lang, rule.kind),
        body: match lang {
            Lang::Fr => rule.fr.clone(),
            Lang::En => rule.en.clone(),
        },
        rfc: Some(rule.rfc.clone()),
        severity: severity(rule.kind, line.starts_with("-ERR")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_tables_parse_and_each_rule_is_complete() {
        let smtp: Vec<SmtpRule> = serde_json::from_str(&unpack(SMTP_RULES)).unwrap();
        let pop3: Vec<Pop3Rule> = serde_json::from_str(&unpack(POP3_RULES)).unwrap();
        let mut ids = std::collections::HashSet::new();
        for r in &smtp {
            assert!(ids.insert(r.id.clone()), "duplicate rule {}", r.id);
            assert!(!r.any.is_empty(), "{}: no words", r.id);
            for t in [&r.fr, &r.en, &r.source] {
                assert!(!t.trim().is_empty(), "{}: empty text", r.id);
            }
            assert!(r.rfc.starts_with("RFC "), "{}: {}", r.id, r.rfc);
            if r.registry_differs {
                assert!(
                    !r.meaning_fr.is_empty() && !r.meaning_en.is_empty(),
                    "{}: a vendor meaning is needed in both languages",
                    r.id
                );
            }
            for e in &r.enhanced {
                assert!(EnhancedCode::parse(e).is_some(), "{}: {e}", r.id);
            }
        }
        for r in &pop3 {
            assert!(ids.insert(r.id.clone()), "duplicate rule {}", r.id);
            assert!(!r.any.is_empty(), "{}: no words", r.id);
            assert!(["+OK", "-ERR", ""].contains(&r.status.as_str()), "{}", r.id);
            for t in [&r.fr, &r.en, &r.source] {
                assert!(!t.trim().is_empty(), "{}: empty text", r.id);
            }
            assert!(r.rfc.starts_with("RFC "), "{}: {}", r.id, r.rfc);
        }
    }

    #[test]
    fn qmail_writes_its_enhanced_code_at_the_end() {
        assert_eq!(
            trailing_enhanced("sorry, no mailbox here by that name. (#5.1.1)")
                .map(|e| e.to_string()),
            Some("5.1.1".into())
        );
        assert_eq!(trailing_enhanced("no code here"), None);
        assert_eq!(trailing_enhanced("(#9.9)"), None);
    }
}
