//! The AUTHORIZATION state (RFC 1939 §4): USER/PASS, APOP (§7), AUTH with
//! its SASL steps (RFC 5034), STLS (RFC 2595 §4), CAPA — and the maildrop's
//! lock once the login succeeds (§8).

use super::*;

impl Pop3Session {
    pub(super) fn authorization(
        &mut self,
        cmd: Command,
        user: Option<String>,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        self.state = State::Authorization { user: None };
        let login = matches!(
            cmd,
            Command::User { .. }
                | Command::Pass { .. }
                | Command::Apop { .. }
                | Command::Auth {
                    mechanism: Some(_),
                    ..
                }
        );
        if login && self.cfg.auth_requires_tls && !self.tls {
            // Dovecot's words for the same refusal (disable_plaintext_auth).
            out.push(err(
                Some("AUTH"),
                "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
            ));
            return;
        }
        match cmd {
            Command::User { name } => {
                // RFC 1939 §7: +OK whether or not the name exists, so that
                // nobody learns which mailboxes exist.
                out.push(ok(&format!("send PASS for {name}")));
                self.state = State::Authorization { user: Some(name) };
            }
            Command::Pass { password } => match user {
                None => {
                    out.push(err(None, "send USER first"));
                    self.error(backend, out);
                }
                Some(name) => {
                    let account = backend
                        .account(&name)
                        .filter(|(_, secret)| *secret == password);
                    self.login(account.map(|(m, _)| m), backend, out);
                }
            },
            Command::Apop { name, digest } => {
                let account = backend
                    .account(&name)
                    .filter(|(_, secret)| apop::verify(&self.timestamp, secret, &digest));
                self.login(account.map(|(m, _)| m), backend, out);
            }
            Command::Auth {
                mechanism: None, ..
            } => {
                let body = MECHANISMS.iter().map(|m| m.as_bytes().to_vec()).collect();
                out.push(multiline("SASL mechanisms follow", body));
            }
            Command::Auth {
                mechanism: Some(mech),
                initial_response,
            } => {
                let nonce = backend.nonce();
                let accounts = |login: &str| backend.account(login);
                match SaslServer::start(
                    &mech,
                    initial_response.as_deref(),
                    nonce,
                    &self.cfg.hostname,
                    &accounts,
                ) {
                    Ok((server, step)) => self.sasl_step(server, step, backend, out),
                    Err(StartError::Unsupported) => out.push(err(
                        None,
                        "unrecognized authentication type (try PLAIN, LOGIN or CRAM-MD5)",
                    )),
                    Err(StartError::InitialResponseNotAllowed) => {
                        out.push(err(None, "CRAM-MD5 does not take an initial response"))
                    }
                }
            }
            Command::Capa => out.push(self.capa()),
            Command::Stls => {
                if !self.cfg.stls {
                    out.push(err(None, "STLS not available on this server"));
                } else if self.tls {
                    out.push(err(None, "TLS already active"));
                } else {
                    out.push(ok("Begin TLS negotiation"));
                    out.push(Output::StartTls);
                }
            }
            Command::Quit => {
                out.push(ok(&format!(
                    "{} POP3 server signing off",
                    self.cfg.hostname
                )));
                out.push(Output::Close);
                self.state = State::Closed;
            }
            Command::Unknown { verb, .. } => {
                out.push(unknown(&verb));
                self.error(backend, out);
            }
            other => {
                let verb = other.verb().map(|v| v.name()).unwrap_or("?");
                out.push(err(
                    None,
                    &format!("{verb} is not allowed before login (AUTHORIZATION state: USER/PASS, APOP or AUTH first)"),
                ));
                self.error(backend, out);
            }
        }
    }

    pub(super) fn sasl_step(
        &mut self,
        server: SaslServer,
        step: SaslStep,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        match step {
            SaslStep::Challenge(c) => {
                out.push(Output::Send(format!("+ {c}\r\n").into_bytes()));
                self.lines.set_limit(AUTH_LINE_LIMIT);
                self.state = State::Sasl(server);
            }
            SaslStep::Success(account) => self.login(Some(account), backend, out),
            SaslStep::Failure => self.login(None, backend, out),
            SaslStep::Cancelled => out.push(err(None, "authentication cancelled")),
            SaslStep::Malformed(why) => {
                out.push(err(None, &format!("cannot decode response ({why})")))
            }
        }
    }

    /// After credentials were checked: lock the maildrop and enter TRANSACTION.
    pub(super) fn login(
        &mut self,
        mailbox: Option<String>,
        backend: &mut dyn Pop3Backend,
        out: &mut Vec<Output>,
    ) {
        let Some(mailbox) = mailbox else {
            // RFC 3206 §4: [AUTH] says the credentials were wrong; answered
            // more slowly at each failure (RFC 1939 §13: guard against guessing).
            let n = u64::from(self.auth_failures) + 1;
            out.push(Output::Pause(
                self.cfg.auth_failure_delay_ms.saturating_mul(n),
            ));
            out.push(err(Some("AUTH"), "authentication failed"));
            self.auth_failures += 1;
            if self.auth_failures >= self.cfg.max_auth_failures {
                out.push(err(None, "too many failed logins, closing"));
                out.push(Output::Close);
                self.state = State::Closed;
            }
            return;
        };
        match backend.lock(&mailbox) {
            Err(_) => out.push(err(
                Some("IN-USE"),
                "unable to lock maildrop: another session is using it",
            )),
            Ok(messages) => {
                let total: usize = messages.iter().map(|m| m.data.len()).sum();
                out.push(ok(&format!(
                    "{mailbox}'s maildrop has {} messages ({total} octets)",
                    messages.len()
                )));
                let deleted = vec![false; messages.len()];
                self.state = State::Transaction(Maildrop {
                    mailbox,
                    messages,
                    deleted,
                });
            }
        }
    }
}
