//! The course's itinerary of a message, as it happens in the simulated
//! world: (1) the sender's MUA hands it to its MTA, (2) MTA to MTA up to
//! the recipient domain's server, (3) the MDA files it in the mailbox,
//! (4) the recipient's MUA opens its mailbox at the POP server, (5) the
//! POP server reads the maildrop, (6) the message goes down to the MUA.
//! The handout's figure, steps 1 to 6, recorded as the world moves.

use std::collections::VecDeque;

/// Steps kept (older ones are dropped).
pub const ITINERARY_LOG: usize = 200;

/// One step of the itinerary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 1. A client (MUA) handed a message to `host` (MTA) by SMTP.
    Submitted {
        host: String,
        from: String,
        to: Vec<String>,
        id: String,
    },
    /// 2. `from_host` relayed it to `to_host` (the MX of the recipient's domain).
    Relayed {
        from_host: String,
        to_host: String,
        accepted: bool,
    },
    /// 2. `host` asked the DNS for the MX of `domain` (RFC 5321 §5.1).
    MxLookup {
        host: String,
        domain: String,
        route: crate::sim::dns::Route,
    },
    /// 2. `to_host` could not be reached (down: refused, or no answer).
    Unreachable {
        from_host: String,
        to_host: String,
        timeout: bool,
    },
    /// 2. The message waits in `host`'s queue (RFC 5321 §4.5.4.1).
    Deferred {
        host: String,
        id: String,
        rcpts: Vec<String>,
        /// When the next attempt is due.
        next: i64,
    },
    /// `host` sent a delivery status notification (RFC 3464) back to `to`:
    /// a bounce, or a warning that the message is delayed.
    Bounced {
        host: String,
        to: String,
        delayed: bool,
    },
    /// 3. The MDA of `host` filed it in `mailbox`.
    Delivered { host: String, mailbox: String },
    /// 4 and 5. A POP3 client logged in: the server locked and read the maildrop.
    MaildropOpened { mailbox: String, messages: usize },
    /// 6. The POP3 server sent message number `msg` down to the client (RETR).
    Retrieved {
        mailbox: String,
        msg: u32,
        octets: usize,
    },
    /// The POP3 session ended by QUIT: these many messages were removed.
    Updated { mailbox: String, removed: usize },
}

impl Step {
    /// The handout's step number (4 and 5 happen together here).
    pub fn number(&self) -> &'static str {
        match self {
            Step::Submitted { .. } => "1",
            Step::Relayed { .. }
            | Step::MxLookup { .. }
            | Step::Unreachable { .. }
            | Step::Deferred { .. } => "2",
            Step::Bounced { .. } => "↩",
            Step::Delivered { .. } => "3",
            Step::MaildropOpened { .. } => "4-5",
            Step::Retrieved { .. } => "6",
            Step::Updated { .. } => "6",
        }
    }
}

/// The journal of steps, bounded, each with its sequence number.
#[derive(Debug, Clone, Default)]
pub struct Itinerary {
    pub steps: VecDeque<(u64, Step)>,
    next: u64,
}

impl Itinerary {
    /// Record a step; its sequence number lets it be completed later.
    pub fn push(&mut self, step: Step) -> u64 {
        let seq = self.next;
        self.next += 1;
        self.steps.push_back((seq, step));
        while self.steps.len() > ITINERARY_LOG {
            self.steps.pop_front();
        }
        seq
    }

    /// A relay that was recorded when it started has ended.
    pub fn relay_done(&mut self, seq: u64, ok: bool) {
        if let Some((_, Step::Relayed { accepted, .. })) =
            self.steps.iter_mut().find(|(s, _)| *s == seq)
        {
            *accepted = ok;
        }
    }

    /// The number the next step will get.
    pub fn next_seq(&self) -> u64 {
        self.next
    }

    /// The steps, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Step> {
        self.steps.iter().map(|(_, s)| s)
    }
}
