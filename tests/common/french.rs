//! A French screen shows no English sentence: a detector of English words
//! outside quotes, for the tests that check French output.

/// English words that never belong in a French sentence (lower case,
/// whole words). Quoted material — « … », "…", `…` — is left out: a French
/// explanation may quote a server's English words.
const ENGLISH: &[&str] = &[
    "the", "is", "are", "was", "with", "without", "and", "not", "this", "that", "your", "will",
    "must", "should", "missing", "expected", "after", "before", "please", "which", "when", "there",
    "only", "been", "have", "has", "than", "into", "found", "invalid", "unknown", "cannot",
    "allowed", "error", "line", "empty", "bad", "too",
];

/// The English words of `text` outside quotes, if any.
pub fn english_words(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut depth = 0i32;
    let mut in_dq = false;
    let mut in_bq = false;
    for c in text.chars() {
        match c {
            '«' => depth += 1,
            '»' => depth -= 1,
            '"' => in_dq = !in_dq,
            '`' => in_bq = !in_bq,
            _ if depth > 0 || in_dq || in_bq => {}
            _ => plain.push(c),
        }
    }
    // RFC references and host names are not sentences.
    plain
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| ENGLISH.contains(w))
        .map(str::to_string)
        .collect()
}
