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
use crate::sim::bounce::Report;
pub use crate::sim::failure::Failure;
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

/// The world's clock: the real time the driver gives, run `speed` times
/// faster from the moment the world started, plus the time jumped with
/// `/wait` (the queue is run at each moment a retry falls due).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Clock {
    /// (real, simulated) time when the world started.
    pub(crate) origin: Option<(i64, i64)>,
    pub(crate) offset: i64,
    /// The world's time when a restarted server stopped (its queue files
    /// say it): the clock starts again from there, not from the real time,
    /// if that is later.
    pub(crate) resume: Option<i64>,
}

/// One question asked of the world's DNS (by an MTA or by `/dig`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuery {
    /// Its number: questions asked before it.
    pub seq: u64,
    pub at: i64,
    pub name: String,
    pub qtype: crate::sim::dns::QType,
}

/// Questions the DNS log keeps.
pub const DNS_LOG: usize = 200;
/// Greylisting triplets kept (older ones are forgotten first).
pub const GREYLIST_MAX: usize = 50_000;

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
    /// Messages waiting for another attempt (RFC 5321 §4.5.4.1).
    pub queue: crate::sim::queue::Queue,
    /// The questions the world's DNS answered, oldest first.
    pub dns_log: VecDeque<DnsQuery>,
    /// How many questions the DNS was asked in all.
    pub dns_asked: u64,
    /// Greylisting (RFC 6647): when each (client IP, sender, recipient)
    /// triplet was first seen.
    pub(crate) greylist: std::collections::HashMap<(String, String, String), i64>,
    pub(crate) now: i64,
    pub(crate) clock: Clock,
    rng: u64,
    pub(crate) seq: u64,
}

impl Mta {
    /// `seed` feeds the queue ids and challenges (give the time and pid, or a
    /// constant in tests).
    pub fn new(world: World, store: Store, seed: u64) -> Self {
        let mut mta = Mta {
            world,
            store,
            relay_log: VecDeque::new(),
            relay_log_bytes: 0,
            limits: Limits::default(),
            itinerary: Default::default(),
            queue: Default::default(),
            dns_log: VecDeque::new(),
            dns_asked: 0,
            greylist: Default::default(),
            now: 0,
            clock: Clock::default(),
            rng: seed | 1,
            seq: 0,
        };
        mta.restore_queue();
        mta
    }

    /// The driver reads the real clock (Unix time) before each step; the
    /// world's time runs from it at the world's speed (`clock.speed`),
    /// plus what `/wait` jumped, and never goes back.
    pub fn set_now(&mut self, real: i64) {
        let start = real.max(self.clock.resume.unwrap_or(real));
        let (r0, s0) = *self.clock.origin.get_or_insert((real, start));
        let speed = i64::from(self.world.clock.speed.max(1));
        let t = s0
            .saturating_add(real.saturating_sub(r0).saturating_mul(speed))
            .saturating_add(self.clock.offset);
        self.now = self.now.max(t);
    }

    /// When the world started (simulated time).
    pub fn started(&self) -> i64 {
        self.clock.origin.map_or(self.now, |(_, s)| s)
    }

    /// The fault the world gives `host` now, if any.
    pub fn fault(&self, host: &str) -> Option<crate::sim::scenario::Fault> {
        let f = self.world.faults.get(&host.to_ascii_lowercase())?;
        f.active(self.now - self.started()).then_some(*f)
    }

    /// The octets `mailbox` may hold, and whether going past them is a
    /// temporary failure: the user's quota, else the domain's, else the
    /// server's (`--quota`).
    pub fn quota(&self, mailbox: &str) -> (usize, bool) {
        let m = parse_mailbox(mailbox).ok();
        let domain = m.as_ref().and_then(|m| self.world.domain(&m.domain));
        let user = m.as_ref().and_then(|m| self.world.user(m));
        let quota = user
            .and_then(|u| u.quota)
            .or(domain.and_then(|d| d.quota))
            .unwrap_or(self.limits.quota);
        (quota, domain.is_some_and(|d| d.quota_tempfail))
    }

    /// Ask the world's DNS, as an MTA or `/dig` does; the question is logged.
    pub fn dig(&mut self, name: &str, qtype: crate::sim::dns::QType) -> crate::sim::dns::Dig {
        self.log_dns(name, qtype);
        crate::sim::dns::dig(&self.world, name, qtype)
    }

    pub(crate) fn log_dns(&mut self, name: &str, qtype: crate::sim::dns::QType) {
        self.dns_log.push_back(DnsQuery {
            seq: self.dns_asked,
            at: self.now,
            name: name.trim_end_matches('.').to_ascii_lowercase(),
            qtype,
        });
        self.dns_asked += 1;
        while self.dns_log.len() > DNS_LOG {
            self.dns_log.pop_front();
        }
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
        loop {
            self.seq += 1;
            let id = format!(
                "{:08X}{:04X}",
                (self.random() as u32) ^ (self.now as u32),
                self.seq & 0xffff
            );
            // Unique among the messages a restarted server found queued.
            if !self.queue.entries.iter().any(|e| e.id == id) {
                return id;
            }
        }
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
        let (later, failed): (Vec<Failure>, Vec<Failure>) =
            failures.into_iter().partition(Failure::temporary);
        let message = std::sync::Arc::new(stamped);
        let arrival = self.now;
        self.bounce(
            host,
            envelope.from.as_ref(),
            &message,
            &failed,
            hops,
            Report::Failed { arrival },
        );
        // RFC 5321 §4.5.4.1: a temporary failure keeps the message in the
        // queue of the host that holds it, for another attempt later.
        if !later.is_empty() {
            self.enqueue(host, id, envelope.from.clone(), later, message, hops);
        }
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
                    _ => failures.push(Failure::local(
                        &rcpt.to_string(),
                        "5.1.1",
                        format!("550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"),
                    )),
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
            // Postfix does when Dovecot's LDA reports the quota exceeded —
            // or, with quota_tempfail, waits in this host's queue.
            let (quota, tempfail) = self.quota(&mailbox);
            if self.store.mailbox_bytes(&mailbox) + body.len() > quota {
                failures.push(if tempfail {
                    Failure::local(
                        &mailbox,
                        "4.2.2",
                        format!(
                            "452 4.2.2 <{mailbox}>: Mailbox full (quota exceeded), try again later"
                        ),
                    )
                } else {
                    Failure::local(
                        &mailbox,
                        "5.2.2",
                        format!("552 5.2.2 <{mailbox}>: Mailbox full (quota exceeded)"),
                    )
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
                failures.extend(rcpts.iter().map(|r| {
                    Failure::local(
                        &r.to_string(),
                        "5.4.6",
                        "554 5.4.6 mail forwarding loop (too many hops)".into(),
                    )
                }));
                continue;
            }
            let sub = Envelope {
                from: envelope.from.clone(),
                to: rcpts,
            };
            failures.extend(self.send_remote(host, &domain, &sub, msg, hops + 1));
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
