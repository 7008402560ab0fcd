//! SASL mechanisms used by SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034),
//! both sides, as pure functions: PLAIN (RFC 4616), LOGIN (the
//! draft-murchison-sasl-login prompts) and CRAM-MD5 (RFC 2195).
//!
//! Everything that comes from outside — base64 text, decoded bytes — gives a
//! typed [`SaslError`] that says what was wrong; nothing panics.

pub mod base64;
pub mod cram_md5;
pub mod login;
pub mod plain;

pub use self::base64::{Base64Error, decode as decode_base64, encode as encode_base64};

/// Which part of a SASL message an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Authzid,
    Authcid,
    Password,
    Username,
    Challenge,
    Digest,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Authzid => "authzid",
            Field::Authcid => "authcid",
            Field::Password => "password",
            Field::Username => "username",
            Field::Challenge => "challenge",
            Field::Digest => "digest",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong in a SASL message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaslError {
    #[error("not valid base64: {0}")]
    Base64(#[from] Base64Error),
    #[error(
        "a PLAIN message has 3 fields separated by 2 NUL bytes (authzid NUL authcid NUL password), this one has {found} field(s)"
    )]
    PlainFieldCount { found: usize },
    #[error("the {field} is not UTF-8 text (byte {offset} is wrong)")]
    NotUtf8 { field: Field, offset: usize },
    #[error("the {field} is empty")]
    EmptyField { field: Field },
    #[error("the {field} may not contain a NUL byte")]
    ContainsNul { field: Field },
    #[error("a CRAM-MD5 response is \"user SP digest\": no space found")]
    CramNoSpace,
    #[error("the CRAM-MD5 digest must be 32 hexadecimal digits, found {0:?}")]
    CramDigest(String),
    #[error("the client cancelled the exchange with \"*\" (RFC 4954 §4)")]
    Cancelled,
}

/// Read a client's answer in an AUTH exchange (RFC 4954 §4): `*` cancels,
/// `=` is an empty response, anything else is base64.
pub fn decode_client_response(text: &str) -> Result<Vec<u8>, SaslError> {
    match text.trim() {
        "*" => Err(SaslError::Cancelled),
        "=" => Ok(Vec::new()),
        t => Ok(decode_base64(t)?),
    }
}

/// UTF-8 text of one field, or a typed error naming the field.
pub fn field_text(bytes: &[u8], field: Field) -> Result<String, SaslError> {
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|e| SaslError::NotUtf8 {
            field,
            offset: e.valid_up_to(),
        })
}
