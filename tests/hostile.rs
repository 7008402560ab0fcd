//! A lab room is a hostile place: `facteur serve` over real TCP against
//! long lines, odd bytes, smuggling, floods, slow and idle clients, a
//! thousand connections, password guessing and relay tricks. Each case
//! checks the exact reply and that the server still serves others.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod common;
use common::tcp::{Raw, Server};

/// Another client is served normally (the server survived what came before).
fn still_serving(server: &Server) {
    let mut c = Raw::connect(server.smtp);
    c.cmd("NOOP", "250");
    c.cmd("QUIT", "221");
}

use common::tcp::rss_kb;

#[test]
fn long_lines_odd_bytes_and_line_endings() {
    let server = Server::start(&[]);
    let mut c = Raw::connect(server.smtp);
    // RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF.
    let mut ok = b"NOOP ".to_vec();
    ok.resize(510, b'x');
    ok.extend_from_slice(b"\r\n");
    assert_eq!(ok.len(), 512);
    c.send(&ok);
    assert!(c.reply().starts_with("250"), "512 octets is allowed");
    let mut long = b"NOOP ".to_vec();
    long.resize(511, b'x');
    long.extend_from_slice(b"\r\n");
    assert_eq!(long.len(), 513);
    c.send(&long);
    assert!(c.reply().starts_with("500 5.5.2 Line too long"));
    c.cmd("NOOP", "250");
    let before = rss_kb(server.child.id());
    for size in [10_000usize, 10_000_000] {
        let mut big = vec![b'A'; size];
        big.extend_from_slice(b"\r\n");
        c.send(&big);
        assert!(c.reply().starts_with("500 5.5.2 Line too long"), "{size}");
        c.cmd("NOOP", "250");
    }
    // The 10 MB line was never held whole.
    let after = rss_kb(server.child.id());
    assert!(
        after < before + 8 * 1024,
        "RSS grew from {before} kB to {after} kB"
    );
    // NUL, invalid UTF-8: refused with a reason, the session goes on.
    c.send(b"NOOP \0\r\n");
    assert!(c.reply().starts_with("500 5.5.2"));
    c.send(b"NOOP \xc3\x28\r\n");
    assert!(c.reply().starts_with("500 5.5.2"));
    // A bare LF or a bare CR ends a command line (facteur reads what old
    // telnets and netcat send, and its explanation says the ending was not
    // CRLF); so "NOOP<CR>NOOP<CR><LF>" is two commands, two replies.
    c.send(b"NOOP\n");
    assert!(c.reply().starts_with("250"));
    c.send(b"NOOP\rNOOP\r\n");
    assert!(c.reply().starts_with("250 2.0.0 Ok"));
    assert!(c.reply().starts_with("250 2.0.0 Ok"));
    c.send(b"HELO a\rb\r\n");
    assert!(c.reply().starts_with("250 facteur.lab Hello a"));
    assert!(
        c.reply().starts_with("500 5.5.1"),
        "\"b\" alone is no command"
    );
    c.cmd("QUIT", "221");
    still_serving(&server);
}

/// RFC 5321 §4.5.2 and the 2023 SMTP smuggling attacks: only CRLF.CRLF ends a message.
#[test]
fn smuggled_ends_of_data_never_end_the_message() {
    let server = Server::start(&[]);
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO lab", "250");
    c.cmd("MAIL FROM:<x@example.org>", "250");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "250");
    c.cmd("DATA", "354");
    c.send(b"Subject: smuggling\r\n\r\nline one\n.\nMAIL FROM:<evil1@example.org>\r\n");
    c.send(b"line two\r.\nMAIL FROM:<evil2@example.org>\r\n");
    c.send(b"line three\n.\r\nMAIL FROM:<evil3@example.org>\r\n");
    c.send(b"last line\r\n.\r\n");
    let r = c.reply();
    assert!(r.starts_with("250 2.0.0 Ok: queued"), "{r}");
    c.cmd("QUIT", "221");
    let mut p = Raw::pop3(
        server.pop3,
        "marc",
        "marcpass",
        "+OK marc@wanadoo.fr's maildrop has 1 messages",
    );
    p.send(b"RETR 1\r\n");
    let mut body = String::new();
    loop {
        let l = p.line();
        if l == ".\r\n" {
            break;
        }
        body.push_str(&l);
    }
    for evil in ["evil1", "evil2", "evil3", "last line"] {
        assert!(
            body.contains(evil),
            "{evil} is part of the one message:\n{body}"
        );
    }
    p.cmd("QUIT", "+OK");
    still_serving(&server);
}

#[test]
fn a_flood_of_pipelined_commands_too_many_recipients_and_too_big_a_message() {
    let server = Server::start(&["--max-size", "2000"]);
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO lab", "250");
    // 1,000 commands in one write (RFC 2920): 1,000 replies, in order.
    c.send("NOOP\r\n".repeat(1000).as_bytes());
    for i in 0..1000 {
        let r = c.reply();
        assert!(r.starts_with("250"), "reply {i}: {r}");
    }
    // RFC 5321 §4.5.3.1.8: 100 recipients accepted, then 452 4.5.3.
    c.cmd("MAIL FROM:<x@example.org>", "250");
    for _ in 0..100 {
        c.cmd("RCPT TO:<marc@wanadoo.fr>", "250");
    }
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "452 4.5.3");
    c.cmd("RSET", "250");
    // SIZE: announced too big → 552 at once; sent too big → 552 after the data.
    c.cmd("MAIL FROM:<x@example.org> SIZE=5000", "552 5.3.4");
    c.cmd("MAIL FROM:<x@example.org>", "250");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "250");
    c.cmd("DATA", "354");
    let line = "x".repeat(98) + "\r\n";
    c.send(format!("Subject: big\r\n\r\n{}.\r\n", line.repeat(30)).as_bytes());
    let r = c.reply();
    assert!(r.starts_with("552 5.3.4"), "{r}");
    // One text line over 1,000 octets (RFC 5321 §4.5.3.1.6): refused, nothing delivered.
    c.cmd("MAIL FROM:<x@example.org>", "250");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "250");
    c.cmd("DATA", "354");
    c.send(format!("Subject: long\r\n\r\n{}\r\n.\r\n", "y".repeat(1200)).as_bytes());
    let r = c.reply();
    assert!(r.starts_with("500 5.5.2 Line too long"), "{r}");
    c.cmd("QUIT", "221");
    still_serving(&server);
}

#[test]
fn slowloris_and_idle_clients_get_421() {
    let server = Server::start(&["--timeout", "1"]);
    // One byte every 400 ms: each read is within the timeout, the line is not.
    let mut slow = TcpStream::connect(("127.0.0.1", server.smtp)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut greeting = [0u8; 64];
    let _ = slow.read(&mut greeting).unwrap();
    let start = Instant::now();
    let mut closed_with = String::new();
    for b in b"NOOP NOOP NOOP NOOP".iter() {
        if slow.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(400));
        slow.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 256];
        if let Ok(n) = slow.read(&mut buf)
            && n > 0
        {
            closed_with = String::from_utf8_lossy(&buf[..n]).to_string();
            break;
        }
        slow.set_nonblocking(false).unwrap();
    }
    assert!(closed_with.starts_with("421 4.4.2"), "{closed_with:?}");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    // An idle client too.
    let mut idle = Raw::connect(server.smtp);
    assert!(idle.line().starts_with("421 4.4.2"));
    still_serving(&server);
}

#[test]
fn a_thousand_connections_and_the_one_past_the_limit() {
    // All from 127.0.0.1: the per-address cap is lifted to test the global one.
    let server = Server::start(&["--max-connections", "1000", "--max-per-ip", "2000"]);
    let mut conns = Vec::new();
    for i in 0..1000 {
        let s = TcpStream::connect((
            "127.0.0.1",
            if i % 2 == 0 { server.smtp } else { server.pop3 },
        ))
        .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        conns.push(s);
    }
    for (i, s) in conns.iter_mut().enumerate() {
        let mut buf = [0u8; 128];
        let n = s.read(&mut buf).unwrap();
        let g = String::from_utf8_lossy(&buf[..n]);
        assert!(
            g.starts_with("220") || g.starts_with("+OK"),
            "connection {i}: {g}"
        );
    }
    let mut extra = TcpStream::connect(("127.0.0.1", server.smtp)).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut s = String::new();
    let _ = extra.read_to_string(&mut s);
    assert!(s.starts_with("421 4.7.0"), "{s}");
    // The thousand are still served.
    for s in conns.iter_mut().step_by(2).take(50) {
        s.write_all(b"NOOP\r\n").unwrap();
        let mut buf = [0u8; 128];
        let n = s.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(b"250"));
    }
    drop(conns);
    // All 1,000 sessions ended (their log lines) before the check.
    server.wait_logged("client left", 1000);
    still_serving(&server);
}

#[test]
fn guessing_passwords_is_slow_and_bounded_and_others_still_log_in() {
    let server = Server::start(&["--auth-delay", "300"]);
    let mut guesser = Raw::connect(server.smtp);
    guesser.cmd("EHLO lab", "250");
    // base64("\0fred\0guess")
    let mut times = Vec::new();
    for _ in 0..2 {
        let t = Instant::now();
        guesser.cmd("AUTH PLAIN AGZyZWQAZ3Vlc3M=", "535 5.7.8");
        times.push(t.elapsed());
    }
    assert!(times[0] >= Duration::from_millis(300), "{times:?}");
    assert!(times[1] >= Duration::from_millis(600), "{times:?}");
    // Meanwhile the right password works at once for someone else.
    let mut fred = Raw::connect(server.smtp);
    fred.cmd("EHLO lab", "250");
    let t = Instant::now();
    fred.cmd("AUTH PLAIN AGZyZWQAZnJlZHBhc3M=", "235");
    assert!(
        t.elapsed() < Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
    // The third failure closes the session with 421.
    guesser.send(b"AUTH PLAIN AGZyZWQAZ3Vlc3M=\r\n");
    assert!(guesser.reply().starts_with("535"));
    assert!(guesser.reply().starts_with("421 4.7.0"));
    // POP3 too: -ERR [AUTH], slowly.
    let mut p = Raw::connect(server.pop3);
    p.cmd("USER marc", "+OK");
    let t = Instant::now();
    p.cmd("PASS guess", "-ERR [AUTH]");
    assert!(t.elapsed() >= Duration::from_millis(300));
    still_serving(&server);
}

/// RFC 5321 §3.9 and §7.1: a server must not relay for strangers, whatever
/// the envelope pretends.
#[test]
fn relay_attempts_are_all_refused() {
    let server = Server::start(&[]);
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO attacker.example", "250");
    // Without AUTH, to a foreign domain.
    c.cmd("MAIL FROM:<spam@example.com>", "250");
    c.cmd("RCPT TO:<victim@example.net>", "554 5.7.1");
    c.cmd("RSET", "250");
    // Forging a local sender changes nothing.
    c.cmd("MAIL FROM:<fred@free.fr>", "250");
    c.cmd("RCPT TO:<victim@example.net>", "554 5.7.1");
    // The percent hack: a local domain on the right, a foreign one inside.
    let r = c.cmd("RCPT TO:<victim%example.net@free.fr>", "5");
    assert!(r.starts_with("550") || r.starts_with("554"), "{r}");
    // A source route ending at a foreign mailbox.
    let r = c.cmd("RCPT TO:<@free.fr,@wanadoo.fr:victim@example.net>", "5");
    assert!(r.starts_with("554") || r.starts_with("550"), "{r}");
    // A local recipient is accepted (the server is the MX of free.fr).
    c.cmd("RCPT TO:<fred@free.fr>", "250");
    c.cmd("QUIT", "221");
    still_serving(&server);
}

/// RFC 1939 §8: what removes messages and what does not.
#[test]
fn pop3_dele_rset_quit_and_the_lock() {
    let server = Server::start(&[]);
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO lab", "250");
    for i in 1..=3 {
        c.mail(
            "x@example.org",
            "marc@wanadoo.fr",
            &format!("Subject: {i}\r\n\r\nbody {i}"),
            "250",
        );
    }
    c.cmd("QUIT", "221");
    let login = || Raw::pop3(server.pop3, "marc", "marcpass", "+OK");
    let count = |p: &mut Raw| -> String { p.cmd("STAT", "+OK") };
    // DELE then RSET then QUIT: nothing removed.
    let mut p = login();
    p.cmd("DELE 1", "+OK");
    p.cmd("DELE 2", "+OK");
    p.cmd("RSET", "+OK");
    p.cmd("QUIT", "+OK");
    let mut p = login();
    assert!(count(&mut p).starts_with("+OK 3 "));
    // DELE then QUIT: exactly those.
    p.cmd("DELE 2", "+OK");
    p.cmd("QUIT", "+OK");
    let mut p = login();
    assert!(count(&mut p).starts_with("+OK 2 "));
    p.cmd("TOP 1 0", "+OK");
    // The lock, freed however the first session ends.
    let mut second = Raw::pop3(server.pop3, "marc", "marcpass", "-ERR [IN-USE]");
    drop(p);
    server.wait_logged("user=marc@wanadoo.fr tls=- client left", 1);
    second.cmd("USER marc", "+OK");
    second.cmd(
        "PASS marcpass",
        "+OK marc@wanadoo.fr's maildrop has 2 messages",
    );
    still_serving(&server);
}
