//! Property tests: encodings round-trip, and no input — however random —
//! makes a parser panic.

use facteur::explain::Lang;
use facteur::proto::data::{DataProgress, DataReceiver, dot_stuff};
use facteur::proto::line::{LineReader, SMTP_TEXT_LINE};
use facteur::proto::pop3::{self, ResponseReader, Shape};
use facteur::proto::sasl::cram_md5::{self, CramResponse};
use facteur::proto::sasl::login;
use facteur::proto::sasl::plain::PlainCredentials;
use facteur::proto::sasl::{Field, decode_base64, encode_base64};
use facteur::proto::smtp::command;
use facteur::proto::smtp::reply::{Code, Reply, ReplyEvent, ReplyReader};
use facteur::proto::visible::visible;
use facteur::workbench;
use proptest::prelude::*;

fn no_nul() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,40}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = encode_base64(&bytes);
        if bytes.is_empty() {
            prop_assert!(decode_base64(&text).is_err());
        } else {
            prop_assert_eq!(decode_base64(&text).unwrap(), bytes);
        }
    }

    #[test]
    fn plain_round_trips(authzid in no_nul(), authcid in "[^\u{0}]{1,40}", password in "[^\u{0}]{1,40}") {
        let c = PlainCredentials::new(&authzid, &authcid, &password);
        prop_assert_eq!(PlainCredentials::decode(&c.encode().unwrap()).unwrap(), c);
    }

    #[test]
    fn login_round_trips(answer in "[^\u{0}]{1,40}") {
        prop_assert_eq!(login::decode_answer(&login::encode_answer(&answer), Field::Username).unwrap(), answer);
    }

    #[test]
    fn cram_round_trips(user in "[a-z]{1,12}", secret in any::<Vec<u8>>(), challenge in "<[0-9]{1,10}\\.[0-9]{1,10}@[a-z.]{1,20}>") {
        let r = CramResponse::decode(&cram_md5::encode_response(&user, challenge.as_bytes(), &secret)).unwrap();
        prop_assert_eq!(&r.user, &user);
        prop_assert!(r.verify(challenge.as_bytes(), &secret));
    }

    #[test]
    fn dot_stuffing_round_trips(lines in proptest::collection::vec("[^\r\n]{0,60}", 0..20)) {
        let message: Vec<u8> = lines.iter().flat_map(|l| l.bytes().chain(*b"\r\n")).collect();
        let wire = dot_stuff(&message);
        let mut reader = LineReader::new(SMTP_TEXT_LINE);
        let mut rx = DataReceiver::new(1 << 20);
        let mut ended = false;
        for f in reader.feed(&wire) {
            prop_assert!(!ended);
            ended = rx.push(f) == DataProgress::End;
        }
        prop_assert!(ended);
        prop_assert_eq!(rx.finish().message, message);
    }

    #[test]
    fn replies_round_trip(code in 200u16..=559, texts in proptest::collection::vec("[ -~]{0,60}", 1..5)) {
        prop_assume!(Code::new(code).is_some());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let reply = Reply::new(Code::new(code).unwrap(), None, &refs);
        let events = ReplyReader::new().feed(&reply.to_wire());
        prop_assert_eq!(events.len(), 1);
        let ReplyEvent::Reply(back) = &events[0] else { panic!() };
        prop_assert_eq!(back.code, reply.code);
        prop_assert_eq!(back.lines.len(), texts.len());
    }

    #[test]
    fn random_bytes_never_panic_any_parser(bytes in proptest::collection::vec(any::<u8>(), 0..600), split in 1usize..64) {
        let mut lines = LineReader::new(512);
        for chunk in bytes.chunks(split) {
            for l in lines.feed(chunk).into_iter().flatten() {
                let _ = command::parse(&l.content);
                let _ = pop3::command::parse(&l.content);
                let _ = facteur::proto::smtp::reply::parse_line(&l.content);
                let _ = pop3::response::parse_status_line(&l.content);
            }
        }
        let _ = lines.end_of_input();
        let _ = command::parse(&bytes);
        let _ = pop3::command::parse(&bytes);
        let mut replies = ReplyReader::new();
        let mut responses = ResponseReader::new();
        responses.expect(Shape::MultiIfOk);
        for chunk in bytes.chunks(split) {
            let _ = replies.feed(chunk);
            let _ = responses.feed(chunk);
        }
        let _ = responses.end_of_input();
        let mut rx = DataReceiver::new(100);
        for f in LineReader::new(SMTP_TEXT_LINE).feed(&bytes) {
            let _ = rx.push(f);
        }
        let _ = rx.finish();
        let _ = PlainCredentials::from_message(&bytes);
        let _ = CramResponse::from_text(&bytes);
        let _ = facteur::explain::decode::classify(&bytes);
        let shown = visible(&bytes);
        prop_assert!(!shown.chars().any(|c| c.is_control()));
    }

    #[test]
    fn random_strings_never_panic_the_workbench(s in "\\PC{0,80}", t in ".{0,40}") {
        for lang in [Lang::Fr, Lang::En] {
            let r = workbench::decode_report(lang, &s);
            prop_assert!(!r.text.chars().any(|c| c.is_control() && c != '\n'));
            let _ = workbench::cram_md5_report(lang, &s, &t, &t, Some(&s));
            let _ = workbench::apop_report(lang, &s, Some(&t), &t);
            let _ = workbench::encode_plain_report(lang, &t, &s, &t);
            let _ = workbench::encode_login_report(lang, &s, &t);
            let _ = facteur::explain::decode::decode(&s);
            let _ = login::decode_answer(&s, Field::Password);
        }
    }
}

/// Random events of every kind, as a transcript.
fn transcript_strategy() -> impl Strategy<Value = facteur::session::transcript::Transcript> {
    use facteur::session::transcript::{Dir, Endpoint, Event, Handshake, Transcript, VERSION};
    let event = (
        0u8..5,
        proptest::collection::vec(any::<u8>(), 0..80),
        any::<bool>(),
        0u64..5000,
    )
        .prop_map(|(kind, bytes, tls, t)| match kind {
            0 => Event::new(t, Dir::Client, &bytes, tls),
            1 | 2 => Event::new(t, Dir::Server, &bytes, tls),
            3 => Event::handshake(
                t,
                Handshake {
                    version: "TLSv1_3".into(),
                    cipher: String::from_utf8_lossy(&bytes).to_string(),
                    verified: tls,
                    cert: None,
                },
            ),
            _ => Event::open(
                t,
                Endpoint {
                    host: "pop.wanadoo.fr".into(),
                    port: 110,
                    protocol: if tls { "pop3" } else { "smtp" }.into(),
                },
            ),
        });
    (proptest::collection::vec(event, 0..40), any::<bool>()).prop_map(|(mut events, pop)| {
        events.sort_by_key(|e| e.t_ms);
        // A hostile host name now and then.
        let host = if events.len().is_multiple_of(3) {
            "evil\u{1b}[2J.example"
        } else {
            "h"
        };
        Transcript {
            version: VERSION,
            host: host.into(),
            port: 25,
            protocol: if pop { "pop3" } else { "smtp" }.into(),
            simulated: false,
            started: 0,
            events,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any transcript survives JSON exactly, and explaining, replaying and
    /// exporting it never panics (random bytes from a server included).
    #[test]
    fn transcripts_round_trip_and_never_panic_replay_or_export(t in transcript_strategy(), jump in 0usize..60) {
        use facteur::session::export::{Format, export};
        use facteur::session::transcript::Transcript;
        let json = t.to_json();
        prop_assert_eq!(&Transcript::from_json(&json).unwrap(), &t);
        let mut r = facteur::session::replay::Replay::load(Lang::Fr, "t", t.clone());
        r.go(jump);
        let _ = r.explainer_at(Lang::Fr, r.pos);
        let html = export(Lang::En, &t, "t", Format::Html);
        prop_assert!(!html.contains('\x1b'), "an escape reached the HTML");
        let _ = export(Lang::Fr, &t, "t", Format::Markdown);
    }

    /// Random text is never a panic for the transcript, lesson and world loaders.
    #[test]
    fn random_text_never_panics_the_loaders(s in "\\PC{0,300}", bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let lossy = String::from_utf8_lossy(&bytes).to_string();
        for text in [&s, &lossy] {
            let _ = facteur::session::transcript::Transcript::from_json(text);
            if let Ok(l) = facteur::lesson::Lesson::from_json(text) {
                let _ = l.problems(&facteur::sim::world::World::default());
            }
            let _ = facteur::sim::world::World::from_json(text);
        }
    }

    /// JSON that is almost a transcript or a lesson: every field mutated.
    #[test]
    fn near_miss_json_gets_an_error_not_a_panic(field in 0usize..12, value in prop_oneof![
        Just("null".to_string()), Just("-1".to_string()), Just("1e999".to_string()),
        Just("\"\"".to_string()), Just("[]".to_string()), Just("{}".to_string()),
        "\"\\\\PC{0,20}\"".prop_map(|s| s), (0u64..u64::MAX).prop_map(|n| n.to_string()),
    ]) {
        let keys = ["version", "host", "port", "protocol", "simulated", "started", "events", "t_ms", "dir", "line", "line_base64", "tls"];
        let base = r#"{"version": 1, "host": "h", "port": 25, "protocol": "smtp", "simulated": false, "started": 0,
               "events": [{"t_ms": 0, "dir": "client", "line": "EHLO x", "tls": false}]}"#;
        let key = keys[field];
        let mutated = base.replacen(&format!("\"{key}\": "), &format!("\"{key}\": {value}, \"_{key}\": "), 1);
        let _ = facteur::session::transcript::Transcript::from_json(&mutated);
        let lesson = format!(r#"{{"id": "x", "title": {value}, "intro": {{"fr": "a", "en": "b"}}, "steps": [{{"instruction": {{"fr": "a", "en": "b"}}, "check": {{"reply": {{"to": {value}, "code": "250"}}}}}}]}}"#);
        let _ = facteur::lesson::Lesson::from_json(&lesson);
    }

    /// Any bytes as a message: the Received and MIME explanation never panics.
    #[test]
    fn random_messages_never_panic_the_message_explainer(
        head in proptest::collection::vec("(Received|Date|Content-Type|From|Subject|X-[a-z]{1,5}): [ -~]{0,80}", 0..8),
        body in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut msg = head.join("\r\n").into_bytes();
        msg.extend_from_slice(b"\r\n\r\n");
        msg.extend_from_slice(&body);
        let r = facteur::explain::message::explain_message(Lang::En, &msg);
        let _ = facteur::explain::message::render(Lang::Fr, &r);
        let _ = facteur::explain::message::route_annotations(Lang::En, &r);
    }
}
