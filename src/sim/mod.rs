//! The simulated mail world: data (domains, users, DNS), the SMTP and POP3
//! server sessions as sans-IO state machines, the MTA that relays between
//! simulated hosts, and the mailbox store.

pub mod mta;
pub mod pop3_server;
pub mod sasl_server;
pub mod smtp_server;
pub mod store;
pub mod world;
