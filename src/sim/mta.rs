//! The mail transfer in the simulated world: which host takes a message,
//! the Received line each hop prepends (RFC 5321 §4.4, RFC 3848), the
//! Message-ID and Date the first MTA adds when missing, relaying to the MX
//! of another domain through a real SMTP dialogue between two simulated
//! servers (recorded, so the UI can show it), delivery by the MDA with
//! Return-Path, and bounces (RFC 3464) when delivery fails after acceptance.
//!
//! Sans-IO apart from the store: time and randomness come from the caller.

use std::collections::VecDeque;
use std::net::IpAddr;

use crate::proto::date::{paris_offset_minutes, rfc5322};
use crate::proto::message::{Header, add_fields};
use crate::proto::smtp::address::{Mailbox, parse_mailbox};
pub use crate::sim::backend::{PopView, SmtpView};
use crate::sim::itinerary::Step;
pub use crate::sim::relay::{Direction, RelayRecord};
use crate::sim::smtp_server::{Envelope, SessionInfo, SubmitError};
use crate::sim::store::Store;
use crate::sim::world::{Destination, World};

/// Hops after which a message is taken to be looping (RFC 5321 §6.3).
pub const MAX_HOPS: usize = 8;
/// Relay dialogues kept for the UI.
pub const RELAY_LOG: usize = 200;
/// …and at most this many octets of them: a message's text is summarised
/// in the log, so that a 9.5 MiB message costs a line, not 9.5 MiB.
pub const RELAY_LOG_BYTES: usize = 2 * 1024 * 1024;
/// Lines of a message's text kept at the start of a relayed DATA in the log.
pub(crate) const RELAY_DATA_LINES: usize = 12;

/// What the mailboxes may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Octets per mailbox: past it, RCPT is refused with 552 5.2.2 and a
    /// delivery that would cross it bounces (RFC 3463 §3.3, as Dovecot's
    /// quota plugin answers).
    pub quota: usize,
    /// Octets for all mailboxes together (the server's memory): past it a
    /// message is refused with 452 4.3.1 Insufficient system storage.
    pub total: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            quota: 50 * 1024 * 1024,
            total: 1024 * 1024 * 1024,
        }
    }
}

/// What a submitting session is in the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// One host of the world, e.g. `smtp.free.fr`.
    Host(String),
    /// The single port of `facteur serve`: the MX of every world domain for
    /// strangers, and the user's own ISP server once authenticated.
    Front,
}

/// A recipient that could not be delivered, and why (for the bounce).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub rcpt: String,
    pub status: String,
    pub diagnostic: String,
    pub remote: Option<String>,
}

/// The world in motion: its data, its mailboxes, the relay log.
#[derive(Debug)]
pub struct Mta {
    pub world: World,
    pub store: Store,
    pub relay_log: VecDeque<RelayRecord>,
    pub(crate) relay_log_bytes: usize,
    pub limits: Limits,
    /// The handout's steps 1 to 6, as they happened.
    pub itinerary: crate::sim::itinerary::Itinerary,
    pub(crate) now: i64,
    rng: u64,
    pub(crate) seq: u64,
}

impl Mta {
    /// `seed` feeds the queue ids and challenges (give the time and pid, or a
    /// constant in tests).
    pub fn new(world: World, store: Store, seed: u64) -> Self {
        Mta {
            world,
            store,
            relay_log: VecDeque::new(),
            relay_log_bytes: 0,
            limits: Limits::default(),
            itinerary: Default::default(),
            now: 0,
            rng: seed | 1,
            seq: 0,
        }
    }

    /// Set the current Unix time (the driver calls this before each step).
    pub fn set_now(&mut self, now: i64) {
        self.now = now;
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    fn random(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A unique number pair for challenges and timestamps.
    pub fn nonce(&mut self) -> (u64, u64) {
        (self.random() % 10_000_000_000, self.now.max(0) as u64)
    }

    /// A queue id in Postfix's style, e.g. `86A867000081`.
    pub fn queue_id(&mut self) -> String {
        self.seq += 1;
        format!(
            "{:08X}{:04X}",
            (self.random() as u32) ^ (self.now as u32),
            self.seq & 0xffff
        )
    }

    /// The SMTP backend for a session playing `role`.
    pub fn smtp(&mut self, role: Role) -> SmtpView<'_> {
        SmtpView {
            mta: self,
            role,
            hops: 0,
        }
    }

    pub(crate) fn date(&self) -> String {
        rfc5322(self.now, paris_offset_minutes(self.now))
    }

    /// The name of the host that answers for an IP in the simulated DNS.
    pub fn reverse(&self, ip: IpAddr) -> Option<String> {
        self.world
            .hosts
            .iter()
            .find(|(_, a)| IpAddr::V4(**a) == ip)
            .map(|(h, _)| h.clone())
    }

    /// Where a session's message enters the world: its host, or for the
    /// front port the authenticated user's ISP server (None: each
    /// recipient's MX takes it directly).
    pub(crate) fn entry_host(&self, role: &Role, info: &SessionInfo) -> Option<String> {
        match role {
            Role::Host(h) => Some(h.clone()),
            Role::Front => {
                let account = info.authenticated.as_ref()?;
                let m = parse_mailbox(account).ok()?;
                Some(self.world.domain(&m.domain)?.smtp.to_ascii_lowercase())
            }
        }
    }

    /// Accept a message at `host` from a client described by `info`:
    /// add Received (and Message-ID/Date on the first hop), then route it.
    pub(crate) fn accept_at(
        &mut self,
        host: &str,
        info: &SessionInfo,
        envelope: &Envelope,
        message: &[u8],
        id: &str,
        hops: usize,
    ) -> Result<(), SubmitError> {
        let mut msg = message.to_vec();
        if hops == 0 {
            let header = Header::parse(&msg);
            let mut add = String::new();
            // RFC 5322 §3.6.1 requires Date; §3.6.4 wants Message-ID. The
            // handout: "attribué par le premier MTA qui reçoit le message".
            if !header.has("Date") {
                add.push_str(&format!("Date: {}\r\n", self.date()));
            }
            if !header.has("Message-ID") {
                add.push_str(&format!("Message-ID: <{id}.{}@{host}>\r\n", self.now));
            }
            if !add.is_empty() {
                msg = add_fields(&msg, &add);
            }
        }
        let received = self.received(host, info, envelope, id);
        let mut stamped = received.into_bytes();
        stamped.extend_from_slice(&msg);
        let failures = self.route(host, envelope, &stamped, hops)?;
        self.bounce(host, envelope, &stamped, &failures, hops);
        Ok(())
    }

    /// RFC 5321 §4.4 trace line, with RFC 3848's protocol names.
    pub(crate) fn received(
        &self,
        host: &str,
        info: &SessionInfo,
        envelope: &Envelope,
        id: &str,
    ) -> String {
        let helo = info.helo.as_deref().unwrap_or("unknown");
        let ip = info
            .client_ip
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "127.0.0.1".into());
        let rdns = info.client_host.as_deref().unwrap_or("unknown");
        let with = match (info.esmtp, info.tls, info.authenticated.is_some()) {
            (false, _, _) => "SMTP",
            (true, false, false) => "ESMTP",
            (true, false, true) => "ESMTPA",
            (true, true, false) => "ESMTPS",
            (true, true, true) => "ESMTPSA",
        };
        let mut s = format!(
            "Received: from {helo} ({rdns} [{ip}])\r\n\tby {host} (facteur) with {with} id {id}"
        );
        if let [one] = envelope.to.as_slice() {
            s.push_str(&format!("\r\n\tfor <{one}>"));
        }
        s.push_str(&format!("; {}\r\n", self.date()));
        s
    }

    /// Deliver what `host` serves; relay the rest to the right MX.
    pub(crate) fn route(
        &mut self,
        host: &str,
        envelope: &Envelope,
        msg: &[u8],
        hops: usize,
    ) -> Result<Vec<Failure>, SubmitError> {
        let mut failures = Vec::new();
        let mut local: Vec<String> = Vec::new();
        let mut remote: Vec<(String, Vec<Mailbox>)> = Vec::new();
        for rcpt in &envelope.to {
            let domain = rcpt.domain_lower();
            let is_postmaster_of_host =
                rcpt.local.eq_ignore_ascii_case("postmaster") && domain.eq_ignore_ascii_case(host);
            if is_postmaster_of_host || self.world.serves_domain(host, &domain) {
                let target = if is_postmaster_of_host {
                    self.world
                        .domains
                        .iter()
                        .find(|d| self.world.serves_domain(host, &d.name))
                        .and_then(|d| parse_mailbox(&format!("postmaster@{}", d.name)).ok())
                } else {
                    Some(rcpt.clone())
                };
                match target.map(|t| self.world.destination(&t)) {
                    Some(Destination::Mailboxes(list)) => {
                        for mb in list {
                            let Ok(m) = parse_mailbox(&mb) else { continue };
                            if self.world.serves_domain(host, &m.domain) {
                                local.push(mb);
                            } else {
                                push_remote(&mut remote, m);
                            }
                        }
                    }
                    _ => failures.push(Failure {
                        rcpt: rcpt.to_string(),
                        status: "5.1.1".into(),
                        diagnostic: format!(
                            "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"
                        ),
                        remote: None,
                    }),
                }
            } else {
                push_remote(&mut remote, rcpt.clone());
            }
        }
        local.sort();
        local.dedup();
        // One body for every local mailbox (the Return-Path is the envelope's).
        let body = if local.is_empty() {
            None
        } else {
            let from = envelope
                .from
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default();
            let mut data = format!("Return-Path: <{from}>\r\n").into_bytes();
            data.extend_from_slice(msg);
            Some(std::sync::Arc::new(data))
        };
        for mailbox in local {
            let Some(body) = &body else { break };
            // RFC 3463 §3.3: X.2.2 mailbox full. The delivery bounces, as
            // Postfix does when Dovecot's LDA reports the quota exceeded.
            if self.store.mailbox_bytes(&mailbox) + body.len() > self.limits.quota {
                failures.push(Failure {
                    rcpt: mailbox.clone(),
                    status: "5.2.2".into(),
                    diagnostic: format!("552 5.2.2 <{mailbox}>: Mailbox full (quota exceeded)"),
                    remote: None,
                });
                continue;
            }
            self.store
                .deliver_shared(&mailbox, body.clone(), self.now)
                .map_err(|e| SubmitError::Storage(e.to_string()))?;
            self.itinerary.push(Step::Delivered {
                host: host.to_string(),
                mailbox,
            });
        }
        for (domain, rcpts) in remote {
            if hops + 1 >= MAX_HOPS {
                failures.extend(rcpts.iter().map(|r| Failure {
                    rcpt: r.to_string(),
                    status: "5.4.6".into(),
                    diagnostic: "554 5.4.6 mail forwarding loop (too many hops)".into(),
                    remote: None,
                }));
                continue;
            }
            match self.world.mx(&domain).map(str::to_ascii_lowercase) {
                None => failures.extend(rcpts.iter().map(|r| Failure {
                    rcpt: r.to_string(),
                    status: "5.1.2".into(),
                    diagnostic: format!("Host or domain name not found. Name service error for name={domain} type=MX: Host not found"),
                    remote: None,
                })),
                Some(mx) => {
                    let sub = Envelope {
                        from: envelope.from.clone(),
                        to: rcpts,
                    };
                    failures.extend(self.relay(host, &mx, &sub, msg, hops + 1));
                }
            }
        }
        Ok(failures)
    }
}

fn push_remote(remote: &mut Vec<(String, Vec<Mailbox>)>, m: Mailbox) {
    let d = m.domain_lower();
    match remote.iter_mut().find(|(x, _)| *x == d) {
        Some((_, v)) => v.push(m),
        None => remote.push((d, vec![m])),
    }
}
