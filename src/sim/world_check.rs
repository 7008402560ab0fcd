//! Checking a world file's references and scenarios before the world is
//! used: every host has an address, a null MX stands alone (RFC 7505 §3),
//! a fault names an SMTP host of the world, the queue's times make sense.
//! Each problem names its field and is a catalog key (`diag.world.*`).

use crate::explain::diag::Said;
use crate::proto::smtp::address::parse_mailbox;
use crate::sim::dns::MxEntry;
use crate::sim::scenario::{FaultKind, Secs};
use crate::sim::world::{World, WorldError};

fn invalid(field: String, problem: Said) -> WorldError {
    WorldError::Invalid { field, problem }
}

impl World {
    /// Check the references inside the world.
    pub fn validate(&self) -> Result<(), WorldError> {
        let mut seen = std::collections::HashSet::new();
        for (i, d) in self.domains.iter().enumerate() {
            let at = format!("domains[{i}] ({})", d.name);
            if crate::proto::smtp::address::check_domain(&d.name).is_err() {
                return Err(invalid(
                    format!("{at}.name"),
                    Said::new("diag.world.bad_domain", &[]),
                ));
            }
            if !seen.insert(d.name.to_ascii_lowercase()) {
                return Err(invalid(
                    format!("{at}.name"),
                    Said::new("diag.world.domain_twice", &[]),
                ));
            }
            let hosts = std::iter::once(("smtp", &d.smtp)).chain(d.pop.iter().map(|p| ("pop", p)));
            for (field, host) in hosts {
                self.has_address(&format!("{at}.{field}"), host)?;
            }
            if let Some(list) = &d.mx {
                self.check_mx(&format!("{at}.mx"), list)?;
                // No MX at all: the domain's own A record must stand in.
                if list.is_empty() {
                    self.has_address(&format!("{at}.mx"), &d.name)?;
                }
            }
            if d.quota == Some(0) {
                return Err(invalid(
                    format!("{at}.quota"),
                    Said::new("diag.world.zero_quota", &[]),
                ));
            }
            if let Some(g) = &d.greylisting {
                positive(&format!("{at}.greylisting.delay"), g.delay)?;
            }
            self.check_users(&at, d)?;
        }
        for (name, entry) in &self.dns {
            let at = format!("dns.{name}");
            if crate::proto::smtp::address::check_domain(name).is_err() {
                return Err(invalid(at, Said::new("diag.world.bad_domain", &[])));
            }
            if let Some(list) = &entry.mx {
                self.check_mx(&format!("{at}.mx"), list)?;
            }
        }
        let smtp = self.smtp_hosts();
        for (host, fault) in &self.faults {
            let at = format!("faults.{host}");
            if !smtp.contains(&host.to_ascii_lowercase()) {
                return Err(invalid(
                    at,
                    Said::new("diag.world.fault_not_smtp", &[host, &smtp.join(", ")]),
                ));
            }
            let with_point = matches!(fault.kind, FaultKind::Unavailable | FaultKind::Drop);
            if fault.at.is_some() && !with_point {
                return Err(invalid(
                    format!("{at}.at"),
                    Said::new("diag.world.fault_at", &[]),
                ));
            }
            if let Some(u) = fault.until {
                positive(&format!("{at}.until"), u)?;
            }
        }
        let q = &self.queue;
        positive("queue.maximal_queue_lifetime", q.maximal_queue_lifetime)?;
        positive("queue.minimal_backoff_time", q.minimal_backoff_time)?;
        if q.maximal_backoff_time < q.minimal_backoff_time {
            return Err(invalid(
                "queue.maximal_backoff_time".into(),
                Said::new("diag.world.backoff_order", &[]),
            ));
        }
        if !(1..=86_400).contains(&self.clock.speed) {
            return Err(invalid(
                "clock.speed".into(),
                Said::new("diag.world.clock_speed", &[&self.clock.speed]),
            ));
        }
        Ok(())
    }

    fn has_address(&self, field: &str, host: &str) -> Result<(), WorldError> {
        if self.hosts.contains_key(&host.to_ascii_lowercase()) {
            Ok(())
        } else {
            Err(invalid(
                field.into(),
                Said::new("diag.world.host_no_address", &[&host]),
            ))
        }
    }

    /// RFC 7505 §3: a null MX is the domain's only MX record; every other
    /// MX names a host with an address.
    fn check_mx(&self, field: &str, list: &[MxEntry]) -> Result<(), WorldError> {
        if list.iter().any(MxEntry::is_null) {
            if list.len() > 1 {
                return Err(invalid(
                    field.into(),
                    Said::new("diag.world.null_mx_alone", &[]),
                ));
            }
            return Ok(());
        }
        for (i, m) in list.iter().enumerate() {
            self.has_address(&format!("{field}[{i}]"), m.host())?;
        }
        Ok(())
    }

    fn check_users(&self, at: &str, d: &crate::sim::world::Domain) -> Result<(), WorldError> {
        let mut names = std::collections::HashSet::new();
        for (j, u) in d.users.iter().enumerate() {
            if parse_mailbox(&format!("{}@{}", u.name, d.name)).is_err() {
                return Err(invalid(
                    format!("{at}.users[{j}].name"),
                    Said::new("diag.world.bad_local_part", &[]),
                ));
            }
            if !names.insert(u.name.to_ascii_lowercase()) {
                return Err(invalid(
                    format!("{at}.users[{j}].name"),
                    Said::new("diag.world.user_twice", &[]),
                ));
            }
            if u.password.is_empty() {
                return Err(invalid(
                    format!("{at}.users[{j}].password"),
                    Said::new("diag.world.empty_password", &[]),
                ));
            }
            if u.quota == Some(0) {
                return Err(invalid(
                    format!("{at}.users[{j}].quota"),
                    Said::new("diag.world.zero_quota", &[]),
                ));
            }
        }
        for (kind, map) in [("aliases", &d.aliases), ("lists", &d.lists)] {
            for (name, targets) in map {
                if targets.is_empty() {
                    return Err(invalid(
                        format!("{at}.{kind}.{name}"),
                        Said::new("diag.world.no_members", &[]),
                    ));
                }
                for t in targets {
                    let full = if t.contains('@') {
                        t.clone()
                    } else {
                        format!("{t}@{}", d.name)
                    };
                    if parse_mailbox(&full).is_err() {
                        return Err(invalid(
                            format!("{at}.{kind}.{name}"),
                            Said::new("diag.world.not_an_address", &[t]),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn positive(field: &str, d: Secs) -> Result<(), WorldError> {
    if d.0 > 0 {
        Ok(())
    } else {
        Err(invalid(
            field.into(),
            Said::new("diag.world.zero_duration", &[]),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        World::from_json(json).unwrap_err().to_string()
    }

    const BASE: &str = r#""hosts": {"smtp.x.fr": "192.0.2.1", "mx2.x.fr": "192.0.2.2"}"#;

    #[test]
    fn scenarios_are_checked() {
        let d = |extra: &str, top: &str| {
            format!(
                r#"{{"domains": [{{"name": "x.fr", "smtp": "smtp.x.fr"{extra}}}], {BASE}{top}}}"#
            )
        };
        assert!(err(&d(r#", "mx": [".", "mx2.x.fr"]"#, "")).contains("null MX"));
        assert!(err(&d(r#", "mx": ["mx3.x.fr"]"#, "")).contains("mx3.x.fr"));
        assert!(err(&d(r#", "mx": []"#, "")).contains("\"x.fr\" has no address"));
        assert!(err(&d(r#", "quota": 0"#, "")).contains("quota"));
        assert!(err(&d(r#", "greylisting": {"delay": "5 min"}"#, "")).contains("duration"));
        assert!(
            err(&d("", r#", "faults": {"pop.x.fr": {"kind": "refused"}}"#))
                .contains("not an SMTP host")
        );
        assert!(
            err(&d(
                "",
                r#", "faults": {"smtp.x.fr": {"kind": "refused", "at": "RCPT"}}"#
            ))
            .contains("\"at\"")
        );
        assert!(err(&d("", r#", "clock": {"speed": 0}"#)).contains("speed"));
        assert!(
            err(&d(
                "",
                r#", "queue": {"minimal_backoff_time": "1h", "maximal_backoff_time": "5m"}"#
            ))
            .contains("backoff")
        );
        let ok = World::from_json(&d(
            r#", "mx": [{"preference": 10, "host": "smtp.x.fr"}, {"preference": 20, "host": "mx2.x.fr"}], "greylisting": {}, "quota": 5000, "quota_tempfail": true"#,
            r#", "faults": {"smtp.x.fr": {"kind": "421", "until": "30m"}}, "queue": {"maximal_queue_lifetime": "1h", "delay_warning_time": "20m"}, "clock": {"speed": 60}, "dns": {"site.example": {"mx": ["."]}, "smtp.x.fr": {"aaaa": "2001:db8::1"}}"#,
        ))
        .unwrap();
        assert_eq!(ok.queue.maximal_queue_lifetime, Secs(3600));
        let json = serde_json::to_string(&ok).unwrap();
        assert_eq!(World::from_json(&json).unwrap(), ok);
    }
}
