//! facteur — telnet with annotations: a sans-IO SMTP/POP3 core, a pure
//! explanation engine, the simulated world, sessions (transcripts, replay,
//! export), lessons, and thin edges (CLI, network, TUI).
//!
//! Nothing a user types, a server sends or a file holds may reach a panic:
//! the lints below make `unwrap`, `expect` and `panic!` errors in library code.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod cli_args;
pub mod cli_help;
pub mod explain;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod json;
pub mod lesson;
pub mod net;
pub mod proto;
pub mod session;
pub mod sim;
pub mod tui;
pub mod workbench;
