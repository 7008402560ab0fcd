//! The simulated SMTP server, rule by rule, as dialogues.

mod common;

use common::*;
use facteur::proto::message::{Header, field_value};
use facteur::proto::sasl::plain::PlainCredentials;
use facteur::proto::sasl::{cram_md5, decode_base64};
use facteur::sim::mta::{Direction, Role};
use facteur::sim::smtp_server::{SessionInfo, SmtpConfig};

const FRED_PLAIN: &str = "AGZyZWQAZnJlZHBhc3M="; // \0fred\0fredpass

fn fred() -> (facteur::sim::mta::Mta, Smtp) {
    let mut mta = mta();
    let (mut s, greeting) = Smtp::new("smtp.free.fr", fred_info());
    assert_eq!(greeting, "220 smtp.free.fr ESMTP facteur\r\n");
    s.cmd(
        &mut mta,
        "EHLO fred-pc.free.fr",
        "250-smtp.free.fr Hello fred-pc.free.fr",
    );
    (mta, s)
}

#[test]
fn ehlo_advertises_the_extensions() {
    let mut mta = mta();
    let (mut s, _) = Smtp::new("smtp.free.fr", fred_info());
    let r = s.cmd(&mut mta, "EHLO lab", "250-");
    for kw in [
        "250-PIPELINING",
        "250-SIZE 10485760",
        "250-8BITMIME",
        "250-ENHANCEDSTATUSCODES",
        "250-AUTH PLAIN LOGIN CRAM-MD5",
        "250 HELP",
    ] {
        assert!(r.contains(kw), "{kw} missing:\n{r}");
    }
    assert_eq!(
        s.cmd(&mut mta, "HELO lab", "250 "),
        "250 smtp.free.fr Hello lab\r\n"
    );
}

#[test]
fn the_seed_route_fred_to_marc_with_two_received_lines() {
    let (mut mta, mut s) = fred();
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "235 2.7.0");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250 2.1.0");
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250 2.1.5");
    s.cmd(&mut mta, "DATA", "354 End data with <CR><LF>.<CR><LF>");
    let r = s.raw(&mut mta, b"From: Fred <fred@free.fr>\r\nTo: Marc <marc@wanadoo.fr>\r\nSubject: Salut\r\n\r\nBonjour Marc !\r\n..point\r\n.\r\n");
    assert!(r.starts_with("250 2.0.0 Ok: queued as "), "{r}");
    s.cmd(&mut mta, "QUIT", "221 2.0.0");
    assert!(s.closed);

    let box_ = mta.store.messages("marc@wanadoo.fr");
    assert_eq!(box_.len(), 1);
    let msg_bytes = box_[0].data.bytes();
    let msg = msg_bytes.as_slice();
    let text = String::from_utf8_lossy(msg);
    assert!(text.starts_with("Return-Path: <fred@free.fr>\r\nReceived: from smtp.free.fr (smtp.free.fr [192.0.2.25])\r\n\tby smtp.wanadoo.fr (facteur) with ESMTP id "), "{text}");
    let h = Header::parse(msg);
    let received: Vec<String> = h.all("Received").map(|f| field_value(msg, f)).collect();
    assert_eq!(received.len(), 2);
    assert!(
        received[1].starts_with(
            "from fred-pc.free.fr (unknown [192.0.2.77])\tby smtp.free.fr (facteur) with ESMTPA id "
        ),
        "{}",
        received[1]
    );
    assert!(
        received[1].contains("for <marc@wanadoo.fr>; Mon, 30 Nov 2026 "),
        "{}",
        received[1]
    );
    assert!(received[1].ends_with("+0100"));
    // The first MTA added Message-ID and Date; dot-stuffing was undone.
    assert!(h.has("Message-ID") && h.has("Date"));
    assert!(text.ends_with("Bonjour Marc !\r\n.point\r\n"));
    // The relay dialogue between the two MTAs was recorded.
    let rec = mta.relay_log.back().unwrap();
    assert_eq!(
        (rec.from_host.as_str(), rec.to_host.as_str()),
        ("smtp.free.fr", "smtp.wanadoo.fr")
    );
    let client: Vec<String> = rec
        .lines
        .iter()
        .filter(|(d, _)| *d == Direction::ClientToServer)
        .map(|(_, l)| String::from_utf8_lossy(l).to_string())
        .collect();
    assert_eq!(
        &client[..4],
        [
            "EHLO smtp.free.fr",
            "MAIL FROM:<fred@free.fr>",
            "RCPT TO:<marc@wanadoo.fr>",
            "DATA"
        ]
    );
    assert_eq!(client.last().unwrap(), "QUIT");
    assert!(
        rec.lines
            .iter()
            .any(|(d, l)| *d == Direction::ServerToClient
                && l.starts_with(b"250 2.0.0 Ok: queued as"))
    );
}

#[test]
fn sequence_errors_say_what_was_expected() {
    let mut mta = mta();
    let (mut s, _) = Smtp::new("smtp.free.fr", fred_info());
    assert!(
        s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "503 5.5.1")
            .contains("HELO/EHLO first")
    );
    s.cmd(&mut mta, "EHLO lab", "250");
    assert!(
        s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "503 5.5.1")
            .contains("need MAIL")
    );
    assert!(s.cmd(&mut mta, "DATA", "503 5.5.1").contains("need MAIL"));
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    // A second MAIL is refused (Mailpit once answered 250).
    assert!(
        s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "503 5.5.1")
            .contains("nested MAIL")
    );
    assert!(
        s.cmd(&mut mta, "DATA", "554 5.5.1")
            .contains("no valid recipients")
    );
    s.cmd(&mut mta, "RSET", "250 2.0.0");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "HELO again", "250");
    // HELO reset the transaction.
    s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "503");
}

#[test]
fn syntax_unknown_and_long_lines() {
    let (mut mta, mut s) = fred();
    assert!(
        s.cmd(&mut mta, "MAIL FROM <fred@free.fr>", "501 5.5.4")
            .contains("MAIL FROM:<reverse-path>")
    );
    s.cmd(&mut mta, "BONJOUR", "500 5.5.1");
    s.cmd(&mut mta, "", "500 5.5.2");
    let long = format!("NOOP {}", "x".repeat(600));
    assert!(
        s.cmd(&mut mta, &long, "500 5.5.2")
            .contains("Line too long")
    );
    s.cmd(&mut mta, "NOOP", "250 2.0.0");
    s.cmd(&mut mta, "RSET now", "501");
    s.cmd(&mut mta, "mail from: fred@free.fr", "250");
}

#[test]
fn recipients_unknown_users_relay_and_limits() {
    let (mut mta, mut s) = fred();
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    assert!(
        s.cmd(&mut mta, "RCPT TO:<nobody@free.fr>", "550 5.1.1")
            .contains("User unknown")
    );
    // No open relay: a stranger cannot send to another domain through smtp.free.fr.
    assert!(
        s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "554 5.7.1")
            .contains("Relay access denied")
    );
    s.cmd(&mut mta, "RCPT TO:<skyrunner63@hotmail.com>", "554 5.7.1");
    s.cmd(&mut mta, "RCPT TO:<marc%wanadoo.fr@free.fr>", "550 5.7.1");
    s.cmd(&mut mta, "RCPT TO:<@free.fr:marc@wanadoo.fr>", "554 5.7.1");
    s.cmd(&mut mta, "RCPT TO:<Postmaster>", "250");
    s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "250");
    for _ in 0..98 {
        s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "250");
    }
    s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "452 4.5.3");
}

#[test]
fn size_limits() {
    let mut mta = mta();
    let mut cfg = SmtpConfig::new("smtp.free.fr");
    cfg.max_size = 100;
    let (mut s, _) = Smtp::with_config(cfg, Role::Host("smtp.free.fr".into()), fred_info());
    s.cmd(&mut mta, "EHLO lab", "250");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr> SIZE=5000", "552 5.3.4");
    s.cmd(
        &mut mta,
        "MAIL FROM:<fred@free.fr> SIZE=50 BODY=8BITMIME",
        "250",
    );
    s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    let body = format!("Subject: big\r\n\r\n{}\r\n.\r\n", "y".repeat(300));
    let r = s.raw(&mut mta, body.as_bytes());
    assert!(r.starts_with("552 5.3.4"), "{r}");
    assert!(mta.store.messages("fred@free.fr").is_empty());
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr> FOO=1", "555 5.5.4");
}

#[test]
fn smuggling_never_ends_the_data() {
    let (mut mta, mut s) = fred();
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    let r = s.raw(
        &mut mta,
        b"Subject: x\r\n\r\nhello\n.\nMAIL FROM:<evil@x.org>\r\nRCPT TO:<fred@free.fr>\r\n",
    );
    assert_eq!(r, "", "the bare-LF dot must not end the data");
    let r = s.raw(&mut mta, b"\r\n.\r\n");
    assert!(r.starts_with("250 2.0.0"));
    let m = mta.store.messages("fred@free.fr");
    assert_eq!(m.len(), 1);
    assert!(String::from_utf8_lossy(&m[0].data.bytes()).contains("MAIL FROM:<evil@x.org>"));
}

#[test]
fn vrfy_expn_help_noop() {
    let (mut mta, mut s) = fred();
    assert_eq!(
        s.cmd(&mut mta, "VRFY fred", "250 2.1.5"),
        "250 2.1.5 Fred <fred@free.fr>\r\n"
    );
    s.cmd(&mut mta, "VRFY nobody", "550 5.1.1");
    s.cmd(&mut mta, "VRFY marc@wanadoo.fr", "252");
    let r = s.cmd(&mut mta, "EXPN bts-snir", "250-2.1.5 <fred@free.fr>");
    assert!(r.ends_with("250 2.1.5 <benja.roux@wanadoo.fr>\r\n"), "{r}");
    s.cmd(&mut mta, "EXPN fred", "550");
    assert!(s.cmd(&mut mta, "HELP", "214-2.0.0").contains("RCPT"));
    assert!(
        s.cmd(
            &mut mta,
            "HELP mail",
            "214-2.0.0 Syntax: MAIL FROM:<reverse-path>"
        )
        .contains("RFC 5321")
    );
    s.cmd(&mut mta, "HELP FOO", "504");
    s.cmd(&mut mta, "NOOP", "250");
}

#[test]
fn auth_plain_login_cram_and_their_errors() {
    let (mut mta, mut s) = fred();
    s.cmd(&mut mta, "AUTH PLAIN", "334 \r\n");
    s.cmd(&mut mta, "*", "501 5.7.0");
    s.cmd(&mut mta, "AUTH PLAIN", "334");
    s.cmd(&mut mta, "not-base64!", "501 5.5.2");
    s.cmd(&mut mta, "AUTH LOGIN", "334 VXNlcm5hbWU6");
    s.cmd(&mut mta, "ZnJlZA==", "334 UGFzc3dvcmQ6");
    s.cmd(&mut mta, "d3Jvbmc=", "535 5.7.8");
    s.cmd(&mut mta, "AUTH GSSAPI", "504 5.5.4");
    s.cmd(&mut mta, "AUTH CRAM-MD5 abc", "501");
    let r = s.cmd(&mut mta, "AUTH CRAM-MD5", "334 ");
    let challenge = decode_base64(r.trim_start_matches("334 ").trim()).unwrap();
    assert!(String::from_utf8_lossy(&challenge).ends_with("@smtp.free.fr>"));
    let response = cram_md5::encode_response("fred", &challenge, b"fredpass");
    s.cmd(&mut mta, &response, "235 2.7.0");
    // AUTH twice → 503.
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "503 5.5.1");
    // Authenticated: relaying is allowed now.
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<skyrunner63@hotmail.com>", "250");
    // AUTH is not permitted inside a transaction.
    s.cmd(&mut mta, "AUTH LOGIN", "503");
}

#[test]
fn auth_requires_ehlo_and_too_many_failures_close() {
    let mut mta = mta();
    let (mut s, _) = Smtp::new("smtp.free.fr", fred_info());
    s.cmd(&mut mta, "HELO lab", "250");
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "503 5.5.1");
    s.cmd(&mut mta, "EHLO lab", "250");
    let bad = PlainCredentials::new("", "fred", "nope").encode().unwrap();
    s.cmd(&mut mta, &format!("AUTH PLAIN {bad}"), "535 5.7.8");
    s.cmd(&mut mta, &format!("AUTH PLAIN {bad}"), "535 5.7.8");
    let r = s.cmd(&mut mta, &format!("AUTH PLAIN {bad}"), "535 5.7.8");
    assert!(r.contains("421 4.7.0"), "{r}");
    assert!(s.closed);
}

#[test]
fn bounce_after_acceptance_reaches_the_sender() {
    let (mut mta, mut s) = fred();
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "235");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    // smtp.free.fr cannot know wanadoo's users: it accepts, then the MX refuses.
    s.cmd(&mut mta, "RCPT TO:<nobody@wanadoo.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<someone@no-such-domain.example>", "250");
    s.cmd(&mut mta, "DATA", "354");
    s.raw(&mut mta, b"Subject: lost\r\n\r\nhello\r\n.\r\n");
    let inbox = mta.store.messages("fred@free.fr");
    assert_eq!(inbox.len(), 1, "one bounce for both failures");
    let b = String::from_utf8_lossy(&inbox[0].data.bytes()).to_string();
    assert!(b.starts_with("Return-Path: <>\r\n"), "{b}");
    assert!(b.contains("Content-Type: multipart/report; report-type=delivery-status"));
    assert!(
        b.contains("Final-Recipient: rfc822; nobody@wanadoo.fr\r\nAction: failed\r\nStatus: 5.1.1")
    );
    assert!(b.contains("Remote-MTA: dns; smtp.wanadoo.fr"));
    assert!(b.contains(
        "Final-Recipient: rfc822; someone@no-such-domain.example\r\nAction: failed\r\nStatus: 5.1.2"
    ));
    assert!(b.contains("Subject: lost"));
}

#[test]
fn lists_fan_out_across_domains() {
    let (mut mta, mut s) = fred();
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<bts-snir@free.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    s.raw(&mut mta, b"Subject: classe\r\n\r\nhi\r\n.\r\n");
    assert_eq!(mta.store.messages("fred@free.fr").len(), 1);
    assert_eq!(mta.store.messages("marc@wanadoo.fr").len(), 1);
    assert_eq!(mta.store.messages("benja.roux@wanadoo.fr").len(), 1);
}

#[test]
fn starttls_resets_the_session_and_drops_pipelined_commands() {
    let mut mta = mta();
    let mut cfg = SmtpConfig::new("smtp.free.fr");
    cfg.starttls = true;
    let (mut s, _) = Smtp::with_config(cfg, Role::Host("smtp.free.fr".into()), fred_info());
    let r = s.cmd(&mut mta, "EHLO lab", "250");
    assert!(r.contains("STARTTLS"));
    s.cmd(&mut mta, "STARTTLS now", "501");
    // The injected MAIL after STARTTLS in the same packet must be ignored.
    let r = s.raw(&mut mta, b"STARTTLS\r\nMAIL FROM:<x@y.org>\r\n");
    assert_eq!(r, "220 2.0.0 Ready to start TLS\r\n");
    assert!(s.starttls);
    s.session.tls_established();
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "503");
    let r = s.cmd(&mut mta, "EHLO lab", "250");
    assert!(!r.contains("STARTTLS"));
    s.cmd(&mut mta, "STARTTLS", "503");
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "235");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    s.raw(&mut mta, b"Subject: tls\r\n\r\nx\r\n.\r\n");
    let m =
        String::from_utf8_lossy(&mta.store.messages("marc@wanadoo.fr")[0].data.bytes()).to_string();
    assert!(m.contains("by smtp.free.fr (facteur) with ESMTPSA"), "{m}");
}

#[test]
fn the_front_port_is_every_mx_for_strangers() {
    let mut mta = mta();
    let (mut s, _) = Smtp::with_config(
        SmtpConfig::new("facteur.lab"),
        Role::Front,
        SessionInfo::default(),
    );
    s.cmd(&mut mta, "EHLO lab", "250");
    s.cmd(&mut mta, "MAIL FROM:<someone@example.org>", "250");
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<x@example.org>", "554 5.7.1");
    s.cmd(&mut mta, "DATA", "354");
    s.raw(&mut mta, b"Subject: direct\r\n\r\nx\r\n.\r\n");
    let m =
        String::from_utf8_lossy(&mta.store.messages("marc@wanadoo.fr")[0].data.bytes()).to_string();
    assert_eq!(m.matches("Received:").count(), 1);
    assert!(m.contains("by smtp.wanadoo.fr"));
    let f =
        String::from_utf8_lossy(&mta.store.messages("fred@free.fr")[0].data.bytes()).to_string();
    assert!(f.contains("by smtp.free.fr"));
}

#[test]
fn data_that_never_ends_delivers_nothing() {
    let (mut mta, mut s) = fred();
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<fred@free.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    s.raw(&mut mta, b"Subject: half\r\n\r\nno end");
    s.session.connection_lost();
    assert!(mta.store.messages("fred@free.fr").is_empty());
}

/// A message to a list of 30 members is held once in memory, the relay log
/// keeps the start of a big message and its size, not its text.
#[test]
fn amplification_is_bounded_shared_bodies_and_a_summarised_relay_log() {
    let (mut mta, mut s) = fred();
    mta.world.add_students(30);
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "235 2.7.0");
    let big = format!(
        "Subject: gros\r\n\r\n{}\r\n.\r\n",
        vec!["y".repeat(998); 2000].join("\r\n")
    );
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<classe@free.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    assert!(s.raw(&mut mta, big.as_bytes()).starts_with("250"));
    let members = (1..=30)
        .filter(|i| {
            !mta.store
                .messages(&format!("eleve{i:02}@free.fr"))
                .is_empty()
        })
        .count();
    assert_eq!(members, 30);
    let held = mta.store.total_bytes();
    assert!(
        held < 3 * big.len(),
        "{held} octets held for a {} octet message",
        big.len()
    );
    // Relayed to wanadoo.fr: the log summarises the text.
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    assert!(s.raw(&mut mta, big.as_bytes()).starts_with("250"));
    let rec = mta.relay_log.back().unwrap();
    let logged: usize = rec.lines.iter().map(|(_, l)| l.len()).sum();
    assert!(logged < 32 * 1024, "{logged} octets logged");
    assert!(
        rec.lines
            .iter()
            .any(|(_, l)| l.starts_with(b"[\xe2\x80\xa6 ") && l.ends_with(b" lines \xe2\x80\xa6]")),
        "no summary line"
    );
}

/// A mailbox has a quota: the delivery that crosses it bounces with 5.2.2,
/// and once it is full RCPT says 552 5.2.2 (RFC 3463 §3.3).
#[test]
fn a_full_mailbox_bounces_then_refuses() {
    let (mut mta, mut s) = fred();
    mta.limits.quota = 3000;
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "235 2.7.0");
    let msg = format!(
        "Subject: x\r\n\r\n{}\r\n.\r\n",
        vec!["z".repeat(750); 2].join("\r\n")
    );
    for _ in 0..2 {
        s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
        s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
        s.cmd(&mut mta, "DATA", "354");
        let r = s.raw(&mut mta, msg.as_bytes());
        assert!(r.starts_with("250"), "{r}");
    }
    // The second crossed the quota: it bounced to fred with Status 5.2.2.
    assert_eq!(mta.store.messages("marc@wanadoo.fr").len(), 1);
    let bounce = mta
        .store
        .messages("fred@free.fr")
        .iter()
        .map(|m| String::from_utf8_lossy(&m.data.bytes()).to_string())
        .find(|t| t.contains("Status: 5.2.2"))
        .expect("a bounce with Status: 5.2.2");
    assert!(bounce.contains("Mailbox full"), "{bounce}");
    // Now marc's mailbox is refused at once, directly on his MX.
    mta.limits.quota = 1000;
    let (mut w, _) = common::Smtp::new("smtp.wanadoo.fr", Default::default());
    w.cmd(&mut mta, "EHLO x.example", "250");
    w.cmd(&mut mta, "MAIL FROM:<someone@example.org>", "250");
    w.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "552 5.2.2");
}

/// Past the memory cap, 452 4.3.1 Insufficient system storage.
#[test]
fn the_memory_cap_says_insufficient_storage() {
    let (mut mta, mut s) = fred();
    mta.limits.total = 2000;
    s.cmd(&mut mta, &format!("AUTH PLAIN {FRED_PLAIN}"), "235 2.7.0");
    s.cmd(&mut mta, "MAIL FROM:<fred@free.fr>", "250");
    s.cmd(&mut mta, "RCPT TO:<marc@wanadoo.fr>", "250");
    s.cmd(&mut mta, "DATA", "354");
    let msg = format!(
        "Subject: x\r\n\r\n{}\r\n.\r\n",
        vec!["z".repeat(750); 4].join("\r\n")
    );
    let r = s.raw(&mut mta, msg.as_bytes());
    assert!(r.starts_with("452 4.3.1"), "{r}");
    assert!(mta.store.messages("marc@wanadoo.fr").is_empty());
}
