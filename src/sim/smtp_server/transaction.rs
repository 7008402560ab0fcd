//! The mail transaction of RFC 5321 §3.3: MAIL, RCPT, DATA and the end of
//! the data — where a message is accepted (and only then, §6.1) or refused.

use super::*;

impl SmtpSession {
    pub(super) fn mail(
        &mut self,
        from: ReversePath,
        params: Vec<Parameter>,
        out: &mut Vec<Output>,
    ) {
        if !self.need_greeting(out) {
            return;
        }
        if self.tx.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: nested MAIL command (send RSET to start over)",
            ));
            self.error(out);
            return;
        }
        for p in &params {
            let kw = p.keyword.to_ascii_uppercase();
            let value = p.value.as_deref().unwrap_or("");
            match kw.as_str() {
                // RFC 1870 §6: SIZE=n; more than the maximum gets 552.
                "SIZE" if self.info.esmtp => match value.parse::<usize>() {
                    Ok(n) if n > self.cfg.max_size => {
                        out.push(reply(
                            Code::EXCEEDED_STORAGE,
                            esc(5, 3, 4),
                            "Message size exceeds fixed maximum message size",
                        ));
                        return;
                    }
                    Ok(_) => {}
                    Err(_) => {
                        out.push(reply(
                            Code::PARAMETER_ERROR,
                            esc(5, 5, 4),
                            "Syntax: SIZE=<number of octets>",
                        ));
                        return;
                    }
                },
                // RFC 6152: BODY=7BIT or BODY=8BITMIME.
                "BODY"
                    if self.info.esmtp
                        && (value.eq_ignore_ascii_case("7BIT")
                            || value.eq_ignore_ascii_case("8BITMIME")) => {}
                // RFC 4954 §5: AUTH=<mailbox> or AUTH=<>; accepted, not trusted.
                "AUTH" if self.info.esmtp => {}
                _ => {
                    // RFC 5321 §4.1.1.11: parameters not recognized → 555.
                    out.push(reply(
                        Code::PARAMETERS_NOT_RECOGNIZED,
                        esc(5, 5, 4),
                        &format!(
                            "Error: MAIL parameter {} not recognized or not implemented",
                            p.keyword
                        ),
                    ));
                    return;
                }
            }
        }
        let from = match from {
            ReversePath::Null => None,
            ReversePath::Path(p) => Some(p.mailbox),
        };
        let shown = from.as_ref().map(|m| m.to_string()).unwrap_or_default();
        self.tx = Some(Transaction {
            from,
            rcpts: Vec::new(),
        });
        out.push(reply(
            Code::OK,
            esc(2, 1, 0),
            &format!("Sender <{shown}> OK"),
        ));
    }

    pub(super) fn rcpt(
        &mut self,
        to: ForwardPath,
        params: Vec<Parameter>,
        backend: &mut dyn SmtpBackend,
        out: &mut Vec<Output>,
    ) {
        if !self.need_greeting(out) {
            return;
        }
        let Some(tx) = self.tx.as_mut() else {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: need MAIL command before RCPT",
            ));
            self.error(out);
            return;
        };
        if let Some(p) = params.first() {
            out.push(reply(
                Code::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                &format!(
                    "Error: RCPT parameter {} not recognized or not implemented",
                    p.keyword
                ),
            ));
            return;
        }
        if tx.rcpts.len() >= self.cfg.max_recipients {
            // RFC 5321 §4.5.3.1.10: "452 Too many recipients".
            out.push(reply(
                Code::INSUFFICIENT_STORAGE,
                esc(4, 5, 3),
                "Error: too many recipients",
            ));
            return;
        }
        let mailbox = match to {
            // RFC 5321 §4.1.1.3, §4.5.1: <Postmaster> must be accepted
            // without a domain, on every port.
            ForwardPath::Postmaster => backend.postmaster(&self.cfg.hostname),
            // A source route may be ignored (RFC 5321 Appendix C): the mailbox decides.
            ForwardPath::Path(p) => p.mailbox,
        };
        let from = tx.from.clone();
        let decision = backend.check_recipient(&self.info, from.as_ref(), &mailbox);
        let tx = match self.tx.as_mut() {
            Some(tx) => tx,
            None => return,
        };
        match decision {
            RcptDecision::Accept => {
                tx.rcpts.push(mailbox.clone());
                out.push(reply(Code::OK, esc(2, 1, 5), &format!("Recipient <{mailbox}> OK")));
            }
            RcptDecision::UnknownUser => out.push(reply(
                Code::MAILBOX_UNAVAILABLE,
                esc(5, 1, 1),
                &format!("<{mailbox}>: Recipient address rejected: User unknown"),
            )),
            RcptDecision::RelayDenied => out.push(reply(
                Code::TRANSACTION_FAILED,
                esc(5, 7, 1),
                &format!("<{mailbox}>: Relay access denied"),
            )),
            // Dovecot's LMTP answers the same when the quota is reached
            // (quota_full_tempfail = no): the sender gets it back at once.
            RcptDecision::MailboxFull => out.push(reply(
                Code::EXCEEDED_STORAGE,
                esc(5, 2, 2),
                &format!("<{mailbox}>: Mailbox full (quota exceeded)"),
            )),
            // As Dovecot's LMTP with quota_full_tempfail = yes.
            RcptDecision::MailboxFullTemporary => out.push(reply(
                Code::INSUFFICIENT_STORAGE,
                esc(4, 2, 2),
                &format!("<{mailbox}>: Mailbox full (quota exceeded), try again later"),
            )),
            // RFC 6647 §2.1: a temporary refusal of an unknown triplet.
            RcptDecision::Greylisted { delay } => out.push(reply(
                Code::MAILBOX_BUSY,
                esc(4, 7, 1),
                &format!(
                    "<{mailbox}>: Recipient address rejected: Greylisted for {delay} seconds, try again later (RFC 6647)"
                ),
            )),
            // RFC 7505 §4.1, Postfix's wording.
            RcptDecision::NullMx => out.push(reply(
                Code::DOMAIN_NO_MAIL,
                esc(5, 1, 10),
                &format!(
                    "<{mailbox}>: Recipient address rejected: Domain {} does not accept mail (nullMX)",
                    mailbox.domain_lower()
                ),
            )),
            RcptDecision::RoutingDenied => out.push(reply(
                Code::MAILBOX_UNAVAILABLE,
                esc(5, 7, 1),
                &format!("<{mailbox}>: routing with % or ! is not accepted (relay access denied)"),
            )),
        }
    }

    pub(super) fn data(&mut self, out: &mut Vec<Output>) {
        if !self.need_greeting(out) {
            return;
        }
        match &self.tx {
            None => {
                out.push(reply(
                    Code::BAD_SEQUENCE,
                    esc(5, 5, 1),
                    "Error: need MAIL command",
                ));
                self.error(out);
            }
            // RFC 5321 §3.3: no valid recipient → 503 or 554.
            Some(tx) if tx.rcpts.is_empty() => {
                out.push(reply(
                    Code::TRANSACTION_FAILED,
                    esc(5, 5, 1),
                    "Error: no valid recipients (need RCPT command)",
                ));
                self.error(out);
            }
            Some(_) => {
                out.push(reply(
                    Code::START_MAIL_INPUT,
                    None,
                    "End data with <CR><LF>.<CR><LF>",
                ));
                self.lines.set_limit(SMTP_TEXT_LINE);
                self.phase = Phase::Data(Box::new(DataReceiver::new(self.cfg.max_size)));
            }
        }
    }

    pub(super) fn end_of_data(
        &mut self,
        rx: DataReceiver,
        backend: &mut dyn SmtpBackend,
        out: &mut Vec<Output>,
    ) {
        if self.trouble_at(Point::EndOfData, out) {
            self.tx = None;
            return;
        }
        let Some(tx) = self.tx.take() else {
            return;
        };
        let data = rx.finish();
        if data.too_big {
            out.push(reply(
                Code::EXCEEDED_STORAGE,
                esc(5, 3, 4),
                "Message size exceeds fixed maximum message size",
            ));
            return;
        }
        if data.lost_lines() {
            out.push(reply(
                Code::SYNTAX_ERROR,
                esc(5, 5, 2),
                "Line too long: a message line is at most 1000 octets with CRLF (RFC 5321 4.5.3.1.6); nothing delivered",
            ));
            return;
        }
        let envelope = Envelope {
            from: tx.from,
            to: tx.rcpts,
        };
        out.push(match backend.submit(&self.info, &envelope, &data.message) {
            Ok(id) => Output::SendAfterCommit {
                ok: wire(Code::OK, esc(2, 0, 0), &format!("Ok: queued as {id}")),
                // RFC 5321 §4.2.2: 451 local error, 452 insufficient storage;
                // RFC 3463: 4.3.0 other mail system problem, 4.3.1 mail system full.
                failed: wire(
                    Code::LOCAL_ERROR,
                    esc(4, 3, 0),
                    "Error: local error in processing; nothing was kept, try again later",
                ),
                full: wire(
                    Code::INSUFFICIENT_STORAGE,
                    esc(4, 3, 1),
                    "Insufficient system storage: the disk is full; nothing was kept, try again later",
                ),
            },
            Err(SubmitError::NoSpace) => reply(Code::INSUFFICIENT_STORAGE, esc(4, 3, 1), "Insufficient system storage"),
            Err(SubmitError::Storage(_)) => reply(
                Code::LOCAL_ERROR,
                esc(4, 3, 0),
                "Error: local error in processing; nothing was kept, try again later",
            ),
        });
    }
}
