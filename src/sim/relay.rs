//! The relay between two simulated MTAs: the sending host looks up the
//! recipient domain's MX in the world's DNS, tries each host by preference
//! (RFC 5321 §5.1) — a host that is down or greets with 421 sends it to the
//! next — and holds a real SMTP dialogue with the first that answers (a
//! simulated server session), recorded line by line in the relay log so
//! that the UI can show it.

use std::net::IpAddr;

use crate::proto::smtp::address::Mailbox;
use crate::proto::smtp::reply::{Code, EnhancedCode, ReplyEvent, ReplyReader, Severity};
use crate::sim::backend::SmtpView;
use crate::sim::dns::{QType, Route};
use crate::sim::itinerary::Step;
use crate::sim::mta::{Failure, Mta, RELAY_DATA_LINES, RELAY_LOG, RELAY_LOG_BYTES, Role};
use crate::sim::scenario::FaultKind;
use crate::sim::smtp_server::{Envelope, Output, SessionInfo, SmtpConfig, SmtpSession, Trouble};

/// Who sent a line of a recorded dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    ClientToServer,
    ServerToClient,
}

/// One SMTP dialogue between two simulated MTAs (or an attempt that never
/// reached a dialogue: `note` then says why, as Postfix logs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayRecord {
    pub from_host: String,
    pub to_host: String,
    pub at: i64,
    pub lines: Vec<(Direction, Vec<u8>)>,
    pub note: Option<String>,
}

pub(crate) fn record_bytes(r: &RelayRecord) -> usize {
    r.lines.iter().map(|(_, l)| l.len() + 16).sum::<usize>()
        + 64
        + r.note.as_ref().map_or(0, String::len)
}

/// How one dialogue ended.
struct Outcome {
    failures: Vec<Failure>,
    /// Nothing was accepted and the trouble was the host's, not the
    /// message's (no greeting, 421, a cut before any RCPT answer): the next
    /// MX may be tried.
    next_mx: bool,
}

impl Mta {
    /// Send `envelope`'s recipients (all in `domain`) from `from_host`:
    /// the MX lookup, then each MX by preference until one takes the
    /// dialogue. What could not be delivered comes back, temporary (4.x.x:
    /// the queue keeps it) or permanent (5.x.x: the sender gets a bounce).
    pub(crate) fn send_remote(
        &mut self,
        from_host: &str,
        domain: &str,
        envelope: &Envelope,
        msg: &[u8],
        hops: usize,
    ) -> Vec<Failure> {
        self.log_dns(domain, QType::Mx);
        let route = crate::sim::dns::route(&self.world, domain);
        self.itinerary.push(Step::MxLookup {
            host: from_host.to_string(),
            domain: domain.to_string(),
            route: route.clone(),
        });
        let all = |status: &str, diagnostic: String| -> Vec<Failure> {
            envelope
                .to
                .iter()
                .map(|r| Failure::local(&r.to_string(), status, diagnostic.clone()))
                .collect()
        };
        let hosts = match route {
            // Postfix's words; RFC 3463 §3.2: X.1.2 bad destination system.
            Route::NotFound => {
                return all(
                    "5.1.2",
                    format!(
                        "Host or domain name not found. Name service error for name={domain} type=MX: Host not found"
                    ),
                );
            }
            // RFC 7505 §4.1: no attempt at all, returned at once with 5.1.10.
            Route::Null => {
                return all(
                    "5.1.10",
                    format!("Domain {domain} does not accept mail (nullMX)"),
                );
            }
            Route::Hosts(h) => h,
        };
        let mut last = Vec::new();
        for (_, mx) in hosts {
            self.log_dns(&mx, QType::A);
            let ip = self
                .world
                .address(&mx)
                .map_or_else(|| mx.clone(), |a| format!("{mx}[{a}]"));
            let fault = self.fault(&mx).map(|f| f.kind);
            let listening = self.world.smtp_hosts().contains(&mx);
            let why = match fault {
                Some(FaultKind::Timeout) => Some("Connection timed out"),
                Some(FaultKind::Refused) => Some("Connection refused"),
                _ if !listening => Some("Connection refused"),
                _ => None,
            };
            if let Some(why) = why {
                // RFC 3463 §3.5: X.4.1 no answer from host.
                let note = format!("connect to {ip}:25: {why}");
                self.itinerary.push(Step::Unreachable {
                    from_host: from_host.to_string(),
                    to_host: mx.clone(),
                    timeout: fault == Some(FaultKind::Timeout),
                });
                self.log_relay(RelayRecord {
                    from_host: from_host.to_string(),
                    to_host: mx.clone(),
                    at: self.now,
                    lines: Vec::new(),
                    note: Some(note.clone()),
                });
                last = all("4.4.1", note);
                for f in &mut last {
                    f.remote = Some(mx.clone());
                }
                continue;
            }
            let outcome = self.relay(from_host, &mx, envelope, msg, hops);
            if !outcome.next_mx {
                return outcome.failures;
            }
            last = outcome.failures;
        }
        last
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
    ) -> Outcome {
        let info = SessionInfo {
            client_ip: self.world.address(from_host).map(IpAddr::V4),
            client_host: Some(from_host.to_string()),
            ..SessionInfo::default()
        };
        let mut cfg = SmtpConfig::new(mx);
        cfg.trouble = self.trouble(mx);
        let mut session = SmtpSession::new(cfg, info);
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
            note: None,
        };
        let ip = self
            .world
            .address(mx)
            .map_or_else(|| mx.to_string(), |a| format!("{mx}[{a}]"));
        let mut reader = ReplyReader::new();
        let mut last = |outs: Vec<Output>, record: &mut RelayRecord| -> Option<Answer> {
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
                            let line = r.lines.last();
                            let enhanced = line.and_then(|l| l.enhanced);
                            let text = line
                                .map(|l| {
                                    let e = enhanced.map(|e| format!("{e} ")).unwrap_or_default();
                                    format!("{} {e}{}", r.code, l.text)
                                })
                                .unwrap_or_default();
                            reply = Some(Answer {
                                code: r.code,
                                enhanced,
                                text,
                            });
                        }
                    }
                }
            }
            reply
        };
        // A reply to `command` for these recipients; no reply at all is a
        // lost connection (Postfix's words, RFC 3463 X.4.2 bad connection).
        let fail = |rcpts: &[Mailbox], reply: Option<Answer>, command: &'static str| {
            rcpts
                .iter()
                .map(|r| match &reply {
                    Some(a) => Failure {
                        rcpt: r.to_string(),
                        status: a.status().to_string(),
                        diagnostic: a.text.clone(),
                        remote: Some(mx.to_string()),
                        in_reply_to: Some(command),
                    },
                    None => Failure {
                        rcpt: r.to_string(),
                        status: "4.4.2".into(),
                        diagnostic: format!("lost connection with {ip} while {}", lost(command)),
                        remote: Some(mx.to_string()),
                        in_reply_to: None,
                    },
                })
                .collect::<Vec<_>>()
        };
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
        let greeting = last(vec![session.greeting()], &mut record);
        let mut out = Outcome {
            failures: Vec::new(),
            next_mx: false,
        };
        // RFC 5321 §3.1: a 421 (or 554) greeting, or none: this host will
        // not talk; the next MX may.
        if !greeting
            .as_ref()
            .is_some_and(|a| a.code == Code::SERVICE_READY)
        {
            out.failures = fail(&envelope.to, greeting, "greeting");
            out.next_mx = true;
            return self.relay_end(step, record, out);
        }
        let outs = send(format!("EHLO {from_host}"), &mut session, self, &mut record);
        let ehlo = last(outs, &mut record);
        if !ehlo.as_ref().is_some_and(|a| a.code == Code::OK) {
            out.next_mx = ehlo
                .as_ref()
                .is_none_or(|a| a.code.severity() != Severity::PermanentNegative);
            out.failures = fail(&envelope.to, ehlo, "EHLO");
            return self.relay_end_quit(step, record, out, session);
        }
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
        if !mail.as_ref().is_some_and(|a| a.code == Code::OK) {
            out.next_mx = mail
                .as_ref()
                .is_none_or(|a| a.code.severity() != Severity::PermanentNegative);
            out.failures = fail(&envelope.to, mail, "MAIL FROM");
            return self.relay_end_quit(step, record, out, session);
        }
        let mut accepted = Vec::new();
        for (i, rcpt) in envelope.to.iter().enumerate() {
            let outs = send(format!("RCPT TO:<{rcpt}>"), &mut session, self, &mut record);
            match last(outs, &mut record) {
                Some(a) if a.code == Code::OK || a.code == Code::WILL_FORWARD => {
                    accepted.push(rcpt.clone())
                }
                Some(r) => {
                    out.failures
                        .extend(fail(std::slice::from_ref(rcpt), Some(r), "RCPT TO"))
                }
                None => {
                    // The connection is gone: this recipient and the rest wait.
                    out.next_mx = accepted.is_empty() && out.failures.is_empty();
                    out.failures
                        .extend(fail(&envelope.to[i..], None, "RCPT TO"));
                    out.failures.extend(fail(&accepted, None, "RCPT TO"));
                    return self.relay_end_quit(step, record, out, session);
                }
            }
        }
        if accepted.is_empty() {
            return self.relay_end_quit(step, record, out, session);
        }
        let outs = send("DATA".into(), &mut session, self, &mut record);
        match last(outs, &mut record) {
            Some(a) if a.code == Code::START_MAIL_INPUT => {}
            r => {
                out.failures.extend(fail(&accepted, r, "DATA"));
                return self.relay_end_quit(step, record, out, session);
            }
        }
        let wire = crate::proto::data::dot_stuff(msg);
        log_data(&mut record, &wire);
        let mut view = SmtpView {
            mta: self,
            role: Role::Host(mx.to_string()),
            hops,
        };
        let outs = session.handle(&wire, &mut view);
        match last(outs, &mut record) {
            Some(a) if a.code == Code::OK => {}
            r => out.failures.extend(fail(&accepted, r, "end of DATA")),
        }
        self.relay_end_quit(step, record, out, session)
    }

    /// QUIT if the server is still there, then keep the record.
    fn relay_end_quit(
        &mut self,
        step: u64,
        mut record: RelayRecord,
        out: Outcome,
        mut session: SmtpSession,
    ) -> Outcome {
        if !session.is_closed() {
            record
                .lines
                .push((Direction::ClientToServer, b"QUIT".to_vec()));
            let mut view = SmtpView {
                mta: self,
                role: Role::Host(record.to_host.clone()),
                hops: 0,
            };
            for o in session.handle(b"QUIT\r\n", &mut view) {
                if let Output::Send(b) = o {
                    for line in crate::proto::data::split_lines(&b) {
                        record
                            .lines
                            .push((Direction::ServerToClient, line.to_vec()));
                    }
                }
            }
        }
        self.relay_end(step, record, out)
    }

    fn relay_end(&mut self, step: u64, record: RelayRecord, out: Outcome) -> Outcome {
        self.itinerary.relay_done(step, out.failures.is_empty());
        self.log_relay(record);
        out
    }

    /// What a faulty host does in a dialogue (421 or a cut), if anything now.
    pub fn trouble(&self, host: &str) -> Option<(Trouble, crate::sim::scenario::Point)> {
        let f = self.fault(host)?;
        let t = match f.kind {
            FaultKind::Unavailable => Trouble::Unavailable,
            FaultKind::Drop => Trouble::Drop,
            FaultKind::Refused | FaultKind::Timeout => return None,
        };
        Some((t, f.point()))
    }

    /// Keep a record in the relay log, bounded in count and octets.
    pub(crate) fn log_relay(&mut self, mut record: RelayRecord) {
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
    }
}

/// The start of a message's text in the log, then how much followed: its
/// memory is bounded, whatever the message.
fn log_data(record: &mut RelayRecord, wire: &[u8]) {
    let lines = crate::proto::data::split_lines(wire);
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
}

/// Postfix's "lost connection with HOST while …" for each stage.
fn lost(command: &str) -> &'static str {
    match command {
        "greeting" => "receiving the initial server greeting",
        "EHLO" => "performing the EHLO handshake",
        "MAIL FROM" => "sending MAIL FROM",
        "RCPT TO" => "sending RCPT TO",
        "DATA" => "sending DATA command",
        _ => "sending end of data -- message may be sent more than once",
    }
}

/// The last reply of an exchange, typed as it was read.
struct Answer {
    code: Code,
    enhanced: Option<EnhancedCode>,
    /// Its last line, as said: the DSN's Diagnostic-Code (RFC 3464 §2.3.6).
    text: String,
}

impl Answer {
    /// The status a DSN reports (RFC 3464 §2.3.4): the reply's enhanced
    /// code, or its class's X.0.0 (RFC 3463 §3.1).
    /// A positive reply where another was needed (a 250 to DATA) is no
    /// delivery either: 5.0.0.
    fn status(&self) -> EnhancedCode {
        match (self.enhanced, self.code.severity()) {
            // A 2.x.x code on a reply that did not deliver is no status.
            (Some(e), _) if e.class != 2 => e,
            (_, Severity::TransientNegative) => EnhancedCode::new(4, 0, 0),
            (_, _) => EnhancedCode::new(5, 0, 0),
        }
    }
}
