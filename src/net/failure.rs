//! Why a connection failed, as data: each case a catalog key, so the TUI
//! says it in the reader's language. TLS failures are read from rustls'
//! error *variants* (`rustls::Error`, `CertificateError`, alerts), never
//! from the text of an error message.

use crate::explain::catalog::{fill, text};
use crate::explain::diag::io_kind;
use crate::explain::lang::Lang;

/// What went wrong, with what the reader needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetFailure {
    /// No TCP answer within the timeout.
    ConnectTimeout { addr: String, secs: u64 },
    /// RST: nothing listens on that port.
    Refused { addr: String },
    /// Any other socket error while connecting, reading or writing.
    Io {
        addr: String,
        stage: Stage,
        kind: std::io::ErrorKind,
        os: Option<i32>,
    },
    /// The host is not a name a certificate can be checked against.
    BadServerName { host: String },
    /// The TLS handshake did not finish within the timeout.
    TlsTimeout { secs: u64 },
    /// The TLS handshake failed.
    Tls { why: TlsFailure, insecure: bool },
    /// The TLS configuration could not be built (no usable protocol version).
    TlsConfig,
    /// The connection thread could not start its runtime.
    Runtime,
}

/// Where an I/O error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Connect,
    Read,
    Write,
}

/// A TLS handshake failure, by rustls' variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsFailure {
    UnknownIssuer,
    NotValidForName,
    Expired,
    NotYetValid,
    Revoked,
    BadSignature,
    OtherCertificate,
    /// The server sent a TLS alert (its name, e.g. HandshakeFailure).
    Alert(String),
    /// No protocol version or cipher suite in common.
    Incompatible,
    /// The server sent something that is not TLS (a clear-text reply?).
    NotTls,
    /// The server closed the connection during the handshake.
    Closed,
    Other,
}

impl TlsFailure {
    /// Classify the error returned by tokio-rustls' handshake.
    pub fn from_io(e: &std::io::Error) -> TlsFailure {
        use rustls::{CertificateError as C, Error as E};
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            return TlsFailure::Closed;
        }
        let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<E>()) else {
            return TlsFailure::Other;
        };
        match inner {
            E::InvalidCertificate(c) => match c {
                C::UnknownIssuer => TlsFailure::UnknownIssuer,
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    TlsFailure::NotValidForName
                }
                C::Expired | C::ExpiredContext { .. } => TlsFailure::Expired,
                C::NotValidYet | C::NotValidYetContext { .. } => TlsFailure::NotYetValid,
                C::Revoked => TlsFailure::Revoked,
                C::BadSignature | C::BadEncoding => TlsFailure::BadSignature,
                _ => TlsFailure::OtherCertificate,
            },
            E::AlertReceived(a) => TlsFailure::Alert(format!("{a:?}")),
            E::PeerIncompatible(_) => TlsFailure::Incompatible,
            E::InvalidMessage(_) | E::InappropriateMessage { .. } => TlsFailure::NotTls,
            _ => TlsFailure::Other,
        }
    }
}

impl TlsFailure {
    /// A failed handshake seen from the server's side (a student's client
    /// to `facteur serve`), in `lang`: most often the client does not trust
    /// the lab's self-signed certificate.
    pub fn describe_as_server(lang: Lang, e: &std::io::Error) -> String {
        match TlsFailure::from_io(e) {
            TlsFailure::Closed => text(lang, "serve.tls.closed"),
            TlsFailure::Alert(name) => fill(lang, "serve.tls.alert", &[&name]),
            TlsFailure::NotTls => text(lang, "serve.tls.not_tls"),
            TlsFailure::Incompatible => text(lang, "serve.tls.incompatible"),
            _ => fill(
                lang,
                "serve.tls.other",
                &[&crate::explain::diag::io_error(lang, e)],
            ),
        }
    }

    /// What went wrong, in `lang` (`insecure`: certificates were not checked).
    pub fn describe(&self, lang: Lang, insecure: bool) -> String {
        match self {
            TlsFailure::UnknownIssuer if insecure => text(lang, "net.tls.cert_other"),
            TlsFailure::UnknownIssuer => text(lang, "net.tls.unknown_issuer"),
            TlsFailure::NotValidForName => text(lang, "net.tls.wrong_name"),
            TlsFailure::Expired => text(lang, "net.tls.expired"),
            TlsFailure::NotYetValid => text(lang, "net.tls.not_yet_valid"),
            TlsFailure::Revoked => text(lang, "net.tls.revoked"),
            TlsFailure::BadSignature => text(lang, "net.tls.bad_signature"),
            TlsFailure::OtherCertificate => text(lang, "net.tls.cert_other"),
            TlsFailure::Alert(name) => fill(lang, "net.tls.alert", &[name]),
            TlsFailure::Incompatible => text(lang, "net.tls.incompatible"),
            TlsFailure::NotTls => text(lang, "net.tls.not_tls"),
            TlsFailure::Closed => text(lang, "net.tls.closed"),
            TlsFailure::Other => text(lang, "net.tls.other"),
        }
    }
}

impl NetFailure {
    /// The failure in words, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            NetFailure::ConnectTimeout { addr, secs } => {
                fill(lang, "net.connect_timeout", &[addr, secs])
            }
            NetFailure::Refused { addr } => fill(lang, "net.refused", &[addr]),
            NetFailure::Io {
                addr,
                stage,
                kind,
                os,
            } => {
                let key = match stage {
                    Stage::Connect => "net.io.connect",
                    Stage::Read => "net.io.read",
                    Stage::Write => "net.io.write",
                };
                fill(lang, key, &[addr, &io_kind(lang, *kind, *os)])
            }
            NetFailure::BadServerName { host } => fill(lang, "net.bad_server_name", &[host]),
            NetFailure::TlsTimeout { secs } => fill(lang, "net.tls_timeout", &[secs]),
            NetFailure::Tls { why, insecure } => {
                fill(lang, "net.tls_failed", &[&why.describe(lang, *insecure)])
            }
            NetFailure::TlsConfig => text(lang, "net.tls_config"),
            NetFailure::Runtime => text(lang, "net.runtime"),
        }
    }
}

impl crate::explain::diag::Describe for NetFailure {
    fn describe(&self, lang: Lang) -> String {
        NetFailure::describe(self, lang)
    }
}
