//! `facteur serve` over real TCP: real clients (Python's smtplib and poplib,
//! curl) drive the seed's route, and hostile input gets its proper reply.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::tcp::{Raw, Server, need, succeeded};

#[test]
fn python_smtplib_and_poplib_drive_the_seed_route() {
    need("python3");
    let server = Server::start(&[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/seed_route.py");
    let out = Command::new("python3")
        .args([script, &server.smtp.to_string(), &server.pop3.to_string()])
        .output()
        .unwrap();
    let found = String::from_utf8(succeeded(out)).unwrap();
    let v: serde_json::Value = serde_json::from_str(found.trim()).unwrap();
    assert_eq!(v["auth"], "PLAIN LOGIN CRAM-MD5");
    for mech in ["PLAIN", "LOGIN", "CRAM-MD5"] {
        assert_eq!(v[format!("auth_{mech}")], 235, "{mech}");
    }
    assert_eq!(v["refused"], serde_json::json!([{}, {}, {}]));
    assert_eq!(v["relay"], 554);
    assert!(
        v["greeting"]
            .as_str()
            .unwrap()
            .starts_with("+OK POP3 server facteur.lab ready <")
    );
    assert_eq!(v["stat"][0], 3);
    let msg = v["message"].as_str().unwrap();
    // The Received chain: smtp.wanadoo.fr on top, then smtp.free.fr (ESMTPA).
    let received: Vec<&str> = msg.lines().filter(|l| l.starts_with("Received:")).collect();
    assert_eq!(
        received,
        [
            "Received: from smtp.free.fr (smtp.free.fr [192.0.2.25])",
            "Received: from fred-pc.free.fr (unknown [127.0.0.1])"
        ]
    );
    assert!(msg.contains("\tby smtp.wanadoo.fr (facteur) with ESMTP id "));
    assert!(msg.contains("\tby smtp.free.fr (facteur) with ESMTPA id "));
    assert!(msg.starts_with("Return-Path: <fred@free.fr>"));
    assert!(msg.contains("Subject: Essai PLAIN"));
    assert!(msg.contains("Message-ID: <"));
    assert!(msg.ends_with("Bonjour Marc,\r\n.point"), "{msg}");
    // DELE + QUIT removed exactly message 1; UIDs of the others are unchanged.
    assert_eq!(v["stat_after_dele_quit"][0], 2);
    let before: Vec<String> = v["uidl"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().split(' ').nth(1).unwrap().to_string())
        .collect();
    let after: Vec<String> = v["uidl_after"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(after, before[1..]);
}

#[test]
fn curl_sends_with_auth_and_reads_by_pop3() {
    need("curl");
    let server = Server::start(&[]);
    let mut child = Command::new("curl")
        .args(["-sS", "--url", &format!("smtp://127.0.0.1:{}", server.smtp)])
        .args([
            "--mail-from",
            "fred@free.fr",
            "--mail-rcpt",
            "marc@wanadoo.fr",
        ])
        .args([
            "-u",
            "fred:fredpass",
            "--login-options",
            "AUTH=PLAIN",
            "-T",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"From: fred@free.fr\r\nTo: marc@wanadoo.fr\r\nSubject: curl\r\n\r\nsent by curl\r\n",
        )
        .unwrap();
    succeeded(child.wait_with_output().unwrap());
    let list = Command::new("curl")
        .args([
            "-sS",
            &format!("pop3://127.0.0.1:{}/", server.pop3),
            "-u",
            "marc:marcpass",
        ])
        .output()
        .unwrap();
    assert!(list.status.success());
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.starts_with("1 "), "{list}");
    let retr = Command::new("curl")
        .args([
            "-sS",
            &format!("pop3://127.0.0.1:{}/1", server.pop3),
            "-u",
            "marc@wanadoo.fr:marcpass",
        ])
        .output()
        .unwrap();
    let msg = String::from_utf8(retr.stdout).unwrap();
    assert!(
        msg.contains("by smtp.free.fr (facteur) with ESMTPA"),
        "{msg}"
    );
    assert!(msg.contains("sent by curl"));
    // A wrong password is refused by both.
    let bad = Command::new("curl")
        .args([
            "-sS",
            &format!("pop3://127.0.0.1:{}/", server.pop3),
            "-u",
            "marc:nope",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn hostile_input_gets_a_reply_and_the_session_goes_on() {
    let server = Server::start(&[]);
    let mut c = Raw::connect(server.smtp);
    // A 100 kB line.
    let mut long = vec![b'A'; 100_000];
    long.extend_from_slice(b"\r\n");
    c.send(&long);
    assert!(c.reply().starts_with("500 5.5.2 Line too long"));
    c.cmd("NOOP", "250");
    // NUL bytes and invalid UTF-8.
    c.send(b"EHLO a\0b\r\n");
    assert!(c.reply().starts_with("500 5.5.2"));
    c.send(b"EHLO \xff\xfe\r\n");
    assert!(c.reply().starts_with("500 5.5.2"));
    // Escape sequences come back shown, never raw.
    c.send(b"\x1b[2J\r\n");
    let r = c.reply();
    assert!(r.starts_with("500") && !r.contains('\x1b'), "{r:?}");
    c.cmd("EHLO lab", "250");
    // A DATA that never ends, then the client disappears: nothing delivered.
    c.cmd("MAIL FROM:<x@example.org>", "250");
    c.cmd("RCPT TO:<fred@free.fr>", "250");
    c.cmd("DATA", "354");
    c.send(b"Subject: never ends\r\n\r\nhalf a message\r\n");
    drop(c);
    // The server has seen the client leave (its log line) before we look.
    server.wait_logged("client left", 1);
    let mut p = Raw::pop3(
        server.pop3,
        "fred@free.fr",
        "fredpass",
        "+OK fred@free.fr's maildrop has 0 messages",
    );
    p.cmd("QUIT", "+OK");
}

#[test]
fn pop3_dele_then_disconnect_removes_nothing_and_frees_the_lock() {
    let server = Server::start(&[]);
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO lab", "250");
    c.mail(
        "x@example.org",
        "marc@wanadoo.fr",
        "Subject: keep me\r\n\r\nbody",
        "250",
    );
    c.cmd("QUIT", "221");
    let mut p = Raw::pop3(
        server.pop3,
        "marc",
        "marcpass",
        "+OK marc@wanadoo.fr's maildrop has 1 messages",
    );
    let mut second = Raw::pop3(server.pop3, "marc", "marcpass", "-ERR [IN-USE]");
    p.cmd("DELE 1", "+OK");
    drop(p);
    server.wait_logged("user=marc@wanadoo.fr tls=- client left", 1);
    second.cmd("USER marc", "+OK");
    second.cmd(
        "PASS marcpass",
        "+OK marc@wanadoo.fr's maildrop has 1 messages",
    );
}

#[test]
fn connection_limit_and_idle_timeout() {
    let server = Server::start(&["--max-connections", "2", "--timeout", "1"]);
    let _a = Raw::connect(server.smtp);
    let _b = Raw::connect(server.pop3);
    let mut c = TcpStream::connect(("127.0.0.1", server.smtp)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut s = String::new();
    c.read_to_string(&mut s).unwrap();
    assert!(s.starts_with("421 4.7.0"), "{s}");
    // The idle ones are closed with 421 4.4.2 after the 1 s timeout.
    let mut a = _a;
    assert!(a.line().starts_with("421 4.4.2"));
}

#[test]
fn store_survives_a_kill() {
    let dir = std::env::temp_dir().join(format!("facteur-serve-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.to_string_lossy().to_string();
    {
        let server = Server::start(&["--store", &store]);
        let mut c = Raw::connect(server.smtp);
        c.cmd("EHLO lab", "250");
        c.mail(
            "x@example.org",
            "marc@wanadoo.fr",
            "Subject: persistent\r\n\r\nbody",
            "250",
        );
    } // SIGKILL
    let server = Server::start(&["--store", &store]);
    Raw::pop3(
        server.pop3,
        "marc",
        "marcpass",
        "+OK marc@wanadoo.fr's maildrop has 1 messages",
    );
    // A second server on the same store exits at once, naming the first.
    let second = std::process::Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args([
            "serve",
            "--smtp",
            "127.0.0.1:0",
            "--pop3",
            "127.0.0.1:0",
            "--store",
            &store,
        ])
        .output()
        .unwrap();
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains(&format!("PID {}", server.child.id())), "{err}");
    // The mailbox is a Maildir a real reader can open.
    assert_eq!(
        std::fs::read_dir(dir.join("marc@wanadoo.fr/new"))
            .unwrap()
            .count(),
        1
    );
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tls_starttls_smtps_stls_pop3s() {
    need("python3");
    let cert = std::env::temp_dir().join(format!("facteur-cert-{}.pem", std::process::id()));
    let cert_s = cert.to_string_lossy().to_string();
    let server = Server::start(&[
        "--smtps",
        "127.0.0.1:0",
        "--pop3s",
        "127.0.0.1:0",
        "--cert-out",
        &cert_s,
    ]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/tls.py");
    let out = Command::new("python3")
        .arg(script)
        .args(
            [
                server.smtp,
                server.pop3,
                server.ports["SMTPS facteur.lab"],
                server.ports["POP3S facteur.lab"],
            ]
            .map(|p| p.to_string()),
        )
        .arg(&cert_s)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&succeeded(out)).unwrap();
    assert_eq!(v["starttls_offered"], true);
    assert_eq!(v["starttls"], 220);
    assert_eq!(
        v["starttls_after"], false,
        "STARTTLS is not offered again inside TLS"
    );
    assert_eq!(v["capa_stls"], true);
    assert_eq!(v["stls"], "+OK Begin TLS negotiation");
    assert_eq!(v["count"], 2);
    assert_eq!(v["count_pop3s"], 2);
    let received = v["received"].to_string();
    assert!(
        received.contains("by smtp.free.fr (facteur) with ESMTPSA"),
        "{received}"
    );
    let _ = std::fs::remove_file(cert);
}

#[test]
fn per_host_ports_play_each_host() {
    // Base 0: every host gets a free port, listed on stderr.
    let server = Server::start(&["--host-ports", "0"]);
    let free = server.ports["SMTP smtp.free.fr"];
    let mut c = Raw::connect(free);
    c.cmd("EHLO lab", "250-smtp.free.fr");
    c.cmd("MAIL FROM:<x@example.org>", "250");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "554 5.7.1");
    c.cmd("RSET", "250");
    // smtp.free.fr authenticates free.fr's users only.
    c.cmd("AUTH PLAIN AG1hcmMAbWFyY3Bhc3M=", "535");
    c.cmd("AUTH PLAIN AGZyZWQAZnJlZHBhc3M=", "235");
    c.mail(
        "fred@free.fr",
        "marc@wanadoo.fr",
        "Subject: per host\r\n\r\nx",
        "250",
    );
    let mut p = Raw::connect(server.ports["POP3 pop.free.fr"]);
    p.cmd("USER marc", "+OK");
    p.cmd("PASS marcpass", "-ERR [AUTH]");
    let mut p = Raw::connect(server.ports["POP3 pop.wanadoo.fr"]);
    p.cmd("USER marc", "+OK");
    p.cmd(
        "PASS marcpass",
        "+OK marc@wanadoo.fr's maildrop has 1 messages",
    );
}

/// A handshake that fails on an implicit-TLS port is logged with why, seen
/// from the server: a teacher reads "the client does not trust the lab's
/// certificate" rather than rustls' own words.
#[test]
fn a_failed_tls_handshake_is_logged_with_its_reason() {
    let server = Server::start(&["--smtps", "127.0.0.1:0"]);
    let port = server.ports["SMTPS facteur.lab"];
    // A clear-text command on the TLS port.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"EHLO lab\r\n").unwrap();
    server.wait_logged("TLS handshake failed", 1);
    assert_eq!(
        server.logged("something that is not TLS"),
        1,
        "{:?}",
        server.log
    );
    drop(s);
    // A client that leaves during the handshake (what a client that does
    // not trust the certificate does).
    drop(TcpStream::connect(("127.0.0.1", port)).unwrap());
    server.wait_logged("TLS handshake failed", 2);
    assert_eq!(
        server.logged("closed the connection during the handshake"),
        1,
        "{:?}",
        server.log
    );
}

/// With --store, each message is committed on its own before its reply:
/// two messages pipelined in one write, the second to a mailbox the disk
/// refuses, get 250 and 451 — not 451 and 250 — and a message refused for
/// one of its mailboxes leaves no file in the others (a restart would have
/// delivered a message its client was told was not kept).
#[test]
fn each_message_is_committed_on_its_own_and_a_refused_one_leaves_no_file() {
    let dir = std::env::temp_dir().join(format!("facteur-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.to_string_lossy().to_string();
    let server = Server::start(&["--store", &store]);
    // fred's Maildir cannot be made: a file stands where it would be.
    let fred = dir.join("fred@free.fr");
    let _ = std::fs::remove_dir_all(&fred);
    std::fs::write(&fred, b"not a directory").unwrap();
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO lab", "250");
    c.cmd("MAIL FROM:<x@example.org>", "250");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "250");
    c.cmd("DATA", "354");
    c.send(
        b"Subject: M1\r\n\r\none\r\n.\r\n\
MAIL FROM:<x@example.org>\r\nRCPT TO:<fred@free.fr>\r\nDATA\r\n\
Subject: M2\r\n\r\ntwo\r\n.\r\n",
    );
    let m1 = c.reply();
    assert!(m1.starts_with("250 "), "M1 reached marc's Maildir: {m1}");
    assert!(c.reply().starts_with("250"));
    assert!(c.reply().starts_with("250"));
    assert!(c.reply().starts_with("354"));
    let m2 = c.reply();
    assert!(m2.starts_with("451 4.3.0"), "M2 was not kept: {m2}");
    // One message to marc and fred: refused for fred, so not kept for marc.
    c.cmd("MAIL FROM:<x@example.org>", "250");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "250");
    c.cmd("RCPT TO:<fred@free.fr>", "250");
    c.cmd("DATA", "354");
    c.cmd("Subject: M3\r\n\r\nthree\r\n.", "451");
    c.cmd("QUIT", "221");
    let files: Vec<String> = std::fs::read_dir(dir.join("marc@wanadoo.fr/new"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].contains("Subject: M1"), "{files:?}");
    drop(server);
    // After a restart marc has M1 only.
    let server = Server::start(&["--store", &store]);
    let mut p = Raw::pop3(server.pop3, "marc", "marcpass", "+OK");
    p.cmd("STAT", "+OK 1 ");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}
