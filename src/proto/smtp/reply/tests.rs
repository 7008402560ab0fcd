//! Unit tests of `reply.rs`, beside it: they reach its private items.

#[cfg(test)]
use super::*;

#[test]
fn code_by_digit() {
    let c = Code::new(550).unwrap();
    assert_eq!(c.severity, Severity::PermanentNegative);
    assert_eq!(c.category, Category::MailSystem);
    assert_eq!(c.detail, 0);
    assert_eq!(c.value(), 550);
    assert_eq!(
        Code::new(354).unwrap().severity,
        Severity::PositiveIntermediate
    );
    assert_eq!(Code::new(421).unwrap().category, Category::Connections);
    assert!(Code::new(199).is_none());
    assert!(Code::new(260).is_none());
    assert!(Code::new(600).is_none());
}

#[test]
fn enhanced_codes() {
    assert_eq!(
        EnhancedCode::parse("5.7.1"),
        Some(EnhancedCode {
            class: 5,
            subject: 7,
            detail: 1
        })
    );
    assert_eq!(EnhancedCode::parse("2.1.500").unwrap().detail, 500);
    for bad in ["3.1.1", "5.7", "5.7.1.1", "5..1", "5.1234.1", "x.1.1"] {
        assert_eq!(EnhancedCode::parse(bad), None, "{bad}");
    }
    let l = parse_line(b"550 5.1.1 <x@y>: Recipient address rejected").unwrap();
    assert_eq!(l.enhanced.unwrap().to_string(), "5.1.1");
    assert_eq!(l.text, "<x@y>: Recipient address rejected");
    // A class that does not match the reply is text, not an enhanced code.
    let l = parse_line(b"250 5.1.1 odd").unwrap();
    assert_eq!((l.enhanced, l.text.as_str()), (None, "5.1.1 odd"));
    let l = parse_line(b"235 2.7.0").unwrap();
    assert_eq!((l.enhanced.is_some(), l.text.as_str()), (true, ""));
}

const SEED_EHLO: &[u8] = b"220 mwinf2317.orange.fr ESMTP ABO\r\n250-mwinf2317.orange.fr\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n250 8BITMIME\r\n";

#[test]
fn multi_line_replies_in_every_chunking_crlf_and_lf() {
    let lf: Vec<u8> = SEED_EHLO.iter().copied().filter(|&b| b != b'\r').collect();
    for input in [SEED_EHLO.to_vec(), lf] {
        for size in 1..=input.len() {
            let mut r = ReplyReader::new();
            let mut events = Vec::new();
            for chunk in input.chunks(size) {
                events.extend(r.feed(chunk));
            }
            assert_eq!(events.len(), 2, "chunk size {size}");
            let ReplyEvent::Reply(ehlo) = &events[1] else {
                panic!()
            };
            assert_eq!(ehlo.code.value(), 250);
            assert_eq!(ehlo.lines.len(), 6);
            assert_eq!(ehlo.lines[2].text, "SIZE 10485760");
            assert!(ehlo.lines[5].last);
        }
    }
}

#[test]
fn malformed_lines_are_reported_not_fatal() {
    let mut r = ReplyReader::new();
    let ev = r.feed(b"hello\r\n250-a\r\n550 b\r\n250 c\r\n25\r\n2500\r\n");
    assert!(matches!(
        &ev[0],
        ReplyEvent::Malformed {
            error: ReplyError::BadCode,
            ..
        }
    ));
    assert!(matches!(
        &ev[1],
        ReplyEvent::Malformed {
            error: ReplyError::CodeChanged { .. },
            ..
        }
    ));
    assert!(matches!(&ev[2], ReplyEvent::Reply(r) if r.lines.len() == 2));
    assert!(matches!(
        &ev[3],
        ReplyEvent::Malformed {
            error: ReplyError::BadCode,
            ..
        }
    ));
    assert!(matches!(
        &ev[4],
        ReplyEvent::Malformed {
            error: ReplyError::BadSeparator,
            ..
        }
    ));
}

#[test]
fn building_replies() {
    let r = Reply::new(
        Code::new(250).unwrap(),
        None,
        &["smtp.free.fr", "PIPELINING", "SIZE 10485760"],
    );
    assert_eq!(
        r.to_wire(),
        b"250-smtp.free.fr\r\n250-PIPELINING\r\n250 SIZE 10485760\r\n".to_vec()
    );
    let r = Reply::new(
        Code::new(550).unwrap(),
        EnhancedCode::parse("5.1.1"),
        &["no such user"],
    );
    assert_eq!(r.to_wire(), b"550 5.1.1 no such user\r\n".to_vec());
    let back = ReplyReader::new().feed(&r.to_wire());
    assert_eq!(back, vec![ReplyEvent::Reply(r)]);
    let r = Reply::new(Code::new(334).unwrap(), None, &[""]);
    assert_eq!(r.to_wire(), b"334 \r\n".to_vec());
}

#[test]
fn the_named_codes_are_the_rfcs_numbers() {
    let named = [
        (Code::HELP, 214),
        (Code::SERVICE_READY, 220),
        (Code::CLOSING, 221),
        (Code::AUTH_SUCCEEDED, 235),
        (Code::OK, 250),
        (Code::WILL_FORWARD, 251),
        (Code::CANNOT_VRFY, 252),
        (Code::AUTH_CHALLENGE, 334),
        (Code::START_MAIL_INPUT, 354),
        (Code::NOT_AVAILABLE, 421),
        (Code::MAILBOX_BUSY, 450),
        (Code::LOCAL_ERROR, 451),
        (Code::INSUFFICIENT_STORAGE, 452),
        (Code::AUTH_TEMPORARY_FAILURE, 454),
        (Code::SYNTAX_ERROR, 500),
        (Code::PARAMETER_ERROR, 501),
        (Code::NOT_IMPLEMENTED, 502),
        (Code::BAD_SEQUENCE, 503),
        (Code::PARAMETER_NOT_IMPLEMENTED, 504),
        (Code::AUTH_REQUIRED, 530),
        (Code::AUTH_TOO_WEAK, 534),
        (Code::AUTH_INVALID, 535),
        (Code::ENCRYPTION_REQUIRED, 538),
        (Code::MAILBOX_UNAVAILABLE, 550),
        (Code::USER_NOT_LOCAL, 551),
        (Code::EXCEEDED_STORAGE, 552),
        (Code::MAILBOX_NAME_NOT_ALLOWED, 553),
        (Code::TRANSACTION_FAILED, 554),
        (Code::PARAMETERS_NOT_RECOGNIZED, 555),
        (Code::DOMAIN_NO_MAIL, 556),
    ];
    for (code, n) in named {
        assert_eq!(code.value(), n);
        assert_eq!(
            Code::new(n),
            Some(code),
            "{n} read from text is the constant"
        );
    }
    assert_eq!(Code::OK.severity(), Severity::PositiveCompletion);
    assert_eq!(Code::AUTH_INVALID.category(), Category::Unspecified3);
    assert_eq!(
        EnhancedCode::new(5, 1, 1),
        EnhancedCode::parse("5.1.1").unwrap()
    );
}
