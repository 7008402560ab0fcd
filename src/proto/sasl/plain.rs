//! SASL PLAIN (RFC 4616 §2): `message = [authzid] UTF8NUL authcid UTF8NUL passwd`,
//! sent in base64. Base64 is an encoding, not encryption: whoever sees the
//! line has the password, which is why RFC 4954 §4 and RFC 8314 want TLS first.

use crate::proto::sasl::{Field, SaslError, decode_base64, encode_base64, field_text};

/// The three fields of a PLAIN message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainCredentials {
    /// The identity to act as; empty means "the same as authcid".
    pub authzid: String,
    /// The login.
    pub authcid: String,
    pub password: String,
}

impl PlainCredentials {
    pub fn new(authzid: &str, authcid: &str, password: &str) -> Self {
        PlainCredentials {
            authzid: authzid.to_string(),
            authcid: authcid.to_string(),
            password: password.to_string(),
        }
    }

    /// The message before base64: authzid NUL authcid NUL password.
    /// RFC 4616 §2: authcid and password are non-empty and no field holds NUL.
    pub fn message(&self) -> Result<Vec<u8>, SaslError> {
        for (field, value) in [
            (Field::Authzid, &self.authzid),
            (Field::Authcid, &self.authcid),
            (Field::Password, &self.password),
        ] {
            if value.contains('\0') {
                return Err(SaslError::ContainsNul { field });
            }
        }
        if self.authcid.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Authcid,
            });
        }
        if self.password.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Password,
            });
        }
        let mut m =
            Vec::with_capacity(self.authzid.len() + self.authcid.len() + self.password.len() + 2);
        m.extend_from_slice(self.authzid.as_bytes());
        m.push(0);
        m.extend_from_slice(self.authcid.as_bytes());
        m.push(0);
        m.extend_from_slice(self.password.as_bytes());
        Ok(m)
    }

    /// The base64 string to send after `AUTH PLAIN` or after `334`.
    pub fn encode(&self) -> Result<String, SaslError> {
        Ok(encode_base64(&self.message()?))
    }

    /// Read a decoded message.
    pub fn from_message(message: &[u8]) -> Result<Self, SaslError> {
        let [authzid, authcid, password] = split_fields(message)?;
        let creds = PlainCredentials {
            authzid: field_text(authzid, Field::Authzid)?,
            authcid: field_text(authcid, Field::Authcid)?,
            password: field_text(password, Field::Password)?,
        };
        if creds.authcid.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Authcid,
            });
        }
        if creds.password.is_empty() {
            return Err(SaslError::EmptyField {
                field: Field::Password,
            });
        }
        Ok(creds)
    }

    /// Read a base64 PLAIN message.
    pub fn decode(text: &str) -> Result<Self, SaslError> {
        Self::from_message(&decode_base64(text.trim())?)
    }
}

/// Split a message into its three raw fields without judging their content.
pub fn split_fields(message: &[u8]) -> Result<[&[u8]; 3], SaslError> {
    let parts: Vec<&[u8]> = message.split(|&b| b == 0).collect();
    match parts[..] {
        [a, b, c] => Ok([a, b, c]),
        _ => Err(SaslError::PlainFieldCount { found: parts.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4616_examples() {
        // RFC 4616 §4: "tim" with password "tanstaaftanstaaf", no authzid.
        let tim = PlainCredentials::new("", "tim", "tanstaaftanstaaf");
        assert_eq!(tim.message().unwrap(), b"\0tim\0tanstaaftanstaaf");
        assert_eq!(tim.encode().unwrap(), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
        // "Kurt" acting as "Ursel".
        let kurt = PlainCredentials::new("Ursel", "Kurt", "xipj3plmq");
        assert_eq!(kurt.encode().unwrap(), "VXJzZWwAS3VydAB4aXBqM3BsbXE=");
        assert_eq!(
            PlainCredentials::decode("VXJzZWwAS3VydAB4aXBqM3BsbXE=").unwrap(),
            kurt
        );
    }

    #[test]
    fn bad_messages_say_why() {
        assert_eq!(
            PlainCredentials::from_message(b"a\0b"),
            Err(SaslError::PlainFieldCount { found: 2 })
        );
        assert_eq!(
            PlainCredentials::from_message(b"a\0b\0c\0d"),
            Err(SaslError::PlainFieldCount { found: 4 })
        );
        assert_eq!(
            PlainCredentials::from_message(b"\0\0pw"),
            Err(SaslError::EmptyField {
                field: Field::Authcid
            })
        );
        assert_eq!(
            PlainCredentials::from_message(b"\0u\0p\xff"),
            Err(SaslError::NotUtf8 {
                field: Field::Password,
                offset: 1
            })
        );
        assert_eq!(
            PlainCredentials::new("", "a\0b", "p").encode(),
            Err(SaslError::ContainsNul {
                field: Field::Authcid
            })
        );
        assert!(matches!(
            PlainCredentials::decode("%%%"),
            Err(SaslError::Base64(_))
        ));
    }
}
