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

#[test]
fn the_address_of_a_mail_or_rcpt_line_with_or_without_brackets() {
    assert_eq!(address_of("MAIL FROM:<fred@free.fr>"), "fred@free.fr");
    assert_eq!(
        address_of("MAIL FROM: <fred@free.fr> SIZE=12"),
        "fred@free.fr"
    );
    // The handout's form, without < >: the word after the colon.
    assert_eq!(address_of("MAIL FROM: fred@free.fr"), "fred@free.fr");
    assert_eq!(
        address_of("RCPT TO:marc@wanadoo.fr NOTIFY=NEVER"),
        "marc@wanadoo.fr"
    );
    assert_eq!(address_of("MAIL FROM:<>"), "");
}
