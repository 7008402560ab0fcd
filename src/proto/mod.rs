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
pub mod visible;
