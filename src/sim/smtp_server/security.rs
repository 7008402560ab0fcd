//! STARTTLS (RFC 3207) and AUTH (RFC 4954): the session's security — TLS
//! forgets everything (§4.2), one AUTH success per session, never inside a
//! transaction, failures counted.

use super::*;

impl SmtpSession {
    pub(super) fn starttls(&mut self, out: &mut Vec<Output>) {
        if !self.cfg.starttls {
            out.push(reply(
                Code::NOT_IMPLEMENTED,
                esc(5, 5, 1),
                "Error: command not implemented (no TLS on this server)",
            ));
            return;
        }
        if self.info.tls {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: TLS already active",
            ));
            return;
        }
        // STARTTLS is an ESMTP extension: only after EHLO announced it;
        // and not in the middle of a transaction (Postfix answers the same).
        if !self.greeted || !self.info.esmtp {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: send EHLO first",
            ));
            return;
        }
        if self.tx.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: MAIL transaction in progress",
            ));
            return;
        }
        out.push(reply(
            Code::SERVICE_READY,
            esc(2, 0, 0),
            "Ready to start TLS",
        ));
        out.push(Output::StartTls);
    }

    pub(super) fn auth(
        &mut self,
        mechanism: &str,
        initial: Option<&str>,
        backend: &mut dyn SmtpBackend,
        out: &mut Vec<Output>,
    ) {
        if !self.greeted || !self.info.esmtp {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: send EHLO first (AUTH is an ESMTP extension)",
            ));
            self.error(out);
            return;
        }
        if self.info.authenticated.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: already authenticated",
            ));
            self.error(out);
            return;
        }
        if self.tx.is_some() {
            out.push(reply(
                Code::BAD_SEQUENCE,
                esc(5, 5, 1),
                "Error: AUTH not permitted during a mail transaction",
            ));
            self.error(out);
            return;
        }
        if self.cfg.auth_requires_tls && !self.info.tls {
            out.push(reply(
                Code::ENCRYPTION_REQUIRED,
                esc(5, 7, 11),
                "Encryption required for requested authentication mechanism",
            ));
            return;
        }
        let nonce = backend.nonce();
        let accounts = |login: &str| backend.account(login);
        match SaslServer::start(mechanism, initial, nonce, &self.cfg.hostname, &accounts) {
            Ok((server, step)) => self.auth_step(server, step, out),
            Err(StartError::InitialResponseNotAllowed) => out.push(reply(
                Code::PARAMETER_ERROR,
                esc(5, 5, 2),
                "Error: CRAM-MD5 does not take an initial response",
            )),
            Err(StartError::Unsupported) => out.push(reply(
                Code::PARAMETER_NOT_IMPLEMENTED,
                esc(5, 5, 4),
                "Error: unrecognized authentication type (try PLAIN, LOGIN or CRAM-MD5)",
            )),
        }
    }

    /// Turn a SASL step into SMTP replies (RFC 4954 §4 and §6).
    pub(super) fn auth_step(&mut self, server: SaslServer, step: SaslStep, out: &mut Vec<Output>) {
        match step {
            SaslStep::Challenge(c) => {
                out.push(reply(Code::AUTH_CHALLENGE, None, &c));
                self.lines.set_limit(AUTH_LINE_LIMIT);
                self.phase = Phase::Auth(server);
            }
            SaslStep::Success(account) => {
                self.info.authenticated = Some(account);
                out.push(reply(
                    Code::AUTH_SUCCEEDED,
                    esc(2, 7, 0),
                    "Authentication successful",
                ));
            }
            SaslStep::Failure => {
                // RFC 4954 §4 leaves the pace to the server: each failure
                // is answered more slowly (1 s, 2 s, …), then 421 after
                // `max_auth_failures`, so guessing passwords costs time.
                let n = u64::from(self.auth_failures) + 1;
                out.push(Output::Pause(
                    self.cfg.auth_failure_delay_ms.saturating_mul(n),
                ));
                out.push(reply(
                    Code::AUTH_INVALID,
                    esc(5, 7, 8),
                    "Authentication credentials invalid",
                ));
                self.auth_failed(out);
            }
            SaslStep::Cancelled => out.push(reply(
                Code::PARAMETER_ERROR,
                esc(5, 7, 0),
                "Authentication cancelled",
            )),
            SaslStep::Malformed(why) => out.push(reply(
                Code::PARAMETER_ERROR,
                esc(5, 5, 2),
                &format!("Cannot decode response ({why})"),
            )),
        }
    }

    pub(super) fn auth_failed(&mut self, out: &mut Vec<Output>) {
        self.auth_failures += 1;
        if self.auth_failures >= self.cfg.max_auth_failures {
            out.push(reply(
                Code::NOT_AVAILABLE,
                esc(4, 7, 0),
                &format!(
                    "{} Error: too many failed authentications",
                    self.cfg.hostname
                ),
            ));
            out.push(Output::Close);
            self.phase = Phase::Closed;
        }
    }
}
