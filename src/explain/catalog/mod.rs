//! The one catalog of user-facing text: every entry has a key, its French
//! and English text, and the RFC section it rests on (empty for interface
//! text). Texts are data, not literals scattered in code. A test fails when an
//! entry lacks a language or when the two languages disagree on placeholders
//! (`{0}`, `{1}` …).

mod cli;
mod workbench;

use crate::explain::lang::Lang;

/// One catalog entry.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub key: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
    pub rfc: &'static str,
}

impl Entry {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => self.fr,
            Lang::En => self.en,
        }
    }
}

/// Every section of the catalog.
pub fn sections() -> [&'static [Entry]; 2] {
    [cli::ENTRIES, workbench::ENTRIES]
}

/// The entry for a key.
pub fn entry(key: &str) -> Option<&'static Entry> {
    sections().into_iter().flatten().find(|e| e.key == key)
}

/// The text of `key` in `lang`. A missing key shows as `⟦key⟧` (tests look
/// for that mark, so a missing key cannot go unnoticed).
pub fn text(lang: Lang, key: &str) -> String {
    match entry(key) {
        Some(e) if lang == Lang::Fr => french_spacing(e.fr),
        Some(e) => e.get(lang).to_string(),
        None => format!("⟦{key}⟧"),
    }
}

/// French typography keeps « », ":" ";" "?" "!" with the word next to them:
/// the space there becomes a no-break space, so a line is never cut inside.
fn french_spacing(s: &str) -> String {
    s.replace("« ", "«\u{a0}")
        .replace(" »", "\u{a0}»")
        .replace(" :", "\u{a0}:")
        .replace(" ;", "\u{a0};")
        .replace(" ?", "\u{a0}?")
        .replace(" !", "\u{a0}!")
}

/// The text of `key` with `{0}`, `{1}` … replaced by `args`.
pub fn fill(lang: Lang, key: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut s = text(lang, key);
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), &a.to_string());
    }
    s
}

/// The RFC reference of an entry, if any.
pub fn rfc(key: &str) -> Option<&'static str> {
    entry(key).map(|e| e.rfc).filter(|r| !r.is_empty())
}

/// `n` with the singular or plural text: `{0}` in `key_one` / `key_many`.
pub fn count(lang: Lang, n: usize, key_one: &str, key_many: &str) -> String {
    fill(lang, if n == 1 { key_one } else { key_many }, &[&n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<usize> {
        let mut v: Vec<usize> = (0..10)
            .filter(|i| s.contains(&format!("{{{i}}}")))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn every_entry_has_both_languages_and_the_same_placeholders() {
        let mut keys = std::collections::HashSet::new();
        for e in sections().into_iter().flatten() {
            assert!(keys.insert(e.key), "duplicate key {}", e.key);
            assert!(!e.fr.trim().is_empty(), "{} lacks French", e.key);
            assert!(!e.en.trim().is_empty(), "{} lacks English", e.key);
            assert_eq!(
                placeholders(e.fr),
                placeholders(e.en),
                "{}: placeholders differ",
                e.key
            );
            if !e.rfc.is_empty() {
                assert!(
                    e.rfc.starts_with("RFC ") || e.rfc.starts_with("draft-"),
                    "{}: {}",
                    e.key,
                    e.rfc
                );
            }
        }
    }

    #[test]
    fn missing_keys_are_visible() {
        assert_eq!(text(Lang::Fr, "no.such.key"), "⟦no.such.key⟧");
        assert_eq!(fill(Lang::En, "wb.octets", &[&14]), "14 octets");
        assert_eq!(count(Lang::Fr, 1, "wb.octet", "wb.octets"), "1 octet");
        assert_eq!(
            text(Lang::Fr, "wb.empty_response"),
            "«\u{a0}=\u{a0}»\u{a0}: une réponse initiale vide (pour distinguer «\u{a0}vide\u{a0}» de «\u{a0}absente\u{a0}»)"
        );
    }
}
