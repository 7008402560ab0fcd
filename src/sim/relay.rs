//! The relay between two simulated MTAs: a real SMTP dialogue from the
//! sending host (client) to the receiving one (a simulated server session),
//! recorded line by line in the relay log so that the UI can show it.

use std::net::IpAddr;

use crate::proto::smtp::address::Mailbox;
use crate::proto::smtp::reply::{ReplyEvent, ReplyReader};
use crate::sim::backend::SmtpView;
use crate::sim::itinerary::Step;
use crate::sim::mta::{Failure, Mta, RELAY_DATA_LINES, RELAY_LOG, RELAY_LOG_BYTES, Role};
use crate::sim::smtp_server::{Envelope, Output, SessionInfo, SmtpConfig, SmtpSession};

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

pub(crate) fn record_bytes(r: &RelayRecord) -> usize {
    r.lines.iter().map(|(_, l)| l.len() + 16).sum::<usize>() + 64
}

impl Mta {
    /// A real SMTP dialogue from `from_host` (client) to `mx` (a simulated
    /// server session), recorded in the relay log.
    pub(crate) fn relay(
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
