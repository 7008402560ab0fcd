//! Unit tests of `watch.rs`, beside it: they reach its private items.

#[cfg(test)]
use super::*;

fn watch() -> Watch {
    Watch::new(Lang::En, "upstream", 25, Proto::Smtp, 0)
}

#[test]
fn starttls_is_seen_and_its_go_ahead_cut_where_the_reply_ends() {
    let mut w = watch();
    assert_eq!(w.server(0, b"220 mx ESMTP\r\n"), None);
    assert_eq!(w.proto(), Some(Proto::Smtp));
    assert_eq!(w.client(1, b"EHLO me\r\n"), None);
    assert_eq!(w.server(2, b"250-mx\r\n250 STARTTLS\r\n"), None);
    assert_eq!(w.client(3, b"STARTTLS\r\nEHLO injected\r\n"), Some(10));
    assert_eq!(
        w.server(4, b"220 2.0.0 go\r\n250 injected\r\n"),
        Some((14, true))
    );
    assert_eq!(w.live.entries.len(), 6);
}

#[test]
fn starttls_inside_a_message_is_text_not_a_command() {
    let mut w = watch();
    w.server(0, b"220 mx\r\n");
    w.client(0, b"DATA\r\n");
    w.server(0, b"354 go\r\n");
    assert_eq!(w.client(0, b"STARTTLS\r\n.\r\n"), None);
    assert_eq!(w.client(0, b"STARTTLS\r\n"), Some(10));
}

#[test]
fn the_account_is_known_once_auth_plain_succeeds() {
    let mut w = watch();
    w.server(0, b"220 mx\r\n");
    // \0fred\0secret
    w.client(0, b"AUTH PLAIN AGZyZWQAc2VjcmV0\r\n");
    assert_eq!(w.account, None);
    w.server(0, b"235 2.7.0 ok\r\n");
    assert_eq!(w.account.as_deref(), Some("fred"));
}

#[test]
fn a_failed_login_names_nobody_and_pop3_user_waits_for_pass() {
    let mut w = watch();
    w.server(0, b"220 mx\r\n");
    w.client(0, b"AUTH PLAIN AGZyZWQAc2VjcmV0\r\n");
    w.server(0, b"535 5.7.8 no\r\n");
    assert_eq!(w.account, None);
    let mut p = Watch::new(Lang::En, "upstream", 110, Proto::Pop3, 0);
    p.server(0, b"+OK POP3\r\n");
    p.client(0, b"USER marie\r\n");
    p.server(0, b"+OK\r\n");
    assert_eq!(p.account, None);
    p.client(0, b"PASS x\r\n");
    p.server(0, b"+OK in\r\n");
    assert_eq!(p.account.as_deref(), Some("marie"));
    let mut c = watch();
    c.server(0, b"220 mx\r\n");
    c.client(0, b"AUTH CRAM-MD5\r\n");
    c.server(0, b"334 PDEyMzRAbXg+\r\n");
    // "fred 0123…"
    c.client(0, b"ZnJlZCAwMTIzNDU2Nzg5YWJjZGVm\r\n");
    c.server(0, b"235 ok\r\n");
    assert_eq!(c.account.as_deref(), Some("fred"));
    assert_eq!(p.client(0, b"STLS\r\n"), Some(6));
}

#[test]
fn unwatched_the_lines_are_kept_for_the_record_not_explained() {
    let feed = |w: &mut Watch| {
        w.server(0, b"220 mx ESMTP\r\n");
        w.client(1, b"EHLO me\r\nAUTH PLAIN AGZyZWQAc2VjcmV0\r\n");
        w.server(2, b"250 mx\r\n235 2.7.0 ok\r\n");
        w.client(3, b"QUIT\r\n");
    };
    let mut explained = watch();
    let mut kept = watch().unexplained();
    feed(&mut explained);
    feed(&mut kept);
    assert_eq!(kept.transcript(), explained.transcript());
    assert_eq!(kept.account.as_deref(), Some("fred"));
    assert!(kept.quit);
    assert!(kept.live.entries.iter().all(|e| e.notes.is_empty()));
    assert!(explained.live.entries.iter().any(|e| !e.notes.is_empty()));
}

#[test]
fn a_line_too_long_to_keep_is_in_the_session_with_its_length() {
    let mut w = watch();
    w.server(0, b"220 mx\r\n");
    let mut long = b"NOOP ".to_vec();
    long.extend(std::iter::repeat_n(b'A', 100_000));
    long.extend_from_slice(b"\r\nNOOP\r\n");
    w.client(1, &long);
    w.server(2, b"500 5.5.2 Line too long\r\n250 2.0.0 Ok\r\n");
    let t = w.transcript();
    let dirs: Vec<_> = t
        .events
        .iter()
        .map(|e| (e.dir, e.long, e.line.clone()))
        .collect();
    assert_eq!(dirs[1], (Dir::Client, Some(100_007), None));
    assert_eq!(dirs[2], (Dir::Client, None, Some("NOOP".into())));
    // The record reads back, and the line is explained as what it was.
    let back = Transcript::from_json(&t.to_json()).unwrap();
    assert_eq!(back, t);
    let e = crate::session::explained::explain_transcript(Lang::En, &t);
    assert!(e[1].text.contains("100007"), "{}", e[1].text);
    assert!(
        e[1].notes
            .iter()
            .any(|n| n.render().contains("forwarded whole"))
    );
}

#[test]
fn a_reply_to_a_command_pipelined_before_starttls_is_not_its_answer() {
    // SMTP: NOOP then STARTTLS in one write; the 250 answers NOOP.
    let mut w = watch();
    w.server(0, b"220 mx ESMTP\r\n");
    w.client(0, b"EHLO me\r\n");
    w.server(0, b"250-mx\r\n250 STARTTLS\r\n");
    assert_eq!(w.client(0, b"NOOP\r\nSTARTTLS\r\n"), Some(16));
    assert_eq!(w.server(0, b"250 2.0.0 Ok\r\n"), None, "NOOP's answer");
    assert!(w.awaiting_tls());
    assert_eq!(w.server(0, b"220 2.0.0 Ready\r\n"), Some((17, true)));
    // POP3: CAPA's multi-line answer, then STLS's.
    let mut p = Watch::new(Lang::En, "upstream", 110, Proto::Pop3, 0);
    p.server(0, b"+OK POP3\r\n");
    assert_eq!(p.client(0, b"CAPA\r\nSTLS\r\n"), Some(12));
    assert_eq!(p.server(0, b"+OK list\r\nSTLS\r\nUSER\r\n.\r\n"), None);
    assert!(
        p.awaiting_tls(),
        "the +OK of CAPA and its body are not STLS's answer"
    );
    assert_eq!(p.server(0, b"+OK Begin TLS\r\n"), Some((15, true)));
    // And one refused after a pipelined RETR whose body holds "+OK".
    let mut r = Watch::new(Lang::En, "upstream", 110, Proto::Pop3, 0);
    r.server(0, b"+OK POP3\r\n");
    r.client(0, b"USER marc\r\n");
    r.server(0, b"+OK\r\n");
    r.client(0, b"PASS x\r\n");
    r.server(0, b"+OK in\r\n");
    assert_eq!(r.client(0, b"RETR 1\r\nSTLS\r\n"), Some(14));
    assert_eq!(
        r.server(0, b"+OK 20 octets\r\n+OK in the body\r\n.\r\n"),
        None
    );
    assert_eq!(
        r.server(0, b"-ERR not in TRANSACTION\r\n"),
        Some((25, false))
    );
}
