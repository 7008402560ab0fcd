//! The transcript of a session, in JSON (serde):
//!
//! ```json
//! { "version": 1, "host": "smtp.free.fr", "port": 25, "protocol": "smtp",
//!   "simulated": true, "started": 1795681145,
//!   "events": [
//!     { "t_ms": 0,    "dir": "server", "line": "220 smtp.free.fr ESMTP facteur" },
//!     { "t_ms": 1200, "dir": "client", "line": "EHLO lab" },
//!     { "t_ms": 2100, "dir": "client", "line": "STARTTLS" },
//!     { "t_ms": 2150, "dir": "server", "line": "220 2.0.0 Ready to start TLS" },
//!     { "t_ms": 2180, "dir": "tls", "handshake": { "version": "TLSv1_3",
//!         "cipher": "TLS13_AES_256_GCM_SHA384", "verified": true,
//!         "cert": { "subject": "CN=smtp.free.fr", "issuer": "CN=facteur lab CA",
//!                   "not_before": "2026-11-01 00:00:00 UTC",
//!                   "not_after": "2027-11-01 00:00:00 UTC", "names": ["smtp.free.fr"] } } },
//!     { "t_ms": 3000, "dir": "client", "line_base64": "/w==", "tls": true } ] }
//! ```
//!
//! Each `client` or `server` event is one line without its CRLF, in `line`
//! when it is UTF-8, else in `line_base64` (exact bytes, never lost); `tls`
//! marks lines sent inside TLS; `t_ms` counts from the start. A `tls` event
//! is the handshake itself (RFC 3207, RFC 2595, RFC 8314): version, cipher,
//! whether the certificate was verified, and the certificate's subject,
//! issuer, validity and names when known. An `open` event starts a new
//! connection in the same recording (`"open": {"host": "pop.wanadoo.fr",
//! "port": 110, "protocol": "pop3"}`): fred sends, then marc reads. A file that does not parse gets
//! an error naming its line and column.
//!
//! A session read from a capture (`src/session/capture/`) adds three
//! optional fields, absent from every other transcript: `tcp` on the first
//! line of a connection (the addresses, the three-way handshake and how the
//! connection ended, RFC 9293 §3.5), `gap` on a `client`/`server` event that
//! has no line (so many octets the capture never saw, RFC 9293 §3.4), and
//! `sealed` on a `tls` event that has no handshake (the encrypted rest of
//! the session: its size and what its hellos said in clear).

use serde::{Deserialize, Serialize};

pub use crate::proto::Dir;
use crate::proto::sasl::{decode_base64, encode_base64};
pub use crate::proto::tls::{CertInfo, Handshake};

/// The version this code writes and reads.
pub const VERSION: u32 = 1;

/// Where a connection goes (the transcript's own, or an `open` event's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// `smtp` or `pop3`.
    pub protocol: String,
}

/// How one side ended a connection, as a capture saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpEnd {
    /// `client` or `server`.
    pub by: Dir,
    /// `fin` (an orderly close, RFC 9293 §3.6) or `rst` (an abort, §3.5.2).
    pub flag: String,
    /// Microseconds since the transcript's start.
    pub t_us: u64,
}

/// The TCP connection under a session, as a capture saw it (RFC 9293).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpFacts {
    /// `192.0.2.77:51234`, `[2001:db8::1]:51234`.
    pub client: String,
    pub server: String,
    /// The three-way handshake (RFC 9293 §3.5), microseconds since the
    /// transcript's start; absent when the capture began later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syn_us: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syn_ack_us: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_us: Option<u64>,
    /// FIN and RST segments, first of each side, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends: Vec<TcpEnd>,
}

/// The encrypted part of a captured session: what can be counted and what
/// the hellos say in clear (RFC 8446 §4.1.2, §4.1.3; RFC 6066 §3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    /// TLS records and their octets, both directions.
    pub records: u64,
    pub bytes: u64,
    /// TLS from the first octet (ports 465, 995): nothing of the session is readable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub implicit: bool,
    /// The server name the client asked for (SNI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// The highest version the client offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<String>,
    /// The version and cipher suite the server chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
}

/// One line of the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub t_ms: u64,
    pub dir: Dir,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_base64: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tls: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake: Option<Handshake>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<Endpoint>,
    /// From a capture: the connection under this, its first line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<Box<TcpFacts>>,
    /// From a capture: so many octets of this side were never captured here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<u64>,
    /// From a capture: the encrypted rest of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Sealed>,
    /// Watched or proxied: a line of so many octets (its ending included)
    /// passed here, too long to keep (it was forwarded whole).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long: Option<u64>,
}

impl Event {
    /// An event for these exact bytes.
    pub fn new(t_ms: u64, dir: Dir, bytes: &[u8], tls: bool) -> Event {
        let (line, line_base64) = match std::str::from_utf8(bytes) {
            Ok(s) => (Some(s.to_string()), None),
            Err(_) => (None, Some(encode_base64(bytes))),
        };
        Event {
            t_ms,
            dir,
            line,
            line_base64,
            tls,
            handshake: None,
            open: None,
            tcp: None,
            gap: None,
            sealed: None,
            long: None,
        }
    }

    /// The event of octets a capture missed.
    pub fn gap(t_ms: u64, dir: Dir, octets: u64) -> Event {
        Event {
            gap: Some(octets),
            ..Event::new(t_ms, dir, b"", false)
        }
        .without_line()
    }

    /// The event of a line too long to keep (`octets`: its length).
    pub fn long_line(t_ms: u64, dir: Dir, octets: u64) -> Event {
        Event {
            long: Some(octets),
            ..Event::new(t_ms, dir, b"", false)
        }
        .without_line()
    }

    /// The event of the encrypted rest of a captured session.
    pub fn sealed(t_ms: u64, sealed: Sealed) -> Event {
        Event {
            sealed: Some(sealed),
            ..Event::new(t_ms, Dir::Tls, b"", true)
        }
        .without_line()
    }

    fn without_line(mut self) -> Event {
        self.line = None;
        self.line_base64 = None;
        self
    }

    /// The event of a new connection.
    pub fn open(t_ms: u64, to: Endpoint) -> Event {
        Event {
            t_ms,
            dir: Dir::Open,
            line: None,
            line_base64: None,
            tls: false,
            handshake: None,
            open: Some(to),
            tcp: None,
            gap: None,
            sealed: None,
            long: None,
        }
    }

    /// The event of a completed TLS handshake.
    pub fn handshake(t_ms: u64, handshake: Handshake) -> Event {
        Event {
            t_ms,
            dir: Dir::Tls,
            line: None,
            line_base64: None,
            tls: true,
            handshake: Some(handshake),
            open: None,
            tcp: None,
            gap: None,
            sealed: None,
            long: None,
        }
    }

    /// The exact bytes of the line.
    pub fn bytes(&self) -> Vec<u8> {
        match (&self.line, &self.line_base64) {
            (Some(s), _) => s.as_bytes().to_vec(),
            (None, Some(b)) => decode_base64(b).unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }
}

/// A whole recorded session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transcript {
    pub version: u32,
    pub host: String,
    pub port: u16,
    /// `smtp` or `pop3`.
    pub protocol: String,
    /// Recorded against facteur's simulated world (not a real server).
    pub simulated: bool,
    /// Unix time of the start.
    pub started: i64,
    pub events: Vec<Event>,
}

/// Why a transcript file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranscriptError {
    #[error("transcript, line {line} column {column}: {message}")]
    Parse {
        line: usize,
        column: usize,
        /// The value's path, e.g. `events[3].dir`.
        path: String,
        message: String,
    },
    #[error("transcript version {0}: this facteur reads version {VERSION}")]
    Version(u32),
    #[error(
        "transcript event {index}: it has neither \"line\" nor \"line_base64\", or its base64 is invalid"
    )]
    NoLine { index: usize },
    #[error(
        "transcript event {index}: a \"tls\" event needs \"handshake\" (or, from a capture, \"sealed\") and no line"
    )]
    NoHandshake { index: usize },
    #[error(
        "transcript event {index}: an \"open\" event needs \"open\": {{host, port, protocol smtp|pop3}} and no line"
    )]
    NoEndpoint { index: usize },
    #[error("transcript: protocol \"{0}\" is neither \"smtp\" nor \"pop3\"")]
    Protocol(String),
    #[error("transcript: \"started\" is {0}, not a date between 1970 and 9999")]
    Started(i64),
}

/// The last second of year 9999: a transcript's dates stay within
/// 1970–9999, so that every date computed from them is exact.
pub const LATEST: i64 = 253_402_300_799;

impl TranscriptError {
    /// The error in `lang`.
    pub fn describe(&self, lang: crate::explain::Lang) -> String {
        use crate::explain::fill;
        let what = match self {
            TranscriptError::Parse {
                line,
                column,
                path,
                message,
            } => crate::json::Place {
                line: *line,
                column: *column,
                path: path.clone(),
                message: message.clone(),
            }
            .describe(lang),
            TranscriptError::Version(v) => fill(lang, "diag.transcript.version", &[v, &VERSION]),
            TranscriptError::NoLine { index } => fill(lang, "diag.transcript.no_line", &[index]),
            TranscriptError::NoHandshake { index } => {
                fill(lang, "diag.transcript.no_handshake", &[index])
            }
            TranscriptError::NoEndpoint { index } => {
                fill(lang, "diag.transcript.no_endpoint", &[index])
            }
            TranscriptError::Protocol(p) => fill(
                lang,
                "diag.transcript.protocol",
                &[&crate::proto::visible::visible_str(p)],
            ),
            TranscriptError::Started(v) => fill(lang, "diag.transcript.started", &[v]),
        };
        fill(lang, "diag.transcript", &[&what])
    }
}

impl Transcript {
    /// A transcript with no line yet, of a real server (not simulated),
    /// started at 0: what a watcher or a capture's list starts from.
    pub fn header(host: &str, port: u16, protocol: &str) -> Transcript {
        Transcript {
            version: VERSION,
            host: host.to_string(),
            port,
            protocol: protocol.to_string(),
            simulated: false,
            started: 0,
            events: Vec::new(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Transcript, TranscriptError> {
        let t: Transcript = crate::json::from_str(text).map_err(|p| TranscriptError::Parse {
            line: p.line,
            column: p.column,
            path: p.path,
            message: p.message,
        })?;
        if t.version != VERSION {
            return Err(TranscriptError::Version(t.version));
        }
        if t.protocol != "smtp" && t.protocol != "pop3" {
            return Err(TranscriptError::Protocol(t.protocol));
        }
        if !(0..=LATEST).contains(&t.started) {
            return Err(TranscriptError::Started(t.started));
        }
        for (index, e) in t.events.iter().enumerate() {
            let has_line = e.line.is_some() || e.line_base64.is_some();
            if e.dir == Dir::Open {
                let ok = e
                    .open
                    .as_ref()
                    .is_some_and(|o| o.protocol == "smtp" || o.protocol == "pop3");
                if !ok || has_line {
                    return Err(TranscriptError::NoEndpoint { index });
                }
                continue;
            }
            if e.dir == Dir::Tls {
                if e.handshake.is_some() == e.sealed.is_some() || has_line {
                    return Err(TranscriptError::NoHandshake { index });
                }
                continue;
            }
            if e.gap.is_some() || e.long.is_some() {
                if has_line {
                    return Err(TranscriptError::NoLine { index });
                }
                continue;
            }
            let ok = e.line.is_some()
                || e.line_base64
                    .as_deref()
                    .is_some_and(|b| decode_base64(b).is_ok());
            if !ok {
                return Err(TranscriptError::NoLine { index });
            }
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_non_utf8_bytes() {
        let t = Transcript {
            version: VERSION,
            host: "smtp.free.fr".into(),
            port: 25,
            protocol: "smtp".into(),
            simulated: true,
            started: 1_796_000_000,
            events: vec![
                Event::new(0, Dir::Server, b"220 smtp.free.fr ESMTP facteur", false),
                Event::new(1200, Dir::Client, b"EHLO \xff", true),
            ],
        };
        let json = t.to_json();
        assert!(json.contains("\"line_base64\": \"RUhMTyD/\""), "{json}");
        let back = Transcript::from_json(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.events[1].bytes(), b"EHLO \xff");
    }

    #[test]
    fn errors_name_the_place() {
        let e = Transcript::from_json("{\n \"version\": 1,\n \"host\": 3\n}").unwrap_err();
        assert!(matches!(e, TranscriptError::Parse { line: 3, .. }), "{e}");
        let e = Transcript::from_json(r#"{"version": 1, "host": "h", "port": 1, "protocol": "smtp", "simulated": false, "started": 9223372036854775000, "events": []}"#).unwrap_err();
        assert_eq!(e, TranscriptError::Started(9_223_372_036_854_775_000));
        let e = Transcript::from_json(r#"{"version": 9, "host": "h", "port": 1, "protocol": "smtp", "simulated": false, "started": 0, "events": []}"#).unwrap_err();
        assert_eq!(e, TranscriptError::Version(9));
        let e = Transcript::from_json(r#"{"version": 1, "host": "h", "port": 1, "protocol": "smtp", "simulated": false, "started": 0, "events": [{"t_ms": 0, "dir": "client"}]}"#).unwrap_err();
        assert_eq!(e, TranscriptError::NoLine { index: 0 });
    }
}
