//! Real-world messages read completely and correctly (issue 12): each
//! fixture of `tests/fixtures/messages/` (formats of Gmail, Exchange Online,
//! Free, Orange, Exim, qmail, Sendmail, Dovecot, Postfix DSNs, Mailman …,
//! see facts.json for the source of each) is explained in French and
//! English; the facts listed for it must be in the *explanations* (the
//! lines facteur writes, not the header values it echoes), no catalog key
//! may be missing, and the French explanations carry no English sentence.

use facteur::explain::Lang;
use facteur::explain::message::{explain_message, render};
use serde::Deserialize;
use std::collections::BTreeMap;

mod common;
use common::french::english_words;

#[derive(Deserialize)]
struct Facts {
    describe: String,
    fr: Vec<String>,
    en: Vec<String>,
}

/// The lines facteur writes about a message: everything but the echoed
/// `Name: value` header lines (an explanation line is indented, or starts
/// with a severity mark, or is a section title).
fn explanations(rendered: &str) -> String {
    rendered
        .lines()
        .filter(|l| {
            l.starts_with(' ')
                || l.starts_with(['ℹ', '→', '✗', '⚠'])
                || l.starts_with("==")
                || l.starts_with("Saut")
                || l.starts_with("Hop")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What only an explanation shows (decoded, computed or read from the
/// structure), per fixture: language-neutral.
const EXPLAINED: &[(&str, &[&str])] = &[
    (
        "01-gmail-to-gmail.eml",
        &[
            "Jérôme Dupont",
            "20230601._domainkey.gmail.com",
            "dmarc=pass",
            "spf=pass",
            "209.85.220.41",
        ],
    ),
    (
        "02-postfix-to-exchange-online.eml",
        &["TLS 1.3", "TLS 1.2", "Microsoft SMTP Server"],
    ),
    ("04-exim-four-timezones.eml", &["Exim 4.96", "TLS 1.3"]),
    (
        "05-qmail-sendmail-dovecot.eml",
        &["invoked from network", "invoked by uid 89", "8.15.2/8.15.2"],
    ),
    (
        "06-handout-telnet-wanadoo-to-hotmail.eml",
        &["Fri, 29 Dec 2006 01:46:00 +0000"],
    ),
    (
        "09-dsn-bounce-postfix.eml",
        &["Action: failed", "Status: 5.1.1", "mx.example.org"],
    ),
    ("10-dsn-delayed-postfix.eml", &["Action: delayed", "4.4.1"]),
    ("18-unreadable-date-in-chain.eml", &["32 Foo 2024"]),
    ("23-obsolete-dates-printer.eml", &["-0500"]),
];

#[test]
fn real_world_messages_are_explained_completely_in_both_languages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages");
    let facts: BTreeMap<String, Facts> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("facts.json")).unwrap()).unwrap();
    assert!(facts.len() >= 20, "{} fixtures", facts.len());
    for (file, _) in EXPLAINED {
        assert!(facts.contains_key(*file), "{file} is not a fixture");
    }
    let mut failures = Vec::new();
    for (file, f) in &facts {
        assert!(!f.describe.is_empty(), "{file}: no description");
        let raw = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (lang, list) in [(Lang::Fr, &f.fr), (Lang::En, &f.en)] {
            let report = explain_message(lang, &raw);
            let out = render(lang, &report);
            if out.contains('⟦') {
                let missing: Vec<&str> = out.lines().filter(|l| l.contains('⟦')).collect();
                failures.push(format!("{file} ({lang:?}): missing keys {missing:?}"));
            }
            let all = out.to_lowercase();
            for fact in list {
                if !all.contains(&fact.to_lowercase()) {
                    failures.push(format!("{file} ({lang:?}): the fact {fact:?} is not shown"));
                }
            }
            let expl = explanations(&out).to_lowercase();
            for (_, facts) in EXPLAINED.iter().filter(|(f, _)| f == file) {
                for fact in *facts {
                    if !expl.contains(&fact.to_lowercase()) {
                        failures.push(format!("{file} ({lang:?}): {fact:?} is not explained"));
                    }
                }
            }
            // Unknown fields: only real X- fields may remain unknown.
            for field in &report.fields {
                if field.note.body == facteur::explain::text(lang, "hdr.unknown") {
                    failures.push(format!("{file}: {} is called unknown", field.name));
                }
            }
            if lang == Lang::Fr {
                let mut bodies: Vec<String> = Vec::new();
                for field in &report.fields {
                    bodies.push(field.note.body.clone());
                    bodies.extend(field.details.iter().map(|d| d.body.clone()));
                }
                for h in &report.hops {
                    bodies.extend(facteur::explain::message::hop_notes(lang, h));
                }
                bodies.extend(report.dsn.iter().map(|a| a.body.clone()));
                for b in bodies {
                    let words = english_words(&b);
                    if !words.is_empty() {
                        failures.push(format!("{file}: English {words:?} in: {b}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
