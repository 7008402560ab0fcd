//! The sans-IO protocol core: bytes in, typed items out. Nothing here reads a
//! socket, a clock or a terminal; tokio, ratatui and crossterm are never named
//! (a test in `tests/architecture.rs` keeps it so).

pub mod data;
pub mod date;
pub mod line;
pub mod message;
pub mod pop3;
pub mod sasl;
pub mod smtp;
pub mod tls;
pub mod visible;

use serde::{Deserialize, Serialize};

/// The two protocols facteur speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto {
    Smtp,
    Pop3,
}

impl Proto {
    /// `smtp` / `pop3` (the transcript's and the lesson's word for it).
    pub fn parse(word: &str) -> Option<Proto> {
        match word.to_ascii_lowercase().as_str() {
            "smtp" => Some(Proto::Smtp),
            "pop3" => Some(Proto::Pop3),
            _ => None,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Proto::Smtp => "smtp",
            Proto::Pop3 => "pop3",
        }
    }

    /// `SMTP` / `POP3`, as shown.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Smtp => "SMTP",
            Proto::Pop3 => "POP3",
        }
    }
}

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    Client,
    Server,
    /// A TLS handshake completed (no line: see `handshake`).
    Tls,
    /// A new connection within the same recording (`/open` in the TUI):
    /// see `open`. Later lines belong to it.
    Open,
}
