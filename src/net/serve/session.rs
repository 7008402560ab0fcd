//! One connection of `facteur serve`: the server session (SMTP or POP3,
//! the simulator's sans-IO state machines) driven over a socket that may
//! switch to TLS, with every limit that keeps one client from hurting the
//! room — backpressure, deadlines, throttled logins, shutdown.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use super::{Listener, Shared, down, lock, unix_now};
use crate::explain::catalog::{fill, text};
use crate::explain::diag::io_error;
use crate::net::conn::Conn;
use crate::net::failure::TlsFailure;
use crate::proto::Proto;
use crate::session::watch::Watch;
use crate::sim::Output;
use crate::sim::mta::Role;
use crate::sim::pop3_server::{Pop3Config, Pop3Session};
use crate::sim::served::Served;
use crate::sim::smtp_server::{SessionInfo, SmtpConfig, SmtpSession};

/// Output produced from one read is bounded: a POP3 session is fed line by
/// line and feeding stops once this much is waiting to be written (a
/// pipelined `RETR` × 2,000 produces one message at a time, each written
/// before the next is read); an SMTP session, whose replies are a few lines
/// each, takes a whole read at once. What one session can hold is this,
/// plus one reply (at most one message, `--max-size`), plus one 16 KiB read.
const OUTPUT_BOUND: usize = 64 * 1024;

/// Writes go out in pieces of this size, each with its own deadline: a
/// client that reads slowly but reads is served; one that stops reading
/// is cut off after the idle timeout.
const WRITE_PIECE: usize = 64 * 1024;

pub(super) async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    kind: Listener,
    shared: &Shared,
) {
    let started = Instant::now();
    let port = stream.local_addr().map_or(0, |a| a.port());
    let mut conn = Conn::Plain(stream);
    if kind.implicit_tls {
        match tokio::time::timeout(shared.cfg.handshake_timeout, conn.start_tls(&shared.tls)).await
        {
            Ok(Ok(c)) => conn = c,
            Ok(Err(e)) => {
                shared.log(fill(
                    shared.cfg.lang,
                    "serve.log.tls_failed",
                    &[&peer, &TlsFailure::describe_as_server(shared.cfg.lang, &e)],
                ));
                return;
            }
            Err(_) => {
                shared.log(fill(shared.cfg.lang, "serve.log.tls_timeout", &[&peer]));
                return;
            }
        }
    }
    let name = kind.name().to_string();
    if down::answers_nothing(&kind, peer, &name, shared).await {
        return;
    }
    // Watched (`--watch`) or recorded (`--record-dir`): both sides' lines
    // as they pass, as `facteur proxy` does — from here, where a session
    // begins (a failed handshake or a host that is down made none).
    let mut tap = (shared.cfg.record_dir.is_some() || shared.cfg.room.is_some()).then(|| {
        let mut w = Watch::new(shared.cfg.lang, kind.name(), port, kind.proto, unix_now())
            .unexplained()
            .simulated();
        if let Some(room) = &shared.cfg.room {
            w.watched_in(room.clone(), &peer.to_string());
        }
        if let Some(h) = conn.handshake(&shared.cert_der) {
            w.tls_up(0, h);
        }
        w
    });
    let mut served: Served = {
        let mut mta = lock(shared);
        mta.set_now(unix_now());
        match kind.proto {
            Proto::Smtp => {
                let info = SessionInfo {
                    client_ip: Some(peer.ip()),
                    client_host: mta.reverse(peer.ip()),
                    tls: kind.implicit_tls,
                    ..SessionInfo::default()
                };
                let mut cfg = SmtpConfig::new(&name);
                cfg.max_size = shared.cfg.max_size;
                cfg.auth_failure_delay_ms = shared.cfg.auth_delay.as_millis() as u64;
                cfg.starttls = true;
                cfg.auth_requires_tls = shared.cfg.require_tls_for_auth;
                cfg.trouble = kind.host.as_deref().and_then(|h| mta.trouble(h));
                let role = match &kind.host {
                    Some(h) => Role::Host(h.clone()),
                    None => Role::Front,
                };
                Served::smtp(SmtpSession::new(cfg, info), role)
            }
            Proto::Pop3 => {
                let mut cfg = Pop3Config::new(&name);
                cfg.stls = true;
                cfg.auth_failure_delay_ms = shared.cfg.auth_delay.as_millis() as u64;
                cfg.auth_requires_tls = shared.cfg.require_tls_for_auth;
                let mut session = Pop3Session::new(cfg, mta.nonce());
                if kind.implicit_tls {
                    session.tls_established();
                }
                Served::pop3(session, kind.host.clone())
            }
        }
    };
    let ending = drive(conn, &mut served, shared, peer, &mut tap, started).await;
    let mut conn = ending.conn;
    if let Some(c) = conn.as_mut() {
        c.shutdown().await;
    }
    lock(shared).set_now(unix_now());
    // Closed by the protocol (QUIT), or not: seen before the session is told.
    let closed = served.is_closed();
    // Whatever happened, a POP3 maildrop still held is released, removing
    // nothing (RFC 1939 §6: only QUIT enters UPDATE).
    served.lost(&mut lock(shared));
    let end = match (ending.why, closed) {
        (Why::Timeout, _) => "serve.end.timeout",
        (Why::Stalled, _) => "serve.end.stalled",
        (Why::Shutdown, _) => "serve.end.shutdown",
        (Why::Handshake, _) => "serve.end.handshake",
        (Why::Ended, true) => "serve.end.closed",
        (Why::Ended, false) => "serve.end.left",
    };
    let lang = shared.cfg.lang;
    let end = text(lang, end);
    let mut line = fill(
        lang,
        "serve.log.session",
        &[
            &if kind.proto == Proto::Smtp {
                "smtp"
            } else {
                "pop3"
            },
            &peer,
            &name,
            &served.summary(),
            &ending.tls.unwrap_or_else(|| "-".into()),
            &end,
            &format!("{:.1}", started.elapsed().as_secs_f64()),
        ],
    );
    if let Some(mut t) = tap {
        t.ended(&end);
        if let Some(dir) = &shared.cfg.record_dir {
            let file = crate::net::proxy::record_name(t.live.started, peer, t.account.as_deref());
            let path = dir.join(file);
            match std::fs::write(&path, t.transcript().to_json()) {
                Ok(()) => line.push_str(&fill(lang, "proxy.log.recorded", &[&path.display()])),
                Err(e) => line.push_str(&fill(
                    lang,
                    "proxy.log.not_recorded",
                    &[&crate::explain::diag::io_error(lang, &e)],
                )),
            }
        }
    }
    shared.log(line);
}

/// Why a session ended, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Ended,
    Timeout,
    /// A write made no progress within the idle timeout.
    Stalled,
    Shutdown,
    Handshake,
}

struct Ending {
    conn: Option<Conn>,
    why: Why,
    tls: Option<String>,
}

/// Write `bytes` in pieces, each within `deadline`; false if the client
/// stopped reading or the connection broke.
async fn write_paced(conn: &mut Conn, bytes: &[u8], deadline: Duration) -> bool {
    for piece in bytes.chunks(WRITE_PIECE) {
        match tokio::time::timeout(deadline, conn.write_all(piece)).await {
            Ok(Ok(())) => {}
            _ => return false,
        }
    }
    true
}

/// Move bytes between the connection and the session until it ends.
async fn drive(
    conn: Conn,
    served: &mut Served,
    shared: &Shared,
    peer: SocketAddr,
    tap: &mut Option<Watch>,
    started: Instant,
) -> Ending {
    let ms = || started.elapsed().as_millis() as u64;
    // What the client sent after STARTTLS/STLS, held for the tap until the
    // server's answer says whether it is read (refused) or not (go-ahead).
    let mut tap_held: Vec<u8> = Vec::new();
    let idle = shared.cfg.idle_timeout;
    let mut conn = conn;
    let mut tls = conn.tls_summary();
    let mut shutdown = shared.shutdown.subscribe();
    let mut pending: std::collections::VecDeque<Output> = [served.greeting()].into();
    let mut backlog: Vec<u8> = Vec::new();
    let mut fed = 0usize;
    let mut buf = vec![0u8; 16 * 1024];
    let mut why = Why::Ended;
    let mut line_deadline: Option<tokio::time::Instant> = None;
    let mut to_commit: Vec<crate::sim::store::PendingWrite> = Vec::new();
    if *shutdown.borrow() {
        pending.clear();
        pending.extend(served.shutdown());
        why = Why::Shutdown;
    }
    loop {
        // 1. What the session said, in order.
        while let Some(o) = pending.pop_front() {
            match o {
                Output::Send(bytes) => {
                    if let Some(t) = tap.as_mut() {
                        tap_server(t, &mut tap_held, ms(), &bytes);
                    }
                    if !write_paced(&mut conn, &bytes, idle).await {
                        return Ending {
                            conn: None,
                            why: Why::Stalled,
                            tls,
                        };
                    }
                }
                Output::Close => {
                    return Ending {
                        conn: Some(conn),
                        why,
                        tls,
                    };
                }
                // A failed login: its answer waits, longer as failures from
                // this address add up across all its sessions. Only this
                // session waits; a shutdown does not.
                Output::Pause(ms) => {
                    let wait = shared.per_ip.login_failed(
                        peer.ip(),
                        Instant::now(),
                        shared.cfg.auth_delay,
                        Duration::from_millis(ms),
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => {
                            pending.clear();
                            pending.extend(served.shutdown());
                            why = Why::Shutdown;
                        }
                    }
                }
                Output::SendAfterCommit { ok, failed, full } => {
                    let writes = std::mem::take(&mut to_commit);
                    let result = if writes.is_empty() {
                        Ok(())
                    } else {
                        // fsync off the world's lock, in the blocking pool, so that
                        // sessions commit in parallel.
                        let job = writes.clone();
                        match tokio::task::spawn_blocking(move || {
                            job.iter().try_for_each(|w| w.write())
                        })
                        .await
                        {
                            Ok(r) => r,
                            Err(e) => Err(std::io::Error::other(e.to_string())),
                        }
                    };
                    let bytes = match result {
                        Ok(()) => {
                            // On disk now: the octets leave memory.
                            lock(shared).store.committed(&writes);
                            ok
                        }
                        Err(e) => {
                            shared.log(fill(
                                shared.cfg.lang,
                                "serve.log.store_refused",
                                &[&peer, &io_error(shared.cfg.lang, &e)],
                            ));
                            lock(shared).refuse_writes(&writes);
                            if crate::sim::is_disk_full(&e) {
                                full
                            } else {
                                failed
                            }
                        }
                    };
                    if let Some(t) = tap.as_mut() {
                        tap_server(t, &mut tap_held, ms(), &bytes);
                    }
                    if !write_paced(&mut conn, &bytes, idle).await {
                        return Ending {
                            conn: None,
                            why: Why::Stalled,
                            tls,
                        };
                    }
                }
                Output::StartTls => {
                    // RFC 3207 §4.2 / RFC 2595 §4: anything the client sent
                    // after STARTTLS in clear is discarded, never read as
                    // part of the TLS session (CVE-2011-0411).
                    backlog.clear();
                    fed = 0;
                    let handshake = tokio::time::timeout(
                        shared.cfg.handshake_timeout,
                        conn.start_tls(&shared.tls),
                    );
                    match handshake.await {
                        Ok(Ok(c)) => {
                            conn = c;
                            tls = conn.tls_summary();
                            served.tls_established();
                            if let (Some(t), Some(h)) =
                                (tap.as_mut(), conn.handshake(&shared.cert_der))
                            {
                                t.tls_up(ms(), h);
                            }
                        }
                        Ok(Err(e)) => {
                            shared.log(fill(
                                shared.cfg.lang,
                                "serve.log.tls_failed",
                                &[&peer, &TlsFailure::describe_as_server(shared.cfg.lang, &e)],
                            ));
                            return Ending {
                                conn: None,
                                why: Why::Handshake,
                                tls,
                            };
                        }
                        Err(_) => {
                            shared.log(fill(shared.cfg.lang, "serve.log.tls_timeout", &[&peer]));
                            return Ending {
                                conn: None,
                                why: Why::Handshake,
                                tls,
                            };
                        }
                    }
                }
            }
        }
        if why != Why::Ended || served.is_closed() {
            return Ending {
                conn: Some(conn),
                why,
                tls,
            };
        }
        // 2. Input already read: fed line by line, until enough output waits.
        if fed < backlog.len() {
            let mut mta = lock(shared);
            mta.set_now(unix_now());
            let mut produced = 0usize;
            // POP3 is fed line by line (one command can answer megabytes);
            // SMTP up to the next line that is "." alone, where a message
            // ends. Feeding stops at the first output that is not plain
            // bytes, so a message's commit holds that message's writes only
            // (two messages pipelined in one read were committed as one, and
            // the second was told 250 whatever happened to it).
            let one_line = served.amplifies();
            while fed < backlog.len() && produced < OUTPUT_BOUND {
                let end = if one_line {
                    backlog[fed..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(backlog.len(), |i| fed + i + 1)
                } else {
                    // At most about 4 KiB of commands at a time, so that the
                    // output bound also holds for SMTP (1,300 pipelined EXPN
                    // in one read answered 1 MB at once).
                    let dot = crate::proto::data::through_dot_line(&backlog, fed);
                    let cut = fed + 4096;
                    match backlog
                        .get(cut..)
                        .and_then(|r| r.iter().position(|&b| b == b'\n'))
                    {
                        Some(i) if cut + i + 1 < dot => cut + i + 1,
                        _ => dot,
                    }
                };
                let outs = served.input(&backlog[fed..end], &mut mta);
                fed = end;
                let mut stop = false;
                for o in &outs {
                    match o {
                        Output::Send(b) => produced += b.len(),
                        _ => stop = true,
                    }
                }
                pending.extend(outs);
                if stop {
                    break;
                }
            }
            // The writes this step queued belong to this session's next commit.
            to_commit.extend(mta.store.take_pending());
            drop(mta);
            if fed >= backlog.len() {
                backlog.clear();
                fed = 0;
            }
            line_deadline = match (served.line_pending(), line_deadline) {
                (false, _) => None,
                (true, Some(d)) => Some(d),
                (true, None) => Some(tokio::time::Instant::now() + idle),
            };
            continue;
        }
        // 3. Read more. The idle timeout runs from the last read — and, for
        // a command line, from its first byte: dripping bytes does not keep
        // it alive.
        let wait = match line_deadline {
            Some(d) => d.saturating_duration_since(tokio::time::Instant::now()),
            None => idle,
        };
        tokio::select! {
            read = tokio::time::timeout(wait, conn.read(&mut buf)) => match read {
                Err(_) => {
                    let mut mta = lock(shared);
                    mta.set_now(unix_now());
                    why = Why::Timeout;
                    pending.extend(served.timeout(&mut mta));
                }
                Ok(Ok(0)) | Ok(Err(_)) => {
                    return Ending { conn: None, why, tls };
                }
                Ok(Ok(n)) => {
                    if let Some(t) = tap.as_mut() {
                        tap_client(t, &mut tap_held, ms(), &buf[..n]);
                    }
                    backlog.extend_from_slice(&buf[..n]);
                }
            },
            _ = shutdown.changed() => {
                pending.extend(served.shutdown());
                why = Why::Shutdown;
            }
        }
    }
}

/// Client bytes to the tap; past a STARTTLS/STLS line, held for its answer.
fn tap_client(t: &mut Watch, held: &mut Vec<u8>, ms: u64, data: &[u8]) {
    if t.awaiting_tls() {
        held.extend_from_slice(data);
        return;
    }
    if let Some(end) = t.client(ms, data) {
        held.extend_from_slice(&data[end..]);
    }
}

/// Server bytes to the tap. STARTTLS refused: what the client sent after
/// it was read by the server, so the tap reads it too; accepted: it was
/// discarded (RFC 3207 §4.2, CVE-2011-0411), and so it is here.
fn tap_server(t: &mut Watch, held: &mut Vec<u8>, ms: u64, data: &[u8]) {
    if let Some((end, go)) = t.server(ms, data) {
        let rest = std::mem::take(held);
        if !go {
            if !rest.is_empty() {
                tap_client(t, held, ms, &rest);
            }
            // The answers to those lines may follow in the same write.
            if end < data.len() {
                tap_server(t, held, ms, &data[end..]);
            }
        }
    }
}
