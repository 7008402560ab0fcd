//! "What is this base64 string?" — the decoding behind `facteur decode`, and
//! later behind the TUI's AUTH annotations. It decodes, then says what the
//! octets most likely are: a PLAIN triple, a LOGIN prompt, a CRAM-MD5
//! challenge or response, plain text, or binary that nobody typed.

use crate::explain::catalog::fill;
use crate::explain::lang::Lang;
use crate::proto::sasl::base64::{Base64Error, decode as decode_base64, decode_lenient};
use crate::proto::sasl::cram_md5::{CramResponse, looks_like_challenge};
use crate::proto::sasl::login::{Prompt, identify_prompt};
use crate::proto::sasl::plain::split_fields;

/// What the decoded octets most likely are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// `*`: the client cancels (RFC 4954 §4).
    Cancel,
    /// `=`: an empty initial response (RFC 4954 §4).
    EmptyResponse,
    /// Not base64; `lenient` is what a forgiving decoder would get.
    NotBase64 {
        error: Base64Error,
        lenient: Option<Vec<u8>>,
    },
    /// Three NUL-separated fields: authzid, authcid, password (raw octets).
    Plain {
        fields: [Vec<u8>; 3],
    },
    /// NULs, but not two of them.
    PlainFieldCount {
        nuls: usize,
    },
    LoginPrompt(Prompt),
    CramChallenge(String),
    CramResponse(CramResponse),
    /// UTF-8 text with nothing more specific to say.
    Text(String),
    /// Not UTF-8: the first wrong octet is at `offset`.
    Binary {
        offset: usize,
    },
}

/// The input, the octets it decodes to, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoding {
    /// The input after trimming surrounding whitespace.
    pub input: String,
    /// Whether whitespace had to be trimmed.
    pub trimmed: bool,
    pub bytes: Vec<u8>,
    pub verdict: Verdict,
}

/// Decode a string and classify it.
pub fn decode(raw: &str) -> Decoding {
    let input = raw.trim();
    let trimmed = input.len() != raw.len();
    let done = |bytes: Vec<u8>, verdict| Decoding {
        input: input.to_string(),
        trimmed,
        bytes,
        verdict,
    };
    match input {
        "*" => return done(Vec::new(), Verdict::Cancel),
        "=" => return done(Vec::new(), Verdict::EmptyResponse),
        _ => {}
    }
    let bytes = match decode_base64(input) {
        Ok(b) => b,
        Err(error) => {
            let lenient = decode_lenient(input).filter(|b| !b.is_empty());
            return done(Vec::new(), Verdict::NotBase64 { error, lenient });
        }
    };
    let verdict = classify(&bytes);
    done(bytes, verdict)
}

/// Classify decoded octets.
pub fn classify(bytes: &[u8]) -> Verdict {
    let nuls = bytes.iter().filter(|&&b| b == 0).count();
    if nuls > 0 {
        return match split_fields(bytes) {
            Ok([a, b, c]) => Verdict::Plain {
                fields: [a.to_vec(), b.to_vec(), c.to_vec()],
            },
            Err(_) => Verdict::PlainFieldCount { nuls },
        };
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Verdict::Binary {
                offset: e.valid_up_to(),
            };
        }
    };
    if let Some(p) = identify_prompt(bytes) {
        return Verdict::LoginPrompt(p);
    }
    if looks_like_challenge(bytes) {
        return Verdict::CramChallenge(text.to_string());
    }
    if let Ok(r) = CramResponse::from_text(bytes) {
        return Verdict::CramResponse(r);
    }
    Verdict::Text(text.to_string())
}

/// A base64 error in words, in `lang`.
pub fn describe_base64_error(lang: Lang, e: &Base64Error) -> String {
    match e {
        Base64Error::Empty => fill(lang, "b64.empty", &[]),
        Base64Error::InvalidChar { position, ch } => {
            fill(lang, "b64.invalid_char", &[&format!("{ch:?}"), position])
        }
        Base64Error::PaddingInside { position } => fill(lang, "b64.padding_inside", &[position]),
        Base64Error::TooMuchPadding { count } => fill(lang, "b64.too_much_padding", &[count]),
        Base64Error::Length {
            len,
            leftover,
            padded,
        } => {
            let mut s = fill(lang, "b64.length", &[len, leftover]);
            if !padded {
                s.push_str(" — ");
                s.push_str(&fill(lang, "b64.length.unpadded", &[]));
            }
            s
        }
        Base64Error::TrailingBits { ch } => fill(lang, "b64.trailing_bits", &[&format!("{ch:?}")]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert!(matches!(
            decode("dGVzdAB0ZXN0ADEyMzQ=").verdict,
            Verdict::Plain { .. }
        ));
        assert_eq!(
            decode("VXNlcm5hbWU6").verdict,
            Verdict::LoginPrompt(Prompt::Username)
        );
        assert_eq!(
            decode("UGFzc3dvcmQ6").verdict,
            Verdict::LoginPrompt(Prompt::Password)
        );
        assert_eq!(decode("ZnJlZA==").verdict, Verdict::Text("fred".into()));
        assert_eq!(decode("AGE=").verdict, Verdict::PlainFieldCount { nuls: 1 });
        assert_eq!(decode(" * ").verdict, Verdict::Cancel);
        assert!(decode(" * ").trimmed);
        assert_eq!(decode("=").verdict, Verdict::EmptyResponse);
        assert!(
            matches!(decode("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw").verdict, Verdict::CramResponse(r) if r.user == "tim")
        );
    }

    #[test]
    fn errors_are_described_in_both_languages() {
        let e = Base64Error::Length {
            len: 10,
            leftover: 2,
            padded: false,
        };
        assert!(describe_base64_error(Lang::En, &e).contains("groups of 4"));
        assert!(describe_base64_error(Lang::Fr, &e).contains("groupes de 4"));
    }
}
