//! The explanation engine: table tests for every reply code, enhanced code,
//! EHLO keyword and header field the course needs; the handout's dialogues
//! as golden files in both languages; every prefix of a typed command; a
//! Received chain across time zones.

use facteur::explain::Lang;
use facteur::explain::annotation::Severity;
use facteur::explain::catalog::text;
use facteur::explain::command::{explain_smtp_input, header_annotation};
use facteur::explain::dialogue::{Side, explain_smtp_dialogue, render_dialogue};
use facteur::explain::message::explain_message;
use facteur::explain::reply::{
    Answering, code_annotation, enhanced_annotations, explain_reply, keyword_annotation,
};
use facteur::explain::state::SmtpState;
use facteur::proto::smtp::reply::{Code, EnhancedCode, ReplyEvent, ReplyReader};

const LANGS: [Lang; 2] = [Lang::Fr, Lang::En];

#[test]
fn every_reply_code_of_the_rfcs_is_explained_with_its_class() {
    // RFC 5321 §4.2.2-4.2.3, RFC 4954 §6, RFC 3207 §4, RFC 1870 §6.
    let codes = [
        211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451, 452, 454, 455, 500,
        501, 502, 503, 504, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555,
    ];
    for lang in LANGS {
        for c in codes {
            let a = code_annotation(lang, Code::new(c).unwrap(), 0..3);
            let class = text(lang, &format!("reply.d1.{}", c / 100));
            assert!(a.body.starts_with(&class), "{c}: {}", a.body);
            assert!(
                a.body.contains(&text(lang, &format!("reply.code.{c}"))),
                "{c} has no own meaning"
            );
            assert!(!a.body.contains('⟦'), "{c}: {}", a.body);
            assert!(a.rfc.is_some());
            let expected = if c < 400 {
                Severity::Info
            } else {
                Severity::Mistake
            };
            assert_eq!(a.severity, expected, "{c}");
        }
    }
}

#[test]
fn enhanced_codes_class_subject_detail() {
    let registered = [
        "2.0.0", "2.1.5", "2.7.0", "4.2.2", "4.3.1", "4.4.2", "4.5.3", "4.7.0", "5.1.1", "5.1.2",
        "5.1.3", "5.2.2", "5.3.4", "5.4.6", "5.5.1", "5.5.2", "5.5.4", "5.5.6", "5.6.0", "5.7.0",
        "5.7.1", "5.7.8", "5.7.9", "5.7.11",
    ];
    for lang in LANGS {
        for code in registered {
            let e = EnhancedCode::parse(code).unwrap();
            let reply = Code::new(u16::from(e.class) * 100).unwrap();
            let notes = enhanced_annotations(lang, e, reply, 4..9);
            assert_eq!(notes.len(), 1, "{code}");
            let body = &notes[0].body;
            assert!(body.starts_with(&text(lang, &format!("esc.class.{}", e.class))));
            assert!(body.contains(&text(lang, &format!("esc.subject.{}", e.subject))));
            assert!(
                !body.contains(
                    &text(lang, "esc.detail.unknown").replace("{0}", &e.detail.to_string())
                ),
                "{code} not registered: {body}"
            );
        }
    }
    // A class that disagrees with the reply is pointed out.
    let e = EnhancedCode::parse("2.0.0").unwrap();
    let notes = enhanced_annotations(Lang::En, e, Code::new(550).unwrap(), 4..9);
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1].severity, Severity::Hint);
}

#[test]
fn every_ehlo_keyword() {
    for lang in LANGS {
        for kw in [
            "PIPELINING",
            "SIZE 10485760",
            "8BITMIME",
            "AUTH PLAIN LOGIN CRAM-MD5",
            "AUTH=PLAIN LOGIN",
            "STARTTLS",
            "ENHANCEDSTATUSCODES",
            "DSN",
            "SMTPUTF8",
            "CHUNKING",
            "HELP",
            "X-EXPS GSSAPI",
        ] {
            let a = keyword_annotation(lang, kw, false);
            assert_ne!(a.body, text(lang, "ehlo.UNKNOWN"), "{kw}");
            assert!(!a.body.contains('⟦'));
        }
        assert!(
            keyword_annotation(lang, "SIZE 10485760", false)
                .body
                .contains("10")
        );
        assert_eq!(
            keyword_annotation(lang, "AUTH PLAIN LOGIN", false).severity,
            Severity::Hint
        );
        assert_eq!(
            keyword_annotation(lang, "AUTH PLAIN LOGIN", true).severity,
            Severity::Info
        );
    }
}

#[test]
fn every_header_field_the_handout_lists() {
    for lang in LANGS {
        for name in [
            "Received",
            "Message-ID",
            "Message-id",
            "From",
            "To",
            "Subject",
            "Date",
            "MIME-Version",
            "Content-Type",
            "Content-type",
            "Cc",
            "Bcc",
            "Reply-To",
            "Return-Path",
            "Content-Transfer-Encoding",
            "Content-Disposition",
        ] {
            let a = header_annotation(lang, name, 0..name.len());
            assert_ne!(a.body, text(lang, "hdr.unknown"), "{name}");
            assert_ne!(a.body, text(lang, "hdr.x"), "{name}");
        }
        // Thunderbird's own fields (the handout shows them) are explained;
        // a really unknown X- field is said to be one.
        let mozilla = header_annotation(lang, "X-Mozilla-Status", 0..1).body;
        assert_ne!(mozilla, text(lang, "hdr.x"));
        assert!(mozilla.contains("0001"), "{mozilla}");
        let unknown = header_annotation(lang, "X-Frobnicate", 0..1).body;
        assert!(unknown.contains("X-Frobnicate"), "{unknown}");
        assert!(unknown.contains("X-"), "{unknown}");
    }
}

fn golden(name: &str, got: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        want == got,
        "{} differs (UPDATE_GOLDEN=1 rewrites it after review):\n{got}",
        path.display()
    );
}

/// A shipped transcript (transcripts/) as (side, line) pairs: the handout's
/// dialogues live there once, for replay, lessons and these golden files.
fn shipped(name: &str) -> Vec<(Side, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("transcripts")
        .join(name);
    let t = facteur::session::transcript::Transcript::from_json(
        &std::fs::read_to_string(&path).unwrap(),
    )
    .unwrap();
    t.events
        .iter()
        .map(|e| {
            let side = match e.dir {
                facteur::session::transcript::Dir::Client => Side::Client,
                _ => Side::Server,
            };
            (side, String::from_utf8_lossy(&e.bytes()).to_string())
        })
        .collect()
}

fn borrowed(v: &[(Side, String)]) -> Vec<(Side, &str)> {
    v.iter().map(|(s, l)| (*s, l.as_str())).collect()
}

#[test]
fn the_handouts_dialogues_as_golden_files() {
    // The handout's telnet session (III.3; it leaves out the "." that ends
    // the message, typed here) and its three AUTH examples (III.1).
    let telnet = shipped("seed-telnet-wanadoo.json");
    let plain = shipped("seed-auth-plain.json");
    let login = shipped("seed-auth-login.json");
    let cram = shipped("seed-auth-cram-md5.json");
    for lang in LANGS {
        for (name, lines) in [
            ("seed-telnet", &telnet),
            ("seed-auth-plain", &plain),
            ("seed-auth-login", &login),
            ("seed-auth-cram-md5", &cram),
        ] {
            let explained = explain_smtp_dialogue(lang, &borrowed(lines), None);
            let text = render_dialogue(&explained);
            assert!(!text.contains('⟦'), "{name}: missing catalog key\n{text}");
            golden(&format!("{name}.{lang}.txt"), &text);
        }
    }
    // What the golden files must say, whatever their wording.
    let e = explain_smtp_dialogue(Lang::En, &borrowed(&telnet), None);
    let missing_blank = &e[18];
    assert_eq!(missing_blank.line, "Test SMTP");
    assert!(
        missing_blank
            .notes
            .iter()
            .any(|n| n.severity == Severity::Mistake),
        "the missing blank line is flagged"
    );
    let login = explain_smtp_dialogue(Lang::En, &borrowed(&login), None);
    assert_eq!(login[7].line, "adlxdkej");
    assert!(
        login[7]
            .notes
            .iter()
            .any(|n| n.body.contains("does not encode typed text") && n.body.contains("D9")),
        "{:?}",
        login[7].notes
    );
    assert!(
        login[9]
            .notes
            .iter()
            .any(|n| n.severity == Severity::Mistake)
    );
    let plain = explain_smtp_dialogue(Lang::En, &borrowed(&plain), None);
    assert!(
        plain[7]
            .notes
            .iter()
            .any(|n| n.body.contains("password \"1/34\""))
    );
}

#[test]
fn every_prefix_of_a_typed_command_gets_a_sensible_note() {
    let mut state = SmtpState::new();
    let mut replies = ReplyReader::new();
    let greet = |state: &mut SmtpState, replies: &mut ReplyReader, wire: &[u8]| {
        for ev in replies.feed(wire) {
            if let ReplyEvent::Reply(r) = ev {
                state.server_reply(&r);
            }
        }
    };
    greet(&mut state, &mut replies, b"220 smtp.free.fr ESMTP\r\n");
    state.client_line(b"EHLO lab");
    greet(
        &mut state,
        &mut replies,
        b"250-smtp.free.fr\r\n250 PIPELINING\r\n",
    );
    let full = "MAIL FROM:<fred@free.fr>";
    for end in 0..=full.len() {
        let prefix = &full[..end];
        for lang in LANGS {
            let notes = explain_smtp_input(lang, prefix, &state, None);
            assert!(!notes.is_empty(), "{prefix:?}");
            assert!(notes.iter().all(|n| !n.body.contains('⟦')), "{prefix:?}");
            assert!(
                notes.iter().all(|n| n.span.end <= prefix.len().max(1)),
                "{prefix:?}"
            );
        }
        let notes = explain_smtp_input(Lang::En, prefix, &state, None);
        if end >= 1 {
            assert!(
                notes
                    .iter()
                    .any(|n| n.body.contains("MAIL FROM:<reverse-path>")),
                "{prefix:?}: {notes:?}"
            );
        }
        if end == full.len() {
            assert!(
                notes.iter().all(|n| n.severity == Severity::Info),
                "{notes:?}"
            );
        }
        if (5..full.len()).contains(&end) {
            assert!(
                notes.iter().any(|n| n.severity == Severity::Mistake),
                "{prefix:?} is not a complete command yet"
            );
        }
    }
    // RCPT before MAIL, and QUIT typed inside DATA.
    let notes = explain_smtp_input(Lang::En, "RCPT TO:<marc@wanadoo.fr>", &state, None);
    assert!(notes.iter().any(|n| n.body.contains("RCPT before MAIL")));
}

#[test]
fn replies_in_context() {
    let mut r = ReplyReader::new();
    let Some(ReplyEvent::Reply(reply)) = r
        .feed(b"454 4.7.0 TLS not available due to temporary reason\r\n")
        .pop()
    else {
        panic!()
    };
    let notes = explain_reply(Lang::En, &reply, Answering::Verb("STARTTLS"), false);
    let ctx = notes.iter().find(|n| n.title == "STARTTLS → 454").unwrap();
    assert_eq!(ctx.severity, Severity::Danger);
    assert!(ctx.body.contains("Do not send AUTH PLAIN"));
}

#[test]
fn a_received_chain_across_time_zones() {
    let msg = b"Received: from d (d [192.0.2.4]) by e with ESMTPS id 4; Mon, 9 Jul 2012 01:30:00 -0500\r\n\
Received: from c (c [192.0.2.3]) by d with ESMTP id 3; Mon, 9 Jul 2012 06:29:30 +0000\r\n\
Received: from b (b [192.0.2.2]) by c with ESMTP id 2; Mon, 9 Jul 2012 11:59:00 +0530\r\n\
Received: from a (a [192.0.2.1]) by b with ESMTPA id 1; Mon, 9 Jul 2012 08:28:00 +0200\r\n\
Date: Mon, 9 Jul 2012 08:27:50 +0200\r\nSubject: four hops\r\n\r\nbody\r\n";
    let r = explain_message(Lang::En, msg);
    let delays: Vec<i64> = r.hops.iter().map(|h| h.delay.unwrap()).collect();
    // 06:27:50Z → 06:28:00Z → 06:29:00Z → 06:29:30Z → 06:30:00Z
    assert_eq!(delays, [10, 60, 30, 30]);
    assert_eq!(r.total, Some(130));
    let by: Vec<&str> = r.hops.iter().map(|h| h.by.as_str()).collect();
    assert_eq!(by, ["b", "c", "d", "e"]);
    assert_eq!(r.hops[0].with.as_deref(), Some("ESMTPA"));
    let r = explain_message(Lang::En, b"Received: from a (a [192.0.2.1]) by b via UUCP with ESMTPS id 7; Mon, 9 Jul 2012 08:28:00 +0200\r\n\r\nx\r\n");
    assert_eq!(r.hops[0].via.as_deref(), Some("UUCP"));
}

#[test]
fn the_handouts_message() {
    let raw = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed-message.eml"
    ))
    .unwrap();
    let r = explain_message(Lang::Fr, &raw);
    assert!(r.blank_line);
    assert_eq!(r.hops.len(), 2);
    assert_eq!(r.hops[0].by, "smtp1-g21.free.fr");
    assert_eq!(r.hops[1].by, "saigon.ac-creteil.fr");
    assert_eq!(r.total, Some(7));
    let types: Vec<&str> = r.mime.iter().map(|m| m.content_type.as_str()).collect();
    assert_eq!(types, ["multipart/mixed", "text/plain", "text/x-vcard"]);
    assert_eq!(r.mime[2].filename.as_deref(), Some("bmaheux.vcf"));
    assert_eq!(r.mime[2].disposition.as_deref(), Some("attachment"));
    assert_eq!(r.mime[1].charset.as_deref(), Some("ISO-8859-1"));
    let x = r.fields.iter().filter(|f| f.name.starts_with("X-")).count();
    assert_eq!(x, 13);
    assert!(r.fields.iter().all(|f| !f.note.body.contains('⟦')));
}

#[test]
fn rfc_2047_words_are_decoded() {
    let r = explain_message(
        Lang::En,
        b"Subject: =?UTF-8?B?w4l0w6kgw6AgUGFyaXM=?=\r\n\r\nx\r\n",
    );
    assert_eq!(r.fields[0].decoded.as_deref(), Some("Été à Paris"));
}

#[test]
fn pop3_session_state_codes_and_listings() {
    use facteur::explain::pop3::{Pop3State, explain_pop3_input};
    let mut s = Pop3State::new();
    let greet = s.server_line(
        Lang::En,
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
    );
    assert!(greet.iter().any(|n| n.body.contains("APOP")));
    let before = explain_pop3_input(Lang::En, "STAT", &s);
    assert!(
        before.iter().any(|n| n.severity == Severity::Mistake),
        "STAT before login"
    );
    assert!(
        explain_pop3_input(Lang::Fr, "PASS x", &s)
            .iter()
            .any(|n| n.body.contains("PASS sans USER"))
    );
    s.client_line(b"USER marc");
    s.server_line(Lang::En, "+OK");
    s.client_line(b"PASS marcpass");
    s.server_line(Lang::En, "+OK marc's maildrop has 2 messages (320 octets)");
    assert!(s.transaction);
    s.client_line(b"STAT");
    let stat = s.server_line(Lang::En, "+OK 2 320");
    assert!(
        stat.iter()
            .any(|n| n.body == "2 message(s), 320 octets in all."),
        "{stat:?}"
    );
    s.client_line(b"LIST");
    s.server_line(Lang::En, "+OK 2 messages");
    let scan = s.server_line(Lang::En, "1 120");
    assert!(
        scan.iter().any(|n| n.body == "Message 1: 120 octets."),
        "{scan:?}"
    );
    s.server_line(Lang::En, "2 200");
    let end = s.server_line(Lang::En, ".");
    assert!(end[0].body.contains("end of the multi-line"));
    s.client_line(b"DELE 1");
    s.server_line(Lang::En, "+OK message 1 deleted");
    let quit = explain_pop3_input(Lang::En, "QUIT", &s);
    assert!(
        quit.iter()
            .any(|n| n.body.contains("QUIT will remove for good 1 message")),
        "{quit:?}"
    );
    assert!(
        explain_pop3_input(Lang::En, "DELE 1", &s)
            .iter()
            .any(|n| n.body.contains("already deleted"))
    );
    assert!(s.describe(Lang::Fr).body.contains("TRANSACTION"));
    assert!(s.valid_next().contains(&facteur::proto::pop3::Verb::Retr));
    assert!(!s.valid_next().contains(&facteur::proto::pop3::Verb::User));
    // AUTH PLAIN with a continuation (RFC 5034): the base64 line is decoded, not taken for a command.
    let mut a = Pop3State::new();
    a.server_line(Lang::En, "+OK hi");
    a.client_line(b"AUTH PLAIN");
    a.server_line(Lang::En, "+ ");
    let notes = explain_pop3_input(Lang::En, "AG1hcmMAbWFyY3Bhc3M=", &a);
    assert!(
        notes
            .iter()
            .any(|n| n.body.contains("password \"marcpass\"")),
        "{notes:?}"
    );
    a.client_line(b"AG1hcmMAbWFyY3Bhc3M=");
    a.server_line(Lang::En, "+OK logged in");
    assert!(a.transaction);
    let mut fresh = Pop3State::new();
    fresh.server_line(Lang::En, "+OK hi");
    let locked = fresh.server_line(Lang::Fr, "-ERR [IN-USE] maildrop already locked");
    assert!(
        locked
            .iter()
            .any(|n| n.title == "[IN-USE]" && n.body.contains("verrou")),
        "{locked:?}"
    );
}

/// One reply line, read as a client reads it.
fn reply_of(wire: &[u8]) -> facteur::proto::smtp::reply::Reply {
    let mut r = ReplyReader::new();
    match r.feed(wire).pop() {
        Some(ReplyEvent::Reply(reply)) => reply,
        other => panic!("{other:?}"),
    }
}

/// Enhanced codes real servers get wrong: a class that is not the reply's
/// (RFC 3463 §2), a subject RFC 3463 does not define, extra spaces.
#[test]
fn enhanced_codes_of_another_class_an_unknown_subject_and_extra_spaces() {
    let all = |wire: &[u8], lang| -> String {
        explain_reply(lang, &reply_of(wire), Answering::Unknown, false)
            .iter()
            .map(|n| format!("{}\n{}\n", n.title, n.body))
            .collect()
    };
    // 550 with a 4.x.x code: the code is explained, and the disagreement.
    let fr = all(b"550 4.2.2 Mailbox full\r\n", Lang::Fr);
    assert!(fr.contains("Code étendu 4.2.2"), "{fr}");
    assert!(
        fr.contains(
            "Le code étendu commence par 4 alors que la réponse commence par 5\u{a0}: ils devraient concorder. Le code de base fait foi\u{a0}: un client comme Postfix lit alors la réponse avec 5.0.0 comme code étendu."
        ),
        "{fr}"
    );
    let en = all(b"451 5.7.1 Please try again later\r\n", Lang::En);
    assert!(
        en.contains("a client such as Postfix then reads the reply with 4.0.0"),
        "{en}"
    );
    // Subject 9: unknown, said so (not a catalog key on screen).
    for lang in LANGS {
        let s = all(b"550 5.9.1 Strange\r\n", lang);
        assert!(!s.contains('⟦'), "{s}");
    }
    assert!(
        all(b"550 5.9.1 Strange\r\n", Lang::Fr)
            .contains("Catégorie 9\u{a0}: inconnue — la RFC 3463 n'en définit que 0 à 7")
    );
    assert!(all(b"450 4.10.1 x\r\n", Lang::En).contains("Subject (category) 10: unknown"));
    // Two spaces before the code: still the enhanced code (Postfix skips them).
    let reply = reply_of(b"550  5.1.1 <x@example.org>: Recipient address rejected\r\n");
    assert_eq!(reply.enhanced(), EnhancedCode::parse("5.1.1"));
}

/// A text rule written for refusals also fits a 4xx reply: the explanation
/// says what 4xx does (the sending server keeps the message and retries),
/// and the 4.7.1 note does not say "nothing to fix" when the text names a
/// cause.
#[test]
fn a_policy_refusal_in_4xx_is_explained_as_temporary() {
    let all = |wire: &[u8]| -> String {
        explain_reply(Lang::Fr, &reply_of(wire), Answering::Verb("RCPT"), false)
            .iter()
            .map(|n| format!("{}\n{}\n", n.title, n.body))
            .collect()
    };
    for wire in [
        &b"450 4.7.1 Service refused due to bad behavior - Too many spam messages SFR_IN_101\r\n"[..],
        b"450 4.7.1 Client host rejected: blocked using zen.spamhaus.org\r\n",
        b"452 4.7.1 virus found in the message\r\n",
    ] {
        let s = all(wire);
        assert!(
            s.contains("avec 4xx, le serveur d'envoi") || s.contains("avec 4xx le serveur d'envoi"),
            "{s}"
        );
        assert!(!s.contains("Le message revient à l'expéditeur"), "{s}");
    }
    let s =
        all(b"450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.9]\r\n");
    assert!(
        s.contains("quand le texte nomme une autre cause (nom inverse introuvable"),
        "{s}"
    );
}

/// POP3 status lines alone (`facteur explain`), as Dovecot and RFC 1939
/// write them: a count and a word is not a UIDL answer, a farewell is not
/// a greeting.
#[test]
fn pop3_status_lines_alone_are_read_for_what_they_are() {
    use facteur::explain::line::explain_line;
    let titles = |line: &str| -> Vec<String> {
        explain_line(Lang::En, line)
            .iter()
            .map(|a| format!("{}: {}", a.title, a.body))
            .collect()
    };
    let has = |line: &str, title: &str| titles(line).iter().any(|t| t.starts_with(title));
    // Dovecot's LIST and RETR openings (pop3-commands.c).
    assert!(
        !has("+OK 2 messages:", "UIDL"),
        "{:?}",
        titles("+OK 2 messages:")
    );
    assert!(has("+OK 2 messages:", "LIST"));
    assert!(
        !has("+OK 1337 octets", "UIDL"),
        "{:?}",
        titles("+OK 1337 octets")
    );
    // A farewell (RFC 1939 §6's example, Dovecot's) is not a greeting, and
    // no LIST either.
    for bye in [
        "+OK dewey POP3 server signing off (maildrop empty)",
        "+OK Logging out, messages deleted.",
    ] {
        let t = titles(bye);
        assert!(
            !t.iter().any(|t| t.contains("POP3 server greeting")),
            "{t:?}"
        );
        assert!(!t.iter().any(|t| t.starts_with("LIST")), "{t:?}");
        assert!(t.iter().any(|t| t.contains("UPDATE")), "{t:?}");
    }
    // RFC 1939's answer to PASS is not the start of a LIST.
    let t = titles("+OK maildrop has 2 messages (320 octets)");
    assert!(!t.iter().any(|t| t.starts_with("LIST")), "{t:?}");
    // What stays: the single-message UIDL answer (RFC 1939 §7's example)
    // and the STAT/LIST form.
    assert!(has("+OK 2 QhdPYR:00WBw1Ph7x7", "UIDL"));
    assert!(has("+OK 2 200", "STAT / LIST"));
    // A greeting without timestamp does not speak of one as if it were there.
    let t = titles("+OK Dovecot ready.");
    assert!(!t.iter().any(|t| t.contains("The <…@…> is")), "{t:?}");
}

/// Received-SPF names the domain whose record decided (RFC 7208 §2.6), not
/// the client's address: Gmail's form with only client-ip=, and the
/// envelope-from= / helo= forms.
#[test]
fn received_spf_names_the_domain_not_the_address() {
    let msg = b"Received-SPF: pass (google.com: domain of alice@example.org designates 209.85.221.52 as permitted sender) client-ip=209.85.221.52;\r\n\
Received-SPF: softfail (mx.example.net: domain of transitioning bob@spam.test does not designate 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=\"bob@spam.test\"; helo=spam.test;\r\n\
Received-SPF: none (no SPF record) client-ip=192.0.2.2; helo=pc.lan;\r\n\
From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n";
    let report = explain_message(Lang::Fr, msg);
    let text = facteur::explain::message::render(Lang::Fr, &report);
    assert!(
        text.contains("SPF pass\u{a0}: example.org autorise ce serveur à envoyer pour lui."),
        "{text}"
    );
    assert!(
        text.contains("SPF softfail\u{a0}: spam.test déclare"),
        "{text}"
    );
    assert!(
        text.contains("SPF none\u{a0}: pc.lan ne publie pas"),
        "{text}"
    );
    assert!(!text.contains("209.85.221.52 autorise"), "{text}");
}

/// Where a vendor's reading differs from the registry, both are given
/// (Microsoft's 535 5.7.3); POP3's [AUTH] covers a refused way of logging
/// in, not only a wrong password (RFC 3206 §5; Dovecot's cleartext refusal).
#[test]
fn vendor_and_rfc_3206_readings() {
    let all = |lines: Vec<facteur::explain::annotation::Annotation>| -> String {
        lines
            .iter()
            .map(|n| format!("{}\n{}\n", n.title, n.body))
            .collect()
    };
    let ms = all(explain_reply(
        Lang::Fr,
        &reply_of(
            b"535 5.7.3 Authentication unsuccessful [BN0PR04CA0123.namprd04.prod.outlook.com]\r\n",
        ),
        Answering::Verb("AUTH"),
        false,
    ));
    assert!(
        ms.contains(
            "Le registre IANA donne à 5.7.3 le sens «\u{a0}conversion de sécurité impossible\u{a0}»"
        ),
        "{ms}"
    );
    let dovecot = all(facteur::explain::line::explain_line(
        Lang::Fr,
        "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
    ));
    assert!(
        dovecot.contains("connexion refusée par la politique du serveur"),
        "{dovecot}"
    );
    assert!(!dovecot.contains("nom ou mot de passe faux)"), "{dovecot}");
}
