//! SASL LOGIN (draft-murchison-sasl-login, never an RFC but offered by most
//! servers): the server prompts `Username:` then `Password:`, each in base64
//! after 334, and the client answers each in base64.

use crate::proto::sasl::{Field, SaslError, decode_base64, encode_base64, field_text};

/// The two prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Username,
    Password,
}

impl Prompt {
    /// The prompt text most servers send.
    pub fn text(self) -> &'static str {
        match self {
            Prompt::Username => "Username:",
            Prompt::Password => "Password:",
        }
    }

    /// The prompt in base64, as it appears after 334: `VXNlcm5hbWU6` / `UGFzc3dvcmQ6`.
    pub fn encoded(self) -> String {
        encode_base64(self.text().as_bytes())
    }
}

/// Recognise a decoded prompt. The draft's own prompts are "User Name" and
/// "Password" (some servers add a NUL); nearly all send "Username:".
pub fn identify_prompt(decoded: &[u8]) -> Option<Prompt> {
    let text = std::str::from_utf8(decoded).ok()?;
    let t = text
        .trim_end_matches('\0')
        .trim()
        .trim_end_matches(':')
        .to_ascii_lowercase();
    match t.as_str() {
        "username" | "user name" | "user" | "login" => Some(Prompt::Username),
        "password" => Some(Prompt::Password),
        _ => None,
    }
}

/// The client's answer to a prompt, in base64.
pub fn encode_answer(answer: &str) -> String {
    encode_base64(answer.as_bytes())
}

/// Read a client's answer.
pub fn decode_answer(text: &str, field: Field) -> Result<String, SaslError> {
    let bytes = decode_base64(text.trim())?;
    let s = field_text(&bytes, field)?;
    if s.is_empty() {
        return Err(SaslError::EmptyField { field });
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts() {
        assert_eq!(Prompt::Username.encoded(), "VXNlcm5hbWU6");
        assert_eq!(Prompt::Password.encoded(), "UGFzc3dvcmQ6");
        assert_eq!(identify_prompt(b"Username:"), Some(Prompt::Username));
        assert_eq!(identify_prompt(b"User Name\0"), Some(Prompt::Username));
        assert_eq!(identify_prompt(b"Password\0"), Some(Prompt::Password));
        assert_eq!(identify_prompt(b"\xff"), None);
        assert_eq!(
            decode_answer(&encode_answer("fred"), Field::Username).unwrap(),
            "fred"
        );
        assert!(matches!(
            decode_answer("adlxdkej", Field::Username),
            Err(SaslError::NotUtf8 {
                field: Field::Username,
                offset: 1
            })
        ));
    }
}
