//! Test vectors from the RFCs themselves, byte for byte.

use facteur::explain::decode::{Verdict, decode};
use facteur::proto::pop3::apop;
use facteur::proto::sasl::cram_md5::{self, CramResponse};
use facteur::proto::sasl::plain::PlainCredentials;
use facteur::proto::sasl::{SaslError, decode_base64, decode_client_response, encode_base64};
use facteur::proto::smtp::command::{Command, parse};
use facteur::proto::smtp::reply::{ReplyEvent, ReplyReader};

#[test]
fn rfc_2195_cram_md5() {
    let challenge64 = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
    let challenge = decode_base64(challenge64).unwrap();
    assert_eq!(challenge, b"<1896.697170952@postoffice.reston.mci.net>");
    assert_eq!(
        cram_md5::response_text("tim", &challenge, b"tanstaaftanstaaf"),
        "tim b913a602c7eda7a495b4e6e7334d3890"
    );
    let response = cram_md5::encode_response("tim", &challenge, b"tanstaaftanstaaf");
    assert_eq!(response, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    let parsed = CramResponse::decode(&response).unwrap();
    assert!(parsed.verify(&challenge, b"tanstaaftanstaaf"));
    assert!(!parsed.verify(&challenge, b"tanstaaf"));
}

#[test]
fn rfc_4616_plain() {
    // §4: "tim" with password "tanstaaftanstaaf".
    let tim = PlainCredentials::new("", "tim", "tanstaaftanstaaf");
    assert_eq!(tim.message().unwrap(), b"\0tim\0tanstaaftanstaaf");
    // §4: "Kurt" authenticating as "Ursel" with password "xipj3plmq".
    let kurt = PlainCredentials::new("Ursel", "Kurt", "xipj3plmq");
    assert_eq!(kurt.message().unwrap(), b"Ursel\0Kurt\0xipj3plmq");
    for c in [tim, kurt] {
        assert_eq!(PlainCredentials::decode(&c.encode().unwrap()).unwrap(), c);
    }
}

#[test]
fn rfc_4954_section_4_examples() {
    // AUTH PLAIN with an initial response.
    let Command::Auth {
        mechanism,
        initial_response,
    } = parse(b"AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=").unwrap().command
    else {
        panic!()
    };
    assert_eq!(mechanism, "PLAIN");
    let creds = PlainCredentials::decode(&initial_response.unwrap()).unwrap();
    assert_eq!(creds, PlainCredentials::new("test", "test", "1234"));
    // The server's replies: "334 " (with the single space) then 235 2.7.0.
    let events = ReplyReader::new().feed(b"334 \r\n235 2.7.0 Authentication successful\r\n");
    let [ReplyEvent::Reply(cont), ReplyEvent::Reply(ok)] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(cont.code.value(), 334);
    assert_eq!(cont.text(), "");
    assert_eq!(ok.enhanced().unwrap().to_string(), "2.7.0");
    assert_eq!(ok.text(), "Authentication successful");
    // The CRAM-MD5 example (also the seed's): challenge and response decode.
    let c = decode("PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=");
    assert_eq!(
        c.verdict,
        Verdict::CramChallenge("<4192942341.12828472@sourcefour.andrew.cmu.edu>".into())
    );
    let r = CramResponse::decode("cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA==").unwrap();
    assert_eq!(
        (r.user.as_str(), r.digest.as_str()),
        ("rjs3", "ec3a59fed395aba1ec6367c4f4b41ac0")
    );
    // "*" cancels, "=" is an empty response.
    assert_eq!(decode_client_response("*"), Err(SaslError::Cancelled));
    assert_eq!(decode_client_response("="), Ok(vec![]));
}

#[test]
fn cram_md5_user_secret_vector() {
    // A second vector, as curl's test suite has it (user "user", secret "secret").
    let challenge = decode_base64("PDE5NzIuOTg3NjU0MzIxQGN1cmw+").unwrap();
    assert_eq!(
        cram_md5::encode_response("user", &challenge, b"secret"),
        "dXNlciA3MDMxNzI1NTk5ZmRiYjVkNDEyNjg5YWEzMjNlM2UwYg=="
    );
}

#[test]
fn rfc_1939_apop() {
    let ts = apop::timestamp_in("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>").unwrap();
    assert_eq!(
        apop::digest(ts, "tanstaaf"),
        "c4c9334bac560ecc979e58001b3e22fb"
    );
    let cmd = facteur::proto::pop3::command::parse(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb")
        .unwrap();
    let facteur::proto::pop3::Command::Apop { name, digest } = cmd else {
        panic!()
    };
    assert_eq!(name, "mrose");
    assert!(apop::verify(ts, "tanstaaf", &digest));
}

#[test]
fn base64_round_trip_of_the_login_prompts() {
    assert_eq!(encode_base64(b"Username:"), "VXNlcm5hbWU6");
    assert_eq!(encode_base64(b"Password:"), "UGFzc3dvcmQ6");
}
