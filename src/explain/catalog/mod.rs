//! The one catalog of user-facing text, as data: JSON files embedded at
//! build time (`src/explain/catalog/*.json`), each entry with its key, its
//! French and English text, and the RFC section it rests on. Tests fail when
//! a file does not parse, an entry lacks a language, the two languages
//! disagree on placeholders (`{0}`, `{1}` …), or an explanation entry lacks
//! its reference.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::explain::lang::Lang;

/// One catalog entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub key: String,
    pub fr: String,
    pub en: String,
    #[serde(default)]
    pub rfc: String,
}

impl Entry {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// A catalog file as embedded: deflated by build.rs.
macro_rules! packed {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".json.z"))
    };
}
pub(crate) use packed;

/// An embedded catalog file's JSON text. The bytes are build.rs's own
/// output, so failing here is a broken build, said as such rather than a
/// panic: the text is empty and every key then shows as `⟦key⟧`.
pub fn unpack(packed: &[u8]) -> String {
    miniz_oxide::inflate::decompress_to_vec_with_limit(packed, 16 << 20)
        .ok()
        .and_then(|v| String::from_utf8(v).ok())
        .unwrap_or_default()
}

/// The catalog files: (name, whether every entry must cite an RFC, the
/// deflated JSON — [`unpack`] gives the text).
pub const FILES: &[(&str, bool, &[u8])] = &[
    ("cli", false, packed!("cli")),
    ("workbench", false, packed!("workbench")),
    ("reply", true, packed!("reply")),
    ("enhanced", true, packed!("enhanced")),
    ("ehlo", true, packed!("ehlo")),
    ("sasl", true, packed!("sasl")),
    ("command", true, packed!("command")),
    ("headers", true, packed!("headers")),
    ("pop3", true, packed!("pop3")),
    ("tls", true, packed!("tls")),
    ("tui", false, packed!("tui")),
    ("lesson", false, packed!("lesson")),
    ("diag", true, packed!("diag")),
    ("capa", true, packed!("capa")),
    ("realworld", true, packed!("realworld")),
    ("mailfields", true, packed!("mailfields")),
    ("course", true, packed!("course")),
    ("capture", true, packed!("capture")),
    ("delivery", true, packed!("delivery")),
];

/// Parse one file (tests check that each parses).
pub fn parse_file(json: &str) -> Result<Vec<Entry>, serde_json::Error> {
    serde_json::from_str(json)
}

fn catalog() -> &'static HashMap<String, Entry> {
    static CATALOG: OnceLock<HashMap<String, Entry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // French typography is applied once, here, not at every lookup.
        FILES
            .iter()
            .flat_map(|(_, _, packed)| parse_file(&unpack(packed)).unwrap_or_default())
            .map(|mut e| {
                e.fr = french_spacing(&e.fr);
                (e.key.clone(), e)
            })
            .collect()
    })
}

/// The entry for a key.
pub fn entry(key: &str) -> Option<&'static Entry> {
    catalog().get(key)
}

/// The text of `key` in `lang`. A missing key shows as `⟦key⟧` (tests look
/// for that mark, so a missing key cannot go unnoticed).
pub fn text(lang: Lang, key: &str) -> String {
    match entry(key) {
        Some(e) if lang == Lang::Fr => e.fr.clone(),
        Some(e) => e.en.clone(),
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

/// The text of `key` with `{0}`, `{1}` … replaced by `args`, in one pass
/// over the template: an argument that itself contains `{1}` (a student
/// typing `AUTH {1}`) stays as typed.
pub fn fill(lang: Lang, key: &str, args: &[&dyn std::fmt::Display]) -> String {
    fill_template(&text(lang, key), args)
}

/// `{0}`, `{1}` … of `template` replaced by `args`, in one pass.
pub fn fill_template(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let index = after[..digits].parse::<usize>().ok();
        match (index, after[digits..].starts_with('}')) {
            (Some(i), true) if i < args.len() => {
                out.push_str(&args[i].to_string());
                rest = &after[digits + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The RFC reference of an entry, if any.
pub fn rfc(key: &str) -> Option<&'static str> {
    entry(key).map(|e| e.rfc.as_str()).filter(|r| !r.is_empty())
}

/// `n` with the singular or plural text: `{0}` in `key_one` / `key_many`.
pub fn count(lang: Lang, n: usize, key_one: &str, key_many: &str) -> String {
    fill(lang, if n == 1 { key_one } else { key_many }, &[&n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<usize> {
        (0..10)
            .filter(|i| s.contains(&format!("{{{i}}}")))
            .collect()
    }

    #[test]
    fn every_entry_has_both_languages_the_same_placeholders_and_its_reference() {
        let mut keys = std::collections::HashSet::new();
        for (name, needs_rfc, packed) in FILES {
            let entries =
                parse_file(&unpack(packed)).unwrap_or_else(|e| panic!("{name}.json: {e}"));
            assert!(!entries.is_empty(), "{name}.json is empty");
            for e in entries {
                assert!(keys.insert(e.key.clone()), "duplicate key {}", e.key);
                assert!(!e.fr.trim().is_empty(), "{} lacks French", e.key);
                assert!(!e.en.trim().is_empty(), "{} lacks English", e.key);
                assert_eq!(
                    placeholders(&e.fr),
                    placeholders(&e.en),
                    "{}: placeholders differ",
                    e.key
                );
                if *needs_rfc {
                    assert!(
                        !e.rfc.is_empty(),
                        "{name}.json: {} has no RFC reference",
                        e.key
                    );
                }
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
    }

    #[test]
    fn placeholders_are_filled_in_one_pass() {
        // A student's text that looks like a placeholder stays as typed.
        assert_eq!(fill_template("a {0} b {1}", &[&"{1}", &"x"]), "a {1} b x");
        assert_eq!(fill_template("{0}{0}", &[&"{0}"]), "{0}{0}");
        assert_eq!(fill_template("{2} {x} {", &[&1]), "{2} {x} {");
        assert_eq!(fill_template("{10}", &[&0, &1]), "{10}");
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
