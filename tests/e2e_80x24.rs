//! The student's path at 80×24 in French (issue 14), the release binary in
//! tmux, typed into as a person would: lesson 07 completed from what its
//! introduction shows; lesson 09 with the Received hops brought into view
//! from the keyboard; `facteur connect` to a POP3 port without --proto.

mod common;

use common::tmux::{Tmux, bin as binary};

#[test]
fn lesson_07_from_its_introduction_alone() {
    let t = Tmux::start("l07", 80, 24, &format!("{} --lang fr lesson 7", binary()));
    // The introduction shows the account: nothing else is needed.
    let s = t.wait_for("marc / marcpass");
    assert!(s.contains("Introduction") && s.contains("Étape 1/"), "{s}");
    for l in ["USER marc", "PASS marcpass"] {
        t.line(l);
    }
    t.wait_for("TRANSACTION");
    for l in ["STAT", "LIST", "RETR 1", "QUIT"] {
        t.line_taken(l);
    }
    let s = t.wait_for("Leçon terminée");
    assert!(!s.contains("⟦"), "{s}");
}

#[test]
fn lesson_09_hops_brought_into_view_from_the_keyboard() {
    let t = Tmux::start("l09", 80, 24, &format!("{} --lang fr lesson 09", binary()));
    t.wait_for("220 smtp.free.fr");
    for l in [
        "EHLO pc-fred.free.fr",
        "MAIL FROM:<fred@free.fr>",
        "RCPT TO:<marc@wanadoo.fr>",
        "DATA",
        "Subject: itinéraire",
        "",
        "Bonjour",
        ".",
        "QUIT",
        "/open pop.wanadoo.fr",
        "USER marc",
        "PASS marcpass",
    ] {
        t.line_taken(l);
    }
    t.wait_for("TRANSACTION");
    t.line("RETR 1");
    t.wait_for("S: .");
    // F9 pages the explanation until the first hop shows.
    for _ in 0..20 {
        if t.capture().contains("Saut 1") {
            break;
        }
        let before = t.capture();
        t.key("F9");
        t.wait_until("F9 paged", |s| s != before || s.contains("Saut 1"));
    }
    let s = t.wait_for("Saut 1");
    assert!(s.contains("Explication"), "{s}");
}

#[test]
fn connect_reads_the_protocol_from_the_greeting() {
    let server = common::tcp::Server::start(&[]);
    let t = Tmux::start(
        "connect",
        80,
        24,
        &format!("{} --lang fr connect 127.0.0.1:{}", binary(), server.pop3),
    );
    let s = t.wait_for("+OK");
    let s = if s.contains("AUTHORIZATION") {
        s
    } else {
        t.wait_for("AUTHORIZATION")
    };
    assert!(s.contains("POP3"), "{s}");
    t.line("USER marc");
    t.wait_for("send PASS");
}
