//! The simulated world as data: domains, their SMTP/POP3 hosts and MX, the
//! users with their passwords, aliases and mailing lists, and a tiny DNS (MX
//! and A records, see `dns.rs`) and what goes wrong in it (`scenario.rs`).
//! The default world is the course's (`course.rs`). A JSON file
//! (`--world FILE`) can describe another one.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::proto::smtp::address::{Mailbox, parse_mailbox};
use crate::sim::dns::{DnsEntry, MxEntry};
use crate::sim::scenario::{ClockSettings, Fault, Greylisting, QueueSettings};

/// A user with a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The local part, e.g. `fred`.
    pub name: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Octets this mailbox may hold (else the domain's, else `--quota`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<usize>,
}

/// A mail domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub name: String,
    /// The submission/relay server of the domain's users, e.g. `smtp.free.fr`.
    pub smtp: String,
    /// The POP3 server of the domain's mailboxes, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pop: Option<String>,
    /// MX records (see [`MxEntry`]): host names, best first, or
    /// `{"preference": 20, "host": …}`; absent means one MX, the smtp host
    /// (the course's picture); `[]` means no MX at all, so that the
    /// domain's own A record stands in (RFC 5321 §5.1); `["."]` is the
    /// null MX (RFC 7505): the domain accepts no mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<Vec<MxEntry>>,
    /// Octets each mailbox of the domain may hold (else the server's `--quota`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<usize>,
    /// A full mailbox is a temporary failure (`452 4.2.2`, the sender's
    /// MTA keeps the message and retries, as Dovecot's
    /// `quota_full_tempfail = yes`) instead of a permanent one (`552 5.2.2`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quota_tempfail: bool,
    /// Greylisting on the domain's MX hosts (RFC 6647).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greylisting: Option<Greylisting>,
    #[serde(default)]
    pub users: Vec<User>,
    /// `alias` → local parts or full addresses.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Mailing lists, for EXPN: `list` → full addresses.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<String, Vec<String>>,
}

impl Domain {
    /// The hosts its MX records name (none for a null MX); with `"mx": []`,
    /// the domain's own name (the implicit MX of RFC 5321 §5.1).
    pub fn mail_hosts(&self) -> Vec<String> {
        match &self.mx {
            None => vec![self.smtp.to_ascii_lowercase()],
            Some(list) if list.is_empty() => vec![self.name.to_ascii_lowercase()],
            Some(list) => crate::sim::dns::records(list)
                .into_iter()
                .map(|(_, h)| h)
                .filter(|h| h != "." && !h.is_empty())
                .collect(),
        }
    }
}

/// The whole world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    pub domains: Vec<Domain>,
    /// A records: host name → IPv4 address.
    pub hosts: BTreeMap<String, Ipv4Addr>,
    /// More DNS records: the MX of names that are not mail domains of the
    /// world (a null MX `["."]`), the AAAA of hosts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dns: BTreeMap<String, DnsEntry>,
    /// Hosts that misbehave: down, 421, a cut connection.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub faults: BTreeMap<String, Fault>,
    /// The queue's schedule (Postfix's parameters).
    #[serde(default, skip_serializing_if = "QueueSettings::is_default")]
    pub queue: QueueSettings,
    /// How fast the simulated clock runs.
    #[serde(default, skip_serializing_if = "ClockSettings::is_default")]
    pub clock: ClockSettings,
}

/// Why a world file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    #[error("world file, line {line} column {column}: {message}")]
    Parse {
        line: usize,
        column: usize,
        /// The value's path, e.g. `events[3].dir`.
        path: String,
        message: String,
    },
    #[error("world file: {field}: {}", problem.describe(crate::explain::Lang::En))]
    Invalid {
        field: String,
        problem: crate::explain::diag::Said,
    },
    #[error("cannot read the world file {path}: {why}")]
    Io {
        path: String,
        why: crate::files::FileError,
    },
}

impl WorldError {
    /// The error in `lang`.
    pub fn describe(&self, lang: crate::explain::Lang) -> String {
        use crate::explain::fill;
        match self {
            WorldError::Parse {
                line,
                column,
                path,
                message,
            } => fill(
                lang,
                "diag.world",
                &[&crate::json::Place {
                    line: *line,
                    column: *column,
                    path: path.clone(),
                    message: message.clone(),
                }
                .describe(lang)],
            ),
            WorldError::Invalid { field, problem } => fill(
                lang,
                "diag.world",
                &[&fill(
                    lang,
                    "diag.world.field",
                    &[field, &problem.describe(lang)],
                )],
            ),
            WorldError::Io { path, why } => fill(
                lang,
                "diag.world_io",
                &[
                    &crate::proto::visible::visible_str(path),
                    &why.describe(lang),
                ],
            ),
        }
    }
}

/// Where a recipient address leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Mailboxes in the world (`local@domain`, lower case), after aliases and lists.
    Mailboxes(Vec<String>),
    /// The domain is in the world but has no such user, alias or list.
    UnknownUser,
    /// The domain is not in the world.
    UnknownDomain,
}

impl World {
    /// Read a world from JSON; errors name the line or the field.
    pub fn from_json(text: &str) -> Result<World, WorldError> {
        let world: World = crate::json::from_str(text).map_err(|p| WorldError::Parse {
            line: p.line,
            column: p.column,
            path: p.path,
            message: p.message,
        })?;
        world.validate()?;
        Ok(world)
    }

    /// Read a world file.
    pub fn load(path: &std::path::Path) -> Result<World, WorldError> {
        let text = crate::files::read_text(path, crate::files::MAX_WORLD).map_err(|why| {
            WorldError::Io {
                path: path.display().to_string(),
                why,
            }
        })?;
        World::from_json(&text)
    }

    /// Add `n` student accounts `eleve01` … to the first domain (password =
    /// the account name), and a list `classe` with all of them.
    pub fn add_students(&mut self, n: usize) {
        let Some(domain) = self.domains.first_mut() else {
            return;
        };
        let width = n.to_string().len().max(2);
        let mut members = Vec::new();
        for i in 1..=n {
            let name = format!("eleve{i:0width$}");
            if domain.users.iter().any(|u| u.name == name) {
                continue;
            }
            members.push(format!("{name}@{}", domain.name));
            domain.users.push(User {
                name: name.clone(),
                password: name,
                full_name: Some(format!("Élève {i}")),
                quota: None,
            });
        }
        if !members.is_empty() {
            domain.lists.insert("classe".into(), members);
        }
    }

    /// The domain named `name` (case-insensitive).
    pub fn domain(&self, name: &str) -> Option<&Domain> {
        self.domains
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// The best MX host of a domain (simulated DNS, see `dns.rs`).
    pub fn mx(&self, domain: &str) -> Option<String> {
        match crate::sim::dns::route(self, domain) {
            crate::sim::dns::Route::Hosts(h) => h.into_iter().next().map(|(_, h)| h),
            _ => None,
        }
    }

    /// The A record of a host (simulated DNS).
    pub fn address(&self, host: &str) -> Option<Ipv4Addr> {
        self.hosts.get(&host.to_ascii_lowercase()).copied()
    }

    /// Whether `host` receives mail for `domain`: it is its smtp host, one
    /// of its MX, or (no MX) the domain's own name.
    pub fn serves_domain(&self, host: &str, domain: &str) -> bool {
        self.domain(domain).is_some_and(|d| {
            d.smtp.eq_ignore_ascii_case(host)
                || d.mail_hosts().iter().any(|m| m.eq_ignore_ascii_case(host))
        })
    }

    /// Every SMTP host name of the world (smtp and MX), without duplicates.
    pub fn smtp_hosts(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for d in &self.domains {
            for h in std::iter::once(d.smtp.clone()).chain(d.mail_hosts()) {
                if !v.iter().any(|x| x.eq_ignore_ascii_case(&h)) {
                    v.push(h.to_ascii_lowercase());
                }
            }
        }
        v
    }

    /// Every POP3 host name of the world.
    pub fn pop_hosts(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for h in self.domains.iter().filter_map(|d| d.pop.as_ref()) {
            if !v.iter().any(|x| x.eq_ignore_ascii_case(h)) {
                v.push(h.to_ascii_lowercase());
            }
        }
        v
    }

    /// The user behind `local@domain`, if it is a mailbox (not an alias).
    pub fn user(&self, mailbox: &Mailbox) -> Option<&User> {
        self.domain(&mailbox.domain)?
            .users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(&mailbox.local))
    }

    /// Find an account by login: a full address, or a bare local part when
    /// only one domain has it (or when `domain` says which).
    pub fn account(&self, login: &str, domain: Option<&str>) -> Option<(String, &User)> {
        self.account_where(login, |d| {
            domain.is_none_or(|x| d.name.eq_ignore_ascii_case(x))
        })
    }

    /// Like [`World::account`], but only among the domains `keep` accepts.
    pub fn account_where(
        &self,
        login: &str,
        keep: impl Fn(&Domain) -> bool,
    ) -> Option<(String, &User)> {
        let candidates = self.domains.iter().filter(|d| keep(d));
        if let Ok(m) = parse_mailbox(login) {
            let d = candidates
                .into_iter()
                .find(|d| d.name.eq_ignore_ascii_case(&m.domain))?;
            let u = d
                .users
                .iter()
                .find(|u| u.name.eq_ignore_ascii_case(&m.local))?;
            return Some((format!("{}@{}", u.name, d.name.to_ascii_lowercase()), u));
        }
        let mut found = candidates.filter_map(|d| {
            d.users
                .iter()
                .find(|u| u.name.eq_ignore_ascii_case(login))
                .map(|u| (format!("{}@{}", u.name, d.name.to_ascii_lowercase()), u))
        });
        let first = found.next()?;
        if found.next().is_some() {
            None
        } else {
            Some(first)
        }
    }

    /// Where mail for `mailbox` goes, following aliases and lists (up to a
    /// depth of 8, against loops).
    pub fn destination(&self, mailbox: &Mailbox) -> Destination {
        if self.domain(&mailbox.domain).is_none() {
            return Destination::UnknownDomain;
        }
        let mut out = Vec::new();
        if !self.expand_into(mailbox, &mut out, 0) {
            return Destination::UnknownUser;
        }
        out.sort();
        out.dedup();
        Destination::Mailboxes(out)
    }

    fn expand_into(&self, mailbox: &Mailbox, out: &mut Vec<String>, depth: usize) -> bool {
        let Some(domain) = self.domain(&mailbox.domain) else {
            return false;
        };
        let local = mailbox.local.to_ascii_lowercase();
        if let Some(u) = domain
            .users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(&local))
        {
            out.push(format!(
                "{}@{}",
                u.name.to_ascii_lowercase(),
                domain.name.to_ascii_lowercase()
            ));
            return true;
        }
        if depth >= 8 {
            return false;
        }
        let targets = domain
            .aliases
            .iter()
            .chain(&domain.lists)
            .find(|(k, _)| k.eq_ignore_ascii_case(&local))
            .map(|(_, v)| v);
        let Some(targets) = targets else {
            return false;
        };
        let mut any = false;
        for t in targets {
            let full = if t.contains('@') {
                t.clone()
            } else {
                format!("{t}@{}", domain.name)
            };
            if let Ok(m) = parse_mailbox(&full) {
                any |= self.expand_into(&m, out, depth + 1);
            }
        }
        any
    }

    /// The members of a mailing list `list` or `list@domain`, for EXPN.
    pub fn list_members(&self, list: &str, default_domain: Option<&str>) -> Option<Vec<String>> {
        let (local, domain) = match list.rsplit_once('@') {
            Some((l, d)) => (l, Some(d)),
            None => (list, default_domain),
        };
        self.domains
            .iter()
            .filter(|d| domain.is_none_or(|x| d.name.eq_ignore_ascii_case(x)))
            .find_map(|d| {
                d.lists
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(local))
                    .map(|(_, v)| v.clone())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(s: &str) -> Mailbox {
        parse_mailbox(s).unwrap()
    }

    #[test]
    fn the_course_world() {
        let w = World::default();
        w.validate().unwrap();
        assert_eq!(w.mx("wanadoo.fr").as_deref(), Some("smtp.wanadoo.fr"));
        assert_eq!(w.mx("hotmail.com").as_deref(), Some("mx1.hotmail.com"));
        assert_eq!(w.mx("example.org"), None);
        assert!(w.serves_domain("smtp.free.fr", "FREE.FR"));
        assert!(!w.serves_domain("smtp.free.fr", "wanadoo.fr"));
        assert_eq!(
            w.destination(&mb("Marc@Wanadoo.fr")),
            Destination::Mailboxes(vec!["marc@wanadoo.fr".into()])
        );
        assert_eq!(
            w.destination(&mb("nobody@wanadoo.fr")),
            Destination::UnknownUser
        );
        assert_eq!(
            w.destination(&mb("x@example.org")),
            Destination::UnknownDomain
        );
        assert_eq!(
            w.destination(&mb("bts-snir@free.fr")),
            Destination::Mailboxes(vec![
                "benja.roux@wanadoo.fr".into(),
                "fred@free.fr".into(),
                "marc@wanadoo.fr".into()
            ])
        );
        assert_eq!(
            w.destination(&mb("postmaster@free.fr")),
            Destination::Mailboxes(vec!["fred@free.fr".into()])
        );
        assert_eq!(w.account("fred", None).unwrap().0, "fred@free.fr");
        assert_eq!(
            w.account("marc@wanadoo.fr", None).unwrap().1.password,
            "marcpass"
        );
        assert!(w.account("nobody", None).is_none());
        assert_eq!(
            w.list_members("bts-snir", Some("free.fr")).unwrap().len(),
            3
        );
    }

    #[test]
    fn students_and_json() {
        let mut w = World::default();
        w.add_students(30);
        assert!(w.account("eleve07@free.fr", None).is_some());
        assert_eq!(w.list_members("classe@free.fr", None).unwrap().len(), 30);
        let json = serde_json::to_string_pretty(&w).unwrap();
        assert_eq!(World::from_json(&json).unwrap(), w);
    }

    #[test]
    fn bad_world_files_name_the_place() {
        let e = World::from_json(
            "{\n  \"domains\": [\n    {\"name\": \"x.fr\", \"smtp\": 3}\n  ],\n  \"hosts\": {}\n}",
        )
        .unwrap_err();
        assert!(matches!(e, WorldError::Parse { line: 3, .. }), "{e}");
        let e = World::from_json(
            r#"{"domains": [{"name": "x.fr", "smtp": "smtp.x.fr"}], "hosts": {}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "world file: domains[0] (x.fr).smtp: the host \"smtp.x.fr\" has no address in \"hosts\""
        );
        let e = World::from_json(r#"{"domains": [], "hosts": {}, "extra": 1}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }
}
