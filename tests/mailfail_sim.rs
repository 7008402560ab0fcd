//! When mail does not arrive, in the simulator itself (time advanced
//! explicitly): greylisting, full mailboxes, the MX by preference with a
//! primary down, 421 and cut connections, null MX, the queue's schedule,
//! the delay warning and the final bounce. `tests/mailfail.rs` plays the
//! same over TCP against `facteur serve`.

mod common;

use common::*;
use facteur::sim::mta::{Mta, Role};
use facteur::sim::queue::QueueEvent;
use facteur::sim::smtp_server::SessionInfo;
use facteur::sim::store::Store;
use facteur::sim::world::World;
use serde_json::{Value, json};

/// The course's world with a scenario added to its JSON.
pub fn world_with(change: impl FnOnce(&mut Value)) -> World {
    let mut v = serde_json::to_value(World::default()).unwrap();
    change(&mut v);
    World::from_json(&v.to_string()).unwrap()
}

fn mta_in(world: World) -> Mta {
    let mut m = Mta::new(world, Store::in_memory(), 42);
    m.set_now(NOW);
    m
}

/// Fred sends one message through smtp.free.fr (trusted, as the TUI's PC).
fn fred_sends(mta: &mut Mta, to: &str, subject: &str) -> String {
    fred_sends_body(mta, to, subject, "Bonjour")
}

fn fred_sends_body(mta: &mut Mta, to: &str, subject: &str, body: &str) -> String {
    let info = SessionInfo {
        trusted: true,
        ..fred_info()
    };
    let (mut s, _) = Smtp::new("smtp.free.fr", info);
    s.cmd(mta, "EHLO pc-fred.free.fr", "250");
    s.cmd(mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(mta, &format!("RCPT TO:<{to}>"), "250");
    s.cmd(mta, "DATA", "354");
    let r = s.raw(
        mta,
        format!("Subject: {subject}\r\n\r\n{body}\r\n.\r\n").as_bytes(),
    );
    assert!(r.starts_with("250 2.0.0 Ok: queued as "), "{r}");
    r[23..].trim().to_string()
}

fn texts(mta: &Mta, mailbox: &str) -> Vec<String> {
    mta.store
        .messages(mailbox)
        .iter()
        .map(|m| String::from_utf8_lossy(&m.data.bytes()).to_string())
        .collect()
}

fn greylisting() -> World {
    world_with(|w| w["domains"][1]["greylisting"] = json!({"delay": "5m"}))
}

#[test]
fn greylisting_says_450_then_accepts_the_same_triplet_after_the_delay() {
    let mut mta = mta_in(greylisting());
    let (mut s, _) = Smtp::new("smtp.wanadoo.fr", fred_info());
    s.cmd(&mut mta, "EHLO pc.example", "250");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    let r = s.cmd(
        &mut mta,
        "RCPT TO:<marc@wanadoo.fr>",
        "450 4.7.1 <marc@wanadoo.fr>",
    );
    assert!(r.contains("Greylisted for 300 seconds"), "{r}");
    // Another sender is another triplet; the same one stays refused for 5 minutes.
    mta.advance(299);
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "450 4.7.1");
    mta.advance(1);
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250 2.1.5");
    s.cmd(&mut mta, "RCPT TO:<benja.roux@wanadoo.fr>", "450 4.7.1");
    // Unknown users are refused first, for good.
    s.cmd(&mut mta, "RCPT TO:<nobody@wanadoo.fr>", "550 5.1.1");
}

#[test]
fn a_relayed_message_is_greylisted_queued_and_delivered_at_the_next_attempt() {
    let mut mta = mta_in(greylisting());
    let id = fred_sends(&mut mta, "marc@wanadoo.fr", "grey");
    assert!(texts(&mta, "marc@wanadoo.fr").is_empty());
    assert_eq!(mta.queue.len(), 1);
    let q = mta.mailq().join("\n");
    assert!(q.starts_with("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------"));
    assert!(q.contains(&id), "{q}");
    assert!(
        q.contains("(host smtp.wanadoo.fr[198.51.100.25] said: 450 4.7.1 <marc@wanadoo.fr>: Recipient address rejected: Greylisted for 300 seconds, try again later (RFC 6647) (in reply to RCPT TO command))"),
        "{q}"
    );
    assert!(q.contains(&format!("{:41}marc@wanadoo.fr", "")), "{q}");
    assert!(q.ends_with("-- 1 Kbytes in 1 Request."), "{q}");
    // Postfix's first retry comes after minimal_backoff_time (300 s).
    assert_eq!(mta.queue.next_due(), Some(NOW + 300));
    assert!(mta.advance(299).is_empty());
    let events = mta.advance(1);
    assert_eq!(
        events,
        vec![QueueEvent::Delivered {
            id: id.clone(),
            rcpts: vec!["marc@wanadoo.fr".into()]
        }]
    );
    assert!(mta.queue.is_empty());
    assert_eq!(mta.mailq(), vec!["Mail queue is empty".to_string()]);
    // Two hops, five minutes apart: free.fr took it at NOW, wanadoo at NOW + 300.
    let m = &texts(&mta, "marc@wanadoo.fr")[0];
    let received: Vec<&str> = m
        .match_indices("Received: from")
        .map(|(i, _)| &m[i..])
        .collect();
    assert_eq!(received.len(), 2, "{m}");
    assert!(received[0].contains("by smtp.wanadoo.fr"), "{m}");
    assert!(
        m.contains("for <marc@wanadoo.fr>; Mon, 30 Nov 2026 01:58:20 +0100"),
        "{m}"
    );
    assert!(
        m.contains("for <marc@wanadoo.fr>; Mon, 30 Nov 2026 01:53:20 +0100"),
        "{m}"
    );
}

#[test]
fn the_server_s_own_users_are_not_greylisted() {
    let mut mta = mta_in(greylisting());
    let (mut s, _) = Smtp::with_config(
        facteur::sim::smtp_server::SmtpConfig::new("smtp.wanadoo.fr"),
        Role::Host("smtp.wanadoo.fr".into()),
        SessionInfo {
            authenticated: Some("benja.roux@wanadoo.fr".into()),
            ..fred_info()
        },
    );
    s.cmd(&mut mta, "EHLO pc", "250");
    s.cmd(&mut mta, "MAIL FROM:<benja.roux@wanadoo.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
}

fn quota(tempfail: bool) -> World {
    world_with(|w| {
        w["domains"][1]["quota_tempfail"] = json!(tempfail);
        w["domains"][1]["users"][0]["quota"] = json!(1500);
    })
}

#[test]
fn a_full_mailbox_with_tempfail_keeps_the_message_queued_until_there_is_room() {
    let mut mta = mta_in(quota(true));
    mta.store
        .deliver("marc@wanadoo.fr", vec![b'x'; 1500], NOW)
        .unwrap();
    // Directly: 452 4.2.2, try again later.
    let (mut s, _) = Smtp::new("smtp.wanadoo.fr", fred_info());
    s.cmd(&mut mta, "EHLO pc", "250");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(
        &mut mta,
        "RCPT TO:<marc@wanadoo.fr>",
        "452 4.2.2 <marc@wanadoo.fr>: Mailbox full",
    );
    // Relayed: smtp.free.fr keeps it.
    fred_sends(&mut mta, "marc@wanadoo.fr", "full");
    assert_eq!(mta.queue.len(), 1);
    assert!(mta.mailq().join("\n").contains("452 4.2.2"));
    let events = mta.flush();
    assert!(
        matches!(events.as_slice(), [QueueEvent::Deferred { .. }]),
        "{events:?}"
    );
    // Marc makes room (POP3 DELE + QUIT); the next flush delivers.
    let (mut p, _) = Pop::new(&mut mta, "pop.wanadoo.fr");
    p.cmd(&mut mta, "USER marc", "+OK");
    p.cmd(&mut mta, "PASS marcpass", "+OK");
    p.cmd(&mut mta, "DELE 1", "+OK");
    p.cmd(&mut mta, "QUIT", "+OK");
    let events = mta.flush();
    assert!(
        matches!(events.as_slice(), [QueueEvent::Delivered { .. }]),
        "{events:?}"
    );
    assert!(texts(&mta, "marc@wanadoo.fr")[0].contains("Subject: full"));
}

#[test]
fn a_full_mailbox_without_tempfail_bounces_at_once_with_5_2_2() {
    let mut mta = mta_in(quota(false));
    mta.store
        .deliver("marc@wanadoo.fr", vec![b'x'; 1500], NOW)
        .unwrap();
    fred_sends(&mut mta, "marc@wanadoo.fr", "full");
    assert!(mta.queue.is_empty());
    let bounce = &texts(&mta, "fred@free.fr")[0];
    assert!(
        bounce.contains("Action: failed\r\nStatus: 5.2.2\r\nRemote-MTA: dns; smtp.wanadoo.fr\r\nDiagnostic-Code: smtp; 552 5.2.2"),
        "{bounce}"
    );
    // A message that would cross the quota is taken, then bounced by the MX itself.
    let mut mta = mta_in(quota(false));
    let body = vec!["y".repeat(800); 2].join("\r\n");
    fred_sends_body(&mut mta, "marc@wanadoo.fr", "big", &body);
    let bounce = &texts(&mta, "fred@free.fr")[0];
    assert!(
        bounce.contains("From: MAILER-DAEMON@smtp.wanadoo.fr"),
        "{bounce}"
    );
    assert!(bounce.contains("Status: 5.2.2"), "{bounce}");
}

fn backup_mx(primary: Value) -> World {
    world_with(|w| {
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
fn a_primary_mx_down_sends_the_mail_to_the_backup() {
    for (fault, note) in [
        (json!({"kind": "refused"}), "Connection refused"),
        (json!({"kind": "timeout"}), "Connection timed out"),
        (json!({"kind": "421"}), ""),
    ] {
        let mut mta = mta_in(backup_mx(fault));
        fred_sends(&mut mta, "marc@wanadoo.fr", "backup");
        assert!(mta.queue.is_empty(), "{note}");
        let m = &texts(&mta, "marc@wanadoo.fr")[0];
        assert!(m.contains("by mx2.wanadoo.fr"), "{m}");
        let first = &mta.relay_log[0];
        assert_eq!(first.to_host, "mx1.wanadoo.fr");
        if note.is_empty() {
            assert!(
                String::from_utf8_lossy(&first.lines[0].1).starts_with("421 4.3.2 mx1.wanadoo.fr")
            );
        } else {
            assert_eq!(
                first.note.as_deref(),
                Some(&*format!(
                    "connect to mx1.wanadoo.fr[198.51.100.26]:25: {note}"
                ))
            );
        }
        assert_eq!(mta.relay_log[1].to_host, "mx2.wanadoo.fr");
    }
}

#[test]
fn a_cut_connection_is_retried_and_a_fault_that_ends_lets_the_mail_through() {
    let mut mta = mta_in(world_with(|w| {
        w["faults"] = json!({"smtp.wanadoo.fr": {"kind": "drop", "until": "25m"}});
    }));
    fred_sends(&mut mta, "marc@wanadoo.fr", "cut");
    let q = mta.mailq().join("\n");
    assert!(
        q.contains("(lost connection with smtp.wanadoo.fr[198.51.100.25] while sending end of data -- message may be sent more than once)"),
        "{q}"
    );
    // 300, 600, 1200 s: still down; at 2400 s (the fault ended at 1500) it goes.
    let events = mta.advance(1200);
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(texts(&mta, "marc@wanadoo.fr").is_empty());
    let events = mta.advance(1200);
    assert!(
        matches!(events.as_slice(), [QueueEvent::Delivered { .. }]),
        "{events:?}"
    );
}

#[test]
fn null_mx_is_refused_at_once_with_556() {
    let mut mta = mta_in(world_with(|w| {
        w["dns"] = json!({"site-vitrine.fr": {"mx": ["."]}});
        w["hosts"]["site-vitrine.fr"] = json!("203.0.113.80");
    }));
    let info = SessionInfo {
        trusted: true,
        ..fred_info()
    };
    let (mut s, _) = Smtp::new("smtp.free.fr", info);
    s.cmd(&mut mta, "EHLO pc", "250");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(
        &mut mta,
        "RCPT TO:<contact@site-vitrine.fr>",
        "556 5.1.10 <contact@site-vitrine.fr>: Recipient address rejected: Domain site-vitrine.fr does not accept mail (nullMX)",
    );
}

#[test]
fn the_queue_retries_on_postfix_s_schedule_warns_then_bounces_with_the_last_4xx() {
    let mut mta = mta_in(world_with(|w| {
        w["faults"] = json!({"smtp.wanadoo.fr": {"kind": "421"}});
        w["queue"] = json!({"maximal_queue_lifetime": "5h", "delay_warning_time": "1h"});
    }));
    let id = fred_sends(&mut mta, "marc@wanadoo.fr", "never");
    let mut attempts = vec![];
    let mut warned_at = None;
    let mut bounced_at = None;
    // Each time straight to the next attempt: the events happen there.
    while let Some(due) = mta.queue.next_due() {
        let step = due - mta.now();
        for e in mta.advance(step) {
            match e {
                QueueEvent::Deferred { .. } => attempts.push(mta.now() - NOW),
                QueueEvent::Warned { .. } => warned_at = Some(mta.now() - NOW),
                QueueEvent::Bounced { expired: true, .. } => bounced_at = Some(mta.now() - NOW),
                other => panic!("{other:?}"),
            }
        }
    }
    // Each wait is the message's age, between 300 and 4000 s.
    assert_eq!(attempts, [300, 600, 1200, 2400, 4800, 8800, 12_800, 16_800]);
    assert_eq!(warned_at, Some(4800), "first attempt past 1 h");
    assert_eq!(bounced_at, Some(20_800), "first attempt past 5 h");
    let inbox = texts(&mta, "fred@free.fr");
    assert_eq!(inbox.len(), 2);
    let warning = &inbox[0];
    assert!(
        warning.contains("Subject: Delayed Mail (still being retried)"),
        "{warning}"
    );
    assert!(
        warning.contains("Action: delayed\r\nStatus: 4.3.2"),
        "{warning}"
    );
    assert!(warning.contains("Will-Retry-Until: "), "{warning}");
    let bounce = &inbox[1];
    assert!(bounce.contains("Subject: Undelivered Mail Returned to Sender"));
    assert!(
        bounce.contains("Action: failed\r\nStatus: 4.3.2\r\nRemote-MTA: dns; smtp.wanadoo.fr\r\nDiagnostic-Code: smtp; 421 4.3.2 smtp.wanadoo.fr Service not available"),
        "{bounce}"
    );
    assert!(bounce.contains(&format!("Message-ID: <{id}.")), "{bounce}");
    assert!(mta.queue.is_empty());
}

#[test]
fn dig_answers_from_the_world() {
    let mut mta = mta_in(backup_mx(json!({"kind": "refused"})));
    let d = mta.dig("wanadoo.fr", facteur::sim::dns::QType::Mx);
    let text = d.lines(7).join("\n");
    assert!(
        text.contains("wanadoo.fr.             3600  IN MX   10 mx1.wanadoo.fr."),
        "{text}"
    );
    assert!(
        text.contains("wanadoo.fr.             3600  IN MX   20 mx2.wanadoo.fr."),
        "{text}"
    );
    assert!(
        text.contains("mx1.wanadoo.fr.         3600  IN A    198.51.100.26"),
        "{text}"
    );
    assert_eq!(mta.dns_log.back().unwrap().name, "wanadoo.fr");
}

#[test]
fn queued_messages_count_against_the_memory_cap() {
    let mut mta = mta_in(world_with(|w| {
        w["faults"] = json!({"smtp.wanadoo.fr": {"kind": "refused"}});
    }));
    fred_sends(&mut mta, "marc@wanadoo.fr", "waits");
    let held = mta.queue.bytes();
    assert!(held > 100, "{held}");
    mta.limits.total = mta.store.total_bytes() + held + 50;
    let info = SessionInfo {
        trusted: true,
        ..fred_info()
    };
    let (mut s, _) = Smtp::new("smtp.free.fr", info);
    s.cmd(&mut mta, "EHLO pc", "250");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    let r = s.raw(
        &mut mta,
        b"Subject: two\r\n\r\nmore than fifty octets of text here\r\n.\r\n",
    );
    assert!(r.starts_with("452 4.3.1"), "{r}");
}
