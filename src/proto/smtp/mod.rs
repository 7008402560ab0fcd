//! SMTP (RFC 5321) on the wire: commands the client sends, replies the server
//! sends, addresses inside them and the EHLO extension list.

pub mod address;
pub mod command;
pub mod ehlo;
pub mod reply;

pub use address::{AddressError, Mailbox, Path};
pub use command::{Command, CommandError, Deviation, Parameter, Parsed, SyntaxProblem, Verb};
pub use ehlo::{EhloInfo, Extension};
pub use reply::{
    Category, Code, EnhancedCode, Reply, ReplyError, ReplyEvent, ReplyReader, Severity,
};
