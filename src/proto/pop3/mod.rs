//! POP3 (RFC 1939, extended by RFC 2449 CAPA/response codes, RFC 2595 STLS
//! and RFC 5034 AUTH) on the wire: commands, responses, APOP.

pub mod apop;
pub mod command;
pub mod response;

pub use command::{Command, CommandError, Shape, SyntaxProblem, Verb};
pub use response::{Response, ResponseEvent, ResponseReader, Status, StatusLine};
