//! The mail queue of the world's MTAs: a message that met a temporary
//! failure (a 4xx reply, a host that is down, a full mailbox with
//! quota_tempfail) waits in the queue of the host that holds it and is
//! tried again on Postfix's schedule — the wait doubles from
//! `minimal_backoff_time` up to `maximal_backoff_time` (RFC 5321 §4.5.4.1
//! asks for retries and a give-up time of at least 4-5 days). Past
//! `delay_warning_time` the sender gets a warning (RFC 3464, Action:
//! delayed); past `maximal_queue_lifetime` the message is returned with
//! the last temporary reason as its Diagnostic-Code. Time is the MTA's
//! `now`: the driver moves it, `advance` jumps it.

use std::sync::Arc;

use crate::proto::smtp::address::{Mailbox, parse_mailbox};
use crate::sim::bounce::Report;
use crate::sim::itinerary::Step;
use crate::sim::mta::{Failure, Mta};
use crate::sim::smtp_server::Envelope;

/// A message waiting in a host's queue.
#[derive(Debug, Clone)]
pub struct Queued {
    /// Its queue id (the one "250 … queued as" gave).
    pub id: String,
    /// The host whose queue holds it.
    pub host: String,
    pub from: Option<Mailbox>,
    /// The recipients still to deliver, each with its last reason.
    pub pending: Vec<Failure>,
    pub message: Arc<Vec<u8>>,
    pub hops: usize,
    pub arrival: i64,
    pub next_try: i64,
    /// Delivery attempts so far (the first one included).
    pub attempts: u32,
    /// The delay warning was sent.
    pub warned: bool,
}

/// All the world's queues (each entry says its host).
#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub entries: Vec<Queued>,
    /// Octets the queued messages hold (they count against the server's
    /// memory cap, `--max-memory`, like the mailboxes).
    held: usize,
}

impl Queue {
    /// Octets held by the queued messages.
    pub fn bytes(&self) -> usize {
        self.held
    }

    fn recount(&mut self) {
        self.held = self.entries.iter().map(|e| e.message.len()).sum();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// When the next attempt falls due.
    pub fn next_due(&self) -> Option<i64> {
        self.entries.iter().map(|e| e.next_try).min()
    }
}

/// What a queue run did, for the log and the TUI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueEvent {
    /// Tried again and still waiting: the reason, the wait before the
    /// next attempt, and its time.
    Deferred {
        id: String,
        reason: String,
        wait: i64,
        next: i64,
    },
    /// These recipients got it at last (delivered here, or taken by the
    /// next hop: Postfix's `status=sent`).
    Delivered { id: String, rcpts: Vec<String> },
    /// Returned to the sender: refused for good, or too old (`expired`).
    Bounced {
        id: String,
        rcpts: Vec<String>,
        expired: bool,
    },
    /// The sender was warned that the message is delayed.
    Warned { id: String },
}

/// Attempts one `advance` may make, against a world that would loop.
const MAX_RUNS: usize = 10_000;

impl Mta {
    /// Keep a message whose first attempt met temporary failures.
    pub(crate) fn enqueue(
        &mut self,
        host: &str,
        id: &str,
        from: Option<Mailbox>,
        pending: Vec<Failure>,
        message: Arc<Vec<u8>>,
        hops: usize,
    ) {
        let next = self.now + self.world.queue.backoff(0);
        self.itinerary.push(Step::Deferred {
            host: host.to_string(),
            id: id.to_string(),
            rcpts: pending.iter().map(|f| f.rcpt.clone()).collect(),
            next,
        });
        self.queue.entries.push(Queued {
            id: id.to_string(),
            host: host.to_string(),
            from,
            pending,
            message,
            hops,
            arrival: self.now,
            next_try: next,
            attempts: 1,
            warned: false,
        });
        if let Some(e) = self.queue.entries.last() {
            self.queue.held += e.message.len();
            // On disk before the 250 (RFC 5321 §6.1), with a disk store.
            self.store.queue_save(e, self.now);
        }
    }

    /// A session's writes could not be made durable, and its client is
    /// told so (451/452): the messages are taken back from the mailboxes
    /// and from the queue — the client will send them again, and nothing
    /// is delivered that was not acknowledged.
    pub fn refuse_writes(&mut self, writes: &[crate::sim::store::PendingWrite]) {
        use crate::sim::store::PendingWrite;
        self.store.discard(writes);
        let saved: Vec<&str> = writes
            .iter()
            .filter_map(|w| match w {
                PendingWrite::Queue(q) if q.is_save() => Some(q.id.as_str()),
                _ => None,
            })
            .collect();
        if !saved.is_empty() {
            // A save of this commit may already be on disk (the write that
            // failed came after it): removed now, or a restart would take
            // back — and deliver — a message its client was told was refused.
            for id in &saved {
                let _ = self.store.queue_remove_now(id);
            }
            self.queue
                .entries
                .retain(|e| !saved.contains(&e.id.as_str()));
            self.queue.recount();
        }
    }

    /// Take back the messages a disk store's queue held when it was opened
    /// (a server restarted): they wait for their next attempt as before.
    pub(crate) fn restore_queue(&mut self) {
        let found = std::mem::take(&mut self.store.queue_found);
        if let Some(t) = found.saved_at {
            // The world's clock resumes where it was (it never goes back).
            self.clock.resume = Some(t);
        }
        self.queue.entries.extend(found.queued);
        self.queue.recount();
    }

    /// Try again every message whose time has come (Postfix's queue manager).
    pub fn run_queue(&mut self) -> Vec<QueueEvent> {
        let now = self.now;
        let (due, wait): (Vec<Queued>, Vec<Queued>) = std::mem::take(&mut self.queue.entries)
            .into_iter()
            .partition(|e| e.next_try <= now);
        self.queue.entries = wait;
        let mut events = Vec::new();
        for e in due {
            self.attempt(e, &mut events);
        }
        self.queue.recount();
        events
    }

    /// Try every message now, whatever its schedule (`postqueue -f`,
    /// `/flush`).
    pub fn flush(&mut self) -> Vec<QueueEvent> {
        let all = std::mem::take(&mut self.queue.entries);
        let mut events = Vec::new();
        for e in all {
            self.attempt(e, &mut events);
        }
        self.queue.recount();
        events
    }

    /// Let `secs` of simulated time pass at once (`/wait`): each retry,
    /// warning and expiry happens at its own moment on the way.
    pub fn advance(&mut self, secs: i64) -> Vec<QueueEvent> {
        let secs = secs.max(0);
        let target = self.now.saturating_add(secs);
        let mut events = Vec::new();
        for _ in 0..MAX_RUNS {
            match self.queue.next_due() {
                Some(t) if t <= target => {
                    self.now = self.now.max(t);
                    events.extend(self.run_queue());
                }
                _ => break,
            }
        }
        self.clock.offset = self.clock.offset.saturating_add(secs);
        self.now = self.now.max(target);
        events
    }

    fn attempt(&mut self, mut e: Queued, events: &mut Vec<QueueEvent>) {
        let to: Vec<Mailbox> = e
            .pending
            .iter()
            .filter_map(|f| parse_mailbox(&f.rcpt).ok())
            .collect();
        let env = Envelope {
            from: e.from.clone(),
            to,
        };
        let failures = match self.route(&e.host, &env, &e.message, e.hops) {
            Ok(f) => f,
            // RFC 3463 §3.4: X.3.0 other mail system problem; try again.
            Err(err) => env
                .to
                .iter()
                .map(|r| Failure::local(&r.to_string(), "4.3.0", format!("local error: {err}")))
                .collect(),
        };
        e.attempts += 1;
        let delivered: Vec<String> = env
            .to
            .iter()
            .map(|m| m.to_string())
            .filter(|r| !failures.iter().any(|f| f.rcpt.eq_ignore_ascii_case(r)))
            .collect();
        if !delivered.is_empty() {
            events.push(QueueEvent::Delivered {
                id: e.id.clone(),
                rcpts: delivered,
            });
        }
        let (later, failed): (Vec<Failure>, Vec<Failure>) =
            failures.into_iter().partition(Failure::temporary);
        let report = Report::Failed { arrival: e.arrival };
        if !failed.is_empty() {
            self.bounce(
                &e.host,
                e.from.as_ref(),
                &e.message,
                &failed,
                e.hops,
                report,
            );
            events.push(QueueEvent::Bounced {
                id: e.id.clone(),
                rcpts: failed.iter().map(|f| f.rcpt.clone()).collect(),
                expired: false,
            });
        }
        if later.is_empty() {
            self.store.queue_remove(&e.id);
            return;
        }
        let q = self.world.queue;
        let age = self.now - e.arrival;
        // maximal_queue_lifetime: the last temporary reason becomes the
        // bounce's Diagnostic-Code (its 4.x.x Status kept, as Postfix does).
        if age >= q.maximal_queue_lifetime.0 {
            self.bounce(&e.host, e.from.as_ref(), &e.message, &later, e.hops, report);
            events.push(QueueEvent::Bounced {
                id: e.id.clone(),
                rcpts: later.iter().map(|f| f.rcpt.clone()).collect(),
                expired: true,
            });
            self.store.queue_remove(&e.id);
            return;
        }
        if !e.warned && q.delay_warning_time.0 > 0 && age >= q.delay_warning_time.0 {
            let until = e.arrival + q.maximal_queue_lifetime.0;
            let warn = Report::Delayed {
                arrival: e.arrival,
                until,
            };
            self.bounce(&e.host, e.from.as_ref(), &e.message, &later, e.hops, warn);
            e.warned = true;
            events.push(QueueEvent::Warned { id: e.id.clone() });
        }
        let wait = q.backoff(age);
        e.next_try = self.now + wait;
        e.pending = later;
        self.itinerary.push(Step::Deferred {
            host: e.host.clone(),
            id: e.id.clone(),
            rcpts: e.pending.iter().map(|f| f.rcpt.clone()).collect(),
            next: e.next_try,
        });
        events.push(QueueEvent::Deferred {
            id: e.id.clone(),
            reason: e
                .pending
                .first()
                .map(|f| f.reason(&self.world))
                .unwrap_or_default(),
            wait,
            next: e.next_try,
        });
        self.store.queue_save(&e, self.now);
        self.queue.entries.push(e);
    }

    /// The queue as Postfix's `mailq` (`postqueue -p`) prints it.
    pub fn mailq(&self) -> Vec<String> {
        if self.queue.is_empty() {
            return vec!["Mail queue is empty".into()];
        }
        let mut out =
            vec!["-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------".into()];
        let mut bytes = 0usize;
        for e in &self.queue.entries {
            bytes += e.message.len();
            let sender = e
                .from
                .as_ref()
                .map_or_else(|| "MAILER-DAEMON".to_string(), |m| m.to_string());
            out.push(format!(
                "{:<12}{:>8} {:>20} {sender}",
                e.id,
                e.message.len(),
                ctime(e.arrival)
            ));
            let mut reasons: Vec<(String, Vec<&str>)> = Vec::new();
            for f in &e.pending {
                let r = f.reason(&self.world);
                match reasons.iter_mut().find(|(x, _)| *x == r) {
                    Some((_, v)) => v.push(&f.rcpt),
                    None => reasons.push((r, vec![&f.rcpt])),
                }
            }
            for (reason, rcpts) in reasons {
                out.push(format!("({reason})"));
                for r in rcpts {
                    out.push(format!("{:41}{r}", ""));
                }
            }
            out.push(String::new());
        }
        let n = self.queue.len();
        out.push(format!(
            "-- {} Kbytes in {n} Request{}.",
            bytes.div_ceil(1024),
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

/// `2026-12-01 10:02:03`, a time of the world in Paris, for the UI (the
/// same in French and English).
pub fn local_time(unix: i64) -> String {
    let local = unix.saturating_add(i64::from(crate::proto::date::paris_offset_minutes(unix)) * 60);
    let (y, m, d) = crate::proto::date::civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!(
        "{y}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// `Tue Dec  1 10:02:03`, the arrival time as `mailq` shows it (Paris time).
pub fn ctime(unix: i64) -> String {
    let d = crate::proto::date::rfc5322(unix, crate::proto::date::paris_offset_minutes(unix));
    // "Tue, 01 Dec 2026 10:02:03 +0100"
    let w: Vec<&str> = d.split([' ', ',']).filter(|s| !s.is_empty()).collect();
    match w.as_slice() {
        [wd, day, mon, _, time, ..] => {
            let day = day.trim_start_matches('0');
            format!("{wd} {mon} {day:>2} {time}")
        }
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ctime_as_mailq() {
        // 2026-12-01 09:02:03 UTC is 10:02:03 in Paris.
        assert_eq!(super::ctime(1_796_115_723), "Tue Dec  1 10:02:03");
        assert_eq!(super::local_time(1_796_115_723), "2026-12-01 10:02:03");
    }
}
