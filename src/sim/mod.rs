//! The simulated mail world: data (domains, users, DNS), the SMTP and POP3
//! server sessions as sans-IO state machines, the MTA that relays between
//! simulated hosts, and the mailbox store.

pub mod backend;
mod bounce;
mod course;
pub mod dns;
pub mod failure;
pub mod itinerary;
pub mod mta;
pub mod pop3_server;
pub mod queue;
pub mod relay;
pub mod sasl_server;
pub mod scenario;
pub mod served;
pub mod smtp_api;
pub mod smtp_server;
pub mod spool;
pub mod store;
pub mod world;
mod world_check;

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
    /// then send `ok` — or, if they could not be written, `full` when the
    /// disk is full (ENOSPC, EDQUOT) and `failed` otherwise, after taking the
    /// undelivered messages back (`Store::discard`). This is how "250
    /// queued" is never said of a message that is not on disk, without
    /// holding the world's lock during fsync.
    SendAfterCommit {
        ok: Vec<u8>,
        failed: Vec<u8>,
        full: Vec<u8>,
    },
    /// Wait this many milliseconds before what follows (a failed login is
    /// answered slowly, so that guessing passwords costs time). The TUI's
    /// in-memory world, with one student, does not wait.
    Pause(u64),
}

/// Whether a write failed because the disk (or the quota) is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || matches!(e.raw_os_error(), Some(28 | 122))
}

/// A server session that reads its input line by line (SMTP and POP3).
pub(crate) trait LineSession {
    /// The command-line limit to go back to after a TLS upgrade.
    const COMMAND_LIMIT: usize;
    fn lines(&mut self) -> &mut crate::proto::line::LineReader;
    fn closed(&self) -> bool;
}

/// Feed bytes to a line session: each complete line is handled in turn
/// (pipelining), until the session closes. After a go-ahead for TLS, what
/// followed in the same read is dropped — RFC 3207 §4.2 and RFC 2595 §4:
/// nothing sent before the handshake may be acted on (CVE-2011-0411).
pub(crate) fn feed_lines<S: LineSession>(
    session: &mut S,
    input: &[u8],
    mut on_line: impl FnMut(&mut S, crate::proto::line::Framed, &mut Vec<Output>),
) -> Vec<Output> {
    let mut out = Vec::new();
    let mut input = input;
    while !session.closed() {
        let Some(framed) = session.lines().next_line(&mut input) else {
            break;
        };
        let before = out.len();
        on_line(session, framed, &mut out);
        if out[before..].contains(&Output::StartTls) {
            *session.lines() = crate::proto::line::LineReader::new(S::COMMAND_LIMIT);
            break;
        }
    }
    out
}
