//! Unit tests of `pop3.rs`, beside it: they reach its private items.

#[cfg(test)]
use super::*;

#[test]
fn after_stls_succeeds_stls_is_no_longer_offered() {
    let mut s = Pop3State::new();
    s.server_line(Lang::En, "+OK POP3 ready");
    assert!(s.valid_next().contains(&Verb::Stls));
    s.client_line(b"STLS");
    s.server_line(Lang::En, "-ERR not now");
    assert!(
        s.valid_next().contains(&Verb::Stls),
        "refused: still possible"
    );
    s.client_line(b"STLS");
    s.server_line(Lang::En, "+OK Begin TLS negotiation");
    assert!(s.tls);
    assert!(!s.valid_next().contains(&Verb::Stls), "RFC 2595 §4");
    s.client_line(b"USER marc");
    s.server_line(Lang::En, "+OK");
    assert!(!s.valid_next().contains(&Verb::Stls));
}
