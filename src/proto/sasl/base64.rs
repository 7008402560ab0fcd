//! Base64 (RFC 4648 §4) as SASL uses it, with errors that say what is wrong
//! in words a student understands: which character, where, and why.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Why a string is not valid base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    #[error("the string is empty")]
    Empty,
    #[error(
        "character {ch:?} at position {position} is not in the base64 alphabet (A-Z a-z 0-9 + /)"
    )]
    InvalidChar { position: usize, ch: char },
    #[error("\"=\" at position {position} is padding and may only stand at the end")]
    PaddingInside { position: usize },
    #[error("{len} characters: base64 comes in groups of 4, and {leftover} are left over{}",
        if *.padded { "" } else { " (the \"=\" padding is missing, or characters were lost)" })]
    Length {
        len: usize,
        leftover: usize,
        padded: bool,
    },
    #[error("{count} \"=\" at the end: base64 pads with at most 2")]
    TooMuchPadding { count: usize },
    #[error(
        "the last character {ch:?} carries bits that no encoder would set: this was not produced by base64 encoding"
    )]
    TrailingBits { ch: char },
}

const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Encode bytes.
pub fn encode(bytes: &[u8]) -> String {
    STRICT.encode(bytes)
}

/// Decode canonical base64, with padding.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    if text.is_empty() {
        return Err(Base64Error::Empty);
    }
    let data_len = text.trim_end_matches('=').len();
    for (position, ch) in text.chars().enumerate() {
        let ok = ch.is_ascii_alphanumeric() || ch == '+' || ch == '/' || ch == '=';
        if !ok {
            return Err(Base64Error::InvalidChar { position, ch });
        }
        if ch == '=' && position < data_len {
            return Err(Base64Error::PaddingInside { position });
        }
    }
    let padded = data_len < text.len();
    if text.len() - data_len > 2 {
        return Err(Base64Error::TooMuchPadding {
            count: text.len() - data_len,
        });
    }
    if !text.len().is_multiple_of(4) {
        return Err(Base64Error::Length {
            len: text.len(),
            leftover: text.len() % 4,
            padded,
        });
    }
    STRICT.decode(text).map_err(|e| match e {
        base64::DecodeError::InvalidLastSymbol(_, b) => {
            Base64Error::TrailingBits { ch: char::from(b) }
        }
        base64::DecodeError::InvalidByte(position, b) => Base64Error::InvalidChar {
            position,
            ch: char::from(b),
        },
        _ => Base64Error::Length {
            len: text.len(),
            leftover: text.len() % 4,
            padded,
        },
    })
}

/// Decode as much as can be made sense of: missing padding and stray trailing
/// bits are forgiven. Used only to show what a broken string would contain.
pub fn decode_lenient(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    if trimmed.len() % 4 == 1 {
        return None;
    }
    LENIENT.decode(trimmed).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(decode("dGVzdA=="), Ok(b"test".to_vec()));
        assert_eq!(decode(""), Err(Base64Error::Empty));
        assert_eq!(
            decode("dG Vz"),
            Err(Base64Error::InvalidChar {
                position: 2,
                ch: ' '
            })
        );
        assert_eq!(
            decode("dG=zdA=="),
            Err(Base64Error::PaddingInside { position: 2 })
        );
        assert_eq!(
            decode("lkujsefxlj"),
            Err(Base64Error::Length {
                len: 10,
                leftover: 2,
                padded: false
            })
        );
        assert_eq!(
            decode("dGVzdA"),
            Err(Base64Error::Length {
                len: 6,
                leftover: 2,
                padded: false
            })
        );
        assert_eq!(
            decode("dGVzdB=="),
            Err(Base64Error::TrailingBits { ch: 'B' })
        );
        assert_eq!(
            decode("dGVzd==="),
            Err(Base64Error::TooMuchPadding { count: 3 })
        );
        assert_eq!(decode_lenient("lkujsefxlj").map(|v| v.len()), Some(7));
        assert_eq!(decode_lenient("dGVzdA"), Some(b"test".to_vec()));
    }
}
