//! Bounces: the RFC 3464 delivery status notification a host sends back
//! to the sender when delivery failed after the message was accepted.

use crate::proto::message::Header;
use crate::sim::mta::{Failure, Mta};
use crate::sim::smtp_server::Envelope;

impl Mta {
    /// RFC 3464 delivery status notification to the sender, sent with the
    /// null reverse-path `<>` so that a bounce never bounces.
    pub(crate) fn bounce(
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
