//! Unit tests of `check.rs`, beside it: they reach its private items.

#[cfg(test)]
use super::*;

#[test]
fn codes() {
    assert!(code_matches("250", "250"));
    assert!(code_matches("2xx", "235"));
    assert!(code_matches("500|501", "501"));
    assert!(!code_matches("5xx", "250"));
    assert!(code_matches("+OK", "+OK"));
    assert!(!code_matches("+OK", "-ERR"));
}
