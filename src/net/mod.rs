//! The network edge: the only place (with the TUI's event loop) that uses
//! tokio. It moves bytes between sockets and the sans-IO sessions.

pub mod client;
pub mod conn;
pub mod failure;
pub mod link;
pub mod proxy;
pub mod serve;
pub mod tls;
