//! The explanation engine: pure functions from what was typed or received
//! to explanations, in French and English. The CLI workbench, and later the
//! TUI, the lesson checker and the exporters, all call these same functions.

pub mod catalog;
pub mod decode;
pub mod lang;

pub use catalog::{fill, text};
pub use lang::Lang;
