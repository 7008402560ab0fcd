//! CRAM-MD5 (RFC 2195 §2): the server sends a unique challenge in msg-id
//! form `<digits.timestamp@host>`; the client answers
//! `user SP hex(HMAC-MD5(secret, challenge))`, both in base64. The password
//! never crosses the wire — but the server must keep it in clear to check.

use hmac::{Hmac, Mac};
use md5::Md5;

use crate::proto::sasl::{Field, SaslError, decode_base64, encode_base64, field_text};

type HmacMd5 = Hmac<Md5>;

/// The HMAC-MD5 of the challenge keyed by the secret, as 32 lowercase hex digits.
pub fn digest_hex(challenge: &[u8], secret: &[u8]) -> String {
    let mut mac = match HmacMd5::new_from_slice(secret) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this branch cannot be taken.
        Err(_) => return String::new(),
    };
    mac.update(challenge);
    hex(&mac.finalize().into_bytes())
}

/// The response before base64: `user SP digest`.
pub fn response_text(user: &str, challenge: &[u8], secret: &[u8]) -> String {
    format!("{user} {}", digest_hex(challenge, secret))
}

/// The response as sent: base64 of `user SP digest`.
pub fn encode_response(user: &str, challenge: &[u8], secret: &[u8]) -> String {
    encode_base64(response_text(user, challenge, secret).as_bytes())
}

/// A challenge for a server to send, from numbers the caller supplies
/// (random and time are inputs: this module reads no clock).
pub fn make_challenge(random: u64, timestamp: u64, host: &str) -> String {
    format!("<{random}.{timestamp}@{host}>")
}

/// Whether decoded text has the msg-id shape RFC 2195 asks of a challenge.
pub fn looks_like_challenge(decoded: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(decoded) else {
        return false;
    };
    s.len() > 4
        && s.starts_with('<')
        && s.ends_with('>')
        && s.contains('@')
        && !s.contains(char::is_whitespace)
}

/// A decoded client response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CramResponse {
    pub user: String,
    /// 32 hexadecimal digits, as received.
    pub digest: String,
}

impl CramResponse {
    /// Read `user SP digest` (the user may itself contain spaces: the digest
    /// is after the last one).
    pub fn from_text(decoded: &[u8]) -> Result<Self, SaslError> {
        let text = field_text(decoded, Field::Username)?;
        let (user, digest) = text.rsplit_once(' ').ok_or(SaslError::CramNoSpace)?;
        if user.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Username,
            });
        }
        if digest.len() != 32 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SaslError::CramDigest(digest.to_string()));
        }
        Ok(CramResponse {
            user: user.to_string(),
            digest: digest.to_string(),
        })
    }

    /// Read the base64 response.
    pub fn decode(text: &str) -> Result<Self, SaslError> {
        Self::from_text(&decode_base64(text.trim())?)
    }

    /// Whether the digest is the HMAC-MD5 of `challenge` under `secret`
    /// (compared in constant time).
    pub fn verify(&self, challenge: &[u8], secret: &[u8]) -> bool {
        let Ok(mut mac) = HmacMd5::new_from_slice(secret) else {
            return false;
        };
        mac.update(challenge);
        let Some(bytes) = unhex(&self.digest) else {
            return false;
        };
        mac.verify_slice(&bytes).is_ok()
    }
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2195_vector() {
        let challenge = b"<1896.697170952@postoffice.reston.mci.net>";
        assert_eq!(
            encode_base64(challenge),
            "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
        );
        assert_eq!(
            response_text("tim", challenge, b"tanstaaftanstaaf"),
            "tim b913a602c7eda7a495b4e6e7334d3890"
        );
        let r = encode_response("tim", challenge, b"tanstaaftanstaaf");
        assert_eq!(r, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
        let parsed = CramResponse::decode(&r).unwrap();
        assert_eq!(parsed.user, "tim");
        assert!(parsed.verify(challenge, b"tanstaaftanstaaf"));
        assert!(!parsed.verify(challenge, b"tanstaaf"));
        assert!(!parsed.verify(b"<other@x>", b"tanstaaftanstaaf"));
    }

    #[test]
    fn challenges_and_bad_responses() {
        assert_eq!(
            make_challenge(42, 1700000000, "smtp.free.fr"),
            "<42.1700000000@smtp.free.fr>"
        );
        assert!(looks_like_challenge(
            b"<4192942341.12828472@sourcefour.andrew.cmu.edu>"
        ));
        assert!(!looks_like_challenge(b"Username:"));
        assert_eq!(
            CramResponse::from_text(b"timb913"),
            Err(SaslError::CramNoSpace)
        );
        assert!(matches!(
            CramResponse::from_text(b"tim xyz"),
            Err(SaslError::CramDigest(_))
        ));
        assert!(
            !CramResponse {
                user: "u".into(),
                digest: "zz".repeat(16)
            }
            .verify(b"c", b"s")
        );
    }
}
