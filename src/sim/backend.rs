//! The world seen by one server session: [`SmtpBackend`] for an SMTP
//! session playing a host (or the front port), [`Pop3Backend`] for a POP3
//! one. They answer RCPT, VRFY, EXPN and AUTH from the world's data and
//! hand accepted messages to the MTA.
//!
//! [`Pop3Backend`]: crate::sim::pop3_server::Pop3Backend

use crate::proto::smtp::address::{Mailbox, parse_mailbox};
use crate::sim::itinerary::Step;
use crate::sim::mta::{Mta, Role};
use crate::sim::smtp_server::{
    Envelope, RcptDecision, SessionInfo, SmtpBackend, SubmitError, VrfyAnswer,
};
use crate::sim::world::Destination;

/// [`SmtpBackend`] for a session playing a role in the world.
pub struct SmtpView<'a> {
    pub(crate) mta: &'a mut Mta,
    pub(crate) role: Role,
    pub(crate) hops: usize,
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

impl SmtpView<'_> {
    /// RFC 6647 §2.1: the triplet (client address, sender, recipient) seen
    /// for the first time — or less than `delay` seconds ago — is refused
    /// for now (Some(delay)); once the delay has passed it is let through,
    /// and stays known (postgrey's auto-whitelist).
    fn greylisted(
        &mut self,
        info: &SessionInfo,
        from: Option<&Mailbox>,
        rcpt: &Mailbox,
        delay: i64,
    ) -> Option<i64> {
        let now = self.mta.now;
        let key = (
            info.client_ip.map(|ip| ip.to_string()).unwrap_or_default(),
            from.map(|m| m.to_string().to_ascii_lowercase())
                .unwrap_or_default(),
            rcpt.to_string().to_ascii_lowercase(),
        );
        let list = &mut self.mta.greylist;
        if list.len() >= crate::sim::mta::GREYLIST_MAX {
            // Bounded whatever the clients do: the oldest half goes.
            let mut times: Vec<i64> = list.values().copied().collect();
            times.sort_unstable();
            let cut = times.get(times.len() / 2).copied().unwrap_or(now);
            list.retain(|_, t| *t > cut);
        }
        let first = *list.entry(key).or_insert(now);
        (now - first < delay).then_some(delay)
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

    fn check_recipient(
        &mut self,
        info: &SessionInfo,
        from: Option<&Mailbox>,
        rcpt: &Mailbox,
    ) -> RcptDecision {
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
        // RFC 7505 §4.1 (Postfix's reject_unknown_recipient_domain): a
        // domain with a null MX accepts no mail; say so at once.
        if crate::sim::dns::route(world, &domain) == crate::sim::dns::Route::Null {
            return RcptDecision::NullMx;
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
            let Destination::Mailboxes(list) = world.destination(rcpt) else {
                return RcptDecision::UnknownUser;
            };
            // Greylisting sits after the check of the recipient, and spares
            // the server's own users (authenticated or trusted), as a
            // Postfix with postgrey is set up.
            let greylisting = world.domain(&domain).and_then(|d| d.greylisting);
            if let Some(g) = greylisting
                && !may_relay
                && let Some(delay) = self.greylisted(info, from, rcpt, g.delay.0)
            {
                return RcptDecision::Greylisted { delay };
            }
            // One mailbox already over its quota: refused at RCPT.
            if let [one] = list.as_slice() {
                let (quota, tempfail) = self.mta.quota(one);
                if self.mta.store.mailbox_bytes(one) >= quota {
                    return if tempfail {
                        RcptDecision::MailboxFullTemporary
                    } else {
                        RcptDecision::MailboxFull
                    };
                }
            }
            return RcptDecision::Accept;
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
        let held = self.mta.store.total_bytes() + self.mta.queue.bytes();
        if held + message.len() > self.mta.limits.total {
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
                        .unwrap_or_default()
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
