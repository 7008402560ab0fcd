//! The simulated POP3 server, RFC 1939 rule by rule, as dialogues.

mod common;

use common::*;
use facteur::proto::pop3::apop;
use facteur::proto::sasl::plain::PlainCredentials;
use facteur::sim::mta::Mta;

/// Put `n` messages into marc's mailbox through smtp.wanadoo.fr.
fn marc_with(n: usize) -> Mta {
    let mut mta = mta();
    for i in 1..=n {
        let (mut s, _) = Smtp::new("smtp.wanadoo.fr", fred_info());
        s.cmd(&mut mta, "HELO smtp.free.fr", "250");
        s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
        s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
        s.cmd(&mut mta, "DATA", "354");
        s.raw(
            &mut mta,
            format!(
                "Subject: message {i}\r\n\r\nline one\r\n..starts with a dot\r\nline three\r\n.\r\n"
            )
            .as_bytes(),
        );
    }
    mta
}

fn login(mta: &mut Mta) -> Pop {
    let (mut p, greeting) = Pop::new(mta, "pop.wanadoo.fr");
    assert!(
        greeting.starts_with("+OK POP3 server pop.wanadoo.fr ready <"),
        "{greeting}"
    );
    p.cmd(mta, "USER marc", "+OK");
    p.cmd(mta, "PASS marcpass", "+OK marc@wanadoo.fr's maildrop has");
    p
}

#[test]
fn the_handouts_commands() {
    let mut mta = marc_with(2);
    let mut p = login(&mut mta);
    let stat = p.cmd(&mut mta, "STAT", "+OK 2 ");
    let total: usize = stat.trim().split(' ').nth(2).unwrap().parse().unwrap();
    let sizes: Vec<usize> = mta
        .store
        .messages("marc@wanadoo.fr")
        .iter()
        .map(|m| m.data.len())
        .collect();
    assert_eq!(total, sizes.iter().sum::<usize>());
    let list = p.cmd(&mut mta, "LIST", "+OK 2 messages");
    assert!(
        list.contains(&format!("\r\n1 {}\r\n2 {}\r\n.\r\n", sizes[0], sizes[1])),
        "{list}"
    );
    p.cmd(&mut mta, "LIST 2", &format!("+OK 2 {}", sizes[1]));
    p.cmd(&mut mta, "LIST 3", "-ERR no such message");
    let retr = p.cmd(&mut mta, "RETR 1", "+OK");
    // Byte-stuffing: the line starting with "." goes out as "..".
    assert!(retr.contains("\r\n..starts with a dot\r\n"), "{retr}");
    assert!(retr.ends_with("line three\r\n.\r\n"));
    let top = p.cmd(&mut mta, "TOP 1 1", "+OK");
    assert!(
        top.contains("Subject: message 1\r\n") && top.ends_with("\r\n\r\nline one\r\n.\r\n"),
        "{top}"
    );
    assert!(!top.contains("line three"));
    let uidl = p.cmd(&mut mta, "UIDL", "+OK");
    let uid1 = mta.store.messages("marc@wanadoo.fr")[0].uid.clone();
    assert!(uidl.contains(&format!("\r\n1 {uid1}\r\n")));
    p.cmd(&mut mta, "UIDL 1", &format!("+OK 1 {uid1}"));
    p.cmd(&mut mta, "NOOP", "+OK");
    p.cmd(&mut mta, "QUIT", "+OK");
    assert!(p.closed);
    assert_eq!(
        mta.store.messages("marc@wanadoo.fr").len(),
        2,
        "nothing deleted"
    );
}

#[test]
fn dele_marks_rset_unmarks_quit_removes() {
    let mut mta = marc_with(3);
    let uids: Vec<String> = mta
        .store
        .messages("marc@wanadoo.fr")
        .iter()
        .map(|m| m.uid.clone())
        .collect();
    let mut p = login(&mut mta);
    p.cmd(&mut mta, "DELE 1", "+OK message 1 deleted");
    // Marked messages leave STAT and LIST; touching one gives -ERR.
    p.cmd(&mut mta, "STAT", "+OK 2 ");
    let list = p.cmd(&mut mta, "LIST", "+OK 2 messages");
    assert!(!list.contains("\r\n1 "));
    p.cmd(&mut mta, "RETR 1", "-ERR message 1 already deleted");
    p.cmd(&mut mta, "DELE 1", "-ERR");
    p.cmd(&mut mta, "RSET", "+OK maildrop has 3 messages");
    p.cmd(&mut mta, "DELE 2", "+OK");
    p.cmd(&mut mta, "QUIT", "+OK");
    let left: Vec<String> = mta
        .store
        .messages("marc@wanadoo.fr")
        .iter()
        .map(|m| m.uid.clone())
        .collect();
    assert_eq!(left, vec![uids[0].clone(), uids[2].clone()]);
    // UIDs are stable across sessions.
    let mut p = login(&mut mta);
    p.cmd(&mut mta, "UIDL 2", &format!("+OK 2 {}", uids[2]));
}

#[test]
fn dele_then_disconnect_or_rset_quit_removes_nothing() {
    let mut mta = marc_with(2);
    let mut p = login(&mut mta);
    p.cmd(&mut mta, "DELE 1", "+OK");
    p.cmd(&mut mta, "DELE 2", "+OK");
    p.drop_connection(&mut mta);
    assert_eq!(mta.store.messages("marc@wanadoo.fr").len(), 2);
    assert!(
        !mta.store.is_locked("marc@wanadoo.fr"),
        "lock freed on disconnect"
    );
    let mut p = login(&mut mta);
    p.cmd(&mut mta, "DELE 1", "+OK");
    p.cmd(&mut mta, "RSET", "+OK");
    p.cmd(&mut mta, "QUIT", "+OK");
    assert_eq!(mta.store.messages("marc@wanadoo.fr").len(), 2);
}

#[test]
fn the_maildrop_lock() {
    let mut mta = marc_with(1);
    let mut first = login(&mut mta);
    let (mut second, _) = Pop::new(&mut mta, "pop.wanadoo.fr");
    second.cmd(&mut mta, "USER marc@wanadoo.fr", "+OK");
    second.cmd(&mut mta, "PASS marcpass", "-ERR [IN-USE]");
    first.cmd(&mut mta, "QUIT", "+OK");
    second.cmd(&mut mta, "USER marc", "+OK");
    second.cmd(&mut mta, "PASS marcpass", "+OK");
}

#[test]
fn states_and_errors() {
    let mut mta = marc_with(1);
    let (mut p, greeting) = Pop::new(&mut mta, "pop.wanadoo.fr");
    p.cmd(&mut mta, "STAT", "-ERR STAT is not allowed before login");
    p.cmd(&mut mta, "PASS marcpass", "-ERR send USER first");
    p.cmd(&mut mta, "USER marc", "+OK");
    p.cmd(&mut mta, "PASS wrong", "-ERR [AUTH] authentication failed");
    let capa = p.cmd(&mut mta, "CAPA", "+OK");
    for cap in [
        "TOP",
        "UIDL",
        "USER",
        "RESP-CODES",
        "SASL PLAIN LOGIN CRAM-MD5",
    ] {
        assert!(capa.contains(&format!("\r\n{cap}\r\n")), "{cap}: {capa}");
    }
    p.cmd(&mut mta, "STLS", "-ERR");
    // APOP with the greeting's timestamp (RFC 1939 §7).
    let ts = apop::timestamp_in(&greeting).unwrap().to_string();
    p.cmd(
        &mut mta,
        &format!("APOP marc {}", apop::digest(&ts, "marcpass")),
        "+OK",
    );
    p.cmd(
        &mut mta,
        "USER marc",
        "-ERR USER is not allowed after login",
    );
    p.cmd(
        &mut mta,
        "RETR x",
        "-ERR RETR: \"x\" is not a message number",
    );
    p.cmd(&mut mta, "DELE 0", "-ERR");
    p.cmd(&mut mta, "XYZZY", "-ERR unknown command");
}

#[test]
fn auth_plain_and_wrong_password_limit() {
    let mut mta = marc_with(1);
    let (mut p, _) = Pop::new(&mut mta, "pop.wanadoo.fr");
    let ir = PlainCredentials::new("", "marc", "marcpass")
        .encode()
        .unwrap();
    p.cmd(&mut mta, "AUTH", "+OK");
    p.cmd(&mut mta, "AUTH PLAIN", "+ \r\n");
    p.cmd(&mut mta, "*", "-ERR authentication cancelled");
    p.cmd(
        &mut mta,
        &format!("AUTH PLAIN {ir}"),
        "+OK marc@wanadoo.fr's maildrop has 1 messages",
    );
    let (mut q, _) = Pop::new(&mut mta, "pop.wanadoo.fr");
    for _ in 0..2 {
        q.cmd(&mut mta, "USER benja.roux", "+OK");
        q.cmd(&mut mta, "PASS x", "-ERR [AUTH]");
    }
    q.cmd(&mut mta, "USER benja.roux", "+OK");
    let r = q.cmd(&mut mta, "PASS x", "-ERR [AUTH]");
    assert!(r.contains("too many"));
    assert!(q.closed);
}

#[test]
fn stls_drops_what_was_pipelined_after_it() {
    use facteur::sim::Output;
    use facteur::sim::mta::PopView;
    use facteur::sim::pop3_server::{Pop3Config, Pop3Session};
    let mut mta = marc_with(1);
    let mut cfg = Pop3Config::new("pop.wanadoo.fr");
    cfg.stls = true;
    let mut s = Pop3Session::new(cfg, (1, 2));
    let mut view = PopView {
        mta: &mut mta,
        host: Some("pop.wanadoo.fr".into()),
    };
    let out = s.handle(b"STLS\r\nUSER marc\r\nPASS marcpass\r\n", &mut view);
    assert_eq!(
        out,
        vec![
            Output::Send(b"+OK Begin TLS negotiation\r\n".to_vec()),
            Output::StartTls
        ]
    );
    s.tls_established();
    let out = s.handle(b"STAT\r\n", &mut view);
    assert!(
        matches!(&out[0], Output::Send(b) if b.starts_with(b"-ERR")),
        "still AUTHORIZATION after STLS"
    );
    let out = s.handle(b"CAPA\r\n", &mut view);
    let Output::Send(capa) = &out[0] else {
        panic!()
    };
    assert!(
        !String::from_utf8_lossy(capa).contains("STLS"),
        "STLS is not offered again inside TLS"
    );
}
