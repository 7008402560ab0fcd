//! The explanation engine: pure functions from what was typed or received
//! to explanations, in French and English. The CLI workbench, and later the
//! TUI, the lesson checker and the exporters, all call these same functions.

pub mod annotation;
pub mod arguments;
pub mod catalog;
pub mod command;
pub mod decode;
pub mod delivery;
pub mod diag;
pub mod dialogue;
pub mod dsn;
pub mod fields;
pub mod lang;
pub mod line;
pub mod message;
pub mod pop3;
pub mod realworld;
pub mod reply;
pub mod state;
pub mod tls;

pub use catalog::{fill, text};
pub use lang::Lang;
