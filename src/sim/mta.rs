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
use crate::proto::smtp::reply::{ReplyEvent, ReplyReader};
use crate::sim::itinerary::Step;
use crate::sim::smtp_server::{
    Envelope, Output, RcptDecision, SessionInfo, SmtpBackend, SmtpConfig, SmtpSession, SubmitError,
    VrfyAnswer,
};
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
const RELAY_DATA_LINES: usize = 12;

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

/// Who sent a line of a recorded dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    ClientToServer,
    ServerToClient,
}

/// One SMTP dialogue between two simulated MTAs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayRecord {
    pub from_host: String,
    pub to_host: String,
    pub at: i64,
    pub lines: Vec<(Direction, Vec<u8>)>,
}

fn record_bytes(r: &RelayRecord) -> usize {
    r.lines.iter().map(|(_, l)| l.len() + 16).sum::<usize>() + 64
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
    relay_log_bytes: usize,
    pub limits: Limits,
    /// The handout's steps 1 to 6, as they happened.
    pub itinerary: crate::sim::itinerary::Itinerary,
    now: i64,
    rng: u64,
    seq: u64,
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

    fn date(&self) -> String {
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
    fn entry_host(&self, role: &Role, info: &SessionInfo) -> Option<String> {
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
    fn accept_at(
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
    fn received(&self, host: &str, info: &SessionInfo, envelope: &Envelope, id: &str) -> String {
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
    fn route(
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

    /// A real SMTP dialogue from `from_host` (client) to `mx` (a simulated
    /// server session), recorded in the relay log.
    fn relay(
        &mut self,
        from_host: &str,
        mx: &str,
        envelope: &Envelope,
        msg: &[u8],
        hops: usize,
    ) -> Vec<Failure> {
        let info = SessionInfo {
            client_ip: self.world.address(from_host).map(IpAddr::V4),
            client_host: Some(from_host.to_string()),
            ..SessionInfo::default()
        };
        let mut session = SmtpSession::new(SmtpConfig::new(mx), info);
        let step = self.itinerary.push(Step::Relayed {
            from_host: from_host.to_string(),
            to_host: mx.to_string(),
            accepted: false,
        });
        let mut record = RelayRecord {
            from_host: from_host.to_string(),
            to_host: mx.to_string(),
            at: self.now,
            lines: Vec::new(),
        };
        let mut reader = ReplyReader::new();
        let mut last = |outs: Vec<Output>, record: &mut RelayRecord| -> Option<(u16, String)> {
            let mut reply = None;
            for o in outs {
                // The outer session's driver makes every write of this
                // whole relay durable before its own client hears 250.
                let bytes = match o {
                    Output::Send(b) | Output::SendAfterCommit { ok: b, .. } => Some(b),
                    Output::StartTls | Output::Close | Output::Pause(_) => None,
                };
                if let Some(bytes) = bytes {
                    for line in crate::proto::data::split_lines(&bytes) {
                        record
                            .lines
                            .push((Direction::ServerToClient, line.to_vec()));
                    }
                    for ev in reader.feed(&bytes) {
                        if let ReplyEvent::Reply(r) = ev {
                            reply = Some((
                                r.code.value(),
                                r.lines
                                    .last()
                                    .map(|l| {
                                        let e =
                                            l.enhanced.map(|e| format!("{e} ")).unwrap_or_default();
                                        format!("{} {e}{}", r.code, l.text)
                                    })
                                    .unwrap_or_default(),
                            ));
                        }
                    }
                }
            }
            reply
        };
        let fail_all = |rcpts: &[Mailbox], diagnostic: &str| -> Vec<Failure> {
            rcpts
                .iter()
                .map(|r| Failure {
                    rcpt: r.to_string(),
                    status: status_of(diagnostic),
                    diagnostic: diagnostic.to_string(),
                    remote: Some(mx.to_string()),
                })
                .collect()
        };
        let greeting = session.greeting();
        let _ = last(vec![greeting], &mut record);
        let send =
            |line: String, session: &mut SmtpSession, mta: &mut Mta, record: &mut RelayRecord| {
                record
                    .lines
                    .push((Direction::ClientToServer, line.clone().into_bytes()));
                let mut view = SmtpView {
                    mta,
                    role: Role::Host(mx.to_string()),
                    hops,
                };
                let mut wire = line.into_bytes();
                wire.extend_from_slice(b"\r\n");
                session.handle(&wire, &mut view)
            };
        let mut failures = Vec::new();
        let outs = send(format!("EHLO {from_host}"), &mut session, self, &mut record);
        let ehlo = last(outs, &mut record);
        let from = envelope
            .from
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default();
        let outs = send(
            format!("MAIL FROM:<{from}>"),
            &mut session,
            self,
            &mut record,
        );
        let mail = last(outs, &mut record);
        let mut accepted = Vec::new();
        if matches!(ehlo, Some((250, _))) && matches!(mail, Some((250, _))) {
            for rcpt in &envelope.to {
                let outs = send(format!("RCPT TO:<{rcpt}>"), &mut session, self, &mut record);
                match last(outs, &mut record) {
                    Some((250 | 251, _)) => accepted.push(rcpt.clone()),
                    Some((_, text)) => failures.extend(fail_all(std::slice::from_ref(rcpt), &text)),
                    None => failures.extend(fail_all(std::slice::from_ref(rcpt), "no reply")),
                }
            }
            if !accepted.is_empty() {
                let outs = send("DATA".into(), &mut session, self, &mut record);
                match last(outs, &mut record) {
                    Some((354, _)) => {
                        let wire = crate::proto::data::dot_stuff(msg);
                        // The log keeps the start of the text, then says how
                        // much followed: its memory is bounded, whatever the message.
                        let lines = crate::proto::data::split_lines(&wire);
                        let total = lines.len();
                        for line in lines.iter().take(RELAY_DATA_LINES) {
                            record
                                .lines
                                .push((Direction::ClientToServer, line.to_vec()));
                        }
                        if total > RELAY_DATA_LINES + 1 {
                            let rest: usize = lines[RELAY_DATA_LINES..total - 1]
                                .iter()
                                .map(|l| l.len() + 2)
                                .sum();
                            record.lines.push((
                                Direction::ClientToServer,
                                format!(
                                    "[… {rest} octets, {} lines …]",
                                    total - 1 - RELAY_DATA_LINES
                                )
                                .into_bytes(),
                            ));
                        }
                        if let Some(end) = lines.last().filter(|_| total > RELAY_DATA_LINES) {
                            record.lines.push((Direction::ClientToServer, end.to_vec()));
                        }
                        let mut view = SmtpView {
                            mta: self,
                            role: Role::Host(mx.to_string()),
                            hops,
                        };
                        let outs = session.handle(&wire, &mut view);
                        match last(outs, &mut record) {
                            Some((250, _)) => {}
                            Some((_, text)) => failures.extend(fail_all(&accepted, &text)),
                            None => failures.extend(fail_all(&accepted, "no reply after the data")),
                        }
                    }
                    Some((_, text)) => failures.extend(fail_all(&accepted, &text)),
                    None => failures.extend(fail_all(&accepted, "no reply to DATA")),
                }
            }
        } else {
            let text = mail
                .or(ehlo)
                .map(|(_, t)| t)
                .unwrap_or_else(|| "no reply".into());
            failures.extend(fail_all(&envelope.to, &text));
        }
        let outs = send("QUIT".into(), &mut session, self, &mut record);
        let _ = last(outs, &mut record);
        self.itinerary.relay_done(step, failures.is_empty());
        // Each line is also cut to the longest a reply or command may be.
        for (_, l) in &mut record.lines {
            l.truncate(1000);
        }
        self.relay_log_bytes += record_bytes(&record);
        self.relay_log.push_back(record);
        while self.relay_log.len() > RELAY_LOG || self.relay_log_bytes > RELAY_LOG_BYTES {
            match self.relay_log.pop_front() {
                Some(old) => self.relay_log_bytes -= record_bytes(&old),
                None => break,
            }
        }
        failures
    }

    /// RFC 3464 delivery status notification to the sender, sent with the
    /// null reverse-path `<>` so that a bounce never bounces.
    fn bounce(
        &mut self,
        host: &str,
        envelope: &Envelope,
        msg: &[u8],
        failures: &[Failure],
        hops: usize,
    ) {
        let Some(sender) = envelope.from.clone() else {
            return;
        };
        if failures.is_empty() {
            return;
        }
        let boundary = format!("{}.{}/{host}", self.now, self.seq);
        let header_end = Header::parse(msg).end;
        let original_headers = String::from_utf8_lossy(&msg[..header_end]).to_string();
        let mut report = format!(
            "From: MAILER-DAEMON@{host} (Mail Delivery System)\r\nTo: <{sender}>\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: {}\r\nMessage-ID: <{}.bounce@{host}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis is the mail system at host {host}.\r\nYour message could not be delivered to one or more recipients.\r\nCeci est le système de messagerie de {host} : votre message n'a pas pu\r\nêtre remis à un ou plusieurs destinataires.\r\n\r\n",
            self.date(),
            self.queue_id(),
        );
        for f in failures {
            report.push_str(&format!("<{}>: {}\r\n", f.rcpt, f.diagnostic));
        }
        report.push_str(&format!(
            "\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; {host}\r\nArrival-Date: {}\r\n",
            self.date()
        ));
        for f in failures {
            report.push_str(&format!(
                "\r\nFinal-Recipient: rfc822; {}\r\nAction: failed\r\nStatus: {}\r\n",
                f.rcpt, f.status
            ));
            if let Some(r) = &f.remote {
                report.push_str(&format!("Remote-MTA: dns; {r}\r\n"));
            }
            report.push_str(&format!("Diagnostic-Code: smtp; {}\r\n", f.diagnostic));
        }
        report.push_str(&format!(
            "\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{original_headers}\r\n--{boundary}--\r\n"
        ));
        let bounce_env = Envelope {
            from: None,
            to: vec![sender],
        };
        // Failures of the bounce itself are dropped: it has no sender to tell.
        let _ = self.route(host, &bounce_env, report.as_bytes(), hops);
    }
}

fn push_remote(remote: &mut Vec<(String, Vec<Mailbox>)>, m: Mailbox) {
    let d = m.domain_lower();
    match remote.iter_mut().find(|(x, _)| *x == d) {
        Some((_, v)) => v.push(m),
        None => remote.push((d, vec![m])),
    }
}

/// The enhanced status in a reply text such as `550 5.1.1 …`, else a class default.
fn status_of(diagnostic: &str) -> String {
    let mut words = diagnostic.split(' ');
    let code = words.next().unwrap_or("");
    match words
        .next()
        .and_then(crate::proto::smtp::reply::EnhancedCode::parse)
    {
        Some(e) => e.to_string(),
        None if code.starts_with('4') => "4.0.0".into(),
        None => "5.0.0".into(),
    }
}

/// [`SmtpBackend`] for a session playing a role in the world.
pub struct SmtpView<'a> {
    mta: &'a mut Mta,
    role: Role,
    hops: usize,
}

impl SmtpView<'_> {
    fn local_domain(&self) -> Option<String> {
        match &self.role {
            Role::Host(h) => self
                .mta
                .world
                .domains
                .iter()
                .find(|d| self.mta.world.serves_domain(h, &d.name))
                .map(|d| d.name.clone()),
            Role::Front => None,
        }
    }
}

impl SmtpBackend for SmtpView<'_> {
    fn postmaster(&self, hostname: &str) -> Mailbox {
        // The shared front port is no host of the world: its postmaster is
        // the first domain's (the lab's own), an alias to a real mailbox.
        let domain = match &self.role {
            Role::Host(_) => hostname.to_string(),
            Role::Front => self
                .mta
                .world
                .domains
                .first()
                .map_or_else(|| hostname.to_string(), |d| d.name.clone()),
        };
        Mailbox {
            local: "postmaster".into(),
            domain,
        }
    }

    fn check_recipient(&self, info: &SessionInfo, rcpt: &Mailbox) -> RcptDecision {
        let world = &self.mta.world;
        let may_relay = info.authenticated.is_some() || info.trusted;
        let domain = rcpt.domain_lower();
        let in_world = world.domain(&domain).is_some();
        // <Postmaster> (no domain) was given this host's name by the session.
        if let Role::Host(h) = &self.role
            && rcpt.local.eq_ignore_ascii_case("postmaster")
            && domain.eq_ignore_ascii_case(h)
        {
            return RcptDecision::Accept;
        }
        let local_here = match (&self.role, self.mta.entry_host(&self.role, info)) {
            (Role::Host(h), _) => world.serves_domain(h, &domain),
            (Role::Front, Some(entry)) => world.serves_domain(&entry, &domain),
            (Role::Front, None) => in_world,
        };
        if local_here {
            if rcpt.local.contains(['%', '!']) {
                return RcptDecision::RoutingDenied;
            }
            return match world.destination(rcpt) {
                // One mailbox already over its quota: refused at RCPT.
                Destination::Mailboxes(list)
                    if list.len() == 1
                        && self.mta.store.mailbox_bytes(&list[0]) >= self.mta.limits.quota =>
                {
                    RcptDecision::MailboxFull
                }
                Destination::Mailboxes(_) => RcptDecision::Accept,
                _ => RcptDecision::UnknownUser,
            };
        }
        if may_relay {
            RcptDecision::Accept
        } else {
            RcptDecision::RelayDenied
        }
    }

    fn verify(&self, query: &str) -> VrfyAnswer {
        let world = &self.mta.world;
        let q = query.trim().trim_start_matches('<').trim_end_matches('>');
        if let Ok(m) = parse_mailbox(q) {
            let local = match &self.role {
                Role::Host(h) => world.serves_domain(h, &m.domain),
                Role::Front => world.domain(&m.domain).is_some(),
            };
            if !local {
                return VrfyAnswer::CannotVerify;
            }
            return match world.user(&m) {
                Some(u) => VrfyAnswer::Known {
                    full_name: u.full_name.clone(),
                    address: format!("{}@{}", u.name, m.domain_lower()),
                },
                None => VrfyAnswer::Unknown,
            };
        }
        let domain = self.local_domain();
        let matches: Vec<(String, Option<String>)> = world
            .domains
            .iter()
            .filter(|d| {
                domain
                    .as_deref()
                    .is_none_or(|x| d.name.eq_ignore_ascii_case(x))
            })
            .flat_map(|d| {
                d.users
                    .iter()
                    .filter(|u| {
                        u.name.eq_ignore_ascii_case(q)
                            || u.full_name
                                .as_deref()
                                .is_some_and(|f| f.eq_ignore_ascii_case(q))
                    })
                    .map(move |u| (format!("{}@{}", u.name, d.name), u.full_name.clone()))
            })
            .collect();
        match matches.as_slice() {
            [] => VrfyAnswer::Unknown,
            [(address, full_name)] => VrfyAnswer::Known {
                full_name: full_name.clone(),
                address: address.clone(),
            },
            many => VrfyAnswer::Ambiguous(many.iter().map(|(a, _)| a.clone()).collect()),
        }
    }

    fn expand(&self, list: &str) -> Option<Vec<String>> {
        let q = list.trim().trim_start_matches('<').trim_end_matches('>');
        self.mta
            .world
            .list_members(q, self.local_domain().as_deref())
    }

    fn account(&self, login: &str) -> Option<(String, String)> {
        // A host authenticates the users of the domains it is the ISP server
        // of (smtp.free.fr knows fred, not marc); the front port knows everyone.
        let world = &self.mta.world;
        let (account, user) = match &self.role {
            Role::Front => world.account(login, None)?,
            Role::Host(h) => world.account_where(login, |d| d.smtp.eq_ignore_ascii_case(h))?,
        };
        Some((account, user.password.clone()))
    }

    fn submit(
        &mut self,
        info: &SessionInfo,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<String, SubmitError> {
        // The server's memory for mail is bounded by configuration, never
        // by a client: past it, 452 4.3.1 (RFC 3463 §3.4).
        if self.mta.store.total_bytes() + message.len() > self.mta.limits.total {
            return Err(SubmitError::NoSpace);
        }
        let id = self.mta.queue_id();
        // Step 1 is the first hand-over only; later hops are step 2.
        if self.hops == 0 {
            let host = self.mta.entry_host(&self.role, info).unwrap_or_default();
            self.mta.itinerary.push(Step::Submitted {
                host,
                from: envelope
                    .from
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                to: envelope.to.iter().map(|m| m.to_string()).collect(),
                id: id.clone(),
            });
        }
        match self.mta.entry_host(&self.role, info) {
            Some(host) => self
                .mta
                .accept_at(&host, info, envelope, message, &id, self.hops)?,
            None => {
                // Front port, stranger: each recipient domain's MX takes its share.
                let mut by_mx: Vec<(String, Vec<Mailbox>)> = Vec::new();
                for rcpt in &envelope.to {
                    let mx = self
                        .mta
                        .world
                        .mx(&rcpt.domain)
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    match by_mx.iter_mut().find(|(h, _)| *h == mx) {
                        Some((_, v)) => v.push(rcpt.clone()),
                        None => by_mx.push((mx, vec![rcpt.clone()])),
                    }
                }
                for (mx, to) in by_mx {
                    let env = Envelope {
                        from: envelope.from.clone(),
                        to,
                    };
                    self.mta
                        .accept_at(&mx, info, &env, message, &id, self.hops)?;
                }
            }
        }
        Ok(id)
    }

    fn nonce(&mut self) -> (u64, u64) {
        self.mta.nonce()
    }
}

/// [`crate::sim::pop3_server::Pop3Backend`] over the world's mailboxes.
pub struct PopView<'a> {
    pub mta: &'a mut Mta,
    /// The POP3 host played (its domain resolves bare logins), or None for the front port.
    pub host: Option<String>,
}

impl crate::sim::pop3_server::Pop3Backend for PopView<'_> {
    fn account(&self, login: &str) -> Option<(String, String)> {
        // A POP3 host serves the mailboxes of its own domains only.
        let world = &self.mta.world;
        let (account, user) = match &self.host {
            None => world.account(login, None)?,
            Some(h) => world.account_where(login, |d| {
                d.pop.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(h))
            })?,
        };
        Some((account, user.password.clone()))
    }

    fn lock(
        &mut self,
        mailbox: &str,
    ) -> Result<Vec<crate::sim::store::StoredMessage>, crate::sim::store::Locked> {
        let drop = self.mta.store.lock(mailbox)?;
        self.mta.itinerary.push(Step::MaildropOpened {
            mailbox: mailbox.to_string(),
            messages: drop.len(),
        });
        Ok(drop)
    }

    fn retrieved(&mut self, mailbox: &str, msg: u32, octets: usize) {
        self.mta.itinerary.push(Step::Retrieved {
            mailbox: mailbox.to_string(),
            msg,
            octets,
        });
    }

    fn unlock(&mut self, mailbox: &str) {
        self.mta.store.unlock(mailbox);
    }

    fn commit(&mut self, mailbox: &str, deleted: &[String]) -> std::io::Result<()> {
        let r = self.mta.store.remove(mailbox, deleted);
        self.mta.store.unlock(mailbox);
        if r.is_ok() {
            self.mta.itinerary.push(Step::Updated {
                mailbox: mailbox.to_string(),
                removed: deleted.len(),
            });
        }
        r
    }

    fn nonce(&mut self) -> (u64, u64) {
        self.mta.nonce()
    }
}
