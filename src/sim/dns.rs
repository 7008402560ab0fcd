//! The world's DNS: MX records with their preferences, A and AAAA records,
//! the null MX of RFC 7505, the implicit MX of RFC 5321 §5.1 (no MX: the
//! domain's own address), and names that do not exist (NXDOMAIN). The MTA
//! asks it where to send a message; `/dig` shows its answers as `dig` would.
//! Pure data in, answers out.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::sim::world::World;

/// The time to live every record of the world is served with (one hour,
/// a common choice for MX records).
pub const TTL: u32 = 3600;

/// One MX record as a world file writes it: a host name alone (its
/// preference is then its place in the list: 10, 20, 30 …) or
/// `{"preference": 20, "host": "mx2.example"}`. The host `.` is the null
/// MX (RFC 7505): the domain accepts no mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MxEntry {
    Host(String),
    Record(MxRecord),
}

/// An MX record with its preference written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MxRecord {
    pub preference: u16,
    pub host: String,
}

impl MxEntry {
    pub fn host(&self) -> &str {
        match self {
            MxEntry::Host(h) => h,
            MxEntry::Record(r) => &r.host,
        }
    }

    /// Whether this is the null MX's `.` (RFC 7505 §3).
    pub fn is_null(&self) -> bool {
        matches!(self.host(), "." | "")
    }
}

/// Records for a name that is not a mail domain of the world: the MX of a
/// domain that accepts no mail (`["."]`), the AAAA of a host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<Vec<MxEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aaaa: Option<Ipv6Addr>,
}

/// (preference, host) by preference, lowest first; equal preferences keep
/// the file's order (a real resolver's client picks among them at random,
/// RFC 5321 §5.1; the world stays reproducible).
pub fn records(entries: &[MxEntry]) -> Vec<(u16, String)> {
    let mut v: Vec<(u16, String)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| match e {
            MxEntry::Host(h) => (
                u16::try_from((i + 1) * 10).unwrap_or(u16::MAX),
                h.to_ascii_lowercase(),
            ),
            MxEntry::Record(r) => (r.preference, r.host.to_ascii_lowercase()),
        })
        .collect();
    v.sort_by_key(|(p, _)| *p);
    v
}

/// The answer to "MX of this name?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MxAnswer {
    /// MX records, best (lowest preference) first.
    Records(Vec<(u16, String)>),
    /// `MX 0 .`: the domain says it accepts no mail (RFC 7505).
    Null,
    /// The name exists but has no MX (NODATA).
    NoMx,
    /// The name does not exist (NXDOMAIN).
    NotFound,
}

/// Where mail for a domain goes (RFC 5321 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The hosts to try, in this order (preference, host); with no MX, the
    /// domain itself at preference 0 (the implicit MX).
    Hosts(Vec<(u16, String)>),
    /// Null MX: no attempt, the message is returned at once (5.1.10).
    Null,
    /// No such domain, or neither MX nor address: 5.1.2.
    NotFound,
}

fn lower(s: &str) -> String {
    s.trim_end_matches('.').to_ascii_lowercase()
}

/// The MX records of `name`.
pub fn mx(world: &World, name: &str) -> MxAnswer {
    let name = lower(name);
    let entries: Option<Vec<MxEntry>> = match world.domain(&name) {
        // No "mx" in the file: the course's picture, the domain's smtp host.
        Some(d) => Some(
            d.mx.clone()
                .unwrap_or_else(|| vec![MxEntry::Host(d.smtp.clone())]),
        ),
        None => world.dns.get(&name).and_then(|e| e.mx.clone()),
    };
    match entries {
        Some(list) if list.iter().any(MxEntry::is_null) => MxAnswer::Null,
        Some(list) if !list.is_empty() => MxAnswer::Records(records(&list)),
        _ if exists(world, &name) => MxAnswer::NoMx,
        _ => MxAnswer::NotFound,
    }
}

/// The A record of `name`.
pub fn a(world: &World, name: &str) -> Option<Ipv4Addr> {
    world.hosts.get(&lower(name)).copied()
}

/// The AAAA record of `name`.
pub fn aaaa(world: &World, name: &str) -> Option<Ipv6Addr> {
    world.dns.get(&lower(name)).and_then(|e| e.aaaa)
}

/// Whether the name exists at all in the world's DNS.
pub fn exists(world: &World, name: &str) -> bool {
    let name = lower(name);
    world.domain(&name).is_some() || world.dns.contains_key(&name) || a(world, &name).is_some()
}

/// RFC 5321 §5.1: the MX hosts by preference; no MX, the domain's own
/// address (the implicit MX); a null MX, nothing.
pub fn route(world: &World, domain: &str) -> Route {
    match mx(world, domain) {
        MxAnswer::Records(r) => Route::Hosts(r),
        MxAnswer::Null => Route::Null,
        MxAnswer::NoMx if a(world, domain).is_some() => Route::Hosts(vec![(0, lower(domain))]),
        MxAnswer::NoMx | MxAnswer::NotFound => Route::NotFound,
    }
}

/// The record types `/dig` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QType {
    Mx,
    A,
    Aaaa,
}

impl QType {
    pub fn parse(s: &str) -> Option<QType> {
        match s.to_ascii_uppercase().as_str() {
            "MX" => Some(QType::Mx),
            "A" => Some(QType::A),
            "AAAA" => Some(QType::Aaaa),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            QType::Mx => "MX",
            QType::A => "A",
            QType::Aaaa => "AAAA",
        }
    }
}

/// One resource record of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rr {
    pub name: String,
    pub qtype: &'static str,
    pub data: String,
}

/// What an answer means, for its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// MX records: the best one and how many.
    Mx { best: String, count: usize },
    /// RFC 7505 null MX.
    NullMx,
    /// No MX; the domain's own address stands in (RFC 5321 §5.1), if any.
    ImplicitMx { address: Option<Ipv4Addr> },
    /// An address record was found.
    Address,
    /// The name exists but has no record of that type.
    NoData,
    /// The name does not exist.
    NxDomain,
}

/// A whole answer, as `dig NAME TYPE` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dig {
    pub name: String,
    pub qtype: QType,
    pub answer: Vec<Rr>,
    pub additional: Vec<Rr>,
    pub finding: Finding,
}

fn fqdn(s: &str) -> String {
    format!("{}.", lower(s))
}

/// Ask the world's DNS.
pub fn dig(world: &World, name: &str, qtype: QType) -> Dig {
    let name = lower(name);
    let mut answer = Vec::new();
    let mut additional = Vec::new();
    let rr = |n: &str, t: &'static str, data: String| Rr {
        name: fqdn(n),
        qtype: t,
        data,
    };
    let addresses = |host: &str, out: &mut Vec<Rr>| {
        if let Some(ip) = a(world, host) {
            out.push(rr(host, "A", ip.to_string()));
        }
        if let Some(ip) = aaaa(world, host) {
            out.push(rr(host, "AAAA", ip.to_string()));
        }
    };
    let finding = match qtype {
        QType::Mx => match mx(world, &name) {
            MxAnswer::Records(list) => {
                for (p, h) in &list {
                    answer.push(rr(&name, "MX", format!("{p} {}", fqdn(h))));
                    addresses(h, &mut additional);
                }
                Finding::Mx {
                    best: list.first().map(|(_, h)| h.clone()).unwrap_or_default(),
                    count: list.len(),
                }
            }
            MxAnswer::Null => {
                answer.push(rr(&name, "MX", "0 .".into()));
                Finding::NullMx
            }
            MxAnswer::NoMx => Finding::ImplicitMx {
                address: a(world, &name),
            },
            MxAnswer::NotFound => Finding::NxDomain,
        },
        QType::A | QType::Aaaa => {
            let data = match qtype {
                QType::A => a(world, &name).map(|ip| ip.to_string()),
                _ => aaaa(world, &name).map(|ip| ip.to_string()),
            };
            match data {
                Some(d) => {
                    answer.push(rr(&name, qtype.name(), d));
                    Finding::Address
                }
                None if exists(world, &name) => Finding::NoData,
                None => Finding::NxDomain,
            }
        }
    };
    Dig {
        name,
        qtype,
        answer,
        additional,
        finding,
    }
}

impl Dig {
    /// The answer in `dig`'s own layout (its text is the tool's, not ours).
    pub fn lines(&self, id: u16) -> Vec<String> {
        let status = if self.finding == Finding::NxDomain {
            "NXDOMAIN"
        } else {
            "NOERROR"
        };
        let q = self.qtype.name();
        let mut out = vec![
            format!("; <<>> DiG (facteur) <<>> {} {q}", self.name),
            format!(";; ->>HEADER<<- opcode: QUERY, status: {status}, id: {id}"),
            format!(
                ";; flags: qr aa rd; QUERY: 1, ANSWER: {}, AUTHORITY: 0, ADDITIONAL: {}",
                self.answer.len(),
                self.additional.len()
            ),
            String::new(),
            ";; QUESTION SECTION:".into(),
            format!(";{:<23} IN {q}", fqdn(&self.name)),
        ];
        for (title, rrs) in [
            (";; ANSWER SECTION:", &self.answer),
            (";; ADDITIONAL SECTION:", &self.additional),
        ] {
            if rrs.is_empty() {
                continue;
            }
            out.push(String::new());
            out.push(title.into());
            for r in rrs {
                out.push(format!("{:<24}{TTL:<6}IN {:<5}{}", r.name, r.qtype, r.data));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(json: &str) -> World {
        World::from_json(json).unwrap()
    }

    #[test]
    fn mx_by_preference_null_mx_implicit_mx_and_nxdomain() {
        let w = world(
            r#"{"domains": [
                {"name": "a.fr", "smtp": "smtp.a.fr",
                 "mx": [{"preference": 20, "host": "mx2.a.fr"}, {"preference": 10, "host": "mx1.a.fr"}]},
                {"name": "b.fr", "smtp": "smtp.b.fr", "mx": []}],
               "hosts": {"smtp.a.fr": "192.0.2.1", "mx1.a.fr": "192.0.2.2", "mx2.a.fr": "192.0.2.3",
                         "smtp.b.fr": "192.0.2.4", "b.fr": "192.0.2.4"},
               "dns": {"site.example": {"mx": ["."]}}}"#,
        );
        assert_eq!(
            route(&w, "a.fr"),
            Route::Hosts(vec![(10, "mx1.a.fr".into()), (20, "mx2.a.fr".into())])
        );
        assert_eq!(route(&w, "b.fr"), Route::Hosts(vec![(0, "b.fr".into())]));
        assert_eq!(route(&w, "site.example"), Route::Null);
        assert_eq!(route(&w, "nowhere.example"), Route::NotFound);
        let d = dig(&w, "a.fr", QType::Mx);
        assert_eq!(d.answer.len(), 2);
        assert_eq!(d.additional.len(), 2);
        let text = d.lines(1).join("\n");
        assert!(text.contains("status: NOERROR"), "{text}");
        assert!(
            text.contains("a.fr.                   3600  IN MX   10 mx1.a.fr."),
            "{text}"
        );
        assert!(dig(&w, "x.example", QType::A).lines(1)[1].contains("NXDOMAIN"));
        assert_eq!(dig(&w, "site.example", QType::Mx).finding, Finding::NullMx);
        assert_eq!(
            dig(&w, "b.fr", QType::Mx).finding,
            Finding::ImplicitMx {
                address: Some(Ipv4Addr::new(192, 0, 2, 4))
            }
        );
    }

    #[test]
    fn the_course_world_keeps_its_picture() {
        let w = World::default();
        assert_eq!(
            route(&w, "wanadoo.fr"),
            Route::Hosts(vec![(10, "smtp.wanadoo.fr".into())])
        );
        assert_eq!(
            route(&w, "hotmail.com"),
            Route::Hosts(vec![(10, "mx1.hotmail.com".into())])
        );
    }
}
