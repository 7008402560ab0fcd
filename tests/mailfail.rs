//! When mail does not arrive, end to end over TCP against `facteur serve
//! --world` with a scenario world: greylisting, a full mailbox (452 and
//! 552), a primary MX down and the backup taking the mail, 421 and a cut
//! connection, null MX, and the queue's retry schedule under the simulated
//! clock (moved by the teacher's console, `wait`), its delay warning and
//! the final bounce; and the unknown user's bounce (5.1.1).

mod common;

use common::tcp::{Raw, Server};
use facteur::sim::world::World;
use serde_json::{Value, json};

const FRED: &str = "AUTH PLAIN AGZyZWQAZnJlZHBhc3M="; // \0fred\0fredpass

/// The course's world with a scenario, written to a file for `--world`.
struct WorldFile(std::path::PathBuf);

impl WorldFile {
    fn new(name: &str, change: impl FnOnce(&mut Value)) -> WorldFile {
        let mut v = serde_json::to_value(World::default()).unwrap();
        change(&mut v);
        // The file must be a valid world: the server would refuse it.
        World::from_json(&v.to_string()).unwrap();
        let path = std::env::temp_dir().join(format!(
            "facteur-mailfail-{name}-{}.json",
            std::process::id()
        ));
        std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
        WorldFile(path)
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for WorldFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Fred, authenticated on the front port (it is then smtp.free.fr),
/// sends one message; the reply to its final dot.
fn fred_sends(server: &Server, to: &str, subject: &str) -> String {
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO pc-fred.free.fr", "250");
    c.cmd(FRED, "235");
    let r = c.mail(
        "fred@free.fr",
        to,
        &format!("Subject: {subject}\r\n\r\nBonjour"),
        "250 2.0.0 Ok: queued as",
    );
    c.cmd("QUIT", "221");
    r
}

/// Every message of a mailbox, read over POP3 (RETR), left in place.
fn read_all(server: &Server, user: &str, password: &str) -> Vec<String> {
    let mut p = Raw::pop3(server.pop3, user, password, "+OK");
    let stat = p.cmd("STAT", "+OK");
    let n: usize = stat.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut out = Vec::new();
    for i in 1..=n {
        p.send(format!("RETR {i}\r\n").as_bytes());
        let mut m = String::new();
        loop {
            let l = p.line();
            if l == ".\r\n" {
                break;
            }
            m.push_str(&l);
        }
        out.push(m);
    }
    p.cmd("QUIT", "+OK");
    out
}

/// The Unix time of each Received line's date, newest hop first.
fn received_times(message: &str) -> Vec<i64> {
    let unfolded = message.replace("\r\n\t", " ");
    unfolded
        .lines()
        .filter(|l| l.starts_with("Received:"))
        .map(|l| {
            let date = l.rsplit(';').next().unwrap().trim();
            facteur::proto::date::read(date).unwrap().unix
        })
        .collect()
}

#[test]
fn greylisting_450_then_accepted_after_the_delay_and_the_queue_retries_in_time() {
    let world = WorldFile::new("grey", |w| {
        w["domains"][1]["greylisting"] = json!({"delay": "5m"});
    });
    let mut server = Server::start_console(&["--world", world.arg()]);
    // A stranger talks to wanadoo.fr's MX itself: 450, and 450 again at once.
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO pc.example", "250");
    c.cmd("MAIL FROM:<fred@free.fr>", "250");
    let r = c.cmd("RCPT TO:<marc@wanadoo.fr>", "450 4.7.1 <marc@wanadoo.fr>");
    assert!(r.contains("Greylisted"), "{r}");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "450 4.7.1");
    server.console("wait 5m", "5m");
    c.cmd("RCPT TO:<marc@wanadoo.fr>", "250 2.1.5");
    c.cmd("DATA", "354");
    c.cmd("Subject: direct\r\n\r\nhi\r\n.", "250");
    c.cmd("QUIT", "221");
    // Fred's ISP relays to benja: the MX greylists it, smtp.free.fr queues it.
    fred_sends(&server, "benja.roux@wanadoo.fr", "relayed");
    let q = server.console("mailq", "Request");
    assert!(q.contains("450 4.7.1 <benja.roux@wanadoo.fr>"), "{q}");
    assert!(q.contains("(in reply to RCPT TO command)"), "{q}");
    assert!(read_all(&server, "benja.roux", "benjapass").is_empty());
    server.console("wait 4m", "4m");
    assert!(server.console("mailq", "Request").contains("benja.roux"));
    server.console("wait 1m", "1m");
    server.log_until("sent to benja.roux@wanadoo.fr");
    assert!(
        server
            .console("mailq", "empty")
            .contains("Mail queue is empty")
    );
    let m = &read_all(&server, "benja.roux", "benjapass")[0];
    // The hops' times: smtp.free.fr at the submission, the MX five minutes later.
    let t = received_times(m);
    assert_eq!(t.len(), 2, "{m}");
    assert!((300..=302).contains(&(t[0] - t[1])), "{t:?}\n{m}");
}

#[test]
fn a_full_mailbox_452_queues_until_room_is_made_and_552_bounces() {
    let world = WorldFile::new("full", |w| {
        w["domains"][1]["quota_tempfail"] = json!(true);
        w["domains"][1]["users"][0]["quota"] = json!(2000);
        w["domains"][2]["users"][0]["quota"] = json!(100);
    });
    let mut server = Server::start_console(&["--world", world.arg()]);
    // Fill marc's mailbox to exactly its quota: a first message tells what
    // the MTA adds (Return-Path, Received, Date, Message-ID), a second one
    // takes the rest.
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO pc.example", "250");
    let first = "Subject: a\r\n\r\nhello";
    c.mail("someone@example.org", "marc@wanadoo.fr", first, "250");
    let mut p = Raw::pop3(server.pop3, "marc", "marcpass", "+OK");
    let list = p.cmd("LIST 1", "+OK");
    p.cmd("QUIT", "+OK");
    let stored: usize = list.split_whitespace().nth(2).unwrap().parse().unwrap();
    let added = stored - (first.len() + 2);
    let rest = 2000 - stored - added - "Subject: b\r\n\r\n".len() - 2;
    c.mail(
        "someone@example.org",
        "marc@wanadoo.fr",
        &format!("Subject: b\r\n\r\n{}", pad(rest)),
        "250",
    );
    c.cmd("MAIL FROM:<someone@example.org>", "250");
    c.cmd(
        "RCPT TO:<marc@wanadoo.fr>",
        "452 4.2.2 <marc@wanadoo.fr>: Mailbox full",
    );
    c.cmd("QUIT", "221");
    fred_sends(&server, "marc@wanadoo.fr", "patience");
    assert!(server.console("mailq", "Request").contains("452 4.2.2"));
    server.console("flush", "flush");
    server.log_until("deferred (host smtp.wanadoo.fr[198.51.100.25] said: 452 4.2.2");
    assert_eq!(read_all(&server, "marc", "marcpass").len(), 2);
    // Marc makes room.
    let mut p = Raw::pop3(server.pop3, "marc", "marcpass", "+OK");
    p.cmd("DELE 1", "+OK");
    p.cmd("DELE 2", "+OK");
    p.cmd("QUIT", "+OK");
    server.console("flush", "flush");
    server.log_until("sent to marc@wanadoo.fr");
    let inbox = read_all(&server, "marc", "marcpass");
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].contains("Subject: patience"), "{inbox:?}");
    // hotmail.com has no tempfail: 552 5.2.2, returned to fred at once.
    fred_sends(&server, "skyrunner63@hotmail.com", "too big for you");
    let bounce = &read_all(&server, "fred", "fredpass")[0];
    assert!(
        bounce.contains("Action: failed\r\nStatus: 5.2.2"),
        "{bounce}"
    );
    assert!(
        bounce.contains("Diagnostic-Code: smtp; 552 5.2.2"),
        "{bounce}"
    );
}

/// Exactly `n` octets of text in lines of at most 78.
fn pad(n: usize) -> String {
    let mut s = String::new();
    let mut left = n;
    while left > 80 {
        s.push_str(&"x".repeat(76));
        s.push_str("\r\n");
        left -= 78;
    }
    s.push_str(&"x".repeat(left));
    s
}

fn backup_world(name: &str, primary: Value) -> WorldFile {
    WorldFile::new(name, |w| {
        w["domains"][1]["mx"] = json!([
            {"preference": 10, "host": "mx1.wanadoo.fr"},
            {"preference": 20, "host": "mx2.wanadoo.fr"}
        ]);
        w["hosts"]["mx1.wanadoo.fr"] = json!("198.51.100.26");
        w["hosts"]["mx2.wanadoo.fr"] = json!("198.51.100.27");
        w["faults"] = json!({ "mx1.wanadoo.fr": primary });
    })
}

#[test]
fn the_primary_mx_down_or_421_and_the_backup_takes_the_mail() {
    for (name, fault) in [
        ("refused", json!({"kind": "refused"})),
        ("timeout", json!({"kind": "timeout"})),
        ("421", json!({"kind": "421"})),
    ] {
        let world = backup_world(name, fault);
        let server = Server::start(&["--world", world.arg(), "--host-ports", "0"]);
        fred_sends(&server, "marc@wanadoo.fr", name);
        let m = &read_all(&server, "marc", "marcpass")[0];
        assert!(m.contains("by mx2.wanadoo.fr (facteur)"), "{name}: {m}");
        assert!(!m.contains("by mx1.wanadoo.fr"), "{name}: {m}");
        if name == "421" {
            // On its own port the primary greets with 421 and closes.
            let port = server.ports["SMTP mx1.wanadoo.fr"];
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut all = String::new();
            std::io::Read::read_to_string(&mut s, &mut all).unwrap();
            assert!(
                all.starts_with("421 4.3.2 mx1.wanadoo.fr Service not available"),
                "{all}"
            );
        }
        if name == "refused" {
            // Nothing answers on the primary's port: closed without a word.
            let port = server.ports["SMTP mx1.wanadoo.fr"];
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut all = String::new();
            let _ = std::io::Read::read_to_string(&mut s, &mut all);
            assert_eq!(all, "");
        }
    }
}

#[test]
fn null_mx_is_refused_at_once_and_an_unknown_user_bounces_with_5_1_1() {
    let world = WorldFile::new("nullmx", |w| {
        w["dns"] = json!({"site-vitrine.fr": {"mx": ["."]}});
    });
    let server = Server::start(&["--world", world.arg()]);
    let mut c = Raw::connect(server.smtp);
    c.cmd("EHLO pc-fred.free.fr", "250");
    c.cmd(FRED, "235");
    c.cmd("MAIL FROM:<fred@free.fr>", "250");
    c.cmd(
        "RCPT TO:<contact@site-vitrine.fr>",
        "556 5.1.10 <contact@site-vitrine.fr>: Recipient address rejected: Domain site-vitrine.fr does not accept mail (nullMX)",
    );
    c.cmd("RSET", "250");
    c.mail(
        "fred@free.fr",
        "inconnu@wanadoo.fr",
        "Subject: perdu\r\n\r\nhello",
        "250",
    );
    c.cmd("QUIT", "221");
    let bounce = &read_all(&server, "fred", "fredpass")[0];
    assert!(
        bounce.contains(
            "Final-Recipient: rfc822; inconnu@wanadoo.fr\r\nAction: failed\r\nStatus: 5.1.1"
        ),
        "{bounce}"
    );
    assert!(
        bounce.contains("Diagnostic-Code: smtp; 550 5.1.1"),
        "{bounce}"
    );
}

#[test]
fn the_queue_retries_on_schedule_warns_and_bounces_with_the_last_4xx() {
    let world = WorldFile::new("expire", |w| {
        w["faults"] = json!({"smtp.wanadoo.fr": {"kind": "drop", "at": "RCPT"}});
        w["queue"] = json!({"maximal_queue_lifetime": "5h", "delay_warning_time": "1h"});
    });
    let mut server = Server::start_console(&["--world", world.arg()]);
    fred_sends(&server, "marc@wanadoo.fr", "jamais");
    let q = server.console("mailq", "Request");
    assert!(
        q.contains("(lost connection with smtp.wanadoo.fr[198.51.100.25] while sending RCPT TO)"),
        "{q}"
    );
    server.console("wait 6h", "6h");
    let log = server.log_until("maximal_queue_lifetime reached");
    let waits: Vec<&str> = log
        .iter()
        .filter_map(|l| l.split("next attempt in ").nth(1))
        .map(|rest| rest.split(' ').next().unwrap())
        .collect();
    // Postfix's backoff: the message's age, from 300 s up to 4000 s.
    assert_eq!(
        waits,
        [
            "5m", "10m", "20m", "40m", "4000s", "4000s", "4000s", "4000s"
        ],
        "{log:#?}"
    );
    assert!(log.iter().any(|l| l.contains("warning sent")), "{log:#?}");
    let inbox = read_all(&server, "fred", "fredpass");
    assert_eq!(inbox.len(), 2, "{inbox:?}");
    assert!(
        inbox[0].contains("Action: delayed\r\nStatus: 4.4.2"),
        "{}",
        inbox[0]
    );
    assert!(inbox[0].contains("Will-Retry-Until:"), "{}", inbox[0]);
    assert!(
        inbox[1].contains("Action: failed\r\nStatus: 4.4.2"),
        "{}",
        inbox[1]
    );
    assert!(
        inbox[1].contains("Diagnostic-Code: X-Postfix; lost connection with smtp.wanadoo.fr[198.51.100.25] while sending RCPT TO"),
        "{}",
        inbox[1]
    );
    assert!(
        server
            .console("mailq", "empty")
            .contains("Mail queue is empty")
    );
}

/// The queue id in a `mailq` listing (the first word of its second line).
fn queue_ids(mailq: &str) -> Vec<String> {
    mailq
        .lines()
        .skip(1)
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_hexdigit()))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn with_a_store_the_queue_survives_a_crash_and_its_schedule_goes_on() {
    // RFC 5321 §6.1: a message acknowledged with 250 is not lost because
    // the server crashed. smtp.wanadoo.fr refuses connections for the
    // world's first 30 minutes; the server is killed (SIGKILL) with the
    // message in its queue.
    let world = WorldFile::new("crash", |w| {
        w["faults"] = json!({"smtp.wanadoo.fr": {"kind": "refused", "until": "30m"}});
    });
    let dir = std::env::temp_dir().join(format!("facteur-queue-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.to_string_lossy().to_string();
    let args = ["--world", world.arg(), "--store", &store];
    let mut server = Server::start_console(&args);
    let r = fred_sends(&server, "marc@wanadoo.fr", "survivant");
    let id = r.trim_end().rsplit(' ').next().unwrap().to_string();
    let before = server.console("mailq", "Request");
    assert_eq!(queue_ids(&before), std::slice::from_ref(&id), "{before}");
    assert!(before.contains("Connection refused"), "{before}");
    // The queue's two files are on disk before the 250 was said.
    let folder = dir.join(".queue");
    assert!(folder.join(format!("{id}.eml")).is_file());
    assert!(folder.join(format!("{id}.json")).is_file());
    drop(server);

    let mut server = Server::start_console(&args);
    server.log_until("1 message(s) taken back");
    let after = server.console("mailq", "Request");
    assert_eq!(
        after, before,
        "the same queue, the same reason, the same times"
    );
    assert!(read_all(&server, "marc", "marcpass").is_empty());
    // The restarted world's host is refused for 30 minutes again: the
    // retries go on on the same schedule (the message's age: 5, 10, 20,
    // 40 minutes), then it is delivered and leaves the disk queue.
    server.console("wait 2h", "2h");
    let log = server.log_until(&format!("{id} sent to marc@wanadoo.fr"));
    let deferred = log
        .iter()
        .filter(|l| l.contains(&format!("{id} deferred")))
        .count();
    assert!(deferred >= 1, "{log:#?}");
    let inbox = read_all(&server, "marc", "marcpass");
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert!(inbox[0].contains("Subject: survivant"), "{}", inbox[0]);
    assert!(
        server
            .console("mailq", "empty")
            .contains("Mail queue is empty")
    );
    let left: Vec<_> = std::fs::read_dir(&folder).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");
    drop(server);

    // Started once more: nothing is delivered twice.
    let server = Server::start_console(&args);
    assert_eq!(read_all(&server, "marc", "marcpass").len(), 1);
    assert_eq!(server.logged("taken back"), 0);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
