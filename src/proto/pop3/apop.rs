//! APOP (RFC 1939 §7): the server's greeting carries a timestamp in msg-id
//! form; the client sends `APOP name digest` where digest is the MD5 of the
//! timestamp followed by the shared secret, in 32 lowercase hex digits.

use md5::{Digest, Md5};

use crate::proto::sasl::cram_md5::hex;

/// MD5(timestamp + secret) in lowercase hex.
pub fn digest(timestamp: &str, secret: &str) -> String {
    let mut h = Md5::new();
    h.update(timestamp.as_bytes());
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// Whether `given` is the right digest (case-insensitive hex).
pub fn verify(timestamp: &str, secret: &str, given: &str) -> bool {
    digest(timestamp, secret).eq_ignore_ascii_case(given)
}

/// The timestamp `<...>` inside a greeting, if any.
pub fn timestamp_in(greeting: &str) -> Option<&str> {
    let start = greeting.find('<')?;
    let end = start + greeting[start..].find('>')?;
    let ts = &greeting[start..=end];
    ts.contains('@').then_some(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_1939_example() {
        let greeting = "POP3 server ready <1896.697170952@dbc.mtview.ca.us>";
        let ts = timestamp_in(greeting).unwrap();
        assert_eq!(ts, "<1896.697170952@dbc.mtview.ca.us>");
        assert_eq!(digest(ts, "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
        assert!(verify(ts, "tanstaaf", "C4C9334BAC560ECC979E58001B3E22FB"));
        assert!(!verify(ts, "tanstaaf2", "c4c9334bac560ecc979e58001b3e22fb"));
        assert_eq!(timestamp_in("+OK ready"), None);
    }
}
