//! Delivery status notifications (RFC 3464) a host sends back to the
//! sender: a bounce when delivery failed for good (`Action: failed`), or a
//! warning while the message still waits in the queue (`Action: delayed`,
//! with `Will-Retry-Until`), as Postfix writes them.

use crate::proto::message::Header;
use crate::proto::smtp::address::Mailbox;
use crate::sim::itinerary::Step;
use crate::sim::mta::{Failure, Mta};
use crate::sim::smtp_server::Envelope;

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    /// Undeliverable: the message came in at `arrival`.
    Failed { arrival: i64 },
    /// Still trying (RFC 3464 §2.3.3 `delayed`) until `until`.
    Delayed { arrival: i64, until: i64 },
}

impl Mta {
    /// The report to the sender, sent with the null reverse-path `<>` so
    /// that a bounce never bounces (RFC 5321 §4.5.5).
    pub(crate) fn bounce(
        &mut self,
        host: &str,
        sender: Option<&Mailbox>,
        msg: &[u8],
        failures: &[Failure],
        hops: usize,
        report: Report,
    ) {
        let Some(sender) = sender.cloned() else {
            return;
        };
        if failures.is_empty() {
            return;
        }
        let (arrival, delayed) = match report {
            Report::Failed { arrival } => (arrival, None),
            Report::Delayed { arrival, until } => (arrival, Some(until)),
        };
        let date =
            |t: i64| crate::proto::date::rfc5322(t, crate::proto::date::paris_offset_minutes(t));
        let boundary = format!("{}.{}/{host}", self.now, self.seq);
        let header_end = Header::parse(msg).end;
        let original_headers = String::from_utf8_lossy(&msg[..header_end]).to_string();
        let (subject, text) = match delayed {
            None => (
                "Undelivered Mail Returned to Sender",
                format!(
                    "This is the mail system at host {host}.\r\nYour message could not be delivered to one or more recipients.\r\nCeci est le système de messagerie de {host} : votre message n'a pas pu\r\nêtre remis à un ou plusieurs destinataires.\r\n"
                ),
            ),
            Some(until) => (
                "Delayed Mail (still being retried)",
                format!(
                    "This is the mail system at host {host}.\r\n\r\n####################################################################\r\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n####################################################################\r\n\r\nYour message could not be delivered for {}. It will be retried until\r\nit is {} old (until {}).\r\nCeci n'est qu'un avertissement : votre message attend encore dans la file\r\nd'attente de {host} et sera réessayé ; inutile de le renvoyer.\r\n",
                    crate::sim::scenario::Secs(self.now - arrival).short(),
                    crate::sim::scenario::Secs(until - arrival).short(),
                    date(until),
                ),
            ),
        };
        let mut report = format!(
            "From: MAILER-DAEMON@{host} (Mail Delivery System)\r\nTo: <{sender}>\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: <{}.bounce@{host}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
            date(self.now),
            self.queue_id(),
        );
        for f in failures {
            report.push_str(&format!("<{}>: {}\r\n", f.rcpt, f.reason(&self.world)));
        }
        report.push_str(&format!(
            "\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; {host}\r\nArrival-Date: {}\r\n",
            date(arrival)
        ));
        let action = if delayed.is_some() {
            "delayed"
        } else {
            "failed"
        };
        for f in failures {
            report.push_str(&format!(
                "\r\nFinal-Recipient: rfc822; {}\r\nAction: {action}\r\nStatus: {}\r\n",
                f.rcpt, f.status
            ));
            if let Some(r) = &f.remote {
                report.push_str(&format!("Remote-MTA: dns; {r}\r\n"));
            }
            report.push_str(&format!("Diagnostic-Code: {}\r\n", f.diagnostic_code()));
            if self.now != arrival {
                report.push_str(&format!("Last-Attempt-Date: {}\r\n", date(self.now)));
            }
            if let Some(until) = delayed {
                report.push_str(&format!("Will-Retry-Until: {}\r\n", date(until)));
            }
        }
        report.push_str(&format!(
            "\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{original_headers}\r\n--{boundary}--\r\n"
        ));
        self.itinerary.push(Step::Bounced {
            host: host.to_string(),
            to: sender.to_string(),
            delayed: delayed.is_some(),
        });
        let bounce_env = Envelope {
            from: None,
            to: vec![sender],
        };
        // A bounce that cannot be delivered is not reported (it has no
        // sender to tell); one that must wait waits in the queue.
        let message = report.into_bytes();
        let later: Vec<Failure> = match self.route(host, &bounce_env, &message, hops) {
            Ok(f) => f.into_iter().filter(Failure::temporary).collect(),
            Err(_) => Vec::new(),
        };
        if !later.is_empty() {
            let id = self.queue_id();
            self.enqueue(host, &id, None, later, std::sync::Arc::new(message), hops);
        }
    }
}
