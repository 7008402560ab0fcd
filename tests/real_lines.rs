//! Real servers' lines, explained right (issue 11): a corpus of reply,
//! response and command lines taken from real servers' sources and
//! published references (`tests/fixtures/real_lines_*.json`, each line with
//! its source), run through `facteur explain`'s engine in French and
//! English. Each line must: be explained (never empty, never a missing
//! catalog key), match the text rule its corpus entry names (or none),
//! contain the facts its entry lists in each language, and — in French —
//! show no English sentence.

use facteur::explain::Lang;
use facteur::explain::line::explain_line;
use facteur::explain::realworld::{match_pop3, match_smtp, trailing_enhanced};
use facteur::proto::smtp::reply::parse_line;
use serde::Deserialize;

mod common;
use common::french::english_words;

#[derive(Deserialize)]
struct Facts {
    fr: Vec<String>,
    en: Vec<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Line {
    line: String,
    server: String,
    source: String,
    rule: Option<String>,
    facts: Facts,
}

fn corpus(name: &str) -> Vec<Line> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rendered(lang: Lang, line: &str) -> String {
    explain_line(lang, line)
        .iter()
        .map(|a| a.render())
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(name: &str, pop3: bool) -> usize {
    let lines = corpus(name);
    let mut failures = Vec::new();
    for l in &lines {
        // The rule that fires is the one the corpus names.
        let fired = if pop3 {
            match_pop3(&l.line).map(|r| r.id.clone())
        } else {
            parse_line(l.line.as_bytes()).ok().and_then(|p| {
                let enhanced = p.enhanced.or_else(|| trailing_enhanced(&p.text));
                match_smtp(p.code.value(), enhanced, &p.text).map(|r| r.id.clone())
            })
        };
        if fired != l.rule {
            failures.push(format!(
                "{:?}: rule {:?}, the corpus expects {:?}",
                l.line, fired, l.rule
            ));
        }
        for (lang, facts) in [(Lang::Fr, &l.facts.fr), (Lang::En, &l.facts.en)] {
            let out = rendered(lang, &l.line);
            if out.trim().is_empty() || out.contains('⟦') {
                failures.push(format!("{:?} ({lang:?}): not explained:\n{out}", l.line));
                continue;
            }
            let lower = out.to_lowercase();
            for f in facts {
                if !lower.contains(&f.to_lowercase()) {
                    failures.push(format!(
                        "{:?} ({lang:?}): the fact {f:?} is missing from:\n{out}",
                        l.line
                    ));
                }
            }
            if lang == Lang::Fr {
                let words = english_words(&out);
                if !words.is_empty() {
                    failures.push(format!(
                        "{:?}: English on the French screen {words:?}:\n{out}",
                        l.line
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} lines of {name}:\n\n{}",
        failures.len(),
        lines.len(),
        failures.join("\n\n")
    );
    lines.len()
}

#[test]
fn real_smtp_lines_are_explained_right_in_both_languages() {
    let n = check("real_lines_smtp.json", false);
    assert!(n >= 200, "the SMTP corpus has {n} lines");
}

#[test]
fn real_pop3_lines_are_explained_right_in_both_languages() {
    let n = check("real_lines_pop3.json", true);
    assert!(n >= 90, "the POP3 corpus has {n} lines");
}

#[test]
fn the_english_detector_can_fail() {
    assert_eq!(
        english_words("the address is missing"),
        ["the", "is", "missing"]
    );
    assert!(english_words("l'adresse « is missing » manque").is_empty());
    assert!(english_words("Syntaxe : MAIL FROM:<chemin-de-retour>").is_empty());
}

/// A few hundred malformed lines, explained in French: no English word.
#[test]
fn malformed_lines_are_explained_in_french_only() {
    let bases = [
        "HELO",
        "EHLO",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "RSET",
        "VRFY marc",
        "EXPN liste",
        "HELP",
        "NOOP",
        "QUIT",
        "STARTTLS",
        "AUTH PLAIN",
        "BDAT 10 LAST",
        "ETRN example.org",
        "USER marc",
        "PASS x",
        "APOP marc 0123",
        "STAT",
        "LIST 1",
        "RETR 1",
        "DELE 1",
        "TOP 1 5",
        "UIDL 1",
        "CAPA",
        "STLS",
        "250 ok",
        "550 5.1.1 x",
        "+OK",
        "-ERR",
        "+ dGVzdA==",
    ];
    let mutations: [&dyn Fn(&str) -> String; 10] = [
        &|s| format!("{s} extra words"),
        &|s| s.replace(':', " "),
        &|s| s.replace('<', ""),
        &|s| s.replace('>', ""),
        &|s| s.replace('@', ""),
        &|s| format!("{s} \u{1}"),
        &|s| s.replace(' ', "  "),
        &|s| s.chars().rev().collect(),
        &|s| format!("{s}{}", "x".repeat(600)),
        &|s| s.replace("fr", "f r").replace('1', "0"),
    ];
    let mut failures = Vec::new();
    let mut n = 0;
    for b in bases {
        for m in &mutations {
            let line = m(b);
            n += 1;
            let out = rendered(Lang::Fr, &line);
            let words = english_words(&out);
            if !words.is_empty() || out.contains('⟦') {
                failures.push(format!("{line:?} → {words:?}\n{out}"));
            }
        }
    }
    assert!(n >= 300, "{n} lines");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
