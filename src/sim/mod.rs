//! The simulated mail world: data (domains, users, DNS), the SMTP and POP3
//! server sessions as sans-IO state machines, the MTA that relays between
//! simulated hosts, and the mailbox store.

pub mod mta;
pub mod pop3_server;
pub mod sasl_server;
pub mod smtp_server;
pub mod store;
pub mod world;

/// What a server session asks its driver to do (SMTP and POP3 alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send these bytes.
    Send(Vec<u8>),
    /// Start the TLS handshake now (the go-ahead reply was just sent), then
    /// tell the session with its `tls_established`.
    StartTls,
    /// Close the connection.
    Close,
    /// Make the store's pending writes durable first (`Store::take_pending`),
    /// then send `ok` — or `failed` if they could not be written, after
    /// taking the undelivered messages back (`Store::discard`). This is how
    /// "250 queued" is never said of a message that is not on disk, without
    /// holding the world's lock during fsync.
    SendAfterCommit { ok: Vec<u8>, failed: Vec<u8> },
}
