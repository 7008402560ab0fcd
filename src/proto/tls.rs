//! What a TLS handshake established, as data (RFC 8446 §4, RFC 5280
//! §4.1.2): the network edge fills it from rustls, the simulated world
//! makes one up, transcripts store it and the explanation reads it. No TLS
//! code here — only the facts.

use serde::{Deserialize, Serialize};

/// The common name of the certificate `facteur proxy` shows a client whose
/// STARTTLS/STLS it intercepts: the explanation recognises it and says
/// that the session is intercepted.
pub const PROXY_CN: &str = "facteur proxy: interception certificate (self-signed)";

/// What the server's certificate says (RFC 5280 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Validity (§4.1.2.5), as `YYYY-MM-DD HH:MM:SS UTC`.
    pub not_before: String,
    pub not_after: String,
    /// The DNS names of subjectAltName: what a client checks (RFC 6125).
    #[serde(default)]
    pub names: Vec<String>,
}

/// A completed TLS handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handshake {
    pub version: String,
    pub cipher: String,
    /// The certificate chain was checked against trusted authorities.
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<CertInfo>,
}
