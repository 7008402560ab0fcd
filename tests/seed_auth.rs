//! The course handout's three AUTH examples (section III.1), decoded for what
//! they really contain, byte by byte — not for what they appear to contain.

use facteur::explain::Lang;
use facteur::explain::decode::{Verdict, decode};
use facteur::proto::sasl::base64::Base64Error;
use facteur::proto::sasl::login::Prompt;
use facteur::workbench::decode_report;

#[test]
fn plain_example_holds_the_password_1_slash_34() {
    // The handout prints dGVzdAB0ZXN0ADEvMzQ= (RFC 4954's example is
    // …ADEyMzQ=, "1234"): one character differs, and the password decodes to
    // "1/34". facteur shows what is there.
    let d = decode("dGVzdAB0ZXN0ADEvMzQ=");
    assert_eq!(d.bytes, b"test\0test\x001/34");
    let Verdict::Plain { fields } = d.verdict else {
        panic!("{:?}", d.verdict)
    };
    assert_eq!(
        fields,
        [b"test".to_vec(), b"test".to_vec(), b"1/34".to_vec()]
    );
    let report = decode_report(Lang::En, "dGVzdAB0ZXN0ADEvMzQ=");
    assert!(report.text.contains("test␀test␀1/34"), "{}", report.text);
}

#[test]
fn login_example_answers_are_not_base64_of_any_text() {
    // The prompts are real.
    assert_eq!(
        decode("VXNlcm5hbWU6").verdict,
        Verdict::LoginPrompt(Prompt::Username)
    );
    assert_eq!(
        decode("UGFzc3dvcmQ6").verdict,
        Verdict::LoginPrompt(Prompt::Password)
    );
    // "adlxdkej" decodes to 69 d9 71 76 47 a3: not UTF-8 (0xd9 at octet 2).
    let user = decode("adlxdkej");
    assert_eq!(user.bytes, [0x69, 0xd9, 0x71, 0x76, 0x47, 0xa3]);
    assert_eq!(user.verdict, Verdict::Binary { offset: 1 });
    // "lkujsefxlj" is 10 characters: not even base64.
    let pass = decode("lkujsefxlj");
    let Verdict::NotBase64 { error, lenient } = pass.verdict else {
        panic!()
    };
    assert_eq!(
        error,
        Base64Error::Length {
            len: 10,
            leftover: 2,
            padded: false
        }
    );
    assert!(std::str::from_utf8(&lenient.unwrap()).is_err());
    // And the workbench says so, in both languages, without printing garbage.
    for (lang, words) in [(Lang::En, "not text"), (Lang::Fr, "pas du texte")] {
        let r = decode_report(lang, "adlxdkej");
        assert!(!r.ok);
        assert!(r.text.contains(words), "{}", r.text);
        assert!(r.text.contains("⟨D9⟩"));
        assert!(!r.text.contains('\u{fffd}'));
        let r = decode_report(lang, "lkujsefxlj");
        assert!(!r.ok);
        assert!(r.text.contains("base64"));
    }
}

#[test]
fn cram_md5_example_is_rfc_4954s() {
    let c = decode("PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=");
    assert!(
        matches!(c.verdict, Verdict::CramChallenge(ref s) if s == "<4192942341.12828472@sourcefour.andrew.cmu.edu>")
    );
    let r = decode("cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA==");
    let Verdict::CramResponse(resp) = r.verdict else {
        panic!()
    };
    assert_eq!(resp.user, "rjs3");
    assert_eq!(resp.digest, "ec3a59fed395aba1ec6367c4f4b41ac0");
}
